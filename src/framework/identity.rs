//! Resource identity (Terraform ≥ 1.12): the schema a resource declares, and the rules every
//! identity that goes back to Terraform follows, enforced here once for every resource:
//! an identity never changes during an object's life (Terraform does not check this itself),
//! it is wholly known except in a create or replace plan, and it fits its schema.

use super::check::type_violations;
use super::state::decode_identity;
use super::{Context, Diagnostic, Diagnostics, ImportOutcome, ImportRequest, ResourceType};
use crate::cty::{Type, Value};

/// The identity a resource type declares: the attributes that name one remote object.
#[derive(Clone, Debug)]
pub struct IdentitySchema {
    /// Raised when the shape changes; older stored identities go through
    /// `Resource::upgrade_identity`.
    pub version: i64,
    /// The identity attributes, in the order Terraform shows them.
    pub attributes: Vec<IdentityAttribute>,
}

/// One attribute of an identity.
#[derive(Clone, Debug)]
pub struct IdentityAttribute {
    /// The attribute name used in `import { identity = {...} }` and in state.
    pub name: String,
    /// The attribute's type; Terraform allows primitives and lists of primitives.
    pub ty: Type,
    /// Must be given in `import { identity = {...} }`.
    pub required_for_import: bool,
    /// May be given in `import { identity = {...} }`.
    pub optional_for_import: bool,
    /// Markdown, shown in `terraform providers schema -json` and the docs.
    pub description: String,
}

impl IdentitySchema {
    /// The object type identities of this schema have.
    pub fn value_type(&self) -> Type {
        Type::object(
            self.attributes
                .iter()
                .map(|a| (a.name.clone(), a.ty.clone())),
        )
    }
}

const INVALID_IDENTITY: &str = "Provider produced an invalid identity";

impl ResourceType {
    /// The identity schema and its type, if the resource has an identity.
    pub fn identity(&self) -> Option<(&IdentitySchema, &Type)> {
        self.identity.as_ref().map(|(s, t)| (s, t))
    }

    /// The identity to send with a refreshed object: the one state already holds (an
    /// identity never changes), else the resource's identity for `state`. None without an
    /// identity schema or when the object is gone.
    pub fn identity_after_read(
        &self,
        prior: Value,
        state: &Value,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        self.identity.as_ref()?;
        if state.is_null() {
            return None;
        }
        if !prior.is_null() {
            return Some(prior);
        }
        self.derived(state, true, "reading", diags)
    }

    /// The identity a plan promises. A new object (create, replace) gets the identity of the
    /// planned state; any other plan keeps the prior identity. A new object's identity that is
    /// not wholly known yet is not sent: Terraform allows it, but 1.12.2 then fails to render
    /// the plan ("Failed to marshal plan to json: value is not known"); apply sends it.
    pub fn identity_for_plan(
        &self,
        prior: Value,
        planned_state: &Value,
        new_object: bool,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        self.identity.as_ref()?;
        if planned_state.is_null() {
            return None;
        }
        if !new_object && !prior.is_null() {
            return Some(prior);
        }
        self.derived(planned_state, false, "planning", diags)
            .filter(Value::is_wholly_known)
    }

    /// The identity of an applied object: the planned one when it is wholly known (an
    /// update), else the resource's identity for `new_state` (a create).
    pub fn identity_after_apply(
        &self,
        planned: Value,
        new_state: &Value,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        self.identity.as_ref()?;
        if new_state.is_null() {
            return None;
        }
        if !planned.is_null() && planned.is_wholly_known() {
            return Some(planned);
        }
        self.derived(new_state, true, "applying", diags)
    }

    /// The identity of an imported object.
    pub fn identity_after_import(&self, state: &Value, diags: &mut Diagnostics) -> Option<Value> {
        self.identity.as_ref()?;
        self.derived(state, true, "importing", diags)
    }

    /// The identity of an object a `moved` block handed over from another type: derived
    /// from the converted state, whatever identity the source had.
    pub fn identity_after_move(&self, state: &Value, diags: &mut Diagnostics) -> Option<Value> {
        self.identity.as_ref()?;
        self.derived(state, true, "moving", diags)
    }

    /// Imports by identity (`import { identity = {...} }`): the resource turns the identity
    /// into its import ID (or explains which attribute is wrong), then imports as by ID.
    pub async fn import_by_identity(&self, ctx: &Context, identity: &Value) -> ImportOutcome {
        let failed = |diagnostics: Diagnostics| ImportOutcome {
            objects: Vec::new(),
            diagnostics,
        };
        if self.identity.is_none() {
            return failed(
                Diagnostic::error(
                    "Import by identity is not supported",
                    format!(
                        "The resource type {} has no identity; import it by ID instead.",
                        self.type_name()
                    ),
                )
                .into(),
            );
        }
        match self.resource.import_id(identity) {
            Ok(id) => self.import(ctx, ImportRequest { id }).await,
            Err(d) => failed(d),
        }
    }

    /// Brings a stored identity to the current identity schema: refuses newer versions,
    /// reads the current version as it is, lets the resource upgrade older ones.
    pub async fn upgrade_identity(
        &self,
        ctx: &Context,
        version: i64,
        json: &[u8],
    ) -> Result<Value, Diagnostics> {
        let Some((schema, ty)) = self.identity.as_ref() else {
            return Err(Diagnostic::error(
                "Resource identity is not supported",
                format!(
                    "The resource type {} has no identity, so a stored identity cannot be \
                     upgraded. The state may have been written by a different provider.",
                    self.type_name()
                ),
            )
            .into());
        };
        if version > schema.version {
            return Err(Diagnostic::error(
                "Identity written by a newer provider",
                format!(
                    "The stored identity has version {version} but this provider knows versions \
                     up to {}. Use the provider version that wrote this state, or a newer one.",
                    schema.version
                ),
            )
            .into());
        }
        let value = if version == schema.version {
            decode_identity(ty, json)?
        } else {
            self.resource.upgrade_identity(ctx, version, json).await?
        };
        let mut diags = Diagnostics::new();
        match self.checked(value, true, "upgrading the stored identity of", &mut diags) {
            Some(v) => Ok(v),
            None => Err(diags),
        }
    }

    fn derived(
        &self,
        state: &Value,
        known: bool,
        doing: &str,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        let value = self.resource.identity_of(state);
        self.checked(value, known, doing, diags)
    }

    /// `value` if it fits the identity type (and is wholly known when `known`), else an error.
    fn checked(
        &self,
        value: Value,
        known: bool,
        doing: &str,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        let (_, ty) = self.identity.as_ref()?;
        let type_name = self.type_name();
        let problem = if value.is_null() {
            Some("it is null".to_string())
        } else if let Some(v) = type_violations(ty, &value).first() {
            Some(format!("at {}, {}", v.path, v.problem))
        } else if known && !value.is_wholly_known() {
            Some("it is not wholly known".to_string())
        } else {
            None
        };
        match problem {
            None => Some(value),
            Some(problem) => {
                diags.error(
                    INVALID_IDENTITY,
                    format!(
                        "While {doing} {type_name}, the provider produced an identity Terraform \
                         cannot store: {problem}. This is a bug in the provider; please report \
                         it to the provider developers."
                    ),
                );
                None
            }
        }
    }
}
