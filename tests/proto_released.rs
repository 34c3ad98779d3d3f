//! How `proto/tfplugin5.proto` was checked against the tfplugin5 that Terraform 1.15 releases.
//!
//! Method: `docs/plugin-protocol/tfplugin5.proto` at hashicorp/terraform tag v1.15.5 (v1.15.9
//! is byte for byte the same) and the vendored file were both reduced to
//! `(message path, field type, field name, number)` lines, `reserved` lines and `rpc` lines,
//! and the two lists compared: they are equal (the released file's `go_package` option aside).
//! This test keeps the facts that release changed (actions in their released shape,
//! `GenerateResourceConfig` and its capability, `deprecation_message`, identity and list
//! messages), read from the vendored file with protox, so an edit that breaks one fails here.

use prost_types::{DescriptorProto, FileDescriptorProto};

fn file() -> FileDescriptorProto {
    let set = protox::compile(["tfplugin5.proto"], ["proto"]).expect("the vendored proto compiles");
    set.file
        .into_iter()
        .find(|f| f.name() == "tfplugin5.proto")
        .expect("tfplugin5.proto is in the set")
}

/// The message at `path` ("GetProviderSchema.Response").
fn message<'a>(file: &'a FileDescriptorProto, path: &str) -> &'a DescriptorProto {
    let mut parts = path.split('.');
    let first = parts.next().expect("a path");
    let mut m = file
        .message_type
        .iter()
        .find(|m| m.name() == first)
        .unwrap_or_else(|| panic!("no message {first}"));
    for part in parts {
        m = m
            .nested_type
            .iter()
            .find(|n| n.name() == part)
            .unwrap_or_else(|| panic!("no message {path}"));
    }
    m
}

/// `(name, number)` of every field of the message at `path`, in number order.
fn fields(file: &FileDescriptorProto, path: &str) -> Vec<(String, i32)> {
    let mut out: Vec<(String, i32)> = message(file, path)
        .field
        .iter()
        .map(|f| (f.name().to_owned(), f.number()))
        .collect();
    out.sort_by_key(|(_, n)| *n);
    out
}

fn named(pairs: &[(&str, i32)]) -> Vec<(String, i32)> {
    pairs.iter().map(|(n, i)| ((*n).to_owned(), *i)).collect()
}

#[test]
fn actions_have_the_released_shape_with_action_schemas_at_11_and_10_reserved() {
    let f = file();
    let response = message(&f, "GetProviderSchema.Response");
    let action_schemas = response
        .field
        .iter()
        .find(|x| x.name() == "action_schemas")
        .expect("action_schemas");
    assert_eq!(action_schemas.number(), 11);
    assert!(
        response
            .reserved_range
            .iter()
            .any(|r| r.start() == 10 && r.end() == 11),
        "field 10 is reserved: {:?}",
        response.reserved_range
    );
    assert_eq!(fields(&f, "ActionSchema"), named(&[("schema", 1)]));
    assert!(message(&f, "ActionSchema").nested_type.is_empty());
    assert_eq!(
        fields(&f, "PlanAction.Request"),
        named(&[
            ("action_type", 1),
            ("config", 2),
            ("client_capabilities", 3)
        ])
    );
    assert_eq!(
        fields(&f, "PlanAction.Response"),
        named(&[("diagnostics", 1), ("deferred", 2)])
    );
    assert_eq!(
        fields(&f, "InvokeAction.Request"),
        named(&[
            ("action_type", 1),
            ("config", 2),
            ("client_capabilities", 3)
        ])
    );
    assert_eq!(
        fields(&f, "InvokeAction.Event.Completed"),
        named(&[("diagnostics", 1)])
    );
    assert_eq!(
        fields(&f, "ValidateActionConfig.Request"),
        named(&[("type_name", 1), ("config", 2)])
    );
    assert!(
        f.message_type
            .iter()
            .all(|m| m.name() != "LinkedResourceConfig"),
        "the pre-release LinkedResourceConfig is gone"
    );
}

