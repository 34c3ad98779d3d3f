//! What the Terraform cases share: Terraform itself, a filesystem mirror holding both
//! providers, a CLI config of our own, zenlayer-sim with the bench account, and working
//! directories initialised from the mirror. Everything lives in the bench's scratch directory
//! and goes with it; every process started here is waited for.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use tpz::sim::{BackgroundSim, Delays, Sim, SimConfig};

use crate::start::null_provider;
use crate::world;
use crate::{baselines, provider_bin};

/// Numbers the logs `TPZ_BENCH_TF_LOG_DIR` collects.
static LOGS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// Our provider's version in the mirror (the crate's).
const OUR_VERSION: &str = env!("CARGO_PKG_VERSION");

pub(crate) struct Lab {
    pub terraform: PathBuf,
    cli_config: PathBuf,
    /// Each baseline build's name, and the CLI config whose mirror holds it as
    /// `zenlayer/zenlayer`.
    baselines: Vec<(String, PathBuf)>,
    root: PathBuf,
    pub sim: BackgroundSim,
}

/// One provider measured in a case: ours, the baseline build, or the Go null provider.
pub(crate) struct Subject {
    pub name: String,
    pub workdir: Workdir,
    pub zenlayer: bool,
    /// A baseline build, which shares the simulator's NICs with ours.
    pub baseline: bool,
}

/// How one Terraform command went.
pub(crate) struct Run {
    pub wall: Duration,
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
    /// Memory of each provider process Terraform started, when sampled.
    pub provider_memory: Vec<Memory>,
}

/// A provider process's peak resident memory, and how its largest sample splits.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Memory {
    /// VmHWM, KiB.
    pub peak_kib: u64,
    /// RssAnon (heap, stacks, written data) and RssFile (mapped executable and libraries)
    /// when VmRSS was largest, KiB.
    pub anon_kib: u64,
    pub file_kib: u64,
    rss_kib: u64,
}

impl Run {
    /// Panics with Terraform's output unless it succeeded and printed `expected`.
    pub(crate) fn expect(self, what: &str, expected: &str) -> Run {
        assert!(
            self.status.success() && self.stdout.contains(expected),
            "{what} did not succeed with {expected:?} ({}):\n--- stdout\n{}\n--- stderr\n{}",
            self.status,
            self.stdout,
            self.stderr
        );
        self
    }

    /// The provider process with the largest peak in the run.
    pub(crate) fn provider_peak(&self) -> Memory {
        self.provider_memory
            .iter()
            .copied()
            .max_by_key(|m| m.peak_kib)
            .unwrap_or_default()
    }
}

/// A Terraform working directory, initialised from a mirror.
pub(crate) struct Workdir {
    pub dir: PathBuf,
    cli_config: PathBuf,
    /// Another Terraform than the lab's, for cases that need a newer one.
    terraform: Option<PathBuf>,
}

impl Lab {
    pub(crate) fn new(scratch: &Path) -> Lab {
        let (terraform, terraform_version) = find_terraform();
        let root = scratch.join("lab");
        let cli_config = mirror(&root.join("mirror"), &provider_bin());
        let baselines = baselines()
            .into_iter()
            .enumerate()
            .map(|(i, b)| (b.name, mirror(&root.join(format!("baseline-{i}")), &b.path)))
            .collect();
        let sim = BackgroundSim::start(SimConfig {
            state: world::state(),
            delays: Delays::both(Duration::ZERO),
            ..SimConfig::default()
        })
        .expect("zenlayer-sim starts");
        println!(
            "\nlab: {} ({}), providers from a filesystem mirror, zenlayer-sim at {}",
            terraform.display(),
            terraform_version,
            sim.domain()
        );
        Lab {
            terraform,
            cli_config,
            baselines,
            root,
            sim,
        }
    }

