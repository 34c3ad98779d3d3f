//! terraform-provider-zenlayer: a Terraform provider (plugin protocol 5) for Zenlayer Cloud vNIC
//! attachments, and `zenlayer-sim`, a local stand-in for the Zenlayer API.
//!
//! Layers, each knowing only the ones below it (see `ARCHITECTURE.md`):
//! `plugin` (go-plugin transport) → `protocol` (tfplugin5 service) → `framework` (schemas,
//! diagnostics, resource traits) → `provider` (the Zenlayer provider) → `zenlayer` (API client).
//! `cty` holds Terraform's value model and codecs; `sim` is the local API; `untrusted` is the
//! one rule every layer uses to show text it did not write.

pub mod cty;
pub mod framework;
pub mod plugin;
pub mod protocol;
pub mod provider;
pub mod sim;
pub mod untrusted;
pub mod zenlayer;

/// The provider's version, as released and as sent in the User-Agent.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
