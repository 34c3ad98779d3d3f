//! The plan-walk snapshot: *recent* lookups (refresh, plan checks) share what this process
//! has seen in the last few seconds. Once a process has been asked about several distinct
//! objects of a kind, it lists the account in large pages and answers later recent lookups
//! from that listing, instead of one by-ID call per handful of resources; before that, and for
//! IDs a listing lacks, the answer of one recent by-ID read serves the others.
//!
//! Terraform refreshes and plans at most 10 resources at a time, so by-ID coalescing alone
//! still costs about one call per 10 resources. A refresh or a plan check is a point-in-time
//! read anyway; a listing a few seconds old serves it as well, for one call per 1000 objects.
//!
//! Guarantee: a recent answer comes from a read (a listing, or a by-ID read) made by this
//! process after its last write and last noticed change (see [`Epoch`]), and requested less
//! than [`Epoch::ttl`] ago: [`WALK_TTL`] in a process that has never written, [`TTL`] once it
//! has. Terraform starts a process per walk, so a process that never wrote is a plan walk (or
//! an apply walk before its first write), and everything it read belongs to the plan that asks:
//! a plan walk that outlasts [`TTL`] does not list the account again. Only objects that exist
//! are remembered, so "not found" always comes from a fresh by-ID read. Within [`TTL`] after
//! a write of this process (an apply walk, which re-plans every resource between its
//! creates), recent lookups are read fresh and nothing is listed.

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
use super::super::models::{MAX_PAGE_SIZE, more_pages};

