//! One HTTP attempt: builds the TLS-verified connection pool, signs a request with a fresh
//! timestamp, sends it, reads a bounded body, and says whether a failed request could have
//! reached the server.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::{Bytes, BytesMut};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HOST, HeaderMap, HeaderName, HeaderValue};

use super::answer::{Body, MAX_BODY_BYTES, RawAnswer};
use super::config::{ClientConfig, Credentials, Scheme, is_loopback_host};
use super::models::API_VERSION;
use super::retry::parse_retry_after;
use super::signer::{self, SigningInput};

/// The exact `Content-Type` sent, and therefore signed.
pub(crate) const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// Identifies this client to Zenlayer, as the official SDKs' `x-zc-request-client` does.
pub(crate) const REQUEST_CLIENT: &str =
    concat!("terraform-provider-zenlayer/", env!("CARGO_PKG_VERSION"));

/// Longest wait for a TCP+TLS connection; past it the request certainly was not sent, so
/// even a write may be tried again.
const MAX_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// Why one attempt produced no answer.
#[derive(Clone, Debug)]
pub(crate) enum Failure {
    /// The request never left this machine (connect, DNS or TLS handshake failed).
    NotSent {
        message: String,
        /// False when trying again cannot help (e.g. an untrusted certificate).
        retryable: bool,
    },
    /// The request may have reached the server: the connection broke or the time ran out
    /// after it was (possibly) sent.
    Lost { message: String },
}

/// An answer plus the headers the retry logic needs.
#[derive(Clone, Debug)]
pub(crate) struct Answer {
    pub(crate) raw: RawAnswer,
    pub(crate) retry_after: Option<Duration>,
}

/// A reqwest client bound to one API endpoint. Clones share the connection pool.
#[derive(Clone)]
pub(crate) struct Transport {
    http: reqwest::Client,
    url: reqwest::Url,
    host: HeaderValue,
    domain: String,
    user_agent: HeaderValue,
    credentials: Credentials,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("url", &self.url.as_str())
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

/// Why the configuration cannot produce a client; the message names the setting.
#[derive(Clone, Debug)]
pub(crate) struct ConfigProblem(pub(crate) String);

impl Transport {
    pub(crate) fn new(config: &ClientConfig) -> Result<Transport, ConfigProblem> {
        let domain = config.domain.trim().to_owned();
        let scheme = match config.scheme {
            Scheme::Https => "https",
            Scheme::Http => "http",
        };
        let url = reqwest::Url::parse(&format!("{scheme}://{domain}/api/v2/zec"))
            .ok()
            .filter(|u| {
                u.username().is_empty()
                    && u.password().is_none()
                    && u.path() == "/api/v2/zec"
                    && u.query().is_none()
                    && u.host_str().is_some()
                    && !domain.is_empty()
                    && !domain.contains(['/', '?', '#', '@', ' '])
            })
            .ok_or_else(|| {
                ConfigProblem(format!(
                    "domain {domain:?} is not a host name with an optional port, \
                     e.g. \"console.zenlayer.com\" or \"127.0.0.1:8089\""
                ))
            })?;
        let host = HeaderValue::from_str(&domain)
            .map_err(|_| ConfigProblem(format!("domain {domain:?} cannot be sent as a Host")))?;
        let user_agent = HeaderValue::from_str(&config.user_agent).map_err(|_| {
            ConfigProblem(format!(
                "the User-Agent {:?} contains characters HTTP headers cannot carry",
                config.user_agent
            ))
        })?;
        // Fail at configuration, not on the first call, if a credential cannot be a header.
        match &config.credentials {
            Credentials::AccessKey { id, .. } => {
                HeaderValue::from_str(&format!("{} Credential={id}", signer::ALGORITHM)).map_err(
                    |_| {
                        ConfigProblem(
                            "access_key_id contains characters HTTP headers cannot carry".into(),
                        )
                    },
                )?;
            }
            Credentials::Token(token) => {
                HeaderValue::from_str(&format!("Bearer {}", token.expose())).map_err(|_| {
                    ConfigProblem(
                        "the access token contains characters HTTP headers cannot carry".into(),
                    )
                })?;
            }
        }

        // The same rule as the provider's check that `http` stays on this machine.
        let loopback = url.host_str().is_some_and(is_loopback_host);
        let mut builder = reqwest::Client::builder()
            .tls_backend_preconfigured(tls_config()?)
            .https_only(config.scheme == Scheme::Https)
            .connect_timeout(config.client_timeout.min(MAX_CONNECT_TIMEOUT))
            .redirect(reqwest::redirect::Policy::none())
            .pool_idle_timeout(Duration::from_secs(60));
        if loopback {
            // Like Go's net/http: a proxy from the environment never applies to loopback.
            builder = builder.no_proxy();
        }
        let http = builder
            .build()
            .map_err(|e| ConfigProblem(format!("the HTTP client could not be built: {e}")))?;
        Ok(Transport {
            http,
            url,
            host,
            domain,
            user_agent,
            credentials: config.credentials.clone(),
        })
    }

    /// Sends `body` as `action` once, signed with the current time, and reads the answer
    /// within `timeout`.
    pub(crate) async fn attempt(
        &self,
        action: &str,
        body: &Bytes,
        timeout: Duration,
    ) -> Result<Answer, Failure> {
        let headers = self.headers(action, body)?;
        let request = self
            .http
            .post(self.url.clone())
            .headers(headers)
            .body(body.clone());
        match tokio::time::timeout(timeout, send_and_read(request)).await {
            Ok(result) => result,
            Err(_) => Err(Failure::Lost {
                message: format!("no complete answer within {}", human(timeout)),
            }),
        }
    }

