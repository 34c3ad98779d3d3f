//! Whether Terraform's state and the simulated API agree about which NIC is attached where, and
//! the Terraform the long scenarios run on.

use std::collections::BTreeMap;

use tpz::zenlayer::models::NicStatus;

use super::{Sim, Terraform, terraforms};

/// NIC ID → instance ID.
pub type Attachments = BTreeMap<String, String>;

/// The newest Terraform under test; the long scenarios (soak, interrupt) run on it only.
/// Panics unless it is at least 1.11, the release the reliability figures are published for.
pub fn newest_terraform() -> Terraform {
    let newest = terraforms()
        .into_iter()
        .max_by_key(Terraform::release)
        .expect("terraforms() is never empty");
    assert!(
        newest.at_least(1, 11),
        "the reliability scenarios need Terraform 1.11 or later on PATH; the newest found is {}",
        newest.version
    );
    newest
}

/// The `zenlayer_nic_attachment` objects in `terraform show -json` output.
#[derive(Debug, Default)]
pub struct StateAttachments {
    pub attached: Attachments,
    /// Addresses of tainted objects (kept after a failed create).
    pub tainted: Vec<String>,
}

/// Reads the attachments out of `terraform show -json`.
pub fn in_state(show: &serde_json::Value) -> StateAttachments {
    let mut found = StateAttachments::default();
    let resources = show["values"]["root_module"]["resources"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for r in resources {
        if r["type"] != "zenlayer_nic_attachment" {
            continue;
        }
        let nic = r["values"]["nic_id"].as_str().expect("nic_id in state");
        let instance = r["values"]["instance_id"]
            .as_str()
            .expect("instance_id in state");
        let previous = found.attached.insert(nic.to_owned(), instance.to_owned());
        assert!(
            previous.is_none(),
            "two attachments in state hold NIC {nic}"
        );
        if r["tainted"].as_bool() == Some(true) {
            found
                .tainted
                .push(r["address"].as_str().unwrap_or("?").to_owned());
        }
    }
    found
}

/// Which of `nics` the simulator has bound (USED or ATTACHING) to an instance.
pub fn in_api(sim: &Sim, nics: &[String]) -> Attachments {
    nics.iter()
        .filter_map(|id| {
            let nic = sim
                .api()
                .nic(id)
                .unwrap_or_else(|| panic!("the simulator has no NIC {id}"));
            let bound = matches!(nic.status, NicStatus::Used | NicStatus::Attaching);
            match (bound, nic.instance_id) {
                (true, Some(instance)) => Some((id.clone(), instance)),
                _ => None,
            }
        })
        .collect()
}

/// Attachments one side has and the other does not (or has on another instance), as
/// human-readable lines; empty when state and API agree exactly.
pub fn disagreements(state: &Attachments, api: &Attachments) -> Vec<String> {
    let mut out = Vec::new();
    for (nic, instance) in state {
        match api.get(nic) {
            Some(i) if i == instance => {}
            Some(i) => out.push(format!("{nic}: state says {instance}, the API says {i}")),
            None => out.push(format!(
                "{nic}: state says {instance}, the API has it unattached"
            )),
        }
    }
    for (nic, instance) in api {
        if !state.contains_key(nic) {
            out.push(format!(
                "{nic}: attached to {instance} in the API, missing from state (lost)"
            ));
        }
    }
    out
}
