//! Several provider configurations in one root module, as teams run them (one alias per
//! account or region): an authentication error says which configuration failed, by its access
//! key ID and domain (never its secret), and a configuration that sets both a token and a key
//! pair says once which one it uses.
//!
//! Versions: the oldest and the newest under test.

mod support;

use support::lifecycle::{assert_calls, assert_used_by};
use support::{Sim, Versions, Workdir, for_each_terraform};

/// The default configuration and an `eu` alias (its block also holding `eu_settings`), each
/// with an attachment to ins-web-1: nic-app-1 by default, `eu_nic` through the alias, whose
/// resource block also holds `eu_extra`.
fn two_aliases_with(sim: &Sim, eu_settings: &str, eu_nic: &str, eu_extra: &str) -> String {
    format!(
        r#"{default}
provider "zenlayer" {{
  alias               = "eu"
  domain              = "{domain}"
  scheme              = "http"
{eu_settings}}}

resource "zenlayer_nic_attachment" "asia" {{
  nic_id      = "nic-app-1"
  instance_id = "ins-web-1"
}}

resource "zenlayer_nic_attachment" "eu" {{
  provider    = zenlayer.eu
  nic_id      = "{eu_nic}"
  instance_id = "ins-web-1"
{eu_extra}}}
"#,
        default = sim.provider_block(),
        domain = sim.domain(),
    )
}

fn two_aliases(sim: &Sim, eu_key_id: &str, eu_password: &str) -> String {
    let settings = format!(
        "  access_key_id       = \"{eu_key_id}\"\n  access_key_password = \"{eu_password}\"\n  \
         plan_checks         = \"off\"\n"
    );
    two_aliases_with(sim, &settings, "nic-app-2", "")
}

/// Runs `terraform plan`, which must succeed and say `words` exactly once (`why`); returns
/// everything it printed.
#[track_caller]
fn plan_saying_once(dir: &Workdir, words: &str, why: &str) -> String {
    let out = dir.plan();
    out.assert_success();
    let all = format!("{}{}", out.stdout, out.stderr);
    assert_eq!(
        all.matches(words).count(),
        1,
        "{}: {why}:\n{all}",
        out.command
    );
    all
}

#[test]
fn a_refused_alias_is_named_by_its_access_key_id_and_domain_and_its_secret_stays_out() {
    for_each_terraform(Versions::OldestAndNewest, |tf| {
        let sim = Sim::quick();
        let id = sim.api().access_key_id().to_owned();
        let dir = tf
            .workdir()
            .config(&two_aliases(&sim, &id, "a-stale-password-4711"));
        let out = dir.apply();
        out.assert_failure_contains("The API rejected the credentials");
        let all = format!("{}{}", out.stdout, out.stderr);
        let flat = all.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains(&format!(
                "the access key ID \"{id}\" to the API at \"{}\"",
                sim.domain()
            )),
            "Terraform {}: the error names the key ID and the domain:\n{all}",
            tf.version
        );
        assert!(
            !all.contains("a-stale-password-4711"),
            "Terraform {}: the secret never shows",
            tf.version
        );
        // The default configuration's attachment is made; only the refused alias's is not.
        assert_used_by(&sim, "nic-app-1", "ins-web-1", &tf.version);
        assert_eq!(sim.attached_instance("nic-app-2"), None);
    });
}

#[test]
fn a_token_beside_a_key_pair_gets_one_warning_that_the_token_is_used() {
    for_each_terraform(Versions::OldestAndNewest, |tf| {
        let sim = Sim::quick();
        let token = sim
            .api()
            .access_token()
            .unwrap_or("sim-access-token")
            .to_owned();
        let config = format!(
            "{}\nresource \"zenlayer_nic_attachment\" \"web\" {{\n  nic_id      = \"nic-app-1\"\n  instance_id = \"ins-web-1\"\n}}\n",
            sim.provider_block_with(&format!("access_token = \"{token}\""))
        );
        let dir = tf.workdir().config(&config);
        let all = plan_saying_once(&dir, "the token is used", "one warning");
        assert!(
            !all.contains(&token),
            "Terraform {}: the token never shows",
            tf.version
        );
    });
}

