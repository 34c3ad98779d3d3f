//! PlanResourceChange for any resource: the framework drafts the plan Terraform's rules call
//! for, lets the resource refine it, and checks the result before Terraform does.
//!
//! Draft: destroy plans null; the resource only chooses the private data its delete receives. Otherwise the plan starts from
//! Terraform's proposal; on create, computed attributes the configuration leaves null become
//! unknown (Terraform proposes null there); on update, a changed `requires_replace` attribute
//! (unknown counts as changed) makes the plan a replacement, whose computed attributes not
//! set in configuration become unknown too, since a new object gets new values. An update
//! keeps prior computed values; a resource that knows they will change marks them unknown in
//! `modify_plan`.
//!
//! `Resource::modify_plan` is called for every kind, NoOp included, so a resource can report
//! problems (a vanished dependency, say) even when nothing changes.

use super::check::{plan_violations, type_violations};
use super::compare::{attr, path_exists};
use super::deferred;
use super::{
    AttributePath, Block, Context, Diagnostic, Diagnostics, Nesting, PlanKind, PlannedChange,
    ResourceType,
};
use crate::cty::Value;

/// What PlanResourceChange brings, decoded.
#[derive(Clone, Debug)]
pub struct PlanRequest {
    /// Null on create.
    pub prior_state: Value,
    /// Terraform's merge of config and prior state; null on destroy.
    pub proposed_new_state: Value,
    /// The configuration; may contain unknowns.
    pub config: Value,
    /// Private data the prior apply or plan stored.
    pub prior_private: Vec<u8>,
    /// Which of Terraform's plans this is. A resource that can tell an `Unknown` pass by
    /// other means sets it in `modify_plan`; the framework acts on the value it leaves.
    pub pass: PlanPass,
}

/// Which of Terraform's plans a PlanResourceChange belongs to. Terraform plans every change
/// twice: once for the plan a person reviews, and again during apply with the values learned
/// so far. It says which only through `ClientCapabilities.deferral_allowed` (Terraform 1.9
/// and later allow deferrals in the apply walk alone); older versions say nothing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PlanPass {
    /// The plan shown to the user (`terraform plan`, or the plan step of `apply`).
    Review,
    /// The plan Terraform redoes during apply, right before ApplyResourceChange.
    Final,
    /// Terraform did not say (versions before 1.9).
    #[default]
    Unknown,
}

/// The plan to hand back to Terraform.
#[derive(Clone, Debug)]
pub struct PlanOutcome {
    /// The proposed state with the framework's and the resource's changes; unknowns are filled at
    /// apply.
    pub planned_state: Value,
    /// Attribute paths whose change forces replacement.
    pub requires_replace: Vec<AttributePath>,
    /// Private data handed back to the apply.
    pub planned_private: Vec<u8>,
    /// Problems found while planning; an error stops the plan.
    pub diagnostics: Diagnostics,
}

const INVALID_PLAN: &str = "Provider produced an invalid plan";

impl ResourceType {
    /// Plans a change: draft, `Resource::modify_plan`, then Terraform's rules.
    pub async fn plan(&self, ctx: &Context, req: PlanRequest) -> PlanOutcome {
        if req.proposed_new_state.is_null() {
            let planned_private = self
                .resource
                .plan_destroy(ctx, &req.prior_state, req.prior_private)
                .await;
            return PlanOutcome {
                planned_state: Value::Null,
                requires_replace: Vec::new(),
                planned_private,
                diagnostics: Diagnostics::new(),
            };
        }
        let mut change = draft(&self.schema.block, req);
        let mut diags = self.resource.modify_plan(ctx, &mut change).await;
        if change.kind == PlanKind::Create && change.pass == PlanPass::Final {
            let (kept, private) = deferred::defer_errors(diags, change.planned_private);
            diags = kept;
            change.planned_private = private;
        }
        change.planned_state = self.schema.block.normalize(change.planned_state);
        if diags.has_errors() {
            // Terraform discards a failed plan, but still decodes it: keep it decodable.
            if !type_violations(&self.value_type, &change.planned_state).is_empty() {
                change.planned_state = Value::Null;
            }
        } else {
            diags.extend(self.check_plan(&change));
        }
        PlanOutcome {
            planned_state: change.planned_state,
            requires_replace: change.requires_replace,
            planned_private: change.planned_private,
            diagnostics: diags,
        }
    }

    fn check_plan(&self, change: &PlannedChange) -> Diagnostics {
        let doing = format!("planning {}", self.type_name());
        let violations = type_violations(&self.value_type, &change.planned_state);
        if !violations.is_empty() {
            return violations
                .into_iter()
                .map(|v| v.into_diagnostic(INVALID_PLAN, &doing))
                .collect::<Vec<_>>()
                .into();
        }
        let mut diags: Diagnostics = plan_violations(
            &self.schema.block,
            &change.prior_state,
            &change.config,
            &change.planned_state,
        )
        .into_iter()
        .map(|v| v.into_diagnostic(INVALID_PLAN, &doing))
        .collect::<Vec<_>>()
        .into();
        if !change.prior_state.is_null() {
            for path in &change.requires_replace {
                if !path_exists(&change.prior_state, path)
                    && !path_exists(&change.planned_state, path)
                {
                    diags.push(Diagnostic::error(
                        INVALID_PLAN,
                        format!(
                            "While {doing}, the provider said a change to {path} requires \
                             replacement, but neither the prior state nor the plan has that \
                             attribute. This is a bug in the provider; please report it to the \
                             provider developers."
                        ),
                    ));
                }
            }
        }
        diags
    }
}

