//! Reading stored state (JSON) into values of the current schema.

use super::{Diagnostic, Diagnostics, Schema, UpgradeRequest};
use crate::cty::{self, Value};

/// Decodes stored state JSON as the current schema: missing keys become null (or empty
/// blocks), unknown keys are dropped, and a version newer than the schema is refused.
pub fn decode_stored(schema: &Schema, req: &UpgradeRequest) -> Result<Value, Diagnostics> {
    if req.version > schema.version {
        return Err(Diagnostic::error(
            "State written by a newer provider",
            format!(
                "The stored state has schema version {} but this provider knows versions up to {}. \
                 Use the provider version that wrote this state, or a newer one.",
                req.version, schema.version
            ),
        )
        .into());
    }
    let ty = schema.block.value_type();
    match cty::json::decode(&req.json, &ty) {
        Ok(v) => Ok(schema.block.normalize(v)),
        Err(e) => Err(Diagnostic::error(
            "Stored state could not be read",
            format!("The state file holds a value this provider cannot read: {e}"),
        )
        .into()),
    }
}
