//! What this process has seen in Terraform state: which (NIC, instance) attachments objects in
//! state hold. Plan checks use it to tell "attached by something Terraform manages" (fine, or a
//! warning) from "attached behind Terraform's back" (an error).
//!
//! Terraform upgrades and refreshes each object lazily, inside that object's own graph node and
//! up to 10 at a time, so a new attachment's plan can run before the object holding its NIC was
//! loaded. [`StateMemory::wait_for_nic`] therefore lets a check that is about to report "nobody
//! in state holds this" wait briefly, woken by every new observation, before it does.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use crate::framework::Context;

/// How long a check waits for state to mention a NIC before judging it unheld. Loading state
/// for a whole configuration takes well under this; only plans about to fail pay it.
pub(crate) const SETTLE: Duration = Duration::from_secs(2);

/// The attachments objects in state hold, as seen by this process.
#[derive(Debug, Default)]
pub(crate) struct StateMemory {
    /// NIC ID → instance IDs.
    pairs: Mutex<HashMap<String, BTreeSet<String>>>,
    /// NIC ID → the instance an object in state attached it to, for NICs a refresh found moved
    /// to another instance outside Terraform.
    moved_away: Mutex<HashMap<String, String>>,
    changed: Notify,
}

impl StateMemory {
    /// Notes that an object in state holds `nic_id` on `instance_id`.
    pub(crate) fn record(&self, nic_id: &str, instance_id: &str) {
        if nic_id.is_empty() || instance_id.is_empty() {
            return;
        }
        let added = self.with(|m| {
            m.entry(nic_id.to_owned())
                .or_default()
                .insert(instance_id.to_owned())
        });
        if added {
            self.changed.notify_waiters();
        }
    }

    /// Notes that state no longer holds that attachment (destroyed, or found gone or moved).
    pub(crate) fn forget(&self, nic_id: &str, instance_id: &str) {
        self.with(|m| {
            if let Some(set) = m.get_mut(nic_id) {
                set.remove(instance_id);
                if set.is_empty() {
                    m.remove(nic_id);
                }
            }
        });
    }

    /// Notes that a refresh found `nic_id`, which an object attached to `instance_id`, moved
    /// to another instance outside Terraform.
    pub(crate) fn moved_away(&self, nic_id: &str, instance_id: &str) {
        let mut m = self
            .moved_away
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        m.insert(nic_id.to_owned(), instance_id.to_owned());
    }

    /// The instance an object attached `nic_id` to before someone moved it, if a refresh saw it.
    pub(crate) fn moved_from(&self, nic_id: &str) -> Option<String> {
        let m = self
            .moved_away
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        m.get(nic_id).cloned()
    }

    /// The instances objects in state hold `nic_id` on.
    pub(crate) fn holders(&self, nic_id: &str) -> BTreeSet<String> {
        self.with(|m| m.get(nic_id).cloned().unwrap_or_default())
    }

    /// Waits up to `within` (or until Stop) for state to mention `nic_id`; returns its holders.
    pub(crate) async fn wait_for_nic(
        &self,
        ctx: &Context,
        nic_id: &str,
        within: Duration,
    ) -> BTreeSet<String> {
        let deadline = Instant::now() + within;
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let holders = self.holders(nic_id);
            if !holders.is_empty() {
                return holders;
            }
            tokio::select! {
                _ = &mut notified => {}
                _ = tokio::time::sleep_until(deadline) => return self.holders(nic_id),
                _ = ctx.stopped() => return self.holders(nic_id),
            }
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut HashMap<String, BTreeSet<String>>) -> T) -> T {
        match self.pairs.lock() {
            Ok(mut m) => f(&mut m),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn records_and_forgets_attachments() {
        let m = StateMemory::default();
        m.record("nic-1", "ins-1");
        m.record("nic-1", "ins-1");
        m.record("nic-1", "ins-2");
        assert_eq!(m.holders("nic-1").len(), 2);
        m.forget("nic-1", "ins-1");
        assert_eq!(m.holders("nic-1"), BTreeSet::from(["ins-2".to_owned()]));
        m.forget("nic-1", "ins-2");
        assert!(m.holders("nic-1").is_empty());
        m.record("", "ins-1");
        assert!(m.holders("").is_empty(), "half-known pairs are ignored");
    }

    #[tokio::test(start_paused = true)]
    async fn a_waiting_check_wakes_as_soon_as_state_mentions_the_nic() {
        let m = Arc::new(StateMemory::default());
        let t0 = Instant::now();
        tokio::spawn({
            let m = m.clone();
            async move {
                tokio::time::sleep(Duration::from_millis(300)).await;
                m.record("nic-other", "ins-9");
                tokio::time::sleep(Duration::from_millis(200)).await;
                m.record("nic-1", "ins-2");
            }
        });
        let holders = m.wait_for_nic(&Context::default(), "nic-1", SETTLE).await;
        assert_eq!(holders, BTreeSet::from(["ins-2".to_owned()]));
        assert_eq!(t0.elapsed(), Duration::from_millis(500));
    }

    #[tokio::test(start_paused = true)]
    async fn a_waiting_check_gives_up_after_the_settle_time() {
        let m = StateMemory::default();
        let t0 = Instant::now();
        assert!(
            m.wait_for_nic(&Context::default(), "nic-1", SETTLE)
                .await
                .is_empty()
        );
        assert_eq!(t0.elapsed(), SETTLE);
    }

    #[tokio::test(start_paused = true)]
    async fn a_known_nic_does_not_wait() {
        let m = StateMemory::default();
        m.record("nic-1", "ins-1");
        let t0 = Instant::now();
        assert_eq!(
            m.wait_for_nic(&Context::default(), "nic-1", SETTLE)
                .await
                .len(),
            1
        );
        assert_eq!(t0.elapsed(), Duration::ZERO);
    }
}
