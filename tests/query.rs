//! Bulk adoption with `terraform query` (Terraform 1.14 and later): the list resource
//! `zenlayer_nic_attachment` finds every secondary NIC attached to an instance (never a
//! primary NIC), `-generate-config-out` writes resource and import blocks that import every
//! attachment without a write call, and `terraform validate -query` reports a bad filter at
//! its attribute.

mod support;

use support::big_account::add_5000_attached_nics;
use support::lifecycle::assert_no_writes;
use support::{Feature, Sim, Workdir};
use support::{Versions, for_each_terraform};

/// The attachments the simulator's built-in account has in `asia-east-1`, as the listing's
/// display names show them.
const ASIA: &[&str] = &[
    "nic-db-1 (db-1) on ins-web-1",
    "nic-full-1-data (full-1-data) on ins-full-1",
    "nic-stopped-1-data (stopped-1-data) on ins-stopped-1",
];

fn query_dir(tf: &support::Terraform, sim: &Sim, list_body: &str) -> Workdir {
    let dir = tf.workdir().config(&sim.provider_block());
    dir.write(
        "adopt.tfquery.hcl",
        &format!(
            "list \"zenlayer_nic_attachment\" \"all\" {{\n  provider = zenlayer\n{list_body}}}\n"
        ),
    );
    dir
}

const IN_ASIA: &str = "  config {\n    region_id = \"asia-east-1\"\n  }\n";

#[test]
fn query_lists_every_attached_secondary_nic_of_the_region_and_no_primary_nic() {
    for_each_terraform(Versions::Supporting(Feature::Query), |tf| {
        let sim = Sim::quick();
        let dir = query_dir(tf, &sim, IN_ASIA);
        let out = dir.run(&["query", "-no-color"]);
        out.assert_success();
        for shown in ASIA {
            out.assert_stdout_contains(shown);
        }
        out.assert_stdout_contains("nic_id=nic-db-1")
            .assert_stdout_contains("instance_id=ins-web-1")
            .assert_not_contains("primary")
            .assert_not_contains("nic-eu-db-1")
            .assert_not_contains("nic-app-1");
        let calls = sim.api().calls();
        assert_eq!(
            calls.action("DescribeNetworkInterfaces").received,
            1,
            "v{}: one page: {calls:?}",
            tf.version
        );
    });
}

#[test]
fn query_honours_the_limit_and_the_instance_filter() {
    for_each_terraform(Versions::Supporting(Feature::Query), |tf| {
        let sim = Sim::quick();
        let dir = query_dir(tf, &sim, &format!("  limit = 2\n{IN_ASIA}"));
        let out = dir.run(&["query", "-no-color"]);
        out.assert_success();
        let found = ASIA.iter().filter(|s| out.stdout.contains(*s)).count();
        assert_eq!(found, 2, "v{}: limit 2:\n{}", tf.version, out.stdout);

        let dir = query_dir(
            tf,
            &sim,
            "  config {\n    instance_id = \"ins-eu-1\"\n  }\n",
        );
        dir.run(&["query", "-no-color"])
            .assert_success()
            .assert_stdout_contains("nic-eu-db-1 (eu-db-1) on ins-eu-1")
            .assert_not_contains("nic-db-1");
    });
}

#[test]
fn generated_configuration_imports_every_attachment_without_a_write_and_then_plans_nothing() {
    for_each_terraform(Versions::Supporting(Feature::Query), |tf| {
        let sim = Sim::quick();
        let dir = query_dir(tf, &sim, IN_ASIA);
        dir.run(&["query", "-no-color", "-generate-config-out=adopted.tf"])
            .assert_success();
        let generated =
            std::fs::read_to_string(dir.path().join("adopted.tf")).expect("the generated file");
        // Only the two IDs, aligned as `terraform fmt` aligns them.
        assert!(
            generated.contains("  nic_id      = \"nic-db-1\"")
                && generated.contains("  instance_id = \"ins-web-1\""),
            "v{}:\n{generated}",
            tf.version
        );
        for absent in [
            "region_id",
            "primary_ipv4",
            "mac_address",
            "timeouts",
            "  id ",
        ] {
            assert!(
                !generated.contains(absent),
                "v{}: {absent} is not written:\n{generated}",
                tf.version
            );
        }
        assert_eq!(generated.matches("identity = {").count(), 3, "{generated}");
        sim.api().reset_calls();
        dir.apply().assert_success().assert_stdout_contains(
            "Apply complete! Resources: 3 imported, 0 added, 0 changed, 0 destroyed.",
        );
        assert_no_writes(&sim, &format!("v{}: adoption", tf.version));
        dir.plan()
            .assert_success()
            .assert_stdout_contains("No changes.");
    });
}