    /// Working directories named after `name` for our provider (and the baseline builds)
    /// holding `zenlayer_body` under the simulator's provider block, and one for the null
    /// provider holding `null_config`; all initialised.
    pub(crate) fn subjects(
        &self,
        name: &str,
        zenlayer_body: &str,
        null_config: &str,
    ) -> Vec<Subject> {
        let zenlayer_config = format!("{}\n{zenlayer_body}", self.zenlayer_header());
        let mut subjects = vec![Subject {
            name: "terraform-provider-zenlayer".into(),
            workdir: self.workdir(name, &zenlayer_config, &self.cli_config),
            zenlayer: true,
            baseline: false,
        }];
        for (i, (baseline, cli_config)) in self.baselines.iter().enumerate() {
            subjects.push(Subject {
                name: baseline.clone(),
                workdir: self.workdir(
                    &format!("{name}-baseline-{i}"),
                    &zenlayer_config,
                    cli_config,
                ),
                zenlayer: true,
                baseline: true,
            });
        }
        subjects.push(Subject {
            name: "terraform-provider-null (Go)".into(),
            workdir: self.workdir(&format!("{name}-null"), null_config, &self.cli_config),
            zenlayer: false,
            baseline: false,
        });
        subjects
    }

    pub(crate) fn sim(&self) -> &Sim {
        self.sim.sim()
    }

