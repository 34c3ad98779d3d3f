use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::*;
use crate::framework::{ReadOutcome, UpgradeRequest};
use crate::provider::config::PlanChecks;
use crate::provider::fake::{AttachEnds, FakeZec, api_error, lost};
use crate::provider::testing::assert_says;
use crate::zenlayer::models::{InstanceStatus, NicStatus};
use crate::zenlayer::{Error, codes};

fn s(text: &str) -> Value {
    Value::string(text)
}

fn timeouts(create: Option<&str>, delete: Option<&str>) -> Value {
    let v = |o: Option<&str>| o.map_or(Value::Null, Value::string);
    Value::object([(CREATE, v(create)), (DELETE, v(delete))])
}

fn config(nic: Value, instance: Value, t: Value) -> Value {
    Value::object([
        (model::ID, Value::Null),
        (NIC_ID, nic),
        (INSTANCE_ID, instance),
        (model::REGION_ID, Value::Null),
        (model::PRIMARY_IPV4, Value::Null),
        (model::MAC_ADDRESS, Value::Null),
        (TIMEOUTS, t),
    ])
}

/// What the framework drafts for a create: computed attributes unknown.
fn draft(config: &Value) -> Value {
    let mut v = config.clone();
    for name in [
        model::ID,
        model::REGION_ID,
        model::PRIMARY_IPV4,
        model::MAC_ADDRESS,
    ] {
        *v.attr_mut(name).unwrap() = Value::unknown();
    }
    v
}

/// What Terraform asks the provider to plan for a new object with configuration `cfg`.
fn create_change(cfg: Value) -> PlannedChange {
    PlannedChange {
        pass: crate::framework::PlanPass::Review,
        kind: PlanKind::Create,
        prior_state: Value::Null,
        planned_state: draft(&cfg),
        config: cfg,
        requires_replace: Vec::new(),
        prior_private: Vec::new(),
        planned_private: Vec::new(),
    }
}

struct World {
    fake: Arc<FakeZec>,
    shared: Arc<Shared>,
    res: NicAttachment,
}

fn world() -> World {
    world_with(PlanChecks::Error)
}

/// The usual world with nic-1 already attached to ins-1, as state says it is.
fn attached_world() -> World {
    let w = world();
    w.fake.set_nic("nic-1", NicStatus::Used, Some("ins-1"));
    w
}

fn world_with(mode: PlanChecks) -> World {
    let fake = Arc::new(FakeZec::new());
    fake.add_nic("nic-1", "r1")
        .add_instance("ins-1", "r1a")
        .add_instance("ins-2", "r1a");
    let shared = Shared::with_api(fake.clone(), mode);
    World {
        fake,
        res: NicAttachment::new(shared.clone()),
        shared,
    }
}

impl World {
    async fn create_with(&self, ctx: &Context, t: Value) -> ApplyOutcome {
        let cfg = config(s("nic-1"), s("ins-1"), t);
        let mut change = create_change(cfg.clone());
        // The re-plan Terraform runs right before apply.
        let diags = self.res.modify_plan(ctx, &mut change).await;
        assert!(!diags.has_errors(), "{diags:?}");
        self.res
            .create(
                ctx,
                CreateRequest {
                    config: cfg,
                    planned_state: change.planned_state,
                    planned_private: change.planned_private,
                },
            )
            .await
    }

    async fn create(&self) -> ApplyOutcome {
        self.create_with(&Context::default(), Value::Null).await
    }

    async fn read(&self, state: Value) -> ReadResult {
        self.res
            .read(
                &Context::default(),
                ReadRequest {
                    state,
                    private: Vec::new(),
                },
            )
            .await
    }

    /// A delete in a later run (a process of its own): nothing created earlier in the test
    /// counts as this run's handover.
    async fn delete_with(&self, ctx: &Context, state: Value) -> ApplyOutcome {
        self.shared.handovers.clear();
        self.delete_in_this_run(ctx, state, Vec::new()).await
    }

    /// A delete in the same run as what the test did before, with `private` as planned.
    async fn delete_in_this_run(
        &self,
        ctx: &Context,
        state: Value,
        private: Vec<u8>,
    ) -> ApplyOutcome {
        self.res
            .delete(
                ctx,
                DeleteRequest {
                    prior_state: state,
                    private,
                },
            )
            .await
    }

    async fn delete(&self, state: Value) -> ApplyOutcome {
        self.delete_with(&Context::default(), state).await
    }

    /// Plans `change` as Terraform's first plan asks.
    async fn plan(&self, change: &mut PlannedChange) -> Diagnostics {
        self.res.modify_plan(&Context::default(), change).await
    }

    /// As [`World::delete_attached`], in the same run as what the test did before.
    async fn delete_attached_in_this_run(&self) -> ApplyOutcome {
        let state = attached_state("ins-1", Value::Null);
        self.delete_in_this_run(&Context::default(), state, Vec::new())
            .await
    }

    /// Deletes the attachment of nic-1 to ins-1 that state holds, without timeouts.
    async fn delete_attached(&self) -> ApplyOutcome {
        self.delete(attached_state("ins-1", Value::Null)).await
    }

    async fn import(&self, id: &str) -> ImportOutcome {
        self.res
            .import(&Context::default(), ImportRequest { id: id.into() })
            .await
    }
}

fn attached_state(instance: &str, t: Value) -> Value {
    model::Attachment {
        nic_id: "nic-1".into(),
        instance_id: instance.into(),
        region_id: Some("r1".into()),
        primary_ipv4: Some("10.0.0.5".into()),
        mac_address: Some("fa:16:3e:00:00:05".into()),
    }
    .to_value(t)
}

/// Asserts that nothing was said.
#[track_caller]
fn assert_quiet(diags: &Diagnostics) {
    assert!(diags.is_empty(), "{diags:?}");
}

/// Asserts a delete ended cleanly: no diagnostics, and no object left in state.
#[track_caller]
fn assert_gone(out: &ApplyOutcome, what: &str) {
    assert!(out.diagnostics.is_empty(), "{what}: {:?}", out.diagnostics);
    assert!(out.new_state.is_null(), "{what}: {:?}", out.new_state);
}

fn only(diags: &Diagnostics) -> &Diagnostic {
    assert_eq!(diags.len(), 1, "{diags:?}");
    diags.iter().next().unwrap()
}

// ---- schema and validation ----

#[test]
fn every_attribute_is_documented() {
    let schema = schema();
    let mut blocks = vec![&schema.block];
    while let Some(b) = blocks.pop() {
        assert!(b.description.len() > 40);
        for a in &b.attributes {
            assert!(a.description.len() > 30, "{} is thinly documented", a.name);
        }
        blocks.extend(b.blocks.iter().map(|n| &n.block));
    }
    let t = &schema.block.nested(TIMEOUTS).unwrap();
    assert_eq!(t.nesting, Nesting::Single);
    assert!(
        t.block
            .attribute(CREATE)
            .unwrap()
            .description
            .contains("`10m`")
    );
    assert!(
        t.block
            .attribute(DELETE)
            .unwrap()
            .description
            .contains("`10m`")
    );
    for name in [NIC_ID, INSTANCE_ID] {
        let a = schema.block.attribute(name).unwrap();
        assert!(a.required && a.requires_replace, "{name}");
    }
}

