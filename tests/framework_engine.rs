//! The framework's generic engine: how it drafts plans, dispatches applies, and holds a
//! resource to Terraform's rules, with a fake resource standing in for a real one.

mod fakes;

use std::sync::Arc;

use fakes::*;
use tpz::cty::{Refinements, Unknown, Value};
use tpz::framework::{
    ApplyOutcome, ApplyRequest, AttributePath, Context, CreateRequest, DataSourceType, Diagnostics,
    ImportOutcome, ImportRequest, ImportedObject, PlanKind, PlanOutcome, PlanRequest,
    ReadDataRequest, ReadOutcome, ReadRequest, ReadResult, Registry, UpgradeRequest,
};

fn engine(resource: FakeResource) -> (Registry, Arc<FakeResource>) {
    let provider = FakeProvider::new(resource);
    let handle = provider.resource.clone();
    (Registry::new(Arc::new(provider)), handle)
}

async fn plan(registry: &Registry, req: PlanRequest) -> PlanOutcome {
    let rt = registry
        .resource("test_thing")
        .expect("test_thing is registered");
    rt.plan(&Context::default(), req).await
}

async fn apply(registry: &Registry, req: ApplyRequest) -> ApplyOutcome {
    let rt = registry
        .resource("test_thing")
        .expect("test_thing is registered");
    rt.apply(&Context::default(), req).await
}

fn create_plan(config: Value) -> PlanRequest {
    PlanRequest {
        pass: tpz::framework::PlanPass::Review,
        prior_state: Value::Null,
        proposed_new_state: config.clone(),
        config,
        prior_private: Vec::new(),
    }
}

/// An update plan as Terraform proposes it: config, with computed values the config leaves
/// null taken from the prior state.
fn update_plan(prior: &Value, config: Value) -> PlanRequest {
    let mut proposed = config.clone();
    for k in ["id", "computed_val"] {
        if proposed.attr(k).is_some_and(Value::is_null) {
            *proposed.attr_mut(k).expect("computed key") =
                prior.attr(k).expect("computed key").clone();
        }
    }
    PlanRequest {
        pass: tpz::framework::PlanPass::Review,
        prior_state: prior.clone(),
        proposed_new_state: proposed,
        config,
        prior_private: b"stored-private".to_vec(),
    }
}

/// An apply of `planned` over `prior`, with no planned private data.
fn apply_req(prior: Value, planned: Value, config: Value) -> ApplyRequest {
    ApplyRequest {
        prior_state: prior,
        planned_state: planned,
        config,
        planned_private: Vec::new(),
    }
}

/// What the engine makes of the create of `planned` (configured as `config`) by a resource
/// whose create is `create`.
async fn created_by(
    create: impl Fn(CreateRequest) -> ApplyOutcome + Send + Sync + 'static,
    planned: Value,
    config: Value,
) -> ApplyOutcome {
    let (registry, _) = engine(FakeResource {
        create: Box::new(create),
        ..FakeResource::default()
    });
    apply(&registry, apply_req(Value::Null, planned, config)).await
}

fn stored() -> Value {
    thing(&[
        ("id", s("t-1")),
        ("name", s("a")),
        ("value", s("v")),
        ("computed_val", s("filled")),
    ])
}

fn errors(d: &Diagnostics) -> Vec<String> {
    d.iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{}: {}", d.summary, d.detail))
        .collect()
}

#[tokio::test]
async fn create_plan_marks_computed_attributes_left_null_unknown() {
    let (registry, res) = engine(FakeResource::default());
    let config = thing(&[
        ("name", s("a")),
        ("rule", Value::List(vec![rule(80, Value::Null)])),
    ]);
    let out = plan(&registry, create_plan(config)).await;
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    let p = &out.planned_state;
    assert!(p.attr("id").unwrap().is_unknown());
    assert!(p.attr("computed_val").unwrap().is_unknown());
    assert!(
        p.attr("value").unwrap().is_null(),
        "optional, not computed: stays null"
    );
    let Value::List(rules) = p.attr("rule").unwrap() else {
        panic!()
    };
    assert!(rules[0].attr("rule_id").unwrap().is_unknown());
    assert_eq!(res.plans_seen()[0].kind, PlanKind::Create);
}

