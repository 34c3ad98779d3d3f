//! `apply-destroy`: `terraform apply` of 100 new attachments with every attach taking 1 s in
//! the simulator, then `terraform destroy` with every detach taking 1 s; 100 `null_resource`s
//! beside them show what Terraform itself costs.

use std::time::Duration;

use tpz::sim::{CallReport, Delays};

use crate::Bench;
use crate::report::Row;
use crate::stats::{median, percentile, ratio, secs};
use crate::world::{self, APPLY};

/// How long the simulator takes to finish each attach and each detach.
const TRANSITION: Duration = Duration::from_secs(1);
/// Terraform's default `-parallelism`.
const PARALLELISM: u32 = 10;

struct Runs {
    name: String,
    apply: Vec<Duration>,
    destroy: Vec<Duration>,
    apply_calls: Vec<CallReport>,
    destroy_calls: Vec<CallReport>,
}

pub(crate) fn apply_destroy(bench: &Bench) {
    let lab = bench.lab();
    let subjects = lab.subjects(
        "apply",
        &APPLY.attachments(),
        &world::null_resources(APPLY.nics),
    );
    let apply_args = ["apply", "-input=false", "-no-color", "-auto-approve"];
    let destroy_args = ["destroy", "-input=false", "-no-color", "-auto-approve"];
    let added = format!("{} added", APPLY.nics);
    let destroyed = format!("{} destroyed", APPLY.nics);

    let runs = bench.tf_runs(3);
    let mut measured: Vec<Runs> = subjects
        .iter()
        .map(|s| Runs {
            name: s.name.clone(),
            apply: Vec::new(),
            destroy: Vec::new(),
            apply_calls: Vec::new(),
            destroy_calls: Vec::new(),
        })
        .collect();
    lab.sim().set_delays(Delays::both(TRANSITION));
    for _ in 0..runs {
        // Each subject applies and destroys in turn: the zenlayer ones share the NICs.
        for (s, m) in subjects.iter().zip(&mut measured) {
            lab.sim().reset_calls();
            let run = lab
                .run(&s.workdir, &apply_args)
                .expect(&format!("terraform apply for {}", s.name), &added);
            m.apply.push(run.wall);
            if s.zenlayer {
                m.apply_calls.push(lab.sim().calls());
            }
            lab.sim().reset_calls();
            let run = lab
                .run(&s.workdir, &destroy_args)
                .expect(&format!("terraform destroy for {}", s.name), &destroyed);
            m.destroy.push(run.wall);
            if s.zenlayer {
                m.destroy_calls.push(lab.sim().calls());
            }
        }
    }
    lab.sim().set_delays(Delays::both(Duration::ZERO));

    let ideal = TRANSITION * APPLY.nics as u32 / PARALLELISM;
    println!(
        "\napply-destroy: {} attachments, each transition {} in the simulator, parallelism {PARALLELISM} (ideal {}), {runs} runs",
        APPLY.nics,
        secs(TRANSITION),
        secs(ideal)
    );
    println!(
        "{:<30} {:>8} {:>9} {:>9} {:>9}",
        "subject", "", "median", "p90", "min"
    );
    for m in &measured {
        for (what, v) in [("apply", &m.apply), ("destroy", &m.destroy)] {
            println!(
                "{:<30} {:>8} {:>9} {:>9} {:>9}",
                m.name,
                what,
                secs(median(v)),
                secs(percentile(v, 90)),
                secs(percentile(v, 0))
            );
        }
    }
    for m in measured.iter().filter(|m| !m.apply_calls.is_empty()) {
        for (what, calls) in [("apply", &m.apply_calls), ("destroy", &m.destroy_calls)] {
            let summary: Vec<String> = calls
                .iter()
                .map(|c| {
                    let per: Vec<String> = c
                        .actions
                        .iter()
                        .map(|(a, n)| format!("{a} {}", n.received))
                        .collect();
                    format!("{} ({})", c.total_received(), per.join(", "))
                })
                .collect();
            println!("{}: API calls per {what}: {}", m.name, summary.join("; "));
        }
    }

    let (ours, null) = (
        measured.first().expect("our provider was measured"),
        measured.last().expect("the null provider was measured"),
    );
    for (case, measured, ours, null) in [
        (
            "apply",
            "apply of 100 new, attach 1 s (median wall)",
            &ours.apply,
            &null.apply,
        ),
        (
            "destroy",
            "destroy of 100, detach 1 s (median wall)",
            &ours.destroy,
            &null.destroy,
        ),
    ] {
        let m = median(ours);
        bench.report.add(Row {
            case,
            measured,
            ours: secs(m),
            reference: format!("ideal {}; null {}", secs(ideal), secs(median(null))),
            ratio: ratio(m.as_secs_f64(), ideal.as_secs_f64()),
            target: "≤ 1.30× ideal".into(),
            met: m.as_secs_f64() <= 1.3 * ideal.as_secs_f64(),
        });
    }
}