#[test]
fn implausible_ids_are_rejected_at_the_attribute() {
    let long = "n".repeat(id::MAX_ID_LEN + 1);
    for (attr, bad) in [
        (NIC_ID, ""),
        (NIC_ID, "   "),
        (NIC_ID, "nic 1"),
        (NIC_ID, "nic-1\n"),
        (INSTANCE_ID, long.as_str()),
        (INSTANCE_ID, "ins-1:x"),
    ] {
        let cfg = if attr == NIC_ID {
            config(s(bad), s("ins-1"), Value::Null)
        } else {
            config(s("nic-1"), s(bad), Value::Null)
        };
        let diags = validate_config(&cfg);
        let d = only(&diags);
        assert_eq!(d.path, Some(AttributePath::root(attr)), "{bad:?}");
        assert!(d.detail.contains(&format!("`{attr}`")), "{}", d.detail);
    }
    let unknowns = config(Value::unknown(), Value::unknown(), Value::Null);
    assert!(validate_config(&unknowns).is_empty());
}

#[test]
fn bad_timeouts_are_rejected_naming_timeouts_create() {
    for bad in ["10", "-1m", "abc", "0s", "5d"] {
        let diags = validate_config(&config(s("nic-1"), s("ins-1"), timeouts(Some(bad), None)));
        let d = only(&diags);
        assert_eq!(
            d.path,
            Some(AttributePath::root(TIMEOUTS).attr(CREATE)),
            "{bad}"
        );
        assert!(d.detail.contains("timeouts.create"), "{}", d.detail);
    }
    let diags = validate_config(&config(s("nic-1"), s("ins-1"), timeouts(None, Some("x"))));
    assert_eq!(
        only(&diags).path,
        Some(AttributePath::root(TIMEOUTS).attr(DELETE))
    );
    for good in ["10m", "1h30m", "90s", "1.5h"] {
        let cfg = config(s("nic-1"), s("ins-1"), timeouts(Some(good), Some(good)));
        assert!(validate_config(&cfg).is_empty(), "{good}");
    }
    let unknown = Value::object([(CREATE, Value::unknown()), (DELETE, Value::Null)]);
    assert!(validate_config(&config(s("nic-1"), s("ins-1"), unknown)).is_empty());
}

// ---- plan ----

#[tokio::test(start_paused = true)]
async fn a_create_plan_knows_the_id_when_both_ids_are_known() {
    let w = world();
    let cfg = config(s("nic-1"), s("ins-1"), Value::Null);
    let mut change = create_change(cfg.clone());
    let diags = w.plan(&mut change).await;
    assert_quiet(&diags);
    assert_eq!(
        change.planned_state.attr(model::ID),
        Some(&s("nic-1:ins-1"))
    );
    assert!(
        change
            .planned_state
            .attr(model::REGION_ID)
            .unwrap()
            .is_unknown()
    );
    assert!(w.fake.calls().total() > 0, "checks ran");
}

#[tokio::test(start_paused = true)]
async fn both_ids_unknown_skip_checks_and_leave_the_id_unknown() {
    let w = world();
    let cfg = config(Value::unknown(), Value::unknown(), Value::Null);
    let mut change = create_change(cfg.clone());
    assert_quiet(&w.plan(&mut change).await);
    assert!(change.planned_state.attr(model::ID).unwrap().is_unknown());
    assert_eq!(w.fake.calls().total(), 0);
}

