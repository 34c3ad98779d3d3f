//! Soak: a user applies thirty NIC attachments, plans and destroys them while a fifth of all
//! Zenlayer API calls fail (throttled, 500, 503, connection dropped, or the answer lost after
//! the change was made). Nothing is lost, nothing is attached twice, and state and API agree.
//!
//! Prints the figures `RELIABILITY.md` publishes:
//! `cargo test --test soak -- --nocapture`.

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use support::agreement::{self, Attachments};
use support::lifecycle::{assert_available, assert_used_by, create_instances};
use support::{Outcome, Sim, Workdir};
use tpz::sim::{FaultConfig, FaultKind, NewNics};

const ATTACHMENTS: u32 = 30;
const INSTANCES: u32 = 10;
/// Share of API calls that fail (`TPZ_SOAK_RATE` sets another, for harsher runs).
const FAULT_RATE: f64 = 0.2;
/// Fixed, so a failing run can be replayed (`TPZ_SOAK_SEED` picks another); the figures
/// differ a little between runs anyway because Terraform's parallel calls reach the
/// simulator in varying order.
const SEED: u64 = 20_260_107;
/// Attach and detach take this long in the simulator: long enough that waits poll, short
/// enough that the scenario stays within a couple of minutes on two cores.
const TRANSITION: Duration = Duration::from_millis(100);

const ALL_FAULTS: [FaultKind; 5] = [
    FaultKind::RateLimited,
    FaultKind::Internal,
    FaultKind::Unavailable,
    FaultKind::Drop,
    FaultKind::Lost,
];

/// What the user's session did, for the figures.
#[derive(Default)]
struct Tally {
    commands: Vec<String>,
    retries: usize,
    lost: usize,
    duplicate_attach_errors: usize,
}

impl Tally {
    /// Records a command's transcript and its provider log; asserts it never crashed.
    fn saw(&mut self, outcome: &Outcome, log: &Path) {
        outcome.assert_no_crash();
        let text = format!("{}\n{}", outcome.stdout, outcome.stderr);
        // A duplicate attach would surface as the API's "already attached" refusal.
        self.duplicate_attach_errors +=
            text.matches("INVALID_NIC_ATTACHED").count() + text.matches("already attached").count();
        let log = std::fs::read_to_string(log).unwrap_or_default();
        self.retries += log.matches("retrying API call").count();
        self.commands.push(format!(
            "{} -> exit {:?}",
            outcome.command,
            outcome.code.unwrap_or(-1)
        ));
    }
}

/// `terraform <args>`, its provider log (debug level) written afresh to `log`.
fn logged(dir: &Workdir, args: &[&str], log: &Path) -> Outcome {
    let _ = std::fs::remove_file(log);
    dir.run(args)
}

