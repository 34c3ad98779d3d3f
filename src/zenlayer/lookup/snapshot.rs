//! The plan-walk snapshot: once a process has been asked about several distinct objects of a
//! kind, it lists the account in large pages and answers later *recent* lookups from that
//! listing, instead of one by-ID call per handful of resources.
//!
//! Terraform refreshes and plans at most 10 resources at a time, so by-ID coalescing alone
//! still costs about one call per 10 resources. A refresh or a plan check is a point-in-time
//! read anyway; a listing a few seconds old serves it as well, for one call per 1000 objects.
//!
//! Guarantee: a recent answer comes from a listing that started less than [`TTL`] ago, and
//! after this process's last write and last noticed change (see [`Epoch`]). An ID the listing
//! does not hold gets no answer here, so "not found" always comes from a fresh by-ID read.
//! Within [`TTL`] after a write of this process (an apply walk, which re-plans every resource
//! between its creates), nothing is listed: each listing would be retired by the next write.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Shared};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::super::Error;
use super::super::client::{CallLimits, LOG_TARGET};
use super::super::models::MAX_PAGE_SIZE;

/// Distinct IDs a process must have asked about before it lists the account: a configuration
/// of one or two resources is read by ID, so a large account is not listed for it.
pub const LIST_AFTER: usize = 3;
/// How long a listing serves recent lookups.
pub const TTL: Duration = Duration::from_secs(5);
/// Distinct IDs asked about per listing page: a listing never costs more calls than a quarter
/// of the lookups it may serve.
pub const IDS_PER_PAGE: usize = 4;
/// The most pages one listing reads (10 000 objects); beyond them, the pages read still
/// serve the IDs they hold and the others are read by ID.
pub const MAX_PAGES: u32 = 10;
/// How long one listing may take in all.
const LIST_TIMEOUT: Duration = Duration::from_secs(60);

/// Counts this process's writes and the changes its fresh reads noticed. A listing serves only
/// while the count is what it was when the listing started.
#[derive(Debug, Default)]
pub(super) struct Epoch {
    count: AtomicU64,
    last_write: Mutex<Option<Instant>>,
}

impl Epoch {
    fn now(&self) -> u64 {
        self.count.load(Ordering::Acquire)
    }

    /// Ends every listing's service: something may have changed since it started.
    pub(super) fn bump(&self) {
        self.count.fetch_add(1, Ordering::AcqRel);
    }

    /// Ends every listing's service, and holds off new ones for a while: this process writes.
    pub(super) fn wrote(&self) {
        *self.last_write.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
        self.bump();
    }

    /// True within [`TTL`] of this process's last write.
    fn writing(&self, now: Instant) -> bool {
        self.last_write
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some_and(|at| now < at + TTL)
    }
}

/// One page of a listing, and the total the API reports.
pub(super) struct Page<T> {
    pub(super) items: Vec<(String, T)>,
    pub(super) total: u64,
}

pub(super) type ListPage<T> =
    Box<dyn Fn(u32, CallLimits) -> BoxFuture<'static, Result<Page<T>, Error>> + Send + Sync>;

/// The objects one listing saw.
struct Listing<T> {
    items: HashMap<String, T>,
    epoch: u64,
    started: Instant,
}

impl<T> Listing<T> {
    fn serves(&self, epoch: u64, now: Instant) -> bool {
        self.epoch == epoch && now < self.started + TTL
    }
}

type Pending<T> = Shared<BoxFuture<'static, Option<Arc<Listing<T>>>>>;

struct InFlight<T> {
    id: u64,
    epoch: u64,
    started: Instant,
    result: Pending<T>,
}

struct State<T> {
    /// Distinct IDs recent lookups asked about.
    asked: HashSet<String>,
    current: Option<Arc<Listing<T>>>,
    in_flight: Option<InFlight<T>>,
    /// Set when a listing failed: the API may not allow it, so lookups go by ID.
    disabled: bool,
    listings: u64,
}

/// The snapshot of one kind of object.
pub(super) struct Snapshots<T> {
    action: &'static str,
    list: ListPage<T>,
    epoch: Arc<Epoch>,
    /// Held only to read or update, never across a call.
    state: Mutex<State<T>>,
}

impl<T> std::fmt::Debug for Snapshots<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshots")
            .field("action", &self.action)
            .finish_non_exhaustive()
    }
}

