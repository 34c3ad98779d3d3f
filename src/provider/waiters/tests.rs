use std::sync::{Arc, Mutex};

use tokio_util::sync::CancellationToken;

use super::*;

/// Records the (virtual) time of every look, relative to the start.
fn recorder() -> (Arc<Mutex<Vec<Duration>>>, Instant) {
    (Arc::new(Mutex::new(Vec::new())), Instant::now())
}

#[test]
fn the_schedule_is_short_while_young_then_backs_off_to_a_few_seconds() {
    assert_eq!(interval(Duration::ZERO), GRID);
    assert_eq!(interval(Duration::from_millis(1900)), GRID);
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
async fn a_one_second_operation_is_seen_done_within_1_1_seconds() {
    let (looks, t0) = recorder();
    let ctx = Context::default();
    let l = looks.clone();
    let done = poll_on::<_, &str, (), _, _>(
        &ctx,
        None,
        t0 + Duration::from_secs(600),
        FirstLook::Paced(&Pace::default()),
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
    assert!(done <= Duration::from_millis(1100), "done after {done:?}");
    let looks = looks.lock().unwrap();
    assert_eq!(looks[0], FIRST_CHECK, "first look after 200 ms");
    assert_eq!(looks.len(), 9, "every 100 ms from 200 ms to 1 s: {looks:?}");
}

#[tokio::test(start_paused = true)]
async fn a_slow_operation_costs_few_looks() {
    let (looks, t0) = recorder();
    let ctx = Context::default();
    let l = looks.clone();
    let _ = poll::<(), &str, (), _, _>(
        &ctx,
        &Grid::default(),
        t0 + Duration::from_secs(120),
        FirstLook::Now,
        || {
            let l = l.clone();
            async move {
                l.lock().unwrap().push(t0.elapsed());
                Ok(Probe::Pending("DETACHING"))
            }
        },
    )
    .await;
    let n = looks.lock().unwrap().len();
    // 20 looks in the first 2 s, then intervals growing to 5 s: about 50 in two minutes,
    // where a fixed 100 ms poll would take 1200.
    assert!(n < 55, "{n} looks in two minutes");
}

#[tokio::test(start_paused = true)]
async fn a_timeout_reports_what_was_last_seen_and_looks_last_just_before_the_deadline() {
    let (looks, t0) = recorder();
    let ctx = Context::default();
    let l = looks.clone();
    let halt = poll::<(), String, (), _, _>(
        &ctx,
        &Grid::default(),
        t0 + Duration::from_secs(3),
        FirstLook::Now,
        || {
            let l = l.clone();
            async move {
                let n = {
                    let mut l = l.lock().unwrap();
                    l.push(t0.elapsed());
                    l.len()
                };
                Ok(Probe::Pending(format!("look {n}")))
            }
        },
    )
    .await
    .unwrap_err();
    let looks = looks.lock().unwrap();
    assert_eq!(
        *looks.last().unwrap(),
        Duration::from_secs(3) - FINAL_LOOK_LEAD
    );
    assert_eq!(
        halt,
        Halt::TimedOut {
            last: Some(format!("look {}", looks.len()))
        }
    );
}

/// A look whose read takes `read` and then fails, after `sightings` good looks.
async fn wait_with_slow_failing_reads(
    sightings: usize,
    read: Duration,
) -> (Halt<String, ()>, Duration) {
    let t0 = Instant::now();
    let count = Arc::new(Mutex::new(0usize));
    let halt = poll::<(), String, (), _, _>(
        &Context::default(),
        &Grid::default(),
        t0 + Duration::from_secs(3),
        FirstLook::Now,
        || {
            let count = count.clone();
            async move {
                let n = {
                    let mut c = count.lock().unwrap();
                    *c += 1;
                    *c
                };
                if n <= sightings {
                    return Ok(Probe::Pending(format!("ATTACHING (look {n})")));
                }
                // A read bounded by the wait's deadline, as the real ones are.
                tokio::time::sleep_until((Instant::now() + read).min(t0 + Duration::from_secs(3)))
                    .await;
                Ok(Probe::Unread(format!("read failed (look {n})")))
            }
        },
    )
    .await
    .unwrap_err();
    (halt, t0.elapsed())
}

#[tokio::test(start_paused = true)]
async fn a_wait_never_outlasts_its_deadline_even_when_reads_are_slow() {
    let (_, elapsed) = wait_with_slow_failing_reads(2, Duration::from_secs(60)).await;
    assert!(elapsed <= Duration::from_secs(3), "{elapsed:?}");
}

#[tokio::test(start_paused = true)]
async fn reads_that_fail_never_hide_the_last_sighting() {
    let (halt, _) = wait_with_slow_failing_reads(2, Duration::from_millis(50)).await;
    assert_eq!(
        halt,
        Halt::TimedOut {
            last: Some("ATTACHING (look 2)".to_owned())
        }
    );
}

#[tokio::test(start_paused = true)]
async fn a_wait_that_never_saw_anything_says_why_it_could_not() {
    let (halt, _) = wait_with_slow_failing_reads(0, Duration::from_millis(50)).await;
    let Halt::TimedOut { last: Some(why) } = halt else {
        panic!("timed out with a reason: {halt:?}")
    };
    assert!(why.starts_with("read failed"), "{why}");
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
        &Grid::default(),
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
    assert_eq!(aligned(at(1230), at(1000), origin, GRID), at(1200));
    assert_eq!(aligned(at(1260), at(1000), origin, GRID), at(1300));
    assert_eq!(
        aligned(at(1030), at(1010), origin, GRID),
        at(1100),
        "never in the past"
    );
    assert_eq!(aligned(at(1200), at(1000), origin, GRID), at(1200));
    assert_eq!(
        aligned(at(3400), at(2000), origin, Duration::from_secs(1)),
        at(3000)
    );
}

/// Waits on one grid, started `offsets` ms after one another, for an operation that never
/// ends, each until it is `lasting` old: every look's age within its wait, and its instant.
async fn never_ending_waits(
    grid: &Arc<Grid>,
    offsets: &[u64],
    lasting: Duration,
) -> Vec<(Duration, Instant)> {
    let ctx = Context::default();
    let looks = Arc::new(Mutex::new(Vec::new()));
    let mut waits = Vec::new();
    for &offset in offsets {
        let (looks, ctx, grid) = (looks.clone(), ctx.clone(), grid.clone());
        waits.push(tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(offset)).await;
            let t0 = Instant::now();
            let _ = poll::<(), &str, (), _, _>(
                &ctx,
                &grid,
                t0 + lasting,
                FirstLook::Paced(&Pace::default()),
                || {
                    let looks = looks.clone();
                    async move {
                        looks.lock().unwrap().push((t0.elapsed(), Instant::now()));
                        Ok(Probe::Pending("ATTACHING"))
                    }
                },
            )
            .await;
        }));
    }
    for w in waits {
        w.await.unwrap();
    }
    looks.lock().unwrap().clone()
}

