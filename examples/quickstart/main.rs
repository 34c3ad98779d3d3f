//! The quickstart: `cargo run --release --example quickstart`.
//!
//! Builds the provider, starts zenlayer-sim on a free loopback port, and runs Terraform (the
//! `terraform` on PATH) through a failing plan with readable diagnostics, an apply, an empty
//! plan and a destroy, explaining each step. Exits non-zero if any step does not behave as
//! shown. The steps live in `session.rs`, which `tests/quickstart.rs` runs too.

mod session;
mod terraform;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use session::Options;

/// The provider's binary target.
const PROVIDER_BIN: &str = "terraform-provider-zenlayer";

fn main() -> ExitCode {
    match prepare().and_then(|options| {
        let mut out = std::io::stdout().lock();
        session::run(&options, &mut out)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }) {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            let _ = std::io::stdout().flush();
            eprintln!("\nquickstart failed: {problem}");
            ExitCode::FAILURE
        }
    }
}

fn prepare() -> Result<Options, String> {
    let terraform = on_path("terraform").ok_or(
        "`terraform` is not on PATH. Install Terraform 1.0 or later, then run the quickstart \
         again.",
    )?;
    let provider = build_provider()?;
    let provider_dir = provider
        .parent()
        .ok_or("cargo reported the provider binary without a directory")?
        .to_path_buf();
    Ok(Options {
        terraform,
        provider_dir,
        color: std::io::stdout().is_terminal(),
        interrupted: catch_ctrl_c(),
    })
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// Builds the provider with this example's profile and returns the path cargo reports for
/// it, so Terraform runs exactly the binary just built (cargo does not build binaries for
/// `cargo run --example`). Naming this example in the same build gives the library the
/// feature set `cargo run --example` built it with (examples see dev-dependencies' features),
/// so the optimized library is reused rather than compiled a second time.
fn build_provider() -> Result<PathBuf, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command.args([
        "build",
        "--bin",
        PROVIDER_BIN,
        "--example",
        "quickstart",
        "--message-format=json-render-diagnostics",
        "--manifest-path",
        concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"),
    ]);
    let profile = profile_args()?;
    command.args(&profile);
    println!(
        "Building the provider: cargo build --bin {PROVIDER_BIN} --example quickstart {}",
        profile.join(" ")
    );
    let output = command
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err("building the provider failed (cargo's messages are above)".into());
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == PROVIDER_BIN)
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .ok_or_else(|| "cargo built the provider but did not say where".to_owned())
}

/// The cargo flags for the profile this example was built with, read from where it runs:
/// `target/<profile dir>/examples/quickstart`.
fn profile_args() -> Result<Vec<String>, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(match profile_dir.as_str() {
        "debug" => Vec::new(),
        "release" => vec!["--release".into()],
        "" => {
            return Err(format!(
                "{} is not in a cargo target directory",
                exe.display()
            ));
        }
        custom => vec!["--profile".into(), custom.into()],
    })
}

/// Catches Ctrl-C instead of dying with it, so the session can stop the simulator and remove
/// its directory. Terraform, in the same process group, gets the signal too and stops
/// gracefully. A second Ctrl-C exits at once.
fn catch_ctrl_c() -> Arc<AtomicBool> {
    let interrupted = Arc::new(AtomicBool::new(false));
    let flag = interrupted.clone();
    let (registered, wait_registered) = std::sync::mpsc::channel::<()>();
    let spawned = std::thread::Builder::new()
        .name("ctrl-c".into())
        .spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_io()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                use tokio::signal::unix::{SignalKind, signal};
                let Ok(mut interrupts) = signal(SignalKind::interrupt()) else {
                    return;
                };
                let _ = registered.send(());
                while interrupts.recv().await.is_some() {
                    if flag.swap(true, Ordering::SeqCst) {
                        std::process::exit(130);
                    }
                }
            });
        });
    if spawned.is_ok() {
        // Returns at once if the handler could not be installed (the sender is dropped).
        let _ = wait_registered.recv();
    }
    interrupted
}
