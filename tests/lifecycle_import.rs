//! Bringing an existing attachment under Terraform: `terraform import` with `<nic>:<instance>`
//! or `<nic>` alone, `import {}` blocks where Terraform has them, and the errors for IDs that
//! cannot be imported. The state an import writes is the state a create writes, so the next
//! plan is empty.

mod support;

use serde_json::Value;
use support::lifecycle::{StateReading, assert_used_by, web_config};
use support::{Feature, Sim};
use support::{Versions, for_each_terraform};

const WEB: &str = "zenlayer_nic_attachment.web";

/// The attachment's attribute values as `terraform show -json` reports them.
fn values(dir: &support::Workdir) -> Value {
    dir.resource_json(WEB).expect("state holds the attachment")["values"].clone()
}

#[test]
fn import_by_pair_or_by_nic_alone_writes_what_a_create_writes_and_plans_nothing() {
    for_each_terraform(Versions::All, |tf| {
        // The reference: the attachment as `terraform apply` creates it.
        let sim = Sim::quick();
        let created = tf
            .workdir()
            .config(&web_config(&sim, "nic-app-1", "ins-web-1", ""));
        created.apply().assert_success();
        let want = values(&created);

        for import_id in ["nic-app-1:ins-web-1", "nic-app-1"] {
            let sim = Sim::quick();
            sim.attach_by_hand("nic-app-1", "ins-web-1");
            let dir = tf
                .workdir()
                .config(&web_config(&sim, "nic-app-1", "ins-web-1", ""));
            dir.import(WEB, import_id)
                .assert_success()
                .assert_stdout_contains("Import successful!");
            assert_eq!(
                values(&dir),
                want,
                "{}: state after importing {import_id:?} equals state after a create",
                tf.version
            );
            dir.plan()
                .assert_success()
                .assert_stdout_contains("No changes.");
            assert_used_by(&sim, "nic-app-1", "ins-web-1", &tf.version);
        }
    });
}

#[test]
fn import_block_imports_on_apply_then_plans_nothing() {
    for_each_terraform(Versions::All, |tf| {
        // Older versions have only the `terraform import` command, covered above.
        if !tf.supports(Feature::ImportBlocks) {
            return;
        }
        let sim = Sim::quick();
        sim.attach_by_hand("nic-app-1", "ins-web-1");
        let config = format!(
            "{}\nimport {{\n  to = {WEB}\n  id = \"nic-app-1:ins-web-1\"\n}}\n",
            web_config(&sim, "nic-app-1", "ins-web-1", "")
        );
        let dir = tf.workdir().config(&config);
        dir.plan()
            .assert_success()
            .assert_stdout_contains("zenlayer_nic_attachment.web will be imported")
            .assert_stdout_contains("Plan: 1 to import, 0 to add, 0 to change, 0 to destroy.");
        sim.api().reset_calls();
        dir.apply().assert_success().assert_stdout_contains(
            "Apply complete! Resources: 1 imported, 0 added, 0 changed, 0 destroyed.",
        );
        let calls = sim.api().calls();
        assert_eq!(
            calls.action("AttachNetworkInterface").received,
            0,
            "importing attaches nothing: {calls:?}"
        );
        assert_eq!(values(&dir)["id"], "nic-app-1:ins-web-1");
        dir.plan()
            .assert_success()
            .assert_stdout_contains("No changes.");
    });
}

#[test]
fn malformed_import_ids_are_refused_with_the_formats_that_work() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::quick();
        let dir = tf
            .workdir()
            .config(&web_config(&sim, "nic-app-1", "ins-web-1", ""));
        for (id, why) in [
            (
                "a:b:c",
                "it has 3 `:`-separated parts, but at most 2 are allowed",
            ),
            (":x", "the NIC ID part is empty"),
            ("nic-app-1:", "the instance ID part is empty"),
        ] {
            dir.import(WEB, id)
                .assert_failure_contains("Error: Invalid import ID")
                .assert_failure_contains(&format!("The import ID {id:?} cannot be read: {why}."))
                .assert_failure_contains(
                    "Use `<nic_id>:<instance_id>` (for example `nic-123:ins-456`) or just `<nic_id>`",
                );
        }
        assert!(dir.state_list().is_empty(), "nothing was imported");
        let calls = sim.api().calls();
        assert_eq!(
            calls.total_received(),
            0,
            "{}: a malformed ID needs no API call: {calls:?}",
            tf.version
        );
    });
}

#[test]
fn importing_what_is_not_an_attachment_says_why() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::quick();
        let dir = tf
            .workdir()
            .config(&web_config(&sim, "nic-app-1", "ins-web-1", ""));

        dir.import(WEB, "nic-app-1:ins-web-1")
            .assert_failure_contains("Error: The NIC is not attached to anything")
            .assert_failure_contains(
                "NIC nic-app-1 is AVAILABLE, so there is no attachment to import (instance: \
                 ins-web-1).",
            )
            .assert_failure_contains("let `terraform apply` create the attachment");

        dir.import(WEB, "nic-missing-1")
            .assert_failure_contains("Error: The NIC to import does not exist")
            .assert_failure_contains("Zenlayer has no NIC with the ID nic-missing-1");

        dir.import(WEB, "nic-db-1:ins-web-2")
            .assert_failure_contains("Error: The NIC is attached to another instance")
            .assert_failure_contains(
                "The import named NIC nic-db-1 on instance ins-web-2, but the NIC is USED",
            )
            .assert_failure_contains("Import `nic-db-1:ins-web-1` (or just `nic-db-1`)");

        assert!(dir.state_list().is_empty(), "nothing was imported");
    });
}
