//! `create_before_destroy` on an attachment, as users meet it. A NIC is attached to one
//! instance at a time, so a replacement that moves the NIC to another instance cannot be
//! created first: the first plan says so, the apply stops before sending anything, and the old
//! object stays in state, not deposed. A replacement of the same attachment (`-replace`, a
//! tainted object) takes the attachment over: no write, no deposed object. A replacement with
//! a new NIC attaches it first, then detaches the old one.
//!
//! The apply walk is told which plan is the one it redoes (Terraform 1.9 and later), or reads
//! it from the run's journal, which the plan walk wrote (every version, where `/proc` can be
//! read). Without either, before 1.9, the old object stays deposed; the documented way out is
//! tested too.
//!
//! Versions: every Terraform under test; the journal-less fallback on those without
//! `Feature::FinalPlanSignal`.

mod support;

use support::lifecycle::{
    applied, assert_available, assert_calls, assert_no_changes, assert_no_writes, assert_used_by,
    attachment, main_tf, writes,
};
use support::{Feature, Outcome, Sim, Terraform, Workdir};
use support::{Versions, for_each_terraform};

const CBD: &str = "  lifecycle {\n    create_before_destroy = true\n  }\n";
const ONE: &str = "zenlayer_nic_attachment.one";
/// Reads (NIC and instance lookups) one apply of one attachment makes at most: the plan walk's
/// refresh and checks, then the apply walk's plan and its create or delete.
const READS_PER_APPLY: u64 = 6;

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

/// Where the apply walk can tell neither from Terraform nor from the journal which plan it
/// redoes, Terraform fails that plan and keeps the old object deposed. The way out the docs
/// give: revert the configuration, forget the resource, import it again. No write.
fn recover_without_journal(tf: &Terraform, sim: &Sim, dir: &Workdir) {
    assert!(
        has_deposed(dir),
        "Terraform {}: deposed, as documented",
        tf.version
    );
    dir.write("main.tf", &config(sim, "nic-app-1", "ins-web-1", CBD));
    sim.api().reset_calls();
    dir.run(&["state", "rm", ONE]).assert_success();
    dir.import(ONE, "nic-app-1:ins-web-1").assert_success();
    assert!(
        !has_deposed(dir),
        "Terraform {}: deposed object gone",
        tf.version
    );
    assert_no_changes(dir);
    assert_no_writes(sim, &format!("Terraform {}: the way out", tf.version));
}

/// Asserts an apply sent no write (and read within [`READS_PER_APPLY`]) and the NIC is still
/// on ins-web-1.
#[track_caller]
fn assert_untouched(tf: &Terraform, sim: &Sim, what: &str) {
    assert_calls(
        sim,
        (0, 0),
        READS_PER_APPLY,
        &format!("Terraform {}: {what}", tf.version),
    );
    assert_used_by(sim, "nic-app-1", "ins-web-1", &tf.version);
}

/// After a create-before-destroy the provider refused (`out`): nothing was sent, the NIC is
/// still on ins-web-1, the failure says `says`, nothing is deposed and the original
/// configuration plans nothing.
#[track_caller]
fn assert_refused_cleanly(tf: &Terraform, sim: &Sim, dir: &Workdir, out: &Outcome, says: &str) {
    assert_untouched(tf, sim, "nothing sent");
    out.assert_failure_contains(says);
    assert!(
        !has_deposed(dir),
        "Terraform {}: no deposed object",
        tf.version
    );
    dir.write("main.tf", &config(sim, "nic-app-1", "ins-web-1", CBD));
    assert_no_changes(dir);
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
fn without_a_journal_before_1_9_a_refused_cbd_leaves_a_deposed_object_and_the_way_out_works() {
    for_each_terraform(Versions::All, |tf| {
        if tf.has(Feature::FinalPlanSignal) {
            eprintln!(
                "Terraform {}: tells the provider which plan it redoes; no fallback",
                tf.version
            );
            return;
        }
        let sim = Sim::quick();
        let dir = applied(tf, &config(&sim, "nic-app-1", "ins-web-1", CBD)).without_run_journal();
        let dir = dir.config(&config(&sim, "nic-app-1", "ins-web-2", CBD));
        sim.api().reset_calls();
        dir.apply().assert_failure_contains("nic-app-1");
        assert_no_writes(&sim, &format!("Terraform {}: nothing sent", tf.version));
        recover_without_journal(tf, &sim, &dir);
    });
}

/// Asserts a create-before-destroy replacement of the same attachment took it over: the apply
/// succeeded with no write, the NIC is still on ins-web-1, nothing is deposed, and the next plan
/// is empty.
#[track_caller]
fn assert_taken_over(tf: &Terraform, sim: &Sim, dir: &Workdir, out: &Outcome, what: &str) {
    out.assert_success()
        .assert_stdout_contains("1 added, 0 changed, 1 destroyed");
    assert_untouched(tf, sim, what);
    assert!(
        !has_deposed(dir),
        "Terraform {}: {what}: no deposed object",
        tf.version
    );
    assert_no_changes(dir);
}

#[test]
fn cbd_replace_of_the_same_attachment_takes_it_over_without_a_write() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::quick();
        let dir = applied(tf, &config(&sim, "nic-app-1", "ins-web-1", CBD));
        sim.api().reset_calls();
        let out = replace_one(&dir);
        assert_taken_over(tf, &sim, &dir, &out, "-replace");

        // A saved plan: `plan -out`, then `apply` of the file.
        sim.api().reset_calls();
        dir.run(&[
            "plan",
            "-no-color",
            "-input=false",
            "-replace=zenlayer_nic_attachment.one",
            "-out=tf.plan",
        ])
        .assert_success();
        let out = dir.run(&["apply", "-no-color", "-input=false", "tf.plan"]);
        assert_taken_over(tf, &sim, &dir, &out, "-replace from a saved plan");

        // Without create_before_destroy the same -replace re-attaches the NIC.
        let dir = dir.config(&config(&sim, "nic-app-1", "ins-web-1", ""));
        sim.api().reset_calls();
        replace_one(&dir).assert_success();
        assert_calls(
            &sim,
            (1, 1),
            READS_PER_APPLY + 2,
            &format!(
                "Terraform {}: -replace without create_before_destroy",
                tf.version
            ),
        );
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
fn cbd_recreating_a_tainted_attachment_takes_it_over_without_a_write() {
    for_each_terraform(Versions::OldestAndNewest, |tf| {
        let sim = Sim::quick();
        let dir = applied(tf, &config(&sim, "nic-app-1", "ins-web-1", CBD));
        dir.run(&["taint", ONE]).assert_success();
        sim.api().reset_calls();
        let out = dir.apply();
        assert_taken_over(tf, &sim, &dir, &out, "a tainted object re-created");
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
