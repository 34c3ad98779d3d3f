//! Which Terraform command started this process, as far as it matters to the provider:
//! whether it destroys.
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
    let ppid = std::os::unix::process::parent_id();
    let raw = std::fs::read(format!("/proc/{ppid}/cmdline")).ok()?;
    let args: Vec<String> = raw
        .split(|b| *b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    (!args.is_empty()).then_some(args)
}

/// True when `args` (a command line, program first) with the `TF_CLI_ARGS*` variables from
/// `env` is a Terraform destroy.
pub(crate) fn is_destroy(args: &[String], env: &dyn Fn(&str) -> Option<String>) -> bool {
    // The first Terraform command word after the program (a wrapper's script path and the
    // global `-chdir=…` are skipped).
    let Some(at) = args
        .iter()
        .skip(1)
        .position(|a| COMMANDS.contains(&a.as_str()))
        .map(|p| p + 1)
    else {
        return false;
    };
    let command = args[at].as_str();
    if command == "destroy" {
        return true;
    }
    if !matches!(command, "apply" | "plan") {
        return false;
    }
    let extra = [
        env("TF_CLI_ARGS").unwrap_or_default(),
        env(&format!("TF_CLI_ARGS_{command}")).unwrap_or_default(),
    ];
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
    fn tf_cli_args_can_make_an_apply_a_destroy() {
        let env =
            |name: &str| (name == "TF_CLI_ARGS_apply").then(|| "-destroy -input=false".to_owned());
        assert!(is_destroy(&argv("terraform apply -auto-approve"), &env));
        assert!(!is_destroy(&argv("terraform plan"), &env));
    }
}
