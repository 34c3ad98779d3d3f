//! Cross-type moves (Terraform ≥ 1.8): a `moved` block whose `from` is a resource of another
//! type, possibly of another provider, hands that object's stored state to this provider,
//! which turns it into a value of the target type (MoveResourceState).
//!
//! A resource names the sources it accepts ([`MoveSource`]); the framework refuses every
//! other source, and every source state from a schema version the resource does not know,
//! with one error that names the source and the way out (`removed` + `import`). What the
//! resource returns is held to the target schema and must be wholly known; its identity is
//! derived as for an imported object.

use super::{Context, Diagnostic, Diagnostics, ResourceType};
use crate::cty::Value;

/// A resource type whose stored objects a resource can take over through a `moved` block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MoveSource {
    /// The source provider's full address, e.g. `registry.terraform.io/zenlayer/zenlayercloud`.
    pub provider: &'static str,
    /// The source resource type, e.g. `zenlayercloud_zec_vnic_attachment`.
    pub type_name: &'static str,
    /// The newest source schema version the resource can convert; newer state is refused.
    pub max_schema_version: i64,
}

impl MoveSource {
    /// Whether the `address` a move request names is this source's provider. Terraform (1.11
    /// to 1.15 seen) sends the full address; OpenTofu sends the provider type implied by the
    /// resource type name (`zenlayercloud`). Both, and the address without its host, match.
    pub fn matches_provider(&self, address: &str) -> bool {
        let address = address.trim();
        let without_host = self.provider.split_once('/').map_or("", |(_, rest)| rest);
        let provider_type = self.provider.rsplit('/').next().unwrap_or(self.provider);
        address == self.provider || address == without_host || address == provider_type
    }

    fn describe(&self) -> String {
        format!("`{}` (provider {})", self.type_name, self.provider)
    }
}

/// The stored object a `moved` block hands over, as Terraform sends it.
#[derive(Clone, Debug)]
pub struct MoveRequest {
    /// The source provider's address, as Terraform gives it (see [`MoveSource::matches_provider`]).
    pub source_provider: String,
    /// The source resource type.
    pub source_type: String,
    /// The schema version the source object was stored under.
    pub source_schema_version: i64,
    /// The source object's `attributes` from the state file, as JSON; empty when Terraform
    /// sent only the pre-0.12 flatmap form.
    pub json: Vec<u8>,
    /// The source object's private data (the source provider's, opaque here).
    pub source_private: Vec<u8>,
}

/// The object a move produced.
#[derive(Clone, Debug)]
pub struct MovedObject {
    /// A value of the target schema; computed attributes the source lacks may be null (the
    /// refresh that follows the move fills them).
    pub state: Value,
    /// Private data to store with the moved object.
    pub private: Vec<u8>,
}

impl ResourceType {
    /// The sources this type accepts moves from; empty when it accepts none.
    pub fn move_sources(&self) -> &[MoveSource] {
        &self.move_sources
    }

    /// Converts a moved object: checks that the resource accepts its source and schema
    /// version, lets the resource convert it, and holds the result to the schema.
    pub async fn move_state(
        &self,
        ctx: &Context,
        req: MoveRequest,
    ) -> Result<MovedObject, Diagnostics> {
        let target = self.type_name();
        let Some(source) = self
            .move_sources
            .iter()
            .find(|s| s.type_name == req.source_type && s.matches_provider(&req.source_provider))
        else {
            return Err(unsupported_source(target, &self.move_sources, &req).into());
        };
        if req.source_schema_version > source.max_schema_version {
            return Err(Diagnostic::error(
                "Source state written by a newer provider",
                format!(
                    "The `{}` being moved into `{target}` was stored under schema version {} of \
                     its provider, and this provider can convert versions up to {}. A newer \
                     provider release may have changed what that state means. Remove the \
                     `moved` block, then take the object over with `removed` (or `terraform \
                     state rm`) and an `import` block (or `terraform import`).",
                    req.source_type, req.source_schema_version, source.max_schema_version
                ),
            )
            .into());
        }
        if req.json.is_empty() {
            return Err(Diagnostic::error(
                "Source state cannot be moved",
                format!(
                    "Terraform sent the `{}` being moved into `{target}` without its attributes \
                     (state last written by Terraform 0.11 or older). Refresh it with its own \
                     provider first, or take it over with `removed` and `import` instead.",
                    req.source_type
                ),
            )
            .into());
        }
        let source = source.clone();
        let mut moved = self.resource.move_state(ctx, &source, req).await?;
        let mut diags = Diagnostics::new();
        let doing = format!("moving a {} into {target}", source.type_name);
        moved.state = self.known_object(&doing, moved.state, &mut diags);
        if diags.has_errors() {
            return Err(diags);
        }
        self.resource.upgraded(&moved.state);
        Ok(moved)
    }
}

/// The answer to a `moved` block from a type this resource does not take over.
fn unsupported_source(target: &str, sources: &[MoveSource], req: &MoveRequest) -> Diagnostic {
    let way_out = "Remove the `moved` block. To bring the object under this provider anyway, \
                   take it out of state with a `removed` block (or `terraform state rm`) and \
                   adopt it with an `import` block (or `terraform import`).";
    if sources.is_empty() {
        return Diagnostic::error(
            "Moving resources is not supported",
            format!(
                "This provider cannot move a `{}` (provider {}) into `{target}`: `{target}` \
                 accepts no `moved` blocks from other resource types. {way_out}",
                req.source_type, req.source_provider
            ),
        );
    }
    let accepted: Vec<String> = sources.iter().map(MoveSource::describe).collect();
    Diagnostic::error(
        "Unsupported move source",
        format!(
            "A `moved` block moves a `{}` (provider {}) into `{target}`, which takes over only \
             {}. {way_out}",
            req.source_type,
            if req.source_provider.is_empty() {
                "not given"
            } else {
                &req.source_provider
            },
            accepted.join(", ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFICIAL: MoveSource = MoveSource {
        provider: "registry.terraform.io/zenlayer/zenlayercloud",
        type_name: "zenlayercloud_zec_vnic_attachment",
        max_schema_version: 0,
    };

    #[test]
    fn the_source_provider_matches_in_every_form_terraform_sends_it() {
        for sent in [
            "registry.terraform.io/zenlayer/zenlayercloud",
            "zenlayer/zenlayercloud",
            "zenlayercloud",
        ] {
            assert!(OFFICIAL.matches_provider(sent), "{sent}");
        }
        for other in [
            "",
            "registry.terraform.io/hashicorp/null",
            "registry.terraform.io/zenlayer/zenlayer",
            "zenlayer",
            "example.com/zenlayer/other",
        ] {
            assert!(!OFFICIAL.matches_provider(other), "{other}");
        }
    }

    #[test]
    fn an_unknown_source_is_one_error_naming_it_and_what_is_accepted() {
        let req = MoveRequest {
            source_provider: "registry.terraform.io/hashicorp/null".into(),
            source_type: "null_resource".into(),
            source_schema_version: 0,
            json: b"{}".to_vec(),
            source_private: Vec::new(),
        };
        let d = unsupported_source("zenlayer_nic_attachment", &[OFFICIAL], &req);
        assert_eq!(d.summary, "Unsupported move source");
        for said in [
            "`null_resource`",
            "hashicorp/null",
            "`zenlayercloud_zec_vnic_attachment`",
            "`removed` block",
            "`import` block",
        ] {
            assert!(d.detail.contains(said), "{said}: {}", d.detail);
        }
        let none = unsupported_source("zenlayer_nic_attachment", &[], &req);
        assert_eq!(none.summary, "Moving resources is not supported");
    }
}
