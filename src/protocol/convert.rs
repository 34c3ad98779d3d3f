//! proto ⇄ framework conversions: one small function per message. Requests decode into
//! framework types or fail with diagnostics; responses always encode (a value that cannot
//! be encoded becomes an error diagnostic in the same response).

use super::proto;
use crate::cty::{self, Type, Value};
use crate::framework::{
    self, ApplyOutcome, ApplyRequest, AttributePath, Block, Diagnostic, Diagnostics, ImportOutcome,
    ImportRequest, Nesting, PathStep, PlanOutcome, PlanPass, PlanRequest, ReadDataRequest,
    ReadOutcome, ReadRequest, ReadResult, Schema, Severity, UpgradeRequest,
};

// ---- shared pieces -------------------------------------------------------------------------

/// Decodes a `DynamicValue` of type `ty`; an absent or empty one is null. `what` names the
/// field in the error ("config of PlanResourceChange").
pub(super) fn value(
    dv: Option<&proto::DynamicValue>,
    ty: &Type,
    what: &str,
) -> Result<Value, Diagnostic> {
    let Some(dv) = dv else {
        return Ok(Value::Null);
    };
    let decoded = if !dv.msgpack.is_empty() {
        cty::msgpack::decode(&dv.msgpack, ty).map_err(|e| e.to_string())
    } else if !dv.json.is_empty() {
        cty::json::decode(&dv.json, ty).map_err(|e| e.to_string())
    } else {
        Ok(Value::Null)
    };
    decoded.map_err(|e| {
        Diagnostic::error(
            "Invalid request from Terraform",
            format!(
                "The provider could not read the {what}: {e}. The Terraform version in use may \
                 speak a protocol this provider does not understand; please report this to the \
                 provider developers together with `terraform version`."
            ),
        )
    })
}

/// Encodes `v` as msgpack of type `ty`; on failure, adds an error to `diags` and sends
/// nothing (which Terraform reads as null).
pub(super) fn dynamic_value(
    v: &Value,
    ty: &Type,
    what: &str,
    diags: &mut Diagnostics,
) -> Option<proto::DynamicValue> {
    match cty::msgpack::encode(v, ty) {
        Ok(msgpack) => Some(proto::DynamicValue {
            msgpack,
            json: Vec::new(),
        }),
        Err(e) => {
            diags.error(
                "Provider produced a value it cannot send",
                format!(
                    "The provider could not encode the {what}: {e}. This is a bug in the \
                     provider; please report it to the provider developers."
                ),
            );
            None
        }
    }
}

/// Converts diagnostics. Rust strings are always valid UTF-8, so summaries and details pass
/// protobuf's UTF-8 check as they are.
pub(super) fn diagnostics(diags: Diagnostics) -> Vec<proto::Diagnostic> {
    diags.into_iter().map(diagnostic).collect()
}

pub(super) fn diagnostic(d: Diagnostic) -> proto::Diagnostic {
    let severity = match d.severity {
        Severity::Error => proto::diagnostic::Severity::Error,
        Severity::Warning => proto::diagnostic::Severity::Warning,
    };
    proto::Diagnostic {
        severity: severity as i32,
        summary: d.summary,
        detail: d.detail,
        attribute: d.path.as_ref().map(attribute_path),
    }
}

pub(super) fn attribute_path(p: &AttributePath) -> proto::AttributePath {
    use proto::attribute_path::{Step, step::Selector};
    let steps = p
        .steps()
        .iter()
        .map(|s| Step {
            selector: Some(match s {
                PathStep::Attribute(a) => Selector::AttributeName(a.clone()),
                PathStep::Key(k) => Selector::ElementKeyString(k.clone()),
                PathStep::Index(i) => Selector::ElementKeyInt(*i),
            }),
        })
        .collect();
    proto::AttributePath { steps }
}

// ---- schemas -------------------------------------------------------------------------------

pub(super) fn schema(s: &Schema) -> proto::Schema {
    proto::Schema {
        version: s.version,
        block: Some(block(&s.block)),
    }
}

fn block(b: &Block) -> proto::schema::Block {
    proto::schema::Block {
        version: 0,
        attributes: b.attributes.iter().map(attribute).collect(),
        block_types: b.blocks.iter().map(nested_block).collect(),
        description: b.description.clone(),
        description_kind: proto::StringKind::Markdown as i32,
        deprecated: b.deprecated,
        deprecation_message: String::new(),
    }
}

