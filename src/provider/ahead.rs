//! Reading ahead in the apply walk. Terraform plans each create again just before it applies
//! it, and that plan's checks, then the attach, need the NIC and the instance as read moments
//! ago. With a distant API, reading them there puts a round trip on every create's path. The
//! apply walk knows from its run's journal which attachments its review walk planned to
//! create, so it reads them all, in a few batched calls, every [`EVERY`] until each create
//! has begun: the plan and the attach then find reads under a second old
//! (`zenlayer::lookup::LATEST_SERVES`, the create's `PLAN_READ_MAX_AGE`) and go at once. The
//! zones' regions, which every check needs once, are read beside the first round.
//!
//! Nothing here decides anything: these are ordinary by-ID reads, and every rule about which
//! read may serve whom (never one older than a second, never one from before this process
//! wrote to the object) is the lookup's. Without a journal nothing is read ahead and every
//! plan and create reads for itself, as before.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::provider::LOG_TARGET;
use crate::provider::api::Zec;
use crate::zenlayer::CallLimits;

/// The pause between two rounds of reads; with the round trip it keeps every read under a
/// second old while an API answers within half a second.
pub(crate) const EVERY: Duration = Duration::from_millis(400);
/// Above this many planned creates nothing is read ahead: each round would cost more calls
/// than the round trips it saves.
pub(crate) const MOST: usize = 200;
/// Reading ahead ends when no create has begun for this long (Terraform stopped early, or
/// the rest waits behind something slow).
pub(crate) const IDLE: Duration = Duration::from_secs(20);

/// The attachments the apply walk still has to create, read ahead until each begins.
#[derive(Debug, Default)]
pub(crate) struct ReadAhead {
    started: AtomicBool,
    state: Mutex<Waiting>,
}

#[derive(Debug, Default)]
struct Waiting {
    pairs: BTreeSet<(String, String)>,
    /// When a create last began (or reading ahead started).
    progress: Option<Instant>,
}

impl ReadAhead {
    fn lock(&self) -> std::sync::MutexGuard<'_, Waiting> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts reading `pairs` (NIC, instance) ahead through `api`, once per process; ends on
    /// `stop`. Does nothing for no pairs or more than [`MOST`].
    pub(crate) fn start(
        self: &Arc<Self>,
        api: Arc<dyn Zec>,
        pairs: Vec<(String, String)>,
        stop: CancellationToken,
    ) {
        if pairs.is_empty() || pairs.len() > MOST || self.started.swap(true, Ordering::SeqCst) {
            return;
        }
        {
            let mut waiting = self.lock();
            waiting.pairs = pairs.into_iter().collect();
            waiting.progress = Some(Instant::now());
        }
        tracing::debug!(target: LOG_TARGET, creates = self.lock().pairs.len(), "reading ahead for the apply walk");
        tokio::spawn(Arc::clone(self).run(api, stop));
    }

    /// The create of this attachment has begun: its own reads and writes take over.
    pub(crate) fn begun(&self, nic_id: &str, instance_id: &str) {
        let mut waiting = self.lock();
        if waiting
            .pairs
            .remove(&(nic_id.to_owned(), instance_id.to_owned()))
        {
            waiting.progress = Some(Instant::now());
        }
    }

    /// The NICs and instances still to read, or None once reading ahead should end.
    fn due(&self) -> Option<(Vec<String>, Vec<String>)> {
        let waiting = self.lock();
        let idle = waiting.progress.is_none_or(|p| p.elapsed() >= IDLE);
        if waiting.pairs.is_empty() || idle {
            return None;
        }
        let nics = waiting.pairs.iter().map(|(n, _)| n.clone()).collect();
        let instances: BTreeSet<String> = waiting.pairs.iter().map(|(_, i)| i.clone()).collect();
        Some((nics, instances.into_iter().collect()))
    }

    async fn run(self: Arc<Self>, api: Arc<dyn Zec>, stop: CancellationToken) {
        // The first plans' checks need the instances' regions too: read the zones beside the
        // first round instead of after it.
        let mut zones = true;
        while let Some((nics, instances)) = self.due() {
            let limits = CallLimits {
                deadline: Some(Instant::now() + EVERY * 2),
                cancel: stop.clone(),
            };
            // Failures cost nothing: the plan or the create then reads for itself.
            let nic_reads = nics.iter().map(|id| api.find_nic(id, &limits));
            let instance_reads = instances.iter().map(|id| api.find_instance(id, &limits));
            let zone_read = async {
                if std::mem::take(&mut zones) {
                    let _ = api.read_zones(&limits).await;
                }
            };
            tokio::join!(
                futures_util::future::join_all(nic_reads),
                futures_util::future::join_all(instance_reads),
                zone_read
            );
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tokio::time::sleep(EVERY) => {}
            }
        }
        tracing::debug!(target: LOG_TARGET, "reading ahead ended");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::fake::FakeZec;

