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
//! its kind in this process was seen done, and later waits add looks of their own: one at that
//! age, one [`FOLLOW_UP`] later, and a probe before it that halves the span in which operations
//! end (between the latest age a look saw one still going and the pace; [`PROBE_EARLY`] before
//! the pace while nothing bounds it from below), until that span is [`NARROWEST_SPAN`] or
//! less. Operations that take as long as the fastest one (a backend with a steady pace) are
//! seen done at once; faster and slower ones still have the grid.
//!
//! Every look is sent at its time whatever the earlier ones answer: with a distant API a look
//! at the pace never waits for a grid look still on its way, and grid looks keep their spacing
//! (at most [`GRID_LOOKS_IN_FLIGHT`] on their way) instead of the round trip's.

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
    /// The latest age, below `fastest`, at which a look found an operation still going: the
    /// operations' end lies between the two, and the next probe halves that span.
    still_going: Option<Duration>,
}

/// Probes stop once the span they search is this narrow: the look at the pace and its
/// follow-up cover it.
pub(crate) const NARROWEST_SPAN: Duration = Duration::from_millis(20);

impl Pace {
    fn learned(&self) -> std::sync::MutexGuard<'_, Learned> {
        self.learned.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The age at which the fastest operation so far was seen done.
    fn expected(&self) -> Option<Duration> {
        self.learned().fastest
    }

    /// An operation was seen done at `age`; `going` is the latest age at which this wait had
    /// seen it still going.
    fn seen_done(&self, age: Duration, going: Option<Duration>) {
        let mut learned = self.learned();
        let fastest = learned.fastest.map_or(age, |f| f.min(age));
        learned.fastest = Some(fastest);
        let below = |g: &Duration| *g < fastest;
        learned.still_going = learned.still_going.filter(below).max(going.filter(below));
    }

    /// When a wait probes before the pace: halfway into the span where operations end, or
    /// [`PROBE_EARLY`] before the pace while no look has bounded it from below; None once the
    /// span is [`NARROWEST_SPAN`] or less.
    fn probe_age(&self) -> Option<Duration> {
        let learned = self.learned();
        let fastest = learned.fastest?;
        let probe = match learned.still_going {
            Some(going) if fastest.saturating_sub(going) <= NARROWEST_SPAN => return None,
            Some(going) => going + (fastest - going) / 2,
            None => fastest.saturating_sub(PROBE_EARLY),
        };
        Some(probe.max(FIRST_CHECK))
    }

    /// A probe at `age` found the operation still going.
    fn probe_missed(&self, age: Duration) {
        let mut learned = self.learned();
        if learned.fastest.is_some_and(|f| age < f) {
            learned.still_going = learned.still_going.max(Some(age));
        }
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

/// How many of a wait's grid looks may be on their way at once: with a distant API a grid
/// look is sent at its time while the previous one is still travelling, so the grid keeps
/// its spacing instead of the round trip's; more would only pile up on a slow API.
pub(crate) const GRID_LOOKS_IN_FLIGHT: usize = 2;

/// Which of a wait's looks an answer belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Look {
    /// On the shared grid (or the schedule, without one).
    Grid,
    /// The ladder's probe, [`PROBE_EARLY`] before the learned pace.
    Probe,
    /// The ladder's look at the pace, or its follow-up.
    Rung,
}

/// What a look saw that was not the end, kept with when the look was sent so that a late
/// answer never hides a newer one.
struct Sighting<S> {
    sent: Instant,
    seen: S,
}

fn keep_newest<S>(slot: &mut Option<Sighting<S>>, sent: Instant, seen: S) {
    if slot.as_ref().is_none_or(|s| sent >= s.sent) {
        *slot = Some(Sighting { sent, seen });
    }
}

/// [`poll`] on `grid`, or exactly on the schedule without one (tests of the schedule itself).
///
/// Every look is sent at its time whatever the earlier ones answer (a distant API's slow
/// answers never delay a later look), and the wait ends with the first look that sees the
/// operation done. Grid looks follow the schedule from when the previous one was sent, at most
/// [`GRID_LOOKS_IN_FLIGHT`] at once; the ladder's looks go at their instants regardless.
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
    use futures_util::StreamExt;

