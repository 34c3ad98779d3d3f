//! Local stand-ins for the Zenlayer API used by the `client_*` tests: an axum server that
//! records every request and answers from a script, a tiny fake ZEC world for Describe calls,
//! and a raw TCP server for faults axum cannot produce (a connection dropped mid-call).

#![allow(dead_code, unreachable_pub)]

#[path = "../support/closed_port.rs"]
mod closed_port;
#[allow(unused_imports)]
pub use closed_port::ClosedPort;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::future::BoxFuture;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tpz::zenlayer::signer::{self, SigningInput};
use tpz::zenlayer::{CallLimits, Client, ClientConfig, Credentials, RetryPolicy, Scheme};

pub const AK_ID: &str = "AKID-client-tests";
pub const AK_PASSWORD: &str = "pw-Gu5t9xGARNpq86cd98joQYCN3-secret";
pub const TOKEN: &str = "tok-9f8e7d6c5b4a-secret";
pub const USER_AGENT: &str = "terraform-provider-zenlayer/0.1.0 Terraform/1.11.4 tests";

/// One request as the server received it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub action: String,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub json: Value,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Checks the ZC2-HMAC-SHA256 signature the way the API does.
    pub fn verify_signature(&self, password: &str) -> Result<(), String> {
        let auth = self.header("authorization").ok_or("no Authorization")?;
        let parsed = signer::parse_authorization(auth).ok_or("malformed Authorization")?;
        let timestamp: i64 = self
            .header("x-zc-timestamp")
            .ok_or("no X-ZC-Timestamp")?
            .parse()
            .map_err(|_| "bad timestamp")?;
        let input = SigningInput {
            content_type: self.header("content-type").ok_or("no Content-Type")?,
            host: self.header("host").ok_or("no Host")?,
            body: &self.body,
            timestamp,
        };
        let expected = signer::signature(password, &input);
        if parsed.signature == expected && parsed.credential == AK_ID {
            Ok(())
        } else {
            Err(format!("signature mismatch: got {auth}"))
        }
    }

    pub fn ids(&self, key: &str) -> Vec<String> {
        self.json[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// What the scripted server answers.
pub enum Reply {
    Json(u16, Value),
    Raw {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    },
    /// Never answers.
    Hang,
}

impl Reply {
    pub fn ok(response: Value) -> Reply {
        let mut response = response;
        response["requestId"] = json!("T-ok");
        Reply::Json(200, json!({"requestId": "T-ok", "response": response}))
    }

    pub fn error(status: u16, code: &str) -> Reply {
        Reply::Json(
            status,
            json!({"requestId": format!("T-{code}"), "code": code, "message": format!("{code} happened")}),
        )
    }

    pub fn html(status: u16, title: &str) -> Reply {
        Reply::Raw {
            status,
            headers: vec![("content-type", "text/html; charset=utf-8".into())],
            body: format!(
                "<!DOCTYPE html><html><head><title>{title}</title></head><body>x</body></html>"
            )
            .into_bytes(),
        }
    }
}

pub type Handler = Arc<dyn Fn(Recorded, usize) -> BoxFuture<'static, Reply> + Send + Sync>;

/// A scripted API on 127.0.0.1 that records every request.
#[derive(Clone)]
pub struct ApiServer {
    pub addr: SocketAddr,
    log: Arc<Mutex<Vec<Recorded>>>,
    connections: Arc<AtomicUsize>,
}

impl ApiServer {
    /// Serves `handler(request, hit_number)` (hit numbers start at 0).
    pub async fn start(handler: Handler) -> ApiServer {
        let log: Arc<Mutex<Vec<Recorded>>> = Arc::default();
        let counter = Arc::new(AtomicUsize::new(0));
        let route_log = Arc::clone(&log);
        let app = axum::Router::new().route(
            "/api/v2/zec",
            axum::routing::post(move |headers: HeaderMap, body: Bytes| {
                let handler = Arc::clone(&handler);
                let log = Arc::clone(&route_log);
                let n = counter.fetch_add(1, Ordering::SeqCst);
                async move {
                    let rec = Recorded {
                        action: headers
                            .get("x-zc-action")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_owned(),
                        json: serde_json::from_slice(&body).unwrap_or(Value::Null),
                        headers,
                        body,
                    };
                    log.lock()
                        .expect("a test thread panicked while holding the lock")
                        .push(rec.clone());
                    render(handler(rec, n).await).await
                }
            }),
        );
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("loopback port available");
        let addr = listener.local_addr().expect("bound socket has an address");
        let connections = Arc::new(AtomicUsize::new(0));
        let accepted = Arc::clone(&connections);
        let listener = axum::serve::ListenerExt::tap_io(listener, move |_| {
            accepted.fetch_add(1, Ordering::SeqCst);
        });
        tokio::spawn(async move { axum::serve(listener, app).await });
        ApiServer {
            addr,
            log,
            connections,
        }
    }

    /// A server whose answer depends only on the request and hit number.
    pub async fn scripted(
        f: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static,
    ) -> ApiServer {
        let f = Arc::new(f);
        ApiServer::start(Arc::new(move |rec, n| {
            let reply = f(&rec, n);
            Box::pin(async move { reply })
        }))
        .await
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.log
            .lock()
            .expect("a test thread panicked while holding the lock")
            .clone()
    }

    pub fn hits(&self) -> usize {
        self.log
            .lock()
            .expect("a test thread panicked while holding the lock")
            .len()
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    pub fn hits_of(&self, action: &str) -> usize {
        self.log
            .lock()
            .expect("a test thread panicked while holding the lock")
            .iter()
            .filter(|r| r.action == action)
            .count()
    }
}

async fn render(reply: Reply) -> Response {
    match reply {
        Reply::Json(status, v) => (
            StatusCode::from_u16(status).expect("test scripts use valid statuses"),
            [("content-type", "application/json")],
            v.to_string(),
        )
            .into_response(),
        Reply::Raw {
            status,
            headers,
            body,
        } => {
            let mut resp = (
                StatusCode::from_u16(status).expect("test scripts use valid statuses"),
                body,
            )
                .into_response();
            for (k, v) in headers {
                resp.headers_mut()
                    .insert(k, v.parse().expect("test scripts use valid header values"));
            }
            resp
        }
        Reply::Hang => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
    }
}

/// A fake ZEC region: NICs, instances and zones that Describe calls read.
#[derive(Clone, Default)]
pub struct World {
    pub nics: Arc<Mutex<BTreeMap<String, Value>>>,
    pub instances: Arc<Mutex<BTreeMap<String, Value>>>,
    pub zones: Vec<(String, String)>,
    /// Caps the items per page regardless of `pageSize`, to force paging.
    pub page_cap: Option<usize>,
}

impl World {
    pub fn with_nics(n: usize) -> World {
        let w = World::default();
        for i in 0..n {
            w.put_nic(&nic_id(i), "AVAILABLE", None);
        }
        w
    }

    pub fn put_nic(&self, id: &str, status: &str, instance: Option<&str>) {
        let mut nic = json!({"nicId": id, "status": status, "regionId": "asia-east-1", "nicType": "Secondary"});
        if let Some(i) = instance {
            nic["instanceId"] = json!(i);
        }
        self.nics
            .lock()
            .expect("a test thread panicked while holding the lock")
            .insert(id.to_owned(), nic);
    }

    pub fn put_instance(&self, id: &str, status: &str, zone: &str) {
        self.instances
            .lock()
            .expect("a test thread panicked while holding the lock")
            .insert(
                id.to_owned(),
                json!({"instanceId": id, "status": status, "zoneId": zone}),
            );
    }

    /// The answer to a Describe* or DescribeZones request, read now.
    pub fn answer(&self, rec: &Recorded) -> Reply {
        match rec.action.as_str() {
            "DescribeNetworkInterfaces" => self.page(rec, "nicIds", &self.nics),
            "DescribeInstances" => self.page(rec, "instanceIds", &self.instances),
            "DescribeZones" => Reply::ok(json!({
                "zoneSet": self.zones.iter().map(|(z, r)| json!({"zoneId": z, "regionId": r})).collect::<Vec<_>>()
            })),
            other => Reply::error(400, &format!("UNKNOWN_ACTION_{other}")),
        }
    }

    fn page(&self, rec: &Recorded, key: &str, items: &Mutex<BTreeMap<String, Value>>) -> Reply {
        let ids = rec.ids(key);
        if ids.len() > 100 {
            return Reply::error(400, "INVALID_PARAMETER_EXCEED_MAXIMUM");
        }
        let items = items
            .lock()
            .expect("a test thread panicked while holding the lock");
        // Without IDs, Describe lists the whole account.
        let matching: Vec<Value> = if rec.json.get(key).is_none() {
            items.values().cloned().collect()
        } else {
            ids.iter().filter_map(|id| items.get(id).cloned()).collect()
        };
        let page_size = rec.json["pageSize"].as_u64().unwrap_or(20) as usize;
        let page_size = self.page_cap.map_or(page_size, |c| c.min(page_size));
        let page_num = rec.json["pageNum"].as_u64().unwrap_or(1) as usize;
        let data: Vec<Value> = matching
            .iter()
            .skip((page_num - 1) * page_size)
            .take(page_size)
            .cloned()
            .collect();
        Reply::ok(json!({"totalCount": matching.len(), "dataSet": data}))
    }
}

pub fn nic_id(i: usize) -> String {
    format!("nic-{i:04}")
}

/// A server that serves `world`.
pub async fn world_server(world: World) -> ApiServer {
    ApiServer::scripted(move |rec, _| world.answer(rec)).await
}

/// What the raw server does with the n-th request.
#[derive(Clone)]
pub enum RawStep {
    /// Reads the whole request, then closes the connection without a byte.
    Drop,
    /// Writes these bytes, then closes.
    Send(Vec<u8>),
    /// Reads the request and never answers.
    Hang,
}

/// A full HTTP/1.1 response with `Connection: close`.
pub fn http_response(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

pub fn ok_response(response: Value) -> Vec<u8> {
    let mut response = response;
    response["requestId"] = json!("T-raw");
    http_response(
        200,
        &[("content-type", "application/json")],
        json!({"requestId": "T-raw", "response": response})
            .to_string()
            .as_bytes(),
    )
}

pub fn error_response(status: u16, code: &str) -> Vec<u8> {
    http_response(
        status,
        &[("content-type", "application/json")],
        json!({"requestId": "T-raw", "code": code, "message": "m"})
            .to_string()
            .as_bytes(),
    )
}

/// A bare TCP server that reads HTTP requests and follows a script of steps (the last step
/// repeats). Counts requests fully received.
pub struct RawServer {
    pub addr: SocketAddr,
    hits: Arc<AtomicUsize>,
}

impl RawServer {
    pub async fn start(script: Vec<RawStep>) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("loopback port available");
        let addr = listener.local_addr().expect("bound socket has an address");
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&hits);
        let script = Arc::new(script);
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let counter = Arc::clone(&counter);
                let script = Arc::clone(&script);
                tokio::spawn(async move { serve_raw(stream, counter, script).await });
            }
        });
        RawServer { addr, hits }
    }

    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

