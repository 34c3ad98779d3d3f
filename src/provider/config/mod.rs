//! The `provider "zenlayer"` block: its schema, environment fallbacks, offline validation, and
//! resolving it into the API client's configuration.
//!
//! Every setting is read from its attribute first and from its `ZENLAYERCLOUD_*` environment
//! variable when the attribute is null; an empty environment variable counts as unset.
//! Credentials: an access token or key pair written in the provider block wins over one from the
//! environment; at the same level the token wins. A key pair may mix levels (the ID in the
//! block, the password in the environment) because that is how secrets are usually kept out of
//! configuration files.
//!
//! `settings` declares the settings and the schema, `parsing` reads and checks one setting,
//! `resolution` puts them together into a `ClientConfig` (or the diagnostics that say why not).

mod parsing;
mod resolution;
mod settings;
#[cfg(test)]
mod tests;

pub(crate) use parsing::*;
pub(crate) use resolution::*;
pub(crate) use settings::*;