    let started = Instant::now();
    let place = |after: Duration, now: Instant| match grid {
        Some(grid) => shared_point(grid, after, now),
        None => now + after,
    };
    let last_look = deadline
        .checked_sub(FINAL_LOOK_LEAD)
        .map_or(started, |t| t.max(started));
    let pace = match first {
        FirstLook::Paced(pace) => Some(pace),
        FirstLook::Now => None,
    };
    let mut grid_next = Some(match first {
        FirstLook::Now => started,
        FirstLook::Paced(_) => place(FIRST_CHECK, started),
    });
    // This wait's own looks, a ladder: a probe into the span where operations of its kind
    // end (see `Pace::probe_age`), one at the age the fastest was seen done, and one
    // FOLLOW_UP after it, in case it was a hair early.
    let expected = pace
        .and_then(Pace::expected)
        .filter(|age| *age > FIRST_CHECK);
    // The age of this wait's probe, if it sends one.
    let probing = expected.and(pace).and_then(Pace::probe_age);
    let mut ladder: std::collections::VecDeque<(Instant, Look)> = expected
        .map(|age| {
            let probe = probing.map(|a| (a, Look::Probe));
            probe
                .into_iter()
                .chain([(age, Look::Rung), (age + FOLLOW_UP, Look::Rung)])
                .map(|(a, kind)| (started + a, kind))
                .filter(|(at, _)| *at < last_look)
                .collect()
        })
        .unwrap_or_default();
    let mut probe_answered = false;
    // The latest age at which a look of this wait saw the operation still going.
    let mut still_going: Option<Duration> = None;
    let mut grid_in_flight = 0;
    let mut final_sent = false;
    let mut sighted: Option<Sighting<S>> = None;
    let mut unread: Option<Sighting<S>> = None;
    let mut in_flight = futures_util::stream::FuturesUnordered::new();
    let last = |sighted: Option<Sighting<S>>, unread: Option<Sighting<S>>| {
        sighted.or(unread).map(|s| s.seen)
    };
    loop {
        let grid_due = grid_next.filter(|_| grid_in_flight < GRID_LOOKS_IN_FLIGHT);
        let rung_due = ladder.front().map(|(at, _)| *at);
        let due = match (final_sent, grid_due, rung_due) {
            (true, _, _) | (false, None, None) => None,
            (false, g, r) => g.into_iter().chain(r).min().map(|at| at.min(last_look)),
        };
        if due.is_none() && in_flight.is_empty() {
            return Err(Halt::TimedOut {
                last: last(sighted, unread),
            });
        }
        tokio::select! {
            biased;
            _ = ctx.stopped() => return Err(Halt::Stopped { last: last(sighted, unread) }),
            Some((outcome, sent, kind, is_final)) = in_flight.next(), if !in_flight.is_empty() => {
                let held_back = grid_in_flight >= GRID_LOOKS_IN_FLIGHT;
                if kind == Look::Grid {
                    grid_in_flight -= 1;
                }
                let age = Instant::duration_since(&sent, started);
                match outcome {
                    Ok(Probe::Done(t)) => {
                        if let Some(pace) = pace {
                            // A probe that did not see it done first missed, answered or not.
                            if let Some(at) = probing.filter(|_| kind != Look::Probe && !probe_answered) {
                                pace.probe_missed(at);
                            }
                            pace.seen_done(age, still_going);
                        }
                        return Ok(t);
                    }
                    Ok(Probe::Pending(seen)) => {
                        still_going = still_going.max(Some(age));
                        if kind == Look::Probe {
                            probe_answered = true;
                            if let (Some(pace), Some(at)) = (pace, probing) {
                                pace.probe_missed(at);
                            }
                        }
                        keep_newest(&mut sighted, sent, seen);
                    }
                    Ok(Probe::Unread(why)) => keep_newest(&mut unread, sent, why),
                    Err(e) => return Err(Halt::Failed(e)),
                }
                if ctx.is_stopped() {
                    return Err(Halt::Stopped { last: last(sighted, unread) });
                }
                if is_final {
                    return Err(Halt::TimedOut { last: last(sighted, unread) });
                }
                // A grid look held back by the ones on their way goes at the next grid point.
                let now = Instant::now();
                if held_back && grid_next.is_some_and(|at| at <= now) {
                    grid_next = Some(place(Duration::ZERO, now));
                }
            }
            _ = tokio::time::sleep_until(due.unwrap_or(last_look)), if due.is_some() => {
                let now = Instant::now();
                let is_final = now >= last_look;
                let kind = if rung_due.is_some_and(|r| r <= now) {
                    ladder.pop_front().map_or(Look::Grid, |(_, kind)| kind)
                } else {
                    Look::Grid
                };
                if kind == Look::Grid {
                    grid_in_flight += 1;
                    grid_next = Some(place(interval(now.duration_since(started)), now));
                }
                if is_final {
                    final_sent = true;
                }
                let one = look();
                in_flight.push(async move { (one.await, now, kind, is_final) });
            }
        }
    }
}

#[cfg(test)]
mod tests;
