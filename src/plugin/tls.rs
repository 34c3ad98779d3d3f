//! AutoMTLS: a fresh server certificate per start, and a client verifier pinned to the exact
//! certificate Terraform put in `PLUGIN_CLIENT_CERT`.
//!
//! Terraform's client certificate is a self-signed P-521 certificate flagged as a CA, so
//! webpki-based verifiers refuse it (`CaUsedAsEndEntity`) and ring cannot check its signature.
//! Pinning its DER and checking the handshake signature with aws-lc-rs keeps true mutual TLS:
//! only the Terraform process that started us, holding that certificate's key, is served.

use std::sync::Arc;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{WebPkiSupportedAlgorithms, aws_lc_rs as rustls_aws_lc_rs};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::sign::{CertifiedKey, Signer, SigningKey, SingleCertAndKey};
use rustls::{
    CertificateError, DigitallySignedStruct, DistinguishedName, ServerConfig, SignatureAlgorithm,
    SignatureScheme,
};

use super::error::PluginError;

/// The server's certificate and key, made fresh at every start.
pub(crate) struct ServerIdentity {
    cert: CertificateDer<'static>,
    key: Arc<ServerKey>,
}

impl ServerIdentity {
    /// A self-signed P-256 end-entity certificate for `localhost`.
    ///
    /// go-plugin's client trusts exactly this certificate and checks the name `localhost`, so
    /// the DNS SAN is required; it must not be a CA. The one key generated here both signs
    /// the certificate and serves the handshakes: encoding it and parsing it back (twice, once
    /// by rcgen and once by rustls, each re-checking the point) cost a tenth of the start.
    pub(crate) fn generate() -> Result<Self, PluginError> {
        let key = Arc::new(ServerKey::generate()?);
        let cert = rcgen::CertificateParams::new(vec!["localhost".to_owned()])?
            .self_signed(key.as_ref())?;
        Ok(ServerIdentity {
            cert: cert.der().clone(),
            key,
        })
    }

    /// The DER announced in the handshake line.
    pub(crate) fn cert_der(&self) -> &[u8] {
        self.cert.as_ref()
    }
}

/// An ECDSA P-256 key that signs with SHA-256 in ASN.1 form, as X.509 and TLS both want.
#[derive(Debug)]
struct ServerKey {
    pair: EcdsaKeyPair,
}

impl ServerKey {
    fn generate() -> Result<ServerKey, PluginError> {
        let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_ASN1_SIGNING)
            .map_err(|_| PluginError::ServerCert(rcgen::Error::RingUnspecified))?;
        Ok(ServerKey { pair })
    }

    fn sign(&self, message: &[u8]) -> Option<Vec<u8>> {
        let signature = self.pair.sign(&SystemRandom::new(), message).ok()?;
        Some(signature.as_ref().to_vec())
    }
}

impl rcgen::PublicKeyData for ServerKey {
    fn der_bytes(&self) -> &[u8] {
        self.pair.public_key().as_ref()
    }

    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        &rcgen::PKCS_ECDSA_P256_SHA256
    }
}

impl rcgen::SigningKey for ServerKey {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        ServerKey::sign(self, msg).ok_or(rcgen::Error::RingUnspecified)
    }
}

/// The server key as rustls signs handshakes with it.
#[derive(Debug)]
struct HandshakeKey(Arc<ServerKey>);

impl SigningKey for HandshakeKey {
    fn choose_scheme(&self, offered: &[SignatureScheme]) -> Option<Box<dyn Signer>> {
        offered
            .contains(&SignatureScheme::ECDSA_NISTP256_SHA256)
            .then(|| Box::new(HandshakeSigner(Arc::clone(&self.0))) as Box<dyn Signer>)
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::ECDSA
    }
}

#[derive(Debug)]
struct HandshakeSigner(Arc<ServerKey>);

impl Signer for HandshakeSigner {
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, rustls::Error> {
        self.0
            .sign(message)
            .ok_or_else(|| rustls::Error::General("signing the handshake failed".into()))
    }

    fn scheme(&self) -> SignatureScheme {
        SignatureScheme::ECDSA_NISTP256_SHA256
    }
}

