//! Handovers: one attachment (a NIC on an instance) leaving one object in state and arriving
//! at another in the same run, as when a `for_each` key is renamed, `count` becomes
//! `for_each`, or a resource moves into a module without a `moved` block. Terraform plans a
//! destroy of the old address and a create of the new one and runs them in either order, so
//! without care the destroy detaches a NIC the create has just adopted.
//!
//! The rule: a delete sends no detach when this run hands its attachment over, and a create
//! adopts an attachment only when it is handed over (or its own attach made it). The two
//! sides learn of each other here, per process:
//! - in the plan process, a planned create of a pair that state already holds *arrives*; the
//!   old object's destroy plan (Terraform >= 1.3) or refresh (older versions) that sees the
//!   arrival writes the handover into the private data its delete receives;
//! - a create planned after its departure was sealed without a handover cannot be made safe:
//!   the plan says so (an error with the `moved` block to add) instead of letting the apply
//!   detach the NIC;
//! - in the apply process, a create that adopted a pair arrives again, so a delete of that
//!   pair that runs later sends no detach even if its plan did not know.
//!
//! Each record is a plain set entry; nothing here calls the API.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use crate::framework::Context;

/// How long a planned create waits to learn what happens to the object in state that holds
/// its attachment (kept, or destroyed in this run). Only creates of attachments state already
/// holds pay it, and only until the holder's plan arrives.
pub(crate) const FATE_WINDOW: Duration = Duration::from_secs(2);

/// How long the destroy plan of an attachment (outside `terraform destroy`) waits for a create
/// of the same attachment at another address before it seals its delete as a plain detach.
pub(crate) const ARRIVAL_WINDOW: Duration = Duration::from_secs(1);

type Pair = (String, String);

/// What became of an object in state that holds an attachment, as far as this process knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fate {
    /// Planned to stay (no change, or an in-place update).
    Kept,
    /// Planned for destruction; `handed_over` tells whether its delete was told to leave the
    /// NIC attached.
    Leaving { handed_over: bool },
    /// Nothing planned for it yet (Terraform < 1.3 never plans destroys with the provider).
    Unseen,
}

#[derive(Debug, Default)]
struct Records {
    arrivals: HashSet<Pair>,
    departures: HashMap<Pair, bool>,
    kept: HashSet<Pair>,
}

/// The handover records of this process.
#[derive(Debug, Default)]
pub(crate) struct Handovers {
    records: Mutex<Records>,
    changed: Notify,
}

fn pair(nic_id: &str, instance_id: &str) -> Pair {
    (nic_id.to_owned(), instance_id.to_owned())
}

