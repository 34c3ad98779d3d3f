//! What a client is built from (credentials, scheme, domain, limits) and the one rule for
//! which hosts never leave this machine. Shared by `client` and `transport`, so neither needs
//! the other for its configuration, and by the provider's configuration checks.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use zeroize::Zeroizing;

/// A credential's secret text: `Debug` prints `[redacted]`, there is no `Display`, and the
/// bytes are overwritten when the last copy is dropped. Read it only to sign or send it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// The secret text, for the signer and the `Authorization` header only.
    pub fn expose(&self) -> &str {
        self.0.as_str()
    }
}

impl From<String> for Secret {
    fn from(text: String) -> Secret {
        Secret(Zeroizing::new(text))
    }
}

impl From<&str> for Secret {
    fn from(text: &str) -> Secret {
        Secret::from(text.to_owned())
    }
}

impl fmt::Debug for Secret {
    /// Never the secret: a `{:?}` of any configuration is safe to log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// How the client proves who it is.
#[derive(Clone, Debug)]
pub enum Credentials {
    /// ZC2-HMAC-SHA256 signing with an access key pair.
    AccessKey { id: String, password: Secret },
    /// `Authorization: Bearer <token>`.
    Token(Secret),
}

impl Credentials {
    /// Which kind these are, without the secret.
    pub fn kind(&self) -> super::error::CredentialKind {
        match self {
            Credentials::AccessKey { .. } => super::error::CredentialKind::AccessKey,
            Credentials::Token(_) => super::error::CredentialKind::Token,
        }
    }
}

/// `https` (the default) or `http` (the simulator, on loopback only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    Https,
    Http,
}

/// Everything the client needs, already validated by the provider configuration.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    pub credentials: Credentials,
    pub scheme: Scheme,
    /// Host, optionally with a port, e.g. `console.zenlayer.com` or `127.0.0.1:8089`.
    pub domain: String,
    /// Limit for one HTTP request.
    pub client_timeout: Duration,
    /// Retries after the first attempt for retryable failures.
    pub max_retries: u32,
    /// The full User-Agent value.
    pub user_agent: String,
    /// CA certificates trusted besides the bundled roots (`custom_ca_bundle`).
    pub extra_roots: super::roots::ExtraRoots,
}

impl ClientConfig {
    /// Who this client's requests come from, without the secret.
    pub fn caller(&self) -> super::error::Caller {
        super::error::Caller {
            key_id: match &self.credentials {
                Credentials::AccessKey { id, .. } => Some(id.clone()),
                Credentials::Token(_) => None,
            },
            domain: self.domain.clone(),
        }
    }
}

/// Whether `host` (a name or an IP address, IPv6 with or without brackets, no port) always
/// means this machine: `localhost` or an address in `127.0.0.0/8` or `::1` (also as
/// `::ffff:127.x.y.z`). The one rule for both "may `http` be used" and "bypass the proxy".
///
/// Names under `.localhost` are *not* loopback here: RFC 6761 asks resolvers to keep them on
/// this machine, but not every resolver does, and a name a resolver or a proxy sends elsewhere
/// would carry credentials in clear text.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => ip.is_loopback(),
        Ok(IpAddr::V6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_is_localhost_and_the_loopback_addresses_only() {
        for host in [
            "localhost",
            "LocalHost",
            "127.0.0.1",
            "127.255.255.254",
            "::1",
            "[::1]",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "sim.localhost",
            "localhost.example.com",
            "console.zenlayer.com",
            "128.0.0.1",
            "0.0.0.0",
            "::",
            "10.0.0.1",
            "[::2]",
            "localhost:8089",
            "",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let creds = Credentials::AccessKey {
            id: "AKID".into(),
            password: Secret::from("hunter2"),
        };
        let token = Credentials::Token("tok-123".into());
        let shown = format!("{creds:?} {token:?} {:#?}", Secret::from("hunter2"));
        assert!(
            !shown.contains("hunter2") && !shown.contains("tok-123"),
            "{shown}"
        );
        assert!(shown.contains("[redacted]"), "{shown}");
        assert!(shown.contains("AKID"), "the key ID is not secret: {shown}");
    }
}
