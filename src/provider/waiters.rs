//! Polling until an asynchronous Zenlayer operation settles, on an adaptive schedule: a first
//! look after 200 ms, every 200 ms while the operation is young (most attaches finish in about
//! a second), then backing off towards 5 s so a slow operation costs few API calls. Every wait
//! is bounded by a deadline and ends promptly when Terraform sends Stop.
//!
//! While an operation is young its looks follow its own start, so an operation that takes a
//! second is seen done at once. After that, looks land on a process-wide 200 ms grid (each
//! rounded to the nearest grid point), so the long waits of many resources applied in parallel
//! look at the same instants and the coalescing lookups answer them with a few batched
//! Describe calls instead of one call each.

use std::future::Future;
use std::sync::OnceLock;
use std::time::Duration;

use tokio::time::Instant;

use crate::framework::Context;

/// The first look, and the interval while an operation is young.
pub(crate) const FIRST_CHECK: Duration = Duration::from_millis(200);
/// How long an operation counts as young.
pub(crate) const YOUNG: Duration = Duration::from_secs(2);
/// The longest interval: slow operations are still noticed within seconds of finishing.
pub(crate) const MAX_INTERVAL: Duration = Duration::from_secs(5);

/// Spacing of the shared grid looks are aligned to.
pub(crate) const GRID: Duration = FIRST_CHECK;

/// Whether looks are aligned to the shared grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Align {
    /// Production: on the process-wide grid.
    Shared,
    /// Exactly on the schedule (tests of the schedule itself).
    #[cfg_attr(not(test), allow(dead_code))]
    Exact,
}

/// The grid's origin, fixed by the first wait of the process.
fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// `target` moved to the nearest grid point after `now`.
fn aligned(target: Instant, now: Instant, origin: Instant) -> Instant {
    let Some(offset) = target.checked_duration_since(origin) else {
        return target;
    };
    let grid = GRID.as_nanos();
    let steps = (offset.as_nanos() + grid / 2) / grid;
    let Ok(nanos) = u64::try_from(steps * grid) else {
        return target;
    };
    let mut point = origin + Duration::from_nanos(nanos);
    while point <= now {
        point += GRID;
    }
    point
}

/// The pause before the next look at an operation that started `age` ago.
pub(crate) fn interval(age: Duration) -> Duration {
    if age < YOUNG {
        FIRST_CHECK
    } else {
        (age / 4).clamp(FIRST_CHECK, MAX_INTERVAL)
    }
}

/// One look at the operation: finished with a result, or still going (with what was seen).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Probe<T, S> {
    Done(T),
    Pending(S),
}

/// Why a wait ended without a result. `last` is what the last look saw, for messages.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Halt<S, E> {
    TimedOut { last: Option<S> },
    Stopped { last: Option<S> },
    Failed(E),
}

/// Whether the first look happens at once or after [`FIRST_CHECK`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FirstLook {
    Now,
    AfterFirstInterval,
}

/// Calls `look` on the adaptive schedule (aligned to the shared grid) until it is done,
/// fails, the deadline passes (one last look is taken at the deadline), or Terraform sends
/// Stop.
pub(crate) async fn poll<T, S, E, F, Fut>(
    ctx: &Context,
    deadline: Instant,
    first: FirstLook,
    look: F,
) -> Result<T, Halt<S, E>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Probe<T, S>, E>>,
{
    poll_aligned(ctx, deadline, first, Align::Shared, look).await
}

