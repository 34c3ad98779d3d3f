//! `start`: spawn → handshake line, and resident memory right after it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::go_plugin::{self, ClientAuth, Launched, TerraformCert, provider_command};
use crate::report::Row;
use crate::stats::{median, median_u64, mib, ms, percentile, ratio};
use crate::{Bench, baselines, provider_bin};

/// Spawn → first stdout line, and VmRSS right after it.
#[derive(Default)]
struct Samples {
    startup: Vec<Duration>,
    rss_kib: Vec<u64>,
    /// Shutdown RPC answered → process gone (only where we send Shutdown).
    exit: Vec<Duration>,
}

/// The Go null provider's binary, or a loud failure saying how to get it.
pub(crate) fn null_provider() -> PathBuf {
    let path = PathBuf::from(std::env::var_os("TPZ_NULL_PROVIDER").expect(
        "TPZ_NULL_PROVIDER is not set: run `scripts/install-tools.sh && . .tools/env` first",
    ));
    assert!(
        path.is_file(),
        "TPZ_NULL_PROVIDER names {}, which is not a file: run `scripts/install-tools.sh`",
        path.display()
    );
    path
}

pub(crate) fn start(bench: &Bench) {
    let null_provider = null_provider();
    let ours_bin = provider_bin();
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

    let baselines = baselines();
    let (mut ours, mut go, mut c) = (Samples::default(), Samples::default(), Samples::default());
    let mut base: Vec<Samples> = baselines.iter().map(|_| Samples::default()).collect();
    let warmup = 5;
    for i in 0..warmup + bench.runs {
        let keep = i >= warmup;

        let ours_and_baseline = std::iter::once((&ours_bin, &mut ours))
            .chain(baselines.iter().map(|b| &b.path).zip(base.iter_mut()));
        for (binary, samples) in ours_and_baseline {
            let mut p = Launched::start(plugin(binary));
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
                samples.startup.push(p.startup);
                samples.rss_kib.push(rss);
                samples.exit.push(exit);
            }
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
    let mut subjects = vec![
        ("floor: C program, one line", &c),
        ("terraform-provider-zenlayer", &ours),
    ];
    subjects.extend(baselines.iter().map(|b| b.name.as_str()).zip(&base));
    subjects.push(("terraform-provider-null (Go)", &go));
    for (name, s) in subjects {
        println!(
            "{:<30} {:>9} {:>9} {:>14} {:>9}",
            name,
            ms(median(&s.startup)),
            ms(percentile(&s.startup, 90)),
            mib(median_u64(&s.rss_kib)),
            ratio(median(&s.startup).as_secs_f64(), floor_median.as_secs_f64()),
        );
    }
    println!(
        "zenlayer exit after Shutdown answered: median {}, p90 {}",
        ms(median(&ours.exit)),
        ms(percentile(&ours.exit, 90))
    );

    let (our_start, go_start) = (median(&ours.startup), median(&go.startup));
    let (our_rss, go_rss) = (median_u64(&ours.rss_kib), median_u64(&go.rss_kib));
    bench.report.add(Row {
        case: "start",
        measured: "spawn → handshake line (median)",
        ours: ms(our_start),
        reference: format!("Go {}; C floor {}", ms(go_start), ms(floor_median)),
        ratio: ratio(our_start.as_secs_f64(), go_start.as_secs_f64()),
        target: "≤ 3 ms".into(),
        met: our_start <= Duration::from_millis(3),
    });
    bench.report.add(Row::memory(
        "RSS after the handshake (median)",
        our_rss,
        "Go",
        go_rss,
    ));
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
