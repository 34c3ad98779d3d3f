//! Changes made outside Terraform (someone in the console, another tool, the cloud itself):
//! edit, delete and bulk-create NICs and instances. Each change is applied to a copy of the
//! state, which must still pass `State::validate` before it replaces the live one.

use serde::{Deserialize, Deserializer, Serialize};

use super::state::{DEFAULT_NIC_LIMIT, Instance, Nic, NicType, State, StateError};
use crate::zenlayer::models::{InstanceStatus, NicStatus};

/// Most objects one bulk request may create, so a typo cannot exhaust memory.
pub const MAX_BULK: u32 = 100_000;

/// Why an outside change was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChangeError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Invalid(String),
}

impl From<StateError> for ChangeError {
    fn from(e: StateError) -> Self {
        ChangeError::Invalid(e.to_string())
    }
}

/// Tells "field absent" (outer `None`) from "field set to null" (`Some(None)`).
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// A partial NIC update. Setting `instanceId` without `status` also sets the status: USED
/// when bound (a move), AVAILABLE when `null` (a detach done elsewhere).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NicPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<NicStatus>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub instance_id: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_id: Option<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nic_type: Option<NicType>,
}

/// A partial instance update (e.g. `{"status": "STOPPED"}`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InstancePatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<InstanceStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone_id: Option<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub instance_name: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nic_limit: Option<u32>,
}

fn one() -> u32 {
    1
}

/// Bulk NIC creation: IDs `<prefix><first>` … `<prefix><first + count - 1>`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewNics {
    pub count: u32,
    pub prefix: String,
    #[serde(default = "one")]
    pub first: u32,
    /// Required unless `instanceId` is given (then the instance's region is the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_id: Option<String>,
    /// Create the NICs bound to this instance (as secondaries).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<String>,
    /// Default: USED when `instanceId` is given, AVAILABLE otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<NicStatus>,
    /// The VPC and subnet every new NIC is in (default: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet_id: Option<String>,
}

impl NewNics {
    /// `count` unattached NICs `<prefix>1`, `<prefix>2`, … in `region`: what most tests need.
    pub fn available(prefix: &str, count: u32, region: &str) -> NewNics {
        NewNics {
            count,
            prefix: prefix.to_owned(),
            first: 1,
            region_id: Some(region.to_owned()),
            instance_id: None,
            status: None,
            vpc_id: None,
            subnet_id: None,
        }
    }
}

/// Bulk instance creation, each with its primary NIC `<instance id>-primary`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewInstances {
    pub count: u32,
    pub prefix: String,
    #[serde(default = "one")]
    pub first: u32,
    pub zone_id: String,
    /// Default RUNNING.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<InstanceStatus>,
    /// Default 8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nic_limit: Option<u32>,
}

/// What a bulk instance creation made.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedInstances {
    pub instance_ids: Vec<String>,
    pub primary_nic_ids: Vec<String>,
}

fn nic_mut<'a>(state: &'a mut State, id: &str) -> Result<&'a mut Nic, ChangeError> {
    (state.nics.iter_mut())
        .find(|n| n.nic_id == id)
        .ok_or_else(|| ChangeError::NotFound(format!("NIC `{id}` does not exist")))
}

fn instance_mut<'a>(state: &'a mut State, id: &str) -> Result<&'a mut Instance, ChangeError> {
    (state.instances.iter_mut())
        .find(|i| i.instance_id == id)
        .ok_or_else(|| ChangeError::NotFound(format!("instance `{id}` does not exist")))
}

/// A patch's field: a value given replaces the current one, an absent one leaves it.
fn set<T>(field: &mut T, patched: Option<T>) {
    if let Some(value) = patched {
        *field = value;
    }
}

/// Applies a NIC patch and returns the NIC as changed.
pub(crate) fn patch_nic(state: &mut State, id: &str, patch: NicPatch) -> Result<Nic, ChangeError> {
    let nic = nic_mut(state, id)?;
    if let Some(instance_id) = patch.instance_id {
        nic.status = match instance_id {
            Some(_) => NicStatus::Used,
            None => NicStatus::Available,
        };
        nic.instance_id = instance_id;
    }
    set(&mut nic.status, patch.status);
    set(&mut nic.region_id, patch.region_id);
    set(&mut nic.name, patch.name);
    set(&mut nic.nic_type, patch.nic_type);
    Ok(nic.clone())
}

pub(crate) fn delete_nic(state: &mut State, id: &str) -> Result<Nic, ChangeError> {
    let pos = (state.nics.iter().position(|n| n.nic_id == id))
        .ok_or_else(|| ChangeError::NotFound(format!("NIC `{id}` does not exist")))?;
    Ok(state.nics.remove(pos))
}

