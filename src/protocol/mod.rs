//! The tfplugin5 `Provider` gRPC service: one small handler per RPC that decodes the wire
//! messages, calls the framework, checks Terraform's rules and encodes the answer.
//!
//! Boundary: the only module (besides `plugin`) that sees generated protobuf types. It knows
//! nothing of Zenlayer.

mod convert;
mod service;

pub use service::ProviderService;

/// Generated tfplugin5 messages and service traits.
#[allow(clippy::all, missing_docs, unreachable_pub)]
pub mod proto {
    tonic::include_proto!("tfplugin5");
}