/// `requires_replace` is the framework's business and has no schema field on the wire.
fn attribute(a: &framework::Attribute) -> proto::schema::Attribute {
    proto::schema::Attribute {
        name: a.name.clone(),
        r#type: a.ty.to_json(),
        description: a.description.clone(),
        required: a.required,
        optional: a.optional,
        computed: a.computed,
        sensitive: a.sensitive,
        description_kind: proto::StringKind::Markdown as i32,
        deprecated: a.deprecated,
        write_only: false,
        deprecation_message: String::new(),
    }
}

fn nested_block(b: &framework::NestedBlock) -> proto::schema::NestedBlock {
    use proto::schema::nested_block::NestingMode;
    let nesting = match b.nesting {
        Nesting::Single => NestingMode::Single,
        Nesting::Group => NestingMode::Group,
        Nesting::List => NestingMode::List,
        Nesting::Set => NestingMode::Set,
        Nesting::Map => NestingMode::Map,
    };
    proto::schema::NestedBlock {
        type_name: b.type_name.clone(),
        block: Some(block(&b.block)),
        nesting: nesting as i32,
        min_items: b.min_items,
        max_items: b.max_items,
    }
}

/// What this server supports beyond the base protocol. Configuration is generated for the
/// objects `terraform query` finds, so only a provider with list resources offers it; moves
/// across types only a provider with a resource that declares move sources.
pub(super) fn server_capabilities(registry: &framework::Registry) -> proto::ServerCapabilities {
    proto::ServerCapabilities {
        plan_destroy: true,
        get_provider_schema_optional: true,
        move_resource_state: registry.resources().any(|r| !r.move_sources().is_empty()),
        generate_resource_config: registry.list_resources().next().is_some(),
    }
}

pub(super) fn get_provider_schema_response(
    registry: &framework::Registry,
) -> proto::get_provider_schema::Response {
    proto::get_provider_schema::Response {
        provider: Some(schema(registry.provider_schema())),
        resource_schemas: registry
            .resources()
            .map(|r| (r.type_name().to_string(), schema(r.schema())))
            .collect(),
        data_source_schemas: registry
            .data_sources()
            .map(|d| (d.type_name().to_string(), schema(d.schema())))
            .collect(),
        list_resource_schemas: registry
            .list_resources()
            .map(|(name, l)| (name.to_string(), schema(l.schema())))
            .collect(),
        server_capabilities: Some(server_capabilities(registry)),
        ..Default::default()
    }
}

pub(super) fn get_metadata_response(
    registry: &framework::Registry,
) -> proto::get_metadata::Response {
    use proto::get_metadata::{DataSourceMetadata, ListResourceMetadata, ResourceMetadata};
    proto::get_metadata::Response {
        server_capabilities: Some(server_capabilities(registry)),
        list_resources: registry
            .list_resources()
            .map(|(name, _)| ListResourceMetadata {
                type_name: name.to_string(),
            })
            .collect(),
        resources: registry
            .resources()
            .map(|r| ResourceMetadata {
                type_name: r.type_name().to_string(),
            })
            .collect(),
        data_sources: registry
            .data_sources()
            .map(|d| DataSourceMetadata {
                type_name: d.type_name().to_string(),
            })
            .collect(),
        ..Default::default()
    }
}

/// Every resource type's identity schema, keyed by type name; types without one are left out.
pub(super) fn identity_schemas_response(
    registry: &framework::Registry,
) -> proto::get_resource_identity_schemas::Response {
    use proto::resource_identity_schema::IdentityAttribute;
    let identity_schemas = registry
        .resources()
        .filter_map(|r| {
            let (schema, _) = r.identity()?;
            let attributes = schema
                .attributes
                .iter()
                .map(|a| IdentityAttribute {
                    name: a.name.clone(),
                    r#type: a.ty.to_json(),
                    required_for_import: a.required_for_import,
                    optional_for_import: a.optional_for_import,
                    description: a.description.clone(),
                })
                .collect();
            let schema = proto::ResourceIdentitySchema {
                version: schema.version,
                identity_attributes: attributes,
            };
            Some((r.type_name().to_string(), schema))
        })
        .collect();
    proto::get_resource_identity_schemas::Response {
        identity_schemas,
        diagnostics: Vec::new(),
    }
}

// ---- identities ----------------------------------------------------------------------------

