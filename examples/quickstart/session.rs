//! The quickstart session: a zenlayer-sim with its built-in account, a temporary working
//! directory whose CLI config points Terraform at the provider, and four Terraform commands,
//! each narrated and checked. Shared by the example (`main.rs`) and `tests/quickstart.rs`.

use std::ffi::OsString;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tpz::sim::{BackgroundSim, SimConfig};
use tpz::zenlayer::models::NicStatus;

use super::terraform::{Cli, Ran};

const PROVIDER_TF: &str = include_str!("provider.tf");
const WITH_MISTAKES_TF: &str = include_str!("with-mistakes/attachments.tf");
const CORRECTED_TF: &str = include_str!("attachments.tf");

/// The three mistakes in `with-mistakes/attachments.tf`: resource name, the diagnostic's
/// summary, the API code it predicts, and the configuration line Terraform shows under it
/// (the argument the diagnostic points at). The region mismatch points at `nic_id`: the
/// message is about the NIC, and a NIC from the instance's region is the fix step 2 makes.
const MISTAKES: [(&str, &str, &str, &str); 3] = [
    (
        "app",
        "The NIC is in another region",
        "INVALID_NIC_INSTANCE_REGION_MISMATCH",
        "nic_id      = \"nic-eu-app-1\"",
    ),
    (
        "worker",
        "The instance is not running",
        "OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT",
        "instance_id = \"ins-stopped-1\"",
    ),
    (
        "db",
        "The NIC is attached to another instance",
        "INVALID_NIC_ATTACHED",
        "nic_id      = \"nic-db-1\"",
    ),
];

/// The attachments `attachments.tf` makes: NIC and instance.
const ATTACHMENTS: [(&str, &str); 3] = [
    ("nic-app-1", "ins-web-1"),
    ("nic-app-2", "ins-web-1"),
    ("nic-app-3", "ins-web-2"),
];

/// What the quickstart runs.
pub(crate) struct Options {
    /// The Terraform CLI.
    pub(crate) terraform: PathBuf,
    /// The directory holding the `terraform-provider-zenlayer` binary to use.
    pub(crate) provider_dir: PathBuf,
    /// Let Terraform colour its output (for a terminal).
    pub(crate) color: bool,
    /// Set on Ctrl-C: Terraform gets the signal too and stops; the session then stops at
    /// that step and cleans up.
    pub(crate) interrupted: Arc<AtomicBool>,
}

/// What the session used, all of it gone by the time `run` returns (the test checks that).
#[derive(Debug)]
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) struct Finished {
    pub(crate) workdir: PathBuf,
    pub(crate) sim_addr: SocketAddr,
}

/// Why the quickstart stopped.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    #[error("zenlayer-sim could not start: {0}")]
    Sim(#[from] tpz::sim::StartError),
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("interrupted (Ctrl-C) at step {step}")]
    Interrupted { step: usize },
    #[error("step {step} did not behave as the quickstart shows: {problem}")]
    Unexpected { step: usize, problem: String },
}

/// Runs the four steps, narrating to `out`; stops the simulator and removes the working
/// directory before returning, whatever happened.
pub(crate) fn run(options: &Options, out: &mut dyn Write) -> Result<Finished, Error> {
    let sim = BackgroundSim::start(SimConfig::default())?;
    let workdir = tempfile::Builder::new()
        .prefix("zenlayer-quickstart-")
        .tempdir()?;
    let finished = Finished {
        workdir: workdir.path().to_path_buf(),
        sim_addr: sim.addr(),
    };
    let outcome = steps(options, &sim, workdir.path(), out);
    drop(sim);
    let removed = workdir.close();
    outcome?;
    removed?;
    writeln!(
        out,
        "\nDone. The simulator has stopped and the working directory is removed.\n\
         To try your own configurations, run `zenlayer-sim` and point the provider at it \
         (see docs/zenlayer-sim.md)."
    )?;
    Ok(finished)
}

