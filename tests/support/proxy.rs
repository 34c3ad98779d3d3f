//! A real HTTP forward proxy on 127.0.0.1, as company networks run: it parses each request
//! head, tunnels `CONNECT host:port` (HTTPS) and forwards absolute-form requests (plain HTTP),
//! resolves only the names it was given (so a name only the proxy knows proves the traffic went
//! through it), records every request it saw, and can require Basic credentials (407 without
//! them).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::loopback_server::LoopbackServer;

/// One request the proxy saw: `CONNECT api.zenlayer.test:443` or `POST http://…`, and what it
/// answered (200, 407, 502).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seen {
    pub method: String,
    pub target: String,
    pub status: u16,
}

/// A running proxy; stops when dropped.
pub struct Proxy {
    server: LoopbackServer,
    seen: Arc<Mutex<Vec<Seen>>>,
}

/// How the proxy is set up.
#[derive(Clone, Debug, Default)]
pub struct ProxyConfig {
    /// Names the proxy resolves (to 127.0.0.1); any other name gets 502.
    pub hosts: Vec<String>,
    /// `user:password` the proxy requires, if any.
    pub credentials: Option<String>,
}

const MAX_HEAD: usize = 16 * 1024;

impl Proxy {
    pub fn start(config: ProxyConfig) -> Proxy {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let expected = config.credentials.as_ref().map(|c| {
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(c.as_bytes())
            )
        });
        let hosts: Arc<Vec<String>> = Arc::new(
            config
                .hosts
                .iter()
                .map(|h| h.to_ascii_lowercase())
                .collect(),
        );
        let server = LoopbackServer::start(move |tcp| {
            let (log, hosts, expected) = (log.clone(), hosts.clone(), expected.clone());
            async move {
                let _ = serve(tcp, &log, &hosts, expected.as_deref()).await;
            }
        });
        Proxy { server, seen }
    }

    pub fn port(&self) -> u16 {
        self.server.port()
    }

    /// `http://127.0.0.1:PORT`, optionally with `user:password@`.
    pub fn url(&self, credentials: Option<&str>) -> String {
        match credentials {
            Some(c) => format!("http://{c}@127.0.0.1:{}", self.port()),
            None => format!("http://127.0.0.1:{}", self.port()),
        }
    }

    /// Every request seen so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("the proxy's log").clone()
    }

    /// Forgets what was seen.
    pub fn clear(&self) {
        self.seen.lock().expect("the proxy's log").clear();
    }
}

/// Reads one request head; returns it and the bytes after it.
async fn read_head(tcp: &mut TcpStream) -> std::io::Result<Option<(String, Vec<u8>)>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            return Ok(Some((head, buf[end + 4..].to_vec())));
        }
        if buf.len() > MAX_HEAD {
            return Ok(None);
        }
        let n = tcp.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

async fn answer(tcp: &mut TcpStream, status: &str, extra: &str) -> std::io::Result<()> {
    tcp.write_all(
        format!("HTTP/1.1 {status}\r\n{extra}content-length: 0\r\nconnection: close\r\n\r\n")
            .as_bytes(),
    )
    .await
}

/// `host:port` → where to connect: only names given to the proxy, and IP literals.
fn resolve(authority: &str, hosts: &[String], default_port: u16) -> Option<SocketAddr> {
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') || h.starts_with('[') => (h, p.parse().ok()?),
        _ => (authority, default_port),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return Some(SocketAddr::new(ip, port));
    }
    hosts
        .contains(&host.to_ascii_lowercase())
        .then(|| SocketAddr::from(([127, 0, 0, 1], port)))
}

async fn serve(
    mut tcp: TcpStream,
    log: &Mutex<Vec<Seen>>,
    hosts: &[String],
    expected: Option<&str>,
) -> std::io::Result<()> {
    let Some((head, rest)) = read_head(&mut tcp).await? else {
        return Ok(());
    };
    let mut lines = head.split("\r\n");
    let first = lines.next().unwrap_or_default();
    let mut parts = first.split(' ');
    let (method, target, version) = (
        parts.next().unwrap_or_default().to_owned(),
        parts.next().unwrap_or_default().to_owned(),
        parts.next().unwrap_or("HTTP/1.1").to_owned(),
    );
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let record = |status: u16| {
        log.lock().expect("the proxy's log").push(Seen {
            method: method.clone(),
            target: target.clone(),
            status,
        });
    };
    if let Some(expected) = expected {
        let given = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("proxy-authorization"))
            .map(|(_, v)| v.as_str());
        if given != Some(expected) {
            record(407);
            return answer(
                &mut tcp,
                "407 Proxy Authentication Required",
                "proxy-authenticate: Basic realm=\"test proxy\"\r\n",
            )
            .await;
        }
    }
    // `CONNECT host:port` is tunnelled (HTTPS); an absolute-form request,
    // `POST http://host:port/path HTTP/1.1`, is forwarded (plain HTTP).
    let tunnel = method.eq_ignore_ascii_case("CONNECT");
    let (authority, path, default_port) = if tunnel {
        (target.as_str(), "", 443)
    } else {
        let Some(after) = target.strip_prefix("http://") else {
            record(400);
            return answer(&mut tcp, "400 Bad Request", "").await;
        };
        match after.find('/') {
            Some(i) => (&after[..i], &after[i..], 80),
            None => (after, "/", 80),
        }
    };
    let upstream = match resolve(authority, hosts, default_port) {
        Some(addr) => TcpStream::connect(addr).await.ok(),
        None => None,
    };
    let Some(mut upstream) = upstream else {
        record(502);
        return answer(&mut tcp, "502 Bad Gateway", "").await;
    };
    record(200);
    if tunnel {
        tcp.write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
            .await?;
    } else {
        let mut forwarded = format!("{method} {path} {version}\r\n");
        for (k, v) in &headers {
            if !k.to_ascii_lowercase().starts_with("proxy-") {
                forwarded.push_str(&format!("{k}: {v}\r\n"));
            }
        }
        forwarded.push_str("\r\n");
        upstream.write_all(forwarded.as_bytes()).await?;
    }
    upstream.write_all(&rest).await?;
    let _ = tokio::io::copy_bidirectional(&mut tcp, &mut upstream).await;
    Ok(())
}

/// A proxy resolving `hosts`, without authentication.
pub fn open_proxy(hosts: &[&str]) -> Proxy {
    Proxy::start(ProxyConfig {
        hosts: hosts.iter().map(|h| (*h).to_owned()).collect(),
        credentials: None,
    })
}