impl Handovers {
    fn with<T>(&self, f: impl FnOnce(&mut Records) -> T) -> T {
        match self.records.lock() {
            Ok(mut r) => f(&mut r),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }

    /// Records something and wakes every waiter.
    fn note(&self, f: impl FnOnce(&mut Records)) {
        self.with(f);
        self.changed.notify_waiters();
    }

    /// A create in this process keeps `nic_id` on `instance_id` (planned, or adopted).
    pub(crate) fn arrive(&self, nic_id: &str, instance_id: &str) {
        self.note(|r| {
            r.arrivals.insert(pair(nic_id, instance_id));
        });
    }

    /// True when a create in this process keeps `nic_id` on `instance_id`.
    pub(crate) fn arrived(&self, nic_id: &str, instance_id: &str) -> bool {
        self.with(|r| r.arrivals.contains(&pair(nic_id, instance_id)))
    }

    /// An object holding the attachment is planned to stay.
    pub(crate) fn keep(&self, nic_id: &str, instance_id: &str) {
        self.note(|r| {
            r.kept.insert(pair(nic_id, instance_id));
        });
    }

    /// An object holding the attachment is planned for destruction; its delete hands the
    /// attachment over or not.
    pub(crate) fn depart(&self, nic_id: &str, instance_id: &str, handed_over: bool) {
        self.note(|r| {
            r.departures.insert(pair(nic_id, instance_id), handed_over);
        });
    }

    /// Forgets everything, as a new process would start.
    #[cfg(test)]
    pub(crate) fn clear(&self) {
        self.note(|r| *r = Records::default());
    }

    fn fate_now(&self, key: &Pair) -> Fate {
        self.with(|r| {
            if r.kept.contains(key) {
                Fate::Kept
            } else if let Some(handed_over) = r.departures.get(key) {
                Fate::Leaving {
                    handed_over: *handed_over,
                }
            } else {
                Fate::Unseen
            }
        })
    }

    /// Waits up to `within` (or until Stop) for the fate of the object holding the attachment.
    pub(crate) async fn fate(
        &self,
        ctx: &Context,
        nic_id: &str,
        instance_id: &str,
        within: Duration,
    ) -> Fate {
        let key = pair(nic_id, instance_id);
        self.until(ctx, within, || self.fate_now(&key), |f| *f != Fate::Unseen)
            .await
    }

    /// Waits up to `within` (or until Stop) for a create of the attachment; true if one came.
    pub(crate) async fn wait_for_arrival(
        &self,
        ctx: &Context,
        nic_id: &str,
        instance_id: &str,
        within: Duration,
    ) -> bool {
        self.until(ctx, within, || self.arrived(nic_id, instance_id), |a| *a)
            .await
    }

    /// Reads `look` again at every record until `done` holds, `within` ends, or Stop.
    async fn until<T>(
        &self,
        ctx: &Context,
        within: Duration,
        look: impl Fn() -> T,
        done: impl Fn(&T) -> bool,
    ) -> T {
        let deadline = Instant::now() + within;
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let seen = look();
            if done(&seen) {
                return seen;
            }
            tokio::select! {
                _ = &mut notified => {}
                _ = tokio::time::sleep_until(deadline) => return look(),
                _ = ctx.stopped() => return look(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_fate_is_unseen_until_the_holder_is_planned() {
        let h = Handovers::default();
        let t0 = Instant::now();
        let fate = h
            .fate(&Context::default(), "nic-1", "ins-1", FATE_WINDOW)
            .await;
        assert_eq!(fate, Fate::Unseen);
        assert_eq!(t0.elapsed(), FATE_WINDOW);
    }

    #[tokio::test(start_paused = true)]
    async fn a_waiting_create_learns_the_holders_fate_as_soon_as_it_is_planned() {
        let h = Arc::new(Handovers::default());
        let t0 = Instant::now();
        tokio::spawn({
            let h = h.clone();
            async move {
                tokio::time::sleep(Duration::from_millis(300)).await;
                h.depart("nic-1", "ins-1", true);
            }
        });
        let fate = h
            .fate(&Context::default(), "nic-1", "ins-1", FATE_WINDOW)
            .await;
        assert_eq!(fate, Fate::Leaving { handed_over: true });
        assert_eq!(t0.elapsed(), Duration::from_millis(300));
    }

    #[tokio::test(start_paused = true)]
    async fn a_kept_holder_wins_over_a_departure() {
        let h = Handovers::default();
        h.depart("nic-1", "ins-1", false);
        h.keep("nic-1", "ins-1");
        assert_eq!(
            h.fate(&Context::default(), "nic-1", "ins-1", FATE_WINDOW)
                .await,
            Fate::Kept
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_destroy_plan_sees_a_create_that_arrives_within_the_window() {
        let h = Arc::new(Handovers::default());
        tokio::spawn({
            let h = h.clone();
            async move {
                tokio::time::sleep(Duration::from_millis(10)).await;
                h.arrive("nic-1", "ins-1");
            }
        });
        assert!(
            h.wait_for_arrival(&Context::default(), "nic-1", "ins-1", ARRIVAL_WINDOW)
                .await
        );
        assert!(
            !h.wait_for_arrival(&Context::default(), "nic-1", "ins-2", ARRIVAL_WINDOW)
                .await,
            "another instance is another attachment"
        );
    }
}
