//! Polling until an asynchronous Zenlayer operation settles, on an adaptive schedule: a first
//! look after 200 ms, every 100 ms while the operation is young (most attaches finish in about
//! a second), then backing off towards 5 s so a slow operation costs few looks. Every wait is
//! bounded by a deadline and ends promptly when Terraform sends Stop.
//!
//! Every look lands on a process-wide 100 ms grid (rounded to the nearest grid point ahead),
//! so the waits of all resources applied in parallel look at the same instants, and their
//! polls ([`Zec::poll_nic`](crate::provider::api::Zec::poll_nic)) share one batched Describe
//! call per grid point instead of one call each. An operation is seen done at most one grid
//! step after it finishes.
//!
//! A wait after a write also learns: its [`Pace`] remembers how soon the fastest operation of
//! its kind in this process was seen done, and later waits add looks of their own, each sent
//! at its time whatever the earlier ones answer: a probe [`PROBE_EARLY`] before that age, one
//! at that age, and one more [`FOLLOW_UP`] later. Operations that take as long as the fastest
//! one (the common case: a backend with a steady pace) are seen done at once; the probe lets
//! the pace find out when a sooner look would have seen them done (the first operation is seen
//! on the grid, up to a grid step late); faster and slower ones still have the grid.

use std::collections::BTreeSet;
use std::future::Future;
use std::ops::Bound;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use crate::framework::Context;

/// The first look after a write: no operation finishes sooner.
pub(crate) const FIRST_CHECK: Duration = Duration::from_millis(200);
/// Spacing of the shared grid looks are aligned to, and the interval while an operation is
/// young.
pub(crate) const GRID: Duration = Duration::from_millis(100);
/// A wait's own last look comes this much after its look at the learned pace, for an operation
/// a hair slower than the fastest one.
pub(crate) const FOLLOW_UP: Duration = Duration::from_millis(10);
/// How much before the learned pace a wait looks first: if that look already sees the
/// operation done, the pace moves this much closer to the moment operations really end.
pub(crate) const PROBE_EARLY: Duration = Duration::from_millis(20);
/// How long an operation counts as young.
pub(crate) const YOUNG: Duration = Duration::from_secs(2);
/// The longest interval: slow operations are still noticed within seconds of finishing.
pub(crate) const MAX_INTERVAL: Duration = Duration::from_secs(5);

/// What the waits of one provider process share: the grid's origin (fixed by the first
/// wait) and the look instants waits have planned on it, so that a new look can join one.
#[derive(Debug, Default)]
pub(crate) struct Grid {
    origin: OnceLock<Instant>,
    planned: Mutex<BTreeSet<Instant>>,
}

impl Grid {
    fn origin(&self) -> Instant {
        *self.origin.get_or_init(Instant::now)
    }
}

/// The grid and the paces the waits of one provider process share.
#[derive(Debug, Default)]
pub(crate) struct Waits {
    pub(crate) grid: Grid,
    pub(crate) attach: Pace,
    pub(crate) detach: Pace,
}

/// When to look next, `after` from `now`: at a look another wait has planned within a quarter
/// of `after` of that time (so both share one call), else at the nearest grid point ahead,
/// which others may then join.
fn shared_point(grid: &Grid, after: Duration, now: Instant) -> Instant {
    let due = now + after;
    let slack = after / 4;
    let origin = grid.origin();
    let mut planned = grid.planned.lock().unwrap_or_else(PoisonError::into_inner);
    *planned = planned.split_off(&now);
    let distance = |p: Instant| {
        p.checked_duration_since(due)
            .unwrap_or_else(|| due.duration_since(p))
    };
    let nearby = planned
        .range((Bound::Excluded(now), Bound::Included(due + slack)))
        .copied()
        .filter(|p| distance(*p) <= slack)
        .min_by_key(|p| distance(*p));
    if let Some(p) = nearby {
        return p;
    }
    let point = aligned(due, now, origin, GRID);
    planned.insert(point);
    point
}

/// `target` moved to the nearest point after `now` of a grid of `step` from `origin`.
fn aligned(target: Instant, now: Instant, origin: Instant, step: Duration) -> Instant {
    let Some(offset) = target.checked_duration_since(origin) else {
        return target;
    };
    let grid = step.as_nanos();
    let steps = (offset.as_nanos() + grid / 2) / grid;
    let Ok(nanos) = u64::try_from(steps * grid) else {
        return target;
    };
    let mut point = origin + Duration::from_nanos(nanos);
    while point <= now {
        point += step;
    }
    point
}

