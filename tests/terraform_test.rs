//! The `terraform test` kit in `examples/testing/`, copied the way the docs tell users to copy
//! it: its suite against zenlayer-sim (plan and apply runs, asserts on outputs and on the
//! attachment's attributes, `expect_failures` on a variable) and its offline suite with
//! `mock_provider`, on every Terraform under test that has the features (`terraform test`
//! since 1.6, `mock_provider` since 1.7; 1.0.3 has neither). Also what the docs say
//! `terraform test` cannot express: `expect_failures` does not catch a provider's plan error.

mod support;

use std::path::Path;

use support::{Feature, Sim, Terraform, Workdir};
use support::{Versions, for_each_terraform};

const KIT: &str = "examples/testing";

/// A working directory holding a copy of the kit (module and `tests/`), its provider settings
/// for `sim` in the environment, as the kit's header comment says.
fn kit(tf: &Terraform, sim: &Sim) -> Workdir {
    let dir = tf.workdir().with_sim_env(sim);
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join(KIT), dir.path());
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the copy's directory");
    for entry in std::fs::read_dir(from).expect("read the kit") {
        let entry = entry.expect("a kit entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a kit file");
        }
    }
}

/// `terraform test` of one file of the kit; its summary line must say `passed` runs.
fn passes(dir: &Workdir, file: &str, passed: usize) {
    let out = dir.run(&["test", "-no-color", &format!("-filter=tests/{file}")]);
    eprintln!("{}: {}\n{}", out.command, out.stdout, out.stderr);
    out.assert_success()
        .assert_stdout_contains(&format!("Success! {passed} passed, 0 failed."));
}

#[test]
fn the_kits_suite_against_zenlayer_sim_plans_applies_and_cleans_up() {
    for_each_terraform(Versions::Supporting(Feature::TerraformTest), |tf| {
        let sim = Sim::quick();
        let dir = kit(tf, &sim);
        passes(&dir, "sim.tftest.hcl", 4);
        for nic in ["nic-app-1", "nic-app-2", "nic-app-3", "nic-app-4"] {
            assert_eq!(
                sim.attached_instance(nic),
                None,
                "v{}: terraform test destroyed what it applied",
                tf.version
            );
        }
        let calls = sim.api().calls();
        assert_eq!(
            calls.action("AttachNetworkInterface").received,
            4,
            "v{}: {calls:?}",
            tf.version
        );
    });
}

#[test]
fn the_kits_offline_suite_runs_with_mock_provider_and_no_api() {
    for_each_terraform(Versions::Supporting(Feature::MockProviders), |tf| {
        let sim = Sim::quick();
        let dir = kit(tf, &sim);
        passes(&dir, "mock.tftest.hcl", 3);
        assert_eq!(
            sim.api().calls().total_received(),
            0,
            "v{}: the mocked suite calls no API",
            tf.version
        );
    });
}

#[test]
fn expect_failures_does_not_catch_a_provider_plan_error() {
    for_each_terraform(Versions::Supporting(Feature::TerraformTest), |tf| {
        let sim = Sim::quick();
        let dir = kit(tf, &sim);
        dir.write(
            "tests/provider_error.tftest.hcl",
            r#"
variables {
  subnet_id  = "subnet-asia-east-1"
  instances  = ["ins-web-1"]
  name_regex = "^failed-1$"
}

run "expects_the_plan_check" {
  command         = plan
  expect_failures = [zenlayer_nic_attachment.this]
}
"#,
        );
        let out = dir.run(&[
            "test",
            "-no-color",
            "-filter=tests/provider_error.tftest.hcl",
        ]);
        eprintln!("{}: {}\n{}", out.command, out.stdout, out.stderr);
        // The provider's error fails the run, and the run also reports that the resource
        // never failed a custom condition: `expect_failures` counts only those.
        out.assert_failure_contains("The NIC cannot be attached in its state")
            .assert_failure_contains("Missing expected failure")
            .assert_stdout_contains("0 passed, 1 failed");
    });
}
