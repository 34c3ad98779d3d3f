//! `net-*`: the Terraform cases again with zenlayer-sim 100 ms away (`--latency 100ms`), as
//! a CI runner in one region calling the API in another sees it.
//!
//! * `net-apply-destroy`: apply and destroy of 100 attachments, each attach and detach 1 s,
//!   parallelism 10; the ideal is 10 s.
//! * `net-spread`: the same with each operation's duration drawn from a seeded log-normal
//!   (median 3 s, p95 20 s); the ideal is the list schedule of the durations drawn, in the
//!   order the operations started, over 10 workers.
//! * `net-plan`: plan of 200 attachments in sync and of 200 new ones (plan checks) beside 200
//!   `null_resource`s.
//!
//! Each apply and destroy of ours also writes Terraform's core log (trace level), from which
//! every operation's two waits are read: from Terraform's ApplyResourceChange call to the
//! write reaching the simulator, and from the operation finishing in the simulator to the
//! provider's answer reaching Terraform.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use tpz::sim::{CallReport, Delays, Operation, Spread, Timing, list_schedule};

use crate::Bench;
use crate::lab::{Lab, Subject};
use crate::report::Row;
use crate::stats::{median, percentile, ratio, secs};
use crate::world::{self, APPLY};

/// What each API call costs, there and back.
pub(crate) const LATENCY: Duration = Duration::from_millis(100);
/// Terraform's default `-parallelism`.
const PARALLELISM: usize = 10;
/// The fixed operation duration of `net-apply-destroy`.
const FIXED: Duration = Duration::from_secs(1);
/// The drawn durations of `net-spread`.
const SPREAD: Spread = Spread {
    median_ms: 3000,
    p95_ms: 20_000,
    seed: 7,
};

fn latency_only() -> Timing {
    Timing {
        latency_ms: LATENCY.as_millis() as u64,
        spread: None,
    }
}

/// How the simulator times each operation in one case.
#[derive(Clone, Copy)]
enum Pace {
    Fixed(Duration),
    Drawn(Spread),
}

impl Pace {
    fn timing(self) -> Timing {
        Timing {
            spread: match self {
                Pace::Fixed(_) => None,
                Pace::Drawn(s) => Some(s),
            },
            ..latency_only()
        }
    }
}

pub(crate) fn net_apply_destroy(bench: &Bench) {
    apply_destroy(bench, "net-apply-destroy", Pace::Fixed(FIXED), 1.25, 3);
}

pub(crate) fn net_spread(bench: &Bench) {
    apply_destroy(bench, "net-spread", Pace::Drawn(SPREAD), 1.15, 1);
}

/// One command's measurement.
struct Measured {
    wall: Duration,
    /// The list schedule of the operations the simulator started.
    ideal: Duration,
    /// API calls the command made.
    calls: u64,
    ops: usize,
    /// Per operation: Terraform's call → the write at the simulator; the operation done →
    /// Terraform has the answer.
    before: Vec<Duration>,
    after: Vec<Duration>,
    /// `ideal` with a round trip added to every operation; the floor adds Terraform's own
    /// cost (the null provider's median for the same command).
    with_round_trips: Duration,
}