/// The pause before the next look at an operation that started `age` ago.
pub(crate) fn interval(age: Duration) -> Duration {
    if age < YOUNG {
        GRID
    } else {
        (age / 4).clamp(GRID, MAX_INTERVAL)
    }
}

/// One look at the operation: finished with a result, still going (with what was seen), or
/// not seen at all this time (with why), which never hides an earlier sighting.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Probe<T, S> {
    Done(T),
    Pending(S),
    Unread(S),
}

/// How long before its deadline a wait takes its last look, so that look's reads can finish
/// within the deadline: a wait never outlasts the resource's timeout, and its timeout message
/// reports a recent sighting rather than a read cut off by the deadline.
pub(crate) const FINAL_LOOK_LEAD: Duration = Duration::from_millis(250);

/// Why a wait ended without a result. `last` is what the last look saw, for messages.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Halt<S, E> {
    TimedOut { last: Option<S> },
    Stopped { last: Option<S> },
    Failed(E),
}

/// Whether the first look happens at once, or after [`FIRST_CHECK`] because a write just
/// started the operation.
#[derive(Clone, Copy, Debug)]
pub(crate) enum FirstLook<'a> {
    Now,
    /// After a write, with looks of the wait's own around the age at which the fastest
    /// operation of this kind was seen done (see [`Pace`]).
    Paced(&'a Pace),
}

/// How soon operations of one kind (attach, detach) have been seen done in this process.
#[derive(Debug, Default)]
pub(crate) struct Pace {
    learned: Mutex<Learned>,
}

#[derive(Debug, Default)]
struct Learned {
    /// The age at which the fastest operation so far was seen done.
    fastest: Option<Duration>,
    /// The pace at which a probe found the operation still going: probes stop until the pace
    /// moves, so a pace already close to the operations' end costs no extra look.
    probe_missed: Option<Duration>,
}

impl Pace {
    fn learned(&self) -> std::sync::MutexGuard<'_, Learned> {
        self.learned.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The age at which the fastest operation so far was seen done.
    fn expected(&self) -> Option<Duration> {
        self.learned().fastest
    }

    fn seen_done(&self, age: Duration) {
        let mut learned = self.learned();
        learned.fastest = Some(learned.fastest.map_or(age, |f| f.min(age)));
    }

    /// Whether a probe before `pace` may still find operations done sooner.
    fn worth_probing(&self, pace: Duration) -> bool {
        self.learned().probe_missed != Some(pace)
    }

    fn probe_missed(&self, pace: Duration) {
        self.learned().probe_missed = Some(pace);
    }
}

/// Calls `look` on the adaptive schedule (aligned to the shared grid) until it is done,
/// fails, the deadline passes (the last look starts [`FINAL_LOOK_LEAD`] before it), or
/// Terraform sends Stop. `last` in a halt is the latest sighting, or, when nothing was ever
/// seen, why the latest look could not see.
pub(crate) async fn poll<T, S, E, F, Fut>(
    ctx: &Context,
    grid: &Grid,
    deadline: Instant,
    first: FirstLook<'_>,
    look: F,
) -> Result<T, Halt<S, E>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Probe<T, S>, E>>,
{
    poll_on(ctx, Some(grid), deadline, first, look).await
}

