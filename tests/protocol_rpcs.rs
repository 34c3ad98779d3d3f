//! The tfplugin5 service, called in-process the way Terraform calls it: msgpack-encoded
//! requests in, responses decoded and checked. No network.

mod fakes;

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use fakes::*;
use tokio_util::sync::CancellationToken;
use tonic::Request;
use tpz::cty::{Type, Value, msgpack};
use tpz::framework::{Diagnostics, ImportOutcome, ReadOutcome, ReadResult};
use tpz::protocol::ProviderService;
use tpz::protocol::proto::{self, provider_server::Provider as _};

struct Harness {
    service: Arc<ProviderService>,
    resource: Arc<FakeResource>,
    stop: CancellationToken,
    provider_log: Arc<FakeProvider>,
}

fn harness(resource: FakeResource) -> Harness {
    harness_with(FakeProvider::new(resource))
}

fn harness_with(provider: FakeProvider) -> Harness {
    let provider = Arc::new(provider);
    let stop = CancellationToken::new();
    Harness {
        service: Arc::new(ProviderService::new(provider.clone(), stop.clone())),
        resource: provider.resource.clone(),
        stop,
        provider_log: provider,
    }
}

fn thing_type() -> Type {
    thing_schema().block.value_type()
}

/// The reply to one RPC: every RPC answers, bad input included, never with a gRPC error.
async fn answer<T>(call: impl Future<Output = Result<tonic::Response<T>, tonic::Status>>) -> T {
    call.await
        .expect("an answer, not a gRPC error")
        .into_inner()
}

/// One RPC call as Terraform makes it: `rpc!(service, method(field: value, ..))` sends a
/// `proto::method::Request` with those fields (the rest default) and returns the reply, which
/// must be an answer, never a gRPC error. A macro, because the request type is named after the
/// method, which a function cannot do.
macro_rules! rpc {
    ($service:expr, $method:ident ( $($field:ident : $value:expr),* $(,)? )) => {{
        // The fields given may be all the request has.
        #[allow(clippy::needless_update)]
        let request = proto::$method::Request {
            $($field: $value,)*
            ..Default::default()
        };
        answer($service.$method(Request::new(request))).await
    }};
}

/// `test_info`'s configuration: its one required argument.
fn info_config() -> Value {
    Value::object([
        ("name", s("x")),
        ("region", Value::Null),
        ("size", Value::Null),
    ])
}

/// A provider configuration with `endpoint`, as Terraform encodes it.
fn provider_config(endpoint: Value) -> Option<proto::DynamicValue> {
    dv(
        &Value::object([("endpoint", endpoint)]),
        &provider_schema().block.value_type(),
    )
}

fn dv(v: &Value, ty: &Type) -> Option<proto::DynamicValue> {
    Some(proto::DynamicValue {
        msgpack: msgpack::encode(v, ty).expect("test value encodes"),
        json: Vec::new(),
    })
}

fn decode(dv: Option<proto::DynamicValue>, ty: &Type) -> Value {
    match dv {
        None => Value::Null,
        Some(d) => msgpack::decode(&d.msgpack, ty).expect("response decodes"),
    }
}

/// Error summaries and details, one string each, as a user would read them.
fn errors(diags: &[proto::Diagnostic]) -> Vec<String> {
    diags
        .iter()
        .filter(|d| d.severity == proto::diagnostic::Severity::Error as i32)
        .map(|d| format!("{}: {}", d.summary, d.detail))
        .collect()
}

fn plan_req(
    prior: &Value,
    proposed: &Value,
    config: &Value,
) -> proto::plan_resource_change::Request {
    let ty = thing_type();
    proto::plan_resource_change::Request {
        type_name: "test_thing".into(),
        prior_state: dv(prior, &ty),
        proposed_new_state: dv(proposed, &ty),
        config: dv(config, &ty),
        ..Default::default()
    }
}

/// The apply of what `plan_req(prior, planned, config)` planned.
fn apply_req(
    prior: &Value,
    planned: &Value,
    config: &Value,
) -> proto::apply_resource_change::Request {
    let plan = plan_req(prior, planned, config);
    proto::apply_resource_change::Request {
        type_name: plan.type_name,
        prior_state: plan.prior_state,
        planned_state: plan.proposed_new_state,
        config: plan.config,
        ..Default::default()
    }
}

