//! Which Terraform command started this process, as far as it matters to the provider:
//! whether it destroys, and whether a later walk (another process) applies what this one
//! plans.
//!
//! `terraform destroy` (and `apply -destroy`, `plan -destroy`) first runs a normal plan to
//! refresh state, and its errors stop the destroy. Terraform downgrades its own checks to
//! warnings in that pass but does not tell providers they are in it, and the pass is a plain
//! PlanResourceChange in its own process. What does tell is the command line of the process
//! that started the provider: the Terraform CLI (or a wrapper that passes its arguments on),
//! plus the `TF_CLI_ARGS` and `TF_CLI_ARGS_<command>` variables Terraform reads. Where that is
//! unreadable (no `/proc`), `Invocation::Unknown` lets callers explain the way through.

/// What the provider knows of the command that started it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Invocation {
    /// A destroy: plan checks are advice the destroy does not need.
    Destroy,
    /// Any other command.
    Other,
    /// The starting command line could not be read.
    Unknown,
}

/// Terraform's commands that plan or apply, and so may start the provider.
const COMMANDS: &[&str] = &[
    "apply", "plan", "destroy", "refresh", "import", "console", "test", "validate", "show",
    "state", "query", "output", "graph",
];

/// Reads how this process was started.
pub(crate) fn current() -> Invocation {
    let Some(args) = parent_args() else {
        return Invocation::Unknown;
    };
    if is_destroy(&args, &|name| std::env::var(name).ok()) {
        Invocation::Destroy
    } else {
        Invocation::Other
    }
}

fn parent_args() -> Option<Vec<String>> {
    read_args(std::os::unix::process::parent_id())
}

fn read_args(pid: u32) -> Option<Vec<String>> {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let args: Vec<String> = raw
        .split(|b| *b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    (!args.is_empty()).then_some(args)
}

/// The process that started this one (the Terraform CLI, or a wrapper that runs it in
/// process), as `/proc` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Starter {
    pub(crate) pid: u32,
    /// Its start time in clock ticks after boot: with the PID, it names one process for good.
    pub(crate) start_ticks: u64,
    pub(crate) args: Vec<String>,
    /// Its working directory (after `-chdir`), where relative plan file names point.
    pub(crate) cwd: Option<std::path::PathBuf>,
}

/// Reads the process that started this one; `None` where `/proc` cannot tell.
pub(crate) fn starter() -> Option<Starter> {
    let pid = std::os::unix::process::parent_id();
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    Some(Starter {
        pid,
        start_ticks: start_ticks(&stat)?,
        args: read_args(pid)?,
        cwd: std::fs::read_link(format!("/proc/{pid}/cwd")).ok(),
    })
}

/// This process's start time in clock ticks after boot.
pub(crate) fn own_start_ticks() -> Option<u64> {
    start_ticks(&std::fs::read_to_string("/proc/self/stat").ok()?)
}

/// True while process `pid`, started at `start_ticks`, runs (a zombie has ended).
pub(crate) fn is_running(pid: u32, start_ticks_then: u64) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    let state = after_command_name(&stat).and_then(|mut fields| fields.next());
    !matches!(state, Some("Z" | "X") | None) && start_ticks(&stat) == Some(start_ticks_then)
}

/// The fields of a `/proc/PID/stat` line from field 3 (the state) on. The command name (field
/// 2) is in parentheses and may hold spaces and parentheses itself, so they start after its
/// last `)`.
fn after_command_name(stat: &str) -> Option<std::str::SplitWhitespace<'_>> {
    Some(stat[stat.rfind(')')? + 1..].split_whitespace())
}

/// Field 22 of a `/proc/PID/stat` line: the start time.
fn start_ticks(stat: &str) -> Option<u64> {
    after_command_name(stat)?.nth(19)?.parse().ok()
}

/// How the walks of the running command relate, for what one walk plans to reach a later one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RunShape {
    /// `terraform apply` without a saved plan: a plan walk, then an apply walk, each in its
    /// own process, both started by the same Terraform process.
    Apply,
    /// `terraform apply FILE`: only the apply walk of the plan saved in FILE.
    ApplySaved(String),
    /// `terraform plan -out=FILE`: the plan walk of a plan saved to FILE.
    PlanSaved(String),
    /// Anything else (a destroy, a plan that is not saved, import, …): no later walk.
    Other,
}

/// Flags of `terraform apply` and `plan` that take a value, which may be the next argument.
const VALUE_FLAGS: &[&str] = &[
    "backup",
    "lock-timeout",
    "out",
    "parallelism",
    "replace",
    "state",
    "state-out",
    "target",
    "var",
    "var-file",
    "generate-config-out",
];

/// The shape of the command `args` (program first) runs, with the `TF_CLI_ARGS*` variables
/// from `env`.
pub(crate) fn run_shape(args: &[String], env: &dyn Fn(&str) -> Option<String>) -> RunShape {
    if is_destroy(args, env) {
        return RunShape::Other;
    }
    let Some(at) = command_at(args) else {
        return RunShape::Other;
    };
    let command = args[at].as_str();
    if !matches!(command, "apply" | "plan") {
        return RunShape::Other;
    }
    // Terraform puts the variables' flags before the command line's own.
    let extra = extra_args(command, env);
    let mut words = extra
        .iter()
        .flat_map(|e| e.split_whitespace())
        .map(str::to_owned)
        .chain(args[at + 1..].iter().cloned());
    let mut out = None;
    let mut positional = None;
    while let Some(word) = words.next() {
        let Some(flag) = word.strip_prefix("--").or_else(|| word.strip_prefix('-')) else {
            positional.get_or_insert(word);
            continue;
        };
        let (name, value) = match flag.split_once('=') {
            Some((name, value)) => (name, Some(value.to_owned())),
            None if VALUE_FLAGS.contains(&flag) => (flag, words.next()),
            None => (flag, None),
        };
        if name == "out" {
            out = value;
        }
    }
    match (command, out, positional) {
        ("plan", Some(file), _) if !file.is_empty() => RunShape::PlanSaved(file),
        ("apply", _, Some(file)) => RunShape::ApplySaved(file),
        ("apply", _, None) => RunShape::Apply,
        _ => RunShape::Other,
    }
}

