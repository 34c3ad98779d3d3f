//! Company networks: API calls through an HTTP forward proxy (CONNECT), with or without proxy
//! credentials, and TLS re-signed by a private CA that `custom_ca_bundle` trusts. Every scenario
//! is real: a proxy process on loopback that alone can resolve `api.zenlayer.test`, a TLS
//! listener presenting a certificate from a CA made for the test, the simulator behind it, and
//! real Terraform (oldest and newest) in between.

mod support;

use std::path::Path;
use std::time::Duration;

use support::closed_port::ClosedPort;
use support::lifecycle::{assert_available, assert_used_by, attachment, errors, main_tf};
use support::private_ca::{PrivateCa, TlsFront, Validity};
use support::proxy::{Proxy, ProxyConfig, Seen, open_proxy};
use support::{Outcome, Sim, Terraform, Workdir, folded_output};
use support::{Versions, for_each_terraform};

/// The API's name inside the company: only the proxy resolves it.
const API_HOST: &str = "api.zenlayer.test";
const PROXY_USER: &str = "ci-runner";
const PROXY_PASSWORD: &str = "Pw-proxy-Qx71z";

/// The simulator behind a TLS front whose certificate `ca` issued for `names`.
struct Api {
    sim: Sim,
    front: TlsFront,
}

impl Api {
    fn start(ca: &PrivateCa, names: &[&str], validity: Validity) -> Api {
        let sim = Sim::with_delay(Duration::from_millis(50));
        let backend = sim
            .domain()
            .parse()
            .expect("the simulator listens on an address");
        let front = TlsFront::start(ca.server_config(names, validity), backend);
        Api { sim, front }
    }

    /// `provider "zenlayer"` for `host` (the front's port), over https, with `extra` settings.
    fn provider_block(&self, host: &str, extra: &str) -> String {
        let api = self.sim.api();
        format!(
            "provider \"zenlayer\" {{\n  domain              = \"{host}:{port}\"\n  \
             access_key_id       = \"{id}\"\n  access_key_password = \"{pw}\"\n  {extra}\n}}\n",
            port = self.front.port(),
            id = api.access_key_id(),
            pw = api.access_key_password(),
        )
    }
}

fn bundle_setting(path: &Path) -> String {
    format!("custom_ca_bundle = \"{}\"", path.display())
}

/// The CONNECTs the proxy saw, as `target status`.
fn connects(proxy: &Proxy) -> Vec<String> {
    proxy
        .seen()
        .into_iter()
        .map(
            |Seen {
                 method,
                 target,
                 status,
             }| format!("{method} {target} {status}"),
        )
        .collect()
}

#[track_caller]
fn assert_all_tunnelled(proxy: &Proxy, api: &Api, what: &str) {
    let seen = connects(proxy);
    let want = format!("CONNECT {API_HOST}:{} 200", api.front.port());
    assert!(
        !seen.is_empty() && seen.iter().all(|s| *s == want),
        "{what}: the proxy should have tunnelled every call to {API_HOST}, and saw {seen:?}"
    );
    proxy.clear();
}

#[test]
fn plan_apply_import_and_destroy_work_through_a_connect_proxy_and_a_private_ca() {
    for_each_terraform(Versions::OldestAndNewest, |tf: &Terraform| {
        let ca = PrivateCa::new("Example Corp TLS Inspection CA");
        let api = Api::start(&ca, &[API_HOST], Validity::Current);
        let proxy = open_proxy(&[API_HOST]);
        let dir = tf.workdir();
        // A bundle with two certificates, the company's CA second.
        let other = PrivateCa::new("Another Corp CA");
        let bundle = ca.write_bundle(dir.path(), "corp-ca.pem", &other.pem());
        let config = main_tf(
            &api.provider_block(API_HOST, &bundle_setting(&bundle)),
            &[attachment("app", "nic-app-1", "ins-web-1", "")],
        );
        let dir = dir.config(&config).env("HTTPS_PROXY", proxy.url(None));

        dir.plan()
            .assert_success()
            .assert_stdout_contains("Plan: 1 to add");
        assert_all_tunnelled(&proxy, &api, "plan");

        dir.apply().assert_success();
        assert_used_by(
            &api.sim,
            "nic-app-1",
            "ins-web-1",
            "after apply through the proxy",
        );
        assert_all_tunnelled(&proxy, &api, "apply");

        dir.run(&["state", "rm", "zenlayer_nic_attachment.app"])
            .assert_success();
        dir.import("zenlayer_nic_attachment.app", "nic-app-1:ins-web-1")
            .assert_success();
        assert_all_tunnelled(&proxy, &api, "import");
        dir.plan()
            .assert_success()
            .assert_stdout_contains("No changes");
        proxy.clear();

        dir.destroy().assert_success();
        assert_available(&api.sim, "nic-app-1", "after destroy through the proxy");
        assert_all_tunnelled(&proxy, &api, "destroy");
    });
}

