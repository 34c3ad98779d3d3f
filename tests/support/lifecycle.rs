//! Helpers for `zenlayer_nic_attachment` lifecycle sessions: writing the configuration a user
//! would, reading the state the way a user checks it (`terraform state show`, `show -json`),
//! asking the simulator what is really attached, and running one session per Terraform version
//! side by side.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;
use tpz::sim::{NewInstances, Sim as SimState};
use tpz::zenlayer::models::NicStatus;

use super::{Outcome, Sim, Terraform, Workdir, terraforms};

/// The two writes the provider makes; every other API call only reads.
pub const ATTACH: &str = "AttachNetworkInterface";
/// See [`ATTACH`].
pub const DETACH: &str = "DetachNetworkInterface";

/// Every attribute a stored attachment has besides `timeouts`.
pub const ATTRIBUTES: &[&str] = &[
    "id",
    "nic_id",
    "instance_id",
    "region_id",
    "primary_ipv4",
    "mac_address",
];

/// A `zenlayer_nic_attachment` block; `extra` goes inside it (e.g. a `timeouts` block).
pub fn attachment(name: &str, nic: &str, instance: &str, extra: &str) -> String {
    format!(
        "resource \"zenlayer_nic_attachment\" \"{name}\" {{\n  nic_id      = \"{nic}\"\n  instance_id = \"{instance}\"\n{extra}}}\n"
    )
}

/// `main.tf`: the provider block for `sim` followed by `resources`.
pub fn main_tf(provider_block: &str, resources: &[String]) -> String {
    let mut text = provider_block.to_owned();
    for r in resources {
        text.push('\n');
        text.push_str(r);
    }
    text
}

/// `main.tf` with one attachment, `web`, of `nic` to `instance` under `sim`'s provider block.
pub fn web_config(sim: &Sim, nic: &str, instance: &str, extra: &str) -> String {
    main_tf(
        &sim.provider_block(),
        &[attachment("web", nic, instance, extra)],
    )
}

/// A working directory with `config` as `main.tf`, applied: where most sessions start.
#[track_caller]
pub fn applied(tf: &Terraform, config: &str) -> Workdir {
    let dir = tf.workdir().config(config);
    dir.apply().assert_success();
    dir
}

/// Asserts a plan proposes nothing: configuration, state and the API agree.
#[track_caller]
pub fn assert_no_changes(dir: &Workdir) {
    dir.plan()
        .assert_success()
        .assert_stdout_contains("No changes.");
}

/// `(attaches, detaches)` the simulator received: the writes an operation cost.
pub fn writes(sim: &Sim) -> (u64, u64) {
    let calls = sim.api().calls();
    (calls.action(ATTACH).received, calls.action(DETACH).received)
}

/// Asserts the simulator received no attach and no detach; `what` names the step (and the
/// Terraform version).
#[track_caller]
pub fn assert_no_writes(sim: &Sim, what: &str) {
    assert_eq!(writes(sim), (0, 0), "{what}: (attaches, detaches) sent");
}

/// `DescribeNetworkInterfaces` and `DescribeInstances` calls the simulator received: the reads
/// an operation cost.
pub fn reads(sim: &Sim) -> u64 {
    let calls = sim.api().calls();
    calls.action("DescribeNetworkInterfaces").received + calls.action("DescribeInstances").received
}

/// Asserts the API calls an operation cost since the last reset: exactly `writes` (attaches,
/// detaches), and at most `max_reads` reads (how reads batch depends on timing, so a bound).
#[track_caller]
pub fn assert_calls(sim: &Sim, writes_sent: (u64, u64), max_reads: u64, what: &str) {
    assert_eq!(
        writes(sim),
        writes_sent,
        "{what}: (attaches, detaches) sent"
    );
    let read = reads(sim);
    eprintln!("{what}: {writes_sent:?} (attaches, detaches), {read} reads");
    assert!(
        read <= max_reads,
        "{what}: {read} reads, at most {max_reads} expected: {:?}",
        sim.api().calls()
    );
}

/// Asserts how often `action` reached the simulator and how often it refused it, as
/// `(received, failed)`; the message shows every counter of the action.
#[track_caller]
pub fn assert_received_and_failed(sim: &Sim, action: &str, want: (u64, u64), what: &str) {
    let calls = sim.api().calls().action(action);
    assert_eq!(
        (calls.received, calls.failed),
        want,
        "{what}: (received, failed) {action}: {calls:?}"
    );
}

