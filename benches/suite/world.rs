//! The simulated account the Terraform cases run against, and their configurations.
//!
//! Three groups of secondary NICs, eight per instance: `sync` (attached once during setup,
//! then planned in sync), `new` (planned as new attachments, never applied) and `apply`
//! (attached and detached by every apply-destroy run). Each ten NICs of a group share a
//! subnet, for the data sources of the `lookups` case.

use tpz::sim::{Instance, Nic, NicType, State, Zone};
use tpz::zenlayer::models::{InstanceStatus, NicStatus};

pub(crate) const REGION: &str = "bench-1";
pub(crate) const ZONE: &str = "bench-1a";
/// Secondary NICs per instance.
const PER_INSTANCE: usize = 8;
/// Secondary NICs per subnet (what one data source of the `lookups` case finds).
const NICS_PER_SUBNET: usize = 10;

/// A group of NICs and the instances they are meant for.
#[derive(Clone, Copy)]
pub(crate) struct Group {
    pub name: &'static str,
    pub nics: usize,
}

pub(crate) const SYNC: Group = Group {
    name: "sync",
    nics: 200,
};
pub(crate) const NEW: Group = Group {
    name: "new",
    nics: 200,
};
pub(crate) const APPLY: Group = Group {
    name: "apply",
    nics: 100,
};

impl Group {
    fn instances(self) -> usize {
        self.nics.div_ceil(PER_INSTANCE)
    }

    fn nic_id(self, i: usize) -> String {
        format!("nic-{}-{i:03}", self.name)
    }

    fn instance_id(self, j: usize) -> String {
        format!("ins-{}-{j:02}", self.name)
    }

    /// The subnet of the group's `k`-th ten NICs.
    fn subnet_id(self, k: usize) -> String {
        format!("subnet-{}-{k:02}", self.name)
    }

    /// One `zenlayer_nics` data source per subnet of the group (20 for 200 NICs), and an
    /// attachment of every NIC they find to its instance: the IDs come from the data sources.
    pub(crate) fn looked_up_attachments(self) -> String {
        format!(
            r#"data "zenlayer_nics" "{name}" {{
  count     = {subnets}
  subnet_id = format("subnet-{name}-%02d", count.index)
  status    = "AVAILABLE"
}}

resource "zenlayer_nic_attachment" "{name}" {{
  for_each    = toset(flatten(data.zenlayer_nics.{name}[*].ids))
  nic_id      = each.key
  instance_id = format("ins-{name}-%02d", floor(tonumber(substr(each.key, {at}, 3)) / {per}))
}}
"#,
            name = self.name,
            subnets = self.nics.div_ceil(NICS_PER_SUBNET),
            at = "nic--".len() + self.name.len(),
            per = PER_INSTANCE,
        )
    }

    /// `count` resources attaching every NIC of the group to its instance.
    pub(crate) fn attachments(self) -> String {
        format!(
            r#"resource "zenlayer_nic_attachment" "{name}" {{
  count       = {n}
  nic_id      = format("nic-{name}-%03d", count.index)
  instance_id = format("ins-{name}-%02d", floor(count.index / {per}))
}}
"#,
            name = self.name,
            n = self.nics,
            per = PER_INSTANCE,
        )
    }
}

/// As many `null_resource`s as the group has NICs: the reference configuration.
pub(crate) fn null_resources(n: usize) -> String {
    format!(
        r#"terraform {{
  required_providers {{
    null = {{
      source  = "hashicorp/null"
      version = "2.1.2"
    }}
  }}
}}

resource "null_resource" "r" {{
  count = {n}
}}
"#
    )
}

/// Every group's instances (RUNNING, each with its primary NIC) and NICs (AVAILABLE).
pub(crate) fn state() -> State {
    let mut state = State {
        zones: vec![Zone {
            zone_id: ZONE.into(),
            region_id: REGION.into(),
            zone_name: None,
        }],
        instances: Vec::new(),
        nics: Vec::new(),
    };
    for group in [SYNC, NEW, APPLY] {
        for j in 0..group.instances() {
            let instance_id = group.instance_id(j);
            state.nics.push(nic(
                format!("{instance_id}-primary"),
                NicType::Primary,
                Some(instance_id.clone()),
            ));
            state.instances.push(Instance {
                instance_id,
                instance_name: None,
                zone_id: ZONE.into(),
                status: InstanceStatus::Running,
                nic_limit: (PER_INSTANCE + 1) as u32,
            });
        }
        for i in 0..group.nics {
            let mut n = nic(group.nic_id(i), NicType::Secondary, None);
            n.subnet_id = Some(group.subnet_id(i / NICS_PER_SUBNET));
            state.nics.push(n);
        }
    }
    state
}

fn nic(nic_id: String, nic_type: NicType, instance_id: Option<String>) -> Nic {
    Nic {
        nic_id,
        name: None,
        region_id: REGION.into(),
        status: if instance_id.is_some() {
            NicStatus::Used
        } else {
            NicStatus::Available
        },
        nic_type,
        instance_id,
        vpc_id: None,
        subnet_id: None,
        primary_ipv4: None,
        mac_address: None,
        private_ip_list: None,
        public_ip_list: Vec::new(),
        security_group_id: None,
        create_time: None,
    }
}
