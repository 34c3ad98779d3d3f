//! An HTTPS endpoint on 127.0.0.1 with a self-signed certificate for `localhost`, standing in
//! for a man in the middle: scenarios prove the provider refuses it before sending anything.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::loopback_server::LoopbackServer;

/// A TLS acceptor with a fresh self-signed certificate for `localhost`, which no client that
/// checks its roots trusts.
pub fn self_signed_acceptor() -> tokio_rustls::TlsAcceptor {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".into()])
        .expect("rcgen makes a certificate");
    let cert = certified.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("aws-lc-rs supports the default versions")
    .with_no_client_auth()
    .with_single_cert(vec![cert], key)
    .expect("rcgen's key matches its certificate");
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

/// A running self-signed HTTPS endpoint; stops when dropped.
pub struct SelfSignedApi {
    server: LoopbackServer,
    requests: Arc<AtomicUsize>,
    connections: Arc<AtomicUsize>,
}

impl SelfSignedApi {
    /// Listens on 127.0.0.1 (a free port) on its own thread.
    pub fn start() -> SelfSignedApi {
        let acceptor = self_signed_acceptor();
        let requests = Arc::new(AtomicUsize::new(0));
        let connections = Arc::new(AtomicUsize::new(0));
        let (req, conns) = (requests.clone(), connections.clone());
        let server = LoopbackServer::start(move |tcp| {
            conns.fetch_add(1, Ordering::SeqCst);
            let (acceptor, req) = (acceptor.clone(), req.clone());
            async move {
                if let Ok(mut tls) = acceptor.accept(tcp).await {
                    let mut buf = [0u8; 4096];
                    if tls.read(&mut buf).await.unwrap_or(0) > 0 {
                        req.fetch_add(1, Ordering::SeqCst);
                        let _ = tls
                            .write_all(
                                b"HTTP/1.1 500 Internal Server Error\r\n\
                                  content-length: 0\r\nconnection: close\r\n\r\n",
                            )
                            .await;
                    }
                }
            }
        });
        SelfSignedApi {
            server,
            requests,
            connections,
        }
    }

    /// `localhost:PORT`: the name the certificate is for, so only its issuer is wrong.
    pub fn domain(&self) -> String {
        format!("localhost:{}", self.server.port())
    }

    /// Requests that got through a completed TLS handshake.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// TCP connections accepted (each a handshake attempt).
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}
