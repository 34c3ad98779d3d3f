//! Coalesced reads for many concurrent Terraform RPCs: lookups of single NICs and instances
//! that arrive while a Describe call is in flight are batched into the next call (up to 100
//! IDs), and zone→region answers are cached for the life of the process.
//!
//! Freshness guarantee: the answer to `nic()`/`instance()` always comes from a Describe call
//! that *started after* the lookup was requested. A lookup never joins a call already in
//! flight and nothing is cached, so a waiter polling a NIC's status after a change never sees
//! a state read before its poll. Zones are cached because they do not change.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use futures_util::future::BoxFuture;
use tokio::sync::oneshot;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::Error;
use super::client::{CallLimits, Client, LOG_TARGET, REASON_DEADLINE, REASON_STOPPED};
use super::models::{InstanceInfo, MAX_IDS_PER_CALL, NicInfo, action};

/// Describe calls one kind of lookup keeps in flight at once. Two lets a new batch start
/// while a slow call is still out, without turning a burst into a burst of calls.
const MAX_CALLS_IN_FLIGHT: usize = 2;

/// Batched, shared lookups over a [`Client`]. Cheap to clone; clones share batches and cache.
#[derive(Clone, Debug)]
pub struct Lookup {
    client: Client,
    nics: Arc<Batcher<NicInfo>>,
    instances: Arc<Batcher<InstanceInfo>>,
    zones: Arc<ZoneCache>,
}

impl Lookup {
    pub fn new(client: Client) -> Lookup {
        let c = client.clone();
        let nics = Batcher::new(
            action::DESCRIBE_NETWORK_INTERFACES,
            Box::new(move |ids, limits| {
                let c = c.clone();
                Box::pin(async move {
                    let found = c.describe_nics_by_id(&ids, &limits).await?;
                    Ok(found.into_iter().map(|n| (n.nic_id.clone(), n)).collect())
                })
            }),
        );
        let c = client.clone();
        let instances = Batcher::new(
            action::DESCRIBE_INSTANCES,
            Box::new(move |ids, limits| {
                let c = c.clone();
                Box::pin(async move {
                    let found = c.describe_instances_by_id(&ids, &limits).await?;
                    Ok(found
                        .into_iter()
                        .map(|i| (i.instance_id.clone(), i))
                        .collect())
                })
            }),
        );
        Lookup {
            client,
            nics: Arc::new(nics),
            instances: Arc::new(instances),
            zones: Arc::new(ZoneCache::default()),
        }
    }

    /// The underlying client, for writes.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The NIC with this ID, or None if the API does not know it. Always read by a call that
    /// started after this request (see the module docs).
    pub async fn nic(&self, nic_id: &str, limits: &CallLimits) -> Result<Option<NicInfo>, Error> {
        Batcher::lookup(&self.nics, nic_id, limits).await
    }

    /// The instance with this ID, or None if the API does not know it. Always read by a call
    /// that started after this request.
    pub async fn instance(
        &self,
        instance_id: &str,
        limits: &CallLimits,
    ) -> Result<Option<InstanceInfo>, Error> {
        Batcher::lookup(&self.instances, instance_id, limits).await
    }

    /// The region a zone belongs to, or None for a zone the API does not list. Served from
    /// the cache; a zone missing from it triggers one shared `DescribeZones`.
    pub async fn region_of_zone(
        &self,
        zone_id: &str,
        limits: &CallLimits,
    ) -> Result<Option<String>, Error> {
        if let Some(region) = self.zones.cached(zone_id) {
            return Ok(Some(region));
        }
        self.zones.refresh(&self.client, limits).await?;
        Ok(self.zones.cached(zone_id))
    }

    /// Re-reads the zone list now, for a caller that must not trust the cache.
    pub async fn refresh_zones(&self, limits: &CallLimits) -> Result<(), Error> {
        let asked = self.zones.completed.load(Ordering::Acquire);
        self.zones.fetch_after(&self.client, limits, asked).await
    }
}

type Found<T> = Result<Vec<(String, T)>, Error>;
type Fetch<T> = Box<dyn Fn(Vec<String>, CallLimits) -> BoxFuture<'static, Found<T>> + Send + Sync>;
type Reply<T> = Result<Option<T>, Error>;

struct Waiter<T> {
    tx: oneshot::Sender<Reply<T>>,
    deadline: Option<Instant>,
}

/// Lookups of one kind waiting for the next call, in arrival order.
struct Queue<T> {
    order: VecDeque<String>,
    waiting: HashMap<String, Vec<Waiter<T>>>,
    workers: usize,
}

