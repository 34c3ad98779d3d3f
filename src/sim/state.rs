//! The simulated world as users see it: zones, instances and vNICs, in the JSON format of
//! `--state` files and `GET /_sim/state`, plus the consistency rules every state must satisfy.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::zenlayer::models::{InstanceInfo, InstanceStatus, NicInfo, NicStatus, ZoneInfo};

/// NICs per instance, primary included, when a state file does not say (the documented limit).
pub const DEFAULT_NIC_LIMIT: u32 = 8;

/// The whole simulated account. Field names follow the API's camelCase.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct State {
    #[serde(default)]
    pub zones: Vec<Zone>,
    #[serde(default)]
    pub instances: Vec<Instance>,
    #[serde(default)]
    pub nics: Vec<Nic>,
}

/// A zone and the region it belongs to: instances name zones, NICs name regions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Zone {
    pub zone_id: String,
    pub region_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone_name: Option<String>,
}

/// A ZEC instance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Instance {
    pub instance_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_name: Option<String>,
    pub zone_id: String,
    pub status: InstanceStatus,
    /// How many NICs (primary included) may be bound at once.
    #[serde(default = "default_nic_limit")]
    pub nic_limit: u32,
}

fn default_nic_limit() -> u32 {
    DEFAULT_NIC_LIMIT
}

/// `Primary` (created with its instance, never detachable) or `Secondary`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum NicType {
    Primary,
    #[default]
    Secondary,
}

impl NicType {
    /// The wire text.
    pub fn as_str(self) -> &'static str {
        match self {
            NicType::Primary => "Primary",
            NicType::Secondary => "Secondary",
        }
    }
}

/// A vNIC.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Nic {
    pub nic_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub region_id: String,
    pub status: NicStatus,
    #[serde(default)]
    pub nic_type: NicType,
    /// The instance the NIC is bound to (or being bound to, or unbound from).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_ipv4: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac_address: Option<String>,
    /// Private IPv4 addresses; when left out, the NIC reports `[primaryIpv4]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_ip_list: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub public_ip_list: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_group_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
}

impl Nic {
    /// The NIC as `DescribeNetworkInterfaces` reports it.
    pub fn to_info(&self) -> NicInfo {
        NicInfo {
            nic_id: self.nic_id.clone(),
            name: self.name.clone(),
            status: self.status.clone(),
            nic_type: Some(self.nic_type.as_str().to_owned()),
            region_id: self.region_id.clone(),
            instance_id: self.instance_id.clone(),
            vpc_id: self.vpc_id.clone(),
            subnet_id: self.subnet_id.clone(),
            primary_ipv4: self.primary_ipv4.clone(),
            mac_address: self.mac_address.clone(),
            private_ip_list: Some(
                self.private_ip_list
                    .clone()
                    .unwrap_or_else(|| self.primary_ipv4.iter().cloned().collect()),
            ),
            public_ip_list: Some(self.public_ip_list.clone()),
            security_group_id: self.security_group_id.clone(),
            create_time: self.create_time.clone(),
        }
    }
}

impl Instance {
    /// The instance as `DescribeInstances` reports it, with the NICs bound to it.
    pub fn to_info(&self, nics: Vec<NicInfo>) -> InstanceInfo {
        InstanceInfo {
            instance_id: self.instance_id.clone(),
            instance_name: self.instance_name.clone(),
            zone_id: self.zone_id.clone(),
            status: self.status.clone(),
            nics: Some(nics),
        }
    }
}

impl Zone {
    /// The zone as `DescribeZones` reports it.
    pub fn to_info(&self) -> ZoneInfo {
        ZoneInfo {
            zone_id: self.zone_id.clone(),
            region_id: self.region_id.clone(),
            zone_name: self.zone_name.clone(),
        }
    }
}

/// A state that breaks a consistency rule; the message names the object and the fix.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid simulator state: {0}")]
pub struct StateError(pub String);

/// NIC statuses in which the NIC is bound to an instance and must name it.
fn binds_instance(status: &NicStatus) -> bool {
    matches!(
        status,
        NicStatus::Used | NicStatus::Attaching | NicStatus::Detaching
    )
}

fn documented<T: Clone + Into<String>>(all: &[T]) -> String {
    all.iter()
        .map(|s| s.clone().into())
        .collect::<Vec<String>>()
        .join(", ")
}

