//! `zenlayer_nic_attachment`: attaches an existing vNIC to a ZEC instance.
//!
//! Both IDs require replacement (Zenlayer moves a NIC only by detaching and attaching it). The
//! ID `<nic_id>:<instance_id>` is known at plan time whenever both IDs are. Create, read,
//! delete, import and moves from the official provider each live in their own module; this one holds the schema, offline
//! validation and the plan (including plan checks).

mod calls;
mod create;
mod delete;
pub(crate) mod id;
mod identity;
mod import;
pub(crate) mod list;
pub(crate) mod model;
mod moved;
mod private;
mod read;

use std::sync::Arc;

use async_trait::async_trait;

use crate::cty::{Type, Value};
use crate::framework::Severity;
use crate::framework::{
    ApplyOutcome, Attribute, AttributePath, Block, Context, CreateRequest, DeleteRequest,
    Diagnostic, Diagnostics, IdentitySchema, ImportOutcome, ImportRequest, MoveRequest, MoveSource,
    MovedObject, NestedBlock, Nesting, PlanKind, PlanPass, PlannedChange, ReadRequest, ReadResult,
    Resource, Schema, UpdateRequest,
};
use crate::provider::catalogue::{self, Op, Situation, Subject};
use crate::provider::handover::{self, Fate};
use crate::provider::invocation::Invocation;
use crate::provider::journal::Entry;
use crate::provider::{Shared, checks, duration};
use crate::untrusted::quoted;

use private::Private;

use model::{CREATE, DELETE, INSTANCE_ID, NIC_ID, TIMEOUTS};

/// The resource type.
pub(crate) struct NicAttachment {
    shared: Arc<Shared>,
}

impl NicAttachment {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        NicAttachment { shared }
    }
}

/// The resource's schema; descriptions are the generated docs' text.
pub(crate) fn schema() -> Schema {
    let create_default = duration::display(model::DEFAULT_CREATE_TIMEOUT);
    let delete_default = duration::display(model::DEFAULT_DELETE_TIMEOUT);
    Schema {
        version: 0,
        block: Block {
            description:
                "Attaches an existing Zenlayer Cloud vNIC to a ZEC instance, and detaches \
                it on destroy. Changing either ID replaces the attachment (detach, then attach). \
                A NIC is attached to one instance at a time, so `create_before_destroy` cannot \
                move the same NIC to another instance; it works only when `nic_id` changes. \
                During `terraform plan` the provider checks the NIC and the instance against the \
                API (see the provider's `plan_checks`) and reports what the apply would run into \
                at the attribute at fault. Import with `<nic_id>:<instance_id>` or just \
                `<nic_id>`."
                    .into(),
            attributes: vec![
                Attribute::computed(
                    model::ID,
                    Type::String,
                    "The attachment's ID, `<nic_id>:<instance_id>`. Known at plan time whenever \
                     both IDs are.",
                ),
                Attribute::required(
                    NIC_ID,
                    Type::String,
                    "The ID of the vNIC to attach. It must be a secondary NIC in the same region \
                     as the instance, and `AVAILABLE` (a NIC that is still `PENDING` or \
                     `DETACHING` is waited for). Changing it replaces the attachment.",
                )
                .requires_replace(),
                Attribute::required(
                    INSTANCE_ID,
                    Type::String,
                    "The ID of the ZEC instance to attach the NIC to. It must be `RUNNING` (an \
                     instance that is booting, rebooting or otherwise changing state is waited \
                     for). Changing it replaces the attachment.",
                )
                .requires_replace(),
                Attribute::computed(
                    model::REGION_ID,
                    Type::String,
                    "The region of the NIC (and so of the instance), e.g. `asia-east-1`.",
                ),
                Attribute::computed(
                    model::PRIMARY_IPV4,
                    Type::String,
                    "The NIC's primary private IPv4 address, as the API reports it.",
                ),
                Attribute::computed(
                    model::MAC_ADDRESS,
                    Type::String,
                    "The NIC's MAC address, as the API reports it.",
                ),
            ],
            blocks: vec![NestedBlock {
                type_name: TIMEOUTS.into(),
                nesting: Nesting::Single,
                min_items: 0,
                max_items: 0,
                block: Block {
                    description: "How long operations may take, as Go-style durations (`10m`, \
                        `1h30m`, `90s`, `1.5h`)."
                        .into(),
                    attributes: vec![
                        Attribute::optional(
                            CREATE,
                            Type::String,
                            format!(
                                "How long creating may take in all: waiting for the NIC and \
                                 instance to settle, attaching, and waiting until the NIC is \
                                 `USED` by the instance. Defaults to `{create_default}`. If it \
                                 runs out after the attach was sent, the attachment is kept in \
                                 state as tainted."
                            ),
                        ),
                        Attribute::optional(
                            DELETE,
                            Type::String,
                            format!(
                                "How long destroying may take in all: detaching and waiting \
                                 until the NIC is `AVAILABLE` (or gone). Defaults to \
                                 `{delete_default}`."
                            ),
                        ),
                    ],
                    blocks: Vec::new(),
                    deprecated: false,
                },
            }],
            deprecated: false,
        },
    }
}