    /// The `terraform` and `provider "zenlayer"` blocks for the simulator.
    pub(crate) fn zenlayer_header(&self) -> String {
        let sim = self.sim();
        format!(
            r#"terraform {{
  required_providers {{
    zenlayer = {{
      source = "zenlayer/zenlayer"
    }}
  }}
}}

provider "zenlayer" {{
  domain              = "{domain}"
  scheme              = "http"
  access_key_id       = "{id}"
  access_key_password = "{password}"
}}
"#,
            domain = self.sim.domain(),
            id = sim.access_key_id(),
            password = sim.access_key_password(),
        )
    }

    /// A working directory named `name` holding `config`, after `terraform init` from the
    /// mirror `cli_config` names.
    fn workdir(&self, name: &str, config: &str, cli_config: &Path) -> Workdir {
        let dir = self.root.join(name);
        std::fs::create_dir_all(&dir).expect("working directory");
        std::fs::write(dir.join("main.tf"), config).expect("write main.tf");
        let w = Workdir {
            dir,
            cli_config: cli_config.to_owned(),
            terraform: None,
        };
        self.run(&w, &["init", "-input=false", "-no-color"]).expect(
            &format!("terraform init in {name}"),
            "has been successfully initialized",
        );
        w
    }

    /// A working directory for our provider alone, holding `zenlayer_body` under the
    /// simulator's provider block, run (and initialised) with `terraform`.
    pub(crate) fn zenlayer_workdir_on(
        &self,
        terraform: &Path,
        name: &str,
        zenlayer_body: &str,
    ) -> Workdir {
        let dir = self.root.join(name);
        std::fs::create_dir_all(&dir).expect("working directory");
        let config = format!("{}\n{zenlayer_body}", self.zenlayer_header());
        std::fs::write(dir.join("main.tf"), config).expect("write main.tf");
        let w = Workdir {
            dir,
            cli_config: self.cli_config.clone(),
            terraform: Some(terraform.to_owned()),
        };
        self.run(&w, &["init", "-input=false", "-no-color"]).expect(
            &format!("terraform init in {name}"),
            "has been successfully initialized",
        );
        w
    }

    fn command(&self, w: &Workdir, args: &[&str]) -> Command {
        let mut c = Command::new(w.terraform.as_ref().unwrap_or(&self.terraform));
        c.args(args)
            .current_dir(&w.dir)
            .env("TF_CLI_CONFIG_FILE", &w.cli_config)
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0")
            .env_remove("TF_LOG")
            .env_remove("TF_LOG_PROVIDER")
            .env_remove("TF_LOG_CORE")
            .env_remove("TF_LOG_PATH")
            .env_remove("TF_PLUGIN_CACHE_DIR")
            .env_remove("TF_REATTACH_PROVIDERS")
            .env_remove("TF_CLI_ARGS")
            .stdin(Stdio::null());
        // For profiling: every run's Terraform log, with the providers' debug lines, in a
        // directory of one's choosing.
        if let Some(dir) = std::env::var_os("TPZ_BENCH_TF_LOG_DIR") {
            let seq = LOGS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let name = format!(
                "{seq:03}-{}-{}.log",
                w.dir.file_name().and_then(|n| n.to_str()).unwrap_or("run"),
                args.first().copied().unwrap_or("terraform")
            );
            c.env("TF_LOG", "trace")
                .env("TF_LOG_PROVIDER", "debug")
                .env("TF_LOG_PATH", Path::new(&dir).join(name));
        }
        c
    }

    /// Runs `terraform ARGS` in `w`, timing it from spawn to exit.
    pub(crate) fn run(&self, w: &Workdir, args: &[&str]) -> Run {
        self.run_with(w, args, false)
    }

    /// [`Lab::run`] with Terraform's own log (`TF_LOG_CORE=trace`, the provider's silenced)
    /// written to `log`: where each resource's ApplyResourceChange starts and ends.
    pub(crate) fn run_logged(&self, w: &Workdir, args: &[&str], log: &Path) -> Run {
        let mut command = self.command(w, args);
        command
            .env_remove("TF_LOG")
            .env("TF_LOG_CORE", "trace")
            .env("TF_LOG_PATH", log);
        self.run_command(w, command, false)
    }

    /// [`Lab::run`], also sampling the peak memory of every provider process Terraform starts.
    pub(crate) fn run_sampled(&self, w: &Workdir, args: &[&str]) -> Run {
        self.run_with(w, args, true)
    }

    fn run_with(&self, w: &Workdir, args: &[&str], sample: bool) -> Run {
        self.run_command(w, self.command(w, args), sample)
    }

    fn run_command(&self, w: &Workdir, mut command: Command, sample: bool) -> Run {
        let out_path = w.dir.join("last.stdout");
        let err_path = w.dir.join("last.stderr");
        command
            .stdout(File::create(&out_path).expect("stdout file"))
            .stderr(File::create(&err_path).expect("stderr file"));
        let started = Instant::now();
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.terraform.display()));
        let mut memory: HashMap<u32, Memory> = HashMap::new();
        let status = if sample {
            loop {
                for pid in children(child.id()) {
                    if let Some(now) = provider_memory(pid) {
                        let seen = memory.entry(pid).or_default();
                        if now.rss_kib >= seen.rss_kib {
                            *seen = Memory {
                                peak_kib: now.peak_kib.max(seen.peak_kib),
                                ..now
                            };
                        } else {
                            seen.peak_kib = seen.peak_kib.max(now.peak_kib);
                        }
                    }
                }
                if let Some(status) = child.try_wait().expect("wait for terraform") {
                    break status;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        } else {
            child.wait().expect("wait for terraform")
        };
        let wall = started.elapsed();
        Run {
            wall,
            status,
            stdout: std::fs::read_to_string(&out_path).unwrap_or_default(),
            stderr: std::fs::read_to_string(&err_path).unwrap_or_default(),
            provider_memory: memory.into_values().collect(),
        }
    }
}

/// A Terraform of at least `major.minor`: `TPZ_BENCH_QUERY_TERRAFORM`, or the newest such in
/// `TF_ACC_TERRAFORM_PATHS` (as `.tools/env` sets it), with its version.
pub(crate) fn terraform_at_least(major: u64, minor: u64) -> Option<(PathBuf, String)> {
    let candidates: Vec<PathBuf> = match std::env::var_os("TPZ_BENCH_QUERY_TERRAFORM") {
        Some(p) => vec![PathBuf::from(p)],
        None => std::env::var_os("TF_ACC_TERRAFORM_PATHS")
            .map(|p| std::env::split_paths(&p).collect())
            .unwrap_or_default(),
    };
    candidates
        .into_iter()
        .filter_map(|p| {
            let v = terraform_version(&p)?;
            let mut parts = v.split('.').filter_map(|x| x.parse::<u64>().ok());
            let release = (parts.next()?, parts.next()?);
            (release >= (major, minor)).then_some((release, p, v))
        })
        .max_by_key(|(release, ..)| *release)
        .map(|(_, p, v)| (p, v))
}

