//! An API that is slow or loses answers: an attach that outlives `timeouts.create` is kept in
//! state as tainted and replaced cleanly by the next apply; an attach or detach whose answer
//! is lost is settled by reading the NIC, never by sending it twice.

mod support;

use std::time::Duration;

use support::Sim;
use support::lifecycle::{
    ATTACH, DETACH, StateReading, applied, assert_available, assert_no_changes, assert_quiet,
    assert_received_and_failed, assert_used_by, nic_truth, web_config,
};
use support::{Versions, eventually, for_each_terraform};
use tpz::sim::{Delays, FaultConfig, FaultKind, SimConfig};
use tpz::zenlayer::models::NicStatus;

const WEB: &str = "zenlayer_nic_attachment.web";

/// Loses the answer of exactly the next call to `action`, after carrying it out.
fn lose_next(sim: &Sim, action: &str) {
    sim.api()
        .set_faults(FaultConfig::always(&[FaultKind::Lost], &[action], Some(1)))
        .expect("a valid fault plan");
}

#[test]
fn attach_slower_than_the_create_timeout_is_kept_tainted_and_replaced_by_the_next_apply() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::with_config(SimConfig {
            delays: Delays {
                attach: Duration::from_secs(6),
                detach: Duration::from_millis(100),
            },
            ..SimConfig::default()
        });
        let timeouts = "  timeouts {\n    create = \"2s\"\n  }\n";
        let dir = tf
            .workdir()
            .config(&web_config(&sim, "nic-app-1", "ins-web-1", timeouts));

        dir.apply()
            .assert_failure_contains("Error: Timed out waiting for the NIC to attach")
            .assert_failure_contains(
                "NIC nic-app-1 was asked to attach to instance ins-web-1, but it did not become \
                 USED on instance ins-web-1 within 2s (`timeouts.create`). Last seen: NIC \
                 nic-app-1 ATTACHING on instance ins-web-1.",
            )
            .assert_failure_contains("The attachment is saved in state as tainted");

        // Nothing is lost: state keeps the attachment, tainted, and it is what the API has.
        dir.state_show(WEB)
            .assert_success()
            .assert_stdout_contains("# zenlayer_nic_attachment.web: (tainted)")
            .assert_stdout_contains(r#"id = "nic-app-1:ins-web-1""#)
            .assert_stdout_contains(r#"region_id = "asia-east-1""#);
        let resource = dir.resource_json(WEB).expect("state keeps the attachment");
        assert_eq!(
            resource["tainted"], true,
            "{}: tainted in show -json",
            tf.version
        );
        assert_eq!(resource["values"]["instance_id"], "ins-web-1");
        assert_eq!(
            nic_truth(&sim, "nic-app-1"),
            (NicStatus::Attaching, Some("ins-web-1".to_owned())),
            "{}: the simulator is still attaching it",
            tf.version
        );

        // The API finishes; the next apply replaces the tainted attachment and converges.
        eventually("the attach to finish", Duration::from_secs(15), || {
            nic_truth(&sim, "nic-app-1").0 == NicStatus::Used
        });
        sim.api()
            .set_delays(Delays::both(Duration::from_millis(100)));
        dir.plan()
            .assert_success()
            .assert_stdout_contains("zenlayer_nic_attachment.web is tainted, so must be replaced")
            .assert_stdout_contains("Plan: 1 to add, 0 to change, 1 to destroy.");
        let applied = dir.apply();
        applied
            .assert_success()
            .assert_stdout_contains("Apply complete! Resources: 1 added, 0 changed, 1 destroyed.");
        assert_quiet(&applied);
        assert_used_by(&sim, "nic-app-1", "ins-web-1", &tf.version);
        let resource = dir.resource_json(WEB).expect("state holds the attachment");
        assert_ne!(
            resource["tainted"], true,
            "{}: no longer tainted",
            tf.version
        );
        assert_no_changes(&dir);
    });
}

#[test]
fn attach_whose_answer_is_lost_succeeds_once_without_a_duplicate() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::with_delay(Duration::from_millis(100));
        let dir = tf
            .workdir()
            .config(&web_config(&sim, "nic-app-1", "ins-web-1", ""));
        lose_next(&sim, ATTACH);

        let applied = dir.apply();
        applied
            .assert_success()
            .assert_stdout_contains("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.")
            .assert_not_contains("INVALID_NIC_ATTACHED")
            .assert_not_contains("already attached");
        assert_quiet(&applied);

        let calls = sim.api().calls();
        assert_eq!(
            calls.faults.lost, 1,
            "{}: the answer was lost: {calls:?}",
            tf.version
        );
        assert_received_and_failed(
            &sim,
            ATTACH,
            (1, 0),
            &format!("{}: one attach, carried out once, never resent", tf.version),
        );
        assert_used_by(&sim, "nic-app-1", "ins-web-1", &tf.version);
        let mut on_web_1: Vec<String> = (sim.api().state().nics.into_iter())
            .filter(|n| n.instance_id.as_deref() == Some("ins-web-1"))
            .map(|n| n.nic_id)
            .collect();
        on_web_1.sort();
        assert_eq!(
            on_web_1,
            ["nic-app-1", "nic-db-1", "nic-web-1-primary"],
            "{}: exactly one new attachment on the instance",
            tf.version
        );
        assert_eq!(dir.state_list(), [WEB]);
        assert_no_changes(&dir);
    });
}

#[test]
fn detach_whose_answer_is_lost_still_destroys_cleanly() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::with_delay(Duration::from_millis(100));
        let dir = applied(tf, &web_config(&sim, "nic-app-1", "ins-web-1", ""));
        lose_next(&sim, DETACH);

        let destroyed = dir.destroy();
        destroyed
            .assert_success()
            .assert_stdout_contains("Destroy complete! Resources: 1 destroyed.");
        assert_quiet(&destroyed);
        assert_received_and_failed(
            &sim,
            DETACH,
            (1, 0),
            &format!(
                "{}: one detach, never resent after it took effect",
                tf.version
            ),
        );
        assert_available(&sim, "nic-app-1", &tf.version);
        assert!(dir.state_list().is_empty());
    });
}