/// A provider configuration that is known only after apply: its `domain` comes from an
/// attribute (`primary_ipv4`) of an attachment made through another alias in the same run.
fn config_known_after_apply(sim: &Sim, second_nic: &str) -> String {
    let block = sim.provider_block();
    let seed = block.replacen(
        "provider \"zenlayer\" {",
        "provider \"zenlayer\" {\n  alias = \"seed\"",
        1,
    );
    let late = block.replacen(
        &format!("\"{}\"", sim.domain()),
        &format!(
            "\"{}${{substr(zenlayer_nic_attachment.seed.primary_ipv4, 0, 0)}}\"",
            sim.domain()
        ),
        1,
    );
    format!(
        r#"{seed}
{late}
resource "zenlayer_nic_attachment" "seed" {{
  provider    = zenlayer.seed
  nic_id      = "nic-app-3"
  instance_id = "ins-web-2"
}}

resource "zenlayer_nic_attachment" "one" {{
  nic_id      = "nic-app-1"
  instance_id = "ins-web-1"
}}

resource "zenlayer_nic_attachment" "two" {{
  nic_id      = "{second_nic}"
  instance_id = "ins-web-1"
}}
"#
    )
}

#[test]
fn a_provider_configuration_unknown_at_plan_says_once_that_checks_wait_for_apply() {
    for_each_terraform(Versions::OldestAndNewest, |tf| {
        let sim = Sim::quick();
        let dir = tf
            .workdir()
            .config(&config_known_after_apply(&sim, "nic-gone-9"));
        plan_saying_once(
            &dir,
            "Plan checks cannot run",
            "one warning for the whole run",
        );
        // The apply checks each NIC before it attaches: the missing one is refused with the
        // plan check's own words and nothing is sent for it; the others are attached.
        let out = dir.apply();
        out.assert_failure_contains("nic-gone-9");
        let calls = sim.api().calls();
        assert_eq!(
            calls.action("AttachNetworkInterface").received,
            2,
            "Terraform {}: seed and one are attached, the missing NIC gets no attach",
            tf.version
        );
        assert_used_by(&sim, "nic-app-1", "ins-web-1", &tf.version);
    });
}

/// Two configurations of the provider, each with an attachment, the second planned after the
/// first; the second's NIC is `eu_nic`.
fn second_planned_after_first(sim: &Sim, eu_nic: &str, lifecycle: &str) -> String {
    let api = sim.api();
    let settings = format!(
        "  access_key_id       = \"{}\"\n  access_key_password = \"{}\"\n",
        api.access_key_id(),
        api.access_key_password()
    );
    let extra = format!("  depends_on  = [zenlayer_nic_attachment.asia]\n{lifecycle}");
    two_aliases_with(sim, &settings, eu_nic, &extra)
}

/// Each configuration runs in a provider process of its own, side by side in the same walk:
/// none of them mistakes the other for an earlier walk, so `terraform apply` stops at its plan
/// on any configuration's error, before anything is attached; and in the apply walk each
/// knows it is the apply's.
#[test]
fn with_two_aliases_apply_stops_at_the_plan_on_either_ones_error_and_attaches_nothing() {
    for_each_terraform(Versions::OldestAndNewest, |tf| {
        let sim = Sim::quick();
        let dir = tf
            .workdir()
            .config(&second_planned_after_first(&sim, "nic-missing-1", ""));
        sim.api().reset_calls();
        let out = dir.apply();
        out.assert_failure_contains("nic-missing-1");
        assert!(
            !out.stdout.contains("Creating..."),
            "Terraform {}: the apply went past its plan:\n{}",
            tf.version,
            out.stdout
        );
        assert_calls(
            &sim,
            (0, 0),
            10,
            &format!("Terraform {}: nothing attached", tf.version),
        );

        // And each of the apply walk's processes knows it is one: with the NIC fixed and
        // `create_before_destroy`, a `-replace` of both attachments takes them over.
        let cbd = "  lifecycle {\n    create_before_destroy = true\n  }\n";
        let fixed = second_planned_after_first(&sim, "nic-app-2", cbd).replacen(
            "  instance_id = \"ins-web-1\"\n",
            &format!("  instance_id = \"ins-web-1\"\n{cbd}"),
            1,
        );
        let dir = dir.config(&fixed);
        dir.apply().assert_success();
        sim.api().reset_calls();
        dir.apply_with(&[
            "-replace=zenlayer_nic_attachment.asia",
            "-replace=zenlayer_nic_attachment.eu",
        ])
        .assert_success()
        .assert_stdout_contains("2 added, 0 changed, 2 destroyed");
        assert_calls(
            &sim,
            (0, 0),
            20,
            &format!("Terraform {}: both taken over", tf.version),
        );
        assert_used_by(&sim, "nic-app-2", "ins-web-1", &tf.version);
    });
}
