//! By-ID coalescing: single-ID lookups queued while a Describe call is in flight (or within
//! their gather window) are served together by the next call, up to 100 IDs.
//!
//! Guarantee: every answer comes from a call that started after the lookup was queued. A
//! lookup never joins a call already in flight.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::BoxFuture;
use tokio::sync::oneshot;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::super::Error;
use super::super::client::{CallLimits, LOG_TARGET, give_up};
use super::super::models::MAX_IDS_PER_CALL;

/// Describe calls one kind of lookup keeps in flight at once. Two lets a new batch start
/// while a slow call is still out, without turning a burst into a burst of calls.
const MAX_CALLS_IN_FLIGHT: usize = 2;
/// How long a lookup waits in the queue for one of those calls to end before it starts a call
/// of its own. On loopback a call ends well within it; an API 100 ms away would otherwise make
/// every lookup after the second of a burst wait a whole extra round trip.
const QUEUE_PATIENCE: Duration = Duration::from_millis(10);
/// Calls in flight at most once lookups have run out of patience: Terraform runs 10
/// operations at once, so this still halves a burst's calls.
const MAX_CALLS_WHEN_SLOW: usize = 5;

pub(super) type Found<T> = Result<Vec<(String, T)>, Error>;
pub(super) type Fetch<T> =
    Box<dyn Fn(Vec<String>, CallLimits) -> BoxFuture<'static, Found<T>> + Send + Sync>;
type Reply<T> = Result<Option<T>, Error>;

struct Waiter<T> {
    tx: oneshot::Sender<Reply<T>>,
    deadline: Option<Instant>,
    /// The earliest moment a call may be started for this lookup alone.
    ready_at: Instant,
}

/// Lookups of one kind waiting for the next call, in arrival order.
struct Queue<T> {
    order: VecDeque<String>,
    waiting: HashMap<String, Vec<Waiter<T>>>,
    workers: usize,
}

/// What a worker should do next.
enum Next<T> {
    Call(Vec<(String, Vec<Waiter<T>>)>),
    /// Everything queued is still inside its gather window.
    WaitUntil(Instant),
    /// The queue is empty; the worker's slot has been given up.
    Done,
}

/// Collects single-ID lookups into Describe calls of up to 100 IDs.
pub(super) struct Batcher<T> {
    pub(super) action: &'static str,
    fetch: Fetch<T>,
    /// Held only to enqueue or take a batch, never across a call.
    queue: Mutex<Queue<T>>,
}

impl<T> std::fmt::Debug for Batcher<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batcher")
            .field("action", &self.action)
            .finish_non_exhaustive()
    }
}

