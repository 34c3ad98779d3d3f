//! Extra trusted roots from a PEM bundle (`custom_ca_bundle`): the private CA of a company's
//! TLS-inspecting proxy or API gateway, trusted next to the bundled Mozilla roots.

use std::fmt;
use std::path::Path;

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

/// Certificates added to the bundled roots. `Debug` prints how many, not the bytes.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ExtraRoots(Vec<CertificateDer<'static>>);

impl ExtraRoots {
    /// No extra roots: only the bundled ones are trusted.
    pub fn none() -> ExtraRoots {
        ExtraRoots(Vec::new())
    }

    /// The certificates, for the TLS configuration.
    pub(crate) fn certificates(&self) -> &[CertificateDer<'static>] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl fmt::Debug for ExtraRoots {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ExtraRoots({} certificate(s))", self.0.len())
    }
}

/// Reads every certificate of the PEM file at `path`. The error completes "… is not usable: "
/// and says what is wrong with the file, never what is in it.
pub fn read_ca_bundle(path: &Path) -> Result<ExtraRoots, String> {
    let bytes = std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => "the file does not exist".to_owned(),
        std::io::ErrorKind::PermissionDenied => {
            "the file cannot be read (permission denied)".to_owned()
        }
        _ if path.is_dir() => "it is a directory, not a PEM file".to_owned(),
        _ => format!("the file cannot be read ({e})"),
    })?;
    parse_ca_bundle(&bytes)
}

/// Every certificate of a PEM bundle, each checked to be usable as a trust anchor.
pub fn parse_ca_bundle(pem: &[u8]) -> Result<ExtraRoots, String> {
    let mut certs = Vec::new();
    for (n, item) in CertificateDer::pem_slice_iter(pem).enumerate() {
        let cert = item.map_err(|e| format!("its PEM section {} cannot be read ({e})", n + 1))?;
        let mut store = rustls::RootCertStore::empty();
        store.add(cert.clone()).map_err(|e| {
            format!(
                "its certificate {} is not a usable CA certificate ({e})",
                n + 1
            )
        })?;
        certs.push(cert);
    }
    if certs.is_empty() {
        return Err(
            "it holds no certificate (expected one or more PEM blocks starting with \
             -----BEGIN CERTIFICATE-----)"
                .to_owned(),
        );
    }
    Ok(ExtraRoots(certs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ca_pem() -> String {
        let key = rcgen::KeyPair::generate().expect("a key");
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.self_signed(&key).expect("a CA").pem()
    }

    #[test]
    fn a_bundle_may_hold_several_certificates() {
        let bundle = format!("# company roots\n{}\n{}", ca_pem(), ca_pem());
        assert_eq!(parse_ca_bundle(bundle.as_bytes()).unwrap().len(), 2);
    }

    #[test]
    fn files_without_certificates_are_refused_with_the_reason() {
        let cases: [(&[u8], &str); 3] = [
            (b"", "holds no certificate"),
            (b"not a pem file at all\n", "holds no certificate"),
            (
                b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                "not a usable CA certificate",
            ),
        ];
        for (pem, want) in cases {
            let err = parse_ca_bundle(pem).unwrap_err();
            assert!(err.contains(want), "{err}");
        }
        let err = read_ca_bundle(Path::new("/nonexistent/ca.pem")).unwrap_err();
        assert_eq!(err, "the file does not exist");
    }
}
