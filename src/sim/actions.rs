//! The five ZEC actions over the simulated world. Each runs under the world lock, does no I/O,
//! and returns the action's `response` object or a documented refusal.
//!
//! Attach checks, in order: the NIC exists, the instance exists, both are in one region, the
//! NIC is AVAILABLE (bound → `INVALID_NIC_ATTACHED`, otherwise `INVALID_NIC_STATUS`), the
//! instance is RUNNING, the instance has a free NIC slot. Detach checks: the NIC exists, it is
//! not primary, it is bound (AVAILABLE → `OPERATION_DENIED_NIC_NOT_EXIST_INSTANCE`), it is
//! USED (transitional or failed → `INVALID_NIC_STATUS`), its instance is RUNNING.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use serde::Serialize;

use super::failure::Failure;
use super::state::{Nic, NicType, World};
use crate::zenlayer::codes;
use crate::zenlayer::models::{
    AttachNetworkInterfaceRequest, DescribeInstancesRequest, DescribeInstancesResponse,
    DescribeNetworkInterfacesRequest, DescribeNetworkInterfacesResponse, DescribeZonesRequest,
    DescribeZonesResponse, DetachNetworkInterfaceRequest, InstanceStatus, NicInfo, NicStatus,
    RequestIdOnly, action,
};

/// Default `pageSize` of the Describe actions.
pub const DEFAULT_PAGE_SIZE: u32 = 20;

/// An action the simulator serves, named as in `X-ZC-Action`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    DescribeZones,
    DescribeInstances,
    DescribeNetworkInterfaces,
    AttachNetworkInterface,
    DetachNetworkInterface,
}

impl Action {
    /// Every served action.
    pub const ALL: [Action; 5] = [
        Action::DescribeZones,
        Action::DescribeInstances,
        Action::DescribeNetworkInterfaces,
        Action::AttachNetworkInterface,
        Action::DetachNetworkInterface,
    ];

    /// The `X-ZC-Action` value.
    pub fn name(self) -> &'static str {
        match self {
            Action::DescribeZones => action::DESCRIBE_ZONES,
            Action::DescribeInstances => action::DESCRIBE_INSTANCES,
            Action::DescribeNetworkInterfaces => action::DESCRIBE_NETWORK_INTERFACES,
            Action::AttachNetworkInterface => action::ATTACH_NETWORK_INTERFACE,
            Action::DetachNetworkInterface => action::DETACH_NETWORK_INTERFACE,
        }
    }

    /// The action an `X-ZC-Action` value names, if the simulator serves it.
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == name)
    }
}

/// A NIC state change the server completes after a delay, unless something overtook it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Transition {
    pub(crate) nic_id: String,
    pub(crate) token: u64,
    pub(crate) delay: Duration,
    pub(crate) status: NicStatus,
    pub(crate) instance_id: Option<String>,
}

/// The `response` object of a successful action, built under the world lock and encoded
/// after it is released.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub(crate) enum Reply {
    Zones(DescribeZonesResponse),
    Instances(DescribeInstancesResponse),
    Nics(DescribeNetworkInterfacesResponse),
    Done(RequestIdOnly),
}

/// A successful action: its reply and maybe a transition to schedule.
pub(crate) struct Answer {
    pub(crate) reply: Reply,
    pub(crate) transition: Option<Transition>,
}

fn answer(reply: Reply) -> Result<Answer, Failure> {
    Ok(Answer {
        reply,
        transition: None,
    })
}

fn page<T>(items: Vec<T>, page_num: Option<u32>, page_size: Option<u32>) -> (u64, Vec<T>) {
    let total = items.len() as u64;
    let size = page_size.unwrap_or(DEFAULT_PAGE_SIZE) as usize;
    let skip = (page_num.unwrap_or(1).saturating_sub(1) as usize).saturating_mul(size);
    (total, items.into_iter().skip(skip).take(size).collect())
}

fn fuzzy_match(name: Option<&str>, pattern: &Option<String>) -> bool {
    match pattern {
        None => true,
        Some(p) => name.is_some_and(|n| n.to_lowercase().contains(&p.to_lowercase())),
    }
}