#[tokio::test]
async fn create_plan_keeps_configured_computed_values_and_refined_unknowns() {
    let (registry, _) = engine(FakeResource::default());
    let refined = Value::Unknown(Unknown {
        refinements: Some(Refinements {
            nullable: Some(false),
            string_prefix: Some("pre-".into()),
            raw: vec![0x82, 0x01, 0xc2, 0x02, 0xa4, b'p', b'r', b'e', b'-'],
            ..Refinements::default()
        }),
    });
    let config = thing(&[("name", refined.clone()), ("computed_val", s("mine"))]);
    let out = plan(&registry, create_plan(config)).await;
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    assert_eq!(out.planned_state.attr("computed_val"), Some(&s("mine")));
    assert_eq!(out.planned_state.attr("name"), Some(&refined));
}

#[tokio::test]
async fn destroy_plan_is_null_keeps_private_and_does_not_ask_the_resource() {
    let (registry, res) = engine(FakeResource::default());
    let out = plan(
        &registry,
        PlanRequest {
            pass: tpz::framework::PlanPass::Review,
            prior_state: stored(),
            proposed_new_state: Value::Null,
            config: Value::Null,
            prior_private: b"keep".to_vec(),
        },
    )
    .await;
    assert!(out.planned_state.is_null());
    assert_eq!(out.planned_private, b"keep");
    assert!(res.calls().is_empty());
}

#[tokio::test]
async fn changed_requires_replace_attribute_plans_a_replacement() {
    let (registry, res) = engine(FakeResource::default());
    let config = thing(&[("name", s("b")), ("value", s("v"))]);
    let out = plan(&registry, update_plan(&stored(), config)).await;
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    assert_eq!(out.requires_replace, [AttributePath::root("name")]);
    assert!(
        out.planned_state.attr("id").unwrap().is_unknown(),
        "new object, new id"
    );
    assert!(out.planned_state.attr("computed_val").unwrap().is_unknown());
    assert_eq!(res.plans_seen()[0].kind, PlanKind::Replace);
}

#[tokio::test]
async fn unknown_requires_replace_value_counts_as_a_change() {
    let (registry, _) = engine(FakeResource::default());
    let config = thing(&[("name", Value::unknown()), ("value", s("v"))]);
    let out = plan(&registry, update_plan(&stored(), config)).await;
    assert_eq!(out.requires_replace, [AttributePath::root("name")]);
}

#[tokio::test]
async fn create_half_of_a_replacement_receives_the_first_plans_private() {
    let resource = FakeResource {
        modify_plan: Box::new(|c| {
            c.planned_private = b"from-first-plan".to_vec();
            Diagnostics::new()
        }),
        ..FakeResource::default()
    };
    let (registry, res) = engine(resource);
    let config = thing(&[("name", s("b")), ("value", s("v"))]);
    let first = plan(&registry, update_plan(&stored(), config.clone())).await;
    let mut second = create_plan(config);
    second.prior_private = first.planned_private;
    plan(&registry, second).await;
    let seen = res.plans_seen();
    assert_eq!(seen[1].kind, PlanKind::Create);
    assert_eq!(seen[1].prior_private, b"from-first-plan");
}

#[tokio::test]
async fn unchanged_object_plans_noop_and_still_asks_the_resource() {
    let (registry, res) = engine(FakeResource::default());
    let config = thing(&[("name", s("a")), ("value", s("v"))]);
    let out = plan(&registry, update_plan(&stored(), config)).await;
    assert_eq!(out.planned_state, stored());
    assert_eq!(out.planned_private, b"stored-private");
    assert_eq!(res.plans_seen()[0].kind, PlanKind::NoOp);
}

#[tokio::test]
async fn in_place_update_keeps_prior_computed_values() {
    let (registry, res) = engine(FakeResource::default());
    let config = thing(&[("name", s("a")), ("value", s("w"))]);
    let out = plan(&registry, update_plan(&stored(), config)).await;
    assert!(out.requires_replace.is_empty());
    assert_eq!(out.planned_state.attr("id"), Some(&s("t-1")));
    assert_eq!(res.plans_seen()[0].kind, PlanKind::Update);
}

