//! Everything a user can get wrong in a configuration, an import ID or their credentials,
//! through real Terraform: each mistake is one error that names the argument at fault and
//! says how to fix it; none crashes the provider.
//!
//! Prints how many inputs were tried: `cargo test --test bad_input -- --nocapture`.

mod support;

use support::{Outcome, Sim, Terraform, Versions, Workdir, for_each_terraform, provider_block};

/// Crash signs, and a gRPC error Terraform would print raw: every answer must be a diagnostic.
#[track_caller]
fn assert_no_crash(outcome: &Outcome) {
    outcome
        .assert_no_crash()
        .assert_says_none_of(&["rpc error"]);
}

/// One mistake in a resource or provider block, and what the user must be told.
struct Mistake {
    /// The resource (and, for provider settings, the provider alias) name.
    name: &'static str,
    /// The block's arguments.
    body: String,
    /// Texts the diagnostic must contain (whitespace compared loosely).
    says: Vec<String>,
    /// The argument the diagnostic points at (`timeouts.create` for the nested block).
    argument: &'static str,
}

fn resource_mistakes() -> Vec<Mistake> {
    let long = format!("nic-{}", "0".repeat(200));
    let ids = |name, nic: &str, instance: &str, says: &[&str], argument| Mistake {
        name,
        body: format!("nic_id = \"{nic}\"\n  instance_id = \"{instance}\"\n"),
        says: says.iter().map(|s| (*s).to_owned()).collect(),
        argument,
    };
    let timeout = |name, value: &str, says: &[&str]| Mistake {
        name,
        body: format!(
            "nic_id = \"nic-app-1\"\n  instance_id = \"ins-web-1\"\n  timeouts {{\n    create = \"{value}\"\n  }}\n"
        ),
        says: says.iter().map(|s| (*s).to_owned()).collect(),
        argument: "timeouts.create",
    };
    vec![
        ids(
            "empty_nic",
            "",
            "ins-web-1",
            &["Invalid NIC ID", "is empty"],
            "nic_id",
        ),
        ids(
            "blank_instance",
            "nic-app-1",
            "   ",
            &["Invalid instance ID", "contains whitespace"],
            "instance_id",
        ),
        ids(
            "spaced_nic",
            "nic app 1",
            "ins-web-1",
            &["Invalid NIC ID", "contains whitespace", "without spaces"],
            "nic_id",
        ),
        ids(
            "trailing_newline_nic",
            "nic-app-1\\n",
            "ins-web-1",
            &["Invalid NIC ID", "control character"],
            "nic_id",
        ),
        ids(
            "control_char_instance",
            "nic-app-1",
            "ins-\\u0007web",
            &["Invalid instance ID", "control character"],
            "instance_id",
        ),
        ids(
            "long_nic",
            &long,
            "ins-web-1",
            &["Invalid NIC ID", "204 characters long", "at most 128"],
            "nic_id",
        ),
        ids(
            "separator_in_instance",
            "nic-app-1",
            "ins-web-1:x",
            &["Invalid instance ID", "contains `:`"],
            "instance_id",
        ),
        timeout(
            "unitless_timeout",
            "10",
            &[
                "Invalid create timeout",
                "`timeouts.create` is \"10\"",
                "`10m`",
            ],
        ),
        timeout(
            "negative_timeout",
            "-1m",
            &["Invalid create timeout", "`timeouts.create` is \"-1m\""],
        ),
        timeout(
            "word_timeout",
            "ten minutes",
            &["Invalid create timeout", "not a valid duration"],
        ),
    ]
}

fn provider_mistakes() -> Vec<Mistake> {
    let setting = |name, argument, value: &str, says: &[&str]| Mistake {
        name,
        body: format!("{argument} = {value}\n"),
        says: says.iter().map(|s| (*s).to_owned()).collect(),
        argument,
    };
    vec![
        setting(
            "unknown_scheme",
            "scheme",
            "\"ftp\"",
            &["Invalid Zenlayer API scheme", "only `https` and `http`"],
        ),
        setting(
            "domain_with_scheme",
            "domain",
            "\"https://console.zenlayer.com\"",
            &[
                "Invalid Zenlayer API domain",
                "the scheme belongs in `scheme`",
            ],
        ),
        setting(
            "domain_with_path",
            "domain",
            "\"console.zenlayer.com/api/v2\"",
            &["Invalid Zenlayer API domain", "contains a path"],
        ),
        setting(
            "domain_with_bad_port",
            "domain",
            "\"127.0.0.1:99999\"",
            &[
                "Invalid Zenlayer API domain",
                "not a number from 1 to 65535",
            ],
        ),
        setting(
            "maybe_plan_checks",
            "plan_checks",
            "\"maybe\"",
            &["Invalid plan checks mode", "`error`, `warn` or `off`"],
        ),
        setting(
            "zero_client_timeout",
            "client_timeout",
            "0",
            &["Invalid client timeout", "positive"],
        ),
        setting(
            "token_with_line_break",
            "access_token",
            "\"tok\\nen\"",
            &["Invalid access token", "whitespace", "`trimspace()`"],
        ),
        setting(
            "key_id_with_control_char",
            "access_key_id",
            "\"AKID\\u0001\"",
            &["Invalid access key ID", "HTTP header cannot carry"],
        ),
        setting(
            "empty_password",
            "access_key_password",
            "\"\"",
            &["Invalid access key password", "it is empty"],
        ),
        setting(
            "negative_retries",
            "max_retries",
            "-1",
            &["Invalid retry count", "cannot be negative"],
        ),
    ]
}

