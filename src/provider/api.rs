//! The Zenlayer calls the provider makes, behind one small trait: the live implementation
//! goes through the coalescing [`Lookup`], and unit tests substitute a scripted API.

use async_trait::async_trait;

use crate::zenlayer::models::{InstanceInfo, NicInfo};
use crate::zenlayer::{CallLimits, Error, Lookup};

/// Finders (None = the API does not know the ID) and the two writes.
#[async_trait]
pub(crate) trait Zec: Send + Sync + 'static {
    async fn find_nic(&self, nic_id: &str, limits: &CallLimits) -> Result<Option<NicInfo>, Error>;

    async fn find_instance(
        &self,
        instance_id: &str,
        limits: &CallLimits,
    ) -> Result<Option<InstanceInfo>, Error>;

    async fn region_of_zone(
        &self,
        zone_id: &str,
        limits: &CallLimits,
    ) -> Result<Option<String>, Error>;

    /// Returns the request id.
    async fn attach(
        &self,
        nic_id: &str,
        instance_id: &str,
        limits: &CallLimits,
    ) -> Result<String, Error>;

    /// Returns the request id.
    async fn detach(&self, nic_id: &str, limits: &CallLimits) -> Result<String, Error>;
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

    async fn region_of_zone(
        &self,
        zone_id: &str,
        limits: &CallLimits,
    ) -> Result<Option<String>, Error> {
        self.lookup.region_of_zone(zone_id, limits).await
    }

    async fn attach(
        &self,
        nic_id: &str,
        instance_id: &str,
        limits: &CallLimits,
    ) -> Result<String, Error> {
        self.lookup
            .client()
            .attach_network_interface(nic_id, instance_id, limits)
            .await
    }

    async fn detach(&self, nic_id: &str, limits: &CallLimits) -> Result<String, Error> {
        self.lookup
            .client()
            .detach_network_interface(nic_id, limits)
            .await
    }
}
