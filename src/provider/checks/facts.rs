//! Gathering what the API says about one planned attachment: the NIC, the instance, and the
//! instance's region (instances carry a zone; the zone → region map is cached per process).

use crate::provider::api::Zec;
use crate::untrusted::word;
use crate::zenlayer::models::{InstanceInfo, NicInfo, NicStatus};
use crate::zenlayer::{CallLimits, Error};

/// The observed state of the NIC and instance an attachment names.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Facts {
    pub nic_id: String,
    pub instance_id: String,
    /// None: the API does not know the NIC.
    pub nic: Option<NicInfo>,
    /// None: the API does not know the instance.
    pub instance: Option<InstanceInfo>,
    /// None: the instance is unknown, or its zone maps to no known region.
    pub instance_region: Option<String>,
}

impl Facts {
    /// Facts about one side only; the unknown side reads as present and unremarkable, and
    /// findings about it are never reported (see `judge::judge_one_side`).
    pub(crate) fn one_side(
        nic_id: Option<&str>,
        nic: Option<Option<NicInfo>>,
        instance_id: Option<&str>,
        instance: Option<Option<InstanceInfo>>,
    ) -> Facts {
        Facts {
            nic_id: nic_id.unwrap_or_default().to_owned(),
            instance_id: instance_id.unwrap_or_default().to_owned(),
            nic: nic.unwrap_or_else(|| {
                Some(NicInfo {
                    status: NicStatus::Available,
                    ..NicInfo::default()
                })
            }),
            instance: instance.unwrap_or_else(|| Some(InstanceInfo::default())),
            instance_region: None,
        }
    }

    /// True when the instance, or the NIC (in one of `nic_states`), is in a state it leaves by
    /// itself, so a refusal caused by it will pass if the operation waits.
    pub(crate) fn settling(&self, nic_states: &[NicStatus]) -> bool {
        let nic_busy = self
            .nic
            .as_ref()
            .is_some_and(|n| nic_states.contains(&n.status));
        let instance_busy = self
            .instance
            .as_ref()
            .is_some_and(|i| i.status.is_transitional());
        nic_busy || instance_busy
    }
}

/// How fresh the facts must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reads {
    /// Read after the request: for messages about a write that just happened.
    Fresh,
    /// May come from a listing a few seconds old: for plan checks.
    Recent,
}

/// Reads the NIC, and the instance then its region, concurrently.
pub(crate) async fn gather(
    api: &dyn Zec,
    nic_id: &str,
    instance_id: &str,
    limits: &CallLimits,
    reads: Reads,
) -> Result<Facts, Error> {
    let nic = async {
        match reads {
            Reads::Fresh => api.find_nic(nic_id, limits).await,
            Reads::Recent => api.recent_nic(nic_id, limits).await,
        }
    };
    let instance = async {
        let instance = match reads {
            Reads::Fresh => api.find_instance(instance_id, limits).await?,
            Reads::Recent => api.recent_instance(instance_id, limits).await?,
        };
        let region = match &instance {
            Some(i) if !i.zone_id.is_empty() => api.region_of_zone(&i.zone_id, limits).await?,
            _ => None,
        };
        Ok::<_, Error>((instance, region))
    };
    let (nic, instance) = tokio::join!(nic, instance);
    let nic = nic?;
    let (instance, instance_region) = instance?;
    Ok(Facts {
        nic_id: nic_id.to_owned(),
        instance_id: instance_id.to_owned(),
        nic,
        instance,
        instance_region,
    })
}

/// True while the NIC is bound to an instance, or becoming bound.
pub(crate) fn is_bound(nic: &NicInfo) -> bool {
    matches!(nic.status, NicStatus::Used | NicStatus::Attaching)
}

/// A NIC's state in words, e.g. `USED on instance ins-2` or `AVAILABLE`.
pub(crate) fn describe_nic(nic: Option<&NicInfo>) -> String {
    match nic {
        None => "not found".into(),
        Some(n) => {
            let status = status_text(n.status.as_str());
            match n.named_instance() {
                Some(i) => format!("{status} on instance {}", word(i)),
                None => status,
            }
        }
    }
}

/// An instance's state in words, e.g. `RUNNING` or `not found`.
pub(crate) fn describe_instance(instance: Option<&InstanceInfo>) -> String {
    match instance {
        None => "not found".into(),
        Some(i) => status_text(i.status.as_str()),
    }
}

/// A status for messages, shown by the one rule for the API's text; an absent one is said so.
pub(crate) fn status_text(s: &str) -> String {
    if s.is_empty() {
        "in no reported state".into()
    } else {
        word(s)
    }
}