impl State {
    /// Parses a state file's text; the error says where the JSON is wrong.
    pub fn from_json(text: &str) -> Result<State, StateError> {
        let state: State =
            serde_json::from_str(text).map_err(|e| StateError(format!("not valid JSON: {e}")))?;
        state.validate()?;
        Ok(state)
    }

    /// Checks the rules the API itself keeps: unique IDs, known zones and statuses, bound NICs
    /// naming an existing instance of their own region, primary NICs bound.
    pub fn validate(&self) -> Result<(), StateError> {
        let mut zones = HashMap::new();
        for zone in &self.zones {
            nonempty("zoneId", &zone.zone_id)?;
            nonempty(
                &format!("regionId of zone `{}`", zone.zone_id),
                &zone.region_id,
            )?;
            if zones
                .insert(zone.zone_id.as_str(), zone.region_id.as_str())
                .is_some()
            {
                return Err(StateError(format!(
                    "zone `{}` appears twice in `zones`",
                    zone.zone_id
                )));
            }
        }

        let mut instances = HashMap::new();
        for ins in &self.instances {
            nonempty("instanceId", &ins.instance_id)?;
            let Some(region) = zones.get(ins.zone_id.as_str()) else {
                return Err(StateError(format!(
                    "instance `{}` is in zone `{}`, which is not listed in `zones`",
                    ins.instance_id, ins.zone_id
                )));
            };
            if matches!(
                ins.status,
                InstanceStatus::Other(_) | InstanceStatus::Missing
            ) {
                return Err(StateError(format!(
                    "instance `{}` has status `{}`; use one of {}",
                    ins.instance_id,
                    ins.status,
                    documented(InstanceStatus::ALL)
                )));
            }
            if ins.nic_limit == 0 {
                return Err(StateError(format!(
                    "instance `{}` has nicLimit 0; it needs at least 1 (its primary NIC)",
                    ins.instance_id
                )));
            }
            if instances
                .insert(ins.instance_id.as_str(), *region)
                .is_some()
            {
                return Err(StateError(format!(
                    "instance `{}` appears twice in `instances`",
                    ins.instance_id
                )));
            }
        }

        let mut nic_ids = HashSet::new();
        for nic in &self.nics {
            nonempty("nicId", &nic.nic_id)?;
            nonempty(&format!("regionId of NIC `{}`", nic.nic_id), &nic.region_id)?;
            if !nic_ids.insert(nic.nic_id.as_str()) {
                return Err(StateError(format!(
                    "NIC `{}` appears twice in `nics`",
                    nic.nic_id
                )));
            }
            if matches!(nic.status, NicStatus::Other(_) | NicStatus::Missing) {
                return Err(StateError(format!(
                    "NIC `{}` has status `{}`; use one of {}",
                    nic.nic_id,
                    nic.status,
                    documented(NicStatus::ALL)
                )));
            }
            match (&nic.instance_id, binds_instance(&nic.status)) {
                (Some(ins), true) => {
                    let Some(region) = instances.get(ins.as_str()) else {
                        return Err(StateError(format!(
                            "NIC `{}` is bound to instance `{ins}`, which is not listed in `instances`",
                            nic.nic_id
                        )));
                    };
                    if *region != nic.region_id {
                        return Err(StateError(format!(
                            "NIC `{}` is in region `{}` but bound to instance `{ins}` in region `{region}`; a NIC can only be bound in its own region",
                            nic.nic_id, nic.region_id
                        )));
                    }
                }
                (None, true) => {
                    return Err(StateError(format!(
                        "NIC `{}` has status {} but no instanceId; set instanceId or use status AVAILABLE",
                        nic.nic_id, nic.status
                    )));
                }
                (Some(ins), false) => {
                    return Err(StateError(format!(
                        "NIC `{}` names instance `{ins}` but has status {}; a bound NIC is USED, ATTACHING or DETACHING",
                        nic.nic_id, nic.status
                    )));
                }
                (None, false) => {}
            }
            if nic.nic_type == NicType::Primary && nic.instance_id.is_none() {
                return Err(StateError(format!(
                    "primary NIC `{}` is not bound; a primary NIC always belongs to its instance",
                    nic.nic_id
                )));
            }
        }
        Ok(())
    }
}

fn nonempty(what: &str, value: &str) -> Result<(), StateError> {
    if value.is_empty() {
        Err(StateError(format!("{what} must not be empty")))
    } else {
        Ok(())
    }
}

