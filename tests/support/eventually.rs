//! Waiting for something another thread or task brings about: poll, bounded, and say what never
//! happened, in place of each test's own loop or a guessed sleep.

#![allow(dead_code, unreachable_pub)]

use std::time::{Duration, Instant};

/// How often a condition is looked at again.
const POLL: Duration = Duration::from_millis(20);

/// Waits (up to `limit`) until `done` holds; panics naming `what` and the time waited.
#[track_caller]
pub fn eventually(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < limit,
            "gave up after {limit:?} waiting for {what}"
        );
        std::thread::sleep(POLL);
    }
}

/// [`eventually`] for async tests: `look` returns `Ok` once the wait is over, and that value
/// is returned; until then it returns what it saw, named in the failure.
pub async fn eventually_async<T, L, F>(what: &str, limit: Duration, mut look: L) -> T
where
    L: FnMut() -> F,
    F: std::future::Future<Output = Result<T, String>>,
{
    let start = Instant::now();
    loop {
        match look().await {
            Ok(value) => return value,
            Err(seen) => assert!(
                start.elapsed() < limit,
                "gave up after {limit:?} waiting for {what}; last seen: {seen}"
            ),
        }
        tokio::time::sleep(POLL).await;
    }
}