fn stored() -> Value {
    thing(&[("id", s("t-1")), ("name", s("a")), ("computed_val", s("c"))])
}

impl Harness {
    async fn plan(
        &self,
        req: proto::plan_resource_change::Request,
    ) -> proto::plan_resource_change::Response {
        answer(self.service.plan_resource_change(Request::new(req))).await
    }

    async fn apply(
        &self,
        req: proto::apply_resource_change::Request,
    ) -> proto::apply_resource_change::Response {
        answer(self.service.apply_resource_change(Request::new(req))).await
    }

    async fn schema(&self) -> proto::get_provider_schema::Response {
        let req = proto::get_provider_schema::Request {};
        answer(self.service.get_schema(Request::new(req))).await
    }
}

#[tokio::test]
async fn get_schema_describes_every_type_in_markdown_with_capabilities_and_no_requires_replace() {
    let resp = harness(FakeResource::default()).schema().await;
    assert!(resp.diagnostics.is_empty());
    let caps = resp.server_capabilities.expect("capabilities");
    assert!(caps.plan_destroy && caps.get_provider_schema_optional);
    let thing = &resp.resource_schemas["test_thing"];
    assert_eq!(thing.version, 1);
    let block = thing.block.as_ref().expect("block");
    let name = block
        .attributes
        .iter()
        .find(|a| a.name == "name")
        .expect("name");
    assert_eq!(name.r#type, br#""string""#);
    assert!(name.required && !name.computed);
    assert_eq!(name.description_kind, proto::StringKind::Markdown as i32);
    let secret = block
        .attributes
        .iter()
        .find(|a| a.name == "secret")
        .expect("secret");
    assert!(secret.sensitive);
    let rule = block
        .block_types
        .iter()
        .find(|b| b.type_name == "rule")
        .expect("rule");
    assert_eq!(
        rule.nesting,
        proto::schema::nested_block::NestingMode::List as i32
    );
    assert!(resp.data_source_schemas.contains_key("test_info"));
    let provider = resp
        .provider
        .expect("provider schema")
        .block
        .expect("block");
    assert_eq!(provider.attributes[0].name, "endpoint");
}

#[tokio::test]
async fn metadata_and_identity_schemas_answer_cheaply() {
    let h = harness(FakeResource::default());
    let meta = rpc!(h.service, get_metadata());
    assert_eq!(meta.resources[0].type_name, "test_thing");
    assert_eq!(meta.data_sources[0].type_name, "test_info");
    // An answer, not Unimplemented.
    let ids = rpc!(h.service, get_resource_identity_schemas());
    assert!(ids.identity_schemas.is_empty() && ids.diagnostics.is_empty());
}

#[tokio::test]
async fn a_process_that_never_saw_get_schema_plans_and_applies() {
    let h = harness(FakeResource::default());
    let config = thing(&[("name", s("a"))]);
    let plan = h.plan(plan_req(&Value::Null, &config, &config)).await;
    assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
    let planned = decode(plan.planned_state, &thing_type());
    let applied = h.apply(apply_req(&Value::Null, &planned, &config)).await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert_eq!(
        decode(applied.new_state, &thing_type()).attr("id"),
        Some(&s("gen-id"))
    );
}

#[tokio::test]
async fn prepare_provider_config_validates_and_echoes_the_config() {
    let mut provider = FakeProvider::new(FakeResource::default());
    provider.validate = Box::new(|c| match c.attr("endpoint") {
        Some(Value::String(e)) if e.starts_with("http") => Diagnostics::new(),
        _ => failure("Endpoint check"),
    });
    let h = harness_with(provider);
    for (endpoint, ok) in [("https://api", true), ("ftp://x", false)] {
        let config = provider_config(s(endpoint));
        let resp = rpc!(h.service, prepare_provider_config(config: config.clone()));
        assert_eq!(resp.prepared_config, config);
        assert_eq!(errors(&resp.diagnostics).is_empty(), ok, "{endpoint}");
    }
}

#[tokio::test]
async fn configure_hands_the_provider_terraforms_version_and_config() {
    let h = harness(FakeResource::default());
    let resp = rpc!(h.service, configure(
        terraform_version: "1.11.4".into(),
        config: provider_config(s("https://api")),
    ));
    assert!(resp.diagnostics.is_empty());
    let Some(Call::Configure(req)) = h.provider_log.calls().pop() else {
        panic!("configure not called")
    };
    assert_eq!(req.terraform_version, "1.11.4");
    assert_eq!(req.config.attr("endpoint"), Some(&s("https://api")));
}

#[tokio::test]
async fn validate_resource_and_data_source_configs_reach_their_types() {
    let resource = FakeResource {
        validate: Box::new(|c| {
            if c.attr("name") == Some(&s("bad")) {
                failure("Name check")
            } else {
                Diagnostics::new()
            }
        }),
        ..FakeResource::default()
    };
    let h = harness(resource);
    for (name, want_errors) in [("good", 0), ("bad", 1)] {
        let resp = rpc!(h.service, validate_resource_type_config(
            type_name: "test_thing".into(),
            config: dv(&thing(&[("name", s(name))]), &thing_type()),
        ));
        assert_eq!(errors(&resp.diagnostics).len(), want_errors, "{name}");
    }
    let resp = rpc!(h.service, validate_data_source_config(
        type_name: "test_info".into(),
        config: dv(&info_config(), &info_schema().block.value_type()),
    ));
    assert!(resp.diagnostics.is_empty());
}

#[tokio::test]
async fn create_plan_sends_null_computed_attributes_back_as_unknown() {
    let h = harness(FakeResource::default());
    let config = thing(&[
        ("name", s("a")),
        ("rule", Value::List(vec![rule(443, Value::Null)])),
    ]);
    let resp = h.plan(plan_req(&Value::Null, &config, &config)).await;
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    let planned = decode(resp.planned_state, &thing_type());
    assert!(planned.attr("id").expect("id").is_unknown());
    let Some(Value::List(rules)) = planned.attr("rule") else {
        panic!("rule list")
    };
    assert!(rules[0].attr("rule_id").expect("rule_id").is_unknown());
    assert!(resp.requires_replace.is_empty());
}

#[tokio::test]
async fn replacement_reports_the_path_and_the_create_half_gets_the_first_plans_private() {
    let resource = FakeResource {
        modify_plan: Box::new(|c| {
            if c.prior_state.is_null() {
                return Diagnostics::new();
            }
            c.planned_private = b"replace-token".to_vec();
            Diagnostics::new()
        }),
        ..FakeResource::default()
    };
    let h = harness(resource);
    let config = thing(&[("name", s("b"))]);
    let mut proposed = config.clone();
    *proposed.attr_mut("id").expect("id") = s("t-1");
    *proposed.attr_mut("computed_val").expect("computed_val") = s("c");
    let first = h.plan(plan_req(&stored(), &proposed, &config)).await;
    use proto::attribute_path::step::Selector;
    let paths: Vec<_> = first
        .requires_replace
        .iter()
        .map(|p| p.steps[0].selector.clone())
        .collect();
    assert_eq!(paths, [Some(Selector::AttributeName("name".into()))]);
    assert_eq!(first.planned_private, b"replace-token");

    let mut second = plan_req(&Value::Null, &config, &config);
    second.prior_private = first.planned_private;
    let resp = h.plan(second).await;
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    let seen = h.resource.plans_seen();
    assert_eq!(seen[1].prior_private, b"replace-token");
}

#[tokio::test]
async fn destroy_plan_is_null() {
    let h = harness(FakeResource::default());
    let mut req = plan_req(&stored(), &Value::Null, &Value::Null);
    req.prior_private = b"p".to_vec();
    let resp = h.plan(req).await;
    assert!(resp.diagnostics.is_empty());
    assert_eq!(decode(resp.planned_state, &thing_type()), Value::Null);
    assert_eq!(resp.planned_private, b"p");
}

#[tokio::test]
async fn resource_that_changes_a_configured_value_is_caught_before_terraform_sees_it() {
    let resource = FakeResource {
        modify_plan: Box::new(|c| {
            *c.planned_state.attr_mut("value").expect("value") = s("changed-by-provider");
            Diagnostics::new()
        }),
        ..FakeResource::default()
    };
    let h = harness(resource);
    let config = thing(&[("name", s("a")), ("value", s("v"))]);
    let resp = h.plan(plan_req(&Value::Null, &config, &config)).await;
    let errs = errors(&resp.diagnostics);
    assert_eq!(errs.len(), 1);
    assert!(
        errs[0].contains("Provider produced an invalid plan"),
        "{}",
        errs[0]
    );
    assert!(
        errs[0].contains(r#"the plan sets "changed-by-provider" where the configuration says "v""#),
        "{}",
        errs[0]
    );
    let path = resp.diagnostics[0]
        .attribute
        .as_ref()
        .expect("points at the attribute");
    assert_eq!(
        path.steps[0].selector,
        Some(proto::attribute_path::step::Selector::AttributeName(
            "value".into()
        ))
    );
}

#[tokio::test]
async fn apply_error_with_a_partial_object_returns_the_object() {
    let resource = FakeResource {
        create: Box::new(|r| {
            let mut half = outcome(r.planned_state, failure("Attach"));
            half.private = b"half".to_vec();
            half
        }),
        ..FakeResource::default()
    };
    let h = harness(resource);
    let config = thing(&[("name", s("a"))]);
    let planned = thing(&[
        ("name", s("a")),
        ("id", Value::unknown()),
        ("computed_val", Value::unknown()),
    ]);
    let resp = h.apply(apply_req(&Value::Null, &planned, &config)).await;
    assert_eq!(
        errors(&resp.diagnostics),
        ["Attach failed: The remote API said no."]
    );
    let state = decode(resp.new_state, &thing_type());
    assert_eq!(state.attr("name"), Some(&s("a")));
    assert_eq!(state.attr("id"), Some(&Value::Null));
    assert_eq!(resp.private, b"half");
}

#[tokio::test]
async fn apply_delete_returns_null_state() {
    let h = harness(FakeResource::default());
    let resp = h
        .apply(apply_req(&stored(), &Value::Null, &Value::Null))
        .await;
    assert!(resp.diagnostics.is_empty());
    assert_eq!(decode(resp.new_state, &thing_type()), Value::Null);
    assert!(matches!(h.resource.calls()[0], Call::Delete(_)));
}

#[tokio::test]
async fn read_of_a_vanished_object_sends_null_state_and_the_resources_private() {
    let resource = FakeResource {
        read: Box::new(|_| ReadResult {
            outcome: ReadOutcome::Gone,
            private: b"fresh".to_vec(),
            diagnostics: Diagnostics::new(),
        }),
        ..FakeResource::default()
    };
    let h = harness(resource);
    let resp = rpc!(h.service, read_resource(
        type_name: "test_thing".into(),
        current_state: dv(&stored(), &thing_type()),
        private: b"old".to_vec(),
    ));
    assert!(resp.diagnostics.is_empty());
    assert_eq!(decode(resp.new_state, &thing_type()), Value::Null);
    assert_eq!(resp.private, b"fresh");
}

#[tokio::test]
async fn import_names_the_type_and_sends_a_complete_object() {
    let h = harness(FakeResource::default());
    let resp = rpc!(h.service, import_resource_state(
        type_name: "test_thing".into(),
        id: "t-42".into(),
    ));
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    let imported = &resp.imported_resources[0];
    assert_eq!(imported.type_name, "test_thing");
    assert_eq!(imported.private, b"import-private");
    let state = decode(imported.state.clone(), &thing_type());
    assert_eq!(state, thing(&[("id", s("t-42")), ("name", s("imported"))]));
}

#[tokio::test]
async fn read_data_source_fills_computed_values() {
    let h = harness(FakeResource::default());
    let resp = read_info(&h).await;
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    let state = decode(resp.state, &info_schema().block.value_type());
    assert_eq!(state.attr("region"), Some(&s("eu-west")));
    assert_eq!(state.attr("size"), Some(&n(3)));
}

/// ReadDataSource of `test_info` with `info_config()`.
async fn read_info(h: &Harness) -> proto::read_data_source::Response {
    rpc!(h.service, read_data_source(
        type_name: "test_info".into(),
        config: dv(&info_config(), &info_schema().block.value_type()),
    ))
}

/// UpgradeResourceState of `test_thing` state stored as `json` by schema `version`.
async fn upgrade(h: &Harness, version: i64, json: &str) -> proto::upgrade_resource_state::Response {
    upgrade_raw(h, version, json.as_bytes().to_vec(), HashMap::new()).await
}

/// UpgradeResourceState of `test_thing` state in either stored form.
async fn upgrade_raw(
    h: &Harness,
    schema_version: i64,
    json: Vec<u8>,
    flatmap: HashMap<String, String>,
) -> proto::upgrade_resource_state::Response {
    rpc!(h.service, upgrade_resource_state(
        type_name: "test_thing".into(),
        version: schema_version,
        raw_state: Some(proto::RawState { json, flatmap }),
    ))
}

#[tokio::test]
async fn upgrade_fills_missing_keys_and_drops_ones_the_schema_no_longer_has() {
    let h = harness(FakeResource::default());
    let stored = r#"{"id": "t-1", "name": "a", "removed_long_ago": true}"#;
    let resp = upgrade(&h, 1, stored).await;
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    assert_eq!(
        decode(resp.upgraded_state, &thing_type()),
        thing(&[("id", s("t-1")), ("name", s("a"))])
    );
}

#[tokio::test]
async fn upgrade_refuses_state_from_a_newer_schema_and_flatmap_state() {
    let h = harness(FakeResource::default());
    let newer = upgrade(&h, 7, r#"{"id": "t-1"}"#).await;
    let flatmap = [("id".to_string(), "t-1".to_string())].into();
    let flat = upgrade_raw(&h, 0, Vec::new(), flatmap).await;
    for (resp, says) in [(newer, "schema version 7"), (flat, "Terraform 0.11")] {
        assert!(
            errors(&resp.diagnostics)[0].contains(says),
            "{:?}",
            resp.diagnostics
        );
    }
}

#[tokio::test]
async fn unknown_type_names_and_undecodable_values_are_diagnostics_not_grpc_errors() {
    let h = harness(FakeResource::default());
    let mut req = plan_req(&Value::Null, &stored(), &stored());
    req.type_name = "test_nope".into();
    let resp = h.plan(req).await;
    assert!(
        errors(&resp.diagnostics)[0].contains("\"test_nope\""),
        "{:?}",
        resp.diagnostics
    );

    let mut req = plan_req(&Value::Null, &stored(), &stored());
    req.config = Some(proto::DynamicValue {
        msgpack: vec![0x81, 0xa2, b'i'],
        json: Vec::new(),
    });
    let resp = h.plan(req).await;
    let errs = errors(&resp.diagnostics);
    assert!(
        errs[0].contains("configuration of PlanResourceChange"),
        "{errs:?}"
    );
}

/// A resource whose every operation fails.
fn failing_resource() -> FakeResource {
    FakeResource {
        validate: Box::new(|_| failure("Validate")),
        upgrade: Some(Box::new(|_| Err(failure("Upgrade")))),
        read: Box::new(|r| ReadResult {
            outcome: ReadOutcome::Present(r.state),
            private: r.private,
            diagnostics: failure("Read"),
        }),
        modify_plan: Box::new(|_| failure("Plan")),
        create: Box::new(|_| outcome(Value::Null, failure("Create"))),
        update: Box::new(|r| outcome(r.prior_state, failure("Update"))),
        delete: Box::new(|r| outcome(r.prior_state, failure("Delete"))),
        import: Box::new(|_| ImportOutcome {
            objects: Vec::new(),
            diagnostics: failure("Import"),
        }),
        ..FakeResource::default()
    }
}

/// Calls every resource RPC once and returns each one's error summaries, by RPC.
async fn call_every_resource_rpc(h: &Harness) -> Vec<(&'static str, Vec<String>)> {
    let svc = &h.service;
    let config = thing(&[("name", s("a"))]);
    let validated = rpc!(svc, validate_resource_type_config(
        type_name: "test_thing".into(),
        config: dv(&config, &thing_type()),
    ));
    let upgraded = upgrade(h, 0, r#"{"name":"a"}"#).await;
    let read = rpc!(svc, read_resource(
        type_name: "test_thing".into(),
        current_state: dv(&stored(), &thing_type()),
    ));
    let planned = h.plan(plan_req(&Value::Null, &config, &config)).await;
    let created = h.apply(apply_req(&Value::Null, &config, &config)).await;
    let updated = h.apply(apply_req(&stored(), &stored(), &config)).await;
    let deleted = h
        .apply(apply_req(&stored(), &Value::Null, &Value::Null))
        .await;
    let imported = rpc!(svc, import_resource_state(type_name: "test_thing".into(), id: "x".into()));
    vec![
        ("ValidateResourceTypeConfig", validated.diagnostics),
        ("UpgradeResourceState", upgraded.diagnostics),
        ("ReadResource", read.diagnostics),
        ("PlanResourceChange", planned.diagnostics),
        ("ApplyResourceChange (create)", created.diagnostics),
        ("ApplyResourceChange (update)", updated.diagnostics),
        ("ApplyResourceChange (delete)", deleted.diagnostics),
        ("ImportResourceState", imported.diagnostics),
    ]
    .into_iter()
    .map(|(rpc, diagnostics)| (rpc, errors(&diagnostics)))
    .collect()
}

#[tokio::test]
async fn every_resource_rpc_reports_resource_failures_as_diagnostics() {
    let h = harness(failing_resource());
    for (rpc, errs) in call_every_resource_rpc(&h).await {
        assert_eq!(errs.len(), 1, "{rpc}: {errs:?}");
        assert!(
            errs[0].ends_with("failed: The remote API said no."),
            "{rpc}: {errs:?}"
        );
    }
}

#[tokio::test]
async fn provider_and_data_source_failures_are_diagnostics() {
    let mut provider = FakeProvider::new(FakeResource::default());
    provider.validate = Box::new(|_| failure("Provider validate"));
    provider.configure = Box::new(|_| failure("Configure"));
    provider.data_source = Arc::new(FakeDataSource {
        read: Box::new(|_| (Value::Null, failure("Data read"))),
        ..FakeDataSource::default()
    });
    let h = harness_with(provider);
    let prepared = rpc!(h.service, prepare_provider_config(config: provider_config(Value::Null)));
    assert_eq!(errors(&prepared.diagnostics).len(), 1);
    let configured = rpc!(h.service, configure(
        terraform_version: "1.0.3".into(),
        config: provider_config(Value::Null),
    ));
    assert_eq!(errors(&configured.diagnostics).len(), 1);
    let r = read_info(&h).await;
    assert_eq!(
        errors(&r.diagnostics),
        ["Data read failed: The remote API said no."]
    );
}

fn panicking_resource() -> FakeResource {
    FakeResource {
        validate: Box::new(|_| panic!("validate exploded")),
        upgrade: Some(Box::new(|_| panic!("upgrade exploded"))),
        read: Box::new(|_| panic!("read exploded")),
        modify_plan: Box::new(|_| panic!("plan exploded")),
        create: Box::new(|_| panic!("create exploded")),
        update: Box::new(|_| panic!("update exploded")),
        delete: Box::new(|_| panic!("delete exploded")),
        import: Box::new(|_| panic!("import exploded")),
        ..FakeResource::default()
    }
}

#[tokio::test]
async fn a_panicking_resource_becomes_an_internal_error_and_the_service_keeps_answering() {
    let h = harness(panicking_resource());
    for (rpc, errs) in call_every_resource_rpc(&h).await {
        assert_eq!(errs.len(), 1, "{rpc}: {errs:?}");
        assert!(
            errs[0].starts_with("Provider internal error"),
            "{rpc}: {errs:?}"
        );
        assert!(
            errs[0].contains(rpc.split(' ').next().expect("rpc name")),
            "{rpc}: {errs:?}"
        );
        assert!(
            errs[0].contains("exploded") && errs[0].contains("report"),
            "{rpc}: {errs:?}"
        );
    }
    // Still serving.
    let schema = h.schema().await;
    assert!(schema.resource_schemas.contains_key("test_thing"));
}

#[tokio::test]
async fn a_provider_whose_schema_panics_gets_diagnostics_on_every_call() {
    let mut provider = FakeProvider::new(FakeResource::default());
    provider.panic_in_schema = true;
    let h = harness_with(provider);
    for _ in 0..2 {
        let resp = h.schema().await;
        assert!(errors(&resp.diagnostics)[0].contains("schema exploded"));
    }
}

#[tokio::test]
async fn stop_cancels_the_context_so_a_waiting_apply_ends_promptly() {
    let resource = FakeResource {
        create_waits_for_stop: true,
        ..FakeResource::default()
    };
    let h = harness(resource);
    let config = thing(&[("name", s("a"))]);
    let svc = h.service.clone();
    let req = apply_req(&Value::Null, &config, &config);
    let waiting = tokio::spawn(async move { svc.apply_resource_change(Request::new(req)).await });
    tokio::task::yield_now().await;
    let stop = rpc!(h.service, stop());
    assert_eq!(stop.error, "");
    assert!(h.stop.is_cancelled());
    let applied = tokio::time::timeout(Duration::from_secs(10), waiting)
        .await
        .expect("apply ends once stopped")
        .expect("task")
        .expect("ok")
        .into_inner();
    assert!(errors(&applied.diagnostics)[0].contains("Stopped"));
}

#[tokio::test]
async fn refined_unknowns_in_config_come_back_in_the_plan_byte_for_byte() {
    use tpz::cty::{Refinements, Unknown};
    let h = harness(FakeResource::default());
    // `"pre-${res.id}"` as Terraform 1.11 sends it: {1: false, 2: "pre-"}.
    let payload = vec![0x82, 0x01, 0xc2, 0x02, 0xa4, b'p', b'r', b'e', b'-'];
    let refined = Value::Unknown(Unknown {
        refinements: Some(Refinements {
            nullable: Some(false),
            string_prefix: Some("pre-".into()),
            raw: payload.clone(),
            ..Refinements::default()
        }),
    });
    let config = thing(&[("name", refined.clone()), ("value", refined)]);
    let resp = h.plan(plan_req(&Value::Null, &config, &config)).await;
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    let bytes = resp.planned_state.expect("planned state").msgpack;
    let copies = bytes
        .windows(payload.len())
        .filter(|w| *w == payload.as_slice())
        .count();
    assert_eq!(
        copies, 2,
        "both refined unknowns keep their extension payload"
    );
}

/// The one error in a reply's diagnostics, which the RPCs below must all have.
fn first_error(diags: &[proto::Diagnostic]) -> String {
    let errors = errors(diags);
    assert_eq!(errors.len(), 1, "exactly one error: {errors:?}");
    errors[0].clone()
}

#[tokio::test]
async fn every_rpc_terraform_1_12_to_1_15_can_send_gets_an_answer_not_a_grpc_error() {
    use futures_util::StreamExt;
    let h = harness(FakeResource::default());
    let s = &h.service;
    let (thing, secret, reboot) = ("test_thing", "test_secret", "test_reboot");
    let identity = Some(proto::RawState {
        json: b"{}".to_vec(),
        flatmap: Default::default(),
    });
    let mut listing = rpc!(s, list_resource(type_name: thing.into()));
    let listed = listing.next().await.expect("one event").expect("an event");
    assert!(listed.identity.is_none());
    assert!(listing.next().await.is_none(), "the error ends the listing");
    let mut invoked = rpc!(s, invoke_action(action_type: reboot.into()));
    let Some(proto::invoke_action::event::Type::Completed(done)) = invoked
        .next()
        .await
        .expect("one event")
        .expect("an event")
        .r#type
    else {
        panic!("the action completes at once");
    };

    let said = [
        rpc!(s, upgrade_resource_identity(type_name: thing.into(), raw_identity: identity))
            .diagnostics,
        rpc!(s, move_resource_state(target_type_name: thing.into())).diagnostics,
        rpc!(s, validate_ephemeral_resource_config(type_name: secret.into())).diagnostics,
        rpc!(s, open_ephemeral_resource(type_name: secret.into())).diagnostics,
        rpc!(s, renew_ephemeral_resource(type_name: secret.into())).diagnostics,
        rpc!(s, close_ephemeral_resource(type_name: secret.into())).diagnostics,
        rpc!(s, validate_list_resource_config(type_name: thing.into())).diagnostics,
        listed.diagnostic,
        rpc!(s, generate_resource_config(type_name: thing.into())).diagnostics,
        rpc!(s, validate_action_config(type_name: reboot.into())).diagnostics,
        rpc!(s, plan_action(action_type: reboot.into())).diagnostics,
        done.diagnostics,
    ];
    // The name each reply's one error must say.
    let names = [
        "identity", thing, secret, secret, secret, secret, thing, thing, thing, reboot, reboot,
        reboot,
    ];
    for (diagnostics, names) in said.iter().zip(names) {
        let said = first_error(diagnostics);
        assert!(said.contains(names), "{said:?} names {names:?}");
    }

    let functions = rpc!(s, get_functions());
    assert!(functions.functions.is_empty() && functions.diagnostics.is_empty());
    let call = rpc!(s, call_function(name: "parse_id".into()));
    let error = call.error.expect("the call fails in `error`").text;
    assert!(error.contains("no function named \"parse_id\""), "{error}");
}