fn apply_destroy(bench: &Bench, case: &'static str, pace: Pace, target: f64, default_runs: usize) {
    let lab = bench.lab();
    let subjects = lab.subjects(
        "apply",
        &APPLY.attachments(),
        &world::null_resources(APPLY.nics),
    );
    let runs = bench.tf_runs(default_runs);
    let fixed = match pace {
        Pace::Fixed(d) => d,
        Pace::Drawn(_) => Duration::ZERO,
    };
    lab.sim().set_delays(Delays::both(fixed));
    let mut ours: HashMap<&str, Vec<Measured>> = HashMap::new();
    let mut null: HashMap<&str, Vec<Duration>> = HashMap::new();
    // Kept where `TPZ_BENCH_TF_LOG_DIR` says, else they go with the scratch directory.
    let logs = std::env::var_os("TPZ_BENCH_TF_LOG_DIR")
        .map_or_else(|| bench.scratch.path().to_owned(), std::path::PathBuf::from)
        .join(format!("{case}-logs"));
    std::fs::create_dir_all(&logs).expect("log directory");
    for run in 0..runs {
        for s in subjects.iter().filter(|s| !s.baseline) {
            for (what, expected) in [("apply", "added"), ("destroy", "destroyed")] {
                if s.zenlayer {
                    let log = logs.join(format!("{what}-{run}.log"));
                    let m = measure(lab, s, what, expected, pace, &log);
                    ours.entry(what).or_default().push(m);
                } else {
                    let args = [what, "-input=false", "-no-color", "-auto-approve"];
                    let r = lab
                        .run(&s.workdir, &args)
                        .expect(&format!("terraform {what} for {}", s.name), expected);
                    null.entry(what).or_default().push(r.wall);
                }
            }
        }
    }
    lab.sim().set_timing(Timing::default()).expect("no pacing");
    lab.sim().set_delays(Delays::both(Duration::ZERO));

    let described = match pace {
        Pace::Fixed(d) => format!("each operation {}", secs(d)),
        Pace::Drawn(s) => format!(
            "operations drawn from a log-normal, median {} ms, p95 {} ms, seed {}",
            s.median_ms, s.p95_ms, s.seed
        ),
    };
    println!(
        "\n{case}: {} attachments, API {} ms away, {described}, parallelism {PARALLELISM}, {runs} runs",
        APPLY.nics,
        LATENCY.as_millis()
    );
    for what in ["apply", "destroy"] {
        let (Some(ms), Some(nulls)) = (ours.get(what), null.get(what)) else {
            continue;
        };
        let null_wall = median(nulls);
        for m in ms {
            let floor = m.with_round_trips + null_wall;
            println!(
                "  {what}: {} (ideal {}, floor {} = ideal + a round trip per operation + null {}), {} calls for {} operations ({:.2} per operation); Terraform's call → write at the API: median {} ms, p95 {} ms ({} of {} operations found in the log); operation done → answer at Terraform: median {} ms, p95 {} ms",
                secs(m.wall),
                secs(m.ideal),
                secs(floor),
                secs(null_wall),
                m.calls,
                m.ops,
                m.calls as f64 / m.ops.max(1) as f64,
                ms_at(&m.before, 50),
                ms_at(&m.before, 95),
                m.before.len(),
                m.ops,
                ms_at(&m.after, 50),
                ms_at(&m.after, 95),
            );
        }
        // The run whose ratio to its own ideal is the median one.
        let mut by_ratio: Vec<&Measured> = ms.iter().collect();
        by_ratio.sort_by(|a, b| {
            let ra = a.wall.as_secs_f64() / a.ideal.as_secs_f64();
            let rb = b.wall.as_secs_f64() / b.ideal.as_secs_f64();
            ra.total_cmp(&rb)
        });
        let m = by_ratio[by_ratio.len() / 2];
        let floor = m.with_round_trips + null_wall;
        let r = m.wall.as_secs_f64() / m.ideal.as_secs_f64();
        bench.report.add(Row {
            case: what,
            measured: match (pace, what) {
                (Pace::Fixed(_), "apply") => "apply of 100 new, API 100 ms away, attach 1 s",
                (Pace::Fixed(_), _) => "destroy of 100, API 100 ms away, detach 1 s",
                (Pace::Drawn(_), "apply") => "apply of 100 new, API 100 ms away, drawn attaches",
                (Pace::Drawn(_), _) => "destroy of 100, API 100 ms away, drawn detaches",
            },
            ours: secs(m.wall),
            reference: format!(
                "ideal {}; floor {} ({:.2}×); null {}",
                secs(m.ideal),
                secs(floor),
                floor.as_secs_f64() / m.ideal.as_secs_f64(),
                secs(null_wall)
            ),
            ratio: ratio(m.wall.as_secs_f64(), m.ideal.as_secs_f64()),
            target: if target > 1.2 {
                "≤ 1.25× ideal"
            } else {
                "≤ 1.15× ideal"
            }
            .into(),
            met: r <= target,
        });
    }
}

/// One apply or destroy of ours, with the simulator's record of it and Terraform's log.
fn measure(lab: &Lab, s: &Subject, what: &str, expected: &str, pace: Pace, log: &Path) -> Measured {
    let sim = lab.sim();
    // Reseeded for every run: the same calls draw the same durations.
    sim.set_timing(pace.timing()).expect("a valid pacing");
    sim.clear_operations();
    sim.reset_calls();
    let args = [what, "-input=false", "-no-color", "-auto-approve"];
    let run = lab
        .run_logged(&s.workdir, &args, log)
        .expect(&format!("terraform {what} for {}", s.name), expected);
    let calls: CallReport = sim.calls();
    let ops = sim.operations();
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let (before, after) = waits(&text, &ops);
    Measured {
        wall: run.wall,
        ideal: list_schedule(&ops, PARALLELISM, Duration::ZERO),
        with_round_trips: list_schedule(&ops, PARALLELISM, LATENCY),
        calls: calls.total_received(),
        ops: ops.len(),
        before,
        after,
    }
}