pub(crate) fn patch_instance(
    state: &mut State,
    id: &str,
    patch: InstancePatch,
) -> Result<Instance, ChangeError> {
    let ins = instance_mut(state, id)?;
    set(&mut ins.status, patch.status);
    set(&mut ins.zone_id, patch.zone_id);
    set(&mut ins.instance_name, patch.instance_name);
    set(&mut ins.nic_limit, patch.nic_limit);
    Ok(ins.clone())
}

/// Releases an instance as the cloud does: its primary NIC goes with it, its secondary NICs
/// become AVAILABLE.
pub(crate) fn delete_instance(state: &mut State, id: &str) -> Result<Instance, ChangeError> {
    let pos = (state.instances.iter().position(|i| i.instance_id == id))
        .ok_or_else(|| ChangeError::NotFound(format!("instance `{id}` does not exist")))?;
    let removed = state.instances.remove(pos);
    state
        .nics
        .retain(|n| !(n.nic_type == NicType::Primary && n.instance_id.as_deref() == Some(id)));
    for nic in &mut state.nics {
        if nic.instance_id.as_deref() == Some(id) {
            nic.instance_id = None;
            nic.status = NicStatus::Available;
        }
    }
    Ok(removed)
}

fn check_bulk(count: u32, prefix: &str) -> Result<(), ChangeError> {
    if count == 0 || count > MAX_BULK {
        return Err(ChangeError::Invalid(format!(
            "count is {count}; it must be between 1 and {MAX_BULK}"
        )));
    }
    if prefix.is_empty() {
        return Err(ChangeError::Invalid("prefix must not be empty".into()));
    }
    Ok(())
}

fn ids(prefix: &str, first: u32, count: u32) -> Result<Vec<String>, ChangeError> {
    let last = first.checked_add(count - 1).ok_or_else(|| {
        ChangeError::Invalid(format!("first + count overflows ({first} + {count})"))
    })?;
    Ok((first..=last).map(|n| format!("{prefix}{n}")).collect())
}

/// The creation time generated NICs report: fixed, so runs compare.
const CREATED_AT: &str = "2026-01-01T00:00:00Z";

/// A made-up but unique private address and MAC for the `serial`-th generated NIC.
fn addresses(serial: usize) -> (String, String) {
    let [_, a, b, c] = (serial as u32).to_be_bytes();
    (
        format!("10.{}.{b}.{c}", 128 + (a & 127)),
        format!("fa:16:3f:{a:02x}:{b:02x}:{c:02x}"),
    )
}

/// The `serial`-th NIC a bulk request makes: named after its ID, with a made-up address and
/// MAC, no VPC, subnet or public IP, and the fixed creation time.
fn generated_nic(
    id: &str,
    serial: usize,
    region_id: &str,
    status: NicStatus,
    nic_type: NicType,
    instance_id: Option<String>,
) -> Nic {
    let (ip, mac) = addresses(serial);
    Nic {
        nic_id: id.to_owned(),
        name: Some(id.to_owned()),
        region_id: region_id.to_owned(),
        status,
        nic_type,
        instance_id,
        vpc_id: None,
        subnet_id: None,
        primary_ipv4: Some(ip),
        mac_address: Some(mac),
        private_ip_list: None,
        public_ip_list: Vec::new(),
        security_group_id: None,
        create_time: Some(CREATED_AT.to_owned()),
    }
}

fn refuse_existing<'a>(
    mut taken: impl Iterator<Item = &'a str>,
    new: &[String],
    what: &str,
) -> Result<(), ChangeError> {
    let new_set: std::collections::HashSet<&str> = new.iter().map(String::as_str).collect();
    match taken.find(|id| new_set.contains(id)) {
        Some(id) => Err(ChangeError::Conflict(format!(
            "{what} `{id}` already exists; choose another prefix or first"
        ))),
        None => Ok(()),
    }
}

pub(crate) fn create_nics(state: &mut State, req: NewNics) -> Result<Vec<String>, ChangeError> {
    check_bulk(req.count, &req.prefix)?;
    let new_ids = ids(&req.prefix, req.first, req.count)?;
    refuse_existing(
        state.nics.iter().map(|n| n.nic_id.as_str()),
        &new_ids,
        "NIC",
    )?;
    let region_id = match (&req.region_id, &req.instance_id) {
        (Some(region), _) => region.clone(),
        (None, Some(ins)) => {
            let zone = (state.instances.iter().find(|i| &i.instance_id == ins))
                .map(|i| i.zone_id.clone())
                .ok_or_else(|| ChangeError::Invalid(format!("instance `{ins}` does not exist")))?;
            (state.zones.iter().find(|z| z.zone_id == zone))
                .map(|z| z.region_id.clone())
                .unwrap_or_default()
        }
        (None, None) => {
            return Err(ChangeError::Invalid(
                "regionId is required when instanceId is not given".into(),
            ));
        }
    };
    let status = req.status.unwrap_or(if req.instance_id.is_some() {
        NicStatus::Used
    } else {
        NicStatus::Available
    });
    let serial = state.nics.len();
    for (i, id) in new_ids.iter().enumerate() {
        let made = generated_nic(
            id,
            serial + i,
            &region_id,
            status.clone(),
            NicType::Secondary,
            req.instance_id.clone(),
        );
        state.nics.push(Nic {
            vpc_id: req.vpc_id.clone(),
            subnet_id: req.subnet_id.clone(),
            ..made
        });
    }
    Ok(new_ids)
}