/// Where the Terraform command word is in `args`: the first known command after the program
/// (a wrapper's script path and the global `-chdir=…` are skipped).
fn command_at(args: &[String]) -> Option<usize> {
    args.iter()
        .skip(1)
        .position(|a| COMMANDS.contains(&a.as_str()))
        .map(|p| p + 1)
}

/// `TF_CLI_ARGS` and `TF_CLI_ARGS_<command>`, which Terraform adds to the command line.
fn extra_args(command: &str, env: &dyn Fn(&str) -> Option<String>) -> [String; 2] {
    [
        env("TF_CLI_ARGS").unwrap_or_default(),
        env(&format!("TF_CLI_ARGS_{command}")).unwrap_or_default(),
    ]
}

/// True when `args` (a command line, program first) with the `TF_CLI_ARGS*` variables from
/// `env` is a Terraform destroy.
pub(crate) fn is_destroy(args: &[String], env: &dyn Fn(&str) -> Option<String>) -> bool {
    let Some(at) = command_at(args) else {
        return false;
    };
    let command = args[at].as_str();
    if command == "destroy" {
        return true;
    }
    if !matches!(command, "apply" | "plan") {
        return false;
    }
    let extra = extra_args(command, env);
    let flags = args[at + 1..]
        .iter()
        .map(String::as_str)
        .chain(extra.iter().flat_map(|e| e.split_whitespace()));
    flags.take_while(|a| *a != "--").any(|a| {
        matches!(
            a,
            "-destroy" | "--destroy" | "-destroy=true" | "--destroy=true"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn destroy_commands_are_recognised() {
        for line in [
            "terraform destroy",
            "/usr/bin/terraform -chdir=infra destroy -auto-approve",
            "terraform apply -destroy -auto-approve",
            "terraform plan -destroy -out=tf.plan",
            "python3 /opt/tf/terraform-1.15.5 destroy -auto-approve",
        ] {
            assert!(is_destroy(&argv(line), &no_env), "{line}");
        }
    }

    #[test]
    fn other_commands_are_not_destroys() {
        for line in [
            "terraform plan",
            "terraform apply -auto-approve",
            "terraform apply tf.plan",
            "python3 /opt/tf/terraform-1.15.5 plan -var=destroy=1",
            "terraform import zenlayer_nic_attachment.a nic-1",
            "terraform-provider-zenlayer",
        ] {
            assert!(!is_destroy(&argv(line), &no_env), "{line}");
        }
    }

    #[test]
    fn run_shapes_tell_a_saved_plan_from_a_plan_and_apply_in_one_command() {
        let shape = |line: &str| run_shape(&argv(line), &no_env);
        for (line, want) in [
            ("terraform apply", RunShape::Apply),
            (
                "terraform apply -auto-approve -parallelism 3",
                RunShape::Apply,
            ),
            (
                "terraform apply -replace zenlayer_nic_attachment.a -auto-approve",
                RunShape::Apply,
            ),
            (
                "terraform apply tf.plan",
                RunShape::ApplySaved("tf.plan".into()),
            ),
            (
                "terraform -chdir=infra apply -input=false out/tf.plan",
                RunShape::ApplySaved("out/tf.plan".into()),
            ),
            (
                "terraform plan -out=tf.plan",
                RunShape::PlanSaved("tf.plan".into()),
            ),
            (
                "python3 /opt/tf/terraform plan -out tf.plan -var x=1",
                RunShape::PlanSaved("tf.plan".into()),
            ),
            ("terraform plan", RunShape::Other),
            ("terraform apply -destroy -auto-approve", RunShape::Other),
            ("terraform destroy", RunShape::Other),
            (
                "terraform import zenlayer_nic_attachment.a nic-1:ins-1",
                RunShape::Other,
            ),
        ] {
            assert_eq!(shape(line), want, "{line}");
        }
        let env = |name: &str| (name == "TF_CLI_ARGS_plan").then(|| "-out=ci.plan".to_owned());
        assert_eq!(
            run_shape(&argv("terraform plan"), &env),
            RunShape::PlanSaved("ci.plan".into())
        );
    }

    #[test]
    fn this_process_runs_and_a_different_start_time_is_another_process() {
        let (pid, start) = (
            std::process::id(),
            own_start_ticks().expect("/proc/self/stat"),
        );
        assert!(is_running(pid, start));
        assert!(
            !is_running(pid, start + 1),
            "the PID reused by a later process"
        );
        assert!(!is_running(u32::MAX, start), "no such process");
    }

    #[test]
    fn the_start_time_is_read_after_a_command_name_with_spaces_and_parentheses() {
        let stat = "4242 (tf (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 12 0 \
                    987654 1000 200";
        assert_eq!(start_ticks(stat), Some(987_654));
        assert_eq!(start_ticks("garbage"), None);
    }

    #[test]
    fn tf_cli_args_can_make_an_apply_a_destroy() {
        let env =
            |name: &str| (name == "TF_CLI_ARGS_apply").then(|| "-destroy -input=false".to_owned());
        assert!(is_destroy(&argv("terraform apply -auto-approve"), &env));
        assert!(!is_destroy(&argv("terraform plan"), &env));
    }
}