    fn world() -> Arc<FakeZec> {
        let api = Arc::new(FakeZec::new());
        api.add_instance("ins-1", "SEL-A")
            .add_nic("nic-1", "SEL")
            .add_nic("nic-2", "SEL");
        api.remember_reads();
        api
    }

    fn pairs(ids: &[(&str, &str)]) -> Vec<(String, String)> {
        ids.iter()
            .map(|(n, i)| ((*n).to_owned(), (*i).to_owned()))
            .collect()
    }

    #[tokio::test(start_paused = true)]
    async fn planned_creates_find_their_reads_under_a_second_old_until_each_begins() {
        let api = world();
        let ahead = Arc::new(ReadAhead::default());
        let zec: Arc<dyn Zec> = api.clone();
        ahead.start(
            zec,
            pairs(&[("nic-1", "ins-1"), ("nic-2", "ins-1")]),
            CancellationToken::new(),
        );
        let fresh = Duration::from_secs(1);
        for _ in 0..10 {
            tokio::time::sleep(Duration::from_millis(350)).await;
            assert!(api.seen_together("nic-1", "ins-1", fresh).is_some());
            assert!(api.seen_together("nic-2", "ins-1", fresh).is_some());
        }
        ahead.begun("nic-1", "ins-1");
        ahead.begun("nic-2", "ins-1");
        tokio::time::sleep(EVERY * 2).await;
        let calls = api.calls();
        tokio::time::sleep(Duration::from_secs(5)).await;
        assert_eq!(api.calls(), calls, "no reads once every create has begun");
        assert!(api.seen_together("nic-1", "ins-1", fresh).is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn reading_ahead_ends_when_no_create_begins_for_a_while_or_terraform_stops() {
        let api = world();
        let zec: Arc<dyn Zec> = api.clone();
        Arc::new(ReadAhead::default()).start(
            zec.clone(),
            pairs(&[("nic-1", "ins-1")]),
            CancellationToken::new(),
        );
        tokio::time::sleep(IDLE + EVERY * 2).await;
        let calls = api.calls();
        tokio::time::sleep(Duration::from_secs(5)).await;
        assert_eq!(api.calls(), calls, "idle: no more reads");

        let stop = CancellationToken::new();
        Arc::new(ReadAhead::default()).start(zec, pairs(&[("nic-2", "ins-1")]), stop.clone());
        tokio::time::sleep(EVERY).await;
        stop.cancel();
        tokio::time::sleep(EVERY * 2).await;
        let calls = api.calls();
        tokio::time::sleep(Duration::from_secs(5)).await;
        assert_eq!(api.calls(), calls, "stopped: no more reads");
    }

    #[tokio::test(start_paused = true)]
    async fn too_many_planned_creates_or_a_second_start_read_nothing_more() {
        let api = world();
        let zec: Arc<dyn Zec> = api.clone();
        let many: Vec<(String, String)> = (0..=MOST)
            .map(|k| (format!("nic-{k}"), "ins-1".to_owned()))
            .collect();
        let ahead = Arc::new(ReadAhead::default());
        ahead.start(zec.clone(), many, CancellationToken::new());
        tokio::time::sleep(EVERY * 3).await;
        assert_eq!(api.calls().total(), 0, "more than MOST: nothing read ahead");

        let ahead = Arc::new(ReadAhead::default());
        ahead.start(
            zec.clone(),
            pairs(&[("nic-1", "ins-1")]),
            CancellationToken::new(),
        );
        ahead.start(zec, pairs(&[("nic-2", "ins-1")]), CancellationToken::new());
        tokio::time::sleep(EVERY * 3).await;
        assert!(
            api.seen_together("nic-1", "ins-1", Duration::from_secs(1))
                .is_some()
        );
        assert!(
            api.seen_together("nic-2", "ins-1", Duration::from_secs(1))
                .is_none(),
            "only the first start reads"
        );
    }
}
