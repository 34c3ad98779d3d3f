//! Reshaping a configuration the way teams do, with real Terraform against zenlayer-sim, and
//! the API writes each reshaping costs. The rule under test: a refactor never detaches a NIC.
//! A `for_each` key renamed or `count` turned into `for_each` without a `moved` block plans a
//! destroy and a create of the same attachment; the provider hands it over, so the apply sends
//! no detach and no attach and the next plan is empty.
//!
//! Versions: every Terraform under test unless a scenario says otherwise (`moved` blocks need
//! 1.1, `removed` blocks 1.7; the plan's handover warning needs 1.3, which plans destroys with
//! the provider).

mod support;

use std::time::Duration;

use support::Sim;
use support::lifecycle::{
    StateReading, assert_calls, assert_no_writes, assert_used_by, main_tf, writes,
};
use support::{Outcome, Terraform, Workdir};
use support::{Versions, for_each_terraform};
use tpz::sim::Delays;

/// Attachments of `nic-app-1` and `nic-app-2` to `ins-web-1`, keyed as `keys` say.
fn for_each_config(sim: &Sim, keys: [&str; 2]) -> String {
    let [a, b] = keys;
    main_tf(
        &sim.provider_block(),
        &[format!(
            r#"resource "zenlayer_nic_attachment" "app" {{
  for_each    = {{ {a} = "nic-app-1", {b} = "nic-app-2" }}
  nic_id      = each.value
  instance_id = "ins-web-1"
}}
"#
        )],
    )
}

fn count_config(sim: &Sim) -> String {
    main_tf(
        &sim.provider_block(),
        &[r#"resource "zenlayer_nic_attachment" "app" {
  count       = 2
  nic_id      = ["nic-app-1", "nic-app-2"][count.index]
  instance_id = "ins-web-1"
}
"#
        .to_owned()],
    )
}

/// Applies `config` in a fresh working directory and resets the simulator's call counts.
fn applied(tf: &Terraform, sim: &Sim, config: &str) -> Workdir {
    let dir = tf.workdir().config(config);
    dir.apply().assert_success();
    sim.api().reset_calls();
    dir
}

fn both_attached(sim: &Sim, tf: &Terraform) {
    assert_used_by(sim, "nic-app-1", "ins-web-1", &tf.version);
    assert_used_by(sim, "nic-app-2", "ins-web-1", &tf.version);
}

#[track_caller]
fn assert_next_plan_empty(dir: &Workdir) {
    dir.plan()
        .assert_success()
        .assert_stdout_contains("No changes.");
}

#[test]
fn renaming_a_for_each_key_without_a_moved_block_keeps_the_nic_attached_and_sends_no_write() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::quick();
        let dir = applied(tf, &sim, &for_each_config(&sim, ["a", "b"]));
        dir.write("main.tf", &for_each_config(&sim, ["a", "renamed"]));

        let dir = if std::env::var("DEBUGLOG").is_ok() {
            dir.env("TF_LOG", "trace")
                .env("TF_LOG_PATH", format!("/tmp/tflog-{}.txt", tf.version))
        } else {
            dir
        };
        let plan = dir.plan();
        plan.assert_success()
            .assert_stdout_contains("Plan: 1 to add, 0 to change, 1 to destroy.");
        if tf.at_least(1, 3) {
            plan.assert_stdout_contains(
                "This attachment moves to a new address without a moved block",
            )
            .assert_stdout_contains("moved {");
        }
        assert_no_writes(&sim, "plan");

        dir.apply()
            .assert_success()
            .assert_stdout_contains("1 added, 0 changed, 1 destroyed");
        assert_no_writes(
            &sim,
            &format!("Terraform {}: apply of a renamed key", tf.version),
        );
        both_attached(&sim, tf);
        assert_next_plan_empty(&dir);
    });
}

/// The renamed configuration, plus a slow attachment of `nic-app-3` that the attachments wait
/// for: Terraform runs the renamed key's create long after the old key's delete.
fn renamed_behind_a_slow_attach(sim: &Sim) -> String {
    main_tf(
        &sim.provider_block(),
        &[r#"resource "zenlayer_nic_attachment" "slow" {
  nic_id      = "nic-app-3"
  instance_id = "ins-web-1"
}

resource "zenlayer_nic_attachment" "app" {
  for_each    = { a = "nic-app-1", renamed = "nic-app-2" }
  nic_id      = each.value
  instance_id = "ins-web-1"
  depends_on  = [zenlayer_nic_attachment.slow]
}
"#
        .to_owned()],
    )
}

