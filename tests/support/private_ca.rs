//! A private certificate authority and an HTTPS front that serves another local endpoint (the
//! simulator) with a certificate it issued, as a company gateway or a TLS-inspecting proxy
//! re-signs a public API: certificates for chosen names, optionally expired.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

use super::loopback_server::LoopbackServer;

/// A CA that exists only for one test: its PEM goes into `custom_ca_bundle`.
pub struct PrivateCa {
    issuer: rcgen::CertifiedIssuer<'static, rcgen::KeyPair>,
}

/// What a leaf certificate says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Validity {
    /// Valid now.
    Current,
    /// Expired a year ago.
    Expired,
}

impl PrivateCa {
    /// A fresh CA named `name`.
    pub fn new(name: &str) -> PrivateCa {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
        ];
        let key = rcgen::KeyPair::generate().expect("a CA key");
        PrivateCa {
            issuer: rcgen::CertifiedIssuer::self_signed(params, key).expect("a CA certificate"),
        }
    }

    /// The CA certificate as PEM.
    pub fn pem(&self) -> String {
        self.issuer.pem()
    }

    /// Writes the CA's PEM (after `extra`, e.g. another CA's) to `dir/name`; returns the path.
    pub fn write_bundle(&self, dir: &Path, name: &str, extra: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, format!("{extra}{}", self.pem())).expect("write the CA bundle");
        path
    }

    /// A server configuration presenting a certificate for `names` issued by this CA.
    pub fn server_config(&self, names: &[&str], validity: Validity) -> rustls::ServerConfig {
        let mut params = rcgen::CertificateParams::new(
            names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>(),
        )
        .expect("leaf params");
        params.distinguished_name.push(
            rcgen::DnType::CommonName,
            names.first().copied().unwrap_or("leaf"),
        );
        if validity == Validity::Expired {
            params.not_before = rcgen::date_time_ymd(2020, 1, 1);
            params.not_after = rcgen::date_time_ymd(2021, 1, 1);
        }
        let key = rcgen::KeyPair::generate().expect("a leaf key");
        let cert = params
            .signed_by(&key, &self.issuer)
            .expect("a leaf certificate");
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("aws-lc-rs supports the default versions")
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone(), self.issuer.der().clone()], key)
        .expect("the leaf key matches its certificate")
    }
}

/// An HTTPS listener on 127.0.0.1 that terminates TLS and relays the bytes to `backend`;
/// stops when dropped.
pub struct TlsFront {
    server: LoopbackServer,
    handshakes: Arc<AtomicUsize>,
}

impl TlsFront {
    /// Serves `backend` with `config`'s certificate.
    pub fn start(config: rustls::ServerConfig, backend: SocketAddr) -> TlsFront {
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let handshakes = Arc::new(AtomicUsize::new(0));
        let done = handshakes.clone();
        let server = LoopbackServer::start(move |tcp| {
            let (acceptor, done) = (acceptor.clone(), done.clone());
            async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                done.fetch_add(1, Ordering::SeqCst);
                if let Ok(mut plain) = tokio::net::TcpStream::connect(backend).await {
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                }
            }
        });
        TlsFront { server, handshakes }
    }

    pub fn port(&self) -> u16 {
        self.server.port()
    }

    /// TLS handshakes that completed (each a connection the client accepted the certificate of).
    pub fn handshakes(&self) -> usize {
        self.handshakes.load(Ordering::SeqCst)
    }
}