#[test]
fn a_proxy_that_wants_credentials_works_with_them_and_without_them_names_itself_and_the_407() {
    for_each_terraform(Versions::OldestAndNewest, |tf: &Terraform| {
        let ca = PrivateCa::new("Example Corp CA");
        let api = Api::start(&ca, &[API_HOST], Validity::Current);
        let proxy = Proxy::start(ProxyConfig {
            hosts: vec![API_HOST.into()],
            credentials: Some(format!("{PROXY_USER}:{PROXY_PASSWORD}")),
        });
        let dir = tf.workdir();
        let bundle = ca.write_bundle(dir.path(), "ca.pem", "");
        let config = main_tf(
            &api.provider_block(API_HOST, &bundle_setting(&bundle)),
            &[attachment("app", "nic-app-2", "ins-web-1", "")],
        );
        let log = dir.path().join("trace.log");

        // Without credentials: the plan warns (checks skipped), the apply fails, both naming
        // the proxy and its 407.
        let anonymous = tf
            .workdir()
            .config(&config)
            .env("HTTPS_PROXY", proxy.url(None));
        let shown = format!("127.0.0.1:{}", proxy.port());
        let plan = anonymous.plan();
        plan.assert_success();
        let warned = folded_output(&plan);
        assert!(
            warned.contains("Plan checks were skipped for this run")
                && warned.contains(&format!(
                    "the proxy {shown} (from HTTPS_PROXY) answered 407"
                )),
            "{}: the plan should warn naming the proxy and its 407:\n{warned}",
            plan.command
        );
        let apply = anonymous.apply();
        let error = errors(&apply).join("\n");
        assert!(
            !apply.success()
                && error.contains("The Zenlayer API could not be reached")
                && error.contains(&format!("the proxy {shown} (from HTTPS_PROXY) answered 407 Proxy Authentication Required")),
            "{}: the apply error should name the proxy and the 407:\n{error}",
            apply.command
        );
        assert!(proxy.seen().iter().all(|s| s.status == 407));
        assert_available(&api.sim, "nic-app-2", "nothing passed the proxy");
        proxy.clear();

        // With credentials in the URL, at TF_LOG=trace: everything works, and neither the
        // password nor the Proxy-Authorization value reaches any output or the log.
        let dir = dir
            .config(&config)
            .env(
                "HTTPS_PROXY",
                proxy.url(Some(&format!("{PROXY_USER}:{PROXY_PASSWORD}"))),
            )
            .env("TF_LOG", "trace")
            .env("TF_LOG_PATH", &log);
        let apply = dir.apply();
        apply.assert_success();
        assert_used_by(
            &api.sim,
            "nic-app-2",
            "ins-web-1",
            "through the authenticating proxy",
        );
        assert_all_tunnelled(&proxy, &api, "apply with proxy credentials");
        let traced = std::fs::read_to_string(&log).expect("the trace log");
        assert!(
            traced.contains("zenlayer.api"),
            "the trace log holds no provider API lines"
        );
        let basic = base64_of(&format!("{PROXY_USER}:{PROXY_PASSWORD}"));
        for secret in [PROXY_PASSWORD, basic.as_str()] {
            for (what, text) in [
                ("stdout", &apply.stdout),
                ("stderr", &apply.stderr),
                ("trace log", &traced),
            ] {
                assert!(!text.contains(secret), "the {what} contains {secret:?}");
            }
        }
        dir.destroy().assert_success();
    });
}