/// Offline checks of one configuration (unknown values are skipped).
fn validate_config(config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    for (name, what) in [(NIC_ID, "NIC ID"), (INSTANCE_ID, "instance ID")] {
        if let Some(text) = model::known_str(config, name)
            && let Err(problem) = id::check(text)
        {
            diags.push(
                Diagnostic::error(
                    format!("Invalid {what}"),
                    format!(
                        "The value of `{name}`, {}, {problem}. Give the ID exactly as \
                         zenConsole or the API shows it, without spaces.",
                        quoted(text)
                    ),
                )
                .at(AttributePath::root(name)),
            );
        }
    }
    let block = config.attr(TIMEOUTS).unwrap_or(&Value::Null);
    for name in [CREATE, DELETE] {
        if let Some(text) = model::known_str(block, name)
            && let Err(problem) = duration::parse(text)
        {
            diags.push(
                Diagnostic::error(
                    format!("Invalid {name} timeout"),
                    format!(
                        "`timeouts.{name}` is {}, which is not a valid duration: {problem}. \
                         Use a Go-style duration such as `10m`, `1h30m`, `90s` or `1.5h`.",
                        quoted(text)
                    ),
                )
                .at(AttributePath::root(TIMEOUTS).attr(name)),
            );
        }
    }
    diags
}

#[async_trait]
impl Resource for NicAttachment {
    fn type_name(&self) -> &'static str {
        "zenlayer_nic_attachment"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn validate(&self, _ctx: &Context, config: &Value) -> Diagnostics {
        validate_config(config)
    }

    fn upgraded(&self, state: &Value) {
        if let Some((nic, instance)) = model::pair(state) {
            self.shared.memory.record(&nic, &instance);
        }
    }

    async fn read(&self, ctx: &Context, req: ReadRequest) -> ReadResult {
        read::read(ctx, &self.shared, req).await
    }

    async fn modify_plan(&self, ctx: &Context, change: &mut PlannedChange) -> Diagnostics {
        change.pass = self.shared.plan_pass(change.pass);
        let mut diags = self.plan_change(ctx, change).await;
        if change.pass == PlanPass::Final && change.kind == PlanKind::Create {
            diags = with_final_plan_note(diags);
        }
        for_this_command(diags, self.shared.invocation())
    }

    async fn plan_destroy(
        &self,
        ctx: &Context,
        prior_state: &Value,
        prior_private: Vec<u8>,
    ) -> Vec<u8> {
        let private = Private::decode(&prior_private);
        let Some((nic, instance)) = model::pair(prior_state) else {
            return prior_private;
        };
        let handovers = &self.shared.handovers;
        let mut handed_over = handovers.arrived(&nic, &instance);
        if !handed_over && self.shared.invocation() != Invocation::Destroy {
            // Not a destroy: a create of the same attachment at another address may be
            // planned a moment later (Terraform plans an orphan's destroy as soon as it is
            // loaded, sometimes before it refreshes it).
            handed_over = handovers
                .wait_for_arrival(ctx, &nic, &instance, handover::ARRIVAL_WINDOW)
                .await;
        }
        handovers.depart(&nic, &instance, handed_over);
        private
            .with_handover(handed_over.then_some((nic.as_str(), instance.as_str())))
            .encode()
    }

