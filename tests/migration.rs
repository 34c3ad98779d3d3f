//! Moving attachments from the official provider (`zenlayer/zenlayercloud`,
//! `zenlayercloud_zec_vnic_attachment`) to this one without touching a NIC, as a user
//! switching providers does: the official provider's state (one attachment it created, one it
//! imported, whose `vnic_id` it left empty), then this provider's configuration.
//!
//! - A `moved` block across providers (Terraform 1.8 and later: 1.11.4, 1.12.2, 1.14.9,
//!   1.15.5): the plan shows the move and no change, the apply sends no write, and the next
//!   plan is empty.
//! - Older Terraform, and anyone who prefers it: forget the official object (`removed` block
//!   from 1.7, `terraform state rm` before), then adopt it (`import` block from 1.5,
//!   `terraform import` before), on the oldest and the newest Terraform.
//!
//! The official provider is `tests/support/standin.rs`: its schema, no API.

mod support;

use support::lifecycle::{StateReading, assert_no_changes, assert_no_writes};
use support::official::{OfficialAttachment, official_state};
use support::{Feature, Sim, Terraform, Workdir, supporting};
use support::{Versions, for_each_terraform};

/// Made by the official provider's create.
const WEB: OfficialAttachment = OfficialAttachment {
    name: "web",
    nic_id: "nic-app-1",
    instance_id: "ins-web-1",
    imported: false,
};

/// Adopted by the official provider's `terraform import`: `vnic_id` is empty in its state.
const DB: OfficialAttachment = OfficialAttachment {
    name: "db",
    nic_id: "nic-app-2",
    instance_id: "ins-web-1",
    imported: true,
};

/// A simulator where the official provider attached both NICs, and a working directory
/// holding its state.
fn official_world(tf: &Terraform) -> (Sim, Workdir) {
    let sim = Sim::quick();
    for a in [&WEB, &DB] {
        sim.attach_by_hand(a.nic_id, a.instance_id);
    }
    let dir = tf.workdir().with_official();
    dir.write("terraform.tfstate", &official_state(&[WEB, DB]));
    sim.api().reset_calls();
    (sim, dir)
}

/// This provider's attachments for both, plus `extra` (moved, removed or import blocks).
fn our_config(sim: &Sim, extra: &str) -> String {
    let mut config = format!(
        "{}\nprovider \"zenlayercloud\" {{}}\n",
        sim.provider_block()
    );
    for a in [&WEB, &DB] {
        config.push_str(&format!(
            "\nresource \"zenlayer_nic_attachment\" \"{}\" {{\n  nic_id      = \"{}\"\n  \
             instance_id = \"{}\"\n}}\n",
            a.name, a.nic_id, a.instance_id
        ));
    }
    config.push_str(extra);
    config
}

/// A block per attachment, from `template` with `NAME` replaced.
fn blocks(template: &str) -> String {
    [&WEB, &DB]
        .iter()
        .map(|a| template.replace("NAME", a.name))
        .collect()
}

const MOVED: &str = "
moved {
  from = zenlayercloud_zec_vnic_attachment.NAME
  to   = zenlayer_nic_attachment.NAME
}
";

/// Both attachments are ours now, as a create would have written them, and still on the API.
#[track_caller]
fn assert_taken_over(sim: &Sim, dir: &Workdir, version: &str) {
    let list = dir.state_list();
    assert_eq!(
        list,
        vec![
            "zenlayer_nic_attachment.db".to_owned(),
            "zenlayer_nic_attachment.web".to_owned()
        ],
        "v{version}: state holds only this provider's attachments"
    );
    for a in [&WEB, &DB] {
        let address = format!("zenlayer_nic_attachment.{}", a.name);
        let resource = dir.resource_json(&address).expect("state has it");
        let values = &resource["values"];
        assert_eq!(
            values["id"],
            format!("{}:{}", a.nic_id, a.instance_id),
            "v{version}: {address} keeps the official ID"
        );
        assert_eq!(values["nic_id"], a.nic_id, "v{version}: {address}");
        assert_eq!(
            values["instance_id"], a.instance_id,
            "v{version}: {address}"
        );
        assert_eq!(
            values["region_id"], "asia-east-1",
            "v{version}: {address}'s computed attributes were read fresh"
        );
        assert_eq!(
            sim.attached_instance(a.nic_id).as_deref(),
            Some(a.instance_id),
            "v{version}: {} stayed attached",
            a.nic_id
        );
    }
}

