//! The official provider `zenlayer/zenlayercloud` as the migration scenarios meet it: the
//! stand-in binary (`tests/support/standin.rs`, no API) served through `dev_overrides` next to
//! this provider, and state written the way the official provider writes it.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::json;

use super::{PROVIDER_BIN, Workdir};

/// The stand-in binary cargo built for this test run.
pub const STANDIN_BIN: &str = env!("CARGO_BIN_EXE_zenlayercloud-standin");

/// The official provider's address, as state records it.
pub const OFFICIAL_ADDRESS: &str = "registry.terraform.io/zenlayer/zenlayercloud";

/// Both providers, as a configuration using them side by side declares them.
pub const BOTH_PROVIDERS: &str = r#"terraform {
  required_providers {
    zenlayer = {
      source = "zenlayer/zenlayer"
    }
    zenlayercloud = {
      source = "zenlayer/zenlayercloud"
    }
  }
}
"#;

/// A directory holding the stand-in under the name Terraform looks for,
/// `terraform-provider-zenlayercloud`, made once per test binary beside the stand-in.
pub fn standin_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let bin = Path::new(STANDIN_BIN);
        let dir = bin
            .parent()
            .expect("the stand-in has a directory")
            .join("zenlayercloud-standin-override");
        std::fs::create_dir_all(&dir).expect("create the stand-in's override directory");
        let link = dir.join("terraform-provider-zenlayercloud");
        // Another test binary may have made it already; replace it atomically.
        let fresh = dir.join(format!("link-{}", std::process::id()));
        let _ = std::fs::remove_file(&fresh);
        std::os::unix::fs::symlink(bin, &fresh).expect("link the stand-in");
        std::fs::rename(&fresh, &link).expect("put the stand-in in place");
        dir
    })
}

/// The CLI config serving this provider's build as `zenlayer/zenlayer` and the stand-in as
/// `zenlayer/zenlayercloud`.
pub fn cli_config_with_official() -> String {
    let ours = Path::new(PROVIDER_BIN)
        .parent()
        .expect("the provider binary has a directory");
    format!(
        "provider_installation {{\n  dev_overrides {{\n    \"zenlayer/zenlayer\" = {ours:?}\n    \
         \"zenlayer/zenlayercloud\" = {official:?}\n  }}\n  direct {{}}\n}}\n",
        ours = ours.display().to_string(),
        official = standin_dir().display().to_string(),
    )
}

impl Workdir {
    /// This working directory with the official provider (the stand-in) beside this one, both
    /// required in `versions.tf`.
    pub fn with_official(self) -> Self {
        self.write("versions.tf", BOTH_PROVIDERS);
        self.cli_config(&cli_config_with_official())
    }
}

/// One `zenlayercloud_zec_vnic_attachment` as the official provider stores it.
#[derive(Clone, Debug)]
pub struct OfficialAttachment {
    /// The resource name in configuration (`zenlayercloud_zec_vnic_attachment.<name>`).
    pub name: &'static str,
    pub nic_id: &'static str,
    pub instance_id: &'static str,
    /// Imported with `terraform import`: the official provider's read never sets `vnic_id`,
    /// so it stays null in state.
    pub imported: bool,
}

impl OfficialAttachment {
    /// Its `attributes` in state: the ID `<vnic_id>:<instance_id>`, the two IDs (`vnic_id`
    /// null when imported).
    pub fn attributes(&self) -> serde_json::Value {
        json!({
            "id": format!("{}:{}", self.nic_id, self.instance_id),
            "instance_id": self.instance_id,
            "vnic_id": if self.imported { serde_json::Value::Null } else { json!(self.nic_id) },
        })
    }
}

/// A state file (format 4) holding `attachments` under the official provider, as Terraform
/// writes it after the official provider created or imported them.
pub fn official_state(attachments: &[OfficialAttachment]) -> String {
    let objects: Vec<OfficialObject> = attachments
        .iter()
        .map(|a| OfficialObject {
            type_name: "zenlayercloud_zec_vnic_attachment",
            name: a.name,
            attributes: a.attributes(),
        })
        .collect();
    official_state_of(&objects)
}

/// One object of any official resource type, for `official_state_of`.
#[derive(Clone, Debug)]
pub struct OfficialObject {
    pub type_name: &'static str,
    pub name: &'static str,
    /// Every attribute of the type's schema, as the official provider stores them.
    pub attributes: serde_json::Value,
}

/// A state file (format 4) holding `objects` under the official provider: schema version 0
/// and the plugin SDK's private data `{"schema_version":"0"}`, as the official provider
/// leaves them.
pub fn official_state_of(objects: &[OfficialObject]) -> String {
    let resources: Vec<serde_json::Value> = objects
        .iter()
        .map(|o| {
            json!({
                "mode": "managed",
                "type": o.type_name,
                "name": o.name,
                "provider": format!("provider[\"{OFFICIAL_ADDRESS}\"]"),
                "instances": [{
                    "schema_version": 0,
                    "attributes": o.attributes,
                    "sensitive_attributes": [],
                    "private": "eyJzY2hlbWFfdmVyc2lvbiI6IjAifQ==",
                }],
            })
        })
        .collect();
    let state = json!({
        "version": 4,
        // Older than every Terraform under test, which all read it.
        "terraform_version": "1.0.0",
        "serial": 1,
        "lineage": "5f0c6f4e-3b1d-4f2e-9a57-7a1d2c3b4e5f",
        "outputs": {},
        "resources": resources,
    });
    serde_json::to_string_pretty(&state).expect("state serializes")
}
