//! Rerunnable benchmarks of the release build against HashiCorp's Go `null` provider:
//! `cargo bench --bench suite [-- CASE…]` (see BENCHMARKS.md for the results and how to read
//! them).
//!
//! Cases, each printing its details and adding rows to the summary table at the end:
//! * `start`: spawn → handshake line and resident memory right after it, for our provider,
//!   the Go null provider (`TPZ_NULL_PROVIDER`) and a trivial C program as the floor.
//! * `plan`: `terraform plan` of 200 attachments in sync against zenlayer-sim beside a plan of
//!   200 `null_resource`s; the peak resident memory of the provider processes during it; the
//!   API calls the refresh makes.
//! * `checks`: `terraform plan` of 200 new attachments (plan checks): API calls and time.
//! * `lookups`: `terraform plan` of 20 `zenlayer_nics` data sources and the 200 new
//!   attachments built on the IDs they find: API calls (data sources and plan checks share
//!   the plan's reads) and time.
//! * `apply-destroy`: `terraform apply` of 100 new attachments, each attach taking 1 s in the
//!   simulator, then `terraform destroy` of them, each detach taking 1 s.
//! * `net-plan`, `net-apply-destroy`, `net-spread`: the plans and the apply-destroy with
//!   the API 100 ms away, the last with drawn operation durations (see `network.rs`);
//!   `net-query`: the query case's listings with the API 100 ms away.
//! * `query` (Terraform 1.14+): `terraform query` of 1,000 attachments, with and without
//!   `include_resource`, and `terraform apply` of the 1,000 imports it generates.
//!
//! Both providers are installed the way users get them: from a filesystem mirror through
//! `terraform init`, with the suite's own CLI config. Runs of ours and of the reference
//! alternate, so both see the same machine load.
//!
//! `TPZ_BENCH_PROVIDER` measures another build of our provider instead of this one;
//! `TPZ_BENCH_BASELINE=PATH[:PATH…]` measures other builds beside it, in the same interleaved
//! runs (the summary table stays about this build).
//! `TPZ_BENCH_TF_LOG_DIR=DIR` keeps every Terraform run's trace log (with the providers'
//! debug lines) in DIR, for profiling; timings are then not representative.
//! `TPZ_BENCH_RUNS` sets the runs per subject of `start` (default 200), `TPZ_BENCH_TF_RUNS`
//! those of the Terraform cases (default 5 for plans, 3 for apply-destroy).

#[allow(dead_code, unreachable_pub)]
#[path = "../../tests/support/go_plugin.rs"]
mod go_plugin;

mod apply;
mod lab;
mod network;
mod plan;
mod query;
mod report;
mod start;
mod stats;
mod world;

use std::cell::OnceCell;

use report::Report;

/// Our provider: the one cargo built for this bench (release profile), or the binary named
/// by `TPZ_BENCH_PROVIDER` (to measure an earlier build beside this one).
fn provider_bin() -> std::path::PathBuf {
    std::env::var_os("TPZ_BENCH_PROVIDER").map_or_else(
        || env!("CARGO_BIN_EXE_terraform-provider-zenlayer").into(),
        std::path::PathBuf::from,
    )
}

/// One benchmark case.
struct Case {
    name: &'static str,
    run: fn(&Bench),
}

const CASES: &[Case] = &[
    Case {
        name: "start",
        run: start::start,
    },
    Case {
        name: "plan",
        run: plan::plan_in_sync,
    },
    Case {
        name: "checks",
        run: plan::plan_checks,
    },
    Case {
        name: "lookups",
        run: plan::plan_lookups,
    },
    Case {
        name: "apply-destroy",
        run: apply::apply_destroy,
    },
    Case {
        name: "query",
        run: query::query,
    },
    Case {
        name: "net-plan",
        run: network::net_plan,
    },
    Case {
        name: "net-apply-destroy",
        run: network::net_apply_destroy,
    },
    Case {
        name: "net-spread",
        run: network::net_spread,
    },
    Case {
        name: "net-query",
        run: query::net_query,
    },
];

/// What every case may use.
struct Bench {
    /// Runs per subject for `start`.
    runs: usize,
    /// Runs per subject for the Terraform cases, if set.
    tf_runs: Option<usize>,
    /// Scratch space (sockets, compiled helpers, mirror, working directories); removed at the
    /// end.
    scratch: tempfile::TempDir,
    runtime: tokio::runtime::Runtime,
    /// The simulator, mirror and working directories, set up by the first case needing them.
    lab: OnceCell<lab::Lab>,
    report: Report,
}

impl Bench {
    fn lab(&self) -> &lab::Lab {
        self.lab.get_or_init(|| lab::Lab::new(self.scratch.path()))
    }

    fn tf_runs(&self, default: usize) -> usize {
        self.tf_runs.unwrap_or(default)
    }
}

fn env_count(name: &str) -> Option<usize> {
    std::env::var(name).ok().map(|v| {
        v.parse()
            .unwrap_or_else(|_| panic!("{name} must be a number, not {v:?}"))
    })
}

/// Other builds of our provider to measure beside this one: `TPZ_BENCH_BASELINE`, paths
/// separated by `:`. Each is named after its file.
fn baselines() -> Vec<Baseline> {
    let Some(list) = std::env::var_os("TPZ_BENCH_BASELINE") else {
        return Vec::new();
    };
    std::env::split_paths(&list)
        .filter(|p| !p.as_os_str().is_empty())
        .map(|path| {
            assert!(
                path.is_file(),
                "TPZ_BENCH_BASELINE names {}, which is not a file",
                path.display()
            );
            let file = path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            Baseline {
                name: format!("zenlayer build {file}"),
                path,
            }
        })
        .collect()
}

/// An earlier build of our provider.
#[derive(Clone, Debug)]
struct Baseline {
    name: String,
    path: std::path::PathBuf,
}

fn main() {
    // cargo passes `--bench`; other arguments filter cases by name.
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let bench = Bench {
        runs: env_count("TPZ_BENCH_RUNS").unwrap_or(200),
        tf_runs: env_count("TPZ_BENCH_TF_RUNS"),
        scratch: tempfile::Builder::new()
            .prefix("tpz-bench-")
            .tempdir()
            .expect("scratch directory"),
        runtime: tokio::runtime::Runtime::new().expect("tokio runtime"),
        lab: OnceCell::new(),
        report: Report::default(),
    };
    println!("{}", report::machine_line());
    for case in CASES {
        if filters.is_empty() || filters.iter().any(|f| case.name.contains(f.as_str())) {
            (case.run)(&bench);
        }
    }
    bench.report.print();
}
