//! Shared reads for many concurrent Terraform RPCs, each with a stated freshness:
//!
//! - [`Lookup::nic`], [`Lookup::instance`]: *fresh*. The answer comes from a Describe call
//!   that started after the lookup was requested. Lookups arriving while a call is in flight
//!   are batched into the next call (up to 100 IDs, at most two calls in flight per kind, five
//!   when calls are slow to answer: see `batcher`).
//! - [`Lookup::poll_nic`]: fresh too, for waiters. The call may wait up to [`POLL_GATHER`]
//!   so that the polls of many resources waiting at once share one call.
//! - [`Lookup::recent_nic`], [`Lookup::recent_instance`]: for refresh and plan checks, which
//!   are point-in-time reads. The answer may come from a listing of the account, or from
//!   another recent lookup's by-ID read, made after this process's last write and last
//!   noticed change, and requested less than [`snapshot::TTL`] ago, or, in a process that
//!   has never written (a plan walk), less than [`snapshot::WALK_TTL`] ago (see `snapshot`). The account is
//!   listed only once [`snapshot::LIST_AFTER`] distinct IDs were asked about; "not found"
//!   is always read fresh.
//! - [`Lookup::region_of_zone`]: zone → region, cached for the process (zones do not change).
//! - [`Lookup::nic_seen_since`], [`Lookup::instance_seen_since`]: what the latest by-ID read
//!   requested since a given moment saw, unless this process wrote to the object after it;
//!   for a write whose plan read its subjects a moment ago (see `latest`).
//!
//! Writes go through [`Lookup::attach_network_interface`] and
//! [`Lookup::detach_network_interface`], which retire every listing before and after they
//! run, and hold off new listings for [`snapshot::TTL`]: a read after this process's own
//! write is never served from a listing. A fresh read that sees an object differ from the
//! serving listing retires it too.

mod batcher;
mod latest;
pub mod snapshot;
mod zones;

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::Error;
use super::client::{CallLimits, Client};
use super::filter::NicFilter;
use super::models::{
    DescribeInstancesResponse, DescribeNetworkInterfacesResponse, DescribePage, InstanceInfo,
    MAX_PAGE_SIZE, NicInfo,
};
use batcher::{Batcher, Fetch};
pub(crate) use latest::{LatestReads, seen_together};
use snapshot::{Epoch, ListPage, Page, Recent, Search, Snapshots};
use zones::ZoneCache;

/// How long a waiter's poll may wait for the polls of other waiters before its call starts.
/// Waiters look on a shared grid, so their polls arrive within a few milliseconds.
pub const POLL_GATHER: Duration = Duration::from_millis(2);

/// Batched, shared lookups over a [`Client`]. Cheap to clone; clones share batches, listings
/// and caches.
#[derive(Clone, Debug)]
pub struct Lookup {
    client: Client,
    nics: Reads<NicInfo>,
    instances: Reads<InstanceInfo>,
    zones: Arc<ZoneCache>,
    epoch: Arc<Epoch>,
    poll_gather: Duration,
}

impl Lookup {
    pub fn new(client: Client) -> Lookup {
        let epoch = Arc::new(Epoch::default());
        Lookup {
            nics: Reads::new::<DescribeNetworkInterfacesResponse>(&client, &epoch),
            instances: Reads::new::<DescribeInstancesResponse>(&client, &epoch),
            zones: Arc::new(ZoneCache::default()),
            epoch,
            client,
            poll_gather: POLL_GATHER,
        }
    }

    /// This lookup with polls gathered for `window` instead of [`POLL_GATHER`] (tests).
    pub fn with_poll_gather(mut self, window: Duration) -> Lookup {
        self.poll_gather = window;
        self
    }

    /// The underlying client. Writes should go through this `Lookup` instead, so that they
    /// retire the listings.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The NIC with this ID, or None if the API does not know it. Always read by a call that
    /// started after this request.
    pub async fn nic(&self, nic_id: &str, limits: &CallLimits) -> Result<Option<NicInfo>, Error> {
        self.nics.fresh(nic_id, limits, Duration::ZERO).await
    }

