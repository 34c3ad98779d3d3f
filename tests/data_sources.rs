//! Looking NICs up instead of hard-coding them, the way a user does it: `data "zenlayer_nic"`
//! by name or ID, `data "zenlayer_nics"` with filters and `name_regex`, what `terraform
//! validate` refuses, the errors for no match and for a shared name, status and attachment
//! read anew on every plan, a `for_each` over the IDs that gets every plan check, the API calls
//! a large plan makes, and an account of 5,000 NICs paged through. Oldest and newest
//! Terraform.

mod support;

use serde_json::Value;
use support::{Sim, Terraform, Workdir};
use support::{Versions, for_each_terraform};
use tpz::sim::{NewInstances, NewNics, NicPatch};
use tpz::zenlayer::models::NicStatus;

/// Every scenario here: on the oldest and the newest Terraform, each with a fresh simulator.
fn on_each_terraform(scenario: impl Fn(&Terraform, &Sim) + Sync) {
    for_each_terraform(Versions::OldestAndNewest, |tf| scenario(tf, &Sim::quick()));
}

/// [`on_each_terraform`] for a scenario about one configuration: `body` under the
/// simulator's provider block, in a fresh working directory.
fn with_config(body: &str, scenario: impl Fn(&Terraform, &Sim, &Workdir) + Sync) {
    on_each_terraform(|tf, sim| scenario(tf, sim, &dir(tf, sim, body)));
}

fn dir(tf: &Terraform, sim: &Sim, body: &str) -> Workdir {
    tf.workdir()
        .config(&format!("{}\n{body}", sim.provider_block()))
}

/// `terraform output -json`, as a map of output name → value.
fn outputs(dir: &Workdir) -> Value {
    let out = dir.run(&["output", "-json"]);
    out.assert_success();
    let all = out.json();
    let map = all.as_object().expect("outputs are an object");
    Value::Object(
        map.iter()
            .map(|(k, v)| (k.clone(), v["value"].clone()))
            .collect(),
    )
}

fn total_calls(sim: &Sim) -> u64 {
    sim.api().calls().total_received()
}

const DB_BY_NAME: &str = r#"
data "zenlayer_nic" "db" {
  name = "db-1"
}

output "db" {
  value = {
    id          = data.zenlayer_nic.db.id
    status      = data.zenlayer_nic.db.status
    instance_id = data.zenlayer_nic.db.instance_id
    region_id   = data.zenlayer_nic.db.region_id
    private_ips = data.zenlayer_nic.db.private_ips
    create_time = data.zenlayer_nic.db.create_time
  }
}
"#;

#[test]
fn a_nic_found_by_name_shows_its_status_and_instance_as_of_each_plan() {
    with_config(DB_BY_NAME, |tf, sim, dir| {
        dir.apply().assert_success();
        let db = &outputs(dir)["db"];
        assert_eq!(db["id"], "nic-db-1", "v{}", tf.version);
        assert_eq!(db["status"], "USED");
        assert_eq!(db["instance_id"], "ins-web-1");
        assert_eq!(db["region_id"], "asia-east-1");
        assert_eq!(db["private_ips"], serde_json::json!(["10.10.0.16"]));
        assert!(
            db["create_time"]
                .as_str()
                .is_some_and(|t| t.starts_with("2026-"))
        );

        // Detached outside Terraform: the next plan reads the NIC again.
        sim.api()
            .patch_nic(
                "nic-db-1",
                NicPatch {
                    status: Some(NicStatus::Available),
                    instance_id: Some(None),
                    ..NicPatch::default()
                },
            )
            .expect("detached elsewhere");
        dir.apply().assert_success();
        let db = &outputs(dir)["db"];
        assert_eq!(db["status"], "AVAILABLE", "v{}", tf.version);
        assert_eq!(
            db["instance_id"],
            Value::Null,
            "null when attached to nothing"
        );
    });
}

/// The documented example (the free secondary NICs of one subnet whose names start with
/// `app-`: every filter the API takes but `vpc_id`, then `name_regex`, which the provider
/// applies), and a search by `vpc_id` that `name_regex` narrows to three.
const FILTERED: &str = concat!(
    include_str!("../examples/data-sources/zenlayer_nics/data-source.tf"),
    r#"
data "zenlayer_nics" "narrowed" {
  vpc_id     = "vpc-asia-1"
  name_regex = "^app-[1-3]$"
}

output "narrowed_ids" {
  value = data.zenlayer_nics.narrowed.ids
}

output "first" {
  value = data.zenlayer_nics.narrowed.nics[0]
}
"#
);