/// The certificates in `PLUGIN_CLIENT_CERT` (Terraform sends one; go-plugin accepts a bundle).
pub(crate) fn client_certs_from_pem(
    pem: &str,
) -> Result<Vec<CertificateDer<'static>>, PluginError> {
    let certs = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| PluginError::ClientCert {
            reason: e.to_string(),
        })?;
    if certs.is_empty() {
        return Err(PluginError::ClientCert {
            reason: "no CERTIFICATE block".to_owned(),
        });
    }
    // A block that is not an X.509 certificate would be pinned and match no one: refuse it
    // now, with a reason, rather than refuse every connection later.
    for (n, cert) in certs.iter().enumerate() {
        if let Err(e) = rustls::server::ParsedCertificate::try_from(cert) {
            return Err(PluginError::ClientCert {
                reason: format!(
                    "CERTIFICATE block {} is not an X.509 certificate: {e}",
                    n + 1
                ),
            });
        }
    }
    Ok(certs)
}

/// TLS 1.2/1.3 with ALPN `h2` (grpc-go ≥ 1.69 refuses TLS without it), a required client
/// certificate pinned to `pinned`, and aws-lc-rs for every algorithm.
pub(crate) fn server_config(
    identity: ServerIdentity,
    pinned: Vec<CertificateDer<'static>>,
) -> Result<ServerConfig, PluginError> {
    let provider = Arc::new(rustls_aws_lc_rs::default_provider());
    let verifier = PinnedClientVerifier {
        pinned,
        algorithms: provider.signature_verification_algorithms,
    };
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .with_client_cert_verifier(Arc::new(verifier))
        .with_cert_resolver(Arc::new(SingleCertAndKey::from(CertifiedKey::new(
            vec![identity.cert],
            Arc::new(HandshakeKey(identity.key)),
        ))));
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(config)
}

/// Accepts only a client presenting one of `pinned`, byte for byte, and proving it holds the
/// matching key.
#[derive(Debug)]
struct PinnedClientVerifier {
    pinned: Vec<CertificateDer<'static>>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ClientCertVerifier for PinnedClientVerifier {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        // Go picks its only certificate when the server names no acceptable CAs.
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        // No chain or validity check: an exact match with the certificate Terraform handed us
        // is stronger than both, and the signature check below proves key possession.
        if self
            .pinned
            .iter()
            .any(|p| p.as_ref() == end_entity.as_ref())
        {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        // Must include ECDSA_NISTP521_SHA512, or Go silently sends no certificate.
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
        KeyUsagePurpose, PKCS_ECDSA_P521_SHA512,
    };
    use rustls::client::ResolvesClientCert;
    use rustls::pki_types::{PrivateKeyDer, ServerName};
    use rustls::sign::CertifiedKey;
    use rustls::{ClientConfig, RootCertStore, SupportedProtocolVersion};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::UnixStream;
    use tokio_rustls::{TlsAcceptor, TlsConnector};

    use super::*;

    /// A certificate shaped like go-plugin's AutoMTLS client certificate: P-521, SHA-512,
    /// self-signed, CA-flagged, `localhost`.
    struct TerraformCert {
        der: CertificateDer<'static>,
        key: PrivateKeyDer<'static>,
        pem: String,
    }

