//! `plan`, `checks` and `lookups`: `terraform plan` of 200 attachments beside 200
//! `null_resource`s.

use std::time::Duration;

use tpz::sim::CallReport;

use crate::Bench;
use crate::lab::{Lab, Memory, Run, Subject};
use crate::report::Row;
use crate::stats::{median, median_u64, mib, percentile, ratio, secs};
use crate::world::{self, NEW, SYNC};

const PLAN: &[&str] = &["plan", "-input=false", "-no-color"];
const APPLY: &[&str] = &["apply", "-input=false", "-no-color", "-auto-approve"];
/// Sampled plans per subject for the memory peak.
const MEMORY_RUNS: usize = 3;

/// One subject's plans.
pub(crate) struct Plans {
    name: String,
    pub(crate) wall: Vec<Duration>,
    pub(crate) calls: Vec<CallReport>,
    peak_kib: Vec<u64>,
    /// The sampled runs' memory, for the split into heap and mapped code.
    memory: Vec<Memory>,
}

/// The `plan-sync` working directories, their 200 attachments applied once (and the null
/// provider's 200 resources): the first case needing them sets them up, the others reuse them.
pub(crate) fn sync_subjects(bench: &Bench) -> Vec<Subject> {
    let lab = bench.lab();
    let subjects = lab.subjects(
        "plan-sync",
        &SYNC.attachments(),
        &world::null_resources(SYNC.nics),
    );
    for s in &subjects {
        if s.workdir.dir.join("terraform.tfstate").exists() {
            continue;
        }
        if s.baseline {
            // Ours attached the NICs already; the baseline build takes over its state.
            std::fs::copy(
                subjects[0].workdir.dir.join("terraform.tfstate"),
                s.workdir.dir.join("terraform.tfstate"),
            )
            .expect("copy the state for the baseline build");
            continue;
        }
        lab.run(&s.workdir, APPLY)
            .expect(&format!("setup: apply for {}", s.name), "200 added");
    }
    subjects
}

/// The `plan-new` working directories: 200 new attachments, 200 new `null_resource`s.
pub(crate) fn new_subjects(bench: &Bench) -> Vec<Subject> {
    bench.lab().subjects(
        "plan-new",
        &NEW.attachments(),
        &world::null_resources(NEW.nics),
    )
}

/// Plan of 200 attachments in sync (refresh only) beside 200 `null_resource`s in state.
pub(crate) fn plan_in_sync(bench: &Bench) {
    let label = format!(
        "plan: `terraform plan` of {} resources in state and in sync",
        SYNC.nics
    );
    let plans = timed_plans(bench, &sync_subjects(bench), "No changes.", &label);

    let (ours, null) = ends(&plans);
    let (our_wall, null_wall) = (median(&ours.wall), median(&null.wall));
    bench.report.add(Row {
        case: "plan",
        measured: "plan, 200 in sync (median wall)",
        ours: secs(our_wall),
        reference: format!("null {}", secs(null_wall)),
        ratio: ratio(our_wall.as_secs_f64(), null_wall.as_secs_f64()),
        target: "≤ 1.00×".into(),
        met: our_wall <= null_wall,
    });
    let (our_peak, null_peak) = (median_u64(&ours.peak_kib), median_u64(&null.peak_kib));
    bench.report.add(Row::memory(
        "provider peak RSS during that plan",
        our_peak,
        "Go null",
        null_peak,
    ));
    let calls = most_calls(&ours.calls);
    bench.report.add(Row::api_calls(
        "calls in that plan (refresh)",
        calls,
        SYNC.nics,
        40,
    ));
}

/// Plan of 200 new attachments (every one checked against the API) beside 200 new
/// `null_resource`s.
pub(crate) fn plan_checks(bench: &Bench) {
    let label = format!(
        "checks: `terraform plan` of {} new resources (plan checks on)",
        NEW.nics
    );
    let plans = timed_plans(bench, &new_subjects(bench), "Plan: 200 to add", &label);
    let calls = most_calls(&ends(&plans).0.calls);
    bench.report.add(Row::api_calls(
        "calls in a plan of 200 new (checks)",
        calls,
        3 * NEW.nics,
        40,
    ));
}

