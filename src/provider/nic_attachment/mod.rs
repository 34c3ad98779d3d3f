//! `zenlayer_nic_attachment`: attaches an existing vNIC to a ZEC instance.
//!
//! Both IDs require replacement (Zenlayer moves a NIC only by detaching and attaching it). The
//! ID `<nic_id>:<instance_id>` is known at plan time whenever both IDs are. Create, read,
//! delete and import each live in their own module; this one holds the schema, offline
//! validation and the plan (including plan checks).

mod calls;
mod create;
mod delete;
pub(crate) mod id;
mod identity;
mod import;
pub(crate) mod list;
pub(crate) mod model;
mod private;
mod read;

use std::sync::Arc;

use async_trait::async_trait;

use crate::cty::{Type, Value};
use crate::framework::{
    ApplyOutcome, Attribute, AttributePath, Block, Context, CreateRequest, DeleteRequest,
    Diagnostic, Diagnostics, IdentitySchema, ImportOutcome, ImportRequest, NestedBlock, Nesting,
    PlanKind, PlannedChange, ReadRequest, ReadResult, Resource, Schema, UpdateRequest,
};
use crate::provider::quote::quoted;
use crate::provider::{Shared, checks, duration};

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
        if !matches!(change.kind, PlanKind::Create | PlanKind::Replace) {
            return Diagnostics::new();
        }
        let nic = model::known_str(&change.config, NIC_ID).map(str::to_owned);
        let instance = model::known_str(&change.config, INSTANCE_ID).map(str::to_owned);
        if let (Some(n), Some(i)) = (&nic, &instance)
            && let Some(slot) = change.planned_state.attr_mut(model::ID)
        {
            *slot = Value::string(id::compose(n, i));
        }
        if change.kind == PlanKind::Replace {
            // Terraform plans the new object in a second call with no prior state; carry the
            // attachment being replaced there. Checks run in that call only, so each finding
            // is reported once.
            if let Some((n, i)) = model::pair(&change.prior_state) {
                change.planned_private = private::replacing(&n, &i);
            }
            return Diagnostics::new();
        }
        let (Some(nic), Some(instance)) = (nic, instance) else {
            return Diagnostics::new();
        };
        if id::check(&nic).is_err() || id::check(&instance).is_err() {
            return Diagnostics::new();
        }
        let ready = match self.shared.setup() {
            crate::provider::Setup::Ready(r) => r,
            _ => return Diagnostics::new(),
        };
        let this_object = private::replaced(&change.prior_private);
        checks::check(ctx, &self.shared, &ready, &nic, &instance, this_object).await
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

    fn identity_of(&self, state: &Value) -> Value {
        identity::of(state)
    }

    fn import_id(&self, identity: &Value) -> Result<String, Diagnostics> {
        identity::import_id(identity)
    }
}

#[cfg(test)]
mod tests;