async fn serve_raw(mut stream: TcpStream, counter: Arc<AtomicUsize>, script: Arc<Vec<RawStep>>) {
    if !read_request(&mut stream).await {
        return;
    }
    let n = counter.fetch_add(1, Ordering::SeqCst);
    match script[n.min(script.len() - 1)].clone() {
        RawStep::Drop => {}
        RawStep::Send(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.shutdown().await;
        }
        RawStep::Hang => tokio::time::sleep(Duration::from_secs(3600)).await,
    }
}

/// Reads one request head and its Content-Length body; false if the peer went away.
async fn read_request(stream: &mut TcpStream) -> bool {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if buf.len() >= end + 4 + len {
                return true;
            }
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// A client configuration for a local server: HMAC credentials, http, 5 s per request.
pub fn config(addr: SocketAddr) -> ClientConfig {
    ClientConfig {
        credentials: Credentials::AccessKey {
            id: AK_ID.into(),
            password: AK_PASSWORD.into(),
        },
        scheme: Scheme::Http,
        domain: addr.to_string(),
        client_timeout: Duration::from_secs(5),
        max_retries: 3,
        user_agent: USER_AGENT.into(),
        extra_roots: Default::default(),
    }
}

/// Millisecond backoff, so retry tests run fast.
pub fn fast() -> RetryPolicy {
    RetryPolicy {
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
    }
}

pub fn client(addr: SocketAddr) -> Client {
    Client::new(config(addr))
        .expect("test configuration is valid")
        .with_retry_policy(fast())
}

pub fn client_with(config: ClientConfig) -> Client {
    Client::new(config)
        .expect("test configuration is valid")
        .with_retry_policy(fast())
}

/// A lookup over a client of `sim` (its credentials, 2 retries): how the provider reads it.
pub fn sim_lookup(sim: &tpz::sim::RunningSim) -> tpz::zenlayer::lookup::Lookup {
    let config = ClientConfig {
        credentials: Credentials::AccessKey {
            id: sim.sim().access_key_id().into(),
            password: sim.sim().access_key_password().into(),
        },
        scheme: Scheme::Http,
        domain: sim.domain(),
        client_timeout: Duration::from_secs(5),
        max_retries: 2,
        user_agent: "terraform-provider-zenlayer/test Terraform/1.11.4".into(),
        extra_roots: Default::default(),
    };
    tpz::zenlayer::lookup::Lookup::new(client_with(config))
}

pub fn no_limits() -> CallLimits {
    CallLimits::default()
}
