//! The tfplugin5 service, called in-process the way Terraform calls it: msgpack-encoded
//! requests in, responses decoded and checked. No network.

mod fakes;

use std::sync::Arc;
use std::time::Duration;

use fakes::*;
use tokio_util::sync::CancellationToken;
use tonic::Request;
use tpz::cty::{Type, Value, msgpack};
use tpz::framework::{ApplyOutcome, Diagnostics, ImportOutcome, ReadOutcome, ReadResult};
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

fn apply_req(
    prior: &Value,
    planned: &Value,
    config: &Value,
) -> proto::apply_resource_change::Request {
    let ty = thing_type();
    proto::apply_resource_change::Request {
        type_name: "test_thing".into(),
        prior_state: dv(prior, &ty),
        planned_state: dv(planned, &ty),
        config: dv(config, &ty),
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
        self.service
            .plan_resource_change(Request::new(req))
            .await
            .expect("never a gRPC error")
            .into_inner()
    }

    async fn apply(
        &self,
        req: proto::apply_resource_change::Request,
    ) -> proto::apply_resource_change::Response {
        self.service
            .apply_resource_change(Request::new(req))
            .await
            .expect("never a gRPC error")
            .into_inner()
    }
}

#[tokio::test]
async fn get_schema_describes_every_type_in_markdown_with_capabilities_and_no_requires_replace() {
    let h = harness(FakeResource::default());
    let resp = h
        .service
        .get_schema(Request::new(proto::get_provider_schema::Request {}))
        .await
        .expect("ok")
        .into_inner();
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
    let meta = h
        .service
        .get_metadata(Request::new(proto::get_metadata::Request {}))
        .await
        .expect("ok")
        .into_inner();
    assert_eq!(meta.resources[0].type_name, "test_thing");
    assert_eq!(meta.data_sources[0].type_name, "test_info");
    let ids = h
        .service
        .get_resource_identity_schemas(Request::new(
            proto::get_resource_identity_schemas::Request {},
        ))
        .await
        .expect("an answer, not Unimplemented")
        .into_inner();
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
    let ty = provider_schema().block.value_type();
    for (endpoint, ok) in [("https://api", true), ("ftp://x", false)] {
        let config = dv(&Value::object([("endpoint", s(endpoint))]), &ty);
        let resp = h
            .service
            .prepare_provider_config(Request::new(proto::prepare_provider_config::Request {
                config: config.clone(),
            }))
            .await
            .expect("ok")
            .into_inner();
        assert_eq!(resp.prepared_config, config);
        assert_eq!(errors(&resp.diagnostics).is_empty(), ok, "{endpoint}");
    }
}