/// An identity Terraform sent, decoded with the type's identity type; null when absent or
/// when the type has no identity.
pub(super) fn identity(
    data: Option<&proto::ResourceIdentityData>,
    rt: &framework::ResourceType,
    what: &str,
) -> Result<Value, Diagnostic> {
    match rt.identity() {
        Some((_, ty)) => value(data.and_then(|d| d.identity_data.as_ref()), ty, what),
        None => Ok(Value::Null),
    }
}

/// Encodes an identity for a response; problems found while making it join `diags`.
pub(super) fn identity_data(
    identity: Option<Value>,
    rt: &framework::ResourceType,
    diags: &mut Diagnostics,
) -> Option<proto::ResourceIdentityData> {
    let identity = identity?;
    let (_, ty) = rt.identity()?;
    Some(proto::ResourceIdentityData {
        identity_data: Some(dynamic_value(&identity, ty, "identity", diags)?),
    })
}

// ---- list resources ------------------------------------------------------------------------

/// One listing result as Terraform reads it.
pub(super) fn list_event(
    event: framework::ListEvent,
    rt: &framework::ResourceType,
) -> proto::list_resource::Event {
    let mut diags = event.diagnostics;
    let identity = if event.identity.is_null() {
        None
    } else {
        identity_data(Some(event.identity), rt, &mut diags)
    };
    let resource_object = event
        .state
        .and_then(|s| dynamic_value(&s, rt.value_type(), "listed object", &mut diags));
    proto::list_resource::Event {
        identity,
        display_name: event.display_name,
        resource_object,
        diagnostic: diagnostics(diags),
    }
}

// ---- provider ------------------------------------------------------------------------------

/// The prepared config is ignored by Terraform; echoing the request is the safe answer.
pub(super) fn prepare_provider_config_response(
    config: Option<proto::DynamicValue>,
    diags: Diagnostics,
) -> proto::prepare_provider_config::Response {
    proto::prepare_provider_config::Response {
        prepared_config: config,
        diagnostics: diagnostics(diags),
    }
}

pub(super) fn configure_request(
    req: proto::configure::Request,
    ty: &Type,
) -> Result<framework::ConfigureRequest, Diagnostics> {
    Ok(framework::ConfigureRequest {
        config: value(req.config.as_ref(), ty, "provider configuration")?,
        terraform_version: req.terraform_version,
    })
}

// ---- managed resources ---------------------------------------------------------------------

pub(super) fn upgrade_request(
    req: proto::upgrade_resource_state::Request,
) -> Result<UpgradeRequest, Diagnostics> {
    let raw = req.raw_state.unwrap_or_default();
    if raw.json.is_empty() && !raw.flatmap.is_empty() {
        return Err(Diagnostic::error(
            "State too old to read",
            format!(
                "The stored state of this {} was last written by Terraform 0.11 or older (the \
                 \"flatmap\" format), which this provider cannot read. Upgrade the state with \
                 Terraform 0.12 through 0.15 first, or remove the object from state \
                 (`terraform state rm`) and import it again.",
                req.type_name
            ),
        )
        .into());
    }
    Ok(UpgradeRequest {
        version: req.version,
        json: raw.json,
    })
}

pub(super) fn upgrade_response(
    out: Result<Value, Diagnostics>,
    ty: &Type,
) -> proto::upgrade_resource_state::Response {
    let (state, mut diags) = match out {
        Ok(v) => (v, Diagnostics::new()),
        Err(d) => (Value::Null, d),
    };
    let upgraded_state = dynamic_value(&state, ty, "upgraded state", &mut diags);
    proto::upgrade_resource_state::Response {
        upgraded_state,
        diagnostics: diagnostics(diags),
    }
}

pub(super) fn move_request(req: proto::move_resource_state::Request) -> framework::MoveRequest {
    framework::MoveRequest {
        source_provider: req.source_provider_address,
        source_type: req.source_type_name,
        source_schema_version: req.source_schema_version,
        json: req.source_state.map(|r| r.json).unwrap_or_default(),
        source_private: req.source_private,
    }
}

pub(super) fn move_response(
    out: Result<framework::MovedObject, Diagnostics>,
    ty: &Type,
) -> proto::move_resource_state::Response {
    let (state, private, mut diags) = match out {
        Ok(m) => (m.state, m.private, Diagnostics::new()),
        Err(d) => (Value::Null, Vec::new(), d),
    };
    let target_state = if state.is_null() {
        None
    } else {
        dynamic_value(&state, ty, "moved state", &mut diags)
    };
    proto::move_resource_state::Response {
        target_state,
        diagnostics: diagnostics(diags),
        target_private: private,
        target_identity: None,
    }
}

