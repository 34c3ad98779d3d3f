use std::io;
use std::path::PathBuf;

/// Why the plugin could not start or serve; each message says what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    #[error(
        "Terraform offered plugin protocol versions {offered:?}, but this provider speaks only \
         version 5; use Terraform 0.12 or later, which always offers version 5"
    )]
    UnsupportedProtocol { offered: String },

    #[error(
        "PLUGIN_CLIENT_CERT holds no usable PEM certificate ({reason}); Terraform sets it for \
         AutoMTLS, so unset it to serve without TLS"
    )]
    ClientCert { reason: String },

    #[error("could not generate the server's TLS certificate: {0}")]
    ServerCert(#[from] rcgen::Error),

    #[error("could not set up TLS: {0}")]
    Tls(#[from] rustls::Error),

    #[error(
        "could not create a private socket directory in {dir}: {source}; set \
         PLUGIN_UNIX_SOCKET_DIR or TMPDIR to a writable directory"
    )]
    SocketDir { dir: PathBuf, source: io::Error },

    #[error(
        "PLUGIN_UNIX_SOCKET_DIR {dir} is not safe for the provider's socket: {reason}; set it \
         to a directory only you can write to (or unset it to use the temp directory)"
    )]
    UnsafeSocketDir { dir: PathBuf, reason: &'static str },

    #[error(
        "could not listen on {path}: {source}; a unix socket path must be short (under 108 \
         bytes), so set PLUGIN_UNIX_SOCKET_DIR or TMPDIR to a shorter directory"
    )]
    Bind { path: PathBuf, source: io::Error },

    #[error(
        "the socket path {path} contains '|' or a line break, which the handshake line cannot \
         carry; set PLUGIN_UNIX_SOCKET_DIR or TMPDIR to another directory"
    )]
    UnannounceablePath { path: PathBuf },

    #[error("could not start the async runtime: {0}")]
    Runtime(io::Error),

    #[error("could not install the signal handlers: {0}")]
    Signals(io::Error),

    #[error("could not write the handshake to stdout: {0}")]
    Stdout(io::Error),

    #[error("the gRPC server failed: {0}")]
    Serve(#[from] tonic::transport::Error),
}
