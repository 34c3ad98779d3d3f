//! The README's first command, `cargo run --release --example quickstart`, as a user's session:
//! the same steps (`examples/quickstart/session.rs`) against the provider this test run built,
//! on every Terraform under test. `cargo run --example` would rebuild the provider; the steps
//! are what matter, and the example's own code only builds and hands over.

#[path = "../examples/quickstart/session.rs"]
mod session;
mod support;
#[path = "../examples/quickstart/terraform.rs"]
mod terraform;

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use session::{Error, Options};
use support::says::assert_says_all;
use support::{PROVIDER_BIN, Versions, eventually, for_each_terraform, terraforms};

fn provider_dir() -> PathBuf {
    Path::new(PROVIDER_BIN)
        .parent()
        .expect("the provider binary has a directory")
        .to_path_buf()
}

/// Processes now running the provider binary this test run built.
fn provider_processes() -> Vec<u32> {
    let ours = Path::new(PROVIDER_BIN)
        .canonicalize()
        .expect("the provider binary exists");
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("read /proc") {
        let Ok(entry) = entry else { continue };
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        if std::fs::read_link(entry.path().join("exe")).is_ok_and(|exe| exe == ours) {
            found.push(pid);
        }
    }
    found
}

#[test]
fn quickstart_shows_plan_diagnostics_then_attaches_plans_no_changes_and_destroys() {
    for_each_terraform(Versions::OldestAndNewest, |tf| {
        let options = Options {
            terraform: tf.path.clone(),
            provider_dir: provider_dir(),
            color: false,
            interrupted: Default::default(),
        };
        let mut out = Vec::new();
        let result = session::run(&options, &mut out);
        let text = String::from_utf8_lossy(&out);
        let finished = result.unwrap_or_else(|e| {
            panic!(
                "the quickstart failed on Terraform {}: {e}\n{text}",
                tf.version
            )
        });

        // The narration frames Terraform's own output, step by step.
        assert_says_all(
            &text,
            &[
                "== Step 1 of 4: terraform plan, on a configuration with three mistakes ==",
                "== Step 2 of 4: terraform apply, on the corrected configuration ==",
                "== Step 3 of 4: terraform plan, again ==",
                "== Step 4 of 4: terraform destroy ==",
            ],
        );
        assert_says_all(
            &text,
            &[
                "Error: The NIC is in another region",
                "Error: The instance is not running",
                "Error: The NIC is attached to another instance",
                "Apply complete! Resources: 3 added, 0 changed, 0 destroyed.",
                "No changes.",
                "Destroy complete! Resources: 3 destroyed.",
                "Done. The simulator has stopped and the working directory is removed.",
            ],
        );

        // The region mismatch points at `nic_id`, and the narration says so.
        let region_error = text
            .split("Error: The NIC is in another region")
            .nth(1)
            .map(|rest| rest.lines().take(6).collect::<Vec<_>>().join("\n"))
            .unwrap_or_default();
        assert!(
            region_error.contains("nic_id      = \"nic-eu-app-1\""),
            "the region mismatch is not shown at nic_id:\n{region_error}"
        );
        assert!(text.contains("another region (app, at nic_id"), "{text}");

        // Nothing is left behind.
        assert!(
            !finished.workdir.exists(),
            "{} is still there",
            finished.workdir.display()
        );
        assert!(
            TcpStream::connect_timeout(&finished.sim_addr, Duration::from_secs(1)).is_err(),
            "the simulator still answers on {}",
            finished.sim_addr
        );
    });
    // Checked once every session is over: each session's Terraform runs its own provider
    // processes, and the sessions run side by side.
    eventually(
        "the provider processes to exit after the quickstart (none may outlive it)",
        Duration::from_secs(5),
        || provider_processes().is_empty(),
    );
}

#[test]
fn quickstart_fails_naming_the_step_when_terraform_does_not_behave_as_shown() {
    // No provider in the override directory: the first plan fails, but not with the
    // diagnostics the quickstart promises.
    let empty = tempfile::tempdir().expect("a temporary directory");
    let tf = &terraforms()[0];
    let options = Options {
        terraform: tf.path.clone(),
        provider_dir: empty.path().to_path_buf(),
        color: false,
        interrupted: Default::default(),
    };
    let mut out = Vec::new();
    match session::run(&options, &mut out) {
        Err(Error::Unexpected { step: 1, problem }) => {
            assert!(
                problem.contains("The NIC is in another region"),
                "{problem}"
            );
        }
        other => panic!(
            "expected step 1 to fail, got {other:?}\n{}",
            String::from_utf8_lossy(&out)
        ),
    }
}