    async fn create(&self, ctx: &Context, req: CreateRequest) -> ApplyOutcome {
        create::create(ctx, &self.shared, req).await
    }

    async fn update(&self, _ctx: &Context, req: UpdateRequest) -> ApplyOutcome {
        // Only `timeouts` can change in place; it is provider-local, so no API call.
        let mut state = req.planned_state;
        if !state.is_wholly_known() {
            state = req.prior_state.clone();
            if let Some(t) = state.attr_mut(TIMEOUTS) {
                *t = model::timeouts_value(&req.config);
            }
        }
        ApplyOutcome {
            new_state: state,
            private: req.planned_private,
            diagnostics: Diagnostics::new(),
        }
    }

    async fn delete(&self, ctx: &Context, req: DeleteRequest) -> ApplyOutcome {
        delete::delete(ctx, &self.shared, req).await
    }

    async fn import(&self, ctx: &Context, req: ImportRequest) -> ImportOutcome {
        import::import(ctx, &self.shared, req).await
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(identity::schema())
    }

    fn move_sources(&self) -> Vec<MoveSource> {
        vec![moved::OFFICIAL]
    }

    async fn move_state(
        &self,
        _ctx: &Context,
        _source: &MoveSource,
        req: MoveRequest,
    ) -> Result<MovedObject, Diagnostics> {
        moved::convert(&req)
    }

    fn identity_of(&self, state: &Value) -> Value {
        identity::of(state)
    }

    fn import_id(&self, identity: &Value) -> Result<String, Diagnostics> {
        identity::import_id(identity)
    }
}

/// Plan errors as the running command needs them. A destroy's refresh pass runs a normal
/// plan whose errors would stop the destroy, though nothing will be attached: there they
/// become warnings (Terraform does not show that pass's warnings). Where the command cannot
/// be told, each error says how a destroy gets through.
fn for_this_command(diags: Diagnostics, invocation: Invocation) -> Diagnostics {
    let mut out = Diagnostics::new();
    for mut d in diags.into_vec() {
        if d.severity == Severity::Error {
            match invocation {
                Invocation::Destroy => d.severity = Severity::Warning,
                Invocation::Unknown => d.detail.push_str(DESTROY_ADVICE),
                Invocation::Other => {}
            }
        }
        out.push(d);
    }
    out
}

/// Errors of the plan Terraform redoes at apply, which the create reports instead (see
/// `framework::deferred`): they say why a plan that passed review stops now.
fn with_final_plan_note(diags: Diagnostics) -> Diagnostics {
    diags
        .into_vec()
        .into_iter()
        .map(|mut d| {
            if d.is_error() {
                d.detail.push_str(FINAL_PLAN_NOTE);
            }
            d
        })
        .collect::<Vec<_>>()
        .into()
}

/// Appended to errors found by the plan Terraform redoes during apply.
const FINAL_PLAN_NOTE: &str = "\n\nThis was found by the plan Terraform redoes during \
    apply, so nothing was sent to the API. If this resource sets `create_before_destroy` and \
    its replacement moves the same NIC to another instance, that is why: Terraform creates the \
    replacement while the current attachment still holds the NIC, and a NIC is attached to one \
    instance at a time. The current attachment stays in state as it was. Remove \
    `create_before_destroy` for this change and apply again.";

/// How a destroy gets past a plan check when the provider cannot tell it is one.
const DESTROY_ADVICE: &str = "\n\nIf you are running `terraform destroy` (or `apply -destroy`): \
    this check is about creating the attachment and does not matter to a destroy, but the \
    provider could not tell which command is running. Destroy with `-refresh=false` to skip \
    the planning pass that runs it.";