#[tokio::test(start_paused = true)]
async fn concurrent_long_waits_started_at_different_moments_look_at_the_same_instants() {
    let grid = Arc::new(Grid::default());
    let looks: Vec<Instant> = never_ending_waits(&grid, &[0, 37, 81, 133], Duration::from_secs(30))
        .await
        .into_iter()
        .filter(|(age, _)| *age >= YOUNG)
        .map(|(_, at)| at)
        .collect();
    let instants: std::collections::BTreeSet<Instant> = looks.iter().copied().collect();
    // Four waits, nearly every look shared by all of them (not the first after youth,
    // nor the last one at each wait's own deadline).
    assert!(
        instants.len() * 2 < looks.len(),
        "{} looks at {} instants",
        looks.len(),
        instants.len()
    );
    let origin = grid.origin();
    let on_grid = looks
        .iter()
        .filter(|t| t.duration_since(origin).as_millis() % 100 == 0)
        .count();
    // All but the first look after youth and the last one at each deadline.
    assert!(
        on_grid + 2 * 4 >= looks.len(),
        "{on_grid} of {} on the grid",
        looks.len()
    );
}

#[tokio::test(start_paused = true)]
async fn young_waits_started_at_different_moments_look_at_the_same_instants() {
    let grid = Arc::new(Grid::default());
    let looks: Vec<Instant> =
        never_ending_waits(&grid, &[0, 13, 37, 58, 81], Duration::from_millis(1500))
            .await
            .into_iter()
            .map(|(_, at)| at)
            .collect();
    let origin = grid.origin();
    let off_grid: Vec<_> = looks
        .iter()
        .filter(|t| t.duration_since(origin).as_millis() % 100 != 0)
        .collect();
    // Only the last look of each wait, taken at its own deadline, is off the grid.
    assert!(off_grid.len() <= 5, "{} looks off the grid", off_grid.len());
    let instants: std::collections::BTreeSet<Instant> = looks.iter().copied().collect();
    // Five waits, one look per grid point for all of them (plus the deadline looks).
    assert!(
        instants.len() * 3 < looks.len(),
        "{} looks at {} instants",
        looks.len(),
        instants.len()
    );
}

