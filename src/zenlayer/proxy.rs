//! Which proxy, if any, carries the API's requests: the environment variables curl reads, with
//! curl's precedence, decided once per client (it talks to one endpoint).
//!
//! - `https://` endpoints: `https_proxy`, then `HTTPS_PROXY`, then `all_proxy`, `ALL_PROXY`.
//! - `http://` endpoints: `http_proxy` (lower case only: curl ignores `HTTP_PROXY`, which a CGI
//!   server sets from a request's `Proxy:` header), then `all_proxy`, `ALL_PROXY`.
//! - `no_proxy`, then `NO_PROXY`: a comma-separated list; `*` alone matches every host; a
//!   name matches itself and every name under it (a leading dot is ignored); an IP address
//!   matches itself, and `address/bits` a whole range (as curl 7.86 and later). A `:port`
//!   after an entry is ignored, as in curl.
//! - The lower-case name wins over the upper-case one; an empty variable counts as unset.
//! - Loopback endpoints (`is_loopback_host`) never go through a proxy.
//!
//! The proxy URL's user and password are used for `Proxy-Authorization` (Basic) and are never
//! shown: messages name the proxy as `host:port` and the variable it came from.

use std::net::IpAddr;

use super::config::{Scheme, is_loopback_host};

/// A proxy the client must use: where, with what credentials, and how to name it.
#[derive(Clone)]
pub(crate) struct ProxyChoice {
    /// The URL as given (credentials included): for reqwest only, never shown.
    pub(crate) url: reqwest::Url,
    /// `host:port`, without credentials: how every message names the proxy.
    pub(crate) shown: String,
    /// The environment variable it came from, e.g. `HTTPS_PROXY`.
    pub(crate) variable: &'static str,
}

impl std::fmt::Debug for ProxyChoice {
    /// Never the URL, which may carry a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ProxyChoice({} from {})", self.shown, self.variable)
    }
}

impl ProxyChoice {
    /// "the proxy 10.0.0.5:3128 (from HTTPS_PROXY)", for messages.
    pub(crate) fn describe(&self) -> String {
        format!("the proxy {} (from {})", self.shown, self.variable)
    }
}

/// A proxy variable that cannot be used; the message names the variable but not its value,
/// which may hold a password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ProxyProblem(pub(crate) String);

/// The proxy for requests to `host` (a name or an address, no port) over `scheme`, read
/// through `env`.
pub(crate) fn choose(
    scheme: Scheme,
    host: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<ProxyChoice>, ProxyProblem> {
    if is_loopback_host(host) {
        return Ok(None);
    }
    let set = |name: &'static str| {
        env(name)
            .filter(|v| !v.trim().is_empty())
            .map(|v| (name, v))
    };
    if let Some((_, list)) = set("no_proxy").or_else(|| set("NO_PROXY"))
        && bypasses(&list, host)
    {
        return Ok(None);
    }
    let candidates: &[&'static str] = match scheme {
        Scheme::Https => &["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"],
        Scheme::Http => &["http_proxy", "all_proxy", "ALL_PROXY"],
    };
    let Some((variable, value)) = candidates.iter().find_map(|name| set(name)) else {
        return Ok(None);
    };
    parse(variable, value.trim()).map(Some)
}

/// The proxy URL, `[http://|https://][user:password@]host[:port]`, read as curl reads it: no
/// scheme means `http://`, no port means curl's 1080 (made explicit, since reqwest would
/// otherwise use the scheme's port).
fn parse(variable: &'static str, value: &str) -> Result<ProxyChoice, ProxyProblem> {
    let with_scheme = if value.contains("://") {
        value.to_owned()
    } else {
        format!("http://{value}")
    };
    let bad = |why: &str| {
        ProxyProblem(format!(
            "the {variable} environment variable is not a proxy URL this provider can use: \
             {why}. Write it as http://HOST:PORT (optionally http://USER:PASSWORD@HOST:PORT)"
        ))
    };
    let mut url =
        reqwest::Url::parse(&with_scheme).map_err(|_| bad("it does not parse as a URL"))?;
    match url.scheme() {
        "http" | "https" => {}
        other if other.starts_with("socks") => {
            return Err(bad("SOCKS proxies are not supported, only HTTP(S) proxies"));
        }
        _ => return Err(bad("its scheme is neither http nor https")),
    }
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| bad("it names no host"))?
        .to_owned();
    // curl's default proxy port is 1080; make it explicit so reqwest does not use 80/443.
    if url.port().is_none() {
        let _ = url.set_port(Some(1080));
    }
    let port = url.port().unwrap_or(1080);
    Ok(ProxyChoice {
        url,
        shown: format!("{host}:{port}"),
        variable,
    })
}