#[test]
fn filters_go_to_the_api_and_name_regex_narrows_the_sorted_ids() {
    with_config(FILTERED, |tf, _sim, dir| {
        dir.apply().assert_success();
        let out = outputs(dir);
        let app = |numbers: std::ops::RangeInclusive<u32>| -> Value {
            numbers.map(|n| format!("nic-app-{n}")).collect()
        };
        assert_eq!(out["free_app_nic_ids"], app(1..=8), "v{}", tf.version);
        assert_eq!(out["free_app_nic_addresses"]["nic-app-1"], "10.10.0.19");
        assert_eq!(out["narrowed_ids"], app(1..=3), "v{}", tf.version);
        let first = &out["first"];
        assert_eq!(first["name"], "app-1");
        assert_eq!(
            first["private_ips"],
            serde_json::json!(["10.10.0.19", "10.10.1.19"])
        );
        assert_eq!(first["security_group_id"], "sg-asia-1");
        assert_eq!(first["instance_id"], Value::Null);
        assert_eq!(first["public_ips"], serde_json::json!([]));
    });
}

#[test]
fn validate_refuses_id_with_name_neither_and_a_regex_showing_where_it_fails() {
    on_each_terraform(|tf, sim| {
        let both = dir(
            tf,
            sim,
            "data \"zenlayer_nic\" \"x\" {\n  id   = \"nic-db-1\"\n  name = \"db-1\"\n}\n",
        );
        both.validate()
            .assert_failure_contains("Both `id` and `name` are set")
            .assert_failure_contains("data.zenlayer_nic.x");
        let neither = dir(
            tf,
            sim,
            "data \"zenlayer_nic\" \"x\" {\n  region_id = \"r\"\n}\n",
        );
        neither
            .validate()
            .assert_failure_contains("Neither `id` nor `name` is set");
        let regex = dir(
            tf,
            sim,
            "data \"zenlayer_nics\" \"x\" {\n  name_regex = \"web-(a|b\"\n}\n",
        );
        regex
            .validate()
            .assert_failure_contains("Invalid regular expression")
            .assert_failure_contains("unclosed group, at character 5")
            .assert_failure_contains("name_regex");
        assert_eq!(total_calls(sim), 0, "validate calls no API");
    });
}

#[test]
fn no_match_and_a_shared_name_are_errors_that_say_what_was_found() {
    on_each_terraform(|tf, sim| {
        sim.api()
            .create_nics(NewNics::available("nic-twin-", 23, "asia-east-1"))
            .expect("23 NICs");
        for i in 1..=23 {
            sim.api()
                .patch_nic(
                    &format!("nic-twin-{i}"),
                    NicPatch {
                        name: Some(Some("twin".into())),
                        ..NicPatch::default()
                    },
                )
                .expect("named twin");
        }
        let none = dir(
            tf,
            sim,
            "data \"zenlayer_nic\" \"x\" {\n  name      = \"nope\"\n  region_id = \"asia-east-1\"\n}\n",
        );
        none.plan()
            .assert_failure_contains("No NIC matches the search")
            .assert_failure_contains("name = \"nope\", region_id = \"asia-east-1\"");
        let twins = dir(
            tf,
            sim,
            "data \"zenlayer_nic\" \"x\" {\n  name = \"twin\"\n}\n",
        );
        let out = twins.plan();
        out.assert_failure_contains("Several NICs match the name")
            .assert_failure_contains("23 NICs match name = \"twin\"")
            .assert_failure_contains("nic-twin-1 (region asia-east-1, AVAILABLE)")
            .assert_failure_contains("and 3 more");
        let listed = out
            .stderr
            .matches("(region asia-east-1, AVAILABLE)")
            .count();
        assert_eq!(
            listed, 20,
            "v{}: at most 20 listed:\n{}",
            tf.version, out.stderr
        );
    });
}

/// The pattern the docs show: every free secondary NIC of a subnet, plus those already on
/// the pool, attached to a pool of instances, round robin.
const POOL: &str = include_str!("../examples/data-sources/zenlayer_nics/pool.tf");

#[test]
fn for_each_over_found_ids_attaches_them_and_then_plans_no_changes() {
    with_config(POOL, |tf, sim, dir| {
        dir.apply()
            .assert_success()
            .assert_stdout_contains("Apply complete! Resources: 4 added, 0 changed, 0 destroyed.");
        let attached = &outputs(dir)["attached"];
        assert_eq!(
            attached,
            &serde_json::json!({"nic-app-1": "ins-web-1", "nic-app-2": "ins-web-2",
                                "nic-app-3": "ins-web-1", "nic-app-4": "ins-web-2"}),
            "v{}",
            tf.version
        );
        assert_eq!(
            sim.attached_instance("nic-app-3").as_deref(),
            Some("ins-web-1")
        );
        dir.plan()
            .assert_success()
            .assert_stdout_contains("No changes.");
    });
}