/// Collects single-ID lookups into Describe calls of up to 100 IDs.
struct Batcher<T> {
    action: &'static str,
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
    fn new(action: &'static str, fetch: Fetch<T>) -> Batcher<T> {
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

    async fn lookup(this: &Arc<Self>, id: &str, limits: &CallLimits) -> Reply<T> {
        let (tx, mut rx) = oneshot::channel();
        let start_worker = {
            let mut q = this.lock();
            let waiters = q.waiting.entry(id.to_owned()).or_default();
            let first = waiters.is_empty();
            waiters.push(Waiter {
                tx,
                deadline: limits.deadline,
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
            let worker = Arc::clone(this);
            tokio::spawn(async move { worker.work().await });
        }
        let deadline = async {
            match limits.deadline {
                Some(d) => tokio::time::sleep_until(d).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            biased;
            reply = &mut rx => reply.unwrap_or_else(|_| Err(Error::Network {
                action: this.action,
                message: "the batched lookup ended without an answer".into(),
                lasting: false,
            })),
            () = limits.cancel.cancelled() => Err(gave_up(this.action, REASON_STOPPED)),
            () = deadline => Err(gave_up(this.action, REASON_DEADLINE)),
        }
    }

    /// Serves batches until the queue is empty. Runs as its own task so that a caller who
    /// stops waiting never strands the others of its batch.
    async fn work(self: Arc<Self>) {
        let _slot = WorkerSlot(&self);
        loop {
            let mut batch = self.take_batch();
            if batch.is_empty() {
                return;
            }
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

    /// Up to 100 IDs that someone still waits for, oldest first. Returns empty (and gives
    /// up the worker's slot in the same critical section) when nothing is queued.
    fn take_batch(&self) -> Vec<(String, Vec<Waiter<T>>)> {
        let mut q = self.lock();
        let mut batch = Vec::new();
        while batch.len() < MAX_IDS_PER_CALL {
            let Some(id) = q.order.pop_front() else { break };
            let mut waiters = q.waiting.remove(&id).unwrap_or_default();
            waiters.retain(|w| !w.tx.is_closed());
            if !waiters.is_empty() {
                batch.push((id, waiters));
            }
        }
        if batch.is_empty() {
            q.workers = q.workers.saturating_sub(1);
        }
        batch
    }
}

/// Frees a worker's slot if its task ends abnormally (panic or runtime shutdown); a normal
/// exit already freed it in `take_batch`.
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

fn gave_up(action: &'static str, reason: &str) -> Error {
    Error::GaveUp {
        action,
        attempts: 0,
        reason: reason.to_owned(),
        last: None,
    }
}

/// zone → region, filled by `DescribeZones`. Reads never wait for a refresh in progress.
#[derive(Debug, Default)]
struct ZoneCache {
    known: RwLock<Arc<HashMap<String, String>>>,
    /// Serialises refreshes so that concurrent misses share one call.
    refresh: tokio::sync::Mutex<RefreshState>,
    /// Refreshes finished (successfully or with a shareable error), for "did one finish
    /// after I asked?" checks without the lock.
    completed: AtomicU64,
}

#[derive(Debug, Default)]
struct RefreshState {
    /// The error of the last finished refresh, if it failed.
    last_error: Option<Error>,
}

impl ZoneCache {
    fn cached(&self, zone_id: &str) -> Option<String> {
        let known = self.known.read().unwrap_or_else(|p| p.into_inner());
        known.get(zone_id).cloned()
    }

    async fn refresh(&self, client: &Client, limits: &CallLimits) -> Result<(), Error> {
        let asked = self.completed.load(Ordering::Acquire);
        self.fetch_after(client, limits, asked).await
    }

    /// Makes sure a refresh finished after generation `asked`: waits for one in progress and
    /// shares its outcome, or runs one.
    async fn fetch_after(
        &self,
        client: &Client,
        limits: &CallLimits,
        asked: u64,
    ) -> Result<(), Error> {
        let action = action::DESCRIBE_ZONES;
        let deadline = async {
            match limits.deadline {
                Some(d) => tokio::time::sleep_until(d).await,
                None => std::future::pending().await,
            }
        };
        let mut state = tokio::select! {
            biased;
            s = self.refresh.lock() => s,
            () = limits.cancel.cancelled() => return Err(gave_up(action, REASON_STOPPED)),
            () = deadline => return Err(gave_up(action, REASON_DEADLINE)),
        };
        if self.completed.load(Ordering::Acquire) > asked {
            return match &state.last_error {
                Some(e) => Err(e.clone()),
                None => Ok(()),
            };
        }
        match client.describe_zones(limits).await {
            Ok(zones) => {
                let map: HashMap<String, String> = zones
                    .into_iter()
                    .map(|z| (z.zone_id, z.region_id))
                    .collect();
                *self.known.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(map);
                state.last_error = None;
                self.completed.fetch_add(1, Ordering::AcqRel);
                Ok(())
            }
            // This caller's own deadline or stop is not an answer to share with others.
            Err(e @ Error::GaveUp { .. }) => Err(e),
            Err(e) => {
                state.last_error = Some(e.clone());
                self.completed.fetch_add(1, Ordering::AcqRel);
                Err(e)
            }
        }
    }
}