/// [`poll`] on `grid`, or exactly on the schedule without one (tests of the schedule itself).
async fn poll_on<T, S, E, F, Fut>(
    ctx: &Context,
    grid: Option<&Grid>,
    deadline: Instant,
    first: FirstLook<'_>,
    mut look: F,
) -> Result<T, Halt<S, E>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Probe<T, S>, E>>,
{
    let started = Instant::now();
    let place = |after: Duration, now: Instant| match grid {
        Some(grid) => shared_point(grid, after, now),
        None => now + after,
    };
    let mut sighted: Option<S> = None;
    let mut unread: Option<S> = None;
    let last_look = deadline
        .checked_sub(FINAL_LOOK_LEAD)
        .map_or(started, |t| t.max(started));
    let pace = match first {
        FirstLook::Paced(pace) => Some(pace),
        FirstLook::Now => None,
    };
    let mut next = match first {
        FirstLook::Now => started,
        FirstLook::Paced(_) => place(FIRST_CHECK, started),
    };
    // This wait's own looks, a ladder whose rungs are each sent at their time whatever the
    // earlier ones answer (so a distant API's slow answers never delay them): a probe
    // PROBE_EARLY before the age the fastest operation of its kind was seen done (until a
    // probe at this pace finds the operation still going), at that age, and FOLLOW_UP after
    // it, in case it was a hair early.
    let expected = pace
        .and_then(Pace::expected)
        .filter(|age| *age > FIRST_CHECK);
    let probing = expected.filter(|age| pace.is_some_and(|p| p.worth_probing(*age)));
    let mut ladder: Option<Vec<Instant>> = expected.map(|age| {
        let probe = probing.map(|age| age.saturating_sub(PROBE_EARLY).max(FIRST_CHECK));
        (probe.into_iter().chain([age, age + FOLLOW_UP]))
            .map(|a| started + a)
            .collect()
    });
    loop {
        let own = ladder
            .as_ref()
            .and_then(|rungs| rungs.first().copied())
            .filter(|p| *p < next);
        let at = own.unwrap_or(next);
        let final_look = at >= last_look;
        let wake = at.min(last_look);
        tokio::select! {
            biased;
            _ = ctx.stopped() => return Err(Halt::Stopped { last: sighted.or(unread) }),
            _ = tokio::time::sleep_until(wake) => {}
        }
        let climbing = own.and_then(|_| ladder.take()).filter(|_| !final_look);
        // The pace a probe is sent for on this climb, if one is.
        let probe_at = probing.filter(|_| climbing.is_some());
        let rungs: Vec<Instant> = match climbing {
            Some(rungs) => rungs.into_iter().filter(|r| *r < last_look).collect(),
            None => vec![Instant::now()],
        };
        let looked = tokio::select! {
            biased;
            _ = ctx.stopped() => return Err(Halt::Stopped { last: sighted.or(unread) }),
            looked = climb(&mut look, &rungs) => looked,
        };
        let Some((outcome, looked, rung)) = looked else {
            continue;
        };
        let probe_hit = rung == 0 && matches!(outcome, Ok(Probe::Done(_)));
        if let (Some(pace), Some(age)) = (pace, probe_at)
            && !probe_hit
        {
            pace.probe_missed(age);
        }
        match outcome {
            Ok(Probe::Done(t)) => {
                if let Some(pace) = pace {
                    pace.seen_done(looked.duration_since(started));
                }
                return Ok(t);
            }
            Ok(Probe::Pending(seen)) => sighted = Some(seen),
            Ok(Probe::Unread(why)) => unread = Some(why),
            Err(e) => return Err(Halt::Failed(e)),
        }
        if ctx.is_stopped() {
            return Err(Halt::Stopped {
                last: sighted.or(unread),
            });
        }
        if final_look || Instant::now() >= last_look {
            return Err(Halt::TimedOut {
                last: sighted.or(unread),
            });
        }
        let now = Instant::now();
        if own.is_some() && next > now + GRID / 2 {
            continue;
        }
        next = place(interval(now.duration_since(started)), now);
    }
}

/// What one look found, when it was sent, and which rung of its ladder it was.
type Looked<T, S, E> = (Result<Probe<T, S>, E>, Instant, usize);

/// Looks once at each of `rungs` (in order, each sent at its time whatever the earlier ones
/// answer): the first final outcome (done, or failed), else the latest rung's; with when the
/// look whose outcome it is was sent. None only for no rungs.
async fn climb<T, S, E, F, Fut>(look: &mut F, rungs: &[Instant]) -> Option<Looked<T, S, E>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Probe<T, S>, E>>,
{
    use futures_util::StreamExt;
    let mut looks: futures_util::stream::FuturesUnordered<_> = rungs
        .iter()
        .enumerate()
        .map(|(rung, &at)| {
            let one = look();
            async move {
                tokio::time::sleep_until(at).await;
                let sent = Instant::now();
                (one.await, sent, rung)
            }
        })
        .collect();
    let mut latest: Option<Looked<T, S, E>> = None;
    while let Some((outcome, sent, rung)) = looks.next().await {
        match outcome {
            Ok(Probe::Pending(_) | Probe::Unread(_)) => {
                if latest.as_ref().is_none_or(|(_, l, _)| sent > *l) {
                    latest = Some((outcome, sent, rung));
                }
            }
            final_outcome => return Some((final_outcome, sent, rung)),
        }
    }
    latest
}

#[cfg(test)]
mod tests;