pub(super) fn read_request(
    req: proto::read_resource::Request,
    ty: &Type,
) -> Result<ReadRequest, Diagnostics> {
    Ok(ReadRequest {
        state: value(
            req.current_state.as_ref(),
            ty,
            "current state of ReadResource",
        )?,
        private: req.private,
    })
}

pub(super) fn read_response(out: ReadResult, ty: &Type) -> proto::read_resource::Response {
    let mut diags = out.diagnostics;
    let state = match out.outcome {
        ReadOutcome::Present(v) => v,
        ReadOutcome::Gone => Value::Null,
    };
    let new_state = dynamic_value(&state, ty, "refreshed state", &mut diags);
    proto::read_resource::Response {
        new_state,
        diagnostics: diagnostics(diags),
        private: out.private,
        ..Default::default()
    }
}

pub(super) fn plan_request(
    req: proto::plan_resource_change::Request,
    ty: &Type,
) -> Result<PlanRequest, Diagnostics> {
    Ok(PlanRequest {
        prior_state: value(
            req.prior_state.as_ref(),
            ty,
            "prior state of PlanResourceChange",
        )?,
        proposed_new_state: value(
            req.proposed_new_state.as_ref(),
            ty,
            "proposed new state of PlanResourceChange",
        )?,
        config: value(
            req.config.as_ref(),
            ty,
            "configuration of PlanResourceChange",
        )?,
        prior_private: req.prior_private,
        pass: match req.client_capabilities {
            None => PlanPass::Unknown,
            Some(c) if c.deferral_allowed => PlanPass::Final,
            Some(_) => PlanPass::Review,
        },
    })
}

pub(super) fn plan_response(out: PlanOutcome, ty: &Type) -> proto::plan_resource_change::Response {
    let mut diags = out.diagnostics;
    let planned_state = dynamic_value(&out.planned_state, ty, "planned state", &mut diags);
    proto::plan_resource_change::Response {
        planned_state,
        requires_replace: out.requires_replace.iter().map(attribute_path).collect(),
        planned_private: out.planned_private,
        diagnostics: diagnostics(diags),
        legacy_type_system: false,
        ..Default::default()
    }
}

pub(super) fn apply_request(
    req: proto::apply_resource_change::Request,
    ty: &Type,
) -> Result<ApplyRequest, Diagnostics> {
    Ok(ApplyRequest {
        prior_state: value(
            req.prior_state.as_ref(),
            ty,
            "prior state of ApplyResourceChange",
        )?,
        planned_state: value(
            req.planned_state.as_ref(),
            ty,
            "planned state of ApplyResourceChange",
        )?,
        config: value(
            req.config.as_ref(),
            ty,
            "configuration of ApplyResourceChange",
        )?,
        planned_private: req.planned_private,
    })
}

pub(super) fn apply_response(
    out: ApplyOutcome,
    ty: &Type,
) -> proto::apply_resource_change::Response {
    let mut diags = out.diagnostics;
    let new_state = dynamic_value(&out.new_state, ty, "new state", &mut diags);
    proto::apply_resource_change::Response {
        new_state,
        private: out.private,
        diagnostics: diagnostics(diags),
        legacy_type_system: false,
        ..Default::default()
    }
}

pub(super) fn import_request(req: &proto::import_resource_state::Request) -> ImportRequest {
    ImportRequest { id: req.id.clone() }
}

/// Every imported object is of the requested type; Terraform refuses an unset type name.
pub(super) fn import_response(
    out: ImportOutcome,
    type_name: &str,
    ty: &Type,
) -> proto::import_resource_state::Response {
    let mut diags = out.diagnostics;
    let imported_resources = out
        .objects
        .into_iter()
        .map(|o| proto::import_resource_state::ImportedResource {
            type_name: type_name.to_string(),
            state: dynamic_value(&o.state, ty, "imported state", &mut diags),
            private: o.private,
            identity: None,
        })
        .collect();
    proto::import_resource_state::Response {
        imported_resources,
        diagnostics: diagnostics(diags),
        deferred: None,
    }
}

// ---- data sources --------------------------------------------------------------------------

pub(super) fn read_data_request(
    req: proto::read_data_source::Request,
    ty: &Type,
) -> Result<ReadDataRequest, Diagnostics> {
    Ok(ReadDataRequest {
        config: value(req.config.as_ref(), ty, "configuration of ReadDataSource")?,
    })
}

