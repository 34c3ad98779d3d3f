//! Real Terraform CLIs (every version under test) load the provider through dev_overrides and
//! speak tfplugin5 to it: validate, plan and the schema dump work on a minimal config.

mod support;

use support::{Versions, for_each_terraform, provider_block};

/// A provider block (plan checks off, an API address nothing listens on) and one attachment.
/// With no prior state and plan checks off, neither validate nor plan needs the API.
fn config() -> String {
    format!(
        r#"{provider}
resource "zenlayer_nic_attachment" "a" {{
  nic_id      = "nic-1"
  instance_id = "ins-1"
}}
"#,
        provider = provider_block("127.0.0.1:1", "http")
    )
}

#[test]
fn validate_accepts_the_provider_block_and_an_attachment() {
    for_each_terraform(Versions::All, |tf| {
        let dir = tf.workdir().config(&config());
        dir.validate()
            .assert_success()
            .assert_stdout_contains("Success! The configuration is valid");
    });
}

#[test]
fn plan_shows_the_attachment_to_be_created_without_calling_the_api() {
    for_each_terraform(Versions::All, |tf| {
        let dir = tf.workdir().config(&config());
        dir.plan()
            .assert_success()
            .assert_stdout_contains("zenlayer_nic_attachment.a will be created")
            .assert_stdout_contains("Plan: 1 to add, 0 to change, 0 to destroy");
    });
}

#[test]
fn providers_schema_json_lists_the_provider_block_and_the_attachment() {
    for_each_terraform(Versions::All, |tf| {
        let dir = tf.workdir().config(&config());
        let schema = dir.providers_schema_json();
        let ours = &schema["provider_schemas"]["registry.terraform.io/zenlayer/zenlayer"];
        let provider_attrs = &ours["provider"]["block"]["attributes"];
        for name in [
            "domain",
            "scheme",
            "access_key_id",
            "access_key_password",
            "plan_checks",
        ] {
            assert!(
                provider_attrs[name].is_object(),
                "v{}: provider has no {name}: {ours}",
                tf.version
            );
        }
        assert_eq!(
            provider_attrs["access_key_password"]["sensitive"], true,
            "v{}",
            tf.version
        );
        let attachment =
            &ours["resource_schemas"]["zenlayer_nic_attachment"]["block"]["attributes"];
        for name in ["nic_id", "instance_id"] {
            assert!(
                attachment[name].is_object(),
                "v{}: attachment has no {name}: {ours}",
                tf.version
            );
        }
    });
}

#[test]
fn terraform_shuts_the_provider_down_gracefully_and_relays_its_logs() {
    for_each_terraform(Versions::All, |tf| {
        let dir = tf.workdir().config(&config()).env("TF_LOG", "TRACE");
        let outcome = dir.validate();
        // Terraform's trace log on stderr: our hclog line, re-logged under the binary's name,
        // proves the mutual-TLS handshake and the Shutdown call; no SIGKILL after 2 s.
        assert!(
            outcome.stderr.contains(
                "provider.terraform-provider-zenlayer: Terraform asked the provider to shut down"
            ),
            "v{}: no Shutdown log line relayed:\n{}",
            tf.version,
            outcome.stderr
        );
        outcome
            .assert_not_contains("plugin failed to exit gracefully")
            .assert_not_contains("unexpected data")
            .assert_not_contains("Plugin did not respond")
            .assert_not_contains("TLS handshake failed");
    });
}
