//! A small, generic Terraform provider framework: schemas, attribute paths, diagnostics and the
//! traits a provider implements. The `protocol` layer drives these traits; nothing here knows
//! about gRPC or about Zenlayer.
//!
//! Invariant: Terraform's plan and apply rules (computed values unknown on create, known planned
//! values kept, null state only on delete) are enforced by the framework, not by each resource.
//!
//! # A minimal resource
//!
//! A second resource implements [`Resource`]: a schema, and create, read, update and delete
//! against its remote system. Everything else (unknown computed values in the plan, the
//! replacement a `requires_replace` attribute forces, the checks of Terraform's rules on each
//! result) the framework does around it. The provider lists the resource in
//! [`Provider::resources`], and the [`Registry`] serves it to the protocol layer by name.
//!
//! ```rust
//! use std::sync::Arc;
//!
//! use async_trait::async_trait;
//! use tpz::cty::{Type, Value};
//! use tpz::framework::{
//!     ApplyOutcome, ApplyRequest, Attribute, Block, ConfigureRequest, Context, CreateRequest,
//!     DeleteRequest, Diagnostics, PlanPass, PlanRequest, Provider, ReadOutcome, ReadRequest,
//!     ReadResult, Registry, Resource, Schema, UpdateRequest,
//! };
//!
//! /// `example_note`: `text` (required, replaces the note when changed) and `id` (computed,
//! /// assigned by the remote system on create).
//! struct Note;
//!
//! #[async_trait]
//! impl Resource for Note {
//!     fn type_name(&self) -> &'static str {
//!         "example_note"
//!     }
//!
//!     fn schema(&self) -> Schema {
//!         Schema {
//!             version: 0,
//!             block: Block {
//!                 attributes: vec![
//!                     Attribute::required("text", Type::String, "What the note says.")
//!                         .requires_replace(),
//!                     Attribute::computed("id", Type::String, "Assigned on create."),
//!                 ],
//!                 description: "A note.".into(),
//!                 ..Block::default()
//!             },
//!         }
//!     }
//!
//!     async fn create(&self, _ctx: &Context, req: CreateRequest) -> ApplyOutcome {
//!         // A real resource calls its API here and waits for the object to settle.
//!         let text = req.config.attr("text").cloned().unwrap_or(Value::Null);
//!         let state = Value::object([("text", text), ("id", Value::string("note-1"))]);
//!         ApplyOutcome {
//!             new_state: state,
//!             private: Vec::new(),
//!             diagnostics: Diagnostics::new(),
//!         }
//!     }
//!
//!     async fn read(&self, _ctx: &Context, req: ReadRequest) -> ReadResult {
//!         // A real resource looks the ID up; `Gone` when the object was deleted behind
//!         // Terraform's back.
//!         ReadResult {
//!             outcome: ReadOutcome::Present(req.state),
//!             private: req.private,
//!             diagnostics: Diagnostics::new(),
//!         }
//!     }
//!
//!     async fn update(&self, _ctx: &Context, req: UpdateRequest) -> ApplyOutcome {
//!         // Every argument forces replacement, so nothing remote changes in place.
//!         ApplyOutcome {
//!             new_state: req.planned_state,
//!             private: req.planned_private,
//!             diagnostics: Diagnostics::new(),
//!         }
//!     }
//!
//!     async fn delete(&self, _ctx: &Context, _req: DeleteRequest) -> ApplyOutcome {
//!         ApplyOutcome {
//!             new_state: Value::Null,
//!             private: Vec::new(),
//!             diagnostics: Diagnostics::new(),
//!         }
//!     }
//! }
//!
//! /// The provider around it: an empty `provider` block and the one resource.
//! struct Example;
//!
//! #[async_trait]
//! impl Provider for Example {
//!     fn schema(&self) -> Schema {
//!         Schema::default()
//!     }
//!     fn resources(&self) -> Vec<Arc<dyn Resource>> {
//!         vec![Arc::new(Note)]
//!     }
//!     async fn validate(&self, _ctx: &Context, _config: &Value) -> Diagnostics {
//!         Diagnostics::new()
//!     }
//!     async fn configure(&self, _ctx: &Context, _req: ConfigureRequest) -> Diagnostics {
//!         Diagnostics::new()
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! // What the protocol layer does for `terraform apply` of a new note, then `destroy`.
//! let registry = Registry::new(Arc::new(Example));
//! let notes = registry.resource("example_note").expect("registered by type name");
//! let ctx = Context::default();
//! let config = Value::object([("text", Value::string("hello")), ("id", Value::Null)]);
//!
//! // The framework, not the resource, marks `id` unknown in the create plan.
//! let plan = notes
//!     .plan(&ctx, PlanRequest {
//!         prior_state: Value::Null,
//!         proposed_new_state: config.clone(),
//!         config: config.clone(),
//!         prior_private: Vec::new(),
//!         pass: PlanPass::Review,
//!     })
//!     .await;
//! assert!(!plan.diagnostics.has_errors());
//! assert!(plan.planned_state.attr("id").is_some_and(Value::is_unknown));
//!
//! let created = notes
//!     .apply(&ctx, ApplyRequest {
//!         prior_state: Value::Null,
//!         planned_state: plan.planned_state,
//!         config,
//!         planned_private: plan.planned_private,
//!     })
//!     .await;
//! assert!(!created.diagnostics.has_errors());
//! assert_eq!(created.new_state.attr("id"), Some(&Value::string("note-1")));
//!
//! let destroyed = notes
//!     .apply(&ctx, ApplyRequest {
//!         prior_state: created.new_state,
//!         planned_state: Value::Null,
//!         config: Value::Null,
//!         planned_private: Vec::new(),
//!     })
//!     .await;
//! assert!(destroyed.new_state.is_null());
//! # }
//! ```

#![warn(missing_docs)]

mod apply;
mod check;
mod compare;
mod context;
mod deferred;
mod diagnostics;
mod identity;
mod list;
mod moves;
mod path;
mod plan;
mod read;
mod registry;
mod render;
mod resource;
mod schema;
pub mod state;

pub use apply::ApplyRequest;
pub use plan::{PlanOutcome, PlanPass, PlanRequest};
pub use registry::{DataSourceType, Registry, ResourceType};

pub use context::Context;
pub use diagnostics::{Diagnostic, Diagnostics, Severity};
pub use identity::{IdentityAttribute, IdentitySchema};
pub use list::{ListEvent, ListRequest, ListResource, ListSink, ListType, Listed};
pub use moves::{MoveRequest, MoveSource, MovedObject};
pub use path::{AttributePath, PathStep};
pub use resource::{
    ApplyOutcome, ConfigureRequest, CreateRequest, DataSource, DeleteRequest, ImportOutcome,
    ImportRequest, ImportedObject, PlanKind, PlannedChange, Provider, ReadDataRequest, ReadOutcome,
    ReadRequest, ReadResult, Resource, UpdateRequest, UpgradeRequest,
};
pub use schema::{Attribute, Block, NestedBlock, Nesting, Schema};