/// `Error:` blocks of Terraform's (colourless) output.
fn error_blocks(text: &str) -> Vec<String> {
    let mut blocks: Vec<String> = Vec::new();
    for line in text.lines() {
        if line.starts_with("Error: ") {
            blocks.push(String::new());
        } else if line.starts_with("Warning: ") {
            blocks.push("(warning)".into());
        }
        if let Some(b) = blocks.last_mut() {
            b.push_str(line);
            b.push('\n');
        }
    }
    blocks.retain(|b| !b.starts_with("(warning)"));
    blocks
}

fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Checks that `block` is `m`'s one diagnostic: it says what `m` says and names the argument.
#[track_caller]
fn assert_explains(tf: &Terraform, block: &str, m: &Mistake) {
    let flat = words(block);
    for text in &m.says {
        assert!(
            flat.contains(&words(text)),
            "Terraform {}: the error for {} does not say {text:?}:\n{block}",
            tf.version,
            m.name
        );
    }
    let leaf = m.argument.rsplit('.').next().unwrap_or(m.argument);
    assert!(
        flat.contains(&format!("`{}`", m.argument)) || flat.contains(&format!("{leaf} =")),
        "Terraform {}: the error for {} does not name `{}`:\n{block}",
        tf.version,
        m.name,
        m.argument
    );
}

#[test]
fn every_configuration_mistake_is_one_error_naming_the_argument_at_validate() {
    let resources = resource_mistakes();
    let providers = provider_mistakes();
    for_each_terraform(Versions::OldestAndNewest, |tf| {
        let mut hcl = provider_block("127.0.0.1:1", "http");
        for m in &resources {
            hcl.push_str(&format!(
                "\nresource \"zenlayer_nic_attachment\" \"{}\" {{\n  {}}}\n",
                m.name, m.body
            ));
        }
        for m in &providers {
            hcl.push_str(&format!(
                "\nprovider \"zenlayer\" {{\n  alias = \"{name}\"\n  {body}}}\n\nresource \"zenlayer_nic_attachment\" \"{name}\" {{\n  provider    = zenlayer.{name}\n  nic_id      = \"nic-app-1\"\n  instance_id = \"ins-web-1\"\n}}\n",
                name = m.name,
                body = m.body
            ));
        }
        let dir = tf.workdir().config(&hcl);
        let out = dir.validate();
        assert_no_crash(&out);
        assert!(
            !out.success(),
            "validate accepted every mistake:\n{}",
            out.stdout
        );
        let blocks = error_blocks(&out.stderr);
        // A resource's error names the resource; a provider setting's names the alias.
        let resource_errors = resources
            .iter()
            .map(|m| (m, format!("with zenlayer_nic_attachment.{},", m.name)));
        let provider_errors = providers.iter().map(|m| (m, format!("].{},", m.name)));
        for (m, names_it) in resource_errors.chain(provider_errors) {
            let mine: Vec<_> = blocks.iter().filter(|b| b.contains(&names_it)).collect();
            assert_eq!(
                mine.len(),
                1,
                "Terraform {}: {} should give exactly one error:\n{}",
                tf.version,
                m.name,
                out.stderr
            );
            assert_explains(tf, mine[0], m);
        }
        assert_eq!(
            blocks.len(),
            resources.len() + providers.len(),
            "Terraform {}: one error per mistake, no more:\n{}",
            tf.version,
            out.stderr
        );
    });
    println!(
        "bad input figures: {} configuration mistakes, each one error at its argument, on {} \
         Terraform versions",
        resources.len() + providers.len(),
        Versions::OldestAndNewest.select().len()
    );
}

fn attachment_config(provider: &str) -> String {
    format!(
        "{provider}\nresource \"zenlayer_nic_attachment\" \"web\" {{\n  nic_id      = \"nic-app-1\"\n  instance_id = \"ins-web-1\"\n}}\n"
    )
}

/// A working directory whose commands see no `ZENLAYERCLOUD_*` credentials from the shell
/// (an empty variable counts as unset).
fn without_env_credentials(tf: &Terraform, hcl: &str) -> Workdir {
    tf.workdir()
        .config(hcl)
        .env("ZENLAYERCLOUD_ACCESS_KEY_ID", "")
        .env("ZENLAYERCLOUD_ACCESS_KEY_PASSWORD", "")
        .env("ZENLAYERCLOUD_ACCESS_TOKEN", "")
}

