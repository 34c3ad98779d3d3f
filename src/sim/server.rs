//! The HTTP/1 server: routes, an accept loop on an injected listener, graceful shutdown, and
//! closing a connection without an answer when a `drop`/`lost` fault asks for it (the handler
//! marks the response; the connection's service then fails, and hyper closes the socket
//! without writing anything).

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::http::{Request, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, watch};
use tokio::task::JoinSet;
use tower::ServiceExt;

use super::admin::{self, ADMIN_PREFIX};
use super::api::{self, CloseWithoutAnswer};
use super::simulator::{Sim, SimConfig};
use super::state::StateError;

/// The API path, as in `https://console.zenlayer.com/api/v2/zec`.
pub const ZEC_PATH: &str = "/api/v2/zec";

/// How long shutdown waits for calls in flight before cutting them off.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Why a simulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    State(#[from] StateError),
    #[error("could not listen on {addr}: {source}")]
    Listen {
        addr: String,
        source: std::io::Error,
    },
    #[error("could not start the simulator's runtime: {0}")]
    Runtime(std::io::Error),
}

#[derive(Debug, thiserror::Error)]
#[error("closed the connection without answering (injected fault)")]
struct ClosedWithoutAnswer;

async fn not_found() -> impl IntoResponse {
    (
        StatusCode::NOT_FOUND,
        axum::Json(serde_json::json!({
            "error": format!("no such path; the API is POST {ZEC_PATH}, the admin endpoints are under {ADMIN_PREFIX}/")
        })),
    )
}

/// The simulator's routes: the API and the admin endpoints.
pub fn router(sim: Sim) -> Router {
    Router::new()
        .route(ZEC_PATH, post(api::zec))
        .nest(ADMIN_PREFIX, admin::routes())
        .fallback(not_found)
        .with_state(sim)
}

/// Serves `sim` on `listener` until `shutdown` completes, then lets calls in flight finish
/// (for a few seconds at most). Accept errors (e.g. out of file descriptors) are logged and
/// retried, never fatal.
pub async fn serve(listener: TcpListener, sim: Sim, shutdown: impl Future<Output = ()> + Send) {
    let router = router(sim);
    let (stop_tx, stop_rx) = watch::channel(());
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    connections.spawn(serve_connection(stream, router.clone(), stop_rx.clone()));
                }
                Err(e) => {
                    tracing::warn!("accepting a connection failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let _ = stop_tx.send(());
    let drained = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        connections.abort_all();
    }
}

async fn serve_connection(stream: TcpStream, router: Router, mut stop: watch::Receiver<()>) {
    let _ = stream.set_nodelay(true);
    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
        let router = router.clone();
        async move {
            let response = match router.oneshot(req).await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            if response.extensions().get::<CloseWithoutAnswer>().is_some() {
                Err(ClosedWithoutAnswer)
            } else {
                Ok(response)
            }
        }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = stop.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

/// What both simulator handles share: the simulator, the loopback address it is served on,
/// and the signal that stops the server. Each handle dereferences to it.
#[derive(Debug)]
pub struct Served {
    sim: Sim,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
}

impl Served {
    /// The simulator's state and controls.
    pub fn sim(&self) -> &Sim {
        &self.sim
    }

    /// The loopback address the simulator answers on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `127.0.0.1:PORT`: the provider's `domain` (with scheme `http`).
    pub fn domain(&self) -> String {
        self.addr.to_string()
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://127.0.0.1:PORT/api/v2/zec`.
    pub fn api_url(&self) -> String {
        format!("http://{}{ZEC_PATH}", self.addr)
    }

    /// Tells the server to stop accepting; later calls do nothing.
    fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A simulator serving on a loopback port inside the current Tokio runtime; stops when
/// dropped. The handle for in-process tests.
#[derive(Debug)]
pub struct RunningSim {
    served: Served,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl RunningSim {
    /// Starts a simulator with `config` on `127.0.0.1:0`.
    pub async fn start(config: SimConfig) -> Result<RunningSim, StartError> {
        let sim = Sim::new(config)?;
        let listener =
            TcpListener::bind("127.0.0.1:0")
                .await
                .map_err(|source| StartError::Listen {
                    addr: "127.0.0.1:0".into(),
                    source,
                })?;
        RunningSim::on(listener, sim)
    }

    /// Serves an existing simulator on an already bound listener.
    pub fn on(listener: TcpListener, sim: Sim) -> Result<RunningSim, StartError> {
        let addr = listener.local_addr().map_err(|source| StartError::Listen {
            addr: "the given listener".into(),
            source,
        })?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve(listener, sim.clone(), async move {
            let _ = stopped.await;
        }));
        Ok(RunningSim {
            served: Served {
                sim,
                addr,
                stop: Some(stop),
            },
            task: Some(task),
        })
    }

    /// Stops accepting, lets calls in flight finish, and waits for the server to end.
    pub async fn shutdown(mut self) {
        self.served.stop();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl std::ops::Deref for RunningSim {
    type Target = Served;

    fn deref(&self) -> &Served {
        &self.served
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        self.served.stop();
    }
}

/// A simulator on its own thread and runtime, for synchronous tests (e.g. ones that run
/// `terraform` as a child process and block on it). Stops when dropped.
#[derive(Debug)]
pub struct BackgroundSim {
    served: Served,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl BackgroundSim {
    /// Starts a simulator with `config` on `127.0.0.1:0` in a new thread.
    pub fn start(config: SimConfig) -> Result<BackgroundSim, StartError> {
        let sim = Sim::new(config)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("zenlayer-sim")
            .enable_all()
            .build()
            .map_err(StartError::Runtime)?;
        let listen_error = |source| StartError::Listen {
            addr: "127.0.0.1:0".into(),
            source,
        };
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(listen_error)?;
        let addr = std_listener.local_addr().map_err(listen_error)?;
        std_listener.set_nonblocking(true).map_err(listen_error)?;
        let (stop, stopped) = oneshot::channel::<()>();
        let served = sim.clone();
        let thread = std::thread::Builder::new()
            .name("zenlayer-sim".into())
            .spawn(move || {
                runtime.block_on(async move {
                    match TcpListener::from_std(std_listener) {
                        Ok(listener) => {
                            serve(listener, served, async move {
                                let _ = stopped.await;
                            })
                            .await;
                        }
                        Err(e) => tracing::error!("zenlayer-sim could not listen: {e}"),
                    }
                });
            })
            .map_err(StartError::Runtime)?;
        Ok(BackgroundSim {
            served: Served {
                sim,
                addr,
                stop: Some(stop),
            },
            thread: Some(thread),
        })
    }
}

impl std::ops::Deref for BackgroundSim {
    type Target = Served;

    fn deref(&self) -> &Served {
        &self.served
    }
}

impl Drop for BackgroundSim {
    fn drop(&mut self) {
        self.served.stop();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
