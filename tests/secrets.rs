//! Secrets stay secret and the connection to the API is what it claims to be: credentials are
//! sensitive in the schema, no secret reaches even a `TF_LOG=trace` log (of a successful run,
//! a failing apply, or an authentication failure), HTTPS is verified by default, plain HTTP
//! to anything but this machine is refused, and the provider's socket directory is
//! private while real Terraform runs and gone after them. (Mutual TLS on that socket, and
//! refusals of peers without Terraform's certificate, are proven in `plugin_transport.rs`.)

mod support;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use support::running::Running;
use support::tls_api::SelfSignedApi;
use support::{Outcome, Sim, Versions, Workdir, for_each_terraform};
use tpz::sim::SimConfig;

const PASSWORD: &str = "pw-Kq81vX-7d1c-secret";
const TOKEN: &str = "tok-Lr55pW-09ae-secret";
const WRONG_PASSWORD: &str = "pw-wrong-Zt40-secret";
const WRONG_TOKEN: &str = "tok-wrong-Hh27-secret";

/// What must never appear: the secrets themselves, and any signature or bearer header.
const NEVER: [&str; 6] = [
    PASSWORD,
    TOKEN,
    WRONG_PASSWORD,
    WRONG_TOKEN,
    "Signature=",
    "Bearer ",
];

fn sim_with_secrets() -> Sim {
    Sim::with_config(SimConfig {
        access_key_password: PASSWORD.into(),
        access_token: Some(TOKEN.into()),
        delays: tpz::sim::Delays::both(Duration::from_millis(50)),
        ..SimConfig::default()
    })
}

fn provider(sim: &Sim, credentials: &str, extra: &str) -> String {
    format!(
        "provider \"zenlayer\" {{\n  domain = \"{}\"\n  scheme = \"http\"\n  {credentials}\n  {extra}\n}}\n",
        sim.domain()
    )
}

fn key_pair(sim: &Sim, password: &str) -> String {
    format!(
        "access_key_id = \"{}\"\n  access_key_password = \"{password}\"",
        sim.api().access_key_id()
    )
}

fn token(token: &str) -> String {
    format!("access_token = \"{token}\"")
}

fn resource(nic: &str, instance: &str) -> String {
    format!(
        "\nresource \"zenlayer_nic_attachment\" \"this\" {{\n  nic_id      = \"{nic}\"\n  instance_id = \"{instance}\"\n}}\n"
    )
}

/// Runs `args` with a full trace log; returns the outcome and everything the user and the
/// log saw.
fn traced(dir: &Workdir, log: &Path, args: &[&str]) -> (Outcome, String) {
    let _ = std::fs::remove_file(log);
    let out = dir.run(args);
    let logged = std::fs::read_to_string(log).unwrap_or_default();
    assert!(
        logged.contains("zenlayer.api"),
        "{}: the trace log holds no provider API lines; is TF_LOG_PATH honoured?",
        out.command
    );
    let all = format!("{}\n{}\n{}", out.stdout, out.stderr, logged);
    (out, all)
}

#[track_caller]
fn assert_no_secret(what: &str, text: &str) {
    for secret in NEVER {
        if let Some(at) = text.find(secret) {
            let from = at.saturating_sub(300);
            let to = (at + 300).min(text.len());
            panic!(
                "{what} contains {secret:?}:\n…{}…",
                text.get(from..to).unwrap_or("(not on a char boundary)")
            );
        }
    }
}

#[test]
fn credentials_are_sensitive_in_the_provider_schema() {
    for_each_terraform(Versions::OldestAndNewest, |tf| {
        let schema = tf
            .workdir()
            .config("provider \"zenlayer\" {}\n")
            .providers_schema_json();
        let provider = &schema["provider_schemas"]["registry.terraform.io/zenlayer/zenlayer"]["provider"]
            ["block"]["attributes"];
        for secret in ["access_key_password", "access_token"] {
            assert_eq!(
                provider[secret]["sensitive"], true,
                "Terraform {}: {secret} is not sensitive: {}",
                tf.version, provider[secret]
            );
        }
        assert_ne!(provider["access_key_id"]["sensitive"], true);
    });
}

