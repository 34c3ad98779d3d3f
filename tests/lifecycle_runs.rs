//! Everyday operations on stacks that are not in perfect shape, with real Terraform against
//! zenlayer-sim, and the API writes each one costs: destroys of stacks partly gone already,
//! a NIC moved by hand, a create that timed out and finished later.
//!
//! Versions: every Terraform under test.

mod support;

use std::time::Duration;

use support::Sim;
use support::lifecycle::{
    StateReading, applied, assert_available, assert_calls, assert_no_changes, assert_used_by,
    attachment, main_tf,
};
use support::{Terraform, Workdir};
use support::{Versions, eventually, for_each_terraform};
use tpz::sim::Delays;
use tpz::zenlayer::models::NicStatus;

/// Reads (NIC and instance lookups) a command on these stacks of one or two attachments makes
/// at most: each walk refreshes and checks them (measured: 2 to 7).
const MAX_READS: u64 = 10;

fn two_attachments(sim: &Sim, second_nic: &str, extra: &str) -> String {
    main_tf(
        &sim.provider_block(),
        &[
            attachment("one", "nic-app-1", "ins-web-1", extra),
            attachment("two", second_nic, "ins-web-1", extra),
        ],
    )
}

fn destroy_commands(tf: &Terraform) -> Vec<Vec<&'static str>> {
    let mut commands = vec![vec![
        "destroy",
        "-no-color",
        "-input=false",
        "-auto-approve",
    ]];
    if tf.at_least(0, 15) {
        commands.push(vec![
            "apply",
            "-destroy",
            "-no-color",
            "-input=false",
            "-auto-approve",
        ]);
    }
    commands
}

/// Runs `setup` and then each destroy command on a fresh copy of the stack, and checks it
/// succeeds, sending exactly `detaches` detaches and no attach.
fn destroy_succeeds(tf: &Terraform, detaches: u64, setup: impl Fn(&Sim) -> Workdir) {
    for command in destroy_commands(tf) {
        let sim = Sim::quick();
        let dir = setup(&sim);
        sim.api().reset_calls();
        // `destroy` says "Destroy complete!", `apply -destroy` "Apply complete!".
        dir.run(&command)
            .assert_success()
            .assert_stdout_contains(&format!(" {detaches} destroyed."));
        assert_calls(
            &sim,
            (0, detaches),
            MAX_READS,
            &format!(
                "Terraform {}: `terraform {}`",
                tf.version,
                command.join(" ")
            ),
        );
        assert!(dir.state_list().is_empty(), "{command:?} empties the state");
    }
}

#[test]
fn destroy_gets_through_when_a_nic_was_deleted_by_hand() {
    for_each_terraform(Versions::All, |tf| {
        destroy_succeeds(tf, 1, |sim| {
            let dir = applied(tf, &two_attachments(sim, "nic-app-2", ""));
            // Someone deletes the first NIC (detaching it) in zenConsole.
            sim.detach_by_hand("nic-app-1");
            sim.api().delete_nic("nic-app-1").expect("delete by hand");
            // A normal plan still reports it, at the attribute.
            dir.plan().assert_failure_contains("nic-app-1");
            dir
        });
    });
}

#[test]
fn destroy_gets_through_when_an_attachment_never_got_created() {
    for_each_terraform(Versions::All, |tf| {
        destroy_succeeds(tf, 1, |sim| {
            // A typo'd NIC ID: the first apply creates one attachment and fails the other.
            let dir = tf.workdir().config(&two_attachments(sim, "nic-typo-9", ""));
            dir.apply_with(&["-target=zenlayer_nic_attachment.one"])
                .assert_success();
            dir.plan().assert_failure_contains("nic-typo-9");
            dir
        });
    });
}

#[test]
fn a_nic_moved_by_hand_is_reported_with_the_choices_and_destroy_leaves_it_where_it_is() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::quick();
        let dir = applied(tf, &two_attachments(&sim, "nic-app-2", ""));
        // A failover during an incident: the NIC now serves ins-web-2.
        sim.attach_by_hand("nic-app-1", "ins-web-2");
        sim.api().reset_calls();

        let plan = dir.plan();
        plan.assert_failure_contains("ins-web-2");
        assert!(
            plan.stderr.contains("zenlayer_nic_attachment.one"),
            "reported at the attachment: {}",
            plan.stderr
        );
        // Terraform never writes the other instance into state.
        assert_calls(
            &sim,
            (0, 0),
            MAX_READS,
            &format!("Terraform {}: the plan", tf.version),
        );
        sim.api().reset_calls();

        dir.destroy()
            .assert_success()
            .assert_stdout_contains("Destroy complete!");
        assert_calls(
            &sim,
            (0, 1),
            MAX_READS,
            &format!(
                "Terraform {}: only nic-app-2, which is still ours, is detached",
                tf.version
            ),
        );
        assert_used_by(&sim, "nic-app-1", "ins-web-2", &tf.version);
        assert_available(&sim, "nic-app-2", &tf.version);
    });
}