    fn terraform_like_cert() -> TerraformCert {
        let key = KeyPair::generate_for(&PKCS_ECDSA_P521_SHA512).unwrap();
        let mut params = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        params
            .distinguished_name
            .push(DnType::OrganizationName, "HashiCorp");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
            KeyUsagePurpose::KeyCertSign,
        ];
        params.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ClientAuth,
            ExtendedKeyUsagePurpose::ServerAuth,
        ];
        let cert = params.self_signed(&key).unwrap();
        TerraformCert {
            der: cert.der().clone(),
            key: PrivateKeyDer::Pkcs8(key.serialize_der().into()),
            pem: cert.pem(),
        }
    }

    /// What the client presents.
    enum Presents<'a> {
        Nothing,
        Cert(&'a TerraformCert),
        /// `cert`'s certificate, but handshake signatures made with `key`'s key.
        CertWithKeyOf {
            cert: &'a TerraformCert,
            key: &'a TerraformCert,
        },
    }

    /// Hands rustls a certificate and key that need not match, to forge a bad signature.
    #[derive(Debug)]
    struct FixedClientCert(Arc<CertifiedKey>);

    impl ResolvesClientCert for FixedClientCert {
        fn resolve(&self, _: &[&[u8]], _: &[SignatureScheme]) -> Option<Arc<CertifiedKey>> {
            Some(self.0.clone())
        }

        fn has_certs(&self) -> bool {
            true
        }
    }

    /// A client configured like go-plugin's: trusts only the announced server cert, checks
    /// the name `localhost`, offers ALPN h2.
    fn client_config(
        server_cert: &[u8],
        presents: Presents<'_>,
        versions: &[&'static SupportedProtocolVersion],
    ) -> ClientConfig {
        let provider = Arc::new(rustls_aws_lc_rs::default_provider());
        let mut roots = RootCertStore::empty();
        roots
            .add(CertificateDer::from(server_cert.to_vec()))
            .unwrap();
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(versions)
            .unwrap()
            .with_root_certificates(roots);
        let mut config = match presents {
            Presents::Nothing => builder.with_no_client_auth(),
            Presents::Cert(c) => builder
                .with_client_auth_cert(vec![c.der.clone()], c.key.clone_key())
                .unwrap(),
            Presents::CertWithKeyOf { cert, key } => {
                let signer = provider
                    .key_provider
                    .load_private_key(key.key.clone_key())
                    .unwrap();
                let certified = CertifiedKey::new(vec![cert.der.clone()], signer);
                builder.with_client_cert_resolver(Arc::new(FixedClientCert(Arc::new(certified))))
            }
        };
        config.alpn_protocols = vec![b"h2".to_vec()];
        config
    }

    /// Runs a real TLS handshake over a unix socket pair and one ping/pong exchange; returns
    /// the server's outcome (the negotiated ALPN, or the rustls error).
    async fn serve_one(
        server: ServerConfig,
        client: ClientConfig,
    ) -> Result<Vec<u8>, rustls::Error> {
        let (server_io, client_io) = UnixStream::pair().unwrap();
        let acceptor = TlsAcceptor::from(Arc::new(server));
        let connector = TlsConnector::from(Arc::new(client));
        let server_side = async move {
            let mut tls = acceptor.accept(server_io).await?;
            let mut ping = [0u8; 4];
            tls.read_exact(&mut ping).await?;
            tls.write_all(b"pong").await?;
            tls.flush().await?;
            Ok::<_, std::io::Error>(tls.get_ref().1.alpn_protocol().unwrap_or_default().to_vec())
        };
        let client_side = async move {
            let name = ServerName::try_from("localhost").unwrap();
            let mut tls = connector.connect(name, client_io).await?;
            tls.write_all(b"ping").await?;
            tls.flush().await?;
            let mut pong = [0u8; 4];
            tls.read_exact(&mut pong).await?;
            Ok::<_, std::io::Error>(())
        };
        let both = async { tokio::join!(server_side, client_side) };
        let (server_result, _client_result) = tokio::time::timeout(Duration::from_secs(10), both)
            .await
            .expect("handshake finished");
        server_result.map_err(|e| {
            e.into_inner()
                .and_then(|inner| inner.downcast::<rustls::Error>().ok())
                .map(|b| *b)
                .unwrap_or_else(|| rustls::Error::General("not a TLS error".into()))
        })
    }

    fn server_for(terraform: &TerraformCert) -> (ServerConfig, Vec<u8>) {
        let identity = ServerIdentity::generate().unwrap();
        let announced = identity.cert_der().to_vec();
        let pinned = client_certs_from_pem(&terraform.pem).unwrap();
        (server_config(identity, pinned).unwrap(), announced)
    }

    const TLS13: &[&SupportedProtocolVersion] = &[&rustls::version::TLS13];
    const TLS12: &[&SupportedProtocolVersion] = &[&rustls::version::TLS12];

    /// Who the client is, facing a server pinned to Terraform's certificate.
    enum Client {
        Terraform,
        WithoutCert,
        /// Another certificate made the way Terraform makes its own.
        Stranger,
        /// Terraform's certificate, but handshake signatures made with a stranger's key.
        Thief,
    }

    /// One handshake of `client` over `versions` with a server pinned to a fresh
    /// Terraform-like certificate; the server's outcome.
    async fn handshake(
        client: Client,
        versions: &[&'static SupportedProtocolVersion],
    ) -> Result<Vec<u8>, rustls::Error> {
        let terraform = terraform_like_cert();
        let stranger = terraform_like_cert();
        let (server, announced) = server_for(&terraform);
        let presents = match client {
            Client::Terraform => Presents::Cert(&terraform),
            Client::WithoutCert => Presents::Nothing,
            Client::Stranger => Presents::Cert(&stranger),
            Client::Thief => Presents::CertWithKeyOf {
                cert: &terraform,
                key: &stranger,
            },
        };
        serve_one(server, client_config(&announced, presents, versions)).await
    }

    #[tokio::test]
    async fn terraforms_own_p521_ca_cert_is_accepted_over_tls13_with_alpn_h2() {
        assert_eq!(handshake(Client::Terraform, TLS13).await.unwrap(), b"h2");
    }

    #[tokio::test]
    async fn terraforms_own_cert_is_accepted_over_tls12() {
        assert_eq!(handshake(Client::Terraform, TLS12).await.unwrap(), b"h2");
    }

    #[tokio::test]
    async fn a_client_without_a_cert_is_refused() {
        let err = handshake(Client::WithoutCert, TLS13).await.unwrap_err();
        assert_eq!(err, rustls::Error::NoCertificatesPresented);
    }

    #[tokio::test]
    async fn another_terraform_like_cert_is_refused() {
        let err = handshake(Client::Stranger, TLS13).await.unwrap_err();
        let refused = CertificateError::ApplicationVerificationFailure;
        assert_eq!(err, rustls::Error::InvalidCertificate(refused));
    }

    #[tokio::test]
    async fn the_right_cert_with_a_signature_from_another_key_is_refused_over_tls13() {
        let err = handshake(Client::Thief, TLS13).await.unwrap_err();
        let forged = CertificateError::BadSignature;
        assert_eq!(err, rustls::Error::InvalidCertificate(forged));
    }

    #[tokio::test]
    async fn the_right_cert_with_a_signature_from_another_key_is_refused_over_tls12() {
        let err = handshake(Client::Thief, TLS12).await.unwrap_err();
        let forged = CertificateError::BadSignature;
        assert_eq!(err, rustls::Error::InvalidCertificate(forged));
    }

    #[test]
    fn the_verifier_offers_p521_so_go_sends_its_cert() {
        let algorithms = rustls_aws_lc_rs::default_provider().signature_verification_algorithms;
        let verifier = PinnedClientVerifier {
            pinned: Vec::new(),
            algorithms,
        };
        assert!(
            verifier
                .supported_verify_schemes()
                .contains(&SignatureScheme::ECDSA_NISTP521_SHA512)
        );
        assert!(verifier.client_auth_mandatory());
    }

    #[test]
    fn server_cert_is_a_p256_localhost_end_entity() {
        let identity = ServerIdentity::generate().unwrap();
        let der = identity.cert_der();
        // The OIDs of prime256v1 and of the DNS name, as they appear in the DER.
        let p256 = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
        assert!(der.windows(p256.len()).any(|w| w == p256));
        assert!(der.windows(9).any(|w| w == b"localhost"));
        // basicConstraints (2.5.29.19) is absent: rcgen writes it only for CAs.
        assert!(!der.windows(3).any(|w| w == [0x55, 0x1d, 0x13]));
    }

    #[test]
    fn client_cert_pem_without_a_certificate_is_a_clear_error() {
        let err = client_certs_from_pem("not a pem").unwrap_err().to_string();
        assert!(
            err.contains("PLUGIN_CLIENT_CERT") && !err.contains("not a pem"),
            "{err}"
        );
        for nothing in [
            "",
            "  \n",
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        ] {
            let err = client_certs_from_pem(nothing).unwrap_err().to_string();
            assert!(err.contains("no CERTIFICATE block"), "{nothing:?}: {err}");
        }
    }

    #[test]
    fn a_certificate_block_that_holds_no_certificate_is_an_error_not_a_pin() {
        let garbage = "-----BEGIN CERTIFICATE-----\nAAECAwQFBgcICQ==\n-----END CERTIFICATE-----\n";
        let err = client_certs_from_pem(garbage).unwrap_err().to_string();
        assert!(err.contains("not an X.509 certificate"), "{err}");
        // One good block does not excuse a bad one beside it.
        let good = terraform_like_cert().pem;
        assert!(client_certs_from_pem(&good).is_ok());
        let err = client_certs_from_pem(&format!("{good}{garbage}"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("block 2"), "{err}");
    }
}
