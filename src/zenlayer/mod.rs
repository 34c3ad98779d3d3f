//! The Zenlayer Cloud API 2.0 (ZEC service): wire models, error codes, the ZC2-HMAC-SHA256
//! signer, the HTTP client with retries and deadlines, and coalesced lookups.
//!
//! Boundary: knows nothing of Terraform. `models`, `codes` and `signer` are shared with `sim`,
//! so the simulator and the client cannot drift apart on the wire contract.

mod answer;
pub mod client;
pub mod codes;
mod error;
pub mod lookup;
pub mod models;
mod retry;
pub mod signer;
mod transport;

pub use client::{CallLimits, Client, ClientConfig, Credentials, Scheme};
pub use error::{ApiError, CONFIGURATION, CredentialKind, Error};
pub use lookup::Lookup;
pub use retry::RetryPolicy;
