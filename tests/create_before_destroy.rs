//! `create_before_destroy` on an attachment, as users meet it: a NIC is attached to one
//! instance at a time, so a replacement that keeps the NIC cannot be created first. The first
//! plan says so, the apply stops before sending anything, and no deposed object is left
//! behind (Terraform 1.9 and later, which tell the provider which plan is the apply's). On
//! older versions the old object stays deposed; removing `create_before_destroy` and applying
//! clears it. A replacement with a new NIC does work.
//!
//! Versions: every Terraform under test; the no-deposed-object guarantee on those with
//! `Feature::FinalPlanSignal`.

mod support;

use support::lifecycle::{
    applied, assert_available, assert_no_changes, assert_no_writes, assert_used_by, attachment,
    main_tf, writes,
};
use support::{Feature, Outcome, Sim, Terraform, Workdir};
use support::{Versions, for_each_terraform};

const CBD: &str = "  lifecycle {\n    create_before_destroy = true\n  }\n";

fn config(sim: &Sim, nic: &str, instance: &str, extra: &str) -> String {
    main_tf(
        &sim.provider_block(),
        &[attachment("one", nic, instance, extra)],
    )
}

/// `terraform apply -replace=zenlayer_nic_attachment.one`.
fn replace_one(dir: &Workdir) -> Outcome {
    dir.apply_with(&["-replace=zenlayer_nic_attachment.one"])
}

fn has_deposed(dir: &Workdir) -> bool {
    dir.state_json().to_string().contains("deposed")
}

/// Before 1.9, Terraform fails its redone plan and keeps the old object deposed. The way out
/// the docs give: revert the configuration, forget the resource, import it again. No write.
fn recover_old_terraform(tf: &Terraform, sim: &Sim, dir: &Workdir) {
    assert!(
        has_deposed(dir),
        "Terraform {}: deposed, as documented",
        tf.version
    );
    dir.write("main.tf", &config(sim, "nic-app-1", "ins-web-1", CBD));
    sim.api().reset_calls();
    dir.run(&["state", "rm", "zenlayer_nic_attachment.one"])
        .assert_success();
    dir.import("zenlayer_nic_attachment.one", "nic-app-1:ins-web-1")
        .assert_success();
    assert!(
        !has_deposed(dir),
        "Terraform {}: deposed object gone",
        tf.version
    );
    assert_no_changes(dir);
    assert_no_writes(sim, &format!("Terraform {}: the way out", tf.version));
}

/// After a create-before-destroy the provider refused (`out`): nothing was sent and the NIC
/// is still on ins-web-1. With the final-plan signal the failure says `says`, nothing is
/// deposed and the original configuration plans nothing; before it, the documented way out
/// works.
#[track_caller]
fn assert_refused_cleanly(tf: &Terraform, sim: &Sim, dir: &Workdir, out: &Outcome, says: &str) {
    assert_no_writes(sim, &format!("Terraform {}: nothing sent", tf.version));
    assert_used_by(sim, "nic-app-1", "ins-web-1", &tf.version);
    if tf.has(Feature::FinalPlanSignal) {
        out.assert_failure_contains(says);
        assert!(
            !has_deposed(dir),
            "Terraform {}: no deposed object",
            tf.version
        );
        // Reverting the configuration gives an empty plan.
        dir.write("main.tf", &config(sim, "nic-app-1", "ins-web-1", CBD));
        assert_no_changes(dir);
    } else {
        recover_old_terraform(tf, sim, dir);
    }
}

#[test]
fn cbd_with_a_changed_instance_is_flagged_at_the_first_plan_and_leaves_the_attachment_in_state() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::quick();
        let dir = applied(tf, &config(&sim, "nic-app-1", "ins-web-1", CBD));
        let dir = dir.config(&config(&sim, "nic-app-1", "ins-web-2", CBD));

        // The reviewer's plan says it cannot be created first.
        dir.plan()
            .assert_success()
            .assert_stdout_contains("it cannot be created before destroy")
            .assert_stdout_contains("create_before_destroy");

        sim.api().reset_calls();
        let out = dir.apply();
        out.assert_failure_contains("nic-app-1");
        assert_refused_cleanly(tf, &sim, &dir, &out, "plan Terraform redoes during apply");
    });
}

#[test]
fn cbd_replace_of_the_same_attachment_stops_before_any_write_and_keeps_it_in_state() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::quick();
        let dir = applied(tf, &config(&sim, "nic-app-1", "ins-web-1", CBD));
        sim.api().reset_calls();
        let out = replace_one(&dir);
        out.assert_failure_contains("already attached");
        assert_refused_cleanly(tf, &sim, &dir, &out, "create_before_destroy");
        // Without create_before_destroy the same -replace re-attaches the NIC.
        let dir = dir.config(&config(&sim, "nic-app-1", "ins-web-1", ""));
        sim.api().reset_calls();
        replace_one(&dir).assert_success();
        assert!(
            !has_deposed(&dir),
            "Terraform {}: no deposed object",
            tf.version
        );
        assert_used_by(&sim, "nic-app-1", "ins-web-1", &tf.version);
        assert_no_changes(&dir);
    });
}

#[test]
fn cbd_with_a_new_nic_attaches_the_new_one_first_and_then_detaches_the_old_one() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::quick();
        let dir = applied(tf, &config(&sim, "nic-app-1", "ins-web-1", CBD));
        let dir = dir.config(&config(&sim, "nic-app-2", "ins-web-1", CBD));
        let plan = dir.plan();
        plan.assert_success();
        assert!(
            !plan.stdout.contains("cannot be created before destroy"),
            "Terraform {}: a new NIC is no reason to warn:\n{}",
            tf.version,
            plan.stdout
        );
        sim.api().reset_calls();
        dir.apply().assert_success();
        assert_eq!(writes(&sim), (1, 1), "Terraform {}", tf.version);
        assert_used_by(&sim, "nic-app-2", "ins-web-1", &tf.version);
        assert_available(&sim, "nic-app-1", &tf.version);
        assert!(!has_deposed(&dir));
    });
}