#[test]
fn malformed_import_ids_are_refused_with_the_formats_that_work() {
    let cases: [(&str, &[&str]); 6] = [
        ("a:b:c", &["3 `:`-separated parts"]),
        (":ins-web-1", &["the NIC ID part is empty"]),
        ("nic-app-1:", &["the instance ID part is empty"]),
        ("nic app 1", &["contains whitespace"]),
        ("nic-app-1:ins\u{7}web", &["control character"]),
        (" ", &["it is empty"]),
    ];
    let long = "n".repeat(5000);
    for_each_terraform(Versions::OldestAndNewest, |tf| {
        let sim = Sim::start();
        let dir = without_env_credentials(
            tf,
            &attachment_config(&sim.provider_block_with("plan_checks = \"off\"")),
        );
        sim.api().reset_calls();
        for (id, says) in cases {
            let out = dir.import("zenlayer_nic_attachment.web", id);
            assert_no_crash(&out);
            out.assert_failure_contains("Invalid import ID");
            out.assert_failure_contains("`<nic_id>:<instance_id>`");
            for text in says {
                out.assert_failure_contains(text);
            }
        }
        let out = dir.import("zenlayer_nic_attachment.web", &long);
        assert_no_crash(&out);
        out.assert_failure_contains("5000 characters long");
        assert!(
            out.stderr.len() < 2000,
            "the message repeats a 5000-character ID back ({} bytes):\n{}",
            out.stderr.len(),
            &out.stderr[..out.stderr.len().min(3000)]
        );
        assert_eq!(
            sim.api().calls().total_received(),
            0,
            "a malformed ID costs no API call"
        );
    });
    println!(
        "bad input figures: {} malformed import IDs refused before any API call",
        cases.len() + 1
    );
}

/// `terraform plan` of one attachment under `provider`, with no credentials from the shell;
/// whatever it says, the provider must not crash.
fn plan_without_env_credentials(tf: &Terraform, provider: &str) -> Outcome {
    let out = without_env_credentials(tf, &attachment_config(provider)).plan();
    assert_no_crash(&out);
    out
}

#[test]
fn missing_credentials_name_both_ways_to_set_them() {
    for_each_terraform(Versions::OldestAndNewest, |tf| {
        let out = plan_without_env_credentials(
            tf,
            "provider \"zenlayer\" {\n  domain = \"127.0.0.1:1\"\n  scheme = \"http\"\n}\n",
        );
        out.assert_failure_contains("No Zenlayer credentials are configured");
        for way in [
            "`access_token` (or the ZENLAYERCLOUD_ACCESS_TOKEN environment variable)",
            "`access_key_id` and `access_key_password` (or ZENLAYERCLOUD_ACCESS_KEY_ID and \
             ZENLAYERCLOUD_ACCESS_KEY_PASSWORD)",
        ] {
            out.assert_failure_contains(way);
        }
    });
}

#[test]
fn half_a_key_pair_names_the_missing_half() {
    for_each_terraform(Versions::OldestAndNewest, |tf| {
        plan_without_env_credentials(
            tf,
            "provider \"zenlayer\" {\n  access_key_id = \"AKID\"\n  domain = \"127.0.0.1:1\"\n  scheme = \"http\"\n}\n",
        )
        .assert_failure_contains("Incomplete Zenlayer access key pair")
        .assert_failure_contains("ZENLAYERCLOUD_ACCESS_KEY_PASSWORD");
    });
}

#[test]
fn wrong_credentials_get_the_apis_code_rephrased() {
    for_each_terraform(Versions::OldestAndNewest, |tf| {
        let sim = Sim::start();
        let wrong_password = format!(
            "provider \"zenlayer\" {{\n  domain = \"{}\"\n  scheme = \"http\"\n  access_key_id = \"{}\"\n  access_key_password = \"not-the-password\"\n}}\n",
            sim.domain(),
            sim.api().access_key_id()
        );
        let wrong_token = format!(
            "provider \"zenlayer\" {{\n  domain = \"{}\"\n  scheme = \"http\"\n  access_token = \"not-the-token\"\n}}\n",
            sim.domain()
        );
        plan_without_env_credentials(tf, &wrong_password)
            .assert_failure_contains("The API rejected the credentials")
            .assert_failure_contains("AUTHFAILURE_SIGNATURE_FAILURE")
            .assert_failure_contains("access_key_password")
            .assert_not_contains("not-the-password");

        plan_without_env_credentials(tf, &wrong_token)
            .assert_failure_contains("The API rejected the credentials")
            .assert_failure_contains("the access token is wrong, expired or revoked")
            .assert_failure_contains("AUTHFAILURE_SIGNATURE_FAILURE")
            .assert_failure_contains("access_token")
            .assert_not_contains("not-the-token");
    });
}