/// Creates `count` RUNNING instances `<prefix>1`, `<prefix>2`, … in asia-east-1a, each taking
/// up to `nic_limit` NICs (the simulator's 8 when `None`); returns their IDs.
pub fn create_instances(
    sim: &Sim,
    prefix: &str,
    count: u32,
    nic_limit: Option<u32>,
) -> Vec<String> {
    sim.api()
        .create_instances(NewInstances {
            count,
            prefix: prefix.into(),
            first: 1,
            zone_id: "asia-east-1a".into(),
            status: None,
            nic_limit,
        })
        .expect("create instances")
        .instance_ids
}

/// The 1-based line of the first line of `text` containing `needle`: what Terraform prints
/// as `on main.tf line N`.
#[track_caller]
pub fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("the configuration has no line with {needle:?}:\n{text}"))
}

/// Reading the state as a user does.
pub trait StateReading {
    /// `terraform state show <address>`.
    fn state_show(&self, address: &str) -> Outcome;
    /// The resource's entry in `terraform show -json` (`values`, `tainted`, …), if state has it.
    fn resource_json(&self, address: &str) -> Option<Value>;
    /// `terraform state list`.
    fn state_list(&self) -> Vec<String>;
}

impl StateReading for Workdir {
    fn state_show(&self, address: &str) -> Outcome {
        self.run(&["state", "show", "-no-color", address])
    }

    fn resource_json(&self, address: &str) -> Option<Value> {
        let state = self.state_json();
        let resources = state["values"]["root_module"]["resources"].as_array()?;
        resources.iter().find(|r| r["address"] == address).cloned()
    }

    fn state_list(&self) -> Vec<String> {
        let out = self.run(&["state", "list"]);
        // Terraform 1.0 fails `state list` when there is no state file yet.
        if !out.success() && out.stderr.contains("No state file was found") {
            return Vec::new();
        }
        out.assert_success();
        out.stdout.lines().map(str::to_owned).collect()
    }
}

/// The simulator's truth about one NIC: (status, instance).
pub fn nic_truth(sim: &Sim, nic: &str) -> (NicStatus, Option<String>) {
    let n = sim
        .api()
        .nic(nic)
        .unwrap_or_else(|| panic!("the simulator has no NIC {nic}"));
    (n.status, n.instance_id)
}

/// Asserts the NIC is AVAILABLE and attached to nothing.
#[track_caller]
pub fn assert_available(sim: &Sim, nic: &str, context: &str) {
    assert_eq!(
        nic_truth(sim, nic),
        (NicStatus::Available, None),
        "{context}: NIC {nic} should be AVAILABLE and unattached"
    );
}

/// Asserts the NIC is USED by `instance`.
#[track_caller]
pub fn assert_used_by(sim: &Sim, nic: &str, instance: &str, context: &str) {
    assert_eq!(
        nic_truth(sim, nic),
        (NicStatus::Used, Some(instance.to_owned())),
        "{context}: NIC {nic} should be USED by {instance}"
    );
}

/// One NIC state the watcher saw.
pub type NicSighting = (NicStatus, Option<String>);

/// Records every distinct state a NIC passes through, polling the simulator every
/// millisecond, so a test can tell in which order things happened to it.
pub struct NicWatch {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<Vec<NicSighting>>>,
}

impl NicWatch {
    pub fn start(sim: &Sim, nic: &str) -> NicWatch {
        let api: SimState = sim.api().clone();
        let nic = nic.to_owned();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let handle = std::thread::spawn(move || {
            let mut seen: Vec<NicSighting> = Vec::new();
            loop {
                let last = stopping.load(Ordering::Acquire);
                if let Some(n) = api.nic(&nic) {
                    let now = (n.status, n.instance_id);
                    if seen.last() != Some(&now) {
                        seen.push(now);
                    }
                }
                if last {
                    return seen;
                }
                std::thread::sleep(Duration::from_millis(1));
            }
        });
        NicWatch {
            stop,
            handle: Some(handle),
        }
    }

    /// Every distinct state seen, in order, including the current one.
    pub fn finish(mut self) -> Vec<NicSighting> {
        self.stop.store(true, Ordering::Release);
        self.handle
            .take()
            .expect("finish runs once")
            .join()
            .expect("the watcher thread does not panic")
    }
}

impl Drop for NicWatch {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
    }
}

/// The warning every run with `dev_overrides` prints; it says nothing about the provider.
const DEV_OVERRIDES_WARNING: &str = "Warning: Provider development overrides are in effect";