#[test]
fn trace_logs_of_successes_failures_and_auth_errors_hold_no_secret_or_signature() {
    let commands = AtomicUsize::new(0);
    let bytes = AtomicUsize::new(0);
    for_each_terraform(Versions::OldestAndNewest, |tf| {
        let sim = sim_with_secrets();
        let log = tempfile::NamedTempFile::new().expect("a log file");
        let dir = |credentials: &str, extra: &str, nic: &str, instance: &str| {
            tf.workdir()
                .config(&(provider(&sim, credentials, extra) + &resource(nic, instance)))
                .env("TF_LOG", "trace")
                .env("TF_LOG_PATH", log.path())
        };
        let check = |what: &str, dir: &Workdir, args: &[&str], succeeds: bool| {
            let (out, all) = traced(dir, log.path(), args);
            assert_eq!(
                out.success(),
                succeeds,
                "Terraform {} {what}:\n{}\n{}",
                tf.version,
                out.stdout,
                out.stderr
            );
            assert_no_secret(&format!("Terraform {} {what}", tf.version), &all);
            commands.fetch_add(1, Ordering::Relaxed);
            bytes.fetch_add(all.len(), Ordering::Relaxed);
        };
        let apply = ["apply", "-no-color", "-input=false", "-auto-approve"];
        let plan = ["plan", "-no-color", "-input=false"];
        let destroy = ["destroy", "-no-color", "-input=false", "-auto-approve"];

        // Key pair: plan, apply, destroy.
        let keyed = dir(&key_pair(&sim, PASSWORD), "", "nic-app-1", "ins-web-1");
        check("plan (key pair)", &keyed, &plan, true);
        check("apply (key pair)", &keyed, &apply, true);
        check("destroy (key pair)", &keyed, &destroy, true);
        // Token: apply and destroy.
        let tokened = dir(&token(TOKEN), "", "nic-app-2", "ins-web-1");
        check("apply (token)", &tokened, &apply, true);
        check("destroy (token)", &tokened, &destroy, true);
        // A failing apply: the instance is stopped (plan checks only warn).
        let failing = dir(
            &key_pair(&sim, PASSWORD),
            "plan_checks = \"warn\"",
            "nic-app-3",
            "ins-stopped-1",
        );
        check("failing apply", &failing, &apply, false);
        // Authentication failures, at plan (checks) and at apply (checks off).
        let wrong_pw = dir(
            &key_pair(&sim, WRONG_PASSWORD),
            "",
            "nic-app-4",
            "ins-web-1",
        );
        check("plan with a wrong password", &wrong_pw, &plan, false);
        let wrong_tok = dir(
            &token(WRONG_TOKEN),
            "plan_checks = \"off\"",
            "nic-app-4",
            "ins-web-1",
        );
        check("apply with a wrong token", &wrong_tok, &apply, false);
        // Every path really ran against the API: two attaches, one refusal, auth failures.
        let calls = sim.api().calls();
        let attach = calls.action("AttachNetworkInterface");
        assert_eq!(attach.succeeded, 2, "{calls:?}");
        assert!(attach.failed >= 1, "{calls:?}");
        let auth_failures: u64 = calls
            .actions
            .values()
            .filter_map(|a| a.codes.get("AUTHFAILURE_SIGNATURE_FAILURE"))
            .sum();
        assert!(auth_failures >= 2, "{calls:?}");
    });
    println!(
        "secrets figures: {commands} Terraform commands at TF_LOG=trace, {} KiB of output and \
         logs searched, no password, token, signature or bearer header found",
        bytes.into_inner() / 1024,
        commands = commands.into_inner(),
    );
}

#[test]
fn https_is_the_default_and_a_certificate_nobody_vouches_for_is_refused_at_once() {
    for_each_terraform(Versions::OldestAndNewest, |tf| {
        let mitm = SelfSignedApi::start();
        let dir = tf.workdir().config(&format!(
            "provider \"zenlayer\" {{\n  domain = \"{}\"\n  access_key_id = \"AKID\"\n  access_key_password = \"{PASSWORD}\"\n}}\n{}",
            mitm.domain(),
            // A long timeout: the refusal must not wait for it.
            resource("nic-app-1", "ins-web-1").replace(
                "}\n",
                "  timeouts {\n    create = \"2m\"\n  }\n}\n"
            )
        ));
        let plan = dir.plan();
        plan.assert_success()
            .assert_stdout_contains("Plan checks were skipped")
            .assert_stdout_contains("signed by an unknown issuer");
        let started = std::time::Instant::now();
        let apply = dir.apply();
        let took = started.elapsed();
        apply
            .assert_failure_contains("The Zenlayer API could not be reached")
            .assert_failure_contains("the TLS handshake with localhost failed")
            .assert_failure_contains("signed by an unknown issuer")
            .assert_failure_contains("custom_ca_bundle")
            .assert_not_contains("Timed out");
        assert!(
            mitm.connections() > 0,
            "Terraform {}: the provider never tried HTTPS",
            tf.version
        );
        assert_eq!(
            mitm.requests(),
            0,
            "Terraform {}: a request went through an unverified TLS connection",
            tf.version
        );
        println!(
            "tls figures (Terraform {}): {} handshakes refused, 0 requests sent; apply failed \
             after {took:.1?} (timeouts.create = 2m)",
            tf.version,
            mitm.connections()
        );
    });
}

