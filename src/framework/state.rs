//! Reading stored state (JSON) into values of the current schema.

use super::{Block, Diagnostic, Diagnostics, Schema, UpgradeRequest};
use crate::cty::{self, Type, Value};

/// Decodes stored state JSON as the current schema: missing keys become null (or empty
/// blocks), unknown keys are dropped, and a version newer than the schema is refused.
pub fn decode_stored(schema: &Schema, req: &UpgradeRequest) -> Result<Value, Diagnostics> {
    check_version(schema, req.version)?;
    decode(&schema.block, &schema.block.value_type(), &req.json)
}

/// `json` read as a value of `block`, whose cty type is `ty`, normalized to the block.
pub(crate) fn decode(block: &Block, ty: &Type, json: &[u8]) -> Result<Value, Diagnostics> {
    match cty::json::decode(json, ty) {
        Ok(v) => Ok(block.normalize(v)),
        Err(e) => Err(Diagnostic::error(
            "Stored state could not be read",
            format!("The state file holds a value this provider cannot read: {e}"),
        )
        .into()),
    }
}

/// A stored identity (JSON) read as a value of the identity type `ty`.
pub(crate) fn decode_identity(ty: &Type, json: &[u8]) -> Result<Value, Diagnostics> {
    cty::json::decode(json, ty).map_err(|e| {
        Diagnostic::error(
            "Stored identity could not be read",
            format!("The state file holds an identity this provider cannot read: {e}"),
        )
        .into()
    })
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
