//! Start-up, serving and shutdown, in the order that keeps the handshake fast: only the socket
//! and (with AutoMTLS) one P-256 key are made before the line goes out.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::CertificateDer;
use tokio::signal::unix::{SignalKind, signal};
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tonic::transport::Server;

use super::error::PluginError;
use super::handshake::{self, HandshakeLine};
use super::incoming::incoming;
use super::socket::SocketDir;
use super::tls::{self, ServerIdentity};
use super::{Mode, debug, services};
use crate::framework::Provider;
use crate::protocol::ProviderService;

/// How long in-flight calls may finish after Shutdown; go-plugin SIGKILLs us at 2 s.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(1000);

/// How the process was started, and so what it announces and how it treats signals.
pub(crate) struct Setup {
    /// Terraform's certificate(s) from `PLUGIN_CLIENT_CERT`; `None` serves plaintext.
    pub(crate) client_certs: Option<Vec<CertificateDer<'static>>>,
    /// `PLUGIN_UNIX_SOCKET_DIR`, if set.
    pub(crate) socket_base: Option<PathBuf>,
    /// Terraform: the handshake line goes out and SIGINT is ignored (Terraform sends Stop).
    /// Debug: reattach instructions for a human go out and SIGINT stops the server.
    pub(crate) mode: Mode,
}

/// Serves until Shutdown, SIGTERM (or SIGINT in debug mode), then removes the socket dir.
pub(crate) fn run(provider: Arc<dyn Provider>, setup: Setup) -> Result<(), PluginError> {
    // One thread: RPCs spend their time waiting on Terraform and the Zenlayer API, and a whole
    // 200-resource plan costs the provider a few milliseconds of CPU. Worker threads cost
    // start time and memory (a stack and a malloc arena each); see BENCHMARKS.md.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(PluginError::Runtime)?;
    let mut socket_dir = None;
    let result = runtime.block_on(async {
        let shutdown = CancellationToken::new();
        // Before the directory exists, so a SIGTERM can never leave it behind.
        watch_signals(shutdown.clone(), setup.mode)?;
        let dir = socket_dir.insert(SocketDir::create(setup.socket_base.as_deref())?);
        let (listener, tls) = listen_and_announce(dir, setup)?;
        serve(provider, listener, tls, shutdown).await
    });
    if let Some(Err(error)) = socket_dir.map(SocketDir::remove) {
        tracing::warn!(%error, "could not remove the socket directory");
    }
    // Tasks still holding connections are dropped with the process; nothing to wait for.
    runtime.shutdown_background();
    result
}

/// Binds the socket, prepares TLS, and writes the one stdout announcement.
fn listen_and_announce(
    socket_dir: &SocketDir,
    setup: Setup,
) -> Result<(tokio::net::UnixListener, Option<TlsAcceptor>), PluginError> {
    let listener = socket_dir.bind()?;
    let socket = socket_dir.socket_path();
    let (server_cert, tls) = match setup.client_certs {
        None => (None, None),
        Some(pinned) => {
            let identity = ServerIdentity::generate()?;
            let cert = identity.cert_der().to_vec();
            let config = tls::server_config(identity, pinned)?;
            (Some(cert), Some(TlsAcceptor::from(Arc::new(config))))
        }
    };
    let text = match setup.mode {
        Mode::Terraform => {
            let line = HandshakeLine {
                socket,
                server_cert: server_cert.as_deref(),
            };
            line.check()?;
            line.to_string()
        }
        Mode::Debug => {
            // Who can reach the socket: the owner of its private directory (and root).
            let owner = socket
                .parent()
                .and_then(|dir| std::fs::metadata(dir).ok())
                .map(|meta| std::os::unix::fs::MetadataExt::uid(&meta));
            debug::reattach_instructions(socket, std::process::id(), owner)
        }
    };
    handshake::announce(&text).map_err(PluginError::Stdout)?;
    tracing::debug!(
        version = crate::VERSION,
        socket = %socket.display(),
        tls = tls.is_some(),
        "provider serving"
    );
    Ok((listener, tls))
}

/// SIGTERM always shuts down; SIGINT only in debug mode. Once installed, the handlers stay,
/// so a late SIGINT cannot kill the process before it has cleaned up.
fn watch_signals(shutdown: CancellationToken, mode: Mode) -> Result<(), PluginError> {
    let mut term = signal(SignalKind::terminate()).map_err(PluginError::Signals)?;
    let mut int = signal(SignalKind::interrupt()).map_err(PluginError::Signals)?;
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = term.recv() => {
                    tracing::debug!("SIGTERM received: shutting down");
                    break;
                }
                _ = int.recv() => {
                    if mode == Mode::Debug {
                        tracing::debug!("SIGINT received: shutting down");
                        break;
                    }
                    tracing::debug!("SIGINT ignored: Terraform stops providers with the Stop RPC");
                }
            }
        }
        shutdown.cancel();
    });
    Ok(())
}

/// Serves tfplugin5 and go-plugin's services on `listener` until `shutdown` fires.
async fn serve(
    provider: Arc<dyn Provider>,
    listener: tokio::net::UnixListener,
    tls: Option<TlsAcceptor>,
    shutdown: CancellationToken,
) -> Result<(), PluginError> {
    let stop = CancellationToken::new();
    let serving = Server::builder()
        .add_service(ProviderService::new(provider, stop.clone()).into_server())
        .add_service(services::controller(shutdown.clone()))
        .add_service(services::stdio(shutdown.clone()))
        .add_service(services::broker(shutdown.clone()))
        .add_service(services::health().await)
        .serve_with_incoming_shutdown(incoming(listener, tls), shutdown.clone().cancelled_owned());
    tokio::pin!(serving);
    tokio::select! {
        result = &mut serving => return result.map_err(PluginError::from),
        () = shutdown.cancelled() => {}
    }
    // Long-running RPCs see Stop, then get a moment to answer before the process ends.
    stop.cancel();
    match tokio::time::timeout(SHUTDOWN_GRACE, serving).await {
        Ok(result) => result.map_err(PluginError::from),
        Err(_) => {
            tracing::debug!("connections still open after the shutdown grace period; exiting");
            Ok(())
        }
    }
}