/// Whether the `no_proxy` list exempts `host`.
pub(crate) fn bypasses(list: &str, host: &str) -> bool {
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let host_ip = host.parse::<IpAddr>().ok();
    list.split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .any(|entry| {
            if entry == "*" {
                return true;
            }
            let entry = strip_port(entry);
            if let Some(ip) = host_ip {
                return ip_matches(entry, ip);
            }
            let name = entry
                .trim_start_matches("*.")
                .trim_start_matches('.')
                .trim_end_matches('.')
                .to_ascii_lowercase();
            !name.is_empty()
                && (host == name
                    || host
                        .strip_suffix(name.as_str())
                        .is_some_and(|rest| rest.ends_with('.')))
        })
}

/// `host`, `host:port`, `[v6]`, `[v6]:port`, `v6`, `addr/bits` → without the port and brackets.
fn strip_port(entry: &str) -> &str {
    if let Some(rest) = entry.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match entry.matches(':').count() {
        1 => entry.split(':').next().unwrap_or(entry),
        _ => entry,
    }
}

fn ip_matches(entry: &str, ip: IpAddr) -> bool {
    let (addr, bits) = match entry.split_once('/') {
        Some((a, b)) => match b.parse::<u32>() {
            Ok(bits) => (a, Some(bits)),
            Err(_) => return false,
        },
        None => (entry, None),
    };
    let Ok(net) = addr.parse::<IpAddr>() else {
        return false;
    };
    match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(i)) => prefix_eq(
            u128::from(u32::from(n)),
            u128::from(u32::from(i)),
            bits.unwrap_or(32),
            32,
        ),
        (IpAddr::V6(n), IpAddr::V6(i)) => {
            prefix_eq(u128::from(n), u128::from(i), bits.unwrap_or(128), 128)
        }
        _ => false,
    }
}