#[test]
fn plain_http_is_refused_at_scheme_unless_the_domain_is_this_machine() {
    for_each_terraform(Versions::OldestAndNewest, |tf| {
        let sim = sim_with_secrets();
        let remote = tf.workdir().config(&format!(
            "provider \"zenlayer\" {{\n  domain = \"api.example.com\"\n  scheme = \"http\"\n  access_key_id = \"AKID\"\n  access_key_password = \"{PASSWORD}\"\n  plan_checks = \"off\"\n}}\n{}",
            resource("nic-app-1", "ins-web-1")
        ));
        // `terraform validate` already refuses it, pointing at the argument.
        for out in [remote.validate(), remote.plan()] {
            out.assert_failure_contains("Plain HTTP is allowed only to this machine")
                .assert_failure_contains("scheme = \"http\"")
                .assert_failure_contains("api.example.com")
                .assert_failure_contains("clear text")
                .assert_failure_contains("zenlayer-sim")
                .assert_not_contains(PASSWORD);
        }

        // The same from the environment variable: refused, naming the variable.
        let from_env = tf
            .workdir()
            .env("ZENLAYERCLOUD_SCHEME", "http")
            .config(&format!(
                "provider \"zenlayer\" {{\n  domain = \"api.example.com\"\n  access_token = \"{TOKEN}\"\n  plan_checks = \"off\"\n}}\n{}",
                resource("nic-app-1", "ins-web-1")
            ));
        from_env
            .plan()
            .assert_failure_contains("Plain HTTP is allowed only to this machine")
            .assert_failure_contains("ZENLAYERCLOUD_SCHEME")
            .assert_not_contains(TOKEN);

        let local = tf.workdir().config(
            &(provider(&sim, &key_pair(&sim, PASSWORD), "") + &resource("nic-app-5", "ins-web-2")),
        );
        let out = local.apply();
        out.assert_success().assert_not_contains("Plain HTTP");
        assert_eq!(
            sim.attached_instance("nic-app-5").as_deref(),
            Some("ins-web-2")
        );
        local.destroy().assert_success();
    });
}

/// The provider's socket directories (`zenlayer-*`) under `base`.
fn socket_dirs(base: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(base)
        .expect("read the temp dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("zenlayer-"))
        })
        .collect()
}

/// Waits (up to a minute) until the running command's provider has made its socket dir.
fn wait_for_socket_dir(run: &mut Running, base: &Path) -> std::path::PathBuf {
    let mut found = None;
    run.wait_until(Duration::from_secs(60), "the provider's socket dir", || {
        found = socket_dirs(base).into_iter().next();
        found.is_some()
    });
    found.expect("the wait ends once a socket dir is found")
}

#[test]
fn the_socket_dir_is_private_during_real_runs_and_gone_after_them_even_after_ctrl_c() {
    use std::os::unix::fs::PermissionsExt;
    // Native binary: this run is interrupted with Ctrl-C (see `newest_native_terraform`).
    let tf = support::newest_native_terraform();
    let sim = Sim::with_delay(Duration::from_secs(3));
    let tmp = tempfile::tempdir().expect("a private TMPDIR");
    let dir = tf
        .workdir()
        .config(
            &(provider(&sim, &key_pair(&sim, "sim-access-key-password"), "")
                + &resource("nic-app-6", "ins-web-1")),
        )
        .env("TMPDIR", tmp.path());

    let mut apply = dir.spawn(&["apply", "-no-color", "-input=false", "-auto-approve"]);
    let socket_dir = wait_for_socket_dir(&mut apply, tmp.path());
    let mode = std::fs::metadata(&socket_dir)
        .expect("the socket dir exists")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700, "socket dir mode {mode:o}");
    let (out, _) = apply.wait(Duration::from_secs(120));
    out.assert_success();
    assert_eq!(socket_dirs(tmp.path()), Vec::<std::path::PathBuf>::new());

    dir.plan().assert_success();
    dir.destroy().assert_success();
    assert_eq!(socket_dirs(tmp.path()), Vec::<std::path::PathBuf>::new());

    // Ctrl-C mid-attach: Terraform stops and shuts the provider down; nothing is left.
    let mut apply = dir.spawn(&["apply", "-no-color", "-input=false", "-auto-approve"]);
    wait_for_socket_dir(&mut apply, tmp.path());
    apply.wait_until(Duration::from_secs(60), "nic-app-6 attached", || {
        sim.attached_instance("nic-app-6").is_some()
    });
    apply.interrupt();
    let (out, _) = apply.wait(Duration::from_secs(60));
    assert!(!out.success());
    assert_eq!(socket_dirs(tmp.path()), Vec::<std::path::PathBuf>::new());
}