    fn headers(&self, action: &str, body: &Bytes) -> Result<HeaderMap, Failure> {
        let bad_header = |what: &str| Failure::NotSent {
            message: format!("{what} cannot be sent as an HTTP header"),
            retryable: false,
        };
        let mut h = HeaderMap::new();
        h.insert(CONTENT_TYPE, HeaderValue::from_static(JSON_CONTENT_TYPE));
        h.insert(HOST, self.host.clone());
        h.insert(
            HeaderName::from_static("x-zc-action"),
            HeaderValue::from_str(action).map_err(|_| bad_header("the action name"))?,
        );
        h.insert(
            HeaderName::from_static("x-zc-version"),
            HeaderValue::from_static(API_VERSION),
        );
        h.insert(reqwest::header::USER_AGENT, self.user_agent.clone());
        h.insert(
            HeaderName::from_static("x-zc-request-client"),
            HeaderValue::from_static(REQUEST_CLIENT),
        );
        let authorization = match &self.credentials {
            Credentials::AccessKey { id, password } => {
                // A fresh timestamp per attempt: a retry after a long backoff must not be
                // refused as AUTHFAILURE_SIGNATURE_EXPIRED.
                let timestamp = unix_now();
                let input = SigningInput {
                    content_type: JSON_CONTENT_TYPE,
                    host: &self.domain,
                    body,
                    timestamp,
                };
                h.insert(
                    HeaderName::from_static("x-zc-timestamp"),
                    HeaderValue::from(timestamp),
                );
                h.insert(
                    HeaderName::from_static("x-zc-signature-method"),
                    HeaderValue::from_static(signer::ALGORITHM),
                );
                signer::authorization(id, password.expose(), &input)
            }
            Credentials::Token(token) => format!("Bearer {}", token.expose()),
        };
        let mut authorization =
            HeaderValue::from_str(&authorization).map_err(|_| bad_header("the credential"))?;
        authorization.set_sensitive(true);
        h.insert(AUTHORIZATION, authorization);
        Ok(h)
    }
}

async fn send_and_read(request: reqwest::RequestBuilder) -> Result<Answer, Failure> {
    let mut response = request.send().await.map_err(|e| classify_send_error(&e))?;
    let status = response.status().as_u16();
    let headers = response.headers();
    let cf_challenge = headers
        .get("cf-mitigated")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("challenge"));
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let retry_after = headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_retry_after);

    let mut buf = BytesMut::new();
    let body = loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if buf.len() + chunk.len() > MAX_BODY_BYTES {
                    break Body::TooLarge;
                }
                buf.extend_from_slice(&chunk);
            }
            Ok(None) => break Body::Complete(buf.freeze()),
            Err(e) => {
                return Err(Failure::Lost {
                    message: format!(
                        "the connection broke after HTTP {status} and {} bytes of the body: {}",
                        buf.len(),
                        root_cause(&e)
                    ),
                });
            }
        }
    };
    Ok(Answer {
        raw: RawAnswer {
            status,
            cf_challenge,
            content_type,
            body,
        },
        retry_after,
    })
}

/// Sorts a failed send into "never left" and "may have arrived".
fn classify_send_error(e: &reqwest::Error) -> Failure {
    if let Some(tls) = find_rustls_error(e) {
        let retryable = !matches!(
            tls,
            rustls::Error::InvalidCertificate(_)
                | rustls::Error::NoCertificatesPresented
                | rustls::Error::UnsupportedNameType
        );
        return Failure::NotSent {
            message: format!("the TLS handshake failed: {tls}"),
            retryable,
        };
    }
    if e.is_connect() {
        let what = if e.is_dns() {
            "the host name could not be resolved"
        } else if e.is_timeout() {
            "the connection could not be established in time"
        } else {
            "the connection could not be established"
        };
        return Failure::NotSent {
            message: format!("{what}: {}", root_cause(e)),
            retryable: true,
        };
    }
    if e.is_builder() {
        return Failure::NotSent {
            message: format!("the request could not be built: {}", root_cause(e)),
            retryable: false,
        };
    }
    Failure::Lost {
        message: format!("the connection broke before an answer: {}", root_cause(e)),
    }
}

fn find_rustls_error(e: &reqwest::Error) -> Option<&rustls::Error> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        // io::Error hides its payload from `source()`; connectors nest them, so unwrap all.
        let mut payload = err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref());
        while let Some(inner) = payload {
            if let Some(tls) = inner.downcast_ref::<rustls::Error>() {
                return Some(tls);
            }
            payload = inner
                .downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref());
        }
        source = err.source();
    }
    None
}

/// The innermost cause's text: "Connection refused (os error 111)" rather than reqwest's
/// layered "error sending request for url (…)".
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut last = e;
    while let Some(next) = last.source() {
        last = next;
    }
    let text = last.to_string();
    if text.is_empty() { e.to_string() } else { text }
}

/// The rustls configuration: aws-lc-rs, and only the bundled Mozilla roots, so a machine's
/// certificate store can neither break nor widen what this provider trusts.
fn tls_config() -> Result<rustls::ClientConfig, ConfigProblem> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ConfigProblem(format!("TLS could not be configured: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// "30s", "1.5s", "250ms": durations as people read them.
pub(crate) fn human(d: Duration) -> String {
    if d >= Duration::from_secs(1) {
        let s = d.as_secs_f64();
        if s.fract() == 0.0 {
            format!("{}s", d.as_secs())
        } else {
            format!("{s:.1}s")
        }
    } else {
        format!("{}ms", d.as_millis())
    }
}
