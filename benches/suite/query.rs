//! `query`: bulk adoption on Terraform 1.14 and later. `terraform query` of 1,000 attachments
//! on one instance, with and without `include_resource`; then the configuration
//! `-generate-config-out` writes, applied: 1,000 imports. Wall time and API calls.

use std::time::Duration;

use tpz::sim::{NewInstances, NewNics};

use crate::Bench;
use crate::lab::{Lab, Workdir, terraform_at_least};
use crate::report::Row;
use crate::stats::{median, secs};
use crate::world::{REGION, ZONE};

/// Attachments listed and imported.
const COUNT: u32 = 1000;
const LISTING: &str = "DescribeNetworkInterfaces";
const WRITES: [&str; 2] = ["AttachNetworkInterface", "DetachNetworkInterface"];

/// Creates an instance with `COUNT` attached NICs (once per bench run); its ID.
fn seed(lab: &Lab) -> String {
    let sim = lab.sim();
    if let Some(existing) =
        (sim.state().instances.iter()).find(|i| i.instance_id.starts_with("ins-query-"))
    {
        return existing.instance_id.clone();
    }
    let created = sim
        .create_instances(NewInstances {
            count: 1,
            prefix: "ins-query-".into(),
            first: 1,
            zone_id: ZONE.into(),
            status: None,
            nic_limit: Some(COUNT + 1),
        })
        .expect("create the query instance");
    let instance = created.instance_ids[0].clone();
    sim.create_nics(NewNics {
        count: COUNT,
        prefix: "nic-query-".into(),
        first: 1,
        region_id: Some(REGION.into()),
        instance_id: Some(instance.clone()),
        status: None,
        vpc_id: None,
        subnet_id: None,
    })
    .expect("create the attached NICs");
    instance
}

fn list_block(instance: &str, include_resource: bool) -> String {
    format!(
        "list \"zenlayer_nic_attachment\" \"bulk\" {{\n  provider = zenlayer\n  limit    = {COUNT}\n  include_resource = {include_resource}\n  config {{\n    instance_id = \"{instance}\"\n  }}\n}}\n"
    )
}

fn listed(stdout: &str) -> usize {
    stdout
        .lines()
        .filter(|l| l.starts_with("list.zenlayer_nic_attachment.bulk"))
        .count()
}

pub(crate) fn query(bench: &Bench) {
    let Some((terraform, version)) = terraform_at_least(1, 14) else {
        println!(
            "\nquery: skipped: needs Terraform 1.14 or later (TPZ_BENCH_QUERY_TERRAFORM, or one in TF_ACC_TERRAFORM_PATHS)"
        );
        return;
    };
    let lab = bench.lab();
    let instance = seed(lab);
    let runs = bench.tf_runs(3);
    println!("\nquery: Terraform {version}, {COUNT} attachments on {instance}, {runs} runs each");
    list(bench, &terraform, &instance, runs, false);
    import_generated(bench, lab, &terraform, &instance, runs.min(2));
}

/// `terraform query` of the `COUNT` attachments on `instance`, with and without
/// `include_resource`; `away` labels the rows of the case run with the API 100 ms away.
pub(crate) fn list(
    bench: &Bench,
    terraform: &std::path::Path,
    instance: &str,
    runs: usize,
    away: bool,
) {
    let lab = bench.lab();
    for include_resource in [false, true] {
        let name = format!("query-{include_resource}{}", if away { "-net" } else { "" });
        let w = lab.zenlayer_workdir_on(terraform, &name, "");
        std::fs::write(
            w.dir.join("bulk.tfquery.hcl"),
            list_block(instance, include_resource),
        )
        .expect("write the list block");
        let mut walls = Vec::new();
        let mut calls = 0;
        for _ in 0..runs {
            lab.sim().reset_calls();
            let run = lab
                .run(&w, &["query", "-no-color"])
                .expect("terraform query", "");
            assert_eq!(
                listed(&run.stdout),
                COUNT as usize,
                "every attachment listed"
            );
            walls.push(run.wall);
            calls = calls.max(lab.sim().calls().action(LISTING).received);
        }
        let wall = median(&walls);
        println!(
            "  include_resource = {include_resource}: median {}, {calls} listing calls",
            secs(wall)
        );
        let measured = match (include_resource, away) {
            (true, false) => "query 1,000 with include_resource (median wall; API calls)",
            (false, false) => "query 1,000 (median wall; API calls)",
            (true, true) => "query 1,000 with include_resource, API 100 ms away",
            (false, true) => "query 1,000, API 100 ms away",
        };
        bench.report.add(Row::wall_and_calls(
            "query",
            measured,
            wall,
            calls,
            "≤ 2 calls",
            calls <= 2,
        ));
    }
}

/// `net-query`: the query case's listings with the API 100 ms away.
pub(crate) fn net_query(bench: &Bench) {
    let Some((terraform, version)) = terraform_at_least(1, 14) else {
        println!("\nnet-query: skipped: needs Terraform 1.14 or later");
        return;
    };
    let lab = bench.lab();
    let instance = seed(lab);
    let runs = bench.tf_runs(3);
    println!(
        "\nnet-query: Terraform {version}, {COUNT} attachments on {instance}, API {} ms away, {runs} runs each",
        crate::network::LATENCY.as_millis()
    );
    lab.sim()
        .set_timing(tpz::sim::Timing {
            latency_ms: crate::network::LATENCY.as_millis() as u64,
            spread: None,
        })
        .expect("a valid pacing");
    list(bench, &terraform, &instance, runs, true);
    lab.sim()
        .set_timing(tpz::sim::Timing::default())
        .expect("no pacing");
}

/// `-generate-config-out`, then `terraform apply` of the 1,000 imports it wrote.
fn import_generated(
    bench: &Bench,
    lab: &Lab,
    terraform: &std::path::Path,
    instance: &str,
    runs: usize,
) {
    let w: Workdir = lab.zenlayer_workdir_on(terraform, "query-import", "");
    std::fs::write(w.dir.join("bulk.tfquery.hcl"), list_block(instance, false))
        .expect("write the list block");
    let mut walls: Vec<Duration> = Vec::new();
    let (mut calls, mut writes) = (0, 0);
    for _ in 0..runs {
        let _ = std::fs::remove_file(w.dir.join("generated.tf"));
        let _ = std::fs::remove_file(w.dir.join("terraform.tfstate"));
        lab.run(
            &w,
            &["query", "-no-color", "-generate-config-out=generated.tf"],
        )
        .expect("terraform query -generate-config-out", "");
        lab.sim().reset_calls();
        let run = lab
            .run(&w, &["apply", "-input=false", "-no-color", "-auto-approve"])
            .expect(
                "terraform apply of the generated imports",
                &format!("{COUNT} imported, 0 added, 0 changed, 0 destroyed"),
            );
        walls.push(run.wall);
        let report = lab.sim().calls();
        calls = calls.max(report.total_received());
        writes = writes.max(
            WRITES
                .iter()
                .map(|a| report.action(a).received)
                .sum::<u64>(),
        );
    }
    let wall = median(&walls);
    println!(
        "  apply of the generated {COUNT} imports: median {}, {calls} API calls, {writes} writes",
        secs(wall)
    );
    bench.report.add(Row::wall_and_calls(
        "import",
        "apply 1,000 generated imports (median wall; API calls)",
        wall,
        calls,
        "0 writes",
        writes == 0,
    ));
}