/// Asserts a command printed no diagnostics of its own: no error, and no warning besides
/// Terraform's note that development overrides are in effect.
#[track_caller]
pub fn assert_quiet(out: &Outcome) {
    let all = format!("{}\n{}", out.stdout, out.stderr);
    let warnings = all.matches("Warning:").count() - all.matches(DEV_OVERRIDES_WARNING).count();
    let errors = all.matches("Error:").count();
    assert!(
        warnings == 0 && errors == 0,
        "{} printed {warnings} warning(s) and {errors} error(s)\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.command,
        out.stdout,
        out.stderr
    );
}

/// The 1-based line of `attribute` inside `resource "zenlayer_nic_attachment" "<name>"`.
#[track_caller]
pub fn attribute_line(config: &str, name: &str, attribute: &str) -> usize {
    let header = format!("resource \"zenlayer_nic_attachment\" \"{name}\"");
    let start = line_of(config, &header);
    let prefix = format!("{attribute} ");
    config
        .lines()
        .enumerate()
        .skip(start)
        .find(|(_, l)| l.trim_start().starts_with(&prefix))
        .map(|(i, _)| i + 1)
        .unwrap_or_else(|| panic!("{header} has no {attribute} line:\n{config}"))
}

/// Every error diagnostic a command printed (from its `Error:` line to the next
/// diagnostic), whitespace folded.
pub fn errors(out: &Outcome) -> Vec<String> {
    let all = format!("{}\n{}", out.stdout, out.stderr);
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in all.lines() {
        let bare = line.trim_start_matches(['│', '╷', '╵', ' ']);
        if bare.starts_with("Error: ") || bare.starts_with("Warning: ") {
            blocks.extend(current.take());
            if bare.starts_with("Error: ") {
                current = Some(String::new());
            }
        }
        if let Some(block) = current.as_mut() {
            block.push_str(bare);
            block.push('\n');
        }
    }
    blocks.extend(current);
    blocks.iter().map(|b| super::words(b)).collect()
}

/// The one error diagnostic that says `needle`; panics when there is not exactly one.
#[track_caller]
pub fn error_saying(out: &Outcome, needle: &str) -> String {
    let found: Vec<String> = errors(out)
        .into_iter()
        .filter(|b| b.contains(needle))
        .collect();
    assert!(
        found.len() == 1,
        "{} printed {} errors saying {needle:?}, expected one\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.command,
        found.len(),
        out.stdout,
        out.stderr
    );
    found.into_iter().next().expect("one block")
}

/// What a user checks in an API refusal: the summary, the explanation, the config line of
/// the attribute at fault, the API code with its request id, and after them the API's own
/// message, marked as the API's.
pub struct Refusal<'a> {
    pub summary: &'a str,
    pub detail: &'a str,
    pub attribute: &'a str,
    pub code: &'a str,
}

impl Refusal<'_> {
    /// Asserts `out` (an apply) reports this refusal for resource `name` of `config`, at the
    /// attribute's line.
    #[track_caller]
    pub fn assert_reported(&self, out: &Outcome, config: &str, name: &str) {
        assert!(!out.success(), "{} succeeded", out.command);
        let address = format!("zenlayer_nic_attachment.{name}");
        let block = error_saying(out, &format!("with {address},"));
        let line = attribute_line(config, name, self.attribute);
        let source = config.lines().nth(line - 1).expect("the line exists");
        self.assert_says(
            out,
            &block,
            &[
                format!(
                    "on main.tf line {line}, in resource \"zenlayer_nic_attachment\" \"{name}\":"
                ),
                super::words(&format!("{line}: {source}")),
            ],
        );
    }

    /// Asserts `out` (a destroy) reports this refusal. Terraform gives the provider no
    /// configuration when destroying, so it prints no config line for destroy errors; the
    /// message names the NIC and the instance instead.
    #[track_caller]
    pub fn assert_reported_at_destroy(&self, out: &Outcome) {
        assert!(!out.success(), "{} succeeded", out.command);
        let block = error_saying(out, &format!("Error: {}", self.summary));
        self.assert_says(out, &block, &[]);
    }

    #[track_caller]
    fn assert_says(&self, out: &Outcome, block: &str, more: &[String]) {
        let mut wanted = vec![
            format!("Error: {}", self.summary),
            super::words(self.detail),
            format!("Zenlayer API code: {}, request id: SIM", self.code),
        ];
        wanted.extend(more.iter().cloned());
        for want in wanted {
            assert!(
                block.contains(&want),
                "{}: the error does not say {want:?}:\n{block}",
                out.command
            );
        }
        let code_at = block.find("Zenlayer API code:").unwrap_or(usize::MAX);
        let said_at = block.find("The API said: \"").unwrap_or(0);
        assert!(
            code_at < said_at,
            "{}: the API's own message does not follow the code and request id:\n{block}",
            out.command
        );
    }
}