pub(super) fn read_data_response(
    (state, mut diags): (Value, Diagnostics),
    ty: &Type,
) -> proto::read_data_source::Response {
    let state = dynamic_value(&state, ty, "data source result", &mut diags);
    proto::read_data_source::Response {
        state,
        diagnostics: diagnostics(diags),
        deferred: None,
    }
}

// ---- responses that can carry only diagnostics ---------------------------------------------

/// A response that can stand in for a failed call: empty but for its diagnostics.
pub(super) trait Reply: Default {
    fn with_diagnostics(diagnostics: Vec<proto::Diagnostic>) -> Self;

    /// The diagnostics the reply carries, for the log.
    fn diagnostics(&self) -> &[proto::Diagnostic];
}

macro_rules! reply {
    ($($t:ty),* $(,)?) => {$(
        impl Reply for $t {
            // Some responses have nothing but diagnostics; the macro serves them all alike.
            #[allow(clippy::needless_update)]
            fn with_diagnostics(diagnostics: Vec<proto::Diagnostic>) -> Self {
                Self { diagnostics, ..Default::default() }
            }

            fn diagnostics(&self) -> &[proto::Diagnostic] {
                &self.diagnostics
            }
        }
    )*};
}

reply!(
    proto::get_metadata::Response,
    proto::get_provider_schema::Response,
    proto::prepare_provider_config::Response,
    proto::validate_resource_type_config::Response,
    proto::validate_data_source_config::Response,
    proto::upgrade_resource_state::Response,
    proto::upgrade_resource_identity::Response,
    proto::move_resource_state::Response,
    proto::validate_ephemeral_resource_config::Response,
    proto::open_ephemeral_resource::Response,
    proto::renew_ephemeral_resource::Response,
    proto::close_ephemeral_resource::Response,
    proto::get_functions::Response,
    proto::validate_list_resource_config::Response,
    proto::generate_resource_config::Response,
    proto::validate_action_config::Response,
    proto::plan_action::Response,
    proto::get_resource_identity_schemas::Response,
    proto::configure::Response,
    proto::read_resource::Response,
    proto::plan_resource_change::Response,
    proto::apply_resource_change::Response,
    proto::import_resource_state::Response,
    proto::read_data_source::Response,
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Attribute;

    #[test]
    fn diagnostic_keeps_severity_text_and_path() {
        let d =
            Diagnostic::error("Bad", "Very bad").at(AttributePath::root("rule").index(2).key("k"));
        let p = diagnostic(d);
        assert_eq!(p.severity, proto::diagnostic::Severity::Error as i32);
        assert_eq!((p.summary.as_str(), p.detail.as_str()), ("Bad", "Very bad"));
        use proto::attribute_path::step::Selector;
        let steps: Vec<_> = p
            .attribute
            .unwrap()
            .steps
            .into_iter()
            .map(|s| s.selector)
            .collect();
        assert_eq!(
            steps,
            [
                Some(Selector::AttributeName("rule".into())),
                Some(Selector::ElementKeyInt(2)),
                Some(Selector::ElementKeyString("k".into())),
            ]
        );
    }

    #[test]
    fn schema_attribute_sends_type_json_and_markdown_but_not_requires_replace() {
        let a = Attribute::required("name", Type::list(Type::String), "The *name*.")
            .requires_replace()
            .sensitive();
        let p = attribute(&a);
        assert_eq!(p.r#type, br#"["list","string"]"#);
        assert_eq!(p.description_kind, proto::StringKind::Markdown as i32);
        assert!(p.required && p.sensitive && !p.optional && !p.computed);
    }

    #[test]
    fn flatmap_only_state_is_refused_with_a_way_out() {
        let req = proto::upgrade_resource_state::Request {
            type_name: "t".into(),
            version: 0,
            raw_state: Some(proto::RawState {
                json: Vec::new(),
                flatmap: [("id".to_string(), "x".to_string())].into(),
            }),
        };
        let err = upgrade_request(req).unwrap_err();
        assert!(
            err.iter()
                .next()
                .unwrap()
                .detail
                .contains("terraform state rm")
        );
    }

    #[test]
    fn absent_dynamic_value_is_null() {
        assert_eq!(value(None, &Type::String, "x"), Ok(Value::Null));
        let empty = proto::DynamicValue::default();
        assert_eq!(value(Some(&empty), &Type::String, "x"), Ok(Value::Null));
    }
}
