//! `docs/guides/migrating-from-zenlayercloud.md`, followed as a user would: its configurations
//! and commands, as written, against zenlayer-sim and the official provider's stand-in, with
//! the official provider's state for the guide's instance, vNIC and attachment.
//!
//! - The "before" configuration plans no changes on that state (so the guide starts where a
//!   user is).
//! - The `moved` path on every Terraform with cross-type moves: the plan shows what the guide
//!   shows, the apply sends no write, the next plan is empty.
//! - The `removed` + `import` blocks on the newest Terraform, and `terraform state rm` +
//!   `terraform import` (the guide's commands) on the oldest.

mod support;

use support::lifecycle::{assert_no_changes, assert_no_writes};
use support::markdown::code_blocks;
use support::{Versions, for_each_terraform};

use support::official::{OfficialObject, official_state_of};
use support::{Feature, Sim, Terraform, Workdir};

const GUIDE: &str = "docs/guides/migrating-from-zenlayercloud.md";

fn guide() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(GUIDE);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// The guide's configuration whose first line says `marker`.
fn configuration(marker: &str) -> String {
    let found: Vec<String> = code_blocks(&guide())
        .into_iter()
        .filter(|(lang, body)| {
            lang == "terraform" && body.lines().next().unwrap_or("").contains(marker)
        })
        .map(|(_, body)| body)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "{GUIDE}: one configuration marked {marker:?}"
    );
    found[0].clone()
}

/// The guide's blocks of `lang`, in order.
fn blocks_of(lang: &str) -> Vec<String> {
    code_blocks(&guide())
        .into_iter()
        .filter(|(l, _)| l == lang)
        .map(|(_, body)| body)
        .collect()
}

/// `terraform …` command lines of a shell block, as argument lists, comments dropped.
fn commands(block: &str) -> Vec<Vec<String>> {
    block
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter_map(|l| l.strip_prefix("terraform "))
        .map(|l| l.split_whitespace().map(str::to_owned).collect())
        .collect()
}

const BEFORE: &str = "before:";
const MOVED: &str = "a moved block";
const REMOVED_AND_IMPORT: &str = "removed and import blocks";

/// The official provider's state for the guide's "before" configuration, on the simulator's
/// built-in account: instance `ins-web-1`, its vNIC `nic-app-1`, attached.
fn before_state() -> String {
    official_state_of(&[
        OfficialObject {
            type_name: "zenlayercloud_zec_instance",
            name: "web",
            attributes: serde_json::json!({
                "id": "ins-web-1", "availability_zone": "asia-east-1a",
                "instance_type": "z2a.cpu.1", "image_id": "img-ubuntu-22-04",
                "subnet_id": "subnet-web", "instance_name": "web",
            }),
        },
        OfficialObject {
            type_name: "zenlayercloud_zec_vnic",
            name: "app",
            attributes: serde_json::json!({
                "id": "nic-app-1", "subnet_id": "subnet-web", "name": "app",
                "security_group_id": null, "primary_ipv4": "10.0.1.11",
            }),
        },
        OfficialObject {
            type_name: "zenlayercloud_zec_vnic_attachment",
            name: "app",
            attributes: serde_json::json!({
                "id": "nic-app-1:ins-web-1", "vnic_id": "nic-app-1", "instance_id": "ins-web-1",
            }),
        },
    ])
}

/// A user's working directory where the guide starts: the "before" configuration and its
/// state, credentials for both providers in the environment, and the NIC attached.
fn before(tf: &Terraform) -> (Sim, Workdir) {
    let sim = Sim::quick();
    sim.attach_by_hand("nic-app-1", "ins-web-1");
    let dir = tf.workdir().with_official().with_sim_env(&sim);
    // The guide's configurations declare their providers themselves.
    dir.write("versions.tf", "");
    dir.write("terraform.tfstate", &before_state());
    dir.write("main.tf", &configuration(BEFORE));
    assert_no_changes(&dir);
    sim.api().reset_calls();
    (sim, dir)
}

#[track_caller]
fn assert_done(sim: &Sim, dir: &Workdir, tf: &Terraform) {
    assert_no_changes(dir);
    assert_no_writes(sim, &format!("v{}: the guide's steps", tf.version));
    assert_eq!(
        sim.attached_instance("nic-app-1").as_deref(),
        Some("ins-web-1"),
        "v{}",
        tf.version
    );
    let list = dir.run(&["state", "list"]);
    list.assert_success()
        .assert_stdout_contains("zenlayer_nic_attachment.app")
        .assert_not_contains("zenlayercloud_zec_vnic_attachment");
}

#[test]
fn the_guides_moved_block_plans_what_the_guide_shows_and_applies_with_no_write() {
    let shown = blocks_of("text");
    assert_eq!(shown.len(), 1, "{GUIDE} shows one plan");
    let steps = blocks_of("sh");
    assert!(
        commands(&steps[0]).iter().any(|c| c == &["plan"]),
        "the first steps plan: {}",
        steps[0]
    );
    for_each_terraform(Versions::Supporting(Feature::CrossTypeMoves), |tf| {
        let (sim, dir) = before(tf);
        dir.write("main.tf", &configuration(MOVED));
        let plan = dir.plan();
        plan.assert_success();
        for line in shown[0].lines().filter(|l| !l.trim().is_empty()) {
            plan.assert_stdout_contains(line);
        }
        dir.apply()
            .assert_success()
            .assert_stdout_contains("0 added, 0 changed, 0 destroyed");
        assert_done(&sim, &dir, tf);
    });
}

#[test]
fn the_guides_removed_and_import_blocks_and_its_older_commands_take_the_attachment_over() {
    let newest_steps = configuration(REMOVED_AND_IMPORT);
    // Before Terraform 1.5: the same configuration without the two blocks, then the commands.
    let without_blocks: String = newest_steps
        .split("\nremoved {")
        .next()
        .expect("the configuration has a removed block")
        .to_owned();
    let old_commands = commands(blocks_of("sh").last().expect("the guide's older commands"));
    assert_eq!(
        old_commands.len(),
        3,
        "state rm, import, plan: {old_commands:?}"
    );
    for_each_terraform(Versions::OldestAndNewest, |tf| {
        let (sim, dir) = before(tf);
        if tf.has(Feature::RemovedBlocks) {
            dir.write("main.tf", &newest_steps);
            dir.plan()
                .assert_success()
                .assert_stdout_contains(
                    "zenlayercloud_zec_vnic_attachment.app will no longer be managed by Terraform",
                )
                .assert_stdout_contains("Plan: 1 to import, 0 to add, 0 to change, 0 to destroy.");
            dir.apply()
                .assert_success()
                .assert_stdout_contains("1 imported, 0 added, 0 changed, 0 destroyed");
        } else {
            dir.write("main.tf", &without_blocks);
            for command in &old_commands {
                let mut args: Vec<&str> = command.iter().map(String::as_str).collect();
                let at = if args[0] == "state" { 2 } else { 1 };
                args.insert(at, "-no-color");
                let out = dir.run(&args);
                out.assert_success();
                if args[0] == "plan" {
                    out.assert_stdout_contains("No changes.");
                }
            }
        }
        assert_done(&sim, &dir, tf);
    });
}