/// Terraform before 1.3 never shows the provider the old key's destroy at plan time, and here
/// the plan does not refresh it either: the delete learns of the create that keeps its NIC
/// from the run's journal, whatever the order. Where there is no journal (no `/proc`), the
/// delete waits a moment for the create and then detaches, and the create attaches again:
/// this is the window the journal closes, shown on the oldest version.
#[test]
fn a_renamed_key_whose_create_runs_long_after_the_delete_keeps_the_nic_attached() {
    for_each_terraform(Versions::OldestAndNewest, |tf| {
        let sim = Sim::quick();
        let dir = applied(tf, &sim, &for_each_config(&sim, ["a", "b"]));
        sim.api().set_delays(Delays {
            attach: Duration::from_secs(3),
            detach: Duration::from_millis(100),
        });
        dir.write("main.tf", &renamed_behind_a_slow_attach(&sim));

        dir.apply_with(&["-refresh=false"])
            .assert_success()
            .assert_stdout_contains("2 added, 0 changed, 1 destroyed");
        // Reads: mostly the waits on the 3-second attach.
        assert_calls(
            &sim,
            (1, 0),
            40,
            &format!(
                "Terraform {}: only the slow attachment's attach",
                tf.version
            ),
        );
        both_attached(&sim, tf);
        assert_next_plan_empty(&dir);

        if !tf.at_least(1, 3) {
            let sim = Sim::quick();
            let dir = applied(tf, &sim, &for_each_config(&sim, ["a", "b"])).without_run_journal();
            sim.api().set_delays(Delays {
                attach: Duration::from_secs(3),
                detach: Duration::from_millis(100),
            });
            dir.write("main.tf", &renamed_behind_a_slow_attach(&sim));
            dir.apply_with(&["-refresh=false"]).assert_success();
            assert_calls(
                &sim,
                (2, 1),
                70,
                &format!(
                    "Terraform {}: without the journal the NIC is detached and attached again",
                    tf.version
                ),
            );
            both_attached(&sim, tf);
        }
    });
}

#[test]
fn turning_count_into_for_each_without_moved_blocks_keeps_every_nic_attached() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::quick();
        let dir = applied(tf, &sim, &count_config(&sim));
        dir.write("main.tf", &for_each_config(&sim, ["a", "b"]));
        dir.apply()
            .assert_success()
            .assert_stdout_contains("2 added, 0 changed, 2 destroyed");
        assert_no_writes(
            &sim,
            &format!("Terraform {}: count to for_each", tf.version),
        );
        both_attached(&sim, tf);
        assert_next_plan_empty(&dir);
    });
}

#[test]
fn a_moved_block_moves_the_attachment_with_no_api_write() {
    for_each_terraform(Versions::All, |tf| {
        if !tf.at_least(1, 1) {
            eprintln!("Terraform {}: skipped, `moved` blocks need 1.1", tf.version);
            return;
        }
        let sim = Sim::quick();
        let dir = applied(tf, &sim, &for_each_config(&sim, ["a", "b"]));
        let config = for_each_config(&sim, ["a", "renamed"])
            + "\nmoved {\n  from = zenlayer_nic_attachment.app[\"b\"]\n  to   = zenlayer_nic_attachment.app[\"renamed\"]\n}\n";
        dir.write("main.tf", &config);
        dir.apply()
            .assert_success()
            .assert_stdout_contains("0 added, 0 changed, 0 destroyed")
            .assert_not_contains("moves to a new address");
        assert_no_writes(&sim, "moved block");
        both_attached(&sim, tf);
        assert_next_plan_empty(&dir);
    });
}

