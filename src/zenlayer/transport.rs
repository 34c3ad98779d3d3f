//! One HTTP attempt: builds the TLS-verified connection pool (bundled roots plus any
//! `custom_ca_bundle`, through the proxy the environment names), signs a request with a fresh
//! timestamp, sends it, reads a bounded body, and says whether a failed request could have
//! reached the server, naming the proxy and the TLS problem when there is one.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::{Bytes, BytesMut};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HOST, HeaderMap, HeaderName, HeaderValue};

use super::answer::{Body, MAX_BODY_BYTES, RawAnswer};
use super::config::{ClientConfig, Credentials, Scheme};
use super::error::ConfigError;
use super::models::API_VERSION;
use super::proxy::{self, ProxyChoice};
use super::retry::parse_retry_after;
use super::roots::ExtraRoots;
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
    /// What failures name: the API host and the proxy, if one is used.
    route: Route,
}

/// Where requests go, for messages: the API's host and the proxy in between, if any.
#[derive(Clone, Debug)]
struct Route {
    host: String,
    proxy: Option<ProxyChoice>,
    custom_roots: bool,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("url", &self.url.as_str())
            .field("credentials", &self.credentials)
            .field("proxy", &self.route.proxy)
            .finish_non_exhaustive()
    }
}

impl Transport {
    pub(crate) fn new(config: &ClientConfig) -> Result<Transport, ConfigError> {
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
                ConfigError(format!(
                    "domain {domain:?} is not a host name with an optional port, \
                     e.g. \"console.zenlayer.com\" or \"127.0.0.1:8089\""
                ))
            })?;
        let host = HeaderValue::from_str(&domain)
            .map_err(|_| ConfigError(format!("domain {domain:?} cannot be sent as a Host")))?;
        let user_agent = HeaderValue::from_str(&config.user_agent).map_err(|_| {
            ConfigError(format!(
                "the User-Agent {:?} contains characters HTTP headers cannot carry",
                config.user_agent
            ))
        })?;
        // Fail at configuration, not on the first call, if a credential cannot be a header.
        match &config.credentials {
            Credentials::AccessKey { id, .. } => {
                HeaderValue::from_str(&format!("{} Credential={id}", signer::ALGORITHM)).map_err(
                    |_| {
                        ConfigError(
                            "access_key_id contains characters HTTP headers cannot carry".into(),
                        )
                    },
                )?;
            }
            Credentials::Token(token) => {
                HeaderValue::from_str(&format!("Bearer {}", token.expose())).map_err(|_| {
                    ConfigError(
                        "the access token contains characters HTTP headers cannot carry".into(),
                    )
                })?;
            }
        }

        let api_host = url.host_str().unwrap_or_default().to_owned();
        // curl's variables and precedence, decided here once; loopback is never proxied (the
        // same rule as the provider's check that `http` stays on this machine).
        let chosen = proxy::choose(config.scheme, &api_host, &|name| std::env::var(name).ok())
            .map_err(|p| ConfigError(p.0))?;
        let mut builder = reqwest::Client::builder()
            .tls_backend_preconfigured(tls_config(&config.extra_roots)?)
            .https_only(config.scheme == Scheme::Https)
            .connect_timeout(config.client_timeout.min(MAX_CONNECT_TIMEOUT))
            .redirect(reqwest::redirect::Policy::none())
            .pool_idle_timeout(Duration::from_secs(60))
            // reqwest's own reading of the environment differs from curl's; ours replaces it.
            .no_proxy();
        if let Some(choice) = &chosen {
            let proxy = reqwest::Proxy::all(choice.url.clone()).map_err(|_| {
                ConfigError(format!(
                    "{} cannot be used as a proxy; write it as http://HOST:PORT",
                    choice.variable
                ))
            })?;
            builder = builder.proxy(proxy);
        }
        let http = builder
            .build()
            .map_err(|e| ConfigError(format!("the HTTP client could not be built: {e}")))?;
        if let Some(choice) = &chosen {
            tracing::debug!(proxy = %choice.shown, from = choice.variable, "API calls go through a proxy");
        }
        Ok(Transport {
            http,
            url,
            host,
            domain,
            user_agent,
            credentials: config.credentials.clone(),
            route: Route {
                host: api_host,
                proxy: chosen,
                custom_roots: !config.extra_roots.is_empty(),
            },
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
        match tokio::time::timeout(timeout, send_and_read(request, &self.route)).await {
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

async fn send_and_read(request: reqwest::RequestBuilder, route: &Route) -> Result<Answer, Failure> {
    let mut response = request
        .send()
        .await
        .map_err(|e| classify_send_error(&e, route))?;
    let status = response.status().as_u16();
    if status == 407
        && let Some(proxy) = &route.proxy
    {
        // A plain-HTTP request through the proxy: its refusal, not the API's answer.
        return Err(Failure::NotSent {
            message: proxy_auth_refused(proxy),
            retryable: false,
        });
    }
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

/// Sorts a failed send into "never left" and "may have arrived", naming the proxy and the
/// TLS problem where they are the cause.
fn classify_send_error(e: &reqwest::Error, route: &Route) -> Failure {
    if let Some(tls) = find_rustls_error(e) {
        let retryable = !matches!(
            tls,
            rustls::Error::InvalidCertificate(_)
                | rustls::Error::NoCertificatesPresented
                | rustls::Error::UnsupportedNameType
        );
        return Failure::NotSent {
            message: tls_failure_text(tls, route),
            retryable,
        };
    }
    let cause = root_cause(e);
    if let Some(proxy) = &route.proxy {
        if chain_mentions(e, "proxy authorization required") {
            return Failure::NotSent {
                message: proxy_auth_refused(proxy),
                retryable: false,
            };
        }
        // hyper-util's tunnel errors are private types; their texts are what tells them apart.
        if chain_mentions(e, "tunnel error: unsuccessful") {
            return Failure::NotSent {
                message: format!(
                    "{} refused to open a tunnel (CONNECT) to {}: {cause}",
                    proxy.describe(),
                    route.host
                ),
                retryable: true,
            };
        }
        if e.is_connect() {
            let what = if e.is_timeout() {
                "could not be reached in time"
            } else {
                "could not be reached"
            };
            return Failure::NotSent {
                message: format!("{} {what}: {cause}", proxy.describe()),
                retryable: true,
            };
        }
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
            message: format!("{what}: {cause}"),
            retryable: true,
        };
    }
    if e.is_builder() {
        return Failure::NotSent {
            message: format!("the request could not be built: {cause}"),
            retryable: false,
        };
    }
    let via = route
        .proxy
        .as_ref()
        .map(|p| format!(" (through {})", p.describe()))
        .unwrap_or_default();
    Failure::Lost {
        message: format!("the connection broke before an answer{via}: {cause}"),
    }
}

/// The proxy answered 407: it wants credentials, or refused the ones in its URL.
fn proxy_auth_refused(proxy: &ProxyChoice) -> String {
    let no_credentials = proxy.url.username().is_empty() && proxy.url.password().is_none();
    let fix = if no_credentials {
        "the proxy URL carries no user name and password; write them into it as          http://USER:PASSWORD@HOST:PORT"
    } else {
        "it refused the user name and password in the proxy URL; check them (characters such          as @ : / in them must be percent-encoded)"
    };
    format!(
        "{} answered 407 Proxy Authentication Required: {fix}",
        proxy.describe()
    )
}

/// What went wrong in the TLS handshake, for whom, and the fix when a private CA can be it.
fn tls_failure_text(tls: &rustls::Error, route: &Route) -> String {
    use rustls::CertificateError as C;
    let host = &route.host;
    let via = route
        .proxy
        .as_ref()
        .map(|p| format!(" (through {})", p.describe()))
        .unwrap_or_default();
    let fix_ca = if route.custom_roots {
        "If a TLS-inspecting proxy or a private CA issued it, check that `custom_ca_bundle`          (or ZENLAYERCLOUD_CA_BUNDLE) holds that CA's certificate"
    } else {
        "If a TLS-inspecting proxy or a private CA issued it, trust that CA by pointing          `custom_ca_bundle` (or ZENLAYERCLOUD_CA_BUNDLE) at its PEM certificate"
    };
    let reason = match tls {
        rustls::Error::InvalidCertificate(cert) => match cert {
            C::UnknownIssuer => format!(
                "the certificate presented for {host} is signed by an unknown issuer, which                  neither the bundled roots nor `custom_ca_bundle` trust. {fix_ca}"
            ),
            C::Expired | C::ExpiredContext { .. } => format!(
                "the certificate presented for {host} has expired. Renew it where it is                  issued (the API, or the TLS-inspecting proxy in between); `custom_ca_bundle`                  only adds trusted CAs and cannot make an expired certificate valid"
            ),
            C::NotValidForName | C::NotValidForNameContext { .. } => format!(
                "the certificate presented is not valid for the name {host} (name mismatch).                  Check `domain`; a TLS-inspecting proxy must issue its certificate for {host},                  and `custom_ca_bundle` only adds trusted CAs, it cannot accept another name"
            ),
            other => format!(
                "the certificate presented for {host} is not acceptable ({other:?}). {fix_ca}"
            ),
        },
        other => format!("{other}"),
    };
    format!("the TLS handshake with {host}{via} failed: {reason}")
}

/// Whether any error in `e`'s chain says `needle` (for errors whose types are private).
fn chain_mentions(e: &(dyn std::error::Error + 'static), needle: &str) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if err.to_string().contains(needle) {
            return true;
        }
        source = err.source();
    }
    false
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

/// The rustls configuration: aws-lc-rs, the bundled Mozilla roots and the `custom_ca_bundle`
/// ones only, so a machine's certificate store can neither break nor widen what this provider
/// trusts.
fn tls_config(extra: &ExtraRoots) -> Result<rustls::ClientConfig, ConfigError> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    for cert in extra.certificates() {
        roots.add(cert.clone()).map_err(|e| {
            ConfigError(format!(
                "a certificate of `custom_ca_bundle` cannot be trusted: {e}"
            ))
        })?;
    }
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ConfigError(format!("TLS could not be configured: {e}")))?
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