    /// [`Lookup::nic`] for a waiter's poll: the call may wait up to [`POLL_GATHER`] so that
    /// the polls of other waiters share it.
    pub async fn poll_nic(
        &self,
        nic_id: &str,
        limits: &CallLimits,
    ) -> Result<Option<NicInfo>, Error> {
        self.nics.fresh(nic_id, limits, self.poll_gather).await
    }

    /// The instance with this ID, or None if the API does not know it. Always read by a call
    /// that started after this request.
    pub async fn instance(
        &self,
        instance_id: &str,
        limits: &CallLimits,
    ) -> Result<Option<InstanceInfo>, Error> {
        self.instances
            .fresh(instance_id, limits, Duration::ZERO)
            .await
    }

    /// The NIC as a recent read saw it (see the module docs), else read fresh. For refresh
    /// and plan checks only: never after this process's own write.
    pub async fn recent_nic(
        &self,
        nic_id: &str,
        limits: &CallLimits,
    ) -> Result<Option<NicInfo>, Error> {
        self.nics.recent(nic_id, limits).await
    }

    /// Every NIC of the account that `filter` matches, for plan-time searches (data
    /// sources). Served, like [`Lookup::recent_nic`], from a complete listing requested less
    /// than [`snapshot::TTL`] ago in this epoch, which the second distinct search starts;
    /// otherwise the search goes to the API with its filters, every page. An empty answer is
    /// always the API's. What a search finds serves the recent lookups after it.
    pub async fn recent_nics(
        &self,
        filter: &NicFilter,
        limits: &CallLimits,
    ) -> Result<Vec<NicInfo>, Error> {
        let key = format!("{filter:?}");
        let matches = |nic: &NicInfo| filter.matches(nic);
        let ticket = match self.nics.listed.search(&key, &matches, limits).await {
            Search::Listed(found) if !found.is_empty() => return Ok(found),
            Search::Listed(_) => self.nics.listed.ticket(),
            Search::ReadFiltered(ticket) => ticket,
        };
        let found = self.client.describe_nics_where(filter, limits).await?;
        for nic in &found {
            self.nics.listed.observe(&nic.nic_id, Some(nic));
            self.nics.listed.remember(&nic.nic_id, Some(nic), ticket);
        }
        Ok(found)
    }

    /// The instance as a recent read saw it, else read fresh. For refresh and plan checks.
    pub async fn recent_instance(
        &self,
        instance_id: &str,
        limits: &CallLimits,
    ) -> Result<Option<InstanceInfo>, Error> {
        self.instances.recent(instance_id, limits).await
    }

    /// The NIC as the latest by-ID read requested at or after `since` saw it, unless this
    /// process wrote to it after that read; None if the API did not know it.
    pub fn nic_seen_since(&self, nic_id: &str, since: Instant) -> Option<NicInfo> {
        self.nics.latest.since(nic_id, since)
    }

    /// [`Lookup::nic_seen_since`] for an instance; writes to an instance are the attaches to it.
    pub fn instance_seen_since(&self, instance_id: &str, since: Instant) -> Option<InstanceInfo> {
        self.instances.latest.since(instance_id, since)
    }

    /// The NIC and the instance as by-ID reads requested at most `max_age` ago saw them, if
    /// this process wrote to neither since.
    pub fn seen_together(
        &self,
        nic_id: &str,
        instance_id: &str,
        max_age: Duration,
    ) -> Option<(NicInfo, InstanceInfo)> {
        seen_together(
            &self.nics.latest,
            &self.instances.latest,
            (nic_id, instance_id),
            max_age,
        )
    }

    /// `AttachNetworkInterface`, retiring the listings before and after it.
    pub async fn attach_network_interface(
        &self,
        nic_id: &str,
        instance_id: &str,
        limits: &CallLimits,
    ) -> Result<String, Error> {
        let wrote = || {
            self.epoch.wrote();
            self.nics.latest.wrote(nic_id);
            self.instances.latest.wrote(instance_id);
        };
        wrote();
        let answer = self
            .client
            .attach_network_interface(nic_id, instance_id, limits)
            .await;
        wrote();
        answer
    }

    /// `DetachNetworkInterface`, retiring the listings before and after it.
    pub async fn detach_network_interface(
        &self,
        nic_id: &str,
        limits: &CallLimits,
    ) -> Result<String, Error> {
        let wrote = || {
            self.epoch.wrote();
            self.nics.latest.wrote(nic_id);
        };
        wrote();
        let answer = self.client.detach_network_interface(nic_id, limits).await;
        wrote();
        answer
    }