impl<T: Clone + Send + 'static> Batcher<T> {
    pub(super) fn new(action: &'static str, fetch: Fetch<T>) -> Batcher<T> {
        Batcher {
            action,
            fetch,
            queue: Mutex::new(Queue {
                order: VecDeque::new(),
                waiting: HashMap::new(),
                workers: 0,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Queue<T>> {
        // The queue stays consistent even if a holder panicked: every update is one step.
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The object with this ID (None if the API does not know it), read by a call that starts
    /// after this request. With a `gather` window, that call may wait up to `gather` for other
    /// lookups to join it; a lookup without one starts a call at once, and takes every queued
    /// lookup along.
    pub(super) async fn lookup(
        this: &Arc<Self>,
        id: &str,
        limits: &CallLimits,
        gather: Duration,
    ) -> Reply<T> {
        let (tx, mut rx) = oneshot::channel();
        let start_worker = {
            let mut q = this.lock();
            let waiters = q.waiting.entry(id.to_owned()).or_default();
            let first = waiters.is_empty();
            waiters.push(Waiter {
                tx,
                deadline: limits.deadline,
                ready_at: Instant::now() + gather,
            });
            if first {
                q.order.push_back(id.to_owned());
            }
            let start = q.workers < MAX_CALLS_IN_FLIGHT;
            if start {
                q.workers += 1;
            }
            start
        };
        if start_worker {
            Self::spawn_worker(this);
        }
        // Queued behind calls that are slow to answer: start one more rather than wait them out.
        let impatient = async {
            if !start_worker {
                tokio::time::sleep(QUEUE_PATIENCE + gather).await;
                if this.slot_for_queued(id) {
                    Self::spawn_worker(this);
                }
            }
            std::future::pending::<std::convert::Infallible>().await
        };
        tokio::select! {
            biased;
            reply = &mut rx => reply.unwrap_or_else(|_| Err(Error::Network {
                action: this.action,
                message: "the batched lookup ended without an answer".into(),
                lasting: false,
            })),
            reason = limits.ended() => Err(give_up(this.action, 0, reason, None)),
            never = impatient => match never {},
        }
    }

    fn spawn_worker(this: &Arc<Self>) {
        let worker = Arc::clone(this);
        tokio::spawn(async move { worker.work().await });
    }

    /// Takes a worker slot for `id` if it is still queued (no call has taken it yet) and the
    /// calls in flight are below [`MAX_CALLS_WHEN_SLOW`].
    fn slot_for_queued(&self, id: &str) -> bool {
        let mut q = self.lock();
        let queued = q.waiting.get(id).is_some_and(|w| !w.is_empty());
        let start = queued && q.workers < MAX_CALLS_WHEN_SLOW;
        if start {
            q.workers += 1;
        }
        start
    }

    /// Serves batches until the queue is empty. Runs as its own task so that a caller who
    /// stops waiting never strands the others of its batch.
    async fn work(self: Arc<Self>) {
        let _slot = WorkerSlot(&self);
        loop {
            let mut batch = match self.next() {
                Next::Done => return,
                Next::WaitUntil(at) => {
                    tokio::time::sleep_until(at).await;
                    continue;
                }
                Next::Call(batch) => batch,
            };
            let ids: Vec<String> = batch.iter().map(|(id, _)| id.clone()).collect();
            let limits = CallLimits {
                deadline: latest_deadline(&batch),
                cancel: CancellationToken::new(),
            };
            tracing::debug!(target: LOG_TARGET, action = self.action, ids = ids.len(), "batched lookup");
            let call = (self.fetch)(ids, limits);
            let result = tokio::select! {
                r = call => Some(r),
                () = all_gone(&mut batch) => None,
            };
            let Some(result) = result else {
                tracing::debug!(target: LOG_TARGET, action = self.action, "every waiter of a batch left; call dropped");
                continue;
            };
            match result {
                Ok(found) => {
                    let mut by_id: HashMap<String, T> = found.into_iter().collect();
                    for (id, waiters) in batch {
                        let item = by_id.remove(&id);
                        for w in waiters {
                            let _ = w.tx.send(Ok(item.clone()));
                        }
                    }
                }
                Err(err) => {
                    for (_, waiters) in batch {
                        for w in waiters {
                            let _ = w.tx.send(Err(err.clone()));
                        }
                    }
                }
            }
        }
    }

    /// Up to 100 IDs that someone still waits for, oldest first, once any of them is past its
    /// gather window. Gives up the worker's slot in the same critical section when nothing is
    /// queued.
    fn next(&self) -> Next<T> {
        let mut q = self.lock();
        let now = Instant::now();
        let mut earliest: Option<Instant> = None;
        for waiters in q.waiting.values_mut() {
            waiters.retain(|w| !w.tx.is_closed());
            for w in waiters.iter() {
                earliest = Some(earliest.map_or(w.ready_at, |e| e.min(w.ready_at)));
            }
        }
        match earliest {
            None => {
                q.order.clear();
                q.waiting.clear();
                q.workers = q.workers.saturating_sub(1);
                return Next::Done;
            }
            Some(at) if at > now => return Next::WaitUntil(at),
            Some(_) => {}
        }
        let mut batch = Vec::new();
        while batch.len() < MAX_IDS_PER_CALL {
            let Some(id) = q.order.pop_front() else { break };
            let waiters = q.waiting.remove(&id).unwrap_or_default();
            if !waiters.is_empty() {
                batch.push((id, waiters));
            }
        }
        Next::Call(batch)
    }
}

/// Frees a worker's slot if its task ends abnormally (panic or runtime shutdown); a normal
/// exit already freed it in `next`.
struct WorkerSlot<'a, T>(&'a Batcher<T>);

impl<T> Drop for WorkerSlot<'_, T> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let mut q = self.0.queue.lock().unwrap_or_else(|p| p.into_inner());
            q.workers = q.workers.saturating_sub(1);
        }
    }
}

/// The batch's call may run as long as its most patient waiter; None if any has no deadline.
fn latest_deadline<T>(batch: &[(String, Vec<Waiter<T>>)]) -> Option<Instant> {
    let mut latest: Option<Instant> = None;
    for w in batch.iter().flat_map(|(_, ws)| ws) {
        let d = w.deadline?;
        latest = Some(latest.map_or(d, |l| l.max(d)));
    }
    latest
}

/// Resolves once no waiter of the batch is listening any more.
async fn all_gone<T>(batch: &mut [(String, Vec<Waiter<T>>)]) {
    for (_, waiters) in batch.iter_mut() {
        for w in waiters.iter_mut() {
            w.tx.closed().await;
        }
    }
}