#[test]
fn thirty_attachments_survive_a_fifth_of_api_calls_failing_with_nothing_lost() {
    let started = Instant::now();
    let seed = std::env::var("TPZ_SOAK_SEED")
        .ok()
        .map(|s| s.parse::<u64>().expect("TPZ_SOAK_SEED is a number"))
        .unwrap_or(SEED);
    let rate = std::env::var("TPZ_SOAK_RATE")
        .ok()
        .map(|s| s.parse::<f64>().expect("TPZ_SOAK_RATE is a number"))
        .unwrap_or(FAULT_RATE);
    let tf = agreement::newest_terraform();
    let sim = Sim::with_delay(TRANSITION);
    let instances = create_instances(&sim, "ins-soak-", INSTANCES, None);
    let nics = sim
        .api()
        .create_nics(NewNics::available("nic-soak-", ATTACHMENTS, "asia-east-1"))
        .expect("create NICs");
    let wanted: Attachments = nics
        .iter()
        .enumerate()
        .map(|(i, nic)| (nic.clone(), instances[i % instances.len()].clone()))
        .collect();

    let log = tempfile::NamedTempFile::new().expect("a log file");
    let log_path = log.path().to_owned();
    let dir = tf
        .workdir()
        .config(&config(&sim, &wanted))
        .env("TF_LOG_PROVIDER", "debug")
        .env("TF_LOG_PATH", &log_path);

    sim.api()
        .set_faults(FaultConfig {
            rate,
            kinds: ALL_FAULTS.to_vec(),
            seed: Some(seed),
            ..FaultConfig::default()
        })
        .expect("a valid fault plan");
    sim.api().reset_calls();
    let mut tally = Tally::default();

    // Apply: succeeds, or fails clearly and a second apply converges.
    let first = logged(
        &dir,
        &["apply", "-no-color", "-input=false", "-auto-approve"],
        &log_path,
    );
    tally.saw(&first, &log_path);
    let mut first_failure = None;
    if !first.success() {
        first_failure = Some(first.stderr.clone());
        assert!(
            first.stderr.contains("Error: "),
            "the failed apply gave no error message:\n{}",
            first.stderr
        );
        let second = logged(
            &dir,
            &["apply", "-no-color", "-input=false", "-auto-approve"],
            &log_path,
        );
        tally.saw(&second, &log_path);
        second.assert_success();
    }
    let state = agreement::in_state(&dir.state_json());
    let api = agreement::in_api(&sim, &nics);
    let disagree = agreement::disagreements(&state.attached, &api);
    tally.lost += disagree.len();
    assert!(
        disagree.is_empty(),
        "state and API disagree after apply:\n{}",
        disagree.join("\n")
    );
    assert_eq!(state.attached, wanted, "every attachment is in state");
    assert!(state.tainted.is_empty(), "tainted: {:?}", state.tainted);
    for (nic, instance) in &wanted {
        assert_used_by(&sim, nic, instance, "after apply");
    }

    // The next plan is empty, faults and all.
    let plan = logged(
        &dir,
        &["plan", "-no-color", "-input=false", "-detailed-exitcode"],
        &log_path,
    );
    tally.saw(&plan, &log_path);
    assert_eq!(
        plan.code,
        Some(0),
        "the plan after apply is not empty:\n{}\n{}",
        plan.stdout,
        plan.stderr
    );

    // Destroy leaves every NIC AVAILABLE.
    let destroy = logged(
        &dir,
        &["destroy", "-no-color", "-input=false", "-auto-approve"],
        &log_path,
    );
    tally.saw(&destroy, &log_path);
    let mut destroy_failure = None;
    if !destroy.success() {
        destroy_failure = Some(destroy.stderr.clone());
        let again = logged(
            &dir,
            &["destroy", "-no-color", "-input=false", "-auto-approve"],
            &log_path,
        );
        tally.saw(&again, &log_path);
        again.assert_success();
    }
    let calls = sim.api().calls();
    let faults = sim.api().faults().injected;
    sim.api().clear_faults();
    let left = agreement::in_state(&dir.state_json());
    assert!(
        left.attached.is_empty(),
        "left in state: {:?}",
        left.attached
    );
    for nic in &nics {
        assert_available(&sim, nic, "after destroy");
    }

    let attach = calls.action("AttachNetworkInterface");
    let detach = calls.action("DetachNetworkInterface");
    let by_action: BTreeMap<_, _> = calls
        .actions
        .iter()
        .map(|(k, v)| (k.clone(), (v.received, v.faulted)))
        .collect();
    println!("soak figures (Terraform {}, seed {seed}):", tf.version);
    println!("  attachments: {ATTACHMENTS} on {INSTANCES} instances, fault rate {rate}");
    for c in &tally.commands {
        println!("  {c}");
    }
    if let Some(f) = &first_failure {
        println!("  first apply failed with:\n{f}");
    }
    if let Some(f) = &destroy_failure {
        println!("  first destroy failed with:\n{f}");
    }
    println!("  API calls made: {}", calls.total_received());
    println!(
        "  faults injected: {} (429: {}, 500: {}, 503: {}, drop: {}, lost: {})",
        faults.total(),
        faults.rate_limited,
        faults.internal,
        faults.unavailable,
        faults.drop,
        faults.lost
    );
    println!("  per action (received, faulted): {by_action:?}");
    println!("  retries by the client: {}", tally.retries);
    println!(
        "  attach calls: {} (refused as already attached: {}), detach calls: {}",
        attach.received,
        attach
            .codes
            .get("INVALID_NIC_ATTACHED")
            .copied()
            .unwrap_or(0),
        detach.received
    );
    println!("  attachments lost: {}", tally.lost);
    println!(
        "  duplicate attach errors shown to the user: {}",
        tally.duplicate_attach_errors
    );
    println!("  wall time: {:.1?}", started.elapsed());

    assert!(faults.total() > 0, "the scenario injected no faults");
    assert!(
        faults.lost > 0 && faults.drop > 0,
        "every fault kind was exercised: {faults:?}"
    );
    assert_eq!(tally.lost, 0, "attachments lost");
    assert_eq!(
        tally.duplicate_attach_errors, 0,
        "duplicate attach errors shown to the user"
    );
    drop(log);
}

fn config(sim: &Sim, wanted: &Attachments) -> String {
    let pairs: String = wanted
        .iter()
        .map(|(nic, instance)| format!("    \"{nic}\" = \"{instance}\"\n"))
        .collect();
    format!(
        r#"{provider}
locals {{
  attachments = {{
{pairs}  }}
}}

resource "zenlayer_nic_attachment" "soak" {{
  for_each    = local.attachments
  nic_id      = each.key
  instance_id = each.value

  timeouts {{
    create = "3m"
    delete = "3m"
  }}
}}
"#,
        provider = sim.provider_block()
    )
}