#[test]
fn a_removed_block_forgets_the_attachment_and_leaves_the_nic_attached() {
    for_each_terraform(Versions::All, |tf| {
        if !tf.at_least(1, 7) {
            eprintln!(
                "Terraform {}: skipped, `removed` blocks need 1.7",
                tf.version
            );
            return;
        }
        let sim = Sim::quick();
        let dir = applied(tf, &sim, &for_each_config(&sim, ["a", "b"]));
        let config = main_tf(
            &sim.provider_block(),
            &["removed {\n  from = zenlayer_nic_attachment.app\n  lifecycle {\n    destroy = false\n  }\n}\n".to_owned()],
        );
        dir.write("main.tf", &config);
        dir.apply().assert_success();
        assert_no_writes(&sim, "removed block");
        both_attached(&sim, tf);
        assert!(dir.state_list().is_empty(), "state forgets both");
    });
}

#[test]
fn state_mv_is_a_no_op_for_the_api_and_state_rm_then_a_plan_asks_for_an_import() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::quick();
        let dir = applied(tf, &sim, &for_each_config(&sim, ["a", "b"]));
        dir.run(&[
            "state",
            "mv",
            "zenlayer_nic_attachment.app[\"b\"]",
            "zenlayer_nic_attachment.app[\"renamed\"]",
        ])
        .assert_success();
        dir.write("main.tf", &for_each_config(&sim, ["a", "renamed"]));
        assert_next_plan_empty(&dir);

        dir.run(&["state", "rm", "zenlayer_nic_attachment.app[\"renamed\"]"])
            .assert_success();
        // Nothing in state owns the attachment now: creating it would give it two owners.
        let plan = dir.plan();
        plan.assert_failure_contains("terraform import");
        assert_no_writes(&sim, "state mv, state rm and plans");
        both_attached(&sim, tf);
    });
}

#[test]
fn replace_detaches_and_attaches_again_exactly_once() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::quick();
        let dir = applied(tf, &sim, &for_each_config(&sim, ["a", "b"]));
        dir.run(&[
            "apply",
            "-no-color",
            "-input=false",
            "-auto-approve",
            "-replace=zenlayer_nic_attachment.app[\"a\"]",
        ])
        .assert_success()
        .assert_stdout_contains("1 added, 0 changed, 1 destroyed");
        assert_eq!(
            writes(&sim),
            (1, 1),
            "the user asked for this one replacement"
        );
        both_attached(&sim, tf);
        assert_next_plan_empty(&dir);
    });
}

#[test]
fn target_applies_only_the_targeted_attachment() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::quick();
        let dir = tf.workdir().config(&for_each_config(&sim, ["a", "b"]));
        dir.run(&[
            "apply",
            "-no-color",
            "-input=false",
            "-auto-approve",
            "-target=zenlayer_nic_attachment.app[\"a\"]",
        ])
        .assert_success();
        assert_eq!(writes(&sim), (1, 0), "one attach, for the target only");
        assert_eq!(sim.attached_instance("nic-app-2"), None);
        dir.apply().assert_success();
        both_attached(&sim, tf);
    });
}

/// The output a user reads when two configurations claim one attachment: at plan when plan
/// checks report errors, otherwise at apply, before any write.
fn second_owner_refused(out: &Outcome, mode: &str) {
    if mode == "error" {
        out.assert_failure_contains("no zenlayer_nic_attachment in the Terraform state manages");
    } else {
        out.assert_failure_contains("this state does not own it");
    }
}

#[test]
fn a_second_repository_never_records_an_attachment_another_one_made() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::quick();
        let first = applied(tf, &sim, &for_each_config(&sim, ["a", "b"]));
        for mode in ["error", "warn", "off"] {
            let block = sim.provider_block_with(&format!("plan_checks = \"{mode}\""));
            let config = main_tf(
                &block,
                &["resource \"zenlayer_nic_attachment\" \"copy\" {\n  nic_id      = \"nic-app-1\"\n  instance_id = \"ins-web-1\"\n}\n".to_owned()],
            );
            let second = tf.workdir().config(&config);
            second_owner_refused(&second.apply(), mode);
            assert!(
                second.state_list().is_empty(),
                "plan_checks = {mode}: nothing recorded"
            );
        }
        assert_no_writes(&sim, "second repository");
        // The first repository still owns it, and its destroy is the only one that detaches.
        assert_next_plan_empty(&first);
        both_attached(&sim, tf);
    });
}