#[test]
fn generate_resource_config_and_its_capability_and_deprecation_messages_are_present() {
    let f = file();
    let service = f
        .service
        .iter()
        .find(|s| s.name() == "Provider")
        .expect("the Provider service");
    let rpc = service
        .method
        .iter()
        .find(|m| m.name() == "GenerateResourceConfig")
        .expect("rpc GenerateResourceConfig");
    assert_eq!(
        rpc.input_type(),
        ".tfplugin5.GenerateResourceConfig.Request"
    );
    assert_eq!(
        rpc.output_type(),
        ".tfplugin5.GenerateResourceConfig.Response"
    );
    assert_eq!(
        fields(&f, "GenerateResourceConfig.Request"),
        named(&[("type_name", 1), ("state", 2)])
    );
    assert_eq!(
        fields(&f, "GenerateResourceConfig.Response"),
        named(&[("config", 1), ("diagnostics", 2)])
    );
    assert_eq!(
        fields(&f, "ServerCapabilities"),
        named(&[
            ("plan_destroy", 1),
            ("get_provider_schema_optional", 2),
            ("move_resource_state", 3),
            ("generate_resource_config", 4),
        ])
    );
    let last = |path: &str| fields(&f, path).last().cloned().expect("fields");
    assert_eq!(last("Schema.Block"), ("deprecation_message".to_owned(), 7));
    assert_eq!(
        last("Schema.Attribute"),
        ("deprecation_message".to_owned(), 11)
    );
    assert_eq!(last("Function"), ("deprecation_message".to_owned(), 7));
}

#[test]
fn identity_and_list_messages_have_the_released_numbers() {
    let f = file();
    assert_eq!(
        fields(&f, "ResourceIdentitySchema.IdentityAttribute"),
        named(&[
            ("name", 1),
            ("type", 2),
            ("required_for_import", 3),
            ("optional_for_import", 4),
            ("description", 5),
        ])
    );
    assert_eq!(
        fields(&f, "UpgradeResourceIdentity.Request"),
        named(&[("type_name", 1), ("version", 2), ("raw_identity", 3)])
    );
    assert_eq!(
        fields(&f, "ListResource.Request"),
        named(&[
            ("type_name", 1),
            ("config", 2),
            ("include_resource_object", 3),
            ("limit", 4),
        ])
    );
    assert_eq!(
        fields(&f, "ListResource.Event"),
        named(&[
            ("identity", 1),
            ("display_name", 2),
            ("resource_object", 3),
            ("diagnostic", 4),
        ])
    );
    assert_eq!(
        fields(&f, "ValidateListResourceConfig.Request"),
        named(&[
            ("type_name", 1),
            ("config", 2),
            ("include_resource_object", 3),
            ("limit", 4),
        ])
    );
    let number = |path: &str, name: &str| {
        fields(&f, path)
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, i)| i)
    };
    assert_eq!(number("ReadResource.Request", "current_identity"), Some(6));
    assert_eq!(number("ReadResource.Response", "new_identity"), Some(5));
    assert_eq!(
        number("PlanResourceChange.Request", "prior_identity"),
        Some(8)
    );
    assert_eq!(
        number("PlanResourceChange.Response", "planned_identity"),
        Some(7)
    );
    assert_eq!(
        number("ApplyResourceChange.Request", "planned_identity"),
        Some(7)
    );
    assert_eq!(
        number("ApplyResourceChange.Response", "new_identity"),
        Some(5)
    );
    assert_eq!(number("ImportResourceState.Request", "identity"), Some(4));
    assert_eq!(
        number("ImportResourceState.ImportedResource", "identity"),
        Some(4)
    );
    assert_eq!(number("GetMetadata.Response", "actions"), Some(8));
    assert_eq!(
        number("GetProviderSchema.Response", "list_resource_schemas"),
        Some(9)
    );
}