/// Plan of 20 `zenlayer_nics` data sources and the 200 new attachments built on their IDs
/// (plan checks on), beside 200 new `null_resource`s: data sources and plan checks share
/// the plan's reads.
pub(crate) fn plan_lookups(bench: &Bench) {
    let lab = bench.lab();
    let subjects = lab.subjects(
        "plan-lookups",
        &NEW.looked_up_attachments(),
        &world::null_resources(NEW.nics),
    );
    let label = format!(
        "lookups: `terraform plan` of 20 data sources and {} new resources on their IDs",
        NEW.nics
    );
    let plans = timed_plans(bench, &subjects, "Plan: 200 to add", &label);
    let calls = most_calls(&ends(&plans).0.calls);
    bench.report.add(Row::api_calls(
        "calls in a plan of 20 data sources + 200 new",
        calls,
        20 + 3 * NEW.nics,
        10,
    ));
}

/// Plans every subject the bench's number of runs (each plan saying `expected`), then prints
/// the table under `label`.
fn timed_plans(bench: &Bench, subjects: &[Subject], expected: &str, label: &str) -> Vec<Plans> {
    let runs = bench.tf_runs(5);
    let plans = measure(bench.lab(), subjects, runs, expected);
    println!("\n{label}, {runs} runs each (interleaved, 1 warm-up)");
    print_plans(&plans);
    plans
}

/// Ours (first) and the null provider (last).
pub(crate) fn ends(plans: &[Plans]) -> (&Plans, &Plans) {
    (
        plans.first().expect("our provider was measured"),
        plans.last().expect("the null provider was measured"),
    )
}

/// Timed plans of every subject, interleaved, then sampled ones for memory.
pub(crate) fn measure(lab: &Lab, subjects: &[Subject], runs: usize, expected: &str) -> Vec<Plans> {
    let mut plans: Vec<Plans> = subjects
        .iter()
        .map(|s| Plans {
            name: s.name.clone(),
            wall: Vec::new(),
            calls: Vec::new(),
            peak_kib: Vec::new(),
            memory: Vec::new(),
        })
        .collect();
    for i in 0..=runs {
        for (s, p) in subjects.iter().zip(&mut plans) {
            let (run, calls) = plan(lab, s, false, expected);
            if i > 0 {
                p.wall.push(run.wall);
                p.calls.extend(calls);
            }
        }
    }
    for _ in 0..MEMORY_RUNS {
        for (s, p) in subjects.iter().zip(&mut plans) {
            let (run, calls) = plan(lab, s, true, expected);
            let peak = run.provider_peak();
            p.peak_kib.push(peak.peak_kib);
            p.memory.push(peak);
            p.calls.extend(calls);
        }
    }
    plans
}

/// One plan, and the API calls it made if it is a zenlayer one.
fn plan(lab: &Lab, s: &Subject, sampled: bool, expected: &str) -> (Run, Option<CallReport>) {
    lab.sim().reset_calls();
    let run = if sampled {
        lab.run_sampled(&s.workdir, PLAN)
    } else {
        lab.run(&s.workdir, PLAN)
    };
    let run = run.expect(&format!("terraform plan for {}", s.name), expected);
    (run, s.zenlayer.then(|| lab.sim().calls()))
}

/// The most calls any one plan made.
pub(crate) fn most_calls(calls: &[CallReport]) -> u64 {
    calls
        .iter()
        .map(CallReport::total_received)
        .max()
        .unwrap_or(0)
}

pub(crate) fn print_plans(plans: &[Plans]) {
    println!(
        "{:<30} {:>9} {:>9} {:>9} {:>18} {:>22}",
        "subject", "median", "p90", "min", "peak RSS (median)", "at largest: anon+file"
    );
    for p in plans {
        let split = p
            .memory
            .iter()
            .max_by_key(|m| m.peak_kib)
            .map(|m| format!("{} + {}", mib(m.anon_kib), mib(m.file_kib)))
            .unwrap_or_default();
        println!(
            "{:<30} {:>9} {:>9} {:>9} {:>18} {:>22}",
            p.name,
            secs(median(&p.wall)),
            secs(percentile(&p.wall, 90)),
            secs(percentile(&p.wall, 0)),
            mib(median_u64(&p.peak_kib)),
            split,
        );
    }
    for p in plans.iter().filter(|p| !p.calls.is_empty()) {
        let worst = p.calls.iter().max_by_key(|c| c.total_received());
        let per_action: Vec<String> = worst
            .map(|c| {
                c.actions
                    .iter()
                    .map(|(a, n)| format!("{a} {}", n.received))
                    .collect()
            })
            .unwrap_or_default();
        println!(
            "{}: API calls per plan {:?} (most: {})",
            p.name,
            p.calls
                .iter()
                .map(CallReport::total_received)
                .collect::<Vec<_>>(),
            per_action.join(", ")
        );
    }
}
