//! ReadResource, ImportResourceState, UpgradeResourceState and ReadDataSource for any type:
//! call the resource, then make sure what goes back is a complete, wholly known object of the
//! schema, as Terraform requires of stored state.

use super::check::{fitted, plan_violations, report, type_violations, unknowns_to_null};
use super::compare::unknown_paths;
use super::state::{check_version, decode};
use super::{
    Context, DataSourceType, Diagnostic, Diagnostics, ImportOutcome, ImportRequest,
    ReadDataRequest, ReadOutcome, ReadRequest, ReadResult, ResourceType, UpgradeRequest,
};
use crate::cty::Value;

const INVALID_OBJECT: &str = "Provider produced an invalid object";

impl ResourceType {
    /// Refreshes an object. A result that cannot be stored is reported and the state Terraform
    /// sent is kept, so a provider bug never costs the user their state.
    pub async fn read(&self, ctx: &Context, req: ReadRequest) -> ReadResult {
        if req.state.is_null() {
            return ReadResult {
                outcome: ReadOutcome::Gone,
                private: req.private,
                diagnostics: Diagnostics::new(),
            };
        }
        let sent = req.state.clone();
        let mut result = self.resource.read(ctx, req).await;
        if let ReadOutcome::Present(state) = result.outcome {
            let doing = format!("reading {}", self.type_name());
            let state = self.known_object(&doing, state, &mut result.diagnostics);
            result.outcome = ReadOutcome::Present(if state.is_null() { sent } else { state });
        }
        result
    }

    /// Imports objects by ID; each comes back complete and wholly known, or is reported.
    pub async fn import(&self, ctx: &Context, req: ImportRequest) -> ImportOutcome {
        let id = req.id.clone();
        let mut out = self.resource.import(ctx, req).await;
        let doing = format!("importing {} \"{id}\"", self.type_name());
        let mut objects = Vec::with_capacity(out.objects.len());
        for mut o in std::mem::take(&mut out.objects) {
            o.state = self.known_object(&doing, o.state, &mut out.diagnostics);
            if !o.state.is_null() {
                objects.push(o);
            }
        }
        if objects.is_empty() && !out.diagnostics.has_errors() {
            out.diagnostics.error(
                "Provider imported nothing",
                format!(
                    "While {doing}, the provider reported no error but returned no object. This \
                     is a bug in the provider; please report it to the provider developers."
                ),
            );
        }
        out.objects = objects;
        out
    }

    /// Brings stored state to the current schema: refuses versions newer than the schema,
    /// reads current-version state with the schema taken once, lets the resource upgrade
    /// older state, then shows the resource the result.
    pub async fn upgrade(&self, ctx: &Context, req: UpgradeRequest) -> Result<Value, Diagnostics> {
        check_version(&self.schema, req.version)?;
        let doing = || format!("upgrading the stored state of {}", self.type_name());
        let mut diags = Diagnostics::new();
        let state = if req.version == self.schema.version {
            // Stored JSON decodes to a normalized value of the type, without unknowns: only
            // null is left to report.
            let state = decode(&self.schema.block, &self.value_type, &req.json)?;
            if state.is_null() {
                diags.push(null_object(&doing()));
            }
            state
        } else {
            let state = self.resource.upgrade(ctx, req).await?;
            self.known_object(&doing(), state, &mut diags)
        };
        if diags.has_errors() {
            return Err(diags);
        }
        self.resource.upgraded(&state);
        Ok(state)
    }

    /// `state` normalized to the schema, or null with an error when it is null, does not fit
    /// the schema, or holds unknowns.
    pub(crate) fn known_object(&self, doing: &str, state: Value, diags: &mut Diagnostics) -> Value {
        if state.is_null() {
            diags.push(null_object(doing));
            return Value::Null;
        }
        let block = &self.schema.block;
        let Some(state) = fitted(block, &self.value_type, state, INVALID_OBJECT, doing, diags)
        else {
            return Value::Null;
        };
        let unknown = unknown_paths(&state);
        if !unknown.is_empty() {
            diags.push(unknown_error(doing, &unknown));
            return Value::Null;
        }
        state
    }
}

impl DataSourceType {
    /// Reads the data source; the result must be wholly known and keep every configured value.
    pub async fn read(&self, ctx: &Context, req: ReadDataRequest) -> (Value, Diagnostics) {
        let config = req.config.clone();
        let (state, mut diags) = self.data_source.read(ctx, req).await;
        let doing = format!("reading data source {}", self.type_name());
        if diags.has_errors() {
            // Terraform ignores the value of a failed read but still decodes it.
            let state = self.schema.block.normalize(state);
            let fits = type_violations(&self.value_type, &state).is_empty();
            let state = if fits {
                unknowns_to_null(&self.schema.block, state)
            } else {
                Value::Null
            };
            return (state, diags);
        }
        if state.is_null() {
            diags.push(Diagnostic::error(
                INVALID_OBJECT,
                format!(
                    "While {doing}, the provider returned no data. This is a bug in the provider; \
                     please report it to the provider developers."
                ),
            ));
            return (Value::Null, diags);
        }
        let block = &self.schema.block;
        let Some(state) = fitted(
            block,
            &self.value_type,
            state,
            INVALID_OBJECT,
            &doing,
            &mut diags,
        ) else {
            return (Value::Null, diags);
        };
        let violations = plan_violations(block, &Value::Null, &config, &state);
        if report(violations, INVALID_OBJECT, &doing, &mut diags) {
            return (Value::Null, diags);
        }
        let unknown = unknown_paths(&state);
        if !unknown.is_empty() {
            diags.push(unknown_error(&doing, &unknown));
            return (Value::Null, diags);
        }
        (state, diags)
    }
}

fn null_object(doing: &str) -> Diagnostic {
    Diagnostic::error(
        INVALID_OBJECT,
        format!(
            "While {doing}, the provider returned a null object. This is a bug in the provider; \
             please report it to the provider developers."
        ),
    )
}

fn unknown_error(doing: &str, paths: &[super::AttributePath]) -> Diagnostic {
    Diagnostic::error(
        INVALID_OBJECT,
        format!(
            "While {doing}, the provider returned unknown values for {}; stored values must be \
             known. This is a bug in the provider; please report it to the provider developers.",
            super::render::paths_text(paths)
        ),
    )
}