pub(crate) fn create_instances(
    state: &mut State,
    req: NewInstances,
) -> Result<CreatedInstances, ChangeError> {
    check_bulk(req.count, &req.prefix)?;
    let instance_ids = ids(&req.prefix, req.first, req.count)?;
    let primary_nic_ids: Vec<String> = (instance_ids.iter())
        .map(|id| format!("{id}-primary"))
        .collect();
    refuse_existing(
        state.instances.iter().map(|i| i.instance_id.as_str()),
        &instance_ids,
        "instance",
    )?;
    refuse_existing(
        state.nics.iter().map(|n| n.nic_id.as_str()),
        &primary_nic_ids,
        "NIC",
    )?;
    let region_id = (state.zones.iter().find(|z| z.zone_id == req.zone_id))
        .map(|z| z.region_id.clone())
        .ok_or_else(|| ChangeError::Invalid(format!("zone `{}` does not exist", req.zone_id)))?;
    let serial = state.nics.len();
    for (i, (ins, nic)) in instance_ids.iter().zip(&primary_nic_ids).enumerate() {
        state.instances.push(Instance {
            instance_id: ins.clone(),
            instance_name: Some(ins.clone()),
            zone_id: req.zone_id.clone(),
            status: req.status.clone().unwrap_or(InstanceStatus::Running),
            nic_limit: req.nic_limit.unwrap_or(DEFAULT_NIC_LIMIT),
        });
        state.nics.push(generated_nic(
            nic,
            serial + i,
            &region_id,
            NicStatus::Used,
            NicType::Primary,
            Some(ins.clone()),
        ));
    }
    Ok(CreatedInstances {
        instance_ids,
        primary_nic_ids,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::fixture::default_state;

    #[test]
    fn setting_instance_id_moves_or_frees_the_nic() {
        let mut s = default_state();
        let patch: NicPatch = serde_json::from_str(r#"{"instanceId": null}"#).unwrap();
        let nic = patch_nic(&mut s, "nic-db-1", patch).unwrap();
        assert_eq!((nic.status, nic.instance_id), (NicStatus::Available, None));

        let patch: NicPatch = serde_json::from_str(r#"{"instanceId": "ins-web-2"}"#).unwrap();
        let nic = patch_nic(&mut s, "nic-app-1", patch).unwrap();
        assert_eq!(nic.status, NicStatus::Used);
        s.validate().unwrap();

        let patch: NicPatch = serde_json::from_str(r#"{"name": "renamed"}"#).unwrap();
        let nic = patch_nic(&mut s, "nic-app-1", patch).unwrap();
        assert_eq!(nic.instance_id.as_deref(), Some("ins-web-2"));
    }

    #[test]
    fn deleting_an_instance_takes_its_primary_and_frees_the_rest() {
        let mut s = default_state();
        delete_instance(&mut s, "ins-web-1").unwrap();
        assert!(!s.nics.iter().any(|n| n.nic_id == "nic-web-1-primary"));
        let db = s.nics.iter().find(|n| n.nic_id == "nic-db-1").unwrap();
        assert_eq!(db.status, NicStatus::Available);
        s.validate().unwrap();
    }

    #[test]
    fn bulk_creation_makes_unique_valid_objects_and_refuses_clashes() {
        let mut s = default_state();
        let created = create_instances(
            &mut s,
            NewInstances {
                count: 3,
                prefix: "ins-bench-".into(),
                first: 1,
                zone_id: "asia-east-1a".into(),
                status: None,
                nic_limit: None,
            },
        )
        .unwrap();
        assert_eq!(created.primary_nic_ids[2], "ins-bench-3-primary");
        let ids = create_nics(
            &mut s,
            NewNics {
                count: 300,
                prefix: "nic-bench-".into(),
                first: 1,
                region_id: Some("asia-east-1".into()),
                instance_id: None,
                status: None,
                vpc_id: None,
                subnet_id: None,
            },
        )
        .unwrap();
        assert_eq!(ids.len(), 300);
        s.validate().unwrap();
        let ips: std::collections::HashSet<_> = s
            .nics
            .iter()
            .filter_map(|n| n.primary_ipv4.clone())
            .collect();
        assert_eq!(ips.len(), s.nics.len());

        let clash = create_nics(
            &mut s,
            NewNics {
                count: 1,
                prefix: "nic-bench-".into(),
                first: 300,
                region_id: Some("asia-east-1".into()),
                instance_id: None,
                status: None,
                vpc_id: None,
                subnet_id: None,
            },
        );
        assert!(matches!(clash, Err(ChangeError::Conflict(m)) if m.contains("nic-bench-300")));
    }
}