/// Distinct IDs a process must have asked about before it lists the account: a configuration
/// of one or two resources is read by ID, so a large account is not listed for it.
pub const LIST_AFTER: usize = 3;
/// How long a listing serves recent lookups in a process that has written.
pub const TTL: Duration = Duration::from_secs(5);
/// How long a listing serves recent lookups in a process that has never written (a plan
/// walk): long enough for the plan walk of a large configuration on a busy machine, bounded
/// so that a process kept open (a console) still reads again now and then.
pub const WALK_TTL: Duration = Duration::from_secs(60);
/// Distinct IDs asked about per listing page: a listing never costs more calls than a quarter
/// of the lookups it may serve.
pub const IDS_PER_PAGE: usize = 4;
/// The most pages one listing reads (10 000 objects); beyond them, the pages read still
/// serve the IDs they hold and the others are read by ID.
pub const MAX_PAGES: u32 = 10;
/// Distinct searches (filtered reads, such as data sources) asked for before a search lists the
/// whole account and answers the others from it: one search is sent to the API with its filters.
pub const SEARCHES_BEFORE_LISTING: usize = 2;
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

    /// How long a read serves recent lookups: [`WALK_TTL`] until this process first writes,
    /// [`TTL`] from then on.
    pub(super) fn ttl(&self) -> Duration {
        let wrote = self
            .last_write
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some();
        if wrote { TTL } else { WALK_TTL }
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

/// What a recent search gets here.
pub(super) enum Search<T> {
    /// Every object of the account that matches, from a complete listing.
    Listed(Vec<T>),
    /// No complete listing to serve it: send the search to the API, then
    /// [`Snapshots::remember`] what it found with this ticket.
    ReadFiltered(Ticket),
}

/// What a recent lookup gets here.
pub(super) enum Recent<T> {
    Seen(T),
    /// Nothing to serve: read the object by ID, then [`Snapshots::remember`] it with this.
    ReadFresh(Ticket),
}

/// When a by-ID read for a recent lookup was requested, and in which epoch.
#[derive(Clone, Copy, Debug)]
pub(super) struct Ticket {
    epoch: u64,
    at: Instant,
}

/// An object as a read requested at `at` saw it.
struct Seen<T> {
    value: T,
    at: Instant,
}

/// Resolves to true once the listing's objects are in [`State::seen`].
type Pending = Shared<BoxFuture<'static, bool>>;

struct InFlight {
    id: u64,
    epoch: u64,
    started: Instant,
    result: Pending,
}

struct State<T> {
    /// Distinct IDs recent lookups asked about.
    asked: HashSet<String>,
    /// Objects seen in epoch `seen_epoch` by listings and recent by-ID reads.
    seen: HashMap<String, Seen<T>>,
    seen_epoch: u64,
    in_flight: Option<InFlight>,
    /// The epoch and start of the last listing whose objects were noted.
    listed: Option<(u64, Instant)>,
    /// Distinct searches asked for.
    searches: HashSet<String>,
    /// The epoch and start of the last listing that read every page and was noted: only it
    /// can answer a search.
    complete: Option<(u64, Instant)>,
    /// The epoch and start of the last listing started for searches (all pages allowed).
    full_tried: Option<(u64, Instant)>,
    /// Set when a listing failed: the API may not allow it, so lookups go by ID.
    disabled: bool,
    listings: u64,
}

impl<T: Clone> State<T> {
    /// The object as seen by a read requested less than `ttl` ago, in this epoch.
    fn serve(&self, id: &str, epoch: u64, now: Instant, ttl: Duration) -> Option<T> {
        if self.seen_epoch != epoch {
            return None;
        }
        let seen = self.seen.get(id)?;
        (now < seen.at + ttl).then(|| seen.value.clone())
    }

    /// Every object seen that `matches`, if a complete listing of this epoch, requested less
    /// than `ttl` ago, knows the whole account.
    fn search(
        &self,
        epoch: u64,
        now: Instant,
        ttl: Duration,
        matches: &(dyn Fn(&T) -> bool + Sync),
    ) -> Option<Vec<T>> {
        let fresh = |at: Instant| now < at + ttl;
        let (e, at) = self.complete?;
        if e != epoch || self.seen_epoch != epoch || !fresh(at) {
            return None;
        }
        let found = (self.seen.values())
            .filter(|s| fresh(s.at) && matches(&s.value))
            .map(|s| s.value.clone())
            .collect();
        Some(found)
    }

    /// Notes `value` as seen at `at` in `epoch` (the current one), unless a later read saw it.
    fn note(&mut self, id: String, value: T, epoch: u64, at: Instant) {
        if self.seen_epoch != epoch {
            self.seen.clear();
            self.seen_epoch = epoch;
        }
        match self.seen.get(&id) {
            Some(newer) if newer.at >= at => {}
            _ => {
                self.seen.insert(id, Seen { value, at });
            }
        }
    }
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
                seen: HashMap::new(),
                seen_epoch: 0,
                in_flight: None,
                listed: None,
                searches: HashSet::new(),
                complete: None,
                full_tried: None,
                disabled: false,
                listings: 0,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State<T>> {
        // Every update is one step, so the state is consistent even after a panic.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The object as a recent read saw it, waiting for a listing in flight (or starting one)
    /// when enough distinct IDs were asked about; else a ticket to read it by ID.
    pub(super) async fn get(self: &Arc<Self>, id: &str, limits: &CallLimits) -> Recent<T> {
        let (epoch, now, ttl) = (self.epoch.now(), Instant::now(), self.epoch.ttl());
        let ticket = Ticket { epoch, at: now };
        let pending = {
            let mut s = self.lock();
            if !s.asked.contains(id) {
                s.asked.insert(id.to_owned());
            }
            if self.epoch.writing(now) {
                return Recent::ReadFresh(ticket);
            }
            if let Some(value) = s.serve(id, epoch, now, ttl) {
                return Recent::Seen(value);
            }
            let joinable = s
                .in_flight
                .as_ref()
                .filter(|f| f.epoch == epoch && now < f.started + ttl);
            // One listing per epoch and TTL: IDs it lacks are read by ID, not listed again.
            let listed_recently = s.listed.is_some_and(|(e, at)| e == epoch && now < at + ttl);
            let worth_listing = !s.disabled && !listed_recently && s.asked.len() >= LIST_AFTER;
            match joinable {
                Some(f) => f.result.clone(),
                None if worth_listing => self.start_listing(&mut s, epoch, now, false),
                None => return Recent::ReadFresh(ticket),
            }
        };
        // A caller that stops waiting reads by ID, where its own limits end the read.
        let listed = tokio::select! {
            biased;
            listed = pending => listed,
            _ = limits.ended() => false,
        };
        let seen = listed
            .then(|| self.lock().serve(id, epoch, Instant::now(), ttl))
            .flatten();
        match seen {
            Some(value) => Recent::Seen(value),
            None => Recent::ReadFresh(ticket),
        }
    }

    /// Every object matching a search (`key` names it, `matches` applies it), from a complete
    /// listing requested less than [`Epoch::ttl`] ago in this epoch: waiting for one in flight, or
    /// starting one once [`SEARCHES_BEFORE_LISTING`] distinct searches were asked for; else
    /// a ticket to send the search to the API.
    pub(super) async fn search(
        self: &Arc<Self>,
        key: &str,
        matches: &(dyn Fn(&T) -> bool + Sync),
        limits: &CallLimits,
    ) -> Search<T> {
        let (epoch, now, ttl) = (self.epoch.now(), Instant::now(), self.epoch.ttl());
        let ticket = Ticket { epoch, at: now };
        let recent =
            |mark: Option<(u64, Instant)>| mark.is_some_and(|(e, at)| e == epoch && now < at + ttl);
        let pending = {
            let mut s = self.lock();
            if !s.searches.contains(key) {
                s.searches.insert(key.to_owned());
            }
            if self.epoch.writing(now) {
                return Search::ReadFiltered(ticket);
            }
            if let Some(found) = s.search(epoch, now, ttl, matches) {
                return Search::Listed(found);
            }
            let joinable = s
                .in_flight
                .as_ref()
                .filter(|f| f.epoch == epoch && now < f.started + ttl);
            let worth_listing =
                !s.disabled && !recent(s.full_tried) && s.searches.len() >= SEARCHES_BEFORE_LISTING;
            match joinable {
                Some(f) => f.result.clone(),
                None if worth_listing => {
                    s.full_tried = Some((epoch, now));
                    self.start_listing(&mut s, epoch, now, true)
                }
                None => return Search::ReadFiltered(ticket),
            }
        };
        let listed = tokio::select! {
            biased;
            listed = pending => listed,
            _ = limits.ended() => false,
        };
        let found = listed
            .then(|| self.lock().search(epoch, Instant::now(), ttl, matches))
            .flatten();
        match found {
            Some(found) => Search::Listed(found),
            None => Search::ReadFiltered(ticket),
        }
    }

    /// A ticket for a read requested now, to [`Snapshots::remember`] its answer with.
    pub(super) fn ticket(&self) -> Ticket {
        Ticket {
            epoch: self.epoch.now(),
            at: Instant::now(),
        }
    }

    /// Remembers what a by-ID read for a recent lookup found, for the recent lookups after it,
    /// unless this process wrote or noticed a change since the read was requested.
    pub(super) fn remember(&self, id: &str, found: Option<&T>, ticket: Ticket) {
        let Some(value) = found else { return };
        if self.epoch.now() != ticket.epoch || self.epoch.writing(Instant::now()) {
            return;
        }
        self.lock()
            .note(id.to_owned(), value.clone(), ticket.epoch, ticket.at);
    }

    /// Retires everything seen if a fresh read shows an object that differs from it.
    pub(super) fn observe(&self, id: &str, fresh: Option<&T>) {
        let stale = {
            let s = self.lock();
            s.serve(id, self.epoch.now(), Instant::now(), self.epoch.ttl())
                .is_some_and(|seen| Some(&seen) != fresh)
        };
        if stale {
            tracing::debug!(target: LOG_TARGET, action = self.action, id, "a fresh read differs from what recent reads saw; retired");
            self.epoch.bump();
        }
    }

    /// Starts a listing as its own task (so callers that leave do not cancel it for others).
    /// A `full` listing may read every page ([`MAX_PAGES`]) so that it can answer searches.
    fn start_listing(
        self: &Arc<Self>,
        s: &mut State<T>,
        epoch: u64,
        now: Instant,
        full: bool,
    ) -> Pending {
        s.listings += 1;
        let id = s.listings;
        let task = tokio::spawn(Arc::clone(self).list(id, epoch, now, full));
        let result: Pending = async move { task.await.unwrap_or(false) }.boxed().shared();
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

    /// Lists the account and notes every object seen; true if they were noted.
    async fn list(self: Arc<Self>, id: u64, epoch: u64, started: Instant, full: bool) -> bool {
        let limits = CallLimits {
            deadline: Some(Instant::now() + LIST_TIMEOUT),
            cancel: CancellationToken::new(),
        };
        let mut items = Vec::new();
        let mut page_num = 1;
        let mut seen = 0u64;
        let outcome = loop {
            match (self.list)(page_num, limits.clone()).await {
                Ok(page) => {
                    let n = page.items.len();
                    seen += n as u64;
                    items.extend(page.items);
                    let more = more_pages(n, seen, page.total, MAX_PAGE_SIZE);
                    let budget = if full { MAX_PAGES } else { self.page_budget() };
                    if !more || page_num >= budget {
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
        let complete = match outcome {
            Ok(complete) => {
                tracing::debug!(target: LOG_TARGET, action = self.action, pages = page_num, objects = items.len(), complete, "listed for recent lookups");
                complete
            }
            Err(e) => {
                tracing::info!(target: LOG_TARGET, action = self.action, error = %e, "listing failed; recent lookups read by ID from now on");
                s.disabled = true;
                false
            }
        };
        if self.epoch.now() != epoch || self.epoch.writing(Instant::now()) {
            return false;
        }
        let listed: HashSet<String> = if complete {
            items
                .iter()
                .map(|(object_id, _)| object_id.clone())
                .collect()
        } else {
            HashSet::new()
        };
        if s.seen_epoch != epoch {
            s.seen.clear();
            s.seen_epoch = epoch;
        }
        for (object_id, value) in items {
            s.note(object_id, value, epoch, started);
        }
        if complete {
            // Objects seen before the listing that it no longer lists are gone.
            s.seen
                .retain(|object_id, seen| seen.at >= started || listed.contains(object_id));
            s.complete = Some((epoch, started));
        }
        s.listed = Some((epoch, started));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_serve_the_whole_walk_until_the_process_first_writes_then_five_seconds() {
        let epoch = Epoch::default();
        assert_eq!(epoch.ttl(), WALK_TTL, "a plan walk");
        epoch.bump();
        assert_eq!(epoch.ttl(), WALK_TTL, "a noticed change is not a write");
        epoch.wrote();
        assert_eq!(epoch.ttl(), TTL, "an apply walk that has written");
    }
}
