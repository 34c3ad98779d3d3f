//! The `zenlayer-sim` handle for scenario tests: a simulator in a background thread with the
//! built-in account, and the provider block that points Terraform at it.

use std::time::Duration;

use tpz::sim::{BackgroundSim, Delays, Sim as SimState, SimConfig};

/// A running simulator; stops when dropped.
pub struct Sim {
    running: BackgroundSim,
}

impl Sim {
    /// A simulator with the built-in account (see docs/zenlayer-sim.md) and default delays.
    pub fn start() -> Sim {
        Sim::with_config(SimConfig::default())
    }

    /// Short (100 ms) transitions: for sessions that need to see ATTACHING/DETACHING, not to
    /// wait for them.
    pub fn quick() -> Sim {
        Sim::with_delay(Duration::from_millis(100))
    }

    /// A simulator whose attach and detach transitions take `delay`.
    pub fn with_delay(delay: Duration) -> Sim {
        Sim::with_config(SimConfig {
            delays: Delays::both(delay),
            ..SimConfig::default()
        })
    }

    /// A simulator started from `config`.
    pub fn with_config(config: SimConfig) -> Sim {
        let running = BackgroundSim::start(config).expect("zenlayer-sim starts on 127.0.0.1:0");
        Sim { running }
    }

    /// The simulated account: read and change state, counters, faults, delays.
    pub fn api(&self) -> &SimState {
        self.running.sim()
    }

    /// Attaches `nic` to `instance`, or moves it there, the way someone in zenConsole would:
    /// behind Terraform's back.
    pub fn attach_by_hand(&self, nic: &str, instance: &str) {
        self.patch_by_hand(nic, Some(instance));
    }

    /// Detaches `nic` the way someone in zenConsole would: the API frees it, state still
    /// holds it.
    pub fn detach_by_hand(&self, nic: &str) {
        self.patch_by_hand(nic, None);
    }

    fn patch_by_hand(&self, nic: &str, instance: Option<&str>) {
        let patch = tpz::sim::NicPatch {
            instance_id: Some(instance.map(str::to_owned)),
            ..tpz::sim::NicPatch::default()
        };
        if let Err(e) = self.api().patch_nic(nic, patch) {
            panic!("moving {nic} to {instance:?} by hand: {e}");
        }
    }

    /// `127.0.0.1:PORT`, the provider's `domain`.
    pub fn domain(&self) -> String {
        self.running.domain()
    }

    /// A provider block for this simulator with plan checks on (the default, `error`).
    pub fn provider_block(&self) -> String {
        self.provider_block_with("")
    }

    /// A provider block for this simulator with extra settings, e.g. `plan_checks = "warn"`.
    pub fn provider_block_with(&self, extra: &str) -> String {
        let api = self.api();
        format!(
            r#"provider "zenlayer" {{
  domain              = "{domain}"
  scheme              = "http"
  access_key_id       = "{id}"
  access_key_password = "{password}"
  {extra}
}}
"#,
            domain = self.domain(),
            id = api.access_key_id(),
            password = api.access_key_password(),
        )
    }

    /// The instance a NIC is attached to right now, per the simulator.
    pub fn attached_instance(&self, nic_id: &str) -> Option<String> {
        self.api()
            .nic(nic_id)
            .unwrap_or_else(|| panic!("the simulator has no NIC {nic_id}"))
            .instance_id
    }
}