fn terraform_version(path: &Path) -> Option<String> {
    let out = Command::new(path)
        .args(["version", "-json"])
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .ok()?;
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    json["terraform_version"].as_str().map(str::to_owned)
}

/// `terraform` from `TPZ_BENCH_TERRAFORM` or PATH, and its version; panics if there is none.
fn find_terraform() -> (PathBuf, String) {
    let path = std::env::var_os("TPZ_BENCH_TERRAFORM")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("PATH").and_then(|p| {
                std::env::split_paths(&p)
                    .map(|d| d.join("terraform"))
                    .find(|c| c.is_file())
            })
        })
        .expect(
            "no terraform found: put `terraform` on PATH or name one in TPZ_BENCH_TERRAFORM \
             (`scripts/install-tools.sh && . .tools/env` installs one)",
        );
    let out = Command::new(&path)
        .args(["version", "-json"])
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", path.display()));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{} version -json printed no JSON: {e}", path.display()));
    let version = json["terraform_version"]
        .as_str()
        .unwrap_or_else(|| panic!("{} reported no version", path.display()))
        .to_owned();
    (path, version)
}

/// A filesystem mirror at `dir` holding the null provider and `zenlayer` as
/// `zenlayer/zenlayer`, and the CLI config (beside it) that installs only from it.
fn mirror(dir: &Path, zenlayer: &Path) -> PathBuf {
    install(
        dir,
        "hashicorp/null",
        "2.1.2",
        &null_provider(),
        "terraform-provider-null_v2.1.2_x4",
    );
    install(
        dir,
        "zenlayer/zenlayer",
        OUR_VERSION,
        zenlayer,
        &format!("terraform-provider-zenlayer_v{OUR_VERSION}"),
    );
    let cli_config = dir.with_extension("tfrc");
    std::fs::write(
        &cli_config,
        format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"hashicorp/null\", \"zenlayer/zenlayer\"]\n  }}\n}}\n",
            dir.display()
        ),
    )
    .expect("write the CLI config");
    cli_config
}

/// Copies `binary` into the mirror's unpacked layout for `source` at `version`.
fn install(mirror: &Path, source: &str, version: &str, binary: &Path, file_name: &str) {
    let dir = mirror
        .join("registry.terraform.io")
        .join(source)
        .join(version)
        .join("linux_amd64");
    std::fs::create_dir_all(&dir).expect("mirror directory");
    std::fs::copy(binary, dir.join(file_name))
        .unwrap_or_else(|e| panic!("copy {} into the mirror: {e}", binary.display()));
}

/// The children of `pid` (all its threads'), from procfs.
fn children(pid: u32) -> Vec<u32> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for task in tasks.flatten() {
        if let Ok(text) = std::fs::read_to_string(task.path().join("children")) {
            found.extend(
                text.split_whitespace()
                    .filter_map(|p| p.parse::<u32>().ok()),
            );
        }
    }
    found
}

/// The memory of `pid` if it is a Terraform provider process.
fn provider_memory(pid: u32) -> Option<Memory> {
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let argv0 = cmdline.split(|b| *b == 0).next()?;
    let name = Path::new(std::str::from_utf8(argv0).ok()?).file_name()?;
    if !name.to_str()?.starts_with("terraform-provider-") {
        return None;
    }
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kib| kib.parse().ok())
    };
    Some(Memory {
        peak_kib: field("VmHWM:")?,
        rss_kib: field("VmRSS:")?,
        anon_kib: field("RssAnon:")?,
        file_kib: field("RssFile:")?,
    })
}