/// The state indexed for the API: lookups by ID, and transitions in flight.
#[derive(Debug)]
pub(crate) struct World {
    state: State,
    zone_region: HashMap<String, String>,
    instance_index: HashMap<String, usize>,
    nic_index: HashMap<String, usize>,
    /// NIC id → token of the transition that may complete it.
    pending: HashMap<String, u64>,
    next_token: u64,
}

impl World {
    /// Indexes a state after checking it.
    pub(crate) fn new(state: State) -> Result<World, StateError> {
        state.validate()?;
        let mut world = World {
            state,
            zone_region: HashMap::new(),
            instance_index: HashMap::new(),
            nic_index: HashMap::new(),
            pending: HashMap::new(),
            next_token: 1,
        };
        world.reindex();
        Ok(world)
    }

    fn reindex(&mut self) {
        self.zone_region = (self.state.zones.iter())
            .map(|z| (z.zone_id.clone(), z.region_id.clone()))
            .collect();
        self.instance_index = (self.state.instances.iter().enumerate())
            .map(|(i, ins)| (ins.instance_id.clone(), i))
            .collect();
        self.nic_index = (self.state.nics.iter().enumerate())
            .map(|(i, nic)| (nic.nic_id.clone(), i))
            .collect();
    }

    pub(crate) fn state(&self) -> &State {
        &self.state
    }

    /// Swaps in a changed state. Transitions in flight survive only for NICs left untouched,
    /// so an outside change always wins over a pending ATTACHING → USED.
    pub(crate) fn replace(&mut self, state: State) -> Result<(), StateError> {
        state.validate()?;
        let old = std::mem::replace(&mut self.state, state);
        self.reindex();
        let old_nics: HashMap<&str, &Nic> =
            old.nics.iter().map(|n| (n.nic_id.as_str(), n)).collect();
        let (nic_index, nics) = (&self.nic_index, &self.state.nics);
        self.pending.retain(|id, _| {
            let now = nic_index.get(id).map(|&i| &nics[i]);
            matches!((now, old_nics.get(id.as_str())), (Some(a), Some(b)) if a == *b)
        });
        Ok(())
    }

    pub(crate) fn zones(&self) -> &[Zone] {
        &self.state.zones
    }

    pub(crate) fn instances(&self) -> &[Instance] {
        &self.state.instances
    }

    pub(crate) fn nics(&self) -> &[Nic] {
        &self.state.nics
    }

    pub(crate) fn nic(&self, id: &str) -> Option<&Nic> {
        self.nic_index.get(id).map(|&i| &self.state.nics[i])
    }

    pub(crate) fn instance(&self, id: &str) -> Option<&Instance> {
        self.instance_index
            .get(id)
            .map(|&i| &self.state.instances[i])
    }

    /// The NIC's position in `nics()`.
    pub(crate) fn nic_position(&self, id: &str) -> Option<usize> {
        self.nic_index.get(id).copied()
    }

    /// The instance's position in `instances()`.
    pub(crate) fn instance_position(&self, id: &str) -> Option<usize> {
        self.instance_index.get(id).copied()
    }

    pub(crate) fn region_of_zone(&self, zone_id: &str) -> Option<&str> {
        self.zone_region.get(zone_id).map(String::as_str)
    }

    /// NICs bound to the instance in any state (USED, ATTACHING, DETACHING): all occupy a slot.
    pub(crate) fn nics_bound_to(&self, instance_id: &str) -> usize {
        (self.state.nics.iter())
            .filter(|n| n.instance_id.as_deref() == Some(instance_id))
            .count()
    }

    /// Moves a NIC into a transitional state and returns the token its completion must show.
    /// The NIC must exist (the caller just looked it up under the same lock).
    pub(crate) fn begin_transition(
        &mut self,
        nic_id: &str,
        status: NicStatus,
        instance_id: Option<String>,
    ) -> u64 {
        let token = self.next_token;
        self.next_token += 1;
        if let Some(&i) = self.nic_index.get(nic_id) {
            let nic = &mut self.state.nics[i];
            nic.status = status;
            nic.instance_id = instance_id;
            self.pending.insert(nic_id.to_owned(), token);
        }
        token
    }

