//! The transition timers still running, so a test can wait for the world to settle instead
//! of sleeping for a guessed time.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::Notify;

/// Counts the timers in flight and wakes waiters when the last one ends.
#[derive(Debug, Default)]
pub(crate) struct Timers {
    running: AtomicUsize,
    ended: Notify,
}

impl Timers {
    /// Marks one timer as started; it counts until the returned guard is dropped.
    pub(crate) fn start(self: &Arc<Self>) -> Running {
        self.running.fetch_add(1, Ordering::SeqCst);
        Running(Arc::clone(self))
    }

    /// Returns once no timer is running (at once if none is).
    pub(crate) async fn all_ended(&self) {
        loop {
            let ended = self.ended.notified();
            tokio::pin!(ended);
            // Registered before the check, so an ending between the check and the wait wakes us.
            ended.as_mut().enable();
            if self.running.load(Ordering::SeqCst) == 0 {
                return;
            }
            ended.await;
        }
    }
}

/// One running timer; ending it (on drop, also when its task is cancelled) may wake waiters.
pub(crate) struct Running(Arc<Timers>);

impl Drop for Running {
    fn drop(&mut self) {
        if self.0.running.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.ended.notify_waiters();
        }
    }
}
