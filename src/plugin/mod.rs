//! go-plugin transport: the handshake line, AutoMTLS with a pinned client certificate, the unix
//! socket, go-plugin's controller/stdio/broker services, debug (reattach) mode and hclog logs.
//!
//! Invariant: stdout carries exactly one line, the handshake; everything else goes to stderr.

/// Generated go-plugin messages and service traits.
#[allow(clippy::all, missing_docs, unreachable_pub)]
pub mod proto {
    tonic::include_proto!("plugin");
}
