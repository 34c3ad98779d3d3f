//! List resources (Terraform ≥ 1.14, `terraform query`): a provider lists existing objects
//! of a managed type; the framework turns each into what Terraform needs (the identity, the
//! full object when asked, a display name), stops at the limit, and stops when Terraform
//! stops listening. Also config generation for the objects a query found.

use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::mpsc;

use super::{Context, Diagnostic, Diagnostics, ResourceType, Schema};
use crate::cty::Value;

/// What a listing receives.
#[derive(Clone, Debug)]
pub struct ListRequest {
    /// The `config {}` block of the `list` block (all null when it is left out).
    pub config: Value,
}

/// One object found: its full state under the managed type's schema, and a name a person
/// recognises.
#[derive(Clone, Debug)]
pub struct Listed {
    /// A value of the managed resource type's schema.
    pub state: Value,
    /// A name a person recognises the object by in `terraform query` output.
    pub display_name: String,
}

/// One result as it goes back to Terraform.
#[derive(Clone, Debug)]
pub struct ListEvent {
    /// The object's identity, which `import` blocks generated from the query use.
    pub identity: Value,
    /// A name a person recognises the object by in `terraform query` output.
    pub display_name: String,
    /// The full object, when Terraform asked for it.
    pub state: Option<Value>,
    /// Problems with this one object; a warning rides along, an error ends the listing.
    pub diagnostics: Diagnostics,
}

/// Where a listing sends what it finds, as it finds it.
pub struct ListSink {
    tx: mpsc::Sender<ListEvent>,
    rt: Arc<ResourceType>,
    include_resource: bool,
    left: u64,
}

impl ListSink {
    /// Sends one object. False when the listing must end: the limit is reached, or
    /// Terraform stopped listening (it cancels the call at its limit or on Ctrl-C).
    pub async fn send(&mut self, listed: Listed) -> bool {
        if self.left == 0 {
            return false;
        }
        let mut diagnostics = Diagnostics::new();
        let state = self
            .rt
            .known_object("listing", listed.state, &mut diagnostics);
        let identity = if state.is_null() {
            None
        } else {
            self.rt.identity_after_import(&state, &mut diagnostics)
        };
        let event = ListEvent {
            identity: identity.unwrap_or(Value::Null),
            display_name: listed.display_name,
            state: self.include_resource.then_some(state),
            diagnostics,
        };
        let failed = event.diagnostics.has_errors();
        if self.tx.send(event).await.is_err() || failed {
            self.left = 0;
            return false;
        }
        self.left -= 1;
        self.left > 0
    }

    /// Ends the listing with `diagnostics` (an error ends Terraform's listing too).
    pub async fn fail(&mut self, diagnostics: Diagnostics) {
        self.left = 0;
        let _ = self
            .tx
            .send(ListEvent {
                identity: Value::Null,
                display_name: String::new(),
                state: None,
                diagnostics,
            })
            .await;
    }
}

/// A list resource: lists existing objects of the managed type of the same name.
#[async_trait]
pub trait ListResource: Send + Sync + 'static {
    /// The managed resource type it lists, e.g. `zenlayer_nic_attachment`.
    fn type_name(&self) -> &'static str;

    /// The schema of the `config {}` block.
    fn schema(&self) -> Schema;

    /// Offline checks of the `config {}` block (ValidateListResourceConfig); no I/O.
    async fn validate(&self, _ctx: &Context, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Lists objects into `sink` until it says to stop or there are no more.
    async fn list(&self, ctx: &Context, req: ListRequest, sink: &mut ListSink);
}

/// A list resource with its schema taken once, and the managed type it lists.
pub struct ListType {
    pub(crate) list: Arc<dyn ListResource>,
    pub(crate) schema: Schema,
    pub(crate) value_type: crate::cty::Type,
}

impl ListType {
    /// The `config {}` block's schema.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The cty type of the `config {}` block.
    pub fn value_type(&self) -> &crate::cty::Type {
        &self.value_type
    }

    /// Offline checks of a `config {}` block.
    pub async fn validate(&self, ctx: &Context, config: &Value) -> Diagnostics {
        self.list.validate(ctx, config).await
    }

    /// Starts the listing on its own task; results arrive on the receiver as they are
    /// found. Dropping the receiver ends the listing at its next result.
    pub fn start(
        &self,
        ctx: Context,
        rt: Arc<ResourceType>,
        req: ListRequest,
        include_resource: bool,
        limit: i64,
    ) -> mpsc::Receiver<ListEvent> {
        let (tx, rx) = mpsc::channel(64);
        let list = Arc::clone(&self.list);
        let left = u64::try_from(limit).unwrap_or(0);
        tokio::spawn(async move {
            let mut sink = ListSink {
                tx,
                rt,
                include_resource,
                left,
            };
            if sink.left > 0 {
                list.list(&ctx, req, &mut sink).await;
            }
        });
        rx
    }
}

impl ResourceType {
    /// The configuration `terraform query -generate-config-out` writes for an object: the
    /// resource's own, by default only its required arguments (computed values, defaults and
    /// blocks are left out).
    pub fn generate_config(&self, state: &Value) -> Result<Value, Diagnostics> {
        if state.is_null() {
            return Err(Diagnostic::error(
                "No object to write configuration for",
                format!(
                    "Terraform asked for the configuration of a {} without sending the object.",
                    self.type_name()
                ),
            )
            .into());
        }
        let attributes = self.schema.block.attributes.iter().map(|a| {
            let value = if a.required {
                state.attr(&a.name).cloned().unwrap_or(Value::Null)
            } else {
                Value::Null
            };
            (a.name.clone(), value)
        });
        let blocks = self
            .schema
            .block
            .blocks
            .iter()
            .map(|b| (b.type_name.clone(), Value::Null));
        let config = Value::object(attributes.chain(blocks));
        Ok(self.schema.block.normalize(config))
    }
}
