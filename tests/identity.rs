//! Resource identity (Terraform 1.12 and later): every create, refresh and import stores the
//! attachment's identity (`nic_id`, `instance_id`); `import { identity = {...} }` adopts an
//! attachment with both IDs or with the NIC alone; a bad identity gets one error naming its
//! attribute; state written before identities existed gets one on its first refresh, with no
//! diff; and an identity never changes during the attachment's life.

mod support;

use serde_json::{Value, json};
use support::lifecycle::{
    StateReading, applied, assert_no_changes, assert_no_writes, web_config, writes,
};
use support::{Feature, Sim, Workdir, terraforms};
use support::{Versions, for_each_terraform};

const WEB: &str = "zenlayer_nic_attachment.web";

/// The identity `terraform show -json` reports for the attachment (null when it has none).
fn identity(dir: &Workdir) -> Value {
    dir.resource_json(WEB).expect("state holds the attachment")["identity"].clone()
}

/// The identity of the attachment of nic-app-1 to ins-web-1, as a create stores it.
fn web_identity() -> Value {
    json!({"nic_id": "nic-app-1", "instance_id": "ins-web-1"})
}

fn values(dir: &Workdir) -> Value {
    dir.resource_json(WEB).expect("state holds the attachment")["values"].clone()
}

fn import_config(sim: &Sim, identity: &str) -> String {
    format!(
        "{}\nimport {{\n  to       = {WEB}\n  identity = {identity}\n}}\n",
        web_config(sim, "nic-app-1", "ins-web-1", "")
    )
}

#[test]
fn providers_schema_json_shows_the_identity_with_nic_id_required_for_import() {
    for_each_terraform(Versions::Supporting(Feature::ResourceIdentity), |tf| {
        let dir = tf
            .workdir()
            .config(&support::provider_block("127.0.0.1:1", "http"));
        let schema = dir.providers_schema_json();
        let ours = &schema["provider_schemas"]["registry.terraform.io/zenlayer/zenlayer"];
        let identity = &ours["resource_identity_schemas"]["zenlayer_nic_attachment"];
        assert_eq!(identity["version"], 0, "v{}: {ours}", tf.version);
        let attributes = &identity["attributes"];
        assert_eq!(
            attributes["nic_id"]["required_for_import"], true,
            "v{}",
            tf.version
        );
        assert_eq!(
            attributes["instance_id"]["optional_for_import"], true,
            "v{}",
            tf.version
        );
    });
}

#[test]
fn create_stores_the_identity_and_the_next_plan_is_empty() {
    for_each_terraform(Versions::Supporting(Feature::ResourceIdentity), |tf| {
        let sim = Sim::quick();
        let dir = applied(tf, &web_config(&sim, "nic-app-1", "ins-web-1", ""));
        assert_eq!(identity(&dir), web_identity(), "v{}", tf.version);
        assert_no_changes(&dir);
    });
}

#[test]
fn import_by_identity_with_both_ids_or_the_nic_alone_writes_what_a_create_writes() {
    for_each_terraform(Versions::Supporting(Feature::ResourceIdentity), |tf| {
        let sim = Sim::quick();
        let created = applied(tf, &web_config(&sim, "nic-app-1", "ins-web-1", ""));
        let want = (values(&created), identity(&created));

        for given in [
            "{\n    nic_id      = \"nic-app-1\"\n    instance_id = \"ins-web-1\"\n  }",
            "{\n    nic_id = \"nic-app-1\"\n  }",
        ] {
            let sim = Sim::quick();
            sim.attach_by_hand("nic-app-1", "ins-web-1");
            let dir = tf.workdir().config(&import_config(&sim, given));
            sim.api().reset_calls();
            dir.apply().assert_success().assert_stdout_contains(
                "Apply complete! Resources: 1 imported, 0 added, 0 changed, 0 destroyed.",
            );
            assert_no_writes(&sim, &format!("v{}: importing", tf.version));
            assert_eq!(
                (values(&dir), identity(&dir)),
                want,
                "v{}: state after importing identity {given} equals state after a create",
                tf.version
            );
            assert_no_changes(&dir);
        }
    });
}