/// The framework's plan before the resource sees it.
fn draft(block: &Block, req: PlanRequest) -> PlannedChange {
    let mut planned = req.proposed_new_state;
    let (kind, requires_replace) = if req.prior_state.is_null() {
        mark_computed_unknown(block, &mut planned, &req.config);
        (PlanKind::Create, Vec::new())
    } else {
        let mut paths = Vec::new();
        replace_paths(
            block,
            &req.prior_state,
            &planned,
            &AttributePath::default(),
            &mut paths,
        );
        if !paths.is_empty() {
            mark_computed_unknown(block, &mut planned, &req.config);
            (PlanKind::Replace, paths)
        } else if planned == req.prior_state {
            (PlanKind::NoOp, paths)
        } else {
            (PlanKind::Update, paths)
        }
    };
    PlannedChange {
        kind,
        prior_state: req.prior_state,
        config: req.config,
        planned_state: planned,
        requires_replace,
        planned_private: req.prior_private.clone(),
        prior_private: req.prior_private,
        pass: req.pass,
    }
}

/// Makes every computed attribute that `config` leaves null unknown, in `planned` and in
/// its nested blocks. Unknowns already there are left byte-for-byte as they are.
pub(crate) fn mark_computed_unknown(block: &Block, planned: &mut Value, config: &Value) {
    let Value::Object(m) = planned else {
        return;
    };
    for a in block.attributes.iter().filter(|a| a.computed) {
        if let Some(v) = m.get_mut(&a.name)
            && attr(config, &a.name).is_null()
            && !v.is_unknown()
        {
            *v = Value::unknown();
        }
    }
    for b in &block.blocks {
        let Some(v) = m.get_mut(&b.type_name) else {
            continue;
        };
        let cfg = attr(config, &b.type_name);
        match (b.nesting, v) {
            (Nesting::Single | Nesting::Group, v) => mark_computed_unknown(&b.block, v, cfg),
            (Nesting::List, Value::List(items)) => {
                for (i, item) in items.iter_mut().enumerate() {
                    let c = match cfg {
                        Value::List(c) => c.get(i).unwrap_or(&Value::Null),
                        _ => &Value::Null,
                    };
                    mark_computed_unknown(&b.block, item, c);
                }
            }
            (Nesting::Map, Value::Map(items)) => {
                for (k, item) in items.iter_mut() {
                    let c = match cfg {
                        Value::Map(c) => c.get(k).unwrap_or(&Value::Null),
                        _ => &Value::Null,
                    };
                    mark_computed_unknown(&b.block, item, c);
                }
            }
            (Nesting::Set, Value::Set(items)) => {
                // Set elements have no index: pair each with the configured element it came
                // from, and leave elements without a partner alone.
                let configured: &[Value] = match cfg {
                    Value::Set(c) => c,
                    _ => &[],
                };
                for item in items.iter_mut() {
                    if let Some(c) = configured.iter().find(|c| came_from(&b.block, item, c)) {
                        mark_computed_unknown(&b.block, item, c);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Whether a planned set element was built from configured element `config`: every value
/// the configuration sets is there, and every non-computed attribute it leaves unset is null.
fn came_from(block: &Block, planned: &Value, config: &Value) -> bool {
    block.attributes.iter().all(|a| {
        let (p, c) = (attr(planned, &a.name), attr(config, &a.name));
        if c.is_null() {
            a.computed || p.is_null()
        } else {
            p == c
        }
    })
}

/// Collects the paths of `requires_replace` attributes whose planned value differs from
/// the prior one.
fn replace_paths(
    block: &Block,
    prior: &Value,
    planned: &Value,
    path: &AttributePath,
    out: &mut Vec<AttributePath>,
) {
    for a in block.attributes.iter().filter(|a| a.requires_replace) {
        let (pr, pl) = (attr(prior, &a.name), attr(planned, &a.name));
        if pl.is_unknown() || pr != pl {
            out.push(path.clone().attr(a.name.clone()));
        }
    }
    for b in block.blocks.iter().filter(|b| has_replace(&b.block)) {
        let p = path.clone().attr(b.type_name.clone());
        let (pr, pl) = (attr(prior, &b.type_name), attr(planned, &b.type_name));
        match (b.nesting, pr, pl) {
            (_, _, Value::Unknown(_)) => out.push(p),
            (Nesting::Single | Nesting::Group, _, _) => replace_paths(&b.block, pr, pl, &p, out),
            (Nesting::List, _, _) => {
                let (x, y) = (items(pr), items(pl));
                for i in 0..x.len().max(y.len()) {
                    let e = x.get(i).unwrap_or(&Value::Null);
                    let f = y.get(i).unwrap_or(&Value::Null);
                    replace_paths(&b.block, e, f, &p.clone().index(i as i64), out);
                }
            }
            (Nesting::Map, _, _) => {
                let empty = Default::default();
                let (x, y) = match (pr, pl) {
                    (Value::Map(x), Value::Map(y)) => (x, y),
                    (Value::Map(x), _) => (x, &empty),
                    (_, Value::Map(y)) => (&empty, y),
                    _ => (&empty, &empty),
                };
                for k in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                    let e = x.get(k).unwrap_or(&Value::Null);
                    let f = y.get(k).unwrap_or(&Value::Null);
                    replace_paths(&b.block, e, f, &p.clone().key(k.clone()), out);
                }
            }
            (Nesting::Set, _, _) => {
                // Set elements cannot be addressed: a changed set replaces via the set's path.
                if pr != pl {
                    out.push(p);
                }
            }
        }
    }
}

fn items(v: &Value) -> &[Value] {
    match v {
        Value::List(items) => items,
        _ => &[],
    }
}

fn has_replace(block: &Block) -> bool {
    block.attributes.iter().any(|a| a.requires_replace)
        || block.blocks.iter().any(|b| has_replace(&b.block))
}