/// Positions of the requested IDs (all when none are requested), in state order, once each.
fn positions_of(
    ids: &Option<Vec<String>>,
    index: impl Fn(&str) -> Option<usize>,
    len: usize,
) -> Vec<usize> {
    match ids {
        None => (0..len).collect(),
        Some(ids) => {
            let mut found: Vec<usize> = (ids.iter())
                .filter_map(|id| index(id))
                .collect::<HashSet<usize>>()
                .into_iter()
                .collect();
            found.sort_unstable();
            found
        }
    }
}

pub(crate) fn describe_zones(
    world: &World,
    req: &DescribeZonesRequest,
    request_id: &str,
) -> Result<Answer, Failure> {
    let zone_set = (world.zones().iter())
        .filter(|z| (req.zone_ids.as_ref()).is_none_or(|ids| ids.contains(&z.zone_id)))
        .map(|z| z.to_info())
        .collect();
    answer(Reply::Zones(DescribeZonesResponse {
        request_id: request_id.to_owned(),
        zone_set,
    }))
}

pub(crate) fn describe_network_interfaces(
    world: &World,
    req: &DescribeNetworkInterfacesRequest,
    request_id: &str,
) -> Result<Answer, Failure> {
    let nics = world.nics();
    let matching: Vec<&Nic> = positions_of(&req.nic_ids, |id| world.nic_position(id), nics.len())
        .into_iter()
        .map(|i| &nics[i])
        .filter(|n| req.region_id.as_ref().is_none_or(|r| &n.region_id == r))
        .filter(|n| (req.instance_id.as_ref()).is_none_or(|i| n.instance_id.as_ref() == Some(i)))
        .filter(|n| req.status.as_ref().is_none_or(|s| n.status.as_str() == s))
        .filter(|n| (req.nic_type.as_ref()).is_none_or(|t| n.nic_type.as_str() == t))
        .filter(|n| (req.vpc_id.as_ref()).is_none_or(|v| n.vpc_id.as_ref() == Some(v)))
        .filter(|n| (req.subnet_id.as_ref()).is_none_or(|v| n.subnet_id.as_ref() == Some(v)))
        .filter(|n| fuzzy_match(n.name.as_deref(), &req.name))
        .collect();
    let (total_count, on_page) = page(matching, req.page_num, req.page_size);
    answer(Reply::Nics(DescribeNetworkInterfacesResponse {
        request_id: request_id.to_owned(),
        total_count,
        data_set: on_page.into_iter().map(Nic::to_info).collect(),
    }))
}

pub(crate) fn describe_instances(
    world: &World,
    req: &DescribeInstancesRequest,
    request_id: &str,
) -> Result<Answer, Failure> {
    let instances = world.instances();
    let matching: Vec<usize> = positions_of(
        &req.instance_ids,
        |id| world.instance_position(id),
        instances.len(),
    )
    .into_iter()
    .filter(|&i| {
        let ins = &instances[i];
        req.zone_id.as_ref().is_none_or(|z| &ins.zone_id == z)
            && req.status.as_ref().is_none_or(|s| ins.status.as_str() == s)
            && fuzzy_match(ins.instance_name.as_deref(), &req.name)
    })
    .collect();
    let (total_count, on_page) = page(matching, req.page_num, req.page_size);

    let mut bound: HashMap<&str, Vec<NicInfo>> = (on_page.iter())
        .map(|&i| (instances[i].instance_id.as_str(), Vec::new()))
        .collect();
    for nic in world.nics() {
        if let Some(list) = (nic.instance_id.as_deref()).and_then(|id| bound.get_mut(id)) {
            list.push(nic.to_info());
        }
    }
    let data_set = (on_page.iter())
        .map(|&i| {
            let ins = &instances[i];
            let nics = bound.remove(ins.instance_id.as_str()).unwrap_or_default();
            ins.to_info(nics)
        })
        .collect();
    answer(Reply::Instances(DescribeInstancesResponse {
        request_id: request_id.to_owned(),
        total_count,
        data_set,
    }))
}

