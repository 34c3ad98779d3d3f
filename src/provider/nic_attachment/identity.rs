//! The attachment's identity (Terraform ≥ 1.12): `nic_id`, which import needs, and
//! `instance_id`, which import may leave out (it is then looked up, as the NIC-only import ID
//! does). The framework keeps an attachment's first identity for its whole life.

use crate::cty::{Type, Value};
use crate::framework::{Diagnostic, Diagnostics, IdentityAttribute, IdentitySchema};
use crate::untrusted::quoted;

use super::id;
use super::model::{INSTANCE_ID, NIC_ID};

/// The identity schema: version 0, the first.
pub(super) fn schema() -> IdentitySchema {
    IdentitySchema {
        version: 0,
        attributes: vec![
            IdentityAttribute {
                name: NIC_ID.to_owned(),
                ty: Type::String,
                required_for_import: true,
                optional_for_import: false,
                description: "The ID of the attached vNIC.".to_owned(),
            },
            IdentityAttribute {
                name: INSTANCE_ID.to_owned(),
                ty: Type::String,
                required_for_import: false,
                optional_for_import: true,
                description: "The ID of the instance the vNIC is attached to; when an import \
                              leaves it out, it is looked up."
                    .to_owned(),
            },
        ],
    }
}

/// The identity of the attachment `state` describes (unknown parts stay unknown).
pub(super) fn of(state: &Value) -> Value {
    let attr = |name: &str| state.attr(name).cloned().unwrap_or(Value::Null);
    Value::object([(NIC_ID, attr(NIC_ID)), (INSTANCE_ID, attr(INSTANCE_ID))])
}

/// The import ID (`<nic_id>:<instance_id>` or `<nic_id>`) for an identity, or one error naming
/// the identity attribute that is wrong.
pub(super) fn import_id(identity: &Value) -> Result<String, Diagnostics> {
    let nic = text(identity, NIC_ID, "NIC ID")?.ok_or_else(|| {
        invalid(
            NIC_ID,
            "is missing; the identity needs the NIC ID (for example `nic_id = \"nic-123\"`)"
                .to_owned(),
        )
    })?;
    Ok(match text(identity, INSTANCE_ID, "instance ID")? {
        Some(instance) => id::compose(nic, instance),
        None => nic.to_owned(),
    })
}

/// The attribute's string, None when null; an error when it is not a plausible ID.
fn text<'a>(identity: &'a Value, name: &str, what: &str) -> Result<Option<&'a str>, Diagnostics> {
    let value = identity.attr(name).unwrap_or(&Value::Null);
    if value.is_null() {
        return Ok(None);
    }
    let Some(s) = value.as_str() else {
        return Err(invalid(name, format!("is not a known {what} string")).into());
    };
    id::check(s).map_err(|problem| invalid(name, format!("{}, {problem}", quoted(s))))?;
    Ok(Some(s))
}

fn invalid(name: &str, problem: String) -> Diagnostic {
    Diagnostic::error(
        "Invalid import identity",
        format!(
            "The identity attribute `{name}` {problem}. Give the ID exactly as zenConsole or \
             the API shows it, without spaces."
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(nic: Value, instance: Value) -> Value {
        Value::object([(NIC_ID, nic), (INSTANCE_ID, instance)])
    }

    #[test]
    fn both_ids_give_the_composite_import_id_and_the_nic_alone_gives_the_nic_id() {
        let both = identity(Value::string("nic-1"), Value::string("ins-1"));
        assert_eq!(import_id(&both).ok(), Some("nic-1:ins-1".to_owned()));
        let nic_only = identity(Value::string("nic-1"), Value::Null);
        assert_eq!(import_id(&nic_only).ok(), Some("nic-1".to_owned()));
    }

    #[test]
    fn a_missing_or_malformed_id_is_one_error_naming_its_identity_attribute() {
        for (value, attribute) in [
            (identity(Value::Null, Value::string("ins-1")), NIC_ID),
            (identity(Value::string("nic 1"), Value::Null), NIC_ID),
            (
                identity(Value::string("nic-1"), Value::string("a:b")),
                INSTANCE_ID,
            ),
            (
                identity(Value::string("nic-1"), Value::string("")),
                INSTANCE_ID,
            ),
        ] {
            let diags = import_id(&value).expect_err("a bad identity is refused");
            let all: Vec<_> = diags.into_iter().collect();
            assert_eq!(all.len(), 1, "{all:?}");
            assert!(
                all[0].detail.contains(&format!("`{attribute}`")),
                "{}",
                all[0].detail
            );
        }
    }

    #[test]
    fn the_identity_of_a_state_is_its_two_ids() {
        let state = Value::object([
            ("id", Value::string("nic-1:ins-1")),
            (NIC_ID, Value::string("nic-1")),
            (INSTANCE_ID, Value::string("ins-1")),
        ]);
        assert_eq!(
            of(&state),
            identity(Value::string("nic-1"), Value::string("ins-1"))
        );
    }
}