#[test]
fn a_moved_block_takes_over_official_attachments_with_no_change_no_write_and_an_empty_next_plan() {
    for_each_terraform(Versions::Supporting(Feature::CrossTypeMoves), |tf| {
        let (sim, dir) = official_world(tf);
        dir.write("main.tf", &our_config(&sim, &blocks(MOVED)));

        let plan = dir.plan();
        plan.assert_success()
            .assert_stdout_contains(
                "zenlayercloud_zec_vnic_attachment.web has moved to zenlayer_nic_attachment.web",
            )
            .assert_stdout_contains(
                "zenlayercloud_zec_vnic_attachment.db has moved to zenlayer_nic_attachment.db",
            )
            .assert_stdout_contains("Plan: 0 to add, 0 to change, 0 to destroy.")
            .assert_not_contains("must be replaced")
            .assert_not_contains("will be updated");
        assert_no_writes(&sim, &format!("v{}: plan", tf.version));

        dir.apply()
            .assert_success()
            .assert_stdout_contains("0 added, 0 changed, 0 destroyed");
        assert_no_writes(&sim, &format!("v{}: apply", tf.version));
        assert_taken_over(&sim, &dir, &tf.version);
        if tf.has(Feature::ResourceIdentity) {
            let identity = &dir
                .resource_json("zenlayer_nic_attachment.db")
                .expect("state has it")["identity"];
            assert_eq!(
                (&identity["nic_id"], &identity["instance_id"]),
                (&"nic-app-2".into(), &"ins-web-1".into()),
                "v{}: the moved attachment has its identity",
                tf.version
            );
        }

        assert_no_changes(&dir);
        assert_no_writes(&sim, &format!("v{}: next plan", tf.version));
    });
}

#[test]
fn moving_without_a_refresh_stores_the_identity_the_move_returned() {
    let Some(tf) = supporting(Feature::ResourceIdentity).pop() else {
        panic!("no Terraform with resource identity under test");
    };
    let (sim, dir) = official_world(&tf);
    dir.write("main.tf", &our_config(&sim, &blocks(MOVED)));
    dir.apply_with(&["-refresh=false"]).assert_success();
    assert_eq!(
        sim.api().calls().total_received(),
        0,
        "v{}: a move without refresh calls no API",
        tf.version
    );
    let resource = dir
        .resource_json("zenlayer_nic_attachment.web")
        .expect("state has it");
    assert_eq!(
        resource["identity"],
        serde_json::json!({"nic_id": "nic-app-1", "instance_id": "ins-web-1"}),
        "v{}",
        tf.version
    );
    assert_eq!(resource["values"]["id"], "nic-app-1:ins-web-1");
    // The next refresh reads what the move could not know; nothing changes.
    assert_no_changes(&dir);
    assert_no_writes(&sim, "after a move without refresh");
}

#[test]
fn an_official_attachment_whose_id_has_the_wrong_form_gets_one_error_naming_it_and_the_way_out() {
    let tf = supporting(Feature::CrossTypeMoves)
        .pop()
        .expect("a Terraform with cross-type moves");
    let (sim, dir) = official_world(&tf);
    // State edited by hand, or written by a tool that used another ID form.
    let state = official_state(&[WEB, DB]).replace("\"nic-app-1:ins-web-1\"", "\"nic-app-1\"");
    dir.write("terraform.tfstate", &state);
    dir.write("main.tf", &our_config(&sim, &blocks(MOVED)));
    let plan = dir.plan();
    plan.assert_failure_contains("Cannot move this attachment")
        .assert_failure_contains(
            "The moved `zenlayercloud_zec_vnic_attachment` has the ID \"nic-app-1\", which is \
             not `<vnic_id>:<instance_id>`",
        )
        .assert_failure_contains("`import` block");
    assert_no_writes(&sim, "a refused move");
}

