//! Several provider configurations in one root module, as teams run them (one alias per
//! account or region): an authentication error says which configuration failed, by its access
//! key ID and domain (never its secret), and a configuration that sets both a token and a key
//! pair says once which one it uses.
//!
//! Versions: the oldest and the newest under test.

mod support;

use support::lifecycle::{assert_used_by, on_each};
use support::{Sim, oldest_and_newest};

fn two_aliases(sim: &Sim, eu_key_id: &str, eu_password: &str) -> String {
    format!(
        r#"{default}
provider "zenlayer" {{
  alias               = "eu"
  domain              = "{domain}"
  scheme              = "http"
  access_key_id       = "{eu_key_id}"
  access_key_password = "{eu_password}"
  plan_checks         = "off"
}}

resource "zenlayer_nic_attachment" "asia" {{
  nic_id      = "nic-app-1"
  instance_id = "ins-web-1"
}}

resource "zenlayer_nic_attachment" "eu" {{
  provider    = zenlayer.eu
  nic_id      = "nic-app-2"
  instance_id = "ins-web-1"
}}
"#,
        default = sim.provider_block(),
        domain = sim.domain(),
    )
}

#[test]
fn a_refused_alias_is_named_by_its_access_key_id_and_domain_and_its_secret_stays_out() {
    on_each(oldest_and_newest(), |tf| {
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
    on_each(oldest_and_newest(), |tf| {
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
        let out = dir.plan();
        out.assert_success();
        let all = format!("{}{}", out.stdout, out.stderr);
        assert_eq!(
            all.matches("the token is used").count(),
            1,
            "Terraform {}: one warning:\n{all}",
            tf.version
        );
        assert!(
            !all.contains(&token),
            "Terraform {}: the token never shows",
            tf.version
        );
    });
}