fn base64_of(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}

#[test]
fn an_unreachable_proxy_gets_the_unreachable_api_warning_and_error_naming_the_proxy() {
    for_each_terraform(Versions::OldestAndNewest, |tf: &Terraform| {
        let ca = PrivateCa::new("Example Corp CA");
        let api = Api::start(&ca, &[API_HOST], Validity::Current);
        let dir = tf.workdir();
        let bundle = ca.write_bundle(dir.path(), "ca.pem", "");
        let config = main_tf(
            &api.provider_block(
                API_HOST,
                &format!("{}\n  max_retries = 1", bundle_setting(&bundle)),
            ),
            // A short wait: an apply keeps trying an unreachable API until `timeouts.create`.
            &[attachment(
                "app",
                "nic-app-3",
                "ins-web-1",
                "  timeouts {\n    create = \"3s\"\n  }\n",
            )],
        );
        let closed = ClosedPort::reserve();
        let port = closed.port();
        let dir = dir.config(&config).env(
            "https_proxy",
            format!("http://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:{port}"),
        );
        let shown = format!("the proxy 127.0.0.1:{port} (from https_proxy) could not be reached");

        let plan = dir.plan();
        plan.assert_success();
        let text = folded_output(&plan);
        assert!(
            text.contains("Plan checks were skipped for this run") && text.contains(&shown),
            "{}: expected the unreachable-API warning naming the proxy:\n{text}",
            plan.command
        );
        let apply = dir.apply();
        let error = errors(&apply).join("\n");
        assert!(
            !apply.success() && error.contains(&shown),
            "{}: expected the apply error to name the proxy:\n{error}",
            apply.command
        );
        for out in [&plan, &apply] {
            assert!(
                !folded_output(out).contains(PROXY_PASSWORD),
                "{}",
                out.command
            );
        }

        // NO_PROXY exempts the API: the name is then looked up directly, and only the proxy
        // knows it.
        let direct = dir.env("NO_PROXY", ".zenlayer.test");
        let apply = direct.apply();
        let error = errors(&apply).join("\n");
        assert!(
            !apply.success()
                && error.contains("the host name could not be resolved")
                && !error.contains("proxy 127.0.0.1"),
            "{}: with NO_PROXY the call should bypass the proxy:\n{error}",
            apply.command
        );
        assert_available(&api.sim, "nic-app-3", "nothing reached the API");
    });
}

/// Runs `apply` for one attachment against `api` at `host` and returns its errors.
fn apply_errors(dir: Workdir, api: &Api, host: &str, extra: &str) -> (Outcome, String) {
    let config = main_tf(
        &api.provider_block(host, extra),
        &[attachment("app", "nic-app-4", "ins-web-1", "")],
    );
    let dir = dir.config(&config);
    let out = dir.apply();
    let text = errors(&out).join("\n");
    (out, text)
}

