//! Taking over attachments from the official provider (`zenlayer/zenlayercloud`) with a
//! `moved` block (Terraform ≥ 1.8): a `zenlayercloud_zec_vnic_attachment` becomes a
//! `zenlayer_nic_attachment` without any API call.
//!
//! The source has `vnic_id`, `instance_id` and the ID `<vnic_id>:<instance_id>`, the same
//! form as this resource's ID, so the ID is kept. `vnic_id` becomes `nic_id`; the official
//! provider's import leaves `vnic_id` empty, so the NIC then comes from the ID. The computed
//! attributes stay null here: the refresh that follows the move reads them.

use serde_json::Value as Json;

use crate::cty::Value;
use crate::framework::{Diagnostic, Diagnostics, MoveRequest, MoveSource, MovedObject};
use crate::untrusted::quoted;

use super::id;
use super::model::Attachment;

/// The official provider's attachment resource, schema version 0 (its only one so far).
pub(super) const OFFICIAL: MoveSource = MoveSource {
    provider: "registry.terraform.io/zenlayer/zenlayercloud",
    type_name: "zenlayercloud_zec_vnic_attachment",
    max_schema_version: 0,
};

const VNIC_ID: &str = "vnic_id";
const INSTANCE_ID: &str = "instance_id";
const ID: &str = "id";

/// What cannot be converted, in words that complete "The moved `…` …".
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
enum Unconvertible {
    #[error("is not a JSON object ({0})")]
    NotAnObject(String),
    #[error("has no `id`")]
    NoId,
    #[error("has the ID {0}, which is not `<vnic_id>:<instance_id>`: {1}")]
    BadId(String, String),
    #[error("has `{0}` = {1}, which {2}")]
    BadAttribute(&'static str, String, id::IdProblem),
    #[error("has `{0}` = {1}, but its ID {2} names {3}")]
    Disagrees(&'static str, String, String, String),
}

/// Converts one official attachment; the ID it had is the ID it keeps.
pub(super) fn convert(req: &MoveRequest) -> Result<MovedObject, Diagnostics> {
    let attachment = attachment_of(&req.json).map_err(|problem| {
        Diagnostic::error(
            "Cannot move this attachment",
            format!(
                "The moved `{}` {problem}, so it cannot become a `zenlayer_nic_attachment`. \
                 Nothing was changed. If the official provider still manages it, run `terraform \
                 apply` with the `moved` block removed to let it refresh the object, then try \
                 again; or take the attachment over without `moved`: a `removed` block (or \
                 `terraform state rm`) for the old address, then an `import` block (or \
                 `terraform import`) with the ID `<nic_id>:<instance_id>`.",
                req.source_type
            ),
        )
    })?;
    Ok(MovedObject {
        state: attachment.to_value(Value::Null),
        private: Vec::new(),
    })
}

/// The attachment a stored official object describes.
fn attachment_of(json: &[u8]) -> Result<Attachment, Unconvertible> {
    let object: serde_json::Map<String, Json> =
        serde_json::from_slice(json).map_err(|e| Unconvertible::NotAnObject(e.to_string()))?;
    let text = |name: &str| {
        object
            .get(name)
            .and_then(Json::as_str)
            .filter(|s| !s.is_empty())
    };
    let composite = text(ID).ok_or(Unconvertible::NoId)?;
    let bad_id = |why: String| Unconvertible::BadId(quoted(composite), why);
    let parsed = id::parse_import(composite).map_err(|e| bad_id(e.to_string()))?;
    let Some(id_instance) = parsed.instance_id else {
        return Err(bad_id("the instance ID part is missing".to_owned()));
    };
    let id_nic = parsed.nic_id;
    // Empty after the official provider's import: the ID says which NIC it is.
    for (name, from_id) in [(VNIC_ID, &id_nic), (INSTANCE_ID, &id_instance)] {
        if let Some(given) = text(name) {
            id::check(given)
                .map_err(|problem| Unconvertible::BadAttribute(name, quoted(given), problem))?;
            if given != from_id {
                return Err(Unconvertible::Disagrees(
                    name,
                    quoted(given),
                    quoted(composite),
                    quoted(from_id),
                ));
            }
        }
    }
    Ok(Attachment::bare(&id_nic, &id_instance))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::nic_attachment::model::{self, INSTANCE_ID as IID, NIC_ID};

    fn request(json: &str) -> MoveRequest {
        MoveRequest {
            source_provider: OFFICIAL.provider.into(),
            source_type: OFFICIAL.type_name.into(),
            source_schema_version: 0,
            json: json.as_bytes().to_vec(),
            source_private: br#"{"schema_version":"0"}"#.to_vec(),
        }
    }

    fn moved(json: &str) -> Value {
        convert(&request(json)).expect("converts").state
    }

    #[test]
    fn a_created_official_attachment_keeps_its_id_and_its_vnic_becomes_nic_id() {
        let state = moved(
            r#"{"id":"nic-app-1:ins-web-1","instance_id":"ins-web-1","vnic_id":"nic-app-1"}"#,
        );
        assert_eq!(model::known_str(&state, "id"), Some("nic-app-1:ins-web-1"));
        assert_eq!(model::known_str(&state, NIC_ID), Some("nic-app-1"));
        assert_eq!(model::known_str(&state, IID), Some("ins-web-1"));
        for computed in [model::REGION_ID, model::PRIMARY_IPV4, model::MAC_ADDRESS] {
            assert_eq!(state.attr(computed), Some(&Value::Null), "{computed}");
        }
    }

    #[test]
    fn an_imported_official_attachment_with_an_empty_vnic_takes_the_nic_from_its_id() {
        for vnic in [r#""""#, "null"] {
            let state = moved(&format!(
                r#"{{"id":"nic-app-2:ins-web-1","instance_id":"ins-web-1","vnic_id":{vnic}}}"#
            ));
            assert_eq!(
                model::known_str(&state, NIC_ID),
                Some("nic-app-2"),
                "{vnic}"
            );
        }
        let state = moved(r#"{"id":"nic-app-2:ins-web-1","timeouts":null}"#);
        assert_eq!(model::known_str(&state, IID), Some("ins-web-1"));
    }

    #[test]
    fn an_unconvertible_source_is_one_error_naming_what_is_wrong_and_the_way_out() {
        for (json, said) in [
            ("[1]", "is not a JSON object"),
            (
                r#"{"vnic_id":"nic-1","instance_id":"ins-1"}"#,
                "has no `id`",
            ),
            (r#"{"id":"nic-1"}"#, "instance ID part is missing"),
            (r#"{"id":"a:b:c"}"#, "3 `:`-separated parts"),
            (
                r#"{"id":"nic-1:ins-1","vnic_id":"nic-2"}"#,
                "`vnic_id` = \"nic-2\", but its ID \"nic-1:ins-1\" names \"nic-1\"",
            ),
            (
                r#"{"id":"nic-1:ins-1","instance_id":"ins 1"}"#,
                "contains whitespace",
            ),
        ] {
            let diags = convert(&request(json)).expect_err(json);
            let all: Vec<_> = diags.into_iter().collect();
            assert_eq!(all.len(), 1, "{json}: {all:?}");
            assert_eq!(all[0].summary, "Cannot move this attachment");
            assert!(all[0].detail.contains(said), "{json}: {}", all[0].detail);
            assert!(
                all[0]
                    .detail
                    .contains("`zenlayercloud_zec_vnic_attachment`")
            );
            assert!(
                all[0].detail.contains("`import` block"),
                "{}",
                all[0].detail
            );
        }
    }
}
