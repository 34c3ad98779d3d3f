//! The client side of go-plugin, as Terraform does it: the environment it starts a provider
//! with, its P-521 AutoMTLS certificate, parsing the handshake line, and a TLS gRPC channel
//! to the announced socket. Used by `tests/plugin_*.rs` and the benchmarks.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use hyper_util::rt::TokioIo;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose, PKCS_ECDSA_P521_SHA512,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, RootCertStore};
use tokio::net::UnixStream;
use tokio_rustls::TlsConnector;
use tonic::transport::{Channel, Endpoint};

/// go-plugin's magic cookie for Terraform providers.
pub const MAGIC_COOKIE: (&str, &str) = (
    "TF_PLUGIN_MAGIC_COOKIE",
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
);

/// A client certificate shaped like go-plugin's AutoMTLS one: ECDSA P-521 with SHA-512,
/// self-signed, CA-flagged, CN and SAN `localhost`, O=HashiCorp, client+server auth.
pub struct TerraformCert {
    pub der: CertificateDer<'static>,
    pub key: PrivateKeyDer<'static>,
    /// What Terraform puts in `PLUGIN_CLIENT_CERT`.
    pub pem: String,
}

impl TerraformCert {
    pub fn generate() -> Self {
        let key = KeyPair::generate_for(&PKCS_ECDSA_P521_SHA512).expect("P-521 key");
        let mut params =
            CertificateParams::new(vec!["localhost".to_owned()]).expect("certificate params");
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
        let cert = params.self_signed(&key).expect("self-signed certificate");
        TerraformCert {
            der: cert.der().clone(),
            key: PrivateKeyDer::Pkcs8(key.serialize_der().into()),
            pem: cert.pem(),
        }
    }
}

/// `binary` with the environment go-plugin gives a provider: the cookie, `versions` for
/// `PLUGIN_PROTOCOL_VERSIONS`, and `PLUGIN_CLIENT_CERT` unless `cert` is `None` (what
/// `TF_DISABLE_PLUGIN_TLS` does). stdin is closed; stdout and stderr are piped.
pub fn provider_command(binary: &Path, versions: &str, cert: Option<&TerraformCert>) -> Command {
    let mut command = Command::new(binary);
    command
        .env(MAGIC_COOKIE.0, MAGIC_COOKIE.1)
        .env("PLUGIN_PROTOCOL_VERSIONS", versions)
        .env("PLUGIN_MIN_PORT", "10000")
        .env("PLUGIN_MAX_PORT", "25000")
        .env_remove("PLUGIN_CLIENT_CERT")
        .env_remove("TF_LOG")
        .env_remove("TF_LOG_PROVIDER")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(cert) = cert {
        command.env("PLUGIN_CLIENT_CERT", &cert.pem);
    }
    command
}

/// The parsed `CORE|APP|NETWORK|ADDRESS|PROTOCOL|SERVERCERT` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handshake {
    pub core: u32,
    pub app: u32,
    pub network: String,
    pub address: PathBuf,
    pub protocol: String,
    /// DER of the server certificate; `None` for plaintext.
    pub server_cert: Option<Vec<u8>>,
}

impl Handshake {
    /// Parses the line strictly, as go-plugin's client does, plus the checks Terraform's
    /// versions depend on (no base64 padding, newline-terminated).
    pub fn parse(line: &str) -> Result<Self, String> {
        let body = line
            .strip_suffix('\n')
            .ok_or_else(|| format!("handshake line is not newline-terminated: {line:?}"))?;
        let fields: Vec<&str> = body.split('|').collect();
        let [core, app, network, address, protocol, cert] = fields[..] else {
            return Err(format!("expected 6 '|'-separated fields: {body:?}"));
        };
        let number = |s: &str| s.parse::<u32>().map_err(|e| format!("{s:?}: {e}"));
        let server_cert = if cert.is_empty() {
            None
        } else {
            if cert.ends_with('=') {
                return Err("server cert is padded base64; Terraform wants it unpadded".into());
            }
            Some(
                STANDARD_NO_PAD
                    .decode(cert)
                    .map_err(|e| format!("server cert is not standard base64: {e}"))?,
            )
        };
        Ok(Handshake {
            core: number(core)?,
            app: number(app)?,
            network: network.to_owned(),
            address: PathBuf::from(address),
            protocol: protocol.to_owned(),
            server_cert,
        })
    }
}

/// A started provider; killed on drop so a failing test leaves no process behind.
pub struct Launched {
    pub child: Child,
    /// The raw first stdout line, newline included.
    pub line: String,
    pub handshake: Handshake,
    /// From spawn to the handshake line.
    pub startup: Duration,
    pub stdout: BufReader<ChildStdout>,
}

