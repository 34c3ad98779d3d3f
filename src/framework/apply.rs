//! ApplyResourceChange for any resource: dispatch to create, update or delete, then hold the
//! result to the plan before Terraform does.
//!
//! Nothing is lost on failure: a resource that fails part-way returns errors together with the
//! object as it now exists, and that object reaches Terraform (which saves a failed create as
//! tainted). Unknowns in such a state become null so Terraform can store it.

use super::check::{fitted, unknowns_to_null};
use super::compare::{mismatches, unknown_paths};
use super::deferred;
use super::render::{paths_text, value_at};
use super::{
    ApplyOutcome, Context, CreateRequest, DeleteRequest, Diagnostic, Diagnostics, ResourceType,
    UpdateRequest,
};
use crate::cty::Value;

/// What ApplyResourceChange brings, decoded.
#[derive(Clone, Debug)]
pub struct ApplyRequest {
    /// Null on create.
    pub prior_state: Value,
    /// Null on delete.
    pub planned_state: Value,
    /// Null on delete.
    pub config: Value,
    /// Private data from the plan, handed to the resource's create, update or delete.
    pub planned_private: Vec<u8>,
}

const INVALID_RESULT: &str = "Provider produced an invalid result";

impl ResourceType {
    /// Applies a planned change: create when there is no prior object, delete when the plan
    /// is null, update otherwise.
    pub async fn apply(&self, ctx: &Context, req: ApplyRequest) -> ApplyOutcome {
        if req.planned_state.is_null() {
            if req.prior_state.is_null() {
                return ApplyOutcome {
                    new_state: Value::Null,
                    private: Vec::new(),
                    diagnostics: Diagnostics::new(),
                };
            }
            let out = self
                .resource
                .delete(
                    ctx,
                    DeleteRequest {
                        prior_state: req.prior_state,
                        private: req.planned_private,
                    },
                )
                .await;
            return self.finish_delete(out);
        }
        let planned = req.planned_state.clone();
        if req.prior_state.is_null()
            && let Some(errors) = deferred::take_errors(&req.planned_private)
        {
            // The final plan found these; failing here without an object lets Terraform
            // restore a deposed object instead of stranding it.
            return ApplyOutcome {
                new_state: Value::Null,
                private: Vec::new(),
                diagnostics: errors,
            };
        }
        let (out, op) = if req.prior_state.is_null() {
            let create = CreateRequest {
                config: req.config,
                planned_state: req.planned_state,
                planned_private: req.planned_private,
            };
            (self.resource.create(ctx, create).await, Write::Create)
        } else {
            let update = UpdateRequest {
                prior_state: req.prior_state,
                config: req.config,
                planned_state: req.planned_state,
                planned_private: req.planned_private,
            };
            (self.resource.update(ctx, update).await, Write::Update)
        };
        self.finish_write(op, &planned, out)
    }

    fn finish_write(&self, write: Write, planned: &Value, mut out: ApplyOutcome) -> ApplyOutcome {
        let (name, op) = (self.type_name(), write.noun());
        out.new_state = self.storable(write.gerund(), out.new_state, &mut out.diagnostics);
        if out.diagnostics.has_errors() {
            out.new_state = unknowns_to_null(&self.schema.block, out.new_state);
            return out;
        }
        if out.new_state.is_null() {
            out.diagnostics.error(
                INVALID_RESULT,
                format!(
                    "The provider reported that the {op} of {name} succeeded but returned no \
                     object. If the object was created remotely, Terraform has lost track of \
                     it: import it, or delete it by hand. This is a bug in the provider; please \
                     report it to the provider developers."
                ),
            );
            return out;
        }
        let unknown = unknown_paths(&out.new_state);
        if !unknown.is_empty() {
            out.diagnostics.error(
                INVALID_RESULT,
                format!(
                    "After the {op} of {name}, the provider left these values unknown: {}. \
                     Terraform stores them as null. This is a bug in the provider; please \
                     report it to the provider developers.",
                    paths_text(&unknown)
                ),
            );
            out.new_state = unknowns_to_null(&self.schema.block, out.new_state);
        }
        for m in mismatches(planned, &out.new_state) {
            let block = &self.schema.block;
            let d = Diagnostic::error(
                INVALID_RESULT,
                format!(
                    "After the {op} of {name}, {} is {} but the plan promised {}. Terraform \
                     keeps the object, marked for replacement if it was just created. This is a \
                     bug in the provider; please report it to the provider developers.",
                    if m.path.steps().is_empty() {
                        "the object".to_string()
                    } else {
                        m.path.to_string()
                    },
                    value_at(block, &m.path, &m.actual),
                    value_at(block, &m.path, &m.planned),
                ),
            );
            out.diagnostics.push(if m.path.steps().is_empty() {
                d
            } else {
                d.at(m.path)
            });
        }
        out
    }

    fn finish_delete(&self, mut out: ApplyOutcome) -> ApplyOutcome {
        out.new_state = self.storable("deleting", out.new_state, &mut out.diagnostics);
        out.new_state = unknowns_to_null(&self.schema.block, out.new_state);
        if !out.diagnostics.has_errors() && !out.new_state.is_null() {
            out.diagnostics.error(
                INVALID_RESULT,
                format!(
                    "The provider reported that {} was deleted but still returned an object. \
                     Terraform keeps it in state; if it is really gone, the next refresh drops \
                     it. This is a bug in the provider; please report it to the provider \
                     developers.",
                    self.type_name()
                ),
            );
        }
        out
    }

    /// `state` with every schema key present, or null (with an error) when it does not fit
    /// the schema, since Terraform cannot store such a value at all. `op` is a gerund
    /// ("creating") for the message.
    pub(crate) fn storable(&self, op: &str, state: Value, diags: &mut Diagnostics) -> Value {
        let doing = format!("{op} {}", self.type_name());
        fitted(
            &self.schema.block,
            &self.value_type,
            state,
            INVALID_RESULT,
            &doing,
            diags,
        )
        .unwrap_or(Value::Null)
    }
}

/// Which write an apply ran, for messages.
#[derive(Clone, Copy)]
enum Write {
    Create,
    Update,
}

impl Write {
    fn noun(self) -> &'static str {
        match self {
            Write::Create => "create",
            Write::Update => "update",
        }
    }

    fn gerund(self) -> &'static str {
        match self {
            Write::Create => "creating",
            Write::Update => "updating",
        }
    }
}
