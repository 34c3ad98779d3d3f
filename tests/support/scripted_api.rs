//! A stand-in for the Zenlayer API that answers every call from a script of its action name,
//! counting the calls: what the garbage and hostile stand-ins serve their answers with.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Response, StatusCode};
use tokio::sync::oneshot;

/// A running stand-in; stops when dropped.
pub struct ScriptedApi {
    addr: SocketAddr,
    calls: Arc<AtomicU64>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl ScriptedApi {
    /// Serves `answer(action)` (status, content type, body) to every call on 127.0.0.1 (a free
    /// port), on its own thread.
    pub fn start(
        answer: impl Fn(&str) -> (StatusCode, &'static str, Vec<u8>) + Clone + Send + Sync + 'static,
    ) -> ScriptedApi {
        let calls = Arc::new(AtomicU64::new(0));
        let counter = calls.clone();
        let app = Router::new().fallback(move |headers: HeaderMap| {
            let counter = counter.clone();
            let answer = answer.clone();
            async move {
                counter.fetch_add(1, Ordering::Relaxed);
                let action = headers
                    .get("x-zc-action")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                let (status, content_type, body) = answer(&action);
                Response::builder()
                    .status(status)
                    .header("content-type", content_type)
                    .body(Body::from(body))
                    .expect("a valid response")
            }
        });
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener
            .set_nonblocking(true)
            .expect("nonblocking listener");
        let addr = listener.local_addr().expect("local address");
        let (tx, rx) = oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for the stand-in API");
            runtime.block_on(async move {
                let listener =
                    tokio::net::TcpListener::from_std(listener).expect("a tokio listener");
                axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = rx.await;
                    })
                    .await
                    .expect("the stand-in API serves");
            });
        });
        ScriptedApi {
            addr,
            calls,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }

    /// `127.0.0.1:PORT`, the provider's `domain`.
    pub fn domain(&self) -> String {
        self.addr.to_string()
    }

    /// Requests served so far.
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }
}

impl Drop for ScriptedApi {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