/// The NIC a write names, or the API's refusal of an unknown one.
fn existing_nic<'w>(world: &'w World, nic_id: &str) -> Result<&'w Nic, Failure> {
    world.nic(nic_id).ok_or_else(|| {
        Failure::new(
            codes::INVALID_NIC_NOT_FOUND,
            format!("The vNIC `{nic_id}` is not found."),
        )
    })
}

/// A NIC's (status, instance): what a write shows while it runs, or leaves when done.
type Binding = (NicStatus, Option<String>);

/// Answers an accepted attach or detach of `nic_id`: it shows `during` for `delay`, then
/// `after`; with no delay it is `after` at once.
fn accepted(
    world: &mut World,
    nic_id: &str,
    during: Binding,
    after: Binding,
    delay: Duration,
    request_id: &str,
) -> Answer {
    let (status, instance_id) = after;
    let transition = if delay.is_zero() {
        world.settle(nic_id, status, instance_id);
        None
    } else {
        let token = world.begin_transition(nic_id, during.0, during.1);
        Some(Transition {
            nic_id: nic_id.to_owned(),
            token,
            delay,
            status,
            instance_id,
        })
    };
    Answer {
        reply: Reply::Done(RequestIdOnly {
            request_id: request_id.to_owned(),
        }),
        transition,
    }
}

pub(crate) fn attach_network_interface(
    world: &mut World,
    req: &AttachNetworkInterfaceRequest,
    delay: Duration,
    request_id: &str,
) -> Result<Answer, Failure> {
    let nic = existing_nic(world, &req.nic_id)?;
    let Some(instance) = world.instance(&req.instance_id) else {
        return Err(Failure::new(
            codes::INVALID_INSTANCE_NOT_FOUND,
            format!("The instance `{}` is not found.", req.instance_id),
        ));
    };
    let instance_region = world.region_of_zone(&instance.zone_id).unwrap_or("");
    if nic.region_id != instance_region {
        return Err(Failure::new(
            codes::INVALID_NIC_INSTANCE_REGION_MISMATCH,
            format!(
                "The vNIC `{}` is in region `{}` but the instance `{}` is in zone `{}` of region `{}`; they must be in the same region.",
                nic.nic_id, nic.region_id, instance.instance_id, instance.zone_id, instance_region
            ),
        ));
    }
    match (&nic.status, &nic.instance_id) {
        (NicStatus::Available, _) => {}
        (NicStatus::Used | NicStatus::Attaching, Some(bound_to)) => {
            return Err(Failure::new(
                codes::INVALID_NIC_ATTACHED,
                format!(
                    "The vNIC `{}` is already attached to instance `{bound_to}`.",
                    nic.nic_id
                ),
            ));
        }
        (status, _) => {
            return Err(Failure::new(
                codes::INVALID_NIC_STATUS,
                format!(
                    "The vNIC `{}` is {status}; only an AVAILABLE vNIC can be attached.",
                    nic.nic_id
                ),
            ));
        }
    }
    if instance.status != InstanceStatus::Running {
        // The AttachNetworkInterface page lists this code as HTTP 400 (the first version of
        // the API answered 403, which detach keeps).
        return Err(Failure::new(
            codes::OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT,
            format!(
                "The instance `{}` is {}; vNICs can only be attached to a RUNNING instance.",
                instance.instance_id, instance.status
            ),
        )
        .with_status(400));
    }
    let bound = world.nics_bound_to(&instance.instance_id);
    if bound >= instance.nic_limit as usize {
        return Err(Failure::new(
            codes::INVALID_INSTANCE_NIC_LIMIT,
            format!(
                "The instance `{}` already has {bound} vNICs, its limit is {}.",
                instance.instance_id, instance.nic_limit
            ),
        ));
    }

    let target = Some(req.instance_id.clone());
    Ok(accepted(
        world,
        &req.nic_id,
        (NicStatus::Attaching, target.clone()),
        (NicStatus::Used, target),
        delay,
        request_id,
    ))
}