#[tokio::test]
async fn resource_changing_a_configured_value_is_caught_with_a_clear_message() {
    let (registry, _) = engine(FakeResource::setting_in_plan(vec![(
        "value",
        s("changed-by-provider"),
    )]));
    let out = plan(
        &registry,
        create_plan(thing(&[("name", s("a")), ("value", s("v"))])),
    )
    .await;
    let d = out.diagnostics.iter().next().expect("an error");
    assert!(d.is_error());
    assert_eq!(d.path, Some(AttributePath::root("value")));
    assert!(
        d.detail.contains(r#""changed-by-provider""#),
        "{}",
        d.detail
    );
    assert!(
        d.detail.contains(r#"configuration says "v""#),
        "{}",
        d.detail
    );
    assert!(d.detail.contains("bug in the provider"), "{}", d.detail);
}

#[tokio::test]
async fn resource_setting_an_unset_non_computed_attribute_is_caught_without_leaking_secrets() {
    let (registry, _) = engine(FakeResource::setting_in_plan(vec![(
        "secret",
        s("hunter2"),
    )]));
    let out = plan(&registry, create_plan(thing(&[("name", s("a"))]))).await;
    let errs = errors(&out.diagnostics);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].contains("not computed"), "{}", errs[0]);
    assert!(!errs[0].contains("hunter2"), "{}", errs[0]);
}

#[tokio::test]
async fn resource_may_fill_computed_values_and_optional_computed_ones_left_unset() {
    let (registry, _) = engine(FakeResource::setting_in_plan(vec![
        ("id", s("known-early")),
        ("computed_val", s("default")),
    ]));
    let out = plan(&registry, create_plan(thing(&[("name", s("a"))]))).await;
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    assert_eq!(out.planned_state.attr("id"), Some(&s("known-early")));
}

#[tokio::test]
async fn resource_overriding_a_configured_optional_computed_value_is_caught() {
    let (registry, _) = engine(FakeResource::setting_in_plan(vec![(
        "computed_val",
        s("other"),
    )]));
    let config = thing(&[("name", s("a")), ("computed_val", s("mine"))]);
    let out = plan(&registry, create_plan(config)).await;
    assert_eq!(errors(&out.diagnostics).len(), 1);
}

#[tokio::test]
async fn resource_dropping_or_blanking_nested_blocks_is_caught() {
    let config = thing(&[
        ("name", s("a")),
        ("rule", Value::List(vec![rule(80, Value::Null)])),
    ]);
    for (what, bad) in [("null", Value::Null), ("unknown", Value::unknown())] {
        let (registry, _) = engine(FakeResource::setting_in_plan(vec![("rule", bad)]));
        let out = plan(&registry, create_plan(config.clone())).await;
        let errs = errors(&out.diagnostics);
        assert_eq!(errs.len(), 1, "{what}: {errs:?}");
        assert_eq!(
            out.diagnostics.iter().next().unwrap().path,
            Some(AttributePath::root("rule"))
        );
    }
}

#[tokio::test]
async fn resource_reporting_replacement_for_a_missing_attribute_is_caught() {
    let resource = FakeResource {
        modify_plan: Box::new(|c| {
            c.requires_replace
                .push(AttributePath::root("no_such_thing"));
            Diagnostics::new()
        }),
        ..FakeResource::default()
    };
    let (registry, _) = engine(resource);
    let config = thing(&[("name", s("a")), ("value", s("w"))]);
    let out = plan(&registry, update_plan(&stored(), config)).await;
    let errs = errors(&out.diagnostics);
    assert!(errs[0].contains("no_such_thing"), "{errs:?}");
}

#[tokio::test]
async fn plan_errors_from_the_resource_are_passed_through_without_rule_noise() {
    let resource = FakeResource {
        modify_plan: Box::new(|c| {
            *c.planned_state.attr_mut("value").unwrap() = s("whatever");
            failure("Plan check")
        }),
        ..FakeResource::default()
    };
    let (registry, _) = engine(resource);
    let out = plan(&registry, create_plan(thing(&[("name", s("a"))]))).await;
    assert_eq!(
        errors(&out.diagnostics),
        ["Plan check failed: The remote API said no."]
    );
}

#[tokio::test]
async fn apply_dispatches_create_update_and_delete_by_nullness() {
    let (registry, res) = engine(FakeResource::default());
    let planned = thing(&[("id", Value::unknown()), ("name", s("a"))]);
    let mut create = apply_req(Value::Null, planned, thing(&[("name", s("a"))]));
    create.planned_private = b"pp".to_vec();
    let created = apply(&registry, create).await;
    assert!(created.diagnostics.is_empty(), "{:?}", created.diagnostics);
    assert_eq!(created.new_state.attr("id"), Some(&s("gen-id")));
    let updated = apply(
        &registry,
        apply_req(
            created.new_state.clone(),
            created.new_state.clone(),
            thing(&[("name", s("a"))]),
        ),
    )
    .await;
    assert!(updated.diagnostics.is_empty());
    let deleted = apply(
        &registry,
        apply_req(updated.new_state, Value::Null, Value::Null),
    )
    .await;
    assert!(deleted.new_state.is_null() && deleted.diagnostics.is_empty());
    let ops: Vec<&str> = res
        .calls()
        .iter()
        .map(|c| match c {
            Call::Create(r) => {
                assert_eq!(r.planned_private, b"pp");
                "create"
            }
            Call::Update(_) => "update",
            Call::Delete(_) => "delete",
            _ => "other",
        })
        .collect();
    assert_eq!(ops, ["create", "update", "delete"]);
}