#[tokio::test]
async fn configure_hands_the_provider_terraforms_version_and_config() {
    let h = harness(FakeResource::default());
    let ty = provider_schema().block.value_type();
    let resp = h
        .service
        .configure(Request::new(proto::configure::Request {
            terraform_version: "1.11.4".into(),
            config: dv(&Value::object([("endpoint", s("https://api"))]), &ty),
            client_capabilities: None,
        }))
        .await
        .expect("ok")
        .into_inner();
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
        let resp = h
            .service
            .validate_resource_type_config(Request::new(
                proto::validate_resource_type_config::Request {
                    type_name: "test_thing".into(),
                    config: dv(&thing(&[("name", s(name))]), &thing_type()),
                    client_capabilities: None,
                },
            ))
            .await
            .expect("ok")
            .into_inner();
        assert_eq!(errors(&resp.diagnostics).len(), want_errors, "{name}");
    }
    let info = info_schema().block.value_type();
    let resp = h
        .service
        .validate_data_source_config(Request::new(proto::validate_data_source_config::Request {
            type_name: "test_info".into(),
            config: dv(
                &Value::object([
                    ("name", s("x")),
                    ("region", Value::Null),
                    ("size", Value::Null),
                ]),
                &info,
            ),
        }))
        .await
        .expect("ok")
        .into_inner();
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
        create: Box::new(|r| ApplyOutcome {
            new_state: r.planned_state,
            private: b"half".to_vec(),
            diagnostics: failure("Attach"),
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
    let resp = h
        .service
        .read_resource(Request::new(proto::read_resource::Request {
            type_name: "test_thing".into(),
            current_state: dv(&stored(), &thing_type()),
            private: b"old".to_vec(),
            ..Default::default()
        }))
        .await
        .expect("ok")
        .into_inner();
    assert!(resp.diagnostics.is_empty());
    assert_eq!(decode(resp.new_state, &thing_type()), Value::Null);
    assert_eq!(resp.private, b"fresh");
}

#[tokio::test]
async fn import_names_the_type_and_sends_a_complete_object() {
    let h = harness(FakeResource::default());
    let resp = h
        .service
        .import_resource_state(Request::new(proto::import_resource_state::Request {
            type_name: "test_thing".into(),
            id: "t-42".into(),
            ..Default::default()
        }))
        .await
        .expect("ok")
        .into_inner();
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
    let ty = info_schema().block.value_type();
    let config = Value::object([
        ("name", s("x")),
        ("region", Value::Null),
        ("size", Value::Null),
    ]);
    let resp = h
        .service
        .read_data_source(Request::new(proto::read_data_source::Request {
            type_name: "test_info".into(),
            config: dv(&config, &ty),
            ..Default::default()
        }))
        .await
        .expect("ok")
        .into_inner();
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    let state = decode(resp.state, &ty);
    assert_eq!(state.attr("region"), Some(&s("eu-west")));
    assert_eq!(state.attr("size"), Some(&n(3)));
}

fn upgrade_req(version: i64, json: &str) -> proto::upgrade_resource_state::Request {
    proto::upgrade_resource_state::Request {
        type_name: "test_thing".into(),
        version,
        raw_state: Some(proto::RawState {
            json: json.as_bytes().to_vec(),
            flatmap: Default::default(),
        }),
    }
}

#[tokio::test]
async fn upgrade_fills_missing_keys_and_drops_ones_the_schema_no_longer_has() {
    let h = harness(FakeResource::default());
    let resp = h
        .service
        .upgrade_resource_state(Request::new(upgrade_req(
            1,
            r#"{"id": "t-1", "name": "a", "removed_long_ago": true}"#,
        )))
        .await
        .expect("ok")
        .into_inner();
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    assert_eq!(
        decode(resp.upgraded_state, &thing_type()),
        thing(&[("id", s("t-1")), ("name", s("a"))])
    );
}

#[tokio::test]
async fn upgrade_refuses_state_from_a_newer_schema_and_flatmap_state() {
    let h = harness(FakeResource::default());
    let resp = h
        .service
        .upgrade_resource_state(Request::new(upgrade_req(7, r#"{"id": "t-1"}"#)))
        .await
        .expect("ok")
        .into_inner();
    assert!(
        errors(&resp.diagnostics)[0].contains("schema version 7"),
        "{:?}",
        resp.diagnostics
    );

    let mut flat = upgrade_req(0, "");
    flat.raw_state = Some(proto::RawState {
        json: Vec::new(),
        flatmap: [("id".to_string(), "t-1".to_string())].into(),
    });
    let resp = h
        .service
        .upgrade_resource_state(Request::new(flat))
        .await
        .expect("ok")
        .into_inner();
    assert!(
        errors(&resp.diagnostics)[0].contains("Terraform 0.11"),
        "{:?}",
        resp.diagnostics
    );
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
        create: Box::new(|_| ApplyOutcome {
            new_state: Value::Null,
            private: Vec::new(),
            diagnostics: failure("Create"),
        }),
        update: Box::new(|r| ApplyOutcome {
            new_state: r.prior_state,
            private: Vec::new(),
            diagnostics: failure("Update"),
        }),
        delete: Box::new(|r| ApplyOutcome {
            new_state: r.prior_state,
            private: Vec::new(),
            diagnostics: failure("Delete"),
        }),
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
    let ty = thing_type();
    let config = thing(&[("name", s("a"))]);
    let mut out = Vec::new();
    let r = svc
        .validate_resource_type_config(Request::new(
            proto::validate_resource_type_config::Request {
                type_name: "test_thing".into(),
                config: dv(&config, &ty),
                client_capabilities: None,
            },
        ))
        .await
        .expect("ok")
        .into_inner();
    out.push(("ValidateResourceTypeConfig", errors(&r.diagnostics)));
    let r = svc
        .upgrade_resource_state(Request::new(upgrade_req(0, r#"{"name":"a"}"#)))
        .await
        .expect("ok")
        .into_inner();
    out.push(("UpgradeResourceState", errors(&r.diagnostics)));
    let r = svc
        .read_resource(Request::new(proto::read_resource::Request {
            type_name: "test_thing".into(),
            current_state: dv(&stored(), &ty),
            ..Default::default()
        }))
        .await
        .expect("ok")
        .into_inner();
    out.push(("ReadResource", errors(&r.diagnostics)));
    let r = h.plan(plan_req(&Value::Null, &config, &config)).await;
    out.push(("PlanResourceChange", errors(&r.diagnostics)));
    let r = h.apply(apply_req(&Value::Null, &config, &config)).await;
    out.push(("ApplyResourceChange (create)", errors(&r.diagnostics)));
    let r = h.apply(apply_req(&stored(), &stored(), &config)).await;
    out.push(("ApplyResourceChange (update)", errors(&r.diagnostics)));
    let r = h
        .apply(apply_req(&stored(), &Value::Null, &Value::Null))
        .await;
    out.push(("ApplyResourceChange (delete)", errors(&r.diagnostics)));
    let r = svc
        .import_resource_state(Request::new(proto::import_resource_state::Request {
            type_name: "test_thing".into(),
            id: "x".into(),
            ..Default::default()
        }))
        .await
        .expect("ok")
        .into_inner();
    out.push(("ImportResourceState", errors(&r.diagnostics)));
    out
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
    let pty = provider_schema().block.value_type();
    let pconfig = dv(&Value::object([("endpoint", Value::Null)]), &pty);
    let r = h
        .service
        .prepare_provider_config(Request::new(proto::prepare_provider_config::Request {
            config: pconfig.clone(),
        }))
        .await
        .expect("ok")
        .into_inner();
    assert_eq!(errors(&r.diagnostics).len(), 1);
    let r = h
        .service
        .configure(Request::new(proto::configure::Request {
            terraform_version: "1.0.3".into(),
            config: pconfig,
            client_capabilities: None,
        }))
        .await
        .expect("ok")
        .into_inner();
    assert_eq!(errors(&r.diagnostics).len(), 1);
    let ity = info_schema().block.value_type();
    let r = h
        .service
        .read_data_source(Request::new(proto::read_data_source::Request {
            type_name: "test_info".into(),
            config: dv(
                &Value::object([
                    ("name", s("x")),
                    ("region", Value::Null),
                    ("size", Value::Null),
                ]),
                &ity,
            ),
            ..Default::default()
        }))
        .await
        .expect("ok")
        .into_inner();
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
    let schema = h
        .service
        .get_schema(Request::new(proto::get_provider_schema::Request {}))
        .await
        .expect("still serving")
        .into_inner();
    assert!(schema.resource_schemas.contains_key("test_thing"));
}

#[tokio::test]
async fn a_provider_whose_schema_panics_gets_diagnostics_on_every_call() {
    let mut provider = FakeProvider::new(FakeResource::default());
    provider.panic_in_schema = true;
    let h = harness_with(provider);
    for _ in 0..2 {
        let resp = h
            .service
            .get_schema(Request::new(proto::get_provider_schema::Request {}))
            .await
            .expect("an answer")
            .into_inner();
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
    let stop = h
        .service
        .stop(Request::new(proto::stop::Request {}))
        .await
        .expect("ok")
        .into_inner();
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

/// The first error summary of a reply, which the RPCs below must all have.
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
    let mut said = Vec::new();
    let ok = "an answer, not a gRPC error";

    let r = s
        .upgrade_resource_identity(Request::new(proto::upgrade_resource_identity::Request {
            type_name: "test_thing".into(),
            version: 0,
            raw_identity: Some(proto::RawState {
                json: b"{}".to_vec(),
                flatmap: Default::default(),
            }),
        }))
        .await
        .expect(ok)
        .into_inner();
    said.push(first_error(&r.diagnostics));
    let r = s
        .move_resource_state(Request::new(proto::move_resource_state::Request {
            target_type_name: "test_thing".into(),
            ..Default::default()
        }))
        .await
        .expect(ok)
        .into_inner();
    said.push(first_error(&r.diagnostics));
    let r = s
        .validate_ephemeral_resource_config(Request::new(
            proto::validate_ephemeral_resource_config::Request {
                type_name: "test_secret".into(),
                config: None,
            },
        ))
        .await
        .expect(ok)
        .into_inner();
    said.push(first_error(&r.diagnostics));
    let r = s
        .open_ephemeral_resource(Request::new(proto::open_ephemeral_resource::Request {
            type_name: "test_secret".into(),
            ..Default::default()
        }))
        .await
        .expect(ok)
        .into_inner();
    said.push(first_error(&r.diagnostics));
    let r = s
        .renew_ephemeral_resource(Request::new(proto::renew_ephemeral_resource::Request {
            type_name: "test_secret".into(),
            private: None,
        }))
        .await
        .expect(ok)
        .into_inner();
    said.push(first_error(&r.diagnostics));
    let r = s
        .close_ephemeral_resource(Request::new(proto::close_ephemeral_resource::Request {
            type_name: "test_secret".into(),
            private: None,
        }))
        .await
        .expect(ok)
        .into_inner();
    said.push(first_error(&r.diagnostics));
    let r = s
        .validate_list_resource_config(Request::new(
            proto::validate_list_resource_config::Request {
                type_name: "test_thing".into(),
                ..Default::default()
            },
        ))
        .await
        .expect(ok)
        .into_inner();
    said.push(first_error(&r.diagnostics));
    let mut events = s
        .list_resource(Request::new(proto::list_resource::Request {
            type_name: "test_thing".into(),
            ..Default::default()
        }))
        .await
        .expect(ok)
        .into_inner();
    let event = events.next().await.expect("one event").expect(ok);
    assert!(event.identity.is_none());
    said.push(first_error(&event.diagnostic));
    assert!(events.next().await.is_none(), "the error ends the listing");
    let r = s
        .generate_resource_config(Request::new(proto::generate_resource_config::Request {
            type_name: "test_thing".into(),
            state: None,
        }))
        .await
        .expect(ok)
        .into_inner();
    said.push(first_error(&r.diagnostics));
    let r = s
        .validate_action_config(Request::new(proto::validate_action_config::Request {
            type_name: "test_reboot".into(),
            config: None,
        }))
        .await
        .expect(ok)
        .into_inner();
    said.push(first_error(&r.diagnostics));
    let r = s
        .plan_action(Request::new(proto::plan_action::Request {
            action_type: "test_reboot".into(),
            ..Default::default()
        }))
        .await
        .expect(ok)
        .into_inner();
    said.push(first_error(&r.diagnostics));
    let mut events = s
        .invoke_action(Request::new(proto::invoke_action::Request {
            action_type: "test_reboot".into(),
            ..Default::default()
        }))
        .await
        .expect(ok)
        .into_inner();
    let Some(proto::invoke_action::event::Type::Completed(done)) =
        events.next().await.expect("one event").expect(ok).r#type
    else {
        panic!("the action completes at once");
    };
    said.push(first_error(&done.diagnostics));

    let functions = s
        .get_functions(Request::new(proto::get_functions::Request {}))
        .await
        .expect(ok)
        .into_inner();
    assert!(functions.functions.is_empty() && functions.diagnostics.is_empty());
    let call = s
        .call_function(Request::new(proto::call_function::Request {
            name: "parse_id".into(),
            arguments: Vec::new(),
        }))
        .await
        .expect(ok)
        .into_inner();
    let error = call.error.expect("the call fails in `error`").text;
    assert!(error.contains("no function named \"parse_id\""), "{error}");

    for (said, names) in said.iter().zip([
        "identity",
        "test_thing",
        "test_secret",
        "test_secret",
        "test_secret",
        "test_secret",
        "test_thing",
        "test_thing",
        "test_thing",
        "test_reboot",
        "test_reboot",
        "test_reboot",
    ]) {
        assert!(said.contains(names), "{said:?} names {names:?}");
    }
}
