use std::sync::Arc;

use async_trait::async_trait;

use super::{
    AttributePath, Context, Diagnostic, Diagnostics, IdentitySchema, MoveRequest, MoveSource,
    MovedObject, PlanPass, Schema,
};
use crate::cty::Value;

/// A Terraform provider: its configuration block and the types it serves.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// The schema of the `provider` block.
    fn schema(&self) -> Schema;

    /// Every managed resource type. Called once per process; the list never changes.
    fn resources(&self) -> Vec<Arc<dyn Resource>>;

    /// Every data source type.
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        Vec::new()
    }

    /// Every list resource type (`terraform query`, Terraform ≥ 1.14).
    fn list_resources(&self) -> Vec<Arc<dyn super::ListResource>> {
        Vec::new()
    }

    /// Offline checks of the provider block (PrepareProviderConfig); may see unknowns; no I/O.
    async fn validate(&self, ctx: &Context, config: &Value) -> Diagnostics;

    /// Sets the provider up for the resource RPCs that follow (Configure).
    async fn configure(&self, ctx: &Context, req: ConfigureRequest) -> Diagnostics;
}

/// What Configure receives.
#[derive(Clone, Debug)]
pub struct ConfigureRequest {
    /// e.g. `1.11.4`; goes into the User-Agent.
    pub terraform_version: String,
    /// The provider block; may contain unknowns during plan.
    pub config: Value,
}

/// A managed resource type. The framework has already done the generic parts of every
/// operation (decoding, unknown computed values, replacement detection, invariant checks).
#[async_trait]
pub trait Resource: Send + Sync + 'static {
    /// The type name, e.g. `zenlayer_nic_attachment`.
    fn type_name(&self) -> &'static str;

    /// The schema of this type's configuration and state; the framework plans and checks against
    /// it.
    fn schema(&self) -> Schema;

    /// Offline checks of a configuration that may hold unknowns (ValidateResourceTypeConfig).
    async fn validate(&self, _ctx: &Context, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Turns stored state written under an older schema `version` into a value of the current
    /// schema (the framework reads current-version state itself). The default reads it as the
    /// current schema, filling keys added since with null.
    async fn upgrade(&self, _ctx: &Context, req: UpgradeRequest) -> Result<Value, Diagnostics> {
        super::state::decode_stored(&self.schema(), &req)
    }

    /// Sees each stored object once it is a value of the current schema, so the resource can
    /// learn what state holds before it plans.
    fn upgraded(&self, _state: &Value) {}

    /// Refreshes `req.state` from the remote system.
    async fn read(&self, ctx: &Context, req: ReadRequest) -> ReadResult;

    /// Adjusts the framework's draft plan: fill computed values it can already know, and
    /// report what the apply would run into. Never changes a value the config sets.
    ///
    /// Called for every plan but a destroy, `NoOp` included, so problems surface even when
    /// nothing changes. On an in-place update the draft keeps prior computed values; mark
    /// the ones the update will change unknown here. The framework checks the result against
    /// Terraform's rules afterwards.
    async fn modify_plan(&self, _ctx: &Context, _change: &mut PlannedChange) -> Diagnostics {
        Diagnostics::new()
    }

    /// Plans a destroy (Terraform >= 1.3 asks; older versions hand the stored private data to
    /// the delete unasked). Returns the private data the delete will receive, so a resource
    /// can tell its delete what this run decided. The planned state is always null.
    async fn plan_destroy(
        &self,
        _ctx: &Context,
        _prior_state: &Value,
        prior_private: Vec<u8>,
    ) -> Vec<u8> {
        prior_private
    }

    /// Creates the object; `new_state` must agree with the plan and leave no value unknown.
    async fn create(&self, ctx: &Context, req: CreateRequest) -> ApplyOutcome;

    /// In-place update. Resources whose every argument requires replacement still receive
    /// updates of provider-local settings (such as `timeouts`).
    async fn update(&self, ctx: &Context, req: UpdateRequest) -> ApplyOutcome;

    /// Deletes the object. On success `new_state` must be null; on failure, the prior state.
    async fn delete(&self, ctx: &Context, req: DeleteRequest) -> ApplyOutcome;

    /// The resource's identity (Terraform ≥ 1.12), if it has one.
    fn identity_schema(&self) -> Option<IdentitySchema> {
        None
    }

    /// The identity of the object `state` describes (which may hold unknowns while
    /// planning). The framework keeps an object's first identity for its whole life.
    fn identity_of(&self, _state: &Value) -> Value {
        Value::Null
    }

    /// The import ID for `import { identity = {...} }`, or an error naming the identity
    /// attribute that is wrong.
    fn import_id(&self, _identity: &Value) -> Result<String, Diagnostics> {
        Err(Diagnostic::error(
            "Import by identity is not supported",
            format!(
                "The resource type {} cannot be imported by identity.",
                self.type_name()
            ),
        )
        .into())
    }

    /// Turns a stored identity of an older identity schema `version` (JSON) into one of the
    /// current schema. The default refuses: no older identity versions exist.
    async fn upgrade_identity(
        &self,
        _ctx: &Context,
        version: i64,
        _json: &[u8],
    ) -> Result<Value, Diagnostics> {
        Err(Diagnostic::error(
            "Stored identity cannot be upgraded",
            format!(
                "The stored identity of this {} has version {version}, which this provider                  cannot upgrade.",
                self.type_name()
            ),
        )
        .into())
    }

    /// The resource types whose objects a `moved` block may hand to this one (Terraform ≥ 1.8,
    /// MoveResourceState). Empty: this type accepts no cross-type moves.
    fn move_sources(&self) -> Vec<MoveSource> {
        Vec::new()
    }

    /// Converts a moved object of `source` (already checked: a declared source, a schema
    /// version it knows) into a value of this type. Computed attributes the source lacks may
    /// be null; the refresh after the move reads them.
    async fn move_state(
        &self,
        _ctx: &Context,
        source: &MoveSource,
        _req: MoveRequest,
    ) -> Result<MovedObject, Diagnostics> {
        Err(Diagnostic::error(
            "Moving resources is not supported",
            format!(
                "The resource type {} declares `{}` as a move source but cannot convert it. \
                 This is a bug in the provider; please report it to the provider developers.",
                self.type_name(),
                source.type_name
            ),
        )
        .into())
    }

    /// Finds an existing object by the ID the user typed (`terraform import`, `import {}`).
    async fn import(&self, _ctx: &Context, _req: ImportRequest) -> ImportOutcome {
        ImportOutcome {
            objects: Vec::new(),
            diagnostics: Diagnostic::error(
                "Import is not supported",
                format!("The resource type {} cannot be imported.", self.type_name()),
            )
            .into(),
        }
    }
}