/// [`poll`], with the alignment chosen.
pub(crate) async fn poll_aligned<T, S, E, F, Fut>(
    ctx: &Context,
    deadline: Instant,
    first: FirstLook,
    align: Align,
    mut look: F,
) -> Result<T, Halt<S, E>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Probe<T, S>, E>>,
{
    let origin = epoch();
    let started = Instant::now();
    let place = |target: Instant, now: Instant| match align {
        Align::Shared if now.duration_since(started) >= YOUNG => aligned(target, now, origin),
        _ => target,
    };
    let mut last: Option<S> = None;
    let mut next = match first {
        FirstLook::Now => started,
        FirstLook::AfterFirstInterval => place(started + FIRST_CHECK, started),
    };
    loop {
        let at_deadline = next >= deadline;
        let wake = next.min(deadline);
        tokio::select! {
            biased;
            _ = ctx.stopped() => return Err(Halt::Stopped { last }),
            _ = tokio::time::sleep_until(wake) => {}
        }
        let outcome = tokio::select! {
            biased;
            _ = ctx.stopped() => return Err(Halt::Stopped { last }),
            outcome = look() => outcome,
        };
        match outcome {
            Ok(Probe::Done(t)) => return Ok(t),
            Ok(Probe::Pending(seen)) => last = Some(seen),
            Err(e) => return Err(Halt::Failed(e)),
        }
        if ctx.is_stopped() {
            return Err(Halt::Stopped { last });
        }
        if at_deadline || Instant::now() >= deadline {
            return Err(Halt::TimedOut { last });
        }
        let now = Instant::now();
        next = place(now + interval(now.duration_since(started)), now);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tokio_util::sync::CancellationToken;

    use super::*;

    /// Records the (virtual) time of every look, relative to the start.
    fn recorder() -> (Arc<Mutex<Vec<Duration>>>, Instant) {
        (Arc::new(Mutex::new(Vec::new())), Instant::now())
    }

    #[test]
    fn the_schedule_is_short_while_young_then_backs_off_to_a_few_seconds() {
        assert_eq!(interval(Duration::ZERO), FIRST_CHECK);
        assert_eq!(interval(Duration::from_millis(1900)), FIRST_CHECK);
        assert_eq!(interval(Duration::from_secs(2)), Duration::from_millis(500));
        assert_eq!(interval(Duration::from_secs(8)), Duration::from_secs(2));
        assert_eq!(interval(Duration::from_secs(600)), MAX_INTERVAL);
        let mut prev = Duration::ZERO;
        for ms in (0..120_000).step_by(100) {
            let i = interval(Duration::from_millis(ms));
            assert!(
                i >= prev && i <= MAX_INTERVAL,
                "monotone and capped at {ms} ms"
            );
            prev = i;
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_one_second_operation_is_seen_done_within_1_2_seconds() {
        let (looks, t0) = recorder();
        let ctx = Context::default();
        let l = looks.clone();
        let done = poll_aligned::<_, &str, (), _, _>(
            &ctx,
            t0 + Duration::from_secs(600),
            FirstLook::AfterFirstInterval,
            Align::Exact,
            || {
                let l = l.clone();
                async move {
                    let age = t0.elapsed();
                    l.lock().unwrap().push(age);
                    Ok(if age >= Duration::from_secs(1) {
                        Probe::Done(age)
                    } else {
                        Probe::Pending("ATTACHING")
                    })
                }
            },
        )
        .await
        .unwrap();
        assert!(done <= Duration::from_millis(1200), "done after {done:?}");
        let looks = looks.lock().unwrap();
        assert_eq!(looks[0], FIRST_CHECK, "first look after 200 ms");
        assert_eq!(looks.len(), 5, "{looks:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_operation_costs_few_looks() {
        let (looks, t0) = recorder();
        let ctx = Context::default();
        let l = looks.clone();
        let _ =
            poll::<(), &str, (), _, _>(&ctx, t0 + Duration::from_secs(120), FirstLook::Now, || {
                let l = l.clone();
                async move {
                    l.lock().unwrap().push(t0.elapsed());
                    Ok(Probe::Pending("DETACHING"))
                }
            })
            .await;
        let n = looks.lock().unwrap().len();
        // 10 looks in the first 2 s, then intervals growing to 5 s: about 40 in two minutes,
        // where a fixed 200 ms poll would take 600.
        assert!(n < 45, "{n} looks in two minutes");
    }

    #[tokio::test(start_paused = true)]
    async fn a_timeout_reports_what_was_last_seen_and_looks_once_at_the_deadline() {
        let (looks, t0) = recorder();
        let ctx = Context::default();
        let l = looks.clone();
        let halt =
            poll::<(), String, (), _, _>(&ctx, t0 + Duration::from_secs(3), FirstLook::Now, || {
                let l = l.clone();
                async move {
                    let n = {
                        let mut l = l.lock().unwrap();
                        l.push(t0.elapsed());
                        l.len()
                    };
                    Ok(Probe::Pending(format!("look {n}")))
                }
            })
            .await
            .unwrap_err();
        let looks = looks.lock().unwrap();
        assert_eq!(*looks.last().unwrap(), Duration::from_secs(3));
        assert_eq!(
            halt,
            Halt::TimedOut {
                last: Some(format!("look {}", looks.len()))
            }
        );
    }

    #[tokio::test(start_paused = true)]
    async fn stop_ends_a_wait_promptly() {
        let stop = CancellationToken::new();
        let ctx = Context::new(stop.clone());
        let t0 = Instant::now();
        tokio::spawn({
            let stop = stop.clone();
            async move {
                tokio::time::sleep(Duration::from_millis(2500)).await;
                stop.cancel();
            }
        });
        let halt = poll::<(), &str, (), _, _>(
            &ctx,
            t0 + Duration::from_secs(600),
            FirstLook::Now,
            || async { Ok(Probe::Pending("ATTACHING")) },
        )
        .await
        .unwrap_err();
        assert_eq!(
            halt,
            Halt::Stopped {
                last: Some("ATTACHING")
            }
        );
        assert_eq!(
            t0.elapsed(),
            Duration::from_millis(2500),
            "no extra sleep after Stop"
        );
    }

    #[test]
    fn alignment_moves_a_look_to_the_nearest_grid_point_ahead() {
        let origin = Instant::now();
        let at = |ms: u64| origin + Duration::from_millis(ms);
        assert_eq!(aligned(at(1230), at(1000), origin), at(1200));
        assert_eq!(aligned(at(1310), at(1000), origin), at(1400));
        assert_eq!(
            aligned(at(1030), at(1010), origin),
            at(1200),
            "never in the past"
        );
        assert_eq!(aligned(at(1200), at(1000), origin), at(1200));
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_long_waits_started_at_different_moments_look_at_the_same_instants() {
        // The grid's origin may come from another test's paused clock, far ahead of this
        // one; waits before the origin are not aligned, so start after it.
        tokio::time::sleep_until(epoch()).await;
        let ctx = Context::default();
        let looks = Arc::new(Mutex::new(Vec::new()));
        let mut waits = Vec::new();
        for (i, offset) in [0u64, 37, 81, 133].into_iter().enumerate() {
            let looks = looks.clone();
            let ctx = ctx.clone();
            waits.push(tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(offset)).await;
                let t0 = Instant::now();
                let _ = poll::<(), &str, (), _, _>(
                    &ctx,
                    t0 + Duration::from_secs(30),
                    FirstLook::AfterFirstInterval,
                    || {
                        let looks = looks.clone();
                        async move {
                            if t0.elapsed() >= YOUNG {
                                looks.lock().unwrap().push((i, Instant::now()));
                            }
                            Ok(Probe::Pending("DETACHING"))
                        }
                    },
                )
                .await;
            }));
        }
        for w in waits {
            w.await.unwrap();
        }
        let looks = looks.lock().unwrap();
        let instants: std::collections::BTreeSet<Instant> = looks.iter().map(|(_, t)| *t).collect();
        // Unaligned, four waits would look at about four times as many distinct instants.
        assert!(
            instants.len() * 2 < looks.len(),
            "{} looks at {} instants",
            looks.len(),
            instants.len()
        );
        let origin = epoch();
        let on_grid = looks
            .iter()
            .filter(|(_, t)| t.duration_since(origin).as_millis() % 200 == 0)
            .count();
        // All but the first look after youth and the last one at each deadline.
        assert!(
            on_grid + 2 * 4 >= looks.len(),
            "{on_grid} of {} on the grid",
            looks.len()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_look_ends_the_wait_with_its_error() {
        let ctx = Context::default();
        let halt = poll::<(), &str, &str, _, _>(
            &ctx,
            Instant::now() + Duration::from_secs(60),
            FirstLook::Now,
            || async { Err("gone") },
        )
        .await
        .unwrap_err();
        assert_eq!(halt, Halt::Failed("gone"));
    }
}
