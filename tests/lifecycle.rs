//! `zenlayer_nic_attachment`'s everyday life with real Terraform against zenlayer-sim: create,
//! an empty plan, destroy; changes made outside Terraform (detached, moved) and how the next
//! plan and apply repair them; replacing an attachment in the right order; `timeouts` edits.
//!
//! Every session runs on each Terraform under test (the `terraform` on PATH and
//! `TF_ACC_TERRAFORM_PATHS`), side by side, each with its own simulator.

mod support;

use support::lifecycle::{
    ATTRIBUTES, NicWatch, StateReading, applied, assert_available, assert_no_changes, assert_quiet,
    assert_used_by, create_instances, web_config, writes,
};
use support::{Outcome, Sim, Terraform, Workdir};
use support::{Versions, for_each_terraform};
use tpz::sim::NewNics;
use tpz::zenlayer::models::NicStatus;

const WEB: &str = "zenlayer_nic_attachment.web";

/// Asserts `destroyed`, a destroy of `web` after its NIC was detached by hand, went through
/// quietly without sending a detach, leaving the NIC free and the state empty.
#[track_caller]
fn assert_destroyed_without_a_detach(
    tf: &Terraform,
    sim: &Sim,
    dir: &Workdir,
    destroyed: &Outcome,
) {
    destroyed.assert_success();
    assert_quiet(destroyed);
    assert_eq!(writes(sim).1, 0, "{}: nothing to detach", tf.version);
    assert_available(sim, "nic-app-1", &tf.version);
    assert!(dir.state_list().is_empty(), "destroy empties the state");
}

#[test]
fn create_records_every_attribute_then_plans_nothing_and_destroy_detaches() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::quick();
        let dir = tf
            .workdir()
            .config(&web_config(&sim, "nic-app-1", "ins-web-1", ""));

        dir.apply()
            .assert_success()
            .assert_stdout_contains("zenlayer_nic_attachment.web: Creation complete")
            .assert_stdout_contains("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.");
        assert_used_by(&sim, "nic-app-1", "ins-web-1", &tf.version);

        // What the user reads back: every attribute filled from the API.
        let nic = sim.api().nic("nic-app-1").expect("nic-app-1 exists");
        let ipv4 = nic
            .primary_ipv4
            .clone()
            .expect("the fixture NIC has an address");
        let mac = nic.mac_address.clone().expect("the fixture NIC has a MAC");
        let shown = dir.state_show(WEB);
        shown
            .assert_success()
            .assert_stdout_contains(r#"id = "nic-app-1:ins-web-1""#)
            .assert_stdout_contains(r#"instance_id = "ins-web-1""#)
            .assert_stdout_contains(r#"nic_id = "nic-app-1""#)
            .assert_stdout_contains(r#"region_id = "asia-east-1""#)
            .assert_stdout_contains(&format!(r#"primary_ipv4 = "{ipv4}""#))
            .assert_stdout_contains(&format!(r#"mac_address = "{mac}""#))
            .assert_not_contains("tainted");
        let resource = dir.resource_json(WEB).expect("state holds the attachment");
        let values = &resource["values"];
        let expected = [
            ("id", "nic-app-1:ins-web-1"),
            ("nic_id", "nic-app-1"),
            ("instance_id", "ins-web-1"),
            ("region_id", "asia-east-1"),
            ("primary_ipv4", ipv4.as_str()),
            ("mac_address", mac.as_str()),
        ];
        assert_eq!(expected.len(), ATTRIBUTES.len());
        for (name, want) in expected {
            assert_eq!(values[name], want, "{}: {name} in show -json", tf.version);
        }
        assert!(values["timeouts"].is_null(), "no timeouts configured");
        assert_ne!(resource["tainted"], true);

        assert_no_changes(&dir);

        dir.destroy()
            .assert_success()
            .assert_stdout_contains("Destroy complete! Resources: 1 destroyed.");
        assert_available(&sim, "nic-app-1", &tf.version);
        assert!(dir.state_list().is_empty(), "destroy empties the state");
    });
}

#[test]
fn detached_outside_terraform_plans_a_create_and_apply_restores_it() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::quick();
        let dir = applied(tf, &web_config(&sim, "nic-app-1", "ins-web-1", ""));

        sim.detach_by_hand("nic-app-1");

        // Terraform ≥ 1.2 lists outside changes in a normal plan only when other objects use
        // them, so the user asks with -refresh-only (every version shows it there).
        dir.run(&["plan", "-no-color", "-input=false", "-refresh-only"])
            .assert_success()
            .assert_stdout_contains("Objects have changed outside of Terraform")
            .assert_stdout_contains("zenlayer_nic_attachment.web has been deleted");
        dir.plan()
            .assert_success()
            .assert_stdout_contains("zenlayer_nic_attachment.web will be created")
            .assert_stdout_contains("Plan: 1 to add, 0 to change, 0 to destroy.");
        let plan = dir.plan_json();
        let drift = plan["resource_drift"]
            .as_array()
            .expect("the plan records drift");
        assert!(
            drift
                .iter()
                .any(|d| d["address"] == WEB
                    && d["change"]["actions"] == serde_json::json!(["delete"])),
            "{}: the plan records the attachment as deleted outside Terraform: {drift:?}",
            tf.version
        );

        dir.apply()
            .assert_success()
            .assert_stdout_contains("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.");
        assert_used_by(&sim, "nic-app-1", "ins-web-1", &tf.version);
        assert_no_changes(&dir);
    });
}

#[test]
fn moved_outside_terraform_is_reported_with_the_choices_and_never_moved_back_silently() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::quick();
        let dir = applied(tf, &web_config(&sim, "nic-app-1", "ins-web-1", ""));

        // Someone moves the NIC to another instance outside Terraform.
        sim.attach_by_hand("nic-app-1", "ins-web-2");

        dir.plan()
            .assert_failure_contains("The NIC was moved to another instance outside Terraform")
            .assert_failure_contains("ins-web-2");

        // Taking the move into the configuration, as the message says: forget the old
        // attachment, name the new instance, import the attachment where it now is.
        dir.apply_with(&["-refresh-only"]).assert_success();
        let dir = dir.config(&web_config(&sim, "nic-app-1", "ins-web-2", ""));
        dir.import("zenlayer_nic_attachment.web", "nic-app-1:ins-web-2")
            .assert_success();
        assert_no_changes(&dir);
        assert_used_by(&sim, "nic-app-1", "ins-web-2", &tf.version);
    });
}