impl<T: Clone + PartialEq + Send + Sync + 'static> Snapshots<T> {
    pub(super) fn new(action: &'static str, list: ListPage<T>, epoch: Arc<Epoch>) -> Self {
        Snapshots {
            action,
            list,
            epoch,
            state: Mutex::new(State {
                asked: HashSet::new(),
                current: None,
                in_flight: None,
                disabled: false,
                listings: 0,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State<T>> {
        // Every update is one step, so the state is consistent even after a panic.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The object as a serving listing saw it, waiting for a listing in flight (or starting
    /// one) when enough distinct IDs were asked about. None: read it by ID.
    pub(super) async fn get(self: &Arc<Self>, id: &str, limits: &CallLimits) -> Option<T> {
        let pending = {
            let mut s = self.lock();
            if !s.asked.contains(id) {
                s.asked.insert(id.to_owned());
            }
            let (epoch, now) = (self.epoch.now(), Instant::now());
            if let Some(listing) = s.current.as_ref().filter(|l| l.serves(epoch, now)) {
                return listing.items.get(id).cloned();
            }
            let joinable = s
                .in_flight
                .as_ref()
                .filter(|f| f.epoch == epoch && now < f.started + TTL);
            let worth_listing =
                !s.disabled && s.asked.len() >= LIST_AFTER && !self.epoch.writing(now);
            match joinable {
                Some(f) => f.result.clone(),
                None if worth_listing => self.start_listing(&mut s, epoch, now),
                None => return None,
            }
        };
        let deadline = async {
            match limits.deadline {
                Some(d) => tokio::time::sleep_until(d).await,
                None => std::future::pending().await,
            }
        };
        // A caller that stops waiting reads by ID, where its own limits end the read.
        tokio::select! {
            biased;
            listing = pending => listing.and_then(|l| l.items.get(id).cloned()),
            () = limits.cancel.cancelled() => None,
            () = deadline => None,
        }
    }

    /// Ends the current listing's service if a fresh read shows one of its objects changed.
    pub(super) fn observe(&self, id: &str, fresh: Option<&T>) {
        let stale = {
            let s = self.lock();
            s.current
                .as_ref()
                .filter(|l| l.serves(self.epoch.now(), Instant::now()))
                .and_then(|l| l.items.get(id))
                .is_some_and(|listed| Some(listed) != fresh)
        };
        if stale {
            tracing::debug!(target: LOG_TARGET, action = self.action, id, "a fresh read differs from the listing; listings retired");
            self.epoch.bump();
        }
    }

    /// Starts a listing as its own task (so callers that leave do not cancel it for others).
    fn start_listing(self: &Arc<Self>, s: &mut State<T>, epoch: u64, now: Instant) -> Pending<T> {
        s.listings += 1;
        let id = s.listings;
        let task = tokio::spawn(Arc::clone(self).list(id, epoch, now));
        let result: Pending<T> = async move { task.await.ok().flatten() }.boxed().shared();
        s.in_flight = Some(InFlight {
            id,
            epoch,
            started: now,
            result: result.clone(),
        });
        result
    }

    /// Pages allowed for the IDs asked about so far.
    fn page_budget(&self) -> u32 {
        let asked = self.lock().asked.len();
        u32::try_from(asked / IDS_PER_PAGE)
            .unwrap_or(u32::MAX)
            .clamp(1, MAX_PAGES)
    }

    async fn list(
        self: Arc<Self>,
        id: u64,
        epoch: u64,
        started: Instant,
    ) -> Option<Arc<Listing<T>>> {
        let limits = CallLimits {
            deadline: Some(Instant::now() + LIST_TIMEOUT),
            cancel: CancellationToken::new(),
        };
        let mut items = HashMap::new();
        let mut page_num = 1;
        let mut seen = 0u64;
        let outcome = loop {
            match (self.list)(page_num, limits.clone()).await {
                Ok(page) => {
                    let n = page.items.len();
                    seen += n as u64;
                    items.extend(page.items);
                    let more = n > 0
                        && if page.total > 0 {
                            seen < page.total
                        } else {
                            n >= MAX_PAGE_SIZE as usize
                        };
                    if !more || page_num >= self.page_budget() {
                        break Ok(!more);
                    }
                    page_num += 1;
                }
                Err(e) => break Err(e),
            }
        };
        let mut s = self.lock();
        if s.in_flight.as_ref().is_some_and(|f| f.id == id) {
            s.in_flight = None;
        }
        match outcome {
            Ok(complete) => {
                tracing::debug!(target: LOG_TARGET, action = self.action, pages = page_num, objects = items.len(), complete, "listed for recent lookups");
            }
            Err(e) => {
                tracing::info!(target: LOG_TARGET, action = self.action, error = %e, "listing failed; recent lookups read by ID from now on");
                s.disabled = true;
            }
        }
        if self.epoch.now() != epoch || items.is_empty() {
            return None;
        }
        let listing = Arc::new(Listing {
            items,
            epoch,
            started,
        });
        s.current = Some(Arc::clone(&listing));
        Some(listing)
    }
}