/// Waits for an operation the backend finishes `takes` after it starts.
async fn wait_for(grid: &Grid, pace: &Pace, takes: Duration) -> Duration {
    let ctx = Context::default();
    let t0 = Instant::now();
    poll::<Duration, (), (), _, _>(
        &ctx,
        grid,
        t0 + Duration::from_secs(60),
        FirstLook::Paced(pace),
        || async move {
            let age = t0.elapsed();
            Ok(if age >= takes {
                Probe::Done(age)
            } else {
                Probe::Pending(())
            })
        },
    )
    .await
    .unwrap()
}

#[tokio::test(start_paused = true)]
async fn once_an_operation_was_seen_done_later_ones_as_fast_are_seen_done_no_later() {
    let (grid, pace) = (Grid::default(), Pace::default());
    let second = Duration::from_secs(1);
    let first = wait_for(&grid, &pace, second).await;
    assert!(first >= second && first < second + GRID, "{first:?}");
    assert_eq!(pace.expected(), Some(first));
    for offset in [13, 37, 58, 81] {
        tokio::time::sleep(Duration::from_millis(offset)).await;
        let later = wait_for(&grid, &pace, second).await;
        // Its own look at the learned age, or an earlier grid look, sees it done.
        assert!(later <= first, "{later:?} after {first:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_steady_backend_is_seen_done_ever_sooner_until_within_the_early_probe_of_its_end() {
    let (grid, pace) = (Grid::default(), Pace::default());
    // Ends between grid points, so the first wait sees it done up to a grid step late.
    let takes = Duration::from_millis(1003);
    let first = wait_for(&grid, &pace, takes).await;
    assert!(first >= takes + Duration::from_millis(50), "{first:?}");
    let mut seen = Vec::new();
    // Each wait starts at the same phase of the grid, as waves of Terraform's workers do.
    for offset in [100, 200, 100, 300, 100, 200] {
        tokio::time::sleep(Duration::from_millis(offset)).await;
        seen.push(wait_for(&grid, &pace, takes).await);
    }
    let last = *seen.last().unwrap();
    assert!(
        last >= takes && last < takes + PROBE_EARLY,
        "first {first:?}, then {seen:?}"
    );
}

/// Waits, with the pace at 1 s, for an operation of `takes` behind an API a 100 ms round
/// trip away: when the look that saw it done was sent, and when its answer came.
async fn distant_wait(takes: Duration) -> (Duration, Duration) {
    distant_wait_at(Some(Duration::from_secs(1)), takes, &Arc::default()).await
}

/// [`distant_wait`] with the pace at `paced` (or none learned yet), recording when every look
/// was sent in `sends`.
async fn distant_wait_at(
    paced: Option<Duration>,
    takes: Duration,
    sends: &Arc<Mutex<Vec<Duration>>>,
) -> (Duration, Duration) {
    let (grid, pace) = (Grid::default(), Pace::default());
    if let Some(p) = paced {
        pace.seen_done(p, None);
    }
    let trip = Duration::from_millis(100);
    let t0 = Instant::now();
    let sends = sends.clone();
    let sent = poll::<Duration, (), (), _, _>(
        &Context::default(),
        &grid,
        t0 + Duration::from_secs(60),
        FirstLook::Paced(&pace),
        move || {
            let sends = sends.clone();
            async move {
                // The API sees the look half a round trip after it is sent.
                let sent = t0.elapsed();
                sends.lock().unwrap().push(sent);
                tokio::time::sleep(trip / 2).await;
                let done = t0.elapsed() >= takes + trip / 2;
                tokio::time::sleep(trip / 2).await;
                Ok(if done {
                    Probe::Done(sent)
                } else {
                    Probe::Pending(())
                })
            }
        },
    )
    .await
    .unwrap();
    (sent, t0.elapsed())
}

#[tokio::test(start_paused = true)]
async fn with_a_distant_api_the_look_at_the_pace_goes_while_a_grid_look_is_still_on_its_way() {
    // The grid look sent at 800 ms answers at 900 ms; the pace (850 ms) is between the two.
    let pace = Duration::from_millis(850);
    let trip = Duration::from_millis(100);
    let (sent, answered) = distant_wait_at(Some(pace), pace, &Arc::default()).await;
    assert_eq!((sent, answered), (pace, pace + trip));
}

#[tokio::test(start_paused = true)]
async fn with_a_distant_api_grid_looks_keep_their_spacing_not_the_round_trip() {
    let sends = Arc::default();
    let takes = Duration::from_millis(1000);
    let (sent, _) = distant_wait_at(None, takes, &sends).await;
    let sends = sends.lock().unwrap().clone();
    let expected: Vec<Duration> = (2..=10).map(|k| GRID * k).collect();
    assert_eq!(sends, expected, "a look every 100 ms from 200 ms");
    assert_eq!(sent, takes, "seen done by the first look that could");
}

#[tokio::test(start_paused = true)]
async fn with_a_distant_api_each_own_look_goes_at_its_time_whatever_the_earlier_ones_answer() {
    let (second, trip) = (Duration::from_secs(1), Duration::from_millis(100));
    // The probe finds it still going; the look at the pace, already on its way, sees it done.
    assert_eq!(distant_wait(second).await, (second, second + trip));
    // A hair slower: the follow-up, sent FOLLOW_UP after the look at the pace.
    let later = second + FOLLOW_UP;
    let slower = distant_wait(second + Duration::from_millis(4)).await;
    assert_eq!(slower, (later, later + trip));
}

#[tokio::test(start_paused = true)]
async fn an_operation_a_hair_slower_than_the_pace_is_seen_by_the_follow_up_look() {
    let (grid, pace) = (Grid::default(), Pace::default());
    let second = Duration::from_secs(1);
    pace.seen_done(second, None);
    let done = wait_for(&grid, &pace, second + Duration::from_millis(3)).await;
    assert!(done <= second + FOLLOW_UP, "{done:?}");
}

#[tokio::test(start_paused = true)]
async fn a_slower_operation_than_the_pace_is_still_seen_on_the_grid() {
    let (grid, pace) = (Grid::default(), Pace::default());
    pace.seen_done(Duration::from_millis(500), None);
    let done = wait_for(&grid, &pace, Duration::from_millis(1500)).await;
    assert!(done < Duration::from_millis(1500) + GRID, "{done:?}");
    assert_eq!(pace.expected(), Some(Duration::from_millis(500)));
}

#[tokio::test(start_paused = true)]
async fn a_faster_operation_than_the_pace_is_seen_on_the_grid_and_teaches_it() {
    let (grid, pace) = (Grid::default(), Pace::default());
    pace.seen_done(Duration::from_secs(2), None);
    let done = wait_for(&grid, &pace, Duration::from_millis(500)).await;
    assert!(done < Duration::from_millis(500) + GRID, "{done:?}");
    assert_eq!(pace.expected(), Some(done));
}

#[tokio::test(start_paused = true)]
async fn a_failed_look_ends_the_wait_with_its_error() {
    let ctx = Context::default();
    let halt = poll::<(), &str, &str, _, _>(
        &ctx,
        &Grid::default(),
        Instant::now() + Duration::from_secs(60),
        FirstLook::Now,
        || async { Err("gone") },
    )
    .await
    .unwrap_err();
    assert_eq!(halt, Halt::Failed("gone"));
}

/// The ages at which a wait for an operation of `takes` looked.
async fn looks_of_a_wait(grid: &Grid, pace: &Pace, takes: Duration) -> Vec<Duration> {
    let (looks, t0) = recorder();
    let l = looks.clone();
    poll::<(), (), (), _, _>(
        &Context::default(),
        grid,
        t0 + Duration::from_secs(60),
        FirstLook::Paced(pace),
        || {
            let l = l.clone();
            async move {
                let age = t0.elapsed();
                l.lock().unwrap().push(age);
                Ok(if age >= takes {
                    Probe::Done(())
                } else {
                    Probe::Pending(())
                })
            }
        },
    )
    .await
    .unwrap();
    looks.lock().unwrap().clone()
}

#[tokio::test(start_paused = true)]
async fn once_a_probe_finds_the_operation_still_going_waits_at_that_pace_probe_no_more() {
    let (grid, pace) = (Grid::default(), Pace::default());
    let second = Duration::from_secs(1);
    pace.seen_done(second, None);
    let probe = second - PROBE_EARLY;
    let first = looks_of_a_wait(&grid, &pace, second).await;
    assert!(first.contains(&probe), "the first wait probes: {first:?}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let second_wait = looks_of_a_wait(&grid, &pace, second).await;
    assert!(!second_wait.contains(&probe), "{second_wait:?}");
    assert_eq!(
        second_wait.last(),
        Some(&second),
        "still seen done at the pace"
    );
}

#[test]
fn probes_halve_the_span_where_operations_end_then_stop() {
    let ms = Duration::from_millis;
    let pace = Pace::default();
    assert_eq!(pace.probe_age(), None, "nothing learned yet");
    pace.seen_done(ms(1000), None);
    assert_eq!(
        pace.probe_age(),
        Some(ms(1000) - PROBE_EARLY),
        "unbounded below"
    );
    // Seen done at 1000 ms by a look sent 100 ms after one that saw it still going.
    pace.seen_done(ms(1000), Some(ms(900)));
    assert_eq!(pace.probe_age(), Some(ms(950)));
    pace.probe_missed(ms(950));
    assert_eq!(pace.probe_age(), Some(ms(975)));
    pace.seen_done(ms(975), Some(ms(950)));
    assert_eq!(
        pace.expected(),
        Some(ms(975)),
        "a probe that hit moves the pace"
    );
    assert_eq!(pace.probe_age(), Some(Duration::from_micros(962_500)));
    pace.probe_missed(Duration::from_micros(962_500));
    assert_eq!(
        pace.probe_age(),
        None,
        "12.5 ms left: the pace and its follow-up cover it"
    );
    // A slower operation's sightings never count against the faster pace.
    pace.seen_done(ms(1200), Some(ms(1100)));
    assert_eq!(pace.expected(), Some(ms(975)));
    assert_eq!(pace.probe_age(), None);
}