#[test]
fn changing_instance_id_detaches_from_the_old_instance_before_attaching_to_the_new() {
    for_each_terraform(Versions::All, |tf| {
        // Default transitions (300 ms): long enough for the watcher to see each state.
        let sim = Sim::start();
        let dir = applied(tf, &web_config(&sim, "nic-app-1", "ins-web-1", ""));

        let dir = dir.config(&web_config(&sim, "nic-app-1", "ins-web-2", ""));
        dir.plan()
            .assert_success()
            .assert_stdout_contains("zenlayer_nic_attachment.web must be replaced")
            .assert_stdout_contains(
                r#"~ instance_id = "ins-web-1" -> "ins-web-2" # forces replacement"#,
            )
            .assert_stdout_contains("Plan: 1 to add, 0 to change, 1 to destroy.");

        sim.api().reset_calls();
        let watch = NicWatch::start(&sim, "nic-app-1");
        dir.apply()
            .assert_success()
            .assert_stdout_contains("Apply complete! Resources: 1 added, 0 changed, 1 destroyed.");
        let seen = watch.finish();

        // The NIC left ins-web-1 completely before it went anywhere near ins-web-2.
        let mut instances: Vec<Option<String>> = seen.iter().map(|(_, i)| i.clone()).collect();
        instances.dedup();
        assert_eq!(
            instances,
            [
                Some("ins-web-1".to_owned()),
                None,
                Some("ins-web-2".to_owned())
            ],
            "{}: the NIC's states during the replacement: {seen:?}",
            tf.version
        );
        assert!(
            seen.contains(&(NicStatus::Detaching, Some("ins-web-1".to_owned())))
                && seen.contains(&(NicStatus::Attaching, Some("ins-web-2".to_owned()))),
            "{}: a detach, then an attach: {seen:?}",
            tf.version
        );
        assert_eq!(
            seen.last(),
            Some(&(NicStatus::Used, Some("ins-web-2".to_owned())))
        );
        // The simulator refuses an attach while the NIC is bound to any instance, so an attach
        // that succeeded on its only try was sent after the detach had finished.
        let calls = sim.api().calls();
        for action in ["DetachNetworkInterface", "AttachNetworkInterface"] {
            let c = calls.action(action);
            assert_eq!(
                (c.received, c.succeeded),
                (1, 1),
                "{}: one successful {action}: {calls:?}",
                tf.version
            );
        }

        assert_no_changes(&dir);
    });
}