pub(crate) fn detach_network_interface(
    world: &mut World,
    req: &DetachNetworkInterfaceRequest,
    delay: Duration,
    request_id: &str,
) -> Result<Answer, Failure> {
    let nic = existing_nic(world, &req.nic_id)?;
    if nic.nic_type == NicType::Primary {
        return Err(Failure::new(
            codes::INVALID_NIC_PRIMARY_CANT_DETACH,
            format!(
                "The vNIC `{}` is the primary vNIC of its instance and cannot be detached.",
                nic.nic_id
            ),
        ));
    }
    let instance_id = match (&nic.status, &nic.instance_id) {
        (NicStatus::Used, Some(instance_id)) => instance_id.clone(),
        (NicStatus::Available | NicStatus::Used, _) => {
            return Err(Failure::new(
                codes::OPERATION_DENIED_NIC_NOT_EXIST_INSTANCE,
                format!("The vNIC `{}` is not attached to any instance.", nic.nic_id),
            ));
        }
        (status, _) => {
            return Err(Failure::new(
                codes::INVALID_NIC_STATUS,
                format!(
                    "The vNIC `{}` is {status}; only a USED vNIC can be detached.",
                    nic.nic_id
                ),
            ));
        }
    };
    if let Some(instance) = world.instance(&instance_id)
        && instance.status != InstanceStatus::Running
    {
        return Err(Failure::new(
            codes::OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT,
            format!(
                "The instance `{}` is {}; vNICs can only be detached from a RUNNING instance.",
                instance.instance_id, instance.status
            ),
        ));
    }

    Ok(accepted(
        world,
        &req.nic_id,
        (NicStatus::Detaching, Some(instance_id)),
        (NicStatus::Available, None),
        delay,
        request_id,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::fixture;

    fn world() -> World {
        World::new(fixture::default_state()).expect("default fixture is valid")
    }

    fn attach(world: &mut World, nic: &str, ins: &str) -> Result<Option<Transition>, &'static str> {
        let req = AttachNetworkInterfaceRequest {
            nic_id: nic.into(),
            instance_id: ins.into(),
        };
        attach_network_interface(world, &req, Duration::from_millis(5), "r")
            .map(|a| a.transition)
            .map_err(|f| f.code)
    }

    fn nics_reply(a: Result<Answer, Failure>) -> DescribeNetworkInterfacesResponse {
        match a {
            Ok(Answer {
                reply: Reply::Nics(resp),
                ..
            }) => resp,
            _ => panic!("NIC reply expected"),
        }
    }

    fn detach(world: &mut World, nic: &str) -> Result<Option<Transition>, &'static str> {
        let req = DetachNetworkInterfaceRequest { nic_id: nic.into() };
        detach_network_interface(world, &req, Duration::ZERO, "r")
            .map(|a| a.transition)
            .map_err(|f| f.code)
    }

    #[test]
    fn attach_refusals_follow_the_documented_order() {
        let mut w = world();
        let cases = [
            (
                "nic-missing-1",
                "ins-missing-1",
                codes::INVALID_NIC_NOT_FOUND,
            ),
            (
                "nic-app-1",
                "ins-missing-1",
                codes::INVALID_INSTANCE_NOT_FOUND,
            ),
            // Region is checked before status: a USED NIC of another region is a mismatch.
            (
                "nic-eu-db-1",
                "ins-web-1",
                codes::INVALID_NIC_INSTANCE_REGION_MISMATCH,
            ),
            ("nic-db-1", "ins-web-2", codes::INVALID_NIC_ATTACHED),
            ("nic-pending-1", "ins-web-1", codes::INVALID_NIC_STATUS),
            ("nic-failed-1", "ins-web-1", codes::INVALID_NIC_STATUS),
            // NIC status is checked before the instance's.
            ("nic-pending-1", "ins-stopped-1", codes::INVALID_NIC_STATUS),
            (
                "nic-app-1",
                "ins-stopped-1",
                codes::OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT,
            ),
            (
                "nic-app-1",
                "ins-booting-1",
                codes::OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT,
            ),
            ("nic-app-1", "ins-full-1", codes::INVALID_INSTANCE_NIC_LIMIT),
        ];
        for (nic, ins, code) in cases {
            assert_eq!(attach(&mut w, nic, ins), Err(code), "{nic} → {ins}");
        }
    }

    #[test]
    fn attach_starts_attaching_with_the_instance_named() {
        let mut w = world();
        let t = attach(&mut w, "nic-app-1", "ins-web-1").unwrap().unwrap();
        let nic = w.nic("nic-app-1").unwrap();
        assert_eq!(nic.status, NicStatus::Attaching);
        assert_eq!(nic.instance_id.as_deref(), Some("ins-web-1"));
        assert_eq!(t.status, NicStatus::Used);
        assert_eq!(
            attach(&mut w, "nic-app-1", "ins-web-2"),
            Err(codes::INVALID_NIC_ATTACHED)
        );
        assert_eq!(detach(&mut w, "nic-app-1"), Err(codes::INVALID_NIC_STATUS));
    }

    #[test]
    fn detach_refusals_follow_the_documented_order() {
        let mut w = world();
        let cases = [
            ("nic-missing-1", codes::INVALID_NIC_NOT_FOUND),
            ("nic-web-1-primary", codes::INVALID_NIC_PRIMARY_CANT_DETACH),
            ("nic-app-1", codes::OPERATION_DENIED_NIC_NOT_EXIST_INSTANCE),
            ("nic-pending-1", codes::INVALID_NIC_STATUS),
            ("nic-deleting-1", codes::INVALID_NIC_STATUS),
            (
                "nic-stopped-1-data",
                codes::OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT,
            ),
        ];
        for (nic, code) in cases {
            assert_eq!(detach(&mut w, nic), Err(code), "{nic}");
        }
    }

    #[test]
    fn detach_with_no_delay_frees_the_nic_at_once() {
        let mut w = world();
        assert_eq!(detach(&mut w, "nic-db-1"), Ok(None));
        let nic = w.nic("nic-db-1").unwrap();
        assert_eq!(
            (nic.status.clone(), nic.instance_id.clone()),
            (NicStatus::Available, None)
        );
    }

    #[test]
    fn describe_filters_and_pages() {
        let w = world();
        let req = DescribeNetworkInterfacesRequest {
            region_id: Some("asia-east-1".into()),
            status: Some("AVAILABLE".into()),
            page_size: Some(2),
            page_num: Some(2),
            ..Default::default()
        };
        let resp = nics_reply(describe_network_interfaces(&w, &req, "r"));
        let available_a = (w.nics().iter())
            .filter(|n| n.region_id == "asia-east-1" && n.status == NicStatus::Available)
            .count();
        assert_eq!(resp.total_count, available_a as u64);
        let ids: Vec<_> = resp.data_set.iter().map(|n| n.nic_id.as_str()).collect();
        assert_eq!(ids, ["nic-app-3", "nic-app-4"]);
    }

    #[test]
    fn describe_by_ids_skips_unknown_ones_and_keeps_state_order() {
        let w = world();
        let req = DescribeNetworkInterfacesRequest {
            nic_ids: Some(vec![
                "nic-app-2".into(),
                "nic-missing-1".into(),
                "nic-app-1".into(),
                "nic-app-2".into(),
            ]),
            ..Default::default()
        };
        let resp = nics_reply(describe_network_interfaces(&w, &req, "r"));
        let ids: Vec<_> = resp.data_set.iter().map(|n| n.nic_id.as_str()).collect();
        assert_eq!(ids, ["nic-app-1", "nic-app-2"]);
        assert_eq!(resp.total_count, 2);
    }

    #[test]
    fn describe_instances_lists_bound_nics() {
        let w = world();
        let req = DescribeInstancesRequest {
            instance_ids: Some(vec!["ins-web-1".into()]),
            ..Default::default()
        };
        let Ok(Answer {
            reply: Reply::Instances(resp),
            ..
        }) = describe_instances(&w, &req, "r")
        else {
            panic!("instances reply expected")
        };
        let nics: Vec<_> = (resp.data_set[0].nics.as_ref().unwrap().iter())
            .map(|n| n.nic_id.as_str())
            .collect();
        assert_eq!(nics, ["nic-web-1-primary", "nic-db-1"]);
    }
}