/// Per operation, from Terraform's log and the simulator's record: Terraform's
/// ApplyResourceChange call → the write at the simulator, and the operation done → Terraform
/// has the provider's answer.
fn waits(log: &str, ops: &[Operation]) -> (Vec<Duration>, Vec<Duration>) {
    let mut called: HashMap<String, u64> = HashMap::new();
    let mut answered: HashMap<String, u64> = HashMap::new();
    for line in log.lines() {
        let Some(at) = line.split_whitespace().next().and_then(log_time_ms) else {
            continue;
        };
        if line.contains(CALLED) {
            if let Some(nic) = nic_of(line) {
                called.insert(nic, at);
            }
        } else if line.contains(ANSWERED) {
            // The plan writes the working state too: only a write after the call counts.
            if let Some(nic) = nic_of(line).filter(|n| called.contains_key(n)) {
                answered.entry(nic).or_insert(at);
            }
        }
    }
    let mut before = Vec::new();
    let mut after = Vec::new();
    for op in ops {
        if let Some(&c) = called.get(&op.nic_id) {
            before.push(Duration::from_millis(op.started_ms.saturating_sub(c)));
        }
        if let Some(&a) = answered.get(&op.nic_id) {
            let done = op.started_ms + op.duration_ms;
            after.push(Duration::from_millis(a.saturating_sub(done)));
        }
    }
    (before, after)
}

/// The `p`th percentile in milliseconds, or `-` when the log gave nothing.
fn ms_at(v: &[Duration], p: usize) -> String {
    if v.is_empty() {
        "-".into()
    } else {
        percentile(v, p).as_millis().to_string()
    }
}

/// Terraform's debug line just before it calls ApplyResourceChange for a resource.
const CALLED: &str = ": applying the planned ";
/// Terraform's first line after ApplyResourceChange returned: it records the new object (or
/// its removal) in the working state.
const ANSWERED: &str = "writeResourceInstanceState to workingState for ";

/// The NIC of the `zenlayer_nic_attachment.apply[i]` a log line names.
fn nic_of(line: &str) -> Option<String> {
    const ADDRESS: &str = "zenlayer_nic_attachment.apply[";
    let start = line.find(ADDRESS)?;
    let index = line[start + ADDRESS.len()..]
        .split(']')
        .next()?
        .parse::<usize>()
        .ok()?;
    Some(format!("nic-apply-{index:03}"))
}

/// `2026-12-05T18:12:26.123Z` or `…+0000` (hclog's timestamps) as milliseconds since the
/// Unix epoch.
fn log_time_ms(stamp: &str) -> Option<u64> {
    let num = |s: &str| s.parse::<i64>().ok();
    let (date, rest) = stamp.split_once('T')?;
    let mut d = date.split('-');
    let (y, m, day) = (num(d.next()?)?, num(d.next()?)?, num(d.next()?)?);
    let hms = rest.get(..12)?;
    let (h, mi, sec, milli) = (
        num(hms.get(0..2)?)?,
        num(hms.get(3..5)?)?,
        num(hms.get(6..8)?)?,
        num(hms.get(9..12)?)?,
    );
    let zone = &rest[12..];
    let offset_min = match zone {
        "Z" | "" => 0,
        z if z.len() == 5 => {
            let sign = if z.starts_with('-') { -1 } else { 1 };
            sign * (num(&z[1..3])? * 60 + num(&z[3..5])?)
        }
        _ => return None,
    };
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + h * 3600 + mi * 60 + sec - offset_min * 60;
    u64::try_from(secs * 1000 + milli).ok()
}

/// Plans of 200 in sync and 200 new (plan checks) with the API 100 ms away, beside the null
/// provider's plans of 200 in the same run.
pub(crate) fn net_plan(bench: &Bench) {
    let lab = bench.lab();
    let runs = bench.tf_runs(5);
    let sync = crate::plan::sync_subjects(bench);
    let new = crate::plan::new_subjects(bench);
    lab.sim()
        .set_timing(latency_only())
        .expect("a valid pacing");
    let in_sync = crate::plan::measure(lab, &sync, runs, "No changes.");
    let checks = crate::plan::measure(lab, &new, runs, "Plan: 200 to add");
    lab.sim().set_timing(Timing::default()).expect("no pacing");
    for (label, measured, plans) in [
        ("plan, 200 in sync, API 100 ms away", "in sync", &in_sync),
        ("plan, 200 new (checks), API 100 ms away", "new", &checks),
    ] {
        println!(
            "\nnet-plan ({measured}): `terraform plan` of 200, API {} ms away, {runs} runs each",
            LATENCY.as_millis()
        );
        crate::plan::print_plans(plans);
        let (ours, null) = crate::plan::ends(plans);
        let (o, n) = (median(&ours.wall), median(&null.wall));
        let calls = crate::plan::most_calls(&ours.calls);
        bench.report.add(Row {
            case: "plan",
            measured: label,
            ours: secs(o),
            reference: format!(
                "null {}; floor null + {} ({} calls, some in parallel)",
                secs(n),
                secs(LATENCY),
                calls
            ),
            ratio: format!("+{:.2} s", o.as_secs_f64() - n.as_secs_f64()),
            target: "≤ null + 0.5 s".into(),
            met: o <= n + Duration::from_millis(500),
        });
    }
}