#[test]
fn changing_timeouts_updates_in_place_without_calling_the_api() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::quick();
        let dir = applied(tf, &web_config(&sim, "nic-app-1", "ins-web-1", ""));

        let timeouts = "  timeouts {\n    create = \"20m\"\n    delete = \"5m\"\n  }\n";
        let dir = dir.config(&web_config(&sim, "nic-app-1", "ins-web-1", timeouts));
        dir.plan()
            .assert_success()
            .assert_stdout_contains("zenlayer_nic_attachment.web will be updated in-place")
            .assert_stdout_contains("Plan: 0 to add, 1 to change, 0 to destroy.");

        // Without the refresh, the apply is the update alone: it must not touch the API.
        sim.api().reset_calls();
        dir.apply_with(&["-refresh=false"])
            .assert_success()
            .assert_stdout_contains("Apply complete! Resources: 0 added, 1 changed, 0 destroyed.");
        let calls = sim.api().calls();
        assert_eq!(
            calls.total_received(),
            0,
            "{}: a timeouts change calls nothing: {calls:?}",
            tf.version
        );
        assert_used_by(&sim, "nic-app-1", "ins-web-1", &tf.version);

        let resource = dir.resource_json(WEB).expect("still in state");
        assert_eq!(resource["values"]["timeouts"]["create"], "20m");
        assert_eq!(resource["values"]["timeouts"]["delete"], "5m");
        assert_eq!(resource["values"]["id"], "nic-app-1:ins-web-1");
        assert_no_changes(&dir);
    });
}

#[test]
fn destroy_after_the_nic_was_detached_outside_terraform_succeeds_quietly() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::quick();
        let dir = applied(tf, &web_config(&sim, "nic-app-1", "ins-web-1", ""));
        sim.detach_by_hand("nic-app-1");

        sim.api().reset_calls();
        assert_destroyed_without_a_detach(tf, &sim, &dir, &dir.destroy());
    });
}

#[test]
fn destroy_without_refresh_of_a_nic_detached_outside_terraform_sends_no_detach() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::quick();
        let dir = applied(tf, &web_config(&sim, "nic-app-1", "ins-web-1", ""));
        sim.detach_by_hand("nic-app-1");

        // The state still holds the attachment, so the provider's delete runs and finds the
        // NIC already free.
        sim.api().reset_calls();
        let destroyed = dir.destroy_with(&["-refresh=false"]);
        destroyed.assert_stdout_contains("Destroy complete! Resources: 1 destroyed.");
        assert_destroyed_without_a_detach(tf, &sim, &dir, &destroyed);
    });
}

#[test]
fn twenty_attachments_in_one_apply_all_succeed_and_destroy_frees_them_all() {
    for_each_terraform(Versions::All, |tf| {
        // Three fresh instances take 7 secondary NICs each (8 with the primary).
        let sim = Sim::start();
        let instances = create_instances(&sim, "ins-many-", 3, None);
        let nics = sim
            .api()
            .create_nics(NewNics::available("nic-many-", 20, "asia-east-1"))
            .expect("create NICs");

        let quoted = |ids: &[String]| {
            ids.iter()
                .map(|i| format!("\"{i}\""))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let config = format!(
            "{provider}
locals {{
  nics      = [{nics}]
  instances = [{instances}]
}}

resource \"zenlayer_nic_attachment\" \"many\" {{
  count       = length(local.nics)
  nic_id      = local.nics[count.index]
  instance_id = local.instances[count.index % length(local.instances)]
}}
",
            provider = sim.provider_block(),
            nics = quoted(&nics),
            instances = quoted(&instances),
        );
        let dir = tf.workdir().config(&config);

        let applied = dir.apply();
        applied
            .assert_success()
            .assert_stdout_contains("Apply complete! Resources: 20 added, 0 changed, 0 destroyed.");
        assert_quiet(&applied);
        for (i, nic) in nics.iter().enumerate() {
            assert_used_by(&sim, nic, &instances[i % instances.len()], &tf.version);
        }
        let attach = sim.api().calls().action("AttachNetworkInterface");
        assert_eq!(
            (attach.received, attach.succeeded),
            (20, 20),
            "{}: one attach per attachment, none refused: {attach:?}",
            tf.version
        );

        assert_no_changes(&dir);

        dir.destroy()
            .assert_success()
            .assert_stdout_contains("Destroy complete! Resources: 20 destroyed.");
        for nic in &nics {
            assert_available(&sim, nic, &tf.version);
        }
    });
}