#[test]
fn a_bad_identity_gets_one_error_naming_the_attribute() {
    for_each_terraform(Versions::Supporting(Feature::ResourceIdentity), |tf| {
        let sim = Sim::quick();
        sim.attach_by_hand("nic-app-1", "ins-web-1");
        let cases = [
            // Terraform itself refuses an identity without its required attribute.
            (
                "{\n    instance_id = \"ins-web-1\"\n  }",
                "nic_id",
                "is required",
            ),
            (
                "{\n    nic_id = \"nic app 1\"\n  }",
                "nic_id",
                "contains whitespace",
            ),
            (
                "{\n    nic_id      = \"nic-app-1\"\n    instance_id = \"ins:1\"\n  }",
                "instance_id",
                "contains `:`",
            ),
            (
                "{\n    nic_id      = \"nic-app-1\"\n    instance_id = \"ins-web-2\"\n  }",
                "instance_id",
                "The NIC is attached to another instance",
            ),
        ];
        for (given, attribute, says) in cases {
            let dir = tf.workdir().config(&import_config(&sim, given));
            let out = dir.plan();
            let errors = out.stderr.matches("Error: ").count();
            assert_eq!(errors, 1, "{}: one error:\n{}", out.command, out.stderr);
            out.assert_failure_contains(attribute)
                .assert_failure_contains(says);
        }
        assert_eq!(writes(&sim).0, 0, "v{}: nothing attached", tf.version);
    });
}

#[test]
fn state_written_before_identities_gets_one_on_the_first_refresh_with_no_diff() {
    // The state is written by the oldest Terraform (no identities), then each version with
    // identities takes over the working directory.
    let oldest = terraforms()
        .into_iter()
        .min_by_key(support::Terraform::release)
        .expect("terraforms() is never empty");
    assert!(
        !oldest.has(Feature::ResourceIdentity),
        "v{}",
        oldest.version
    );
    for_each_terraform(Versions::Supporting(Feature::ResourceIdentity), |tf| {
        let sim = Sim::quick();
        let mut dir = applied(&oldest, &web_config(&sim, "nic-app-1", "ins-web-1", ""));
        dir.switch_to(tf);
        assert_eq!(
            identity(&dir),
            Value::Null,
            "v{}: no identity yet",
            tf.version
        );
        assert_no_changes(&dir);
        dir.apply()
            .assert_success()
            .assert_stdout_contains("Resources: 0 added, 0 changed, 0 destroyed.");
        assert_eq!(
            identity(&dir),
            web_identity(),
            "v{}: the refresh filled in the identity",
            tf.version
        );
    });
}

#[test]
fn a_nic_moved_outside_terraform_ends_the_attachment_instead_of_changing_its_identity() {
    for_each_terraform(Versions::Supporting(Feature::ResourceIdentity), |tf| {
        let sim = Sim::quick();
        let dir = applied(tf, &web_config(&sim, "nic-app-1", "ins-web-1", ""));
        assert_eq!(identity(&dir), web_identity());
        sim.attach_by_hand("nic-app-1", "ins-web-2");
        dir.apply_with(&["-refresh-only"]).assert_success();
        // The attachment on ins-web-2 is not this object's: state forgets it rather than
        // giving it another instance (the identity never changes during an object's life).
        assert!(dir.resource_json(WEB).is_none(), "v{}", tf.version);
    });
}

#[test]
fn an_attachment_whose_ids_are_known_only_at_apply_gets_its_identity_at_apply() {
    for_each_terraform(Versions::Supporting(Feature::ResourceIdentity), |tf| {
        let sim = Sim::quick();
        let config = format!(
            "{}\nresource \"terraform_data\" \"instance\" {{\n  input = \"ins-web-1\"\n}}\n\nresource \"zenlayer_nic_attachment\" \"web\" {{\n  nic_id      = \"nic-app-1\"\n  instance_id = terraform_data.instance.output\n}}\n",
            sim.provider_block()
        );
        let dir = tf.workdir().config(&config);
        dir.plan()
            .assert_success()
            .assert_stdout_contains("Plan: 2 to add");
        dir.apply().assert_success();
        assert_eq!(identity(&dir), web_identity(), "v{}", tf.version);
        assert_no_changes(&dir);
    });
}