#[test]
fn untrusted_certificates_are_refused_naming_the_host_the_reason_and_custom_ca_bundle() {
    for_each_terraform(Versions::OldestAndNewest, |tf: &Terraform| {
        let ca = PrivateCa::new("Example Corp CA");

        // Unknown issuer, directly and through the proxy.
        let api = Api::start(&ca, &["localhost", API_HOST], Validity::Current);
        let (out, error) = apply_errors(tf.workdir(), &api, "localhost", "");
        assert_tls_refused(
            &out,
            &error,
            "the TLS handshake with localhost failed",
            "unknown issuer",
        );
        let proxy = open_proxy(&[API_HOST]);
        let (out, error) = apply_errors(
            tf.workdir().env("HTTPS_PROXY", proxy.url(None)),
            &api,
            API_HOST,
            "",
        );
        let through_proxy = format!(
            "the TLS handshake with {API_HOST} (through the proxy 127.0.0.1:{}",
            proxy.port()
        );
        assert_tls_refused(&out, &error, &through_proxy, "unknown issuer");
        assert_eq!(api.front.handshakes(), 0, "no handshake may complete");

        // With the bundle from the environment variable, the same endpoint is trusted.
        let dir = tf.workdir();
        let bundle = ca.write_bundle(dir.path(), "ca.pem", "");
        let dir = dir.env("ZENLAYERCLOUD_CA_BUNDLE", &bundle);
        let (out, error) = apply_errors(dir, &api, "localhost", "");
        assert!(out.success(), "{}: {error}\n{}", out.command, out.stdout);
        assert_used_by(&api.sim, "nic-app-4", "ins-web-1", "with the bundle");
        drop(api);

        // The bundle is set, but the certificate names another host, or has expired.
        for (names, validity, reason) in [
            (
                ["gateway.zenlayer.test"],
                Validity::Current,
                "name mismatch",
            ),
            (["localhost"], Validity::Expired, "has expired"),
        ] {
            let api = Api::start(&ca, &names, validity);
            let dir = tf.workdir();
            let bundle = ca.write_bundle(dir.path(), "ca.pem", "");
            let (out, error) = apply_errors(dir, &api, "localhost", &bundle_setting(&bundle));
            assert_tls_refused(
                &out,
                &error,
                "the TLS handshake with localhost failed",
                reason,
            );
        }
    });
}

/// Asserts `out` failed with `error` naming the failed `handshake`, the `reason` and the fix
/// (`custom_ca_bundle`): what a user needs to act on an untrusted certificate.
#[track_caller]
fn assert_tls_refused(out: &Outcome, error: &str, handshake: &str, reason: &str) {
    assert!(
        !out.success()
            && error.contains(handshake)
            && error.contains(reason)
            && error.contains("custom_ca_bundle"),
        "{}: expected an error naming {handshake:?}, {reason:?} and the fix:\n{error}",
        out.command
    );
}

/// A configuration `terraform validate` checks the provider block of (it needs a resource).
fn validated(provider_body: &str) -> String {
    main_tf(
        &format!("provider \"zenlayer\" {{\n  {provider_body}\n}}\n"),
        &[attachment("app", "nic-app-1", "ins-web-1", "")],
    )
}

#[test]
fn unusable_ca_bundles_fail_validate_naming_the_argument_or_its_variable() {
    for_each_terraform(Versions::OldestAndNewest, |tf: &Terraform| {
        let dir = tf.workdir();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "no certificates here\n").expect("write");
        let cases = [
            (
                dir.path().join("missing.pem").display().to_string(),
                "the file does not exist",
            ),
            (empty.display().to_string(), "it holds no certificate"),
            (dir.path().display().to_string(), "directory"),
        ];
        for (path, reason) in cases {
            let out = tf
                .workdir()
                .config(&validated(&format!("custom_ca_bundle = \"{path}\"")))
                .validate();
            let error = errors(&out).join("\n");
            assert!(
                !out.success()
                    && error.contains("Invalid CA bundle")
                    && error.contains("The provider argument `custom_ca_bundle`")
                    && error.contains(reason),
                "{}: {path}: expected an error naming custom_ca_bundle and {reason:?}:\n{error}",
                out.command
            );
        }
        let out = tf
            .workdir()
            .config(&validated(""))
            .env("ZENLAYERCLOUD_CA_BUNDLE", dir.path().join("gone.pem"))
            .plan();
        let error = errors(&out).join("\n");
        assert!(
            !out.success()
                && error.contains("Invalid CA bundle in ZENLAYERCLOUD_CA_BUNDLE")
                && error.contains("the file does not exist"),
            "{}: expected the variable to be named (at configure):\n{error}",
            out.command
        );
        let ca = PrivateCa::new("Example Corp CA");
        let good = ca.write_bundle(dir.path(), "good.pem", "");
        tf.workdir()
            .config(&validated(&bundle_setting(&good)))
            .validate()
            .assert_success();
    });
}
