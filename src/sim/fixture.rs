//! The built-in account the simulator serves without `--state`: every plan diagnostic of the
//! quickstart has an object here (see the table of IDs in docs/zenlayer-sim.md).

use super::state::State;

/// The default state, in the `--state` file format (`zenlayer-sim --print-default-state`).
pub const DEFAULT_STATE_JSON: &str = include_str!("default_state.json");

/// The default state, parsed.
pub fn default_state() -> State {
    State::from_json(DEFAULT_STATE_JSON)
        .expect("the embedded default state is valid (checked by a unit test)")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::state::NicType;
    use crate::zenlayer::models::{InstanceStatus, NicStatus};

    #[test]
    fn the_default_state_is_valid_and_covers_every_diagnostic() {
        let state = State::from_json(DEFAULT_STATE_JSON).expect("valid default state");
        let regions: std::collections::BTreeSet<_> =
            state.zones.iter().map(|z| z.region_id.as_str()).collect();
        assert_eq!(regions.len(), 2);
        for status in [
            InstanceStatus::Running,
            InstanceStatus::Stopped,
            InstanceStatus::Booting,
        ] {
            assert!(
                state.instances.iter().any(|i| i.status == status),
                "{status}"
            );
        }
        for ins in &state.instances {
            let primaries = (state.nics.iter())
                .filter(|n| n.nic_type == NicType::Primary)
                .filter(|n| n.instance_id.as_deref() == Some(&ins.instance_id))
                .count();
            assert_eq!(primaries, 1, "{} has one primary NIC", ins.instance_id);
        }
        let available_in = |region: &str| {
            (state.nics.iter())
                .filter(|n| n.region_id == region && n.status == NicStatus::Available)
                .count()
        };
        assert!(available_in("asia-east-1") >= 6);
        assert!(available_in("europe-west-1") >= 1);
        for status in [
            NicStatus::Pending,
            NicStatus::CreateFailed,
            NicStatus::Deleting,
        ] {
            assert!(state.nics.iter().any(|n| n.status == status), "{status}");
        }
    }
}