fn steps(
    options: &Options,
    sim: &BackgroundSim,
    dir: &Path,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let cli_config = dir.join("cli.tfrc");
    std::fs::write(&cli_config, dev_overrides(&options.provider_dir))?;
    std::fs::write(dir.join("provider.tf"), PROVIDER_TF)?;
    let api = sim.sim();
    let env: Vec<(OsString, OsString)> = [
        ("TF_CLI_CONFIG_FILE", cli_config.as_os_str().to_owned()),
        ("CHECKPOINT_DISABLE", "1".into()),
        ("TF_IN_AUTOMATION", "1".into()),
        ("ZENLAYERCLOUD_DOMAIN", sim.domain().into()),
        ("ZENLAYERCLOUD_SCHEME", "http".into()),
        ("ZENLAYERCLOUD_ACCESS_KEY_ID", api.access_key_id().into()),
        (
            "ZENLAYERCLOUD_ACCESS_KEY_PASSWORD",
            api.access_key_password().into(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (OsString::from(k), v))
    .collect();
    let terraform = Cli {
        path: options.terraform.clone(),
        dir: dir.to_path_buf(),
        env,
        color: options.color,
    };

    writeln!(
        out,
        "zenlayer-sim is serving a simulated Zenlayer account on {url}:\n\
         \x20 instances ins-web-1 and ins-web-2 (RUNNING, asia-east-1), ins-stopped-1 (STOPPED);\n\
         \x20 NICs nic-app-1 … nic-app-8 (AVAILABLE, asia-east-1), nic-eu-app-1 (europe-west-1),\n\
         \x20 nic-db-1 (already attached to ins-web-1).\n\
         Terraform runs in {dir}\n\
         \x20 with the provider in {provider} (through a dev_overrides CLI config,\n\
         \x20 so every command warns that development overrides are in effect),\n\
         \x20 and the simulator's address and key pair in ZENLAYERCLOUD_* environment variables.",
        url = sim.base_url(),
        dir = dir.display(),
        provider = options.provider_dir.display(),
    )?;

    // Step 1: a plan that fails with readable diagnostics.
    heading(
        out,
        1,
        "terraform plan, on a configuration with three mistakes",
    )?;
    writeln!(
        out,
        "examples/quickstart/with-mistakes/attachments.tf asks for three attachments the API would\n\
         refuse. Plan checks read the NICs and instances and report every problem at the line\n\
         to fix, before anything changes:\n"
    )?;
    std::fs::write(dir.join("attachments.tf"), WITH_MISTAKES_TF)?;
    let plan = terraform.run(&["plan", "-input=false"], out)?;
    let step = 1;
    go_on(options, step)?;
    expect_code(step, &plan, 1)?;
    for (name, summary, code, line) in MISTAKES {
        expect_says(
            step,
            &plan,
            &format!("Error: {summary} with zenlayer_nic_attachment.{name},"),
        )?;
        expect_says(step, &plan, &format!("Zenlayer API code: {code}"))?;
        expect_says(step, &plan, line)?;
    }
    let errors = plan.count("Error:");
    if errors != MISTAKES.len() {
        return Err(unexpected(
            step,
            format!("the plan reported {errors} errors, not {}", MISTAKES.len()),
        ));
    }
    let attaches = api.calls().action("AttachNetworkInterface").received;
    if attaches != 0 {
        return Err(unexpected(
            step,
            format!("the plan sent {attaches} attach requests"),
        ));
    }
    writeln!(
        out,
        "\n-> The plan failed, as it should, with one error per mistake, each at its resource and\n\
         \x20  the argument to change: the NIC is in another region (app, at nic_id: the NIC is\n\
         \x20  what gets placed, and a NIC from the instance's region is the usual fix), the\n\
         \x20  instance is not running (worker, at instance_id), the NIC is attached to another\n\
         \x20  instance (db, at nic_id). Each names the API code it predicts and how to fix it.\n\
         \x20  Nothing was changed: the simulator received no attach request."
    )?;

    // Step 2: the corrected configuration applies.
    heading(out, 2, "terraform apply, on the corrected configuration")?;
    writeln!(
        out,
        "examples/quickstart/attachments.tf fixes each mistake as the messages suggest: a NIC from\n\
         asia-east-1 for app, the running ins-web-1 for worker, the free nic-app-3 for db. Apply\n\
         attaches the three NICs and waits until the API reports each one USED:\n"
    )?;
    std::fs::write(dir.join("attachments.tf"), CORRECTED_TF)?;
    let apply = terraform.run(&["apply", "-input=false", "-auto-approve"], out)?;
    let step = 2;
    go_on(options, step)?;
    expect_code(step, &apply, 0)?;
    expect_says(
        step,
        &apply,
        "Apply complete! Resources: 3 added, 0 changed, 0 destroyed.",
    )?;
    for (nic, instance) in ATTACHMENTS {
        expect_nic(step, sim, nic, NicStatus::Used, Some(instance))?;
    }
    writeln!(
        out,
        "\n-> The simulator shows nic-app-1 and nic-app-2 USED on ins-web-1, and nic-app-3 USED on\n\
         \x20  ins-web-2. The outputs show what the API reported for each NIC."
    )?;

    // Step 3: nothing left to do.
    heading(out, 3, "terraform plan, again")?;
    writeln!(
        out,
        "The plan reads the three NICs back from the API. They match the configuration, so there\n\
         is nothing to do (with -detailed-exitcode, exit code 0 means no changes, 2 changes):\n"
    )?;
    let replan = terraform.run(&["plan", "-input=false", "-detailed-exitcode"], out)?;
    let step = 3;
    go_on(options, step)?;
    expect_code(step, &replan, 0)?;
    expect_says(step, &replan, "No changes.")?;
    writeln!(
        out,
        "\n-> No changes: the state, the configuration and the API agree."
    )?;

    // Step 4: destroy detaches.
    heading(out, 4, "terraform destroy")?;
    writeln!(
        out,
        "Destroy detaches the three NICs and waits until the API reports each one AVAILABLE:\n"
    )?;
    let destroy = terraform.run(&["destroy", "-input=false", "-auto-approve"], out)?;
    let step = 4;
    go_on(options, step)?;
    expect_code(step, &destroy, 0)?;
    expect_says(step, &destroy, "Destroy complete! Resources: 3 destroyed.")?;
    for (nic, _) in ATTACHMENTS {
        expect_nic(step, sim, nic, NicStatus::Available, None)?;
    }
    writeln!(
        out,
        "\n-> nic-app-1, nic-app-2 and nic-app-3 are AVAILABLE again, attached to nothing."
    )?;
    Ok(())
}

fn dev_overrides(provider_dir: &Path) -> String {
    format!(
        "provider_installation {{\n  dev_overrides {{\n    \"zenlayer/zenlayer\" = {dir:?}\n  }}\n  direct {{}}\n}}\n",
        dir = provider_dir.display().to_string(),
    )
}

/// Stops the session if Ctrl-C arrived (Terraform, interrupted too, has failed the step).
fn go_on(options: &Options, step: usize) -> Result<(), Error> {
    if options.interrupted.load(Ordering::SeqCst) {
        return Err(Error::Interrupted { step });
    }
    Ok(())
}

fn heading(out: &mut dyn Write, step: usize, title: &str) -> io::Result<()> {
    writeln!(out, "\n== Step {step} of 4: {title} ==\n")
}

fn unexpected(step: usize, problem: String) -> Error {
    Error::Unexpected { step, problem }
}

fn expect_code(step: usize, ran: &Ran, code: i32) -> Result<(), Error> {
    if ran.code == Some(code) {
        return Ok(());
    }
    let got = ran.code.map_or_else(
        || "no exit code (killed by a signal)".to_owned(),
        |c| format!("exit code {c}"),
    );
    Err(unexpected(
        step,
        format!("Terraform ended with {got}, not {code}"),
    ))
}

fn expect_says(step: usize, ran: &Ran, text: &str) -> Result<(), Error> {
    if ran.says(text) {
        Ok(())
    } else {
        Err(unexpected(step, format!("Terraform did not say {text:?}")))
    }
}

fn expect_nic(
    step: usize,
    sim: &BackgroundSim,
    nic_id: &str,
    status: NicStatus,
    instance: Option<&str>,
) -> Result<(), Error> {
    let Some(nic) = sim.sim().nic(nic_id) else {
        return Err(unexpected(
            step,
            format!("the simulator has no NIC {nic_id}"),
        ));
    };
    if nic.status == status && nic.instance_id.as_deref() == instance {
        return Ok(());
    }
    Err(unexpected(
        step,
        format!(
            "the simulator shows {nic_id} {} on {:?}, expected {status} on {instance:?}",
            nic.status, nic.instance_id
        ),
    ))
}