/// Forgetting the official objects: `removed` blocks from 1.7, `terraform state rm` before.
fn forget_official(dir: &Workdir, sim: &Sim, tf: &Terraform) {
    if tf.has(Feature::RemovedBlocks) {
        return;
    }
    for a in [&WEB, &DB] {
        dir.run(&[
            "state",
            "rm",
            "-no-color",
            &format!("zenlayercloud_zec_vnic_attachment.{}", a.name),
        ])
        .assert_success();
    }
    assert_no_writes(sim, "state rm");
}

const REMOVED: &str = "
removed {
  from = zenlayercloud_zec_vnic_attachment.NAME
  lifecycle {
    destroy = false
  }
}
";

const IMPORT: &str = "
import {
  to = zenlayer_nic_attachment.NAME
  id = \"ID\"
}
";

#[test]
fn forgetting_then_importing_official_attachments_takes_them_over_with_no_write() {
    for_each_terraform(Versions::OldestAndNewest, |tf| {
        let (sim, dir) = official_world(tf);
        forget_official(&dir, &sim, tf);
        let mut extra = String::new();
        if tf.has(Feature::RemovedBlocks) {
            extra.push_str(&blocks(REMOVED));
        }
        if tf.has(Feature::ImportBlocks) {
            for a in [&WEB, &DB] {
                extra.push_str(
                    &IMPORT
                        .replace("NAME", a.name)
                        .replace("ID", &format!("{}:{}", a.nic_id, a.instance_id)),
                );
            }
        }
        dir.write("main.tf", &our_config(&sim, &extra));

        if tf.has(Feature::ImportBlocks) {
            let plan = dir.plan();
            plan.assert_success()
                .assert_stdout_contains("2 to import, 0 to add, 0 to change, 0 to destroy.");
            if tf.has(Feature::RemovedBlocks) {
                plan.assert_stdout_contains(
                    "zenlayercloud_zec_vnic_attachment.web will no longer be managed by Terraform",
                );
            }
            dir.apply()
                .assert_success()
                .assert_stdout_contains("2 imported, 0 added, 0 changed, 0 destroyed");
        } else {
            for a in [&WEB, &DB] {
                dir.import(
                    &format!("zenlayer_nic_attachment.{}", a.name),
                    &format!("{}:{}", a.nic_id, a.instance_id),
                )
                .assert_success()
                .assert_stdout_contains("Import successful!");
            }
        }
        assert_no_writes(&sim, &format!("v{}: take-over", tf.version));
        assert_taken_over(&sim, &dir, &tf.version);
        assert_no_changes(&dir);
        assert_no_writes(&sim, &format!("v{}: next plan", tf.version));
    });
}

// ---- MoveResourceState, as Terraform calls it (no Terraform) --------------------------------

mod rpc {
    use tokio_util::sync::CancellationToken;
    use tonic::Request;
    use tpz::cty::{Type, msgpack};
    use tpz::protocol::ProviderService;
    use tpz::protocol::proto::{self, provider_server::Provider as _};

    fn service() -> ProviderService {
        ProviderService::new(tpz::provider::new(), CancellationToken::new())
    }

    fn request(
        provider: &str,
        type_name: &str,
        version: i64,
        json: &str,
    ) -> Request<proto::move_resource_state::Request> {
        Request::new(proto::move_resource_state::Request {
            source_provider_address: provider.into(),
            source_type_name: type_name.into(),
            source_schema_version: version,
            source_state: Some(proto::RawState {
                json: json.as_bytes().to_vec(),
                flatmap: Default::default(),
            }),
            target_type_name: "zenlayer_nic_attachment".into(),
            source_private: br#"{"schema_version":"0"}"#.to_vec(),
            ..Default::default()
        })
    }

