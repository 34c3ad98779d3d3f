//! Rerunnable benchmarks of the release build: `cargo bench --bench suite [-- CASE]`.
//!
//! Cases (each prints its own table):
//! * `start`: spawn → handshake line, and resident memory right after it, for our provider,
//!   HashiCorp's Go null provider (`TPZ_NULL_PROVIDER`) and a trivial C program as the floor.
//!
//! A new case is a function taking `&Bench` plus one line in `CASES`.
//! `TPZ_BENCH_RUNS` sets the number of runs per subject (default 200).

#[allow(dead_code, unreachable_pub)]
#[path = "../tests/support/go_plugin.rs"]
mod go_plugin;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use go_plugin::{ClientAuth, Launched, TerraformCert, provider_command};

/// Our provider, as cargo built it for this bench (release profile).
const PROVIDER_BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-zenlayer");

/// One benchmark case.
struct Case {
    name: &'static str,
    run: fn(&Bench),
}

const CASES: &[Case] = &[Case {
    name: "start",
    run: start,
}];

/// What every case may use.
struct Bench {
    runs: usize,
    /// Scratch space (sockets, compiled helpers); removed at the end.
    scratch: tempfile::TempDir,
    runtime: tokio::runtime::Runtime,
}

fn main() {
    // cargo passes `--bench`; the first other argument filters cases by name.
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let runs = std::env::var("TPZ_BENCH_RUNS")
        .ok()
        .map(|v| v.parse().expect("TPZ_BENCH_RUNS is a number"))
        .unwrap_or(200);
    let bench = Bench {
        runs,
        scratch: tempfile::tempdir().expect("scratch directory"),
        runtime: tokio::runtime::Runtime::new().expect("tokio runtime"),
    };
    for case in CASES {
        if filter.as_deref().is_none_or(|f| case.name.contains(f)) {
            (case.run)(&bench);
        }
    }
}

/// Spawn → first stdout line, and VmRSS right after it.
#[derive(Default)]
struct Samples {
    startup: Vec<Duration>,
    rss_kib: Vec<u64>,
    /// Shutdown RPC answered → process gone (only where we send Shutdown).
    exit: Vec<Duration>,
}

fn start(bench: &Bench) {
    let null_provider = PathBuf::from(std::env::var_os("TPZ_NULL_PROVIDER").expect(
        "TPZ_NULL_PROVIDER is not set: run `scripts/install-tools.sh && . .tools/env` first",
    ));
    let floor = compile_floor(bench.scratch.path());
    let sockets = bench.scratch.path().join("sockets");
    std::fs::create_dir_all(&sockets).expect("socket directory");
    let cert = TerraformCert::generate();
    let plugin = |binary: &Path| {
        let mut command = provider_command(binary, "5", Some(&cert));
        // Old go-plugin ignores PLUGIN_UNIX_SOCKET_DIR and uses TMPDIR.
        command
            .env("PLUGIN_UNIX_SOCKET_DIR", &sockets)
            .env("TMPDIR", &sockets);
        command
    };

    let (mut ours, mut go, mut c) = (Samples::default(), Samples::default(), Samples::default());
    let warmup = 5;
    for i in 0..warmup + bench.runs {
        let keep = i >= warmup;

        let mut p = Launched::start(plugin(Path::new(PROVIDER_BIN)));
        let rss = p.rss_kib();
        let exit = bench.runtime.block_on(async {
            let channel = go_plugin::connect(&p.handshake, ClientAuth::Cert(&cert))
                .await
                .expect("connect to our provider");
            go_plugin::shutdown(channel).await.expect("Shutdown");
            let answered = Instant::now();
            let status = p.child.wait().expect("wait");
            assert!(status.success(), "our provider exited with {status}");
            answered.elapsed()
        });
        if keep {
            ours.startup.push(p.startup);
            ours.rss_kib.push(rss);
            ours.exit.push(exit);
        }

        let g = Launched::start(plugin(&null_provider));
        if keep {
            go.startup.push(g.startup);
            go.rss_kib.push(g.rss_kib());
        }
        drop(g); // killed: its socket lives in our scratch directory

        let mut f = start_floor(&floor);
        if keep {
            c.startup.push(f.startup);
            c.rss_kib.push(f.rss_kib());
        }
        drop(f.child.stdin.take());
        f.child.wait().expect("wait for the floor program");
    }

    let floor_median = median(&c.startup);
    println!(
        "\nstart: spawn → handshake line, {} runs each (interleaved, {} warm-up)",
        bench.runs, warmup
    );
    println!(
        "{:<30} {:>9} {:>9} {:>14} {:>9}",
        "subject", "median", "p90", "RSS after line", "vs floor"
    );
    for (name, s) in [
        ("floor: C program, one line", &c),
        ("terraform-provider-zenlayer", &ours),
        ("terraform-provider-null (Go)", &go),
    ] {
        println!(
            "{:<30} {:>9} {:>9} {:>10.1} MiB {:>8.1}×",
            name,
            ms(median(&s.startup)),
            ms(percentile(&s.startup, 90)),
            mib(median_u64(&s.rss_kib)),
            median(&s.startup).as_secs_f64() / floor_median.as_secs_f64(),
        );
    }
    let (our_start, go_start) = (median(&ours.startup), median(&go.startup));
    let (our_rss, go_rss) = (median_u64(&ours.rss_kib), median_u64(&go.rss_kib));
    println!(
        "zenlayer ÷ Go: start {:.2}×, RSS {:.2}×",
        our_start.as_secs_f64() / go_start.as_secs_f64(),
        our_rss as f64 / go_rss as f64
    );
    println!(
        "zenlayer exit after Shutdown answered: median {}, p90 {}",
        ms(median(&ours.exit)),
        ms(percentile(&ours.exit, 90))
    );
    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    println!(
        "targets: median start ≤ 3 ms {}; RSS ≤ 8 MiB {}; RSS ≤ ½ Go {}",
        verdict(our_start <= Duration::from_millis(3)),
        verdict(our_rss <= 8 * 1024),
        verdict(our_rss * 2 <= go_rss),
    );
}

/// Compiles a C program that prints one line and waits: the cost of any process start here.
fn compile_floor(dir: &Path) -> PathBuf {
    let source = dir.join("floor.c");
    let binary = dir.join("floor");
    std::fs::write(
        &source,
        "#include <stdio.h>\nint main(void){puts(\"1|5|unix|/tmp/floor.sock|grpc|\");fflush(stdout);getchar();return 0;}\n",
    )
    .expect("write floor.c");
    let status = Command::new("cc")
        .args(["-O2", "-o"])
        .arg(&binary)
        .arg(&source)
        .status()
        .expect("run cc (a C compiler is needed for the floor measurement)");
    assert!(status.success(), "cc failed on floor.c");
    binary
}

/// Starts the floor program with a provider's stdio setup; it exits when stdin closes.
fn start_floor(binary: &Path) -> Launched {
    let mut command = Command::new(binary);
    command
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    Launched::start(command)
}

fn sorted<T: Ord + Copy>(v: &[T]) -> Vec<T> {
    let mut v = v.to_vec();
    v.sort_unstable();
    v
}

fn percentile(v: &[Duration], p: usize) -> Duration {
    let s = sorted(v);
    s[(s.len() * p / 100).min(s.len() - 1)]
}

fn median(v: &[Duration]) -> Duration {
    percentile(v, 50)
}

fn median_u64(v: &[u64]) -> u64 {
    let s = sorted(v);
    s[s.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}