impl Launched {
    /// Spawns `command` and waits for the handshake line; panics with stderr if it never comes.
    pub fn start(mut command: Command) -> Self {
        let started = Instant::now();
        let mut child = command.spawn().expect("spawn the provider");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut line = String::new();
        stdout
            .read_line(&mut line)
            .expect("read the handshake line");
        let startup = started.elapsed();
        let handshake = match Handshake::parse(&line) {
            Ok(h) => h,
            Err(problem) => {
                let _ = child.kill();
                let stderr = read_all(child.stderr.take());
                panic!("bad handshake: {problem}\nline: {line:?}\nstderr:\n{stderr}");
            }
        };
        Launched {
            child,
            line,
            handshake,
            startup,
            stdout,
        }
    }

    /// Resident memory now, from `/proc/<pid>/status`.
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("read /proc/<pid>/status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS in /proc/<pid>/status")
    }

    /// Sends a signal with `kill(1)` (the tests forbid `unsafe`, so no libc).
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([format!("-{name}"), self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{name} failed");
    }

    /// Waits up to `limit` for the process to exit; `None` if it is still running.
    pub fn wait_for_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Everything the provider wrote to stderr; call after it exited.
    pub fn stderr(&mut self) -> String {
        read_all(self.child.stderr.take())
    }
}

impl Drop for Launched {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn read_all(stderr: Option<ChildStderr>) -> String {
    let mut text = String::new();
    if let Some(mut s) = stderr {
        let _ = std::io::Read::read_to_string(&mut s, &mut text);
    }
    text
}

/// How the test client authenticates.
#[derive(Clone, Copy)]
pub enum ClientAuth<'a> {
    /// Like Terraform: present this certificate.
    Cert(&'a TerraformCert),
    /// Present nothing (TLS still on).
    NoCert,
    /// `TF_DISABLE_PLUGIN_TLS`: no TLS at all.
    Plaintext,
}

/// A gRPC channel to the provider, verifying its certificate the way go-plugin does (the
/// announced certificate as the only root, name `localhost`, ALPN h2).
pub async fn connect(handshake: &Handshake, auth: ClientAuth<'_>) -> Result<Channel, String> {
    let socket = handshake.address.clone();
    let endpoint = Endpoint::from_static("http://localhost");
    let result = match auth {
        ClientAuth::Plaintext => {
            endpoint
                .connect_with_connector(tower::service_fn(move |_| {
                    let socket = socket.clone();
                    async move { UnixStream::connect(socket).await.map(TokioIo::new) }
                }))
                .await
        }
        ClientAuth::Cert(_) | ClientAuth::NoCert => {
            let server_cert = handshake
                .server_cert
                .clone()
                .ok_or("the handshake announced no server certificate")?;
            let mut roots = RootCertStore::empty();
            roots
                .add(CertificateDer::from(server_cert))
                .map_err(|e| format!("announced server cert is unusable as a root: {e}"))?;
            let builder = ClientConfig::builder_with_provider(Arc::new(
                rustls::crypto::aws_lc_rs::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_root_certificates(roots);
            let mut config = match auth {
                ClientAuth::Cert(cert) => builder
                    .with_client_auth_cert(vec![cert.der.clone()], cert.key.clone_key())
                    .map_err(|e| e.to_string())?,
                _ => builder.with_no_client_auth(),
            };
            config.alpn_protocols = vec![b"h2".to_vec()];
            let connector = TlsConnector::from(Arc::new(config));
            endpoint
                .connect_with_connector(tower::service_fn(move |_| {
                    let socket = socket.clone();
                    let connector = connector.clone();
                    async move {
                        let io = UnixStream::connect(socket).await?;
                        let name = ServerName::try_from("localhost").expect("valid name");
                        connector.connect(name, io).await.map(TokioIo::new)
                    }
                }))
                .await
        }
    };
    result.map_err(|e| format!("{e:?}"))
}

/// Calls `plugin.GRPCController/Shutdown`, as Terraform does when it is done with a provider.
pub async fn shutdown(channel: Channel) -> Result<(), tonic::Status> {
    let mut controller =
        tpz::plugin::proto::grpc_controller_client::GrpcControllerClient::new(channel);
    controller
        .shutdown(tpz::plugin::proto::Empty {})
        .await
        .map(|_| ())
}

/// `grpc.health.v1.Health/Check` for go-plugin's service name `plugin`.
pub async fn health(channel: Channel) -> Result<i32, tonic::Status> {
    let mut client = tonic_health::pb::health_client::HealthClient::new(channel);
    let request = tonic_health::pb::HealthCheckRequest {
        service: "plugin".to_owned(),
    };
    client.check(request).await.map(|r| r.into_inner().status)
}
