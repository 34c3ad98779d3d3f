//! The Zenlayer Cloud API 2.0 (ZEC service): wire models, error codes, the ZC2-HMAC-SHA256
//! signer, the HTTP client with retries and deadlines, and coalesced lookups.
//!
//! Boundary: knows nothing of Terraform. `models`, `codes` and `signer` are shared with `sim`,
//! so the simulator and the client cannot drift apart on the wire contract.

mod answer;
pub mod client;
pub mod codes;
pub mod config;
mod error;
pub mod filter;
pub mod lookup;
pub mod models;
mod proxy;
mod retry;
pub mod roots;
pub mod signer;
mod transport;

pub(crate) use answer::json_kind;
pub use client::{CallLimits, Client};
pub use config::{ClientConfig, Credentials, Scheme, Secret};
pub use error::{ApiError, Caller, ConfigError, CredentialKind, Error, GiveUpReason};
pub use filter::NicFilter;
pub use lookup::Lookup;
pub use retry::{MAX_RETRY_AFTER, RetryPolicy};
pub use roots::{ExtraRoots, read_ca_bundle};