/// What a planned create learned about the attachment it names.
enum Arrival {
    /// No object in this state holds it.
    Fresh,
    /// An object in this state holds it and gives it up in this run (or it is this object's
    /// own tainted copy): adopt it at apply. `moved`: it came from another address.
    HandedOver { moved: bool },
    /// It cannot be taken over safely.
    Refused(Situation, Vec<(&'static str, String)>),
}

impl NicAttachment {
    /// The plan of one change: handovers, then plan checks.
    async fn plan_change(&self, ctx: &Context, change: &mut PlannedChange) -> Diagnostics {
        if matches!(change.kind, PlanKind::NoOp | PlanKind::Update) {
            // This object keeps its attachment: a create of the same NIC elsewhere in this
            // state cannot take it over.
            if let Some((n, i)) = model::pair(&change.prior_state) {
                self.shared.handovers.keep(&n, &i);
                // `-replace` turns this plan into a replacement after the fact: Terraform's
                // second call then knows which attachment this object held.
                change.planned_private = Private::decode(&change.prior_private)
                    .with_replacing(&n, &i)
                    .encode();
            }
            return Diagnostics::new();
        }
        let nic = model::known_str(&change.config, NIC_ID).map(str::to_owned);
        let instance = model::known_str(&change.config, INSTANCE_ID).map(str::to_owned);
        if let (Some(n), Some(i)) = (&nic, &instance)
            && let Some(slot) = change.planned_state.attr_mut(model::ID)
        {
            *slot = Value::string(id::compose(n, i));
        }
        let prior = Private::decode(&change.prior_private);
        if change.kind == PlanKind::Replace {
            // Terraform plans the new object in a second call with no prior state; carry the
            // attachment being replaced there. Checks run in that call only, so each finding
            // is reported once.
            let mut diags = Diagnostics::new();
            if let Some((n, i)) = model::pair(&change.prior_state) {
                change.planned_private = prior.with_replacing(&n, &i).encode();
                // Said here: Terraform drops the warnings of its second call.
                if nic.as_deref() == Some(n.as_str()) {
                    let instance = instance.as_deref().unwrap_or(checks::UNKNOWN_ID);
                    diags.push(self.situation(
                        Situation::ReplaceKeepsNic,
                        Severity::Warning,
                        &n,
                        instance,
                        &[],
                    ));
                }
            }
            return diags;
        }
        // The delete half of a replacement receives this private data: give it the
        // configuration's delete timeout, not the state's older copy.
        let mut private = prior
            .clone()
            .with_delete_timeout(model::configured_delete_timeout(&change.config));
        change.planned_private = private.encode();
        let (Some(nic), Some(instance)) = (nic.clone(), instance.clone()) else {
            return self
                .check_one_side(ctx, nic.as_deref(), instance.as_deref())
                .await;
        };
        if id::check(&nic).is_err() || id::check(&instance).is_err() {
            return Diagnostics::new();
        }
        let journal = self.shared.journal();
        let pair = (nic.clone(), instance.clone());
        let kept = Entry::Replaces {
            nic_id: nic.clone(),
            instance_id: instance.clone(),
        };
        let mut this_object = prior.replacing();
        if this_object.is_none() && journal.is_some_and(|j| j.says(&kept)) {
            // The plan Terraform redoes during apply gets no private data: that this create
            // replaces an object holding the same attachment (a `-replace`, a tainted object
            // re-created), set aside by `create_before_destroy`, comes from the review walk.
            this_object = Some(pair.clone());
            private = private.with_replacing(&nic, &instance);
            change.planned_private = private.encode();
        }
        let mut diags = Diagnostics::new();
        if this_object.as_ref() == Some(&pair) {
            if let Some(j) = journal {
                j.note(kept.clone());
            }
        } else {
            // Said at once, before any read, so that an object of this state that gives up
            // the same attachment in this run (its refresh, or its destroy plan) hands it
            // over however Terraform orders the two. Without such an object it is unused.
            self.shared.handovers.arrive(&nic, &instance);
            if let Some(j) = journal {
                j.note(Entry::Arrives {
                    nic_id: nic.clone(),
                    instance_id: instance.clone(),
                });
            }
        }
        // Checks first: they read the NIC, and give state a moment to mention a NIC found
        // attached, so the handover below sees the object that holds it.
        diags.extend(match self.shared.setup() {
            crate::provider::Setup::Ready(ready) => {
                checks::check(
                    ctx,
                    &self.shared,
                    &ready,
                    &nic,
                    &instance,
                    this_object.clone(),
                )
                .await
            }
            crate::provider::Setup::Deferred => {
                let mut d = Diagnostics::new();
                if self.shared.notices.first_deferred() {
                    d.push(self.situation(
                        Situation::ChecksDeferred,
                        Severity::Warning,
                        &nic,
                        &instance,
                        &[],
                    ));
                }
                d
            }
            crate::provider::Setup::Unconfigured => Diagnostics::new(),
        });
        match self
            .arrival(ctx, &nic, &instance, this_object.as_ref())
            .await
        {
            Arrival::Fresh => {}
            Arrival::HandedOver { moved } => {
                if !moved && let Some(j) = journal {
                    // This object's own tainted copy (or, before 1.3, possibly a refactor):
                    // under `create_before_destroy` the apply walk finds it set aside and
                    // must know the attachment is this state's to take over.
                    j.note(kept.clone());
                }
                change.planned_private = private.with_handover(Some((&nic, &instance))).encode();
                if moved {
                    diags.push(self.situation(
                        Situation::MovedWithoutBlock,
                        Severity::Warning,
                        &nic,
                        &instance,
                        &[],
                    ));
                }
            }
            Arrival::Refused(situation, extras) => {
                diags.push(self.situation(situation, Severity::Error, &nic, &instance, &extras));
            }
        }
        diags
    }

    fn situation(
        &self,
        situation: Situation,
        severity: Severity,
        nic_id: &str,
        instance_id: &str,
        extras: &[(&str, String)],
    ) -> Diagnostic {
        let subject = Subject {
            nic_id,
            instance_id,
            op: Op::Attach,
            facts: None,
        };
        catalogue::for_situation(situation, severity, &subject, extras)
    }

    /// Decides whether a planned create of `nic_id` on `instance_id` takes over an attachment
    /// another object of this state holds, and records it as arriving.
    async fn arrival(
        &self,
        ctx: &Context,
        nic_id: &str,
        instance_id: &str,
        this_object: Option<&(String, String)>,
    ) -> Arrival {
        let shared = &self.shared;
        let holders = shared.memory.holders(nic_id);
        let same_object = this_object.is_some_and(|(n, i)| n == nic_id && i == instance_id);
        if same_object {
            return Arrival::Fresh;
        }
        let held_by_this = |i: &String| this_object.is_some_and(|(n, t)| n == nic_id && t == i);
        if let Some(other) = holders
            .iter()
            .find(|i| *i != instance_id && !held_by_this(i))
        {
            // Held on another instance: fine if that object goes in this run.
            if shared
                .handovers
                .fate(ctx, nic_id, other, handover::FATE_WINDOW)
                .await
                == Fate::Kept
            {
                return Arrival::Refused(
                    Situation::HeldByKept,
                    vec![("other_instance_id", other.clone())],
                );
            }
            return Arrival::Fresh;
        }
        if !holders.contains(instance_id) {
            return Arrival::Fresh;
        }
        shared.handovers.arrive(nic_id, instance_id);
        match shared
            .handovers
            .fate(ctx, nic_id, instance_id, handover::FATE_WINDOW)
            .await
        {
            Fate::Kept => Arrival::Refused(
                Situation::HeldByKept,
                vec![("other_instance_id", instance_id.to_owned())],
            ),
            Fate::Leaving { handed_over: true } => Arrival::HandedOver { moved: true },
            Fate::Leaving { handed_over: false } => {
                Arrival::Refused(Situation::MoveUnsafe, Vec::new())
            }
            // Terraform >= 1.3 plans every destroy with the provider, so in a plan walk a
            // holder with no destroy of its own is this object's tainted copy, replaced in
            // place; so is every holder in an apply walk, which plans no destroys. Older
            // versions cannot tell a tainted copy from a refactor; the handover holds for both.
            Fate::Unseen => Arrival::HandedOver { moved: false },
        }
    }

    /// Plan checks for an attachment of which only one ID is known yet.
    async fn check_one_side(
        &self,
        ctx: &Context,
        nic_id: Option<&str>,
        instance_id: Option<&str>,
    ) -> Diagnostics {
        let (nic_id, instance_id) = match (nic_id, instance_id) {
            (Some(n), None) if id::check(n).is_ok() => (Some(n), None),
            (None, Some(i)) if id::check(i).is_ok() => (None, Some(i)),
            _ => return Diagnostics::new(),
        };
        let crate::provider::Setup::Ready(ready) = self.shared.setup() else {
            return Diagnostics::new();
        };
        checks::check_one_side(ctx, &self.shared, &ready, nic_id, instance_id).await
    }
}

#[cfg(test)]
mod tests;