#[test]
fn a_create_that_timed_out_and_then_finished_is_kept_without_a_detach() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::quick();
        sim.api().set_delays(Delays {
            attach: Duration::from_secs(4),
            detach: Duration::from_millis(100),
        });
        let config = main_tf(
            &sim.provider_block(),
            &[attachment(
                "one",
                "nic-app-1",
                "ins-web-1",
                "  timeouts {\n    create = \"2s\"\n  }\n",
            )],
        );
        let dir = tf.workdir().config(&config);
        dir.apply().assert_failure_contains("timeouts.create");
        assert_eq!(
            dir.resource_json("zenlayer_nic_attachment.one")
                .expect("kept in state")["tainted"],
            true
        );
        eventually("the attach to finish", Duration::from_secs(10), || {
            sim.api()
                .nic("nic-app-1")
                .is_some_and(|n| n.status == NicStatus::Used)
        });
        sim.api()
            .set_delays(Delays::both(Duration::from_millis(100)));
        sim.api().reset_calls();

        dir.apply().assert_success();
        assert_calls(
            &sim,
            (0, 0),
            MAX_READS,
            &format!(
                "Terraform {}: the tainted attachment is in place; nothing is detached or sent again",
                tf.version
            ),
        );
        assert_used_by(&sim, "nic-app-1", "ins-web-1", &tf.version);
        assert_no_changes(&dir);
    });
}

/// One attachment with `timeouts.delete` set to `delete`.
fn with_delete_timeout(sim: &Sim, delete: &str) -> String {
    main_tf(
        &sim.provider_block(),
        &[attachment(
            "one",
            "nic-app-1",
            "ins-web-1",
            &format!("  timeouts {{\n    delete = \"{delete}\"\n  }}\n"),
        )],
    )
}

/// The advice of a destroy that timed out works as it says: raising `timeouts.delete` and
/// applying stores it (no API call), and the next destroy waits that long without detaching
/// again.
#[test]
fn a_destroy_that_timed_out_gets_through_after_raising_timeouts_delete_as_advised() {
    for_each_terraform(Versions::OldestAndNewest, |tf| {
        let sim = Sim::quick();
        let dir = applied(tf, &with_delete_timeout(&sim, "2s"));
        sim.api().set_delays(Delays {
            attach: Duration::from_millis(100),
            detach: Duration::from_secs(10),
        });
        sim.api().reset_calls();

        let out = dir.destroy();
        out.assert_failure_contains("Timed out waiting for the NIC to detach")
            .assert_failure_contains("raise `timeouts.delete` and run `terraform apply` before");
        // Reads: the destroy's own, then about ten a second while it waits.
        assert_calls(
            &sim,
            (0, 1),
            MAX_READS + 10 * 2,
            &format!("Terraform {}: the destroy that timed out", tf.version),
        );
        assert_eq!(
            dir.state_list(),
            ["zenlayer_nic_attachment.one"],
            "kept in state"
        );

        // The advice: raise the timeout, apply (an in-place update, no API write), destroy.
        sim.api().reset_calls();
        let dir = dir.config(&with_delete_timeout(&sim, "30s"));
        dir.apply()
            .assert_success()
            .assert_stdout_contains("0 added, 1 changed, 0 destroyed");
        dir.destroy()
            .assert_success()
            .assert_stdout_contains("1 destroyed");
        assert_calls(
            &sim,
            (0, 0),
            MAX_READS * 2 + 10 * 10,
            &format!(
                "Terraform {}: apply, then a destroy that waits out the detach",
                tf.version
            ),
        );
        assert_available(&sim, "nic-app-1", &tf.version);
    });
}

#[test]
fn a_nic_held_by_an_attachment_that_stays_is_a_plan_error_and_the_holder_is_untouched() {
    for_each_terraform(Versions::OldestAndNewest, |tf| {
        let sim = Sim::quick();
        let one = attachment("one", "nic-app-1", "ins-web-1", "");
        let dir = applied(
            tf,
            &main_tf(&sim.provider_block(), std::slice::from_ref(&one)),
        );
        // Someone adds a second attachment of the same NIC and keeps the first.
        let dir = dir.config(&main_tf(
            &sim.provider_block(),
            &[one.clone(), attachment("two", "nic-app-1", "ins-web-2", "")],
        ));
        sim.api().reset_calls();
        let out = dir.plan();
        out.assert_failure_contains("The NIC is held by another resource that stays");
        out.assert_failure_contains("The other resource is left as it is");
        dir.apply()
            .assert_failure_contains("The NIC is held by another resource that stays");
        assert_calls(
            &sim,
            (0, 0),
            MAX_READS,
            &format!("Terraform {}: nothing sent", tf.version),
        );
        assert_used_by(&sim, "nic-app-1", "ins-web-1", &tf.version);
        // Following the advice (keep one resource per NIC) leaves the holder as it was.
        let dir = dir.config(&main_tf(&sim.provider_block(), &[one]));
        assert_no_changes(&dir);
    });
}
