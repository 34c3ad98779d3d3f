//! Gathering what the API says about one planned attachment: the NIC, the instance, and the
//! instance's region (instances carry a zone; the zone → region map is cached per process).

use crate::provider::api::Zec;
use crate::untrusted::word;
use crate::zenlayer::codes;
use crate::zenlayer::models::{InstanceInfo, NicInfo, NicStatus, action};
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
    /// findings about it are never reported (see `judge::judge_read`).
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

/// Reads the NIC, and the instance then its region, concurrently and fresh: for messages
/// about a write that just happened. (Plan checks use `gather_permitted`'s recent reads.)
pub(crate) async fn gather(
    api: &dyn Zec,
    nic_id: &str,
    instance_id: &str,
    limits: &CallLimits,
) -> Result<Facts, Error> {
    let nic = api.find_nic(nic_id, limits);
    let instance = async {
        let instance = api.find_instance(instance_id, limits).await?;
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

/// One read plan checks make, each through one API action a key's policy may leave out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Part {
    Nic,
    Instance,
    Region,
}

impl Part {
    /// The API action this read calls.
    pub(crate) fn action(self) -> &'static str {
        match self {
            Part::Nic => action::DESCRIBE_NETWORK_INTERFACES,
            Part::Instance => action::DESCRIBE_INSTANCES,
            Part::Region => action::DESCRIBE_ZONES,
        }
    }

    /// The checks that need this read, in the words of the warning that they could not run.
    pub(crate) fn checks(self) -> &'static str {
        match self {
            Part::Nic => {
                "whether the NIC exists, its state, whether it is attached elsewhere, and \
                 whether it is in the instance's region"
            }
            Part::Instance => {
                "whether the instance exists, its state, and whether it is in the NIC's region"
            }
            Part::Region => "whether the NIC and the instance are in the same region",
        }
    }
}

/// True when the API refused a call because the credentials may not make it.
pub(crate) fn is_denied(e: &Error) -> bool {
    e.code() == Some(codes::AUTHFAILURE_UNAUTHORIZED_OPERATION)
}

/// Facts, with the reads the credentials were not allowed to make left out (their side reads
/// as present and unremarkable; see `judge::judge_read`).
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Permitted {
    pub facts: Facts,
    /// The reads that were refused or skipped as known to be refused.
    pub unread: Vec<Part>,
}

impl Permitted {
    /// Whether `part` was read (the region counts as read only with the instance).
    pub(crate) fn read(&self, part: Part) -> bool {
        let unread_with_instance = part == Part::Region && self.unread.contains(&Part::Instance);
        !(self.unread.contains(&part) || unread_with_instance)
    }
}

/// Like `gather` with recent reads, but a read the credentials may not make (refused with
/// `AUTHFAILURE_UNAUTHORIZED_OPERATION`, or whose action `denied` already knows) is left out
/// instead of failing the whole gathering. `nic_id`/`instance_id` `None` reads only one side.
pub(crate) async fn gather_permitted(
    api: &dyn Zec,
    nic_id: Option<&str>,
    instance_id: Option<&str>,
    limits: &CallLimits,
    denied: &(dyn Fn(&str) -> bool + Sync),
) -> Result<Permitted, Error> {
    let nic = async {
        let Some(id) = nic_id else {
            return Ok((None, false));
        };
        if denied(Part::Nic.action()) {
            return Ok((None, true));
        }
        match api.recent_nic(id, limits).await {
            Ok(n) => Ok((Some(n), false)),
            Err(e) if is_denied(&e) => Ok((None, true)),
            Err(e) => Err(e),
        }
    };
    let instance = async {
        let Some(id) = instance_id else {
            return Ok((None, None, Vec::new()));
        };
        if denied(Part::Instance.action()) {
            return Ok((None, None, vec![Part::Instance]));
        }
        let instance = match api.recent_instance(id, limits).await {
            Ok(i) => i,
            Err(e) if is_denied(&e) => return Ok((None, None, vec![Part::Instance])),
            Err(e) => return Err(e),
        };
        let zone = instance
            .as_ref()
            .map(|i| i.zone_id.clone())
            .unwrap_or_default();
        if zone.is_empty() {
            return Ok((Some(instance), None, Vec::new()));
        }
        if denied(Part::Region.action()) {
            return Ok((Some(instance), None, vec![Part::Region]));
        }
        match api.region_of_zone(&zone, limits).await {
            Ok(region) => Ok((Some(instance), region, Vec::new())),
            Err(e) if is_denied(&e) => Ok((Some(instance), None, vec![Part::Region])),
            Err(e) => Err(e),
        }
    };
    let (nic, instance) = tokio::join!(nic, instance);
    let (nic, nic_unread) = nic?;
    let (instance, instance_region, mut unread) = instance?;
    if nic_unread {
        unread.insert(0, Part::Nic);
    }
    let facts = Facts::one_side(
        nic_id.filter(|_| !nic_unread),
        nic,
        instance_id.filter(|_| !unread.contains(&Part::Instance)),
        instance,
    );
    Ok(Permitted {
        facts: Facts {
            nic_id: nic_id.unwrap_or_default().to_owned(),
            instance_id: instance_id.unwrap_or_default().to_owned(),
            instance_region,
            ..facts
        },
        unread,
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