#[tokio::test]
async fn failed_create_with_partial_state_returns_that_state_for_terraform_to_keep() {
    let out = created_by(
        // id still unknown: the create broke half-way
        |r| outcome(r.planned_state, failure("Attach")),
        thing(&[("id", Value::unknown()), ("name", s("a"))]),
        thing(&[("name", s("a"))]),
    )
    .await;
    assert_eq!(
        errors(&out.diagnostics),
        ["Attach failed: The remote API said no."]
    );
    assert_eq!(out.new_state.attr("name"), Some(&s("a")));
    assert_eq!(
        out.new_state.attr("id"),
        Some(&Value::Null),
        "unknown stored as null"
    );
}

#[tokio::test]
async fn successful_apply_that_leaves_unknowns_is_reported() {
    let out = created_by(
        |r| outcome(r.planned_state, Diagnostics::new()),
        thing(&[("id", Value::unknown()), ("name", s("a"))]),
        thing(&[("name", s("a"))]),
    )
    .await;
    let errs = errors(&out.diagnostics);
    assert!(
        errs[0].contains("left these values unknown: id"),
        "{errs:?}"
    );
    assert_eq!(out.new_state.attr("id"), Some(&Value::Null));
}

#[tokio::test]
async fn successful_apply_that_changes_a_planned_value_is_reported_at_its_path() {
    let out = created_by(
        |r| {
            let mut v = fill_unknowns(r.planned_state);
            *v.attr_mut("value").unwrap() = s("apply-changed");
            outcome(v, Diagnostics::new())
        },
        thing(&[
            ("id", Value::unknown()),
            ("name", s("a")),
            ("value", s("v")),
        ]),
        thing(&[("name", s("a")), ("value", s("v"))]),
    )
    .await;
    let d = out.diagnostics.iter().next().expect("an error");
    assert_eq!(d.path, Some(AttributePath::root("value")));
    assert!(
        d.detail
            .contains(r#"is "apply-changed" but the plan promised "v""#),
        "{}",
        d.detail
    );
    assert_eq!(
        out.new_state.attr("value"),
        Some(&s("apply-changed")),
        "kept, to be tainted"
    );
}

#[tokio::test]
async fn successful_create_without_state_is_reported() {
    let out = created_by(
        |_| outcome(Value::Null, Diagnostics::new()),
        thing(&[("name", s("a"))]),
        thing(&[("name", s("a"))]),
    )
    .await;
    assert!(errors(&out.diagnostics)[0].contains("returned no object"));
}

#[tokio::test]
async fn successful_delete_that_returns_an_object_is_reported() {
    let resource = FakeResource {
        delete: Box::new(|r| outcome(r.prior_state, Diagnostics::new())),
        ..FakeResource::default()
    };
    let (registry, _) = engine(resource);
    let out = apply(&registry, apply_req(stored(), Value::Null, Value::Null)).await;
    assert!(errors(&out.diagnostics)[0].contains("still returned an object"));
    assert_eq!(out.new_state, stored());
}

#[tokio::test]
async fn read_of_a_vanished_object_is_gone_and_the_resource_private_is_kept() {
    let resource = FakeResource {
        read: Box::new(|_| ReadResult {
            outcome: ReadOutcome::Gone,
            private: b"new-private".to_vec(),
            diagnostics: Diagnostics::new(),
        }),
        ..FakeResource::default()
    };
    let (registry, _) = engine(resource);
    let rt = registry.resource("test_thing").unwrap();
    let out = rt
        .read(
            &Context::default(),
            ReadRequest {
                state: stored(),
                private: b"old".to_vec(),
            },
        )
        .await;
    assert_eq!(out.outcome, ReadOutcome::Gone);
    assert_eq!(out.private, b"new-private");
}

#[tokio::test]
async fn read_result_gets_every_schema_key_and_unknowns_are_refused() {
    let partial = Value::object([("id", s("t-1")), ("name", s("a"))]);
    let resource = FakeResource {
        read: Box::new(move |r| ReadResult {
            outcome: ReadOutcome::Present(if r.private == b"unknown" {
                Value::object([("id", Value::unknown())])
            } else {
                partial.clone()
            }),
            private: r.private,
            diagnostics: Diagnostics::new(),
        }),
        ..FakeResource::default()
    };
    let (registry, _) = engine(resource);
    let rt = registry.resource("test_thing").unwrap();
    let ctx = Context::default();
    let req = |private: &[u8]| ReadRequest {
        state: stored(),
        private: private.to_vec(),
    };
    let out = rt.read(&ctx, req(b"")).await;
    assert_eq!(
        out.outcome,
        ReadOutcome::Present(thing(&[("id", s("t-1")), ("name", s("a"))]))
    );
    let out = rt.read(&ctx, req(b"unknown")).await;
    assert!(errors(&out.diagnostics)[0].contains("unknown values for id"));
    assert_eq!(
        out.outcome,
        ReadOutcome::Present(stored()),
        "state sent is kept"
    );
}

#[tokio::test]
async fn import_returns_complete_objects_and_reports_empty_or_null_results() {
    let (registry, _) = engine(FakeResource::default());
    let rt = registry.resource("test_thing").unwrap();
    let ctx = Context::default();
    let id = |s: &str| ImportRequest { id: s.into() };
    let out = rt.import(&ctx, id("t-9")).await;
    assert_eq!(
        out.objects[0].state,
        thing(&[("id", s("t-9")), ("name", s("imported"))])
    );
    assert_eq!(out.objects[0].private, b"import-private");

    for (objects, expect) in [
        (vec![], "returned no object"),
        (
            vec![ImportedObject {
                state: Value::Null,
                private: Vec::new(),
            }],
            "null object",
        ),
    ] {
        let resource = FakeResource {
            import: Box::new(move |_| ImportOutcome {
                objects: objects.clone(),
                diagnostics: Diagnostics::new(),
            }),
            ..FakeResource::default()
        };
        let (registry, _) = engine(resource);
        let rt = registry.resource("test_thing").unwrap();
        let out = rt.import(&ctx, id("x")).await;
        assert!(
            errors(&out.diagnostics).concat().contains(expect),
            "{:?}",
            out.diagnostics
        );
    }
}

#[tokio::test]
async fn upgrade_refuses_newer_versions_before_asking_the_resource() {
    let (registry, res) = engine(FakeResource::default());
    let rt = registry.resource("test_thing").unwrap();
    let err = rt
        .upgrade(
            &Context::default(),
            UpgradeRequest {
                version: 2,
                json: b"{}".to_vec(),
            },
        )
        .await
        .unwrap_err();
    assert!(errors(&err)[0].contains("schema version 2"), "{err:?}");
    assert!(res.calls().is_empty());
}

#[tokio::test]
async fn upgrade_result_is_normalized_to_the_current_schema() {
    let resource = FakeResource {
        upgrade: Some(Box::new(|_| {
            Ok(Value::object([
                ("id", s("t-1")),
                ("name", s("a")),
                ("gone", s("x")),
            ]))
        })),
        ..FakeResource::default()
    };
    let (registry, _) = engine(resource);
    let rt = registry.resource("test_thing").unwrap();
    let v = rt
        .upgrade(
            &Context::default(),
            UpgradeRequest {
                version: 0,
                json: Vec::new(),
            },
        )
        .await
        .unwrap();
    assert_eq!(v, thing(&[("id", s("t-1")), ("name", s("a"))]));
}

fn data_source(ds: FakeDataSource) -> Registry {
    let mut provider = FakeProvider::new(FakeResource::default());
    provider.data_source = Arc::new(ds);
    Registry::new(Arc::new(provider))
}

async fn read_data(ds: &DataSourceType, config: Value) -> (Value, Diagnostics) {
    ds.read(&Context::default(), ReadDataRequest { config })
        .await
}

#[tokio::test]
async fn data_source_result_keeps_configuration_and_must_be_known() {
    let config = Value::object([
        ("name", s("x")),
        ("region", Value::Null),
        ("size", Value::Null),
    ]);
    let registry = data_source(FakeDataSource::default());
    let ds = registry.data_source("test_info").unwrap();
    let (v, d) = read_data(ds, config.clone()).await;
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(v.attr("region"), Some(&s("eu-west")));

    let registry = data_source(FakeDataSource {
        read: Box::new(|r| {
            let mut v = r.config;
            *v.attr_mut("name").unwrap() = s("renamed");
            *v.attr_mut("size").unwrap() = n(1);
            (v, Diagnostics::new())
        }),
        ..FakeDataSource::default()
    });
    let (v, d) = read_data(registry.data_source("test_info").unwrap(), config.clone()).await;
    assert!(errors(&d)[0].contains(r#"configuration says "x""#), "{d:?}");
    assert!(v.is_null());

    let registry = data_source(FakeDataSource {
        read: Box::new(|r| (r.config, Diagnostics::new())),
        ..FakeDataSource::default()
    });
    let unknown_config = Value::object([
        ("name", s("x")),
        ("region", s("r")),
        ("size", Value::unknown()),
    ]);
    let (_, d) = read_data(registry.data_source("test_info").unwrap(), unknown_config).await;
    assert!(errors(&d)[0].contains("unknown values for size"), "{d:?}");
}

#[tokio::test]
async fn unknown_type_names_are_errors_that_name_the_type_and_the_known_ones() {
    let (registry, _) = engine(FakeResource::default());
    let Err(d) = registry.resource("test_nope") else {
        panic!()
    };
    assert!(
        d.detail.contains("\"test_nope\"") && d.detail.contains("test_thing"),
        "{d:?}"
    );
    let Err(d) = registry.data_source("test_thing") else {
        panic!()
    };
    assert!(d.detail.contains("test_info"), "{d:?}");
}

/// A resource whose plan checks always fail, as an attachment's do when its NIC is held.
fn failing_plan_checks() -> FakeResource {
    FakeResource {
        modify_plan: Box::new(|c| {
            let mut d = Diagnostics::new();
            d.warning("Heads up", "a warning stays in the plan");
            d.push(
                tpz::framework::Diagnostic::error("The NIC is held", "by the old object")
                    .at(AttributePath::root("name")),
            );
            if c.kind == PlanKind::Create {
                c.planned_private = b"resource-private".to_vec();
            }
            d
        }),
        ..FakeResource::default()
    }
}

#[tokio::test]
async fn the_plan_a_person_reviews_reports_plan_errors_as_errors() {
    let (registry, _) = engine(failing_plan_checks());
    for pass in [
        tpz::framework::PlanPass::Review,
        tpz::framework::PlanPass::Unknown,
    ] {
        let mut req = create_plan(thing(&[("name", s("a"))]));
        req.pass = pass;
        let out = plan(&registry, req).await;
        assert_eq!(errors(&out.diagnostics).len(), 1, "{pass:?}");
    }
}

#[tokio::test]
async fn errors_of_the_final_plan_of_a_create_fail_the_create_without_an_object_or_a_call() {
    let (registry, res) = engine(failing_plan_checks());
    let config = thing(&[("name", s("a"))]);
    let mut req = create_plan(config.clone());
    req.pass = tpz::framework::PlanPass::Final;
    let planned = plan(&registry, req).await;
    assert!(
        errors(&planned.diagnostics).is_empty(),
        "a failed final plan would strand a deposed object: {:?}",
        planned.diagnostics
    );
    assert_eq!(planned.diagnostics.len(), 1, "the warning stays");
    let out = apply(
        &registry,
        ApplyRequest {
            prior_state: Value::Null,
            planned_state: planned.planned_state,
            config,
            planned_private: planned.planned_private,
        },
    )
    .await;
    assert!(
        out.new_state.is_null(),
        "no object: Terraform restores a deposed one"
    );
    let errs: Vec<_> = out.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].summary, "The NIC is held");
    assert_eq!(errs[0].path, Some(AttributePath::root("name")));
    assert!(
        !res.calls().iter().any(|c| matches!(c, Call::Create(_))),
        "the resource's create is never called"
    );
}

#[tokio::test]
async fn errors_of_the_final_plan_of_an_update_stay_plan_errors() {
    let (registry, _) = engine(failing_plan_checks());
    let mut req = update_plan(&stored(), thing(&[("name", s("a")), ("value", s("w"))]));
    req.pass = tpz::framework::PlanPass::Final;
    let out = plan(&registry, req).await;
    assert_eq!(errors(&out.diagnostics).len(), 1);
}