#[test]
fn validate_query_reports_a_bad_filter_at_its_attribute() {
    for_each_terraform(Versions::Supporting(Feature::Query), |tf| {
        let sim = Sim::quick();
        let dir = query_dir(
            tf,
            &sim,
            "  config {\n    region_id = \"asia east 1\"\n  }\n",
        );
        dir.run(&["validate", "-query", "-no-color"])
            .assert_failure_contains("Invalid region ID")
            .assert_failure_contains("`region_id`")
            .assert_failure_contains("adopt.tfquery.hcl");
        assert_eq!(sim.api().calls().total_received(), 0, "v{}", tf.version);
    });
}

#[test]
fn an_account_with_5000_attached_nics_is_listed_in_at_most_6_api_calls() {
    for_each_terraform(Versions::Supporting(Feature::Query), |tf| {
        let sim = Sim::quick();
        add_5000_attached_nics(&sim);
        sim.api().reset_calls();
        let dir = query_dir(tf, &sim, &format!("  limit = 10000\n{IN_ASIA}"));
        let out = dir.run(&["query", "-no-color"]);
        out.assert_success();
        let listed = out
            .stdout
            .lines()
            .filter(|l| l.starts_with("list.zenlayer_nic_attachment.all"))
            .count();
        assert_eq!(listed, 5003, "v{}: every attachment is listed", tf.version);
        let calls = sim
            .api()
            .calls()
            .action("DescribeNetworkInterfaces")
            .received;
        assert!(calls <= 6, "v{}: {calls} listing calls", tf.version);
    });
}

/// The `list_resource_found` messages of a `terraform query -json` run.
fn found(out: &support::Outcome) -> Vec<serde_json::Value> {
    out.stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["type"] == "list_resource_found")
        .map(|m| m["list_resource_found"].clone())
        .collect()
}

#[test]
fn include_resource_returns_each_attachment_as_state_would_hold_it_and_only_when_asked() {
    for_each_terraform(Versions::Supporting(Feature::Query), |tf| {
        let sim = Sim::quick();
        let body = format!("  include_resource = true\n{IN_ASIA}");
        let dir = query_dir(tf, &sim, &body);
        let out = dir.run(&["query", "-json"]);
        out.assert_success();
        let results = found(&out);
        assert_eq!(results.len(), ASIA.len(), "v{}: {results:#?}", tf.version);
        for r in &results {
            let object = &r["resource_object"];
            let nic_id = object["nic_id"].as_str().expect("nic_id");
            let nic = sim.api().nic(nic_id).expect("a listed NIC exists");
            let instance = nic.instance_id.clone().expect("a listed NIC is attached");
            assert_eq!(object["instance_id"], instance.as_str());
            assert_eq!(object["id"], format!("{nic_id}:{instance}").as_str());
            assert_eq!(object["region_id"], nic.region_id.as_str());
            assert_eq!(object["mac_address"].as_str(), nic.mac_address.as_deref());
            assert_eq!(object["primary_ipv4"].as_str(), nic.primary_ipv4.as_deref());
            assert_eq!(r["identity"]["nic_id"], nic_id);
        }
        // Without include_resource, identities only.
        let dir = query_dir(tf, &sim, IN_ASIA);
        let out = dir.run(&["query", "-json"]);
        out.assert_success();
        let results = found(&out);
        assert_eq!(results.len(), ASIA.len());
        assert!(
            results.iter().all(|r| r["resource_object"].is_null()),
            "v{}: {results:#?}",
            tf.version
        );
    });
}