    fn errors(diags: &[proto::Diagnostic]) -> Vec<(String, String)> {
        diags
            .iter()
            .filter(|d| d.severity == proto::diagnostic::Severity::Error as i32)
            .map(|d| (d.summary.clone(), d.detail.clone()))
            .collect()
    }

    #[tokio::test]
    async fn the_schema_advertises_moves_across_types() {
        let schema = service()
            .get_schema(Request::new(proto::get_provider_schema::Request {}))
            .await
            .expect("an answer")
            .into_inner();
        let caps = schema.server_capabilities.expect("capabilities");
        assert!(caps.move_resource_state);
    }

    #[tokio::test]
    async fn an_imported_official_attachment_moves_with_its_nic_from_the_id_and_its_identity() {
        let json = r#"{"id":"nic-app-2:ins-web-1","instance_id":"ins-web-1","vnic_id":null}"#;
        for provider in [
            "registry.terraform.io/zenlayer/zenlayercloud",
            "zenlayercloud",
        ] {
            let reply = service()
                .move_resource_state(request(
                    provider,
                    "zenlayercloud_zec_vnic_attachment",
                    0,
                    json,
                ))
                .await
                .expect("an answer")
                .into_inner();
            assert_eq!(errors(&reply.diagnostics), Vec::new(), "{provider}");
            let ty = tpz::provider::new().resources()[0]
                .schema()
                .block
                .value_type();
            let state = msgpack::decode(&reply.target_state.expect("a state").msgpack, &ty)
                .expect("decodes");
            assert_eq!(
                state.attr("nic_id").and_then(|v| v.as_str()),
                Some("nic-app-2")
            );
            assert_eq!(
                state.attr("id").and_then(|v| v.as_str()),
                Some("nic-app-2:ins-web-1")
            );
            let identity_ty =
                Type::object([("nic_id", Type::String), ("instance_id", Type::String)]);
            let identity = reply
                .target_identity
                .and_then(|i| i.identity_data)
                .expect("the move returns the identity");
            let identity = msgpack::decode(&identity.msgpack, &identity_ty).expect("decodes");
            assert_eq!(
                identity.attr("instance_id").and_then(|v| v.as_str()),
                Some("ins-web-1")
            );
        }
    }

    #[tokio::test]
    async fn unconvertible_sources_get_one_error_naming_them_and_what_to_do() {
        let good = r#"{"id":"nic-1:ins-1","instance_id":"ins-1","vnic_id":"nic-1"}"#;
        for (provider, type_name, version, json, summary, named) in [
            (
                "registry.terraform.io/hashicorp/null",
                "null_resource",
                0,
                r#"{"id":"1"}"#,
                "Unsupported move source",
                "`null_resource`",
            ),
            (
                "registry.terraform.io/zenlayer/zenlayercloud",
                "zenlayercloud_zec_vnic",
                0,
                good,
                "Unsupported move source",
                "`zenlayercloud_zec_vnic`",
            ),
            (
                "registry.terraform.io/zenlayer/zenlayercloud",
                "zenlayercloud_zec_vnic_attachment",
                1,
                good,
                "Source state written by a newer provider",
                "schema version 1",
            ),
            (
                "registry.terraform.io/zenlayer/zenlayercloud",
                "zenlayercloud_zec_vnic_attachment",
                0,
                r#"{"id":"nic-1/ins-1"}"#,
                "Cannot move this attachment",
                "\"nic-1/ins-1\"",
            ),
        ] {
            let reply = service()
                .move_resource_state(request(provider, type_name, version, json))
                .await
                .expect("an answer")
                .into_inner();
            let errors = errors(&reply.diagnostics);
            assert_eq!(errors.len(), 1, "{type_name} v{version}: {errors:?}");
            assert_eq!(errors[0].0, summary, "{type_name} v{version}");
            assert!(errors[0].1.contains(named), "{}", errors[0].1);
            assert!(
                errors[0].1.contains("`import` block"),
                "says what to do: {}",
                errors[0].1
            );
            assert!(reply.target_state.is_none() && reply.target_identity.is_none());
        }
    }
}