#[tokio::test(start_paused = true)]
async fn plan_checks_off_makes_no_calls_even_for_a_broken_attachment() {
    let w = world_with(PlanChecks::Off);
    w.fake.remove_nic("nic-1");
    let cfg = config(s("nic-1"), s("ins-1"), Value::Null);
    let mut change = create_change(cfg.clone());
    assert_quiet(&w.plan(&mut change).await);
    assert_eq!(
        change.planned_state.attr(model::ID),
        Some(&s("nic-1:ins-1"))
    );
    assert_eq!(w.fake.calls().total(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_replacement_moving_the_nic_plans_cleanly_through_both_plan_calls() {
    let w = world();
    w.fake.set_nic("nic-1", NicStatus::Used, Some("ins-2"));
    let prior = attached_state("ins-2", Value::Null);
    w.shared.memory.record("nic-1", "ins-2");
    let cfg = config(s("nic-1"), s("ins-1"), Value::Null);
    // First call: the real prior state. No checks yet, no API calls;
    let mut first = PlannedChange {
        kind: PlanKind::Replace,
        prior_state: prior,
        requires_replace: vec![AttributePath::root(INSTANCE_ID)],
        ..create_change(cfg.clone())
    };
    // It only warns that create_before_destroy cannot do this.
    let warned = w.res.modify_plan(&Context::default(), &mut first).await;
    let summaries: Vec<_> = warned
        .iter()
        .map(|d| (d.severity, d.summary.clone()))
        .collect();
    assert_eq!(summaries.len(), 1, "{summaries:?}");
    assert_eq!(summaries[0].0, Severity::Warning);
    assert!(summaries[0].1.contains("cannot be created before destroy"));
    assert_eq!(w.fake.calls().total(), 0);
    assert_eq!(first.planned_state.attr(model::ID), Some(&s("nic-1:ins-1")));
    // Second call: no prior state, the first call's private data.
    let mut second = PlannedChange {
        prior_private: first.planned_private.clone(),
        planned_private: first.planned_private,
        ..create_change(cfg.clone())
    };
    let t0 = Instant::now();
    let diags = w.res.modify_plan(&Context::default(), &mut second).await;
    assert_quiet(&diags);
    assert_eq!(t0.elapsed(), Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn a_tainted_attachment_recreate_plans_cleanly() {
    let w = attached_world();
    // The tainted object was upgraded into memory before its plan.
    w.shared.memory.record("nic-1", "ins-1");
    let cfg = config(s("nic-1"), s("ins-1"), Value::Null);
    let mut change = create_change(cfg.clone());
    assert_quiet(&w.plan(&mut change).await);
}

#[tokio::test(start_paused = true)]
async fn noop_and_update_plans_make_no_calls() {
    let w = world();
    for kind in [PlanKind::NoOp, PlanKind::Update] {
        let state = attached_state("ins-1", Value::Null);
        let mut change = PlannedChange {
            kind,
            prior_state: state.clone(),
            planned_state: state,
            ..create_change(config(s("nic-1"), s("ins-1"), Value::Null))
        };
        assert_quiet(&w.plan(&mut change).await);
    }
    assert_eq!(w.fake.calls().total(), 0);
}

// ---- create ----

#[tokio::test(start_paused = true)]
async fn create_attaches_and_returns_as_soon_as_the_nic_is_used() {
    let w = world();
    let t0 = Instant::now();
    let out = w.create().await;
    assert_quiet(&out.diagnostics);
    assert!(
        t0.elapsed() <= Duration::from_millis(1200),
        "{:?}",
        t0.elapsed()
    );
    assert_eq!(out.new_state, attached_state("ins-1", Value::Null));
    assert_eq!(w.fake.calls().attaches, 1);
    assert_eq!(w.shared.memory.holders("nic-1").len(), 1);
}

#[tokio::test(start_paused = true)]
async fn create_waits_for_a_booting_instance_and_a_detaching_nic() {
    let w = world();
    w.fake.set_instance("ins-1", InstanceStatus::Booting);
    w.fake
        .instance_later("ins-1", Duration::from_secs(3), InstanceStatus::Running);
    w.fake.set_nic("nic-1", NicStatus::Detaching, Some("ins-2"));
    w.fake
        .nic_later("nic-1", Duration::from_secs(2), NicStatus::Available, None);
    let t0 = Instant::now();
    let out = w.create_with(&Context::default(), Value::Null).await;
    assert_quiet(&out.diagnostics);
    assert!(
        t0.elapsed() < Duration::from_millis(4800),
        "{:?}",
        t0.elapsed()
    );
    assert_eq!(
        w.fake.calls().attaches,
        1,
        "attached once, after both settled"
    );
}

#[tokio::test(start_paused = true)]
async fn a_create_finding_the_nic_already_used_on_its_instance_by_nobody_in_state_refuses_to_own_it()
 {
    let w = world_with(PlanChecks::Off);
    w.fake.set_nic("nic-1", NicStatus::Used, Some("ins-1"));
    let out = w.create().await;
    let d = only(&out.diagnostics);
    assert_eq!(
        d.summary,
        "The NIC is already attached, and this state does not own it"
    );
    assert!(d.detail.contains("import"), "{}", d.detail);
    assert!(
        out.new_state.is_null(),
        "nothing recorded: one owner per attachment"
    );
    assert_eq!(w.fake.calls().attaches, 0, "no write");
}

#[tokio::test(start_paused = true)]
async fn a_create_handed_the_attachment_by_another_object_of_this_state_adopts_it_without_attaching_or_waiting()
 {
    let w = world_with(PlanChecks::Off);
    w.fake.set_nic("nic-1", NicStatus::Used, Some("ins-1"));
    // The old address's object, loaded in this process.
    w.shared.memory.record("nic-1", "ins-1");
    let t0 = Instant::now();
    let out = w.create().await;
    assert_quiet(&out.diagnostics);
    assert_eq!(out.new_state, attached_state("ins-1", Value::Null));
    assert_eq!(w.fake.calls().attaches, 0, "nothing to attach");
    // The re-plan before the create waits up to FATE_WINDOW to learn what becomes of the old
    // object (no destroy is planned in an apply walk); the create itself does not wait.
    assert!(
        t0.elapsed()
            < crate::provider::handover::FATE_WINDOW + crate::provider::waiters::FIRST_CHECK,
        "waited {:?} for a NIC already read as USED",
        t0.elapsed()
    );
    // The old object's delete, later in the same run, leaves the NIC where it is.
    let out = w.delete_attached_in_this_run().await;
    assert_gone(&out, "delete");
    assert_eq!(
        w.fake.calls().detaches,
        0,
        "no detach for a handed-over attachment"
    );
    assert_eq!(w.fake.nic("nic-1").unwrap().status, NicStatus::Used);
}

#[tokio::test(start_paused = true)]
async fn a_delete_planned_as_a_handover_sends_no_detach_even_before_the_create_ran() {
    let w = attached_world();
    let private = Private::default()
        .with_handover(Some(("nic-1", "ins-1")))
        .encode();
    let out = w
        .delete_in_this_run(
            &Context::default(),
            attached_state("ins-1", Value::Null),
            private,
        )
        .await;
    assert_gone(&out, "delete");
    assert_eq!(w.fake.calls().detaches, 0);
    assert_eq!(w.fake.calls().total(), 0, "not even a read");
    // A handover of another attachment does not cover this one.
    let other = Private::default()
        .with_handover(Some(("nic-1", "ins-2")))
        .encode();
    w.delete_in_this_run(
        &Context::default(),
        attached_state("ins-1", Value::Null),
        other,
    )
    .await;
    assert_eq!(w.fake.calls().detaches, 1);
}

#[tokio::test(start_paused = true)]
async fn a_lost_attach_answer_that_attached_is_a_success() {
    let w = world();
    w.fake.echo_attach(lost("AttachNetworkInterface"));
    let out = w.create().await;
    assert_quiet(&out.diagnostics);
    assert_eq!(w.fake.calls().attaches, 1, "never resent blindly");
    assert_eq!(out.new_state, attached_state("ins-1", Value::Null));
}

#[tokio::test(start_paused = true)]
async fn an_attach_refused_as_already_attached_is_not_taken_as_ours() {
    let w = world();
    // The API says the NIC is attached already (someone else's attach got there first).
    w.fake.echo_attach(api_error(codes::INVALID_NIC_ATTACHED));
    let out = w.create().await;
    let d = only(&out.diagnostics);
    assert_eq!(
        d.summary,
        "The NIC is already attached, and this state does not own it"
    );
    assert!(out.new_state.is_null());
}

#[tokio::test(start_paused = true)]
async fn an_attach_refused_as_already_attached_after_a_lost_answer_is_ours() {
    let w = world();
    w.fake.fail_attach(lost("AttachNetworkInterface"));
    w.fake.echo_attach(api_error(codes::INVALID_NIC_ATTACHED));
    let out = w.create().await;
    assert_quiet(&out.diagnostics);
    assert_eq!(out.new_state, attached_state("ins-1", Value::Null));
}

#[tokio::test(start_paused = true)]
async fn a_lost_attach_answer_that_did_not_attach_is_sent_again() {
    let w = world();
    w.fake.fail_attach(lost("AttachNetworkInterface"));
    let out = w.create().await;
    assert_quiet(&out.diagnostics);
    assert_eq!(
        w.fake.calls().attaches,
        2,
        "resent only after reading it did not attach"
    );
}

#[tokio::test(start_paused = true)]
async fn a_backend_timeout_that_did_not_attach_is_retried() {
    let w = world();
    w.fake
        .fail_attach(api_error(codes::INVALID_OPERATION_TIMEOUT));
    let out = w.create().await;
    assert_quiet(&out.diagnostics);
    assert_eq!(w.fake.calls().attaches, 2);
}

#[tokio::test(start_paused = true)]
async fn an_attach_that_hangs_times_out_and_keeps_the_object_tainted() {
    let w = world();
    w.fake.attach_ends(AttachEnds::Hangs);
    let t0 = Instant::now();
    let out = w
        .create_with(&Context::default(), timeouts(Some("30s"), None))
        .await;
    let elapsed = t0.elapsed();
    assert!(
        elapsed <= Duration::from_secs(30)
            && elapsed >= Duration::from_secs(30) - crate::provider::waiters::FINAL_LOOK_LEAD,
        "ends with its last look, never past the timeout: {elapsed:?}"
    );
    let d = only(&out.diagnostics);
    assert!(d.is_error());
    assert!(d.summary.contains("Timed out"));
    assert!(d.detail.contains("30s") && d.detail.contains("timeouts.create"));
    assert_says(
        &d.detail,
        &["USED on instance ins-1", "ATTACHING on instance ins-1"],
    );
    assert!(out.new_state.is_wholly_known());
    assert_eq!(
        model::known_str(&out.new_state, model::ID),
        Some("nic-1:ins-1")
    );
    assert_eq!(
        model::known_str(&out.new_state, model::REGION_ID),
        Some("r1")
    );
}

#[tokio::test(start_paused = true)]
async fn stop_while_attaching_keeps_the_object_untainted_with_a_warning() {
    let w = world();
    w.fake.attach_ends(AttachEnds::Hangs);
    let stop = CancellationToken::new();
    tokio::spawn({
        let stop = stop.clone();
        async move {
            tokio::time::sleep(Duration::from_secs(2)).await;
            stop.cancel();
        }
    });
    let t0 = Instant::now();
    let out = w.create_with(&Context::new(stop), Value::Null).await;
    assert!(t0.elapsed() <= Duration::from_secs(2));
    let d = only(&out.diagnostics);
    assert!(d.summary.contains("interrupted"));
    assert!(
        !d.is_error(),
        "an error would make Terraform taint, and later detach, a NIC the API is attaching"
    );
    assert!(
        !out.new_state.is_null(),
        "the attach happened: nothing is lost"
    );
    assert_eq!(model::known_str(&out.new_state, INSTANCE_ID), Some("ins-1"));
}

#[tokio::test(start_paused = true)]
async fn an_attach_that_falls_back_to_available_fails_without_state() {
    let w = world();
    w.fake.attach_ends(AttachEnds::Reverts);
    let out = w.create().await;
    let d = only(&out.diagnostics);
    assert!(d.is_error());
    assert_eq!(d.summary, "The attach did not complete");
    assert!(d.detail.contains("AVAILABLE"));
    assert!(out.new_state.is_null());
}

#[tokio::test(start_paused = true)]
async fn an_api_refusal_at_apply_reads_like_the_plan_plus_the_request_id() {
    let w = world_with(PlanChecks::Off);
    w.fake.set_instance("ins-1", InstanceStatus::Stopped);
    let out = w.create().await;
    let d = only(&out.diagnostics);
    assert_eq!(d.path, Some(AttributePath::root(INSTANCE_ID)));
    assert!(d.detail.contains("STOPPED"));
    assert_says(&d.detail, &["Start the instance (in zenConsole"]);
    assert!(
        d.detail
            .contains(codes::OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT)
    );
    assert!(d.detail.contains("request id: REQ-"), "{}", d.detail);
    assert!(out.new_state.is_null());
    // The plan would have said the same.
    let plan = checks::check(
        &Context::default(),
        &w.shared,
        &match w.shared.setup() {
            crate::provider::Setup::Ready(r) => crate::provider::Ready {
                api: r.api.clone(),
                plan_checks: PlanChecks::Error,
            },
            _ => unreachable!(),
        },
        "nic-1",
        "ins-1",
        None,
    )
    .await;
    let p = only(&plan);
    assert_eq!(p.summary, d.summary);
    let without_rid = d.detail.split(", request id:").next().unwrap().to_owned();
    assert_eq!(p.detail, without_rid);
}

#[tokio::test(start_paused = true)]
async fn attaching_a_nic_that_is_on_another_instance_names_that_instance() {
    let w = world_with(PlanChecks::Off);
    w.fake.set_nic("nic-1", NicStatus::Used, Some("ins-2"));
    let out = w.create().await;
    let d = only(&out.diagnostics);
    assert_eq!(d.path, Some(AttributePath::root(NIC_ID)));
    assert!(d.detail.contains("USED on instance ins-2"));
    assert!(d.detail.contains(codes::INVALID_NIC_ATTACHED));
    assert!(out.new_state.is_null());
}

// ---- read ----

#[tokio::test(start_paused = true)]
async fn read_after_create_equals_create() {
    let w = world();
    let created = w.create().await.new_state;
    let r = w.read(created.clone()).await;
    assert_eq!(r.outcome, ReadOutcome::Present(created));
    assert!(r.diagnostics.is_empty());
}

#[tokio::test(start_paused = true)]
async fn read_drops_an_attachment_whose_nic_is_gone_or_unattached() {
    let w = world();
    w.fake.set_nic("nic-1", NicStatus::Available, None);
    assert_eq!(
        w.read(attached_state("ins-1", Value::Null)).await.outcome,
        ReadOutcome::Gone
    );
    w.fake.remove_nic("nic-1");
    assert_eq!(
        w.read(attached_state("ins-1", Value::Null)).await.outcome,
        ReadOutcome::Gone
    );
}

#[tokio::test(start_paused = true)]
async fn read_treats_a_nic_moved_to_another_instance_by_hand_as_this_attachment_gone() {
    let w = world();
    w.shared.memory.record("nic-1", "ins-1");
    w.fake.set_nic("nic-1", NicStatus::Used, Some("ins-2"));
    let r = w.read(attached_state("ins-1", Value::Null)).await;
    assert_eq!(
        r.outcome,
        ReadOutcome::Gone,
        "the instance it moved to is never recorded"
    );
    assert!(w.shared.memory.holders("nic-1").is_empty());
}

#[tokio::test(start_paused = true)]
async fn read_passes_through_attaching_and_detaching() {
    let w = world();
    let state = attached_state("ins-1", timeouts(Some("5m"), None));
    for (status, on) in [
        (NicStatus::Attaching, Some("ins-1")),
        (NicStatus::Attaching, None),
        (NicStatus::Detaching, Some("ins-1")),
        (NicStatus::Detaching, None),
    ] {
        w.fake.set_nic("nic-1", status.clone(), on);
        let r = w.read(state.clone()).await;
        assert_eq!(
            r.outcome,
            ReadOutcome::Present(state.clone()),
            "{status} {on:?}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_failed_read_keeps_state_and_explains() {
    let w = world();
    w.fake
        .fail_reads(api_error(codes::AUTHFAILURE_SIGNATURE_EXPIRED));
    let state = attached_state("ins-1", Value::Null);
    let r = w.read(state.clone()).await;
    assert_eq!(r.outcome, ReadOutcome::Present(state));
    let d = only(&r.diagnostics);
    assert!(d.detail.contains("clock"));
}

// ---- delete ----

#[tokio::test(start_paused = true)]
async fn create_and_delete_read_the_nic_and_the_instance_side_by_side_in_one_round_trip() {
    let w = world();
    w.fake.read_latency(Duration::from_millis(100));
    let state = w.create().await.new_state;
    assert_eq!(w.fake.most_reads_in_flight(), 2, "create's settle");
    let w2 = world();
    w2.fake.set_nic("nic-1", NicStatus::Used, Some("ins-1"));
    w2.fake.read_latency(Duration::from_millis(100));
    let out = w2.delete(state).await;
    assert_quiet(&out.diagnostics);
    assert_eq!(w2.fake.calls().detaches, 1);
    assert_eq!(
        w2.fake.most_reads_in_flight(),
        2,
        "delete's settle, the twin of create's"
    );
}

#[tokio::test(start_paused = true)]
async fn delete_detaches_and_returns_as_soon_as_the_nic_is_available() {
    let w = world();
    let state = w.create().await.new_state;
    let t0 = Instant::now();
    let out = w.delete(state).await;
    assert_gone(&out, "delete");
    assert!(
        t0.elapsed() <= Duration::from_millis(1200),
        "{:?}",
        t0.elapsed()
    );
    assert_eq!(w.fake.nic("nic-1").unwrap().status, NicStatus::Available);
    assert!(w.shared.memory.holders("nic-1").is_empty());
}

#[tokio::test(start_paused = true)]
async fn delete_never_detaches_someone_elses_attachment() {
    let w = world();
    for (status, on) in [
        (Some(NicStatus::Used), Some("ins-2")),
        (Some(NicStatus::Attaching), Some("ins-2")),
        (Some(NicStatus::Available), None),
        (None, None),
    ] {
        match status {
            Some(st) => {
                w.fake.add_nic("nic-1", "r1");
                w.fake.set_nic("nic-1", st, on);
            }
            None => w.fake.remove_nic("nic-1"),
        }
        let out = w.delete_attached().await;
        assert_gone(&out, "someone else's attachment");
    }
    assert_eq!(w.fake.calls().detaches, 0);
}

const NOTHING_TO_DETACH: [&str; 3] = [
    codes::OPERATION_DENIED_NIC_NOT_EXIST_INSTANCE,
    codes::INVALID_NIC_NOT_FOUND,
    codes::OPERATION_FAILED_RESOURCE_NOT_FOUND,
];

#[tokio::test(start_paused = true)]
async fn nothing_to_detach_answers_count_as_done_when_the_nic_agrees() {
    for code in NOTHING_TO_DETACH {
        let w = attached_world();
        // The detach takes effect, but its answer says there was nothing to detach.
        w.fake.echo_detach(api_error(code));
        let out = w.delete_attached().await;
        assert_gone(&out, code);
        assert_eq!(w.fake.calls().detaches, 1, "{code}");
    }
}

#[tokio::test(start_paused = true)]
async fn nothing_to_detach_answers_the_nic_contradicts_are_sent_again() {
    for code in NOTHING_TO_DETACH {
        let w = attached_world();
        w.fake.fail_detach(api_error(code));
        let out = w.delete_attached().await;
        assert_gone(&out, code);
        assert_eq!(w.fake.calls().detaches, 2, "{code}");
        assert_eq!(
            w.fake.nic("nic-1").unwrap().status,
            NicStatus::Available,
            "{code}: really detached"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn nothing_to_detach_answers_while_the_nic_stays_attached_keep_the_state() {
    for code in NOTHING_TO_DETACH {
        let w = attached_world();
        for _ in 0..10 {
            w.fake.fail_detach(api_error(code));
        }
        let state = attached_state("ins-1", Value::Null);
        let out = w.delete(state.clone()).await;
        assert_eq!(out.new_state, state, "{code}: nothing is lost");
        let d = only(&out.diagnostics);
        assert_eq!(d.summary, "The NIC is still attached", "{code}");
        assert!(
            d.detail.contains("still shows USED on instance ins-1") && d.detail.contains(code),
            "{code}: {}",
            d.detail
        );
        assert_eq!(d.path, Some(AttributePath::root(NIC_ID)));
        assert_eq!(w.fake.calls().detaches, 5, "{code}: bounded");
    }
}

#[tokio::test(start_paused = true)]
async fn delete_finishes_at_once_when_the_nic_vanishes() {
    let w = attached_world();
    w.fake.detach_delay(Duration::from_secs(600));
    let fake = w.fake.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(700)).await;
        fake.remove_nic("nic-1");
    });
    let t0 = Instant::now();
    let out = w.delete_attached().await;
    assert!(out.diagnostics.is_empty());
    assert!(
        t0.elapsed() <= Duration::from_millis(800),
        "{:?}",
        t0.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn delete_waits_out_a_rebooting_instance() {
    let w = attached_world();
    w.fake.set_instance("ins-1", InstanceStatus::Reboot);
    w.fake
        .instance_later("ins-1", Duration::from_secs(5), InstanceStatus::Running);
    let out = w.delete_attached().await;
    assert_quiet(&out.diagnostics);
    assert_eq!(w.fake.calls().detaches, 1);
}

#[tokio::test(start_paused = true)]
async fn a_slow_detach_times_out_keeping_state_and_naming_what_was_awaited() {
    let w = attached_world();
    w.fake.detach_delay(Duration::from_secs(3600));
    let state = attached_state("ins-1", timeouts(None, Some("1m")));
    let out = w.delete(state.clone()).await;
    assert_eq!(out.new_state, state);
    let d = only(&out.diagnostics);
    assert_says(&d.detail, &["AVAILABLE", "1m"]);
    assert!(d.detail.contains("DETACHING"), "last seen: {}", d.detail);
    assert!(d.detail.contains("timeouts.delete"));
}

#[tokio::test(start_paused = true)]
async fn a_primary_nic_cannot_be_detached_and_the_state_is_kept() {
    let w = attached_world();
    w.fake.set_primary("nic-1");
    let state = attached_state("ins-1", Value::Null);
    let out = w.delete(state.clone()).await;
    assert_eq!(out.new_state, state);
    let d = only(&out.diagnostics);
    assert!(d.detail.contains(codes::INVALID_NIC_PRIMARY_CANT_DETACH));
    assert!(d.detail.contains("terraform state rm"));
}

#[tokio::test(start_paused = true)]
async fn delete_of_a_stopped_instance_says_to_start_it() {
    let w = attached_world();
    w.fake.set_instance("ins-1", InstanceStatus::Stopped);
    let out = w.delete_attached().await;
    let d = only(&out.diagnostics);
    assert!(d.detail.contains("STOPPED") && d.detail.contains("Start the instance"));
    assert_eq!(d.path, Some(AttributePath::root(INSTANCE_ID)));
}

// ---- import ----

#[tokio::test(start_paused = true)]
async fn import_by_pair_or_by_nic_gives_the_state_create_gives() {
    let w = world();
    let created = w.create().await.new_state;
    for id in ["nic-1:ins-1", "nic-1"] {
        let out = w.import(id).await;
        assert!(out.diagnostics.is_empty(), "{id}: {:?}", out.diagnostics);
        assert_eq!(out.objects.len(), 1);
        let state = out.objects[0].state.clone();
        let ReadOutcome::Present(after_read) = w.read(state).await.outcome else {
            panic!("gone")
        };
        assert_eq!(after_read, created, "{id}");
    }
}

#[tokio::test(start_paused = true)]
async fn import_explains_what_is_wrong_with_the_id_or_the_nic() {
    let w = world();
    for bad in ["a:b:c", ":x", "x:", ""] {
        let out = w.import(bad).await;
        let d = only(&out.diagnostics);
        assert!(
            d.detail.contains("<nic_id>:<instance_id>"),
            "{bad:?}: {}",
            d.detail
        );
    }
    let d = only(&w.import("nic-1").await.diagnostics).clone();
    assert_eq!(d.summary, "The NIC is not attached to anything");
    w.fake.set_nic("nic-1", NicStatus::Used, Some("ins-2"));
    let d = only(&w.import("nic-1:ins-1").await.diagnostics).clone();
    assert_says(&d.detail, &["ins-2", "nic-1:ins-2"]);
    let d = only(&w.import("nic-9").await.diagnostics).clone();
    assert_eq!(d.summary, "The NIC to import does not exist");
}

#[tokio::test]
async fn a_huge_import_id_or_attribute_is_not_repeated_back_in_full() {
    let w = world();
    let huge = "n".repeat(100_000);
    let d = only(&w.import(&huge).await.diagnostics).clone();
    assert!(
        d.detail.contains("100000 characters"),
        "{}",
        &d.detail[..200]
    );
    assert!(d.detail.len() < 1000, "{} bytes", d.detail.len());
    let diags = validate_config(&config(s(&huge), s("ins-1"), timeouts(Some(&huge), None)));
    assert_eq!(diags.len(), 2);
    for d in &diags {
        assert!(d.detail.len() < 1000, "{} bytes", d.detail.len());
    }
}

// ---- update ----

#[tokio::test]
async fn an_update_changes_only_timeouts_without_calls() {
    let w = world();
    let prior = attached_state("ins-1", Value::Null);
    let planned = attached_state("ins-1", timeouts(Some("20m"), None));
    let out = w
        .res
        .update(
            &Context::default(),
            UpdateRequest {
                prior_state: prior,
                config: config(s("nic-1"), s("ins-1"), timeouts(Some("20m"), None)),
                planned_state: planned.clone(),
                planned_private: Vec::new(),
            },
        )
        .await;
    assert_eq!(out.new_state, planned);
    assert_eq!(w.fake.calls().total(), 0);
}

// ---- upgrade ----

#[tokio::test]
async fn upgrading_stored_state_teaches_memory_who_holds_the_nic() {
    let w = world();
    let json = br#"{"id":"nic-1:ins-2","nic_id":"nic-1","instance_id":"ins-2","region_id":"r1","primary_ipv4":null,"mac_address":null,"timeouts":null}"#;
    let provider = crate::provider::ZenlayerProvider {
        shared: w.shared.clone(),
    };
    let registry = crate::framework::Registry::new(Arc::new(provider));
    let value = registry
        .resource("zenlayer_nic_attachment")
        .expect("served")
        .upgrade(
            &Context::default(),
            UpgradeRequest {
                version: 0,
                json: json.to_vec(),
            },
        )
        .await
        .expect("reads");
    assert_eq!(model::known_str(&value, model::ID), Some("nic-1:ins-2"));
    assert_eq!(value.attr(TIMEOUTS), Some(&Value::Null));
    assert_eq!(
        w.shared.memory.holders("nic-1"),
        std::collections::BTreeSet::from(["ins-2".to_owned()])
    );
}

// ---- throttling ----

fn throttled() -> Error {
    api_error(codes::REQUEST_LIMIT_EXCEEDED)
}

#[tokio::test(start_paused = true)]
async fn a_throttled_attach_is_sent_again_after_a_pause_instead_of_failing() {
    let w = world();
    w.fake.fail_attach(throttled());
    w.fake.fail_attach(throttled());
    let out = w.create().await;
    assert_quiet(&out.diagnostics);
    assert_eq!(w.fake.calls().attaches, 3);
    assert_eq!(w.fake.nic("nic-1").unwrap().status, NicStatus::Used);
}

#[tokio::test(start_paused = true)]
async fn throttling_that_outlasts_the_create_timeout_fails_within_it_naming_the_throttling() {
    let w = world();
    for _ in 0..20 {
        w.fake.fail_attach(throttled());
    }
    let t0 = Instant::now();
    let out = w
        .create_with(&Context::default(), timeouts(Some("8s"), None))
        .await;
    assert!(t0.elapsed() <= Duration::from_secs(8), "{:?}", t0.elapsed());
    let d = only(&out.diagnostics);
    assert!(d.is_error());
    assert_says(&d.detail, &[codes::REQUEST_LIMIT_EXCEEDED]);
    assert!(out.new_state.is_null(), "nothing was attached");
}

#[tokio::test(start_paused = true)]
async fn a_throttled_detach_is_sent_again_after_a_pause_instead_of_failing() {
    let w = world();
    w.create().await;
    w.fake.fail_detach(throttled());
    w.fake
        .fail_detach(api_error(codes::SERVICE_TEMPORARY_UNAVAILABLE));
    let out = w.delete_attached().await;
    assert_quiet(&out.diagnostics);
    assert_eq!(w.fake.calls().detaches, 3);
    assert_eq!(w.fake.nic("nic-1").unwrap().status, NicStatus::Available);
}

#[tokio::test(start_paused = true)]
async fn a_throttled_refresh_reads_again_after_a_pause_instead_of_failing_the_plan() {
    let w = world();
    w.create().await;
    w.fake.fail_reads(throttled());
    w.fake.fail_reads(throttled());
    let r = w.read(attached_state("ins-1", Value::Null)).await;
    assert_quiet(&r.diagnostics);
    assert_eq!(
        r.outcome,
        ReadOutcome::Present(attached_state("ins-1", Value::Null))
    );
}

#[tokio::test(start_paused = true)]
async fn a_throttled_import_reads_again_after_a_pause() {
    let w = world();
    w.create().await;
    w.fake.fail_reads(throttled());
    w.fake.fail_reads(throttled());
    let out = w.import("nic-1").await;
    assert_quiet(&out.diagnostics);
    assert_eq!(out.objects.len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_create_timed_out_by_unreadable_api_says_what_the_reads_met() {
    let w = world();
    for _ in 0..1000 {
        w.fake.fail_reads(throttled());
    }
    let out = w
        .create_with(&Context::default(), timeouts(Some("5s"), None))
        .await;
    let d = only(&out.diagnostics);
    assert!(d.summary.contains("Timed out"), "{}", d.summary);
    assert!(
        d.detail.contains(codes::REQUEST_LIMIT_EXCEEDED),
        "the last look, cut off by the deadline, hid the reason: {}",
        d.detail
    );
}

#[tokio::test(start_paused = true)]
async fn a_refused_certificate_or_a_login_page_ends_the_create_at_once_not_at_its_timeout() {
    let lasting = [
        Error::Network {
            action: "DescribeNetworkInterfaces",
            message: "the TLS handshake failed: invalid peer certificate: UnknownIssuer".into(),
            lasting: true,
        },
        Error::UnexpectedResponse {
            action: "DescribeNetworkInterfaces",
            http_status: 200,
            what: "an HTML page titled \"Sign in\"".into(),
        },
    ];
    for e in lasting {
        let w = world();
        for _ in 0..10 {
            w.fake.fail_reads(e.clone());
        }
        let t0 = Instant::now();
        let out = w.create().await;
        assert!(t0.elapsed() < Duration::from_secs(1), "{:?}", t0.elapsed());
        let d = only(&out.diagnostics);
        assert!(d.is_error());
        assert!(!d.summary.contains("Timed out"), "{}", d.summary);
        assert!(out.new_state.is_null());
        assert_eq!(w.fake.calls().attaches, 0);
    }
}

// ---- handovers and one-sided checks ----

impl World {
    fn create_change(&self, nic: Value, instance: Value) -> PlannedChange {
        create_change(config(nic, instance, Value::Null))
    }

    /// The old address's object as a plan walk sees it: loaded here.
    fn old_object_loaded(&self, instance: &str) {
        self.fake.set_nic("nic-1", NicStatus::Used, Some(instance));
        self.shared.memory.record("nic-1", instance);
    }
}

#[tokio::test(start_paused = true)]
async fn a_known_nic_is_checked_when_the_instance_is_known_only_after_apply() {
    let w = world();
    w.fake.remove_nic("nic-1");
    let mut change = w.create_change(s("nic-1"), Value::unknown());
    let diags = w.plan(&mut change).await;
    let d = only(&diags);
    assert_eq!(d.path, Some(AttributePath::root(NIC_ID)));
    assert!(d.detail.contains("nic-1"), "{}", d.detail);
    assert_says(&d.detail, &["known after apply"]);
}

#[tokio::test(start_paused = true)]
async fn a_known_stopped_instance_is_checked_when_the_nic_is_known_only_after_apply() {
    let w = world();
    w.fake.set_instance("ins-1", InstanceStatus::Stopped);
    let mut change = w.create_change(Value::unknown(), s("ins-1"));
    let diags = w.plan(&mut change).await;
    let d = only(&diags);
    assert_eq!(d.path, Some(AttributePath::root(INSTANCE_ID)));
    assert!(d.is_error());
}

#[tokio::test(start_paused = true)]
async fn a_healthy_known_side_plans_cleanly_and_never_compares_regions() {
    let w = world();
    for change in [
        w.create_change(s("nic-1"), Value::unknown()),
        w.create_change(Value::unknown(), s("ins-1")),
    ] {
        let mut change = change;
        let diags = w.plan(&mut change).await;
        assert_quiet(&diags);
    }
    assert!(w.fake.calls().total() > 0, "the known sides were read");
}

#[tokio::test(start_paused = true)]
async fn a_create_of_an_attachment_whose_old_object_is_destroyed_with_a_handover_warns_with_the_moved_block()
 {
    let w = world();
    w.old_object_loaded("ins-1");
    w.shared.handovers.depart("nic-1", "ins-1", true);
    let mut change = w.create_change(s("nic-1"), s("ins-1"));
    let diags = w.plan(&mut change).await;
    let d = only(&diags);
    assert_eq!(d.severity, Severity::Warning);
    assert!(d.detail.contains("moved {"), "{}", d.detail);
    assert!(d.detail.contains("<OLD_ADDRESS>") && d.detail.contains("<NEW_ADDRESS>"));
    assert!(Private::decode(&change.planned_private).hands_over("nic-1", "ins-1"));
}

#[tokio::test(start_paused = true)]
async fn a_create_planned_after_its_old_objects_plain_destroy_is_an_error_not_a_detach() {
    let w = world();
    w.old_object_loaded("ins-1");
    w.shared.handovers.depart("nic-1", "ins-1", false);
    let mut change = w.create_change(s("nic-1"), s("ins-1"));
    let diags = w.plan(&mut change).await;
    let d = only(&diags);
    assert!(d.is_error());
    assert_eq!(d.summary, "Applying this plan would detach a NIC it keeps");
    assert!(d.detail.contains("state mv"), "{}", d.detail);
}

#[tokio::test(start_paused = true)]
async fn a_create_of_a_nic_another_unchanged_resource_holds_is_an_error() {
    let w = world();
    w.old_object_loaded("ins-2");
    w.shared.handovers.keep("nic-1", "ins-2");
    let mut change = w.create_change(s("nic-1"), s("ins-1"));
    let diags = w.plan(&mut change).await;
    assert!(
        diags
            .iter()
            .any(|d| d.is_error() && d.summary == "The NIC is held by another resource that stays"),
        "{diags:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_destroy_plan_hands_over_to_a_create_of_the_same_attachment_in_this_run() {
    let w = world();
    let state = attached_state("ins-1", Value::Null);
    w.shared.handovers.arrive("nic-1", "ins-1");
    let private = w
        .res
        .plan_destroy(&Context::default(), &state, Vec::new())
        .await;
    assert!(Private::decode(&private).hands_over("nic-1", "ins-1"));

    // No create of it in this run: after a short wait for one, a plain detach; a stale mark
    // from an earlier run is cleared.
    let w = world();
    let stale = Private::default()
        .with_handover(Some(("nic-1", "ins-1")))
        .encode();
    let t0 = Instant::now();
    let private = w.res.plan_destroy(&Context::default(), &state, stale).await;
    assert_eq!(t0.elapsed(), crate::provider::handover::ARRIVAL_WINDOW);
    assert!(!Private::decode(&private).hands_over("nic-1", "ins-1"));
}

#[tokio::test(start_paused = true)]
async fn a_refresh_marks_the_handover_only_when_a_create_in_this_run_keeps_the_attachment() {
    let w = attached_world();
    let r = w.read(attached_state("ins-1", Value::Null)).await;
    assert!(!Private::decode(&r.private).hands_over("nic-1", "ins-1"));
    w.shared.handovers.arrive("nic-1", "ins-1");
    let r = w.read(attached_state("ins-1", Value::Null)).await;
    assert!(Private::decode(&r.private).hands_over("nic-1", "ins-1"));
}

/// How long a delete of an attached NIC takes on Terraform `version`, with `private` as
/// planned and no create arriving.
async fn timed_delete(version: &str, private: Vec<u8>) -> Duration {
    let w = world();
    w.shared.note_terraform_version(version);
    w.fake.set_nic("nic-1", NicStatus::Used, Some("ins-1"));
    let t0 = tokio::time::Instant::now();
    w.delete_in_this_run(
        &Context::default(),
        attached_state("ins-1", Value::Null),
        private,
    )
    .await;
    assert_eq!(w.fake.calls().detaches, 1, "{version}");
    t0.elapsed()
}

#[tokio::test(start_paused = true)]
async fn before_terraform_1_3_a_delete_waits_briefly_for_a_create_that_keeps_its_attachment() {
    let w = world();
    w.shared.note_terraform_version("1.2.9");
    w.fake.set_nic("nic-1", NicStatus::Used, Some("ins-1"));
    // The refactor's create is planned (in the apply walk) a moment after the delete starts.
    let shared = w.shared.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        shared.handovers.arrive("nic-1", "ins-1");
    });
    let out = w.delete_attached_in_this_run().await;
    assert_gone(&out, "delete");
    assert_eq!(w.fake.calls().detaches, 0, "handed over, not detached");
    // With no such create, the delete detaches after the arrival window.
    let newer = timed_delete("1.3.0", Vec::new()).await;
    let older = timed_delete("1.2.9", Vec::new()).await;
    assert_eq!(older, newer + crate::provider::handover::ARRIVAL_WINDOW);
}

#[tokio::test(start_paused = true)]
async fn the_delete_half_of_a_replacement_does_not_wait_for_a_create() {
    let newer = timed_delete("1.3.0", Vec::new()).await;
    let replacing = Private::default().with_replacing("nic-1", "ins-1").encode();
    assert_eq!(timed_delete("1.2.9", replacing).await, newer);
}

impl World {
    /// Terraform's re-plan right before the create, then `meanwhile`, then the create.
    async fn create_after_plan(&self, meanwhile: impl FnOnce(&FakeZec)) -> ApplyOutcome {
        let cfg = config(s("nic-1"), s("ins-1"), Value::Null);
        let mut change = create_change(cfg.clone());
        let diags = self.res.modify_plan(&Context::default(), &mut change).await;
        assert!(!diags.has_errors(), "{diags:?}");
        meanwhile(&self.fake);
        let req = CreateRequest {
            config: cfg,
            planned_state: change.planned_state,
            planned_private: change.planned_private,
        };
        self.res.create(&Context::default(), req).await
    }
}

#[tokio::test(start_paused = true)]
async fn a_create_right_after_its_plan_read_the_pair_clear_attaches_without_reading_them_again() {
    let w = world();
    w.fake.remember_reads();
    let out = w.create_after_plan(|_| {}).await;
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    assert_eq!(out.new_state, attached_state("ins-1", Value::Null));
    let calls = w.fake.calls();
    assert_eq!(calls.attaches, 1);
    assert_eq!(calls.instance_reads, 1, "only the plan's: {calls:?}");
}

#[tokio::test(start_paused = true)]
async fn a_plan_read_older_than_its_limit_is_read_again_before_the_attach() {
    let w = world();
    w.fake.remember_reads();
    let out = w.create_after_plan(|_| {}).await;
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    assert_eq!(w.fake.calls().instance_reads, 1, "young: not read again");

    let w = world();
    w.fake.remember_reads();
    let cfg = config(s("nic-1"), s("ins-1"), Value::Null);
    let mut change = create_change(cfg.clone());
    let diags = w.res.modify_plan(&Context::default(), &mut change).await;
    assert!(!diags.has_errors(), "{diags:?}");
    tokio::time::advance(super::create::PLAN_READ_MAX_AGE + Duration::from_millis(1)).await;
    let req = CreateRequest {
        config: cfg,
        planned_state: change.planned_state,
        planned_private: change.planned_private,
    };
    let out = w.res.create(&Context::default(), req).await;
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    assert_eq!(w.fake.calls().instance_reads, 2, "old: read again");
}

#[tokio::test(start_paused = true)]
async fn a_nic_attached_by_someone_else_after_the_plan_read_is_refused_by_the_attach_and_never_owned()
 {
    let w = world();
    w.fake.remember_reads();
    let out = w
        .create_after_plan(|fake| fake.set_nic("nic-1", NicStatus::Used, Some("ins-1")))
        .await;
    // What the read before the attach would have concluded: the same message, nothing kept.
    let d = only(&out.diagnostics);
    assert_eq!(
        d.summary,
        "The NIC is already attached, and this state does not own it"
    );
    assert!(out.new_state.is_null(), "one owner per attachment");
    assert_eq!(
        w.fake.calls().attaches,
        1,
        "the refused attach changed nothing"
    );
    assert_eq!(w.fake.nic("nic-1").map(|n| n.status), Some(NicStatus::Used));
}

#[tokio::test(start_paused = true)]
async fn a_nic_detaching_after_the_plan_read_is_waited_for_and_attached_once() {
    let w = world();
    w.fake.remember_reads();
    let out = w
        .create_after_plan(|fake| {
            fake.set_nic("nic-1", NicStatus::Detaching, Some("ins-2"));
            fake.nic_later("nic-1", Duration::from_secs(2), NicStatus::Available, None);
        })
        .await;
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    assert_eq!(out.new_state, attached_state("ins-1", Value::Null));
    // The attach sent on the plan's read is refused; the create reads, waits, and attaches.
    assert_eq!(w.fake.calls().attaches, 2, "{:?}", w.fake.calls());
}

#[tokio::test(start_paused = true)]
async fn a_plan_read_of_a_changing_pair_is_settled_by_reading_before_any_attach() {
    let w = world_with(PlanChecks::Off);
    w.fake.remember_reads();
    w.fake.set_nic("nic-1", NicStatus::Detaching, Some("ins-2"));
    w.fake
        .nic_later("nic-1", Duration::from_secs(2), NicStatus::Available, None);
    let limits = crate::zenlayer::CallLimits {
        deadline: None,
        cancel: CancellationToken::new(),
    };
    // What a plan's reads would have seen a moment before.
    use crate::provider::api::Zec;
    let _ = w.fake.find_nic("nic-1", &limits).await;
    let _ = w.fake.find_instance("ins-1", &limits).await;
    let out = w.create().await;
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    assert_eq!(
        w.fake.calls().attaches,
        1,
        "attached once, after it settled"
    );
}
