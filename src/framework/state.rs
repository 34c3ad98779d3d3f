//! Reading stored state (JSON) into values of the current schema.

use super::{Diagnostic, Diagnostics, Schema, UpgradeRequest};
use crate::cty::{self, Value};

/// Decodes stored state JSON as the current schema: missing keys become null (or empty
/// blocks), unknown keys are dropped, and a version newer than the schema is refused.
pub fn decode_stored(schema: &Schema, req: &UpgradeRequest) -> Result<Value, Diagnostics> {
    check_version(schema, req.version)?;
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

/// Refuses state written under a schema version newer than `schema`'s: reading it as an
/// older shape could silently drop what the newer provider stored.
pub fn check_version(schema: &Schema, version: i64) -> Result<(), Diagnostic> {
    if version > schema.version {
        return Err(Diagnostic::error(
            "State written by a newer provider",
            format!(
                "The stored state has schema version {version} but this provider knows versions \
                 up to {}. Use the provider version that wrote this state, or a newer one.",
                schema.version
            ),
        ));
    }
    Ok(())
}
