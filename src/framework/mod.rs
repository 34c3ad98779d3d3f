//! A small, generic Terraform provider framework: schemas, attribute paths, diagnostics and the
//! traits a provider implements. The `protocol` layer drives these traits; nothing here knows
//! about gRPC or about Zenlayer.
//!
//! Invariant: Terraform's plan and apply rules (computed values unknown on create, known planned
//! values kept, null state only on delete) are enforced by the framework, not by each resource.

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