/// Attachments for the NICs a search found, one of them in a state that cannot be attached.
const PICKED: &str = r#"
data "zenlayer_nics" "picked" {
  region_id  = "asia-east-1"
  name_regex = "^(app-1|failed-1)$"
}

resource "zenlayer_nic_attachment" "picked" {
  for_each    = toset(data.zenlayer_nics.picked.ids)
  nic_id      = each.value
  instance_id = "ins-web-1"
}
"#;

#[test]
fn attachments_on_found_ids_get_plan_checks_at_plan_time() {
    with_config(PICKED, |tf, sim, dir| {
        dir.plan()
            .assert_failure_contains("The NIC cannot be attached in its state")
            .assert_failure_contains("nic-failed-1")
            .assert_failure_contains("zenlayer_nic_attachment.picked[\"nic-failed-1\"]");
        let calls = sim.api().calls();
        assert_eq!(
            calls.action("AttachNetworkInterface").received,
            0,
            "v{}: nothing was written",
            tf.version
        );
    });
}

/// 20 subnets of 10 free NICs each, and 20 running instances with room for 10 more NICs.
fn twenty_subnets(sim: &Sim) {
    for k in 1..=20 {
        sim.api()
            .create_nics(NewNics {
                vpc_id: Some("vpc-bulk".into()),
                subnet_id: Some(format!("subnet-bulk-{k}")),
                ..NewNics::available(&format!("nic-s{k}-"), 10, "asia-east-1")
            })
            .expect("10 NICs");
    }
    sim.api()
        .create_instances(NewInstances {
            count: 20,
            prefix: "ins-pool-".into(),
            first: 1,
            zone_id: "asia-east-1a".into(),
            status: None,
            nic_limit: Some(12),
        })
        .expect("20 instances");
}

const TWENTY_BY_200: &str = r#"
data "zenlayer_nics" "subnet" {
  for_each  = toset([for k in range(1, 21) : tostring(k)])
  subnet_id = "subnet-bulk-${each.key}"
  status    = "AVAILABLE"
}

resource "zenlayer_nic_attachment" "bulk" {
  for_each = merge([
    for k, d in data.zenlayer_nics.subnet : { for id in d.ids : id => "ins-pool-${k}" }
  ]...)
  nic_id      = each.key
  instance_id = each.value
}
"#;

#[test]
fn a_plan_with_20_data_sources_and_200_attachments_makes_at_most_10_api_calls() {
    with_config(TWENTY_BY_200, |tf, sim, dir| {
        twenty_subnets(sim);
        sim.api().reset_calls();
        let started = std::time::Instant::now();
        dir.plan()
            .assert_success()
            .assert_stdout_contains("Plan: 200 to add, 0 to change, 0 to destroy.");
        let took = started.elapsed();
        let calls = sim.api().calls();
        let total = calls.total_received();
        eprintln!(
            "v{}: 20 data sources + 200 attachments: {total} API calls in {took:?}: {calls:?}",
            tf.version
        );
        // Searches, plan checks and refresh share the reads of this plan walk, however long
        // it lasts: 10 calls at most, on every version and however busy the machine.
        assert!(
            total <= 10,
            "v{}: {total} calls in {took:?}: {calls:?}",
            tf.version
        );
    });
}

/// The 5,000 NICs of one subnet, counted, and the last of them.
const BIG_SUBNET: &str = r#"
data "zenlayer_nics" "big" {
  subnet_id = "subnet-big"
}

output "count" {
  value = length(data.zenlayer_nics.big.ids)
}

output "last" {
  value = data.zenlayer_nics.big.ids[4999]
}
"#;

#[test]
fn an_account_of_5000_nics_returns_every_match() {
    with_config(BIG_SUBNET, |tf, sim, dir| {
        sim.api()
            .create_nics(NewNics {
                subnet_id: Some("subnet-big".into()),
                ..NewNics::available("nic-big-", 5000, "asia-east-1")
            })
            .expect("5000 NICs");
        sim.api().reset_calls();
        dir.apply().assert_success();
        let reads = sim
            .api()
            .calls()
            .action("DescribeNetworkInterfaces")
            .received;
        let out = outputs(dir);
        assert_eq!(out["count"], 5000, "v{}", tf.version);
        assert_eq!(out["last"], "nic-big-999", "sorted as text");
        eprintln!(
            "v{}: 5,000 matches in {reads} DescribeNetworkInterfaces calls",
            tf.version
        );
        assert!(reads <= 10, "v{}: {reads} calls", tf.version);
    });
}