    /// The region a zone belongs to, or None for a zone the API does not list. Served from
    /// the cache; a zone missing from it triggers one shared `DescribeZones`.
    pub async fn region_of_zone(
        &self,
        zone_id: &str,
        limits: &CallLimits,
    ) -> Result<Option<String>, Error> {
        if let Some(region) = self.zones.cached(zone_id) {
            return Ok(Some(region));
        }
        self.zones.refresh(&self.client, limits).await?;
        Ok(self.zones.cached(zone_id))
    }

    /// Re-reads the zone list now, for a caller that must not trust the cache.
    pub async fn refresh_zones(&self, limits: &CallLimits) -> Result<(), Error> {
        self.zones.refresh(&self.client, limits).await
    }
}

/// How one kind of object is read: fresh by ID through a [`Batcher`], or recent through the
/// account's listings ([`Snapshots`]), each fresh read correcting the listing.
#[derive(Debug)]
struct Reads<T> {
    by_id: Arc<Batcher<T>>,
    listed: Arc<Snapshots<T>>,
    latest: Arc<LatestReads<T>>,
}

impl<T> Clone for Reads<T> {
    fn clone(&self) -> Self {
        Reads {
            by_id: Arc::clone(&self.by_id),
            listed: Arc::clone(&self.listed),
            latest: Arc::clone(&self.latest),
        }
    }
}

impl<T: Clone + PartialEq + Send + Sync + 'static> Reads<T> {
    fn new<P: DescribePage<Item = T>>(client: &Client, epoch: &Arc<Epoch>) -> Reads<T> {
        Reads {
            by_id: Arc::new(Batcher::new(P::ACTION, by_id::<P>(client))),
            listed: Arc::new(Snapshots::new(
                P::ACTION,
                pages::<P>(client),
                Arc::clone(epoch),
            )),
            latest: Arc::new(LatestReads::default()),
        }
    }

    /// Read by a call that started after this request, waiting up to `gather` for others.
    async fn fresh(
        &self,
        id: &str,
        limits: &CallLimits,
        gather: Duration,
    ) -> Result<Option<T>, Error> {
        let requested = Instant::now();
        let found = Batcher::lookup(&self.by_id, id, limits, gather).await?;
        self.listed.observe(id, found.as_ref());
        self.latest.saw(id, found.as_ref(), requested);
        Ok(found)
    }

    /// As a recent read saw it, else read fresh (and remembered for the next recent read).
    async fn recent(&self, id: &str, limits: &CallLimits) -> Result<Option<T>, Error> {
        match self.listed.get(id, limits).await {
            Recent::Seen(value) => Ok(Some(value)),
            Recent::ReadFresh(ticket) => {
                let found = self.fresh(id, limits, Duration::ZERO).await?;
                self.listed.remember(id, found.as_ref(), ticket);
                Ok(found)
            }
        }
    }
}

/// Reads objects of one kind by ID, for a [`Batcher`].
fn by_id<P: DescribePage>(client: &Client) -> Fetch<P::Item> {
    let c = client.clone();
    Box::new(move |ids, limits| {
        let c = c.clone();
        Box::pin(async move {
            let found = c.describe_by_id::<P>(&ids, &limits).await?;
            Ok(keyed::<P>(found))
        })
    })
}

/// Reads one page of the account's objects of one kind, for [`Snapshots`].
fn pages<P: DescribePage>(client: &Client) -> ListPage<P::Item> {
    let c = client.clone();
    Box::new(move |page_num, limits| {
        let c = c.clone();
        Box::pin(async move {
            let req = P::request(None, page_num, MAX_PAGE_SIZE);
            let (total, items) = c.describe_page::<P>(&req, &limits).await?.into_items();
            Ok(Page {
                total,
                items: keyed::<P>(items),
            })
        })
    })
}

fn keyed<P: DescribePage>(items: Vec<P::Item>) -> Vec<(String, P::Item)> {
    items
        .into_iter()
        .map(|item| (P::id_of(&item).to_owned(), item))
        .collect()
}