/// A data source type: a read-only lookup, with no state of its own to plan or apply.
#[async_trait]
pub trait DataSource: Send + Sync + 'static {
    /// The type name in configuration; must start with the provider's name.
    fn type_name(&self) -> &'static str;

    /// The schema of the data source's arguments and results.
    fn schema(&self) -> Schema;

    /// Offline checks of a configuration that may hold unknowns; no I/O. Default: none.
    async fn validate(&self, _ctx: &Context, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Reads the data; the result must be wholly known and keep every configured value.
    async fn read(&self, ctx: &Context, req: ReadDataRequest) -> (Value, Diagnostics);
}

/// Stored state to bring up to the current schema.
#[derive(Clone, Debug)]
pub struct UpgradeRequest {
    /// The schema version recorded in state.
    pub version: i64,
    /// The `attributes` object from the state file, as JSON.
    pub json: Vec<u8>,
}

/// What ReadResource receives.
#[derive(Clone, Debug)]
pub struct ReadRequest {
    /// The state as last stored or refreshed; read the remote ID from it.
    pub state: Value,
    /// Opaque bytes Terraform stores beside the object and hands back on the next call; never shown
    /// to users.
    pub private: Vec<u8>,
}

/// What a refresh found.
#[derive(Clone, Debug, PartialEq)]
pub enum ReadOutcome {
    /// The object exists; this is its current state.
    Present(Value),
    /// The object is gone; Terraform drops it from state and plans to create it again.
    Gone,
}

/// The answer to ReadResource. On errors, return `Present(req.state)` so nothing is lost.
#[derive(Clone, Debug)]
pub struct ReadResult {
    /// Whether the object still exists, and if so its refreshed state.
    pub outcome: ReadOutcome,
    /// Private data to store after the refresh; usually `req.private` unchanged.
    pub private: Vec<u8>,
    /// Problems met while reading; an error stops the run, a warning is only shown.
    pub diagnostics: Diagnostics,
}

