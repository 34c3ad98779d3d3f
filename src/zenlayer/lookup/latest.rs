//! The latest by-ID read of each object, with the moment it was requested, and this process's
//! last write to each: a write may go on what a read requested moments ago showed, instead of
//! reading the same object again, as long as nothing this process did has changed it since.
//!
//! Guarantee: what is served comes from a call that started at or after its stated moment,
//! and is never served once this process wrote to the object after that moment.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use crate::zenlayer::models::{InstanceInfo, NicInfo};

/// The NIC and the instance as reads requested at most `max_age` ago saw them, if neither
/// was written since: what an attach may go on instead of reading them again.
pub(crate) fn seen_together(
    nics: &LatestReads<NicInfo>,
    instances: &LatestReads<InstanceInfo>,
    (nic_id, instance_id): (&str, &str),
    max_age: Duration,
) -> Option<(NicInfo, InstanceInfo)> {
    let since = Instant::now().checked_sub(max_age)?;
    Some((
        nics.since(nic_id, since)?,
        instances.since(instance_id, since)?,
    ))
}

/// What one object was last seen as, and when this process last wrote to it.
struct Entry<T> {
    seen: Option<(T, Instant)>,
    written: Option<Instant>,
}

impl<T> Default for Entry<T> {
    fn default() -> Self {
        Entry {
            seen: None,
            written: None,
        }
    }
}

/// The latest reads of one kind of object, by ID.
pub(crate) struct LatestReads<T> {
    /// Held only to read or update, never across a call.
    state: Mutex<HashMap<String, Entry<T>>>,
}

impl<T> std::fmt::Debug for LatestReads<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LatestReads").finish_non_exhaustive()
    }
}

impl<T> Default for LatestReads<T> {
    fn default() -> Self {
        LatestReads {
            state: Mutex::new(HashMap::new()),
        }
    }
}

impl<T: Clone> LatestReads<T> {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry<T>>> {
        // Every update is one step, so the map is consistent even after a panic.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Notes what a read requested at `requested` found (None: the API does not know the
    /// object, which is never served), unless a read requested later already answered.
    pub(crate) fn saw(&self, id: &str, found: Option<&T>, requested: Instant) {
        let mut state = self.lock();
        let entry = state.entry(id.to_owned()).or_default();
        if entry.seen.as_ref().is_some_and(|(_, at)| *at > requested) {
            return;
        }
        entry.seen = found.map(|value| (value.clone(), requested));
    }

    /// Notes that this process writes to the object now: what was seen before no longer holds.
    pub(crate) fn wrote(&self, id: &str) {
        let mut state = self.lock();
        let entry = state.entry(id.to_owned()).or_default();
        entry.seen = None;
        entry.written = Some(Instant::now());
    }

    /// The object as a read requested at or after `since` saw it, if this process has not
    /// written to it since that read was requested.
    pub(crate) fn since(&self, id: &str, since: Instant) -> Option<T> {
        let state = self.lock();
        let entry = state.get(id)?;
        let (value, at) = entry.seen.as_ref()?;
        let untouched = entry.written.is_none_or(|w| w < *at);
        (*at >= since && untouched).then(|| value.clone())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_latest_read_serves_only_reads_requested_since_and_never_after_a_write() {
        let s = LatestReads::default();
        let t0 = Instant::now();
        s.saw("nic-1", Some(&"AVAILABLE"), t0);
        assert_eq!(s.since("nic-1", t0), Some("AVAILABLE"));
        tokio::time::advance(Duration::from_millis(5)).await;
        assert_eq!(
            s.since("nic-1", Instant::now()),
            None,
            "older than asked for"
        );
        s.wrote("nic-1");
        assert_eq!(s.since("nic-1", t0), None, "written since");
        s.saw("nic-1", Some(&"ATTACHING"), t0);
        assert_eq!(s.since("nic-1", t0), None, "requested before the write");
        tokio::time::advance(Duration::from_millis(5)).await;
        let t1 = Instant::now();
        s.saw("nic-1", Some(&"USED"), t1);
        assert_eq!(s.since("nic-1", t1), Some("USED"));
        s.saw("nic-1", Some(&"AVAILABLE"), t0);
        assert_eq!(
            s.since("nic-1", t0),
            Some("USED"),
            "a later read's answer stays"
        );
        tokio::time::advance(Duration::from_millis(5)).await;
        s.saw("nic-1", None, Instant::now());
        assert_eq!(s.since("nic-1", t0), None, "not found is never served");
        assert_eq!(s.since("nic-2", t0), None);
    }
}
