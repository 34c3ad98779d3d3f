//! An HTTPS endpoint on 127.0.0.1 with a self-signed certificate for `localhost`, standing in
//! for a man in the middle: scenarios prove the provider refuses it before sending anything.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::JoinHandle;

use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::oneshot;

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
    port: u16,
    requests: Arc<AtomicUsize>,
    connections: Arc<AtomicUsize>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl SelfSignedApi {
    /// Listens on 127.0.0.1 (a free port) on its own thread.
    pub fn start() -> SelfSignedApi {
        let acceptor = self_signed_acceptor();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener
            .set_nonblocking(true)
            .expect("nonblocking listener");
        let port = listener.local_addr().expect("local address").port();
        let requests = Arc::new(AtomicUsize::new(0));
        let connections = Arc::new(AtomicUsize::new(0));
        let (tx, mut rx) = oneshot::channel::<()>();
        let (req, conns) = (requests.clone(), connections.clone());
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for the HTTPS endpoint");
            runtime.block_on(async move {
                let listener =
                    tokio::net::TcpListener::from_std(listener).expect("a tokio listener");
                loop {
                    let tcp = tokio::select! {
                        _ = &mut rx => return,
                        accepted = listener.accept() => match accepted {
                            Ok((tcp, _)) => tcp,
                            Err(_) => return,
                        },
                    };
                    conns.fetch_add(1, Ordering::SeqCst);
                    let acceptor = acceptor.clone();
                    let req = req.clone();
                    tokio::spawn(async move {
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
                    });
                }
            });
        });
        SelfSignedApi {
            port,
            requests,
            connections,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }

    /// `localhost:PORT`: the name the certificate is for, so only its issuer is wrong.
    pub fn domain(&self) -> String {
        format!("localhost:{}", self.port)
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

impl Drop for SelfSignedApi {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