    /// Sets a NIC's final state at once, cancelling any transition in flight.
    pub(crate) fn settle(&mut self, nic_id: &str, status: NicStatus, instance_id: Option<String>) {
        self.pending.remove(nic_id);
        if let Some(&i) = self.nic_index.get(nic_id) {
            let nic = &mut self.state.nics[i];
            nic.status = status;
            nic.instance_id = instance_id;
        }
    }

    /// Completes a transition if it is still the NIC's latest one; true if it applied.
    pub(crate) fn complete_transition(
        &mut self,
        nic_id: &str,
        token: u64,
        status: NicStatus,
        instance_id: Option<String>,
    ) -> bool {
        if self.pending.get(nic_id) != Some(&token) {
            return false;
        }
        self.settle(nic_id, status, instance_id);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> State {
        State::from_json(
            r#"{
              "zones": [{"zoneId": "z-a", "regionId": "r-a"}, {"zoneId": "z-b", "regionId": "r-b"}],
              "instances": [{"instanceId": "i-1", "zoneId": "z-a", "status": "RUNNING"}],
              "nics": [
                {"nicId": "n-p", "regionId": "r-a", "status": "USED", "nicType": "Primary", "instanceId": "i-1"},
                {"nicId": "n-1", "regionId": "r-a", "status": "AVAILABLE"}
              ]
            }"#,
        )
        .expect("sample state is valid")
    }

    fn rejected(change: impl FnOnce(&mut State)) -> String {
        let mut state = sample();
        change(&mut state);
        state.validate().expect_err("change must be rejected").0
    }

    #[test]
    fn defaults_fill_nic_type_and_limit() {
        let state = sample();
        assert_eq!(state.instances[0].nic_limit, DEFAULT_NIC_LIMIT);
        assert_eq!(state.nics[1].nic_type, NicType::Secondary);
    }

    #[test]
    fn unknown_fields_in_a_state_file_are_rejected() {
        let err = State::from_json(r#"{"zones": [], "nic": []}"#).unwrap_err();
        assert!(err.0.contains("unknown field `nic`"), "{err}");
    }

    #[test]
    fn inconsistent_states_are_rejected_with_the_object_named() {
        let msg = rejected(|s| s.nics[1].instance_id = Some("i-1".into()));
        assert!(msg.contains("NIC `n-1` names instance `i-1`"), "{msg}");

        let msg = rejected(|s| s.nics[1].status = NicStatus::Used);
        assert!(msg.contains("no instanceId"), "{msg}");

        let msg = rejected(|s| s.instances[0].zone_id = "z-x".into());
        assert!(msg.contains("zone `z-x`"), "{msg}");

        let msg = rejected(|s| s.nics[0].region_id = "r-b".into());
        assert!(msg.contains("region `r-b`"), "{msg}");

        let msg = rejected(|s| s.nics[1].status = NicStatus::Other("BROKEN".into()));
        assert!(msg.contains("AVAILABLE"), "{msg}");

        let msg = rejected(|s| s.nics.push(s.nics[1].clone()));
        assert!(msg.contains("appears twice"), "{msg}");

        let msg = rejected(|s| {
            s.nics[0].instance_id = None;
            s.nics[0].status = NicStatus::Available;
        });
        assert!(msg.contains("primary NIC `n-p`"), "{msg}");
    }

    #[test]
    fn a_transition_completes_only_while_it_is_the_latest() {
        let mut world = World::new(sample()).unwrap();
        let first = world.begin_transition("n-1", NicStatus::Attaching, Some("i-1".into()));
        let second = world.begin_transition("n-1", NicStatus::Attaching, Some("i-1".into()));
        assert!(!world.complete_transition("n-1", first, NicStatus::Used, Some("i-1".into())));
        assert!(world.complete_transition("n-1", second, NicStatus::Used, Some("i-1".into())));
        assert_eq!(world.nic("n-1").unwrap().status, NicStatus::Used);
    }

    #[test]
    fn an_outside_change_cancels_the_transition_in_flight() {
        let mut world = World::new(sample()).unwrap();
        let token = world.begin_transition("n-1", NicStatus::Attaching, Some("i-1".into()));
        let mut changed = world.state().clone();
        changed.nics[1].status = NicStatus::Available;
        changed.nics[1].instance_id = None;
        world.replace(changed).unwrap();
        assert!(!world.complete_transition("n-1", token, NicStatus::Used, Some("i-1".into())));
        assert_eq!(world.nic("n-1").unwrap().status, NicStatus::Available);
    }
}