fn prefix_eq(net: u128, ip: u128, bits: u32, width: u32) -> bool {
    if bits > width {
        return false;
    }
    if bits == 0 {
        return true;
    }
    let shift = width - bits;
    (net >> shift) == (ip >> shift)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        let map: HashMap<&str, &str> = pairs.iter().copied().collect();
        move |k| map.get(k).map(|v| (*v).to_owned())
    }

    fn chosen(
        scheme: Scheme,
        host: &str,
        pairs: &[(&str, &str)],
    ) -> Option<(String, &'static str)> {
        choose(scheme, host, &env(pairs))
            .expect("usable")
            .map(|p| (p.shown, p.variable))
    }

    #[test]
    fn https_endpoints_follow_curls_order_lower_case_first() {
        let all = [
            ("https_proxy", "http://lower:1"),
            ("HTTPS_PROXY", "http://upper:2"),
            ("all_proxy", "http://all:3"),
            ("ALL_PROXY", "http://ALL:4"),
        ];
        let h = Scheme::Https;
        assert_eq!(
            chosen(h, "api.example", &all),
            Some(("lower:1".into(), "https_proxy"))
        );
        assert_eq!(
            chosen(h, "api.example", &all[1..]),
            Some(("upper:2".into(), "HTTPS_PROXY"))
        );
        assert_eq!(
            chosen(h, "api.example", &all[2..]),
            Some(("all:3".into(), "all_proxy"))
        );
        assert_eq!(
            chosen(h, "api.example", &all[3..]),
            Some(("all:4".into(), "ALL_PROXY"))
        );
        assert_eq!(chosen(h, "api.example", &[]), None);
        // An empty variable is unset, so the next one applies.
        assert_eq!(
            chosen(
                h,
                "api.example",
                &[("https_proxy", ""), ("HTTPS_PROXY", "p:9")]
            ),
            Some(("p:9".into(), "HTTPS_PROXY"))
        );
    }

    #[test]
    fn http_endpoints_read_http_proxy_in_lower_case_only() {
        let h = Scheme::Http;
        assert_eq!(
            chosen(h, "api.example", &[("HTTP_PROXY", "http://upper:2")]),
            None
        );
        assert_eq!(
            chosen(
                h,
                "api.example",
                &[("HTTP_PROXY", "http://upper:2"), ("http_proxy", "lower:1")]
            ),
            Some(("lower:1".into(), "http_proxy"))
        );
        assert_eq!(
            chosen(
                h,
                "api.example",
                &[("HTTPS_PROXY", "s:1"), ("ALL_PROXY", "a:2")]
            ),
            Some(("a:2".into(), "ALL_PROXY"))
        );
    }

    #[test]
    fn loopback_never_goes_through_a_proxy_but_dot_localhost_names_do() {
        let p = [("HTTPS_PROXY", "http://proxy:3128")];
        for host in ["localhost", "127.0.0.1", "::1", "[::1]"] {
            assert_eq!(chosen(Scheme::Https, host, &p), None, "{host}");
        }
        assert!(chosen(Scheme::Https, "sim.localhost", &p).is_some());
    }

    #[test]
    fn no_proxy_matches_names_domains_star_ips_and_ranges() {
        let yes = [
            ("*", "anything.example"),
            ("example.com", "example.com"),
            ("example.com", "api.example.com"),
            (".example.com", "api.example.com"),
            ("*.example.com", "api.example.com"),
            ("other.org, example.com", "EXAMPLE.com"),
            ("example.com:443", "api.example.com"),
            ("10.1.2.3", "10.1.2.3"),
            ("10.0.0.0/8", "10.200.3.4"),
            ("fd00::/8", "fd12::1"),
            ("[fd00::1]:443", "fd00::1"),
        ];
        for (list, host) in yes {
            assert!(bypasses(list, host), "{list:?} should exempt {host}");
        }
        let no = [
            ("example.com", "notexample.com"),
            ("example.com", "example.com.evil.net"),
            ("*.", "api.example.com"),
            ("10.0.0.0/8", "11.0.0.1"),
            ("10.1.2.3", "api.example.com"),
            ("", "api.example.com"),
            ("api.example.com", "example.com"),
        ];
        for (list, host) in no {
            assert!(!bypasses(list, host), "{list:?} should not exempt {host}");
        }
        let p = [
            ("HTTPS_PROXY", "proxy:3128"),
            ("no_proxy", "zenlayer.com"),
            ("NO_PROXY", ""),
        ];
        assert_eq!(chosen(Scheme::Https, "console.zenlayer.com", &p), None);
        // Lower case wins: NO_PROXY is not read when no_proxy is set.
        let p = [
            ("HTTPS_PROXY", "proxy:3128"),
            ("no_proxy", "other.org"),
            ("NO_PROXY", "*"),
        ];
        assert!(chosen(Scheme::Https, "console.zenlayer.com", &p).is_some());
    }

    #[test]
    fn proxy_urls_keep_credentials_for_use_but_never_show_them() {
        let p = choose(
            Scheme::Https,
            "api.example",
            &env(&[("HTTPS_PROXY", "http://alice:s3cr%40t@proxy.corp:3128")]),
        )
        .unwrap()
        .unwrap();
        assert_eq!(p.url.username(), "alice");
        assert_eq!(p.url.password(), Some("s3cr%40t"));
        let shown = format!("{} {:?} {}", p.shown, p, p.describe());
        assert!(
            !shown.contains("alice") && !shown.contains("s3cr"),
            "{shown}"
        );
        assert_eq!(p.describe(), "the proxy proxy.corp:3128 (from HTTPS_PROXY)");
        // No scheme means http, no port means curl's 1080.
        let p = choose(
            Scheme::Https,
            "a.example",
            &env(&[("https_proxy", "proxy.corp")]),
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            (p.url.scheme(), p.shown.as_str()),
            ("http", "proxy.corp:1080")
        );
    }

    #[test]
    fn unusable_proxy_variables_are_named_without_their_value() {
        for value in [
            "socks5://u:pw-secret@proxy:1080",
            "ftp://u:pw-secret@proxy:21",
            "http://u:pw-secret@:3128",
        ] {
            let err = choose(Scheme::Https, "a.example", &env(&[("HTTPS_PROXY", value)]))
                .expect_err(value);
            assert!(err.0.contains("HTTPS_PROXY"), "{}", err.0);
            assert!(!err.0.contains("pw-secret"), "{}", err.0);
        }
    }
}
