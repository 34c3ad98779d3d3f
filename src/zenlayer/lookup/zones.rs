//! zone → region, cached for the life of the process: zones do not change, and every plan
//! check needs the region of its instance's zone.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use super::super::Error;
use super::super::client::{CallLimits, Client, give_up};
use super::super::models::action;

/// zone → region, filled by `DescribeZones`. Reads never wait for a refresh in progress.
#[derive(Debug, Default)]
pub(super) struct ZoneCache {
    known: RwLock<Arc<HashMap<String, String>>>,
    /// Serialises refreshes so that concurrent misses share one call.
    refresh: tokio::sync::Mutex<RefreshState>,
    /// Refreshes finished (successfully or with a shareable error), for "did one finish
    /// after I asked?" checks without the lock.
    completed: AtomicU64,
}

#[derive(Debug, Default)]
struct RefreshState {
    /// The error of the last finished refresh, if it failed.
    last_error: Option<Error>,
}

impl ZoneCache {
    pub(super) fn cached(&self, zone_id: &str) -> Option<String> {
        let known = self.known.read().unwrap_or_else(|p| p.into_inner());
        known.get(zone_id).cloned()
    }

    /// Makes sure a refresh finished after this call began: waits for one in progress and
    /// shares its outcome, or runs one.
    pub(super) async fn refresh(&self, client: &Client, limits: &CallLimits) -> Result<(), Error> {
        let asked = self.completed.load(Ordering::Acquire);
        let action = action::DESCRIBE_ZONES;
        let mut state = tokio::select! {
            biased;
            s = self.refresh.lock() => s,
            reason = limits.ended() => return Err(give_up(action, 0, reason, None)),
        };
        if self.completed.load(Ordering::Acquire) > asked {
            return match &state.last_error {
                Some(e) => Err(e.clone()),
                None => Ok(()),
            };
        }
        match client.describe_zones(limits).await {
            Ok(zones) => {
                let map: HashMap<String, String> = zones
                    .into_iter()
                    .map(|z| (z.zone_id, z.region_id))
                    .collect();
                *self.known.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(map);
                state.last_error = None;
                self.completed.fetch_add(1, Ordering::AcqRel);
                Ok(())
            }
            // This caller's own deadline or stop is not an answer to share with others.
            Err(e @ Error::GaveUp { .. }) => Err(e),
            Err(e) => {
                state.last_error = Some(e.clone());
                self.completed.fetch_add(1, Ordering::AcqRel);
                Err(e)
            }
        }
    }
}