/// What kind of change a plan is, as the framework classified it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanKind {
    /// No prior object: a new object, the create half of a replacement, or a tainted re-create.
    Create,
    /// Changes applied in place.
    Update,
    /// A `requires_replace` attribute changed (the first of Terraform's two plan calls).
    Replace,
    /// Nothing changes.
    NoOp,
}

/// The framework's draft plan, which `Resource::modify_plan` may refine.
#[derive(Clone, Debug)]
pub struct PlannedChange {
    /// How the framework classified the change; tells the resource what it may fill.
    pub kind: PlanKind,
    /// Null for `Create`.
    pub prior_state: Value,
    /// May contain unknowns.
    pub config: Value,
    /// Starts as Terraform's proposal with computed values the config leaves null marked
    /// unknown on create and replace. Only computed attributes may be changed.
    pub planned_state: Value,
    /// Attribute paths whose change forces replacement; the framework fills them from
    /// `requires_replace` attributes.
    pub requires_replace: Vec<AttributePath>,
    /// For the create half of a replacement, the first plan's `planned_private`.
    pub prior_private: Vec<u8>,
    /// Starts as `prior_private`; handed back at apply.
    pub planned_private: Vec<u8>,
    /// Which of Terraform's plans this is. In the final plan of a create, errors are
    /// reported by the create instead (see `framework::deferred`).
    pub pass: PlanPass,
}

/// What a create receives.
#[derive(Clone, Debug)]
pub struct CreateRequest {
    /// The configuration, wholly known at apply time.
    pub config: Value,
    /// The state the plan promised; computed values may still be unknown and must be filled.
    pub planned_state: Value,
    /// Private data from the plan (`PlannedChange::planned_private`).
    pub planned_private: Vec<u8>,
}

/// What an in-place update receives.
#[derive(Clone, Debug)]
pub struct UpdateRequest {
    /// The state before the update; read the remote ID from it.
    pub prior_state: Value,
    /// The configuration, wholly known at apply time.
    pub config: Value,
    /// The state the plan promised; the result must match its known values.
    pub planned_state: Value,
    /// Private data from the plan (`PlannedChange::planned_private`).
    pub planned_private: Vec<u8>,
}

/// What a delete receives.
#[derive(Clone, Debug)]
pub struct DeleteRequest {
    /// The state of the object to delete; read the remote ID from it.
    pub prior_state: Value,
    /// Private data from `Resource::plan_destroy` (or stored, on Terraform older than 1.3).
    pub private: Vec<u8>,
}

/// The result of create, update or delete. Errors with a non-null state after a create make
/// Terraform save the object as tainted instead of forgetting it.
#[derive(Clone, Debug)]
pub struct ApplyOutcome {
    /// The object's state after the operation: null after a successful delete.
    pub new_state: Value,
    /// Opaque bytes Terraform stores beside the object and hands back on the next call; never shown
    /// to users.
    pub private: Vec<u8>,
    /// Problems met; an error makes Terraform stop after saving `new_state`.
    pub diagnostics: Diagnostics,
}

/// What import receives.
#[derive(Clone, Debug)]
pub struct ImportRequest {
    /// The ID exactly as the user typed it; the resource parses and validates it.
    pub id: String,
}

/// One object found by import; Terraform reads it right after.
#[derive(Clone, Debug)]
pub struct ImportedObject {
    /// The object's state; may be partial, the read that follows fills the rest.
    pub state: Value,
    /// Opaque bytes Terraform stores beside the object and hands back on the next call; never shown
    /// to users.
    pub private: Vec<u8>,
}

/// The answer to import.
#[derive(Clone, Debug)]
pub struct ImportOutcome {
    /// The objects found; a plain `terraform import` expects exactly one.
    pub objects: Vec<ImportedObject>,
    /// Problems met while looking the ID up, e.g. an unknown or malformed ID.
    pub diagnostics: Diagnostics,
}

/// What a data source read receives.
#[derive(Clone, Debug)]
pub struct ReadDataRequest {
    /// The configuration, wholly known; the read keeps every configured value.
    pub config: Value,
}
