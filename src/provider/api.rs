//! The Zenlayer calls the provider makes, behind one small trait: the live implementation
//! goes through the coalescing [`Lookup`], and unit tests substitute a scripted API.
//!
//! Reads come in three freshnesses (see [`Lookup`]): `find_*` read after the request,
//! `poll_nic` too but shares its call with other waiters' polls, and `recent_*` (refresh, plan
//! checks and data sources only) may be served from a listing a few seconds old.

use std::time::Duration;

use async_trait::async_trait;

use crate::zenlayer::models::{
    DescribeNetworkInterfacesRequest, DescribeNetworkInterfacesResponse, InstanceInfo, NicInfo,
};
use crate::zenlayer::{CallLimits, Error, Lookup, NicFilter};

/// Finders (None = the API does not know the ID) and the two writes.
#[async_trait]
pub(crate) trait Zec: Send + Sync + 'static {
    async fn find_nic(&self, nic_id: &str, limits: &CallLimits) -> Result<Option<NicInfo>, Error>;

    async fn find_instance(
        &self,
        instance_id: &str,
        limits: &CallLimits,
    ) -> Result<Option<InstanceInfo>, Error>;

    /// [`Zec::find_nic`] for a waiter's repeated look.
    async fn poll_nic(&self, nic_id: &str, limits: &CallLimits) -> Result<Option<NicInfo>, Error> {
        self.find_nic(nic_id, limits).await
    }

    /// The NIC as of a few seconds ago at most; for refresh and plan checks, never after a
    /// write of this process.
    async fn recent_nic(
        &self,
        nic_id: &str,
        limits: &CallLimits,
    ) -> Result<Option<NicInfo>, Error> {
        self.find_nic(nic_id, limits).await
    }

    /// The instance as of a few seconds ago at most; for plan checks.
    async fn recent_instance(
        &self,
        instance_id: &str,
        limits: &CallLimits,
    ) -> Result<Option<InstanceInfo>, Error> {
        self.find_instance(instance_id, limits).await
    }

    /// Every NIC the filters match, as of a few seconds ago at most (for data sources, which
    /// share the plan's reads with plan checks). The default pages through [`Zec::nic_page`]
    /// and keeps what the filters match.
    async fn recent_nics(
        &self,
        filter: &NicFilter,
        limits: &CallLimits,
    ) -> Result<Vec<NicInfo>, Error> {
        let read = filter.read_pages(|req| async move { self.nic_page(&req, limits).await });
        let mut found = read.await?;
        found.retain(|nic| filter.matches(nic));
        Ok(found)
    }

    async fn region_of_zone(
        &self,
        zone_id: &str,
        limits: &CallLimits,
    ) -> Result<Option<String>, Error>;

    /// The NIC and the instance as by-ID reads requested at most `max_age` ago saw them, if
    /// this process wrote to neither since: what an attach may go on instead of reading them
    /// again right after its plan read them. None (the default): read them.
    fn seen_together(
        &self,
        _nic_id: &str,
        _instance_id: &str,
        _max_age: Duration,
    ) -> Option<(NicInfo, InstanceInfo)> {
        None
    }

    /// Returns the request id.
    async fn attach(
        &self,
        nic_id: &str,
        instance_id: &str,
        limits: &CallLimits,
    ) -> Result<String, Error>;

    /// Returns the request id.
    async fn detach(&self, nic_id: &str, limits: &CallLimits) -> Result<String, Error>;

    /// One page of the account's NICs under the request's filters (for listing), read now.
    /// Test doubles that script single lookups keep the default, which lists nothing and
    /// says so.
    async fn nic_page(
        &self,
        _req: &DescribeNetworkInterfacesRequest,
        _limits: &CallLimits,
    ) -> Result<DescribeNetworkInterfacesResponse, Error> {
        Err(Error::Network {
            action: "DescribeNetworkInterfaces",
            message: "this API stand-in cannot list NICs".to_owned(),
            lasting: true,
        })
    }
}

/// The real API: reads are batched across concurrent RPCs by [`Lookup`].
pub(crate) struct LiveZec {
    lookup: Lookup,
}

impl LiveZec {
    pub(crate) fn new(lookup: Lookup) -> Self {
        LiveZec { lookup }
    }
}

#[async_trait]
impl Zec for LiveZec {
    async fn find_nic(&self, nic_id: &str, limits: &CallLimits) -> Result<Option<NicInfo>, Error> {
        self.lookup.nic(nic_id, limits).await
    }

    async fn find_instance(
        &self,
        instance_id: &str,
        limits: &CallLimits,
    ) -> Result<Option<InstanceInfo>, Error> {
        self.lookup.instance(instance_id, limits).await
    }

    async fn poll_nic(&self, nic_id: &str, limits: &CallLimits) -> Result<Option<NicInfo>, Error> {
        self.lookup.poll_nic(nic_id, limits).await
    }

    async fn recent_nic(
        &self,
        nic_id: &str,
        limits: &CallLimits,
    ) -> Result<Option<NicInfo>, Error> {
        self.lookup.recent_nic(nic_id, limits).await
    }

    async fn recent_instance(
        &self,
        instance_id: &str,
        limits: &CallLimits,
    ) -> Result<Option<InstanceInfo>, Error> {
        self.lookup.recent_instance(instance_id, limits).await
    }

    async fn recent_nics(
        &self,
        filter: &NicFilter,
        limits: &CallLimits,
    ) -> Result<Vec<NicInfo>, Error> {
        self.lookup.recent_nics(filter, limits).await
    }

    async fn region_of_zone(
        &self,
        zone_id: &str,
        limits: &CallLimits,
    ) -> Result<Option<String>, Error> {
        self.lookup.region_of_zone(zone_id, limits).await
    }

    fn seen_together(
        &self,
        nic_id: &str,
        instance_id: &str,
        max_age: Duration,
    ) -> Option<(NicInfo, InstanceInfo)> {
        self.lookup.seen_together(nic_id, instance_id, max_age)
    }

    async fn attach(
        &self,
        nic_id: &str,
        instance_id: &str,
        limits: &CallLimits,
    ) -> Result<String, Error> {
        self.lookup
            .attach_network_interface(nic_id, instance_id, limits)
            .await
    }

    async fn detach(&self, nic_id: &str, limits: &CallLimits) -> Result<String, Error> {
        self.lookup.detach_network_interface(nic_id, limits).await
    }

    async fn nic_page(
        &self,
        req: &DescribeNetworkInterfacesRequest,
        limits: &CallLimits,
    ) -> Result<DescribeNetworkInterfacesResponse, Error> {
        self.lookup
            .client()
            .describe_network_interfaces(req, limits)
            .await
    }
}
