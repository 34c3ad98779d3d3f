//! Terraform's rules for values a provider returns, checked before Terraform sees them, so a
//! broken resource gets a message that names the attribute and the rule instead of
//! Terraform's generic "Provider produced invalid plan".

use super::compare::attr;
use super::render::value_at;
use super::{AttributePath, Block, Diagnostic, Diagnostics, Nesting};
use crate::cty::{Type, Value};

/// One broken rule: where, and what is wrong there (a sentence fragment).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Violation {
    pub(crate) path: AttributePath,
    pub(crate) problem: String,
}

impl Violation {
    fn new(path: &AttributePath, problem: impl Into<String>) -> Self {
        Violation {
            path: path.clone(),
            problem: problem.into(),
        }
    }

    /// The violation as an error that blames the provider, not the user.
    pub(crate) fn into_diagnostic(self, summary: &str, while_doing: &str) -> Diagnostic {
        let detail = format!(
            "While {while_doing}, the provider broke one of Terraform's rules: {}{}. \
             This is a bug in the provider, not in your configuration; please report it to \
             the provider developers together with the configuration that triggered it.",
            if self.path.steps().is_empty() {
                String::new()
            } else {
                format!("at {}, ", self.path)
            },
            self.problem,
        );
        let d = Diagnostic::error(summary, detail);
        if self.path.steps().is_empty() {
            d
        } else {
            d.at(self.path)
        }
    }
}

/// `state` normalized to `block`, or `None` when it does not fit the block's type `ty` (which
/// Terraform could not store), each misfit reported as a `summary` error while `doing`.
pub(crate) fn fitted(
    block: &Block,
    ty: &Type,
    state: Value,
    summary: &str,
    doing: &str,
    diags: &mut Diagnostics,
) -> Option<Value> {
    let state = block.normalize(state);
    let misfit = report(type_violations(ty, &state), summary, doing, diags);
    (!misfit).then_some(state)
}

/// Reports each violation as a `summary` error while `doing`; true when there was any.
pub(crate) fn report(
    violations: Vec<Violation>,
    summary: &str,
    doing: &str,
    diags: &mut Diagnostics,
) -> bool {
    let any = !violations.is_empty();
    for v in violations {
        diags.push(v.into_diagnostic(summary, doing));
    }
    any
}

/// Where `v` does not fit the cty type `ty` (unknowns and nulls fit anywhere).
pub(crate) fn type_violations(ty: &Type, v: &Value) -> Vec<Violation> {
    let mut out = Vec::new();
    walk_type(ty, v, &AttributePath::default(), &mut out);
    out
}

fn walk_type(ty: &Type, v: &Value, path: &AttributePath, out: &mut Vec<Violation>) {
    match (ty, v) {
        (_, Value::Null | Value::Unknown(_))
        | (Type::Bool, Value::Bool(_))
        | (Type::Number, Value::Number(_))
        | (Type::String, Value::String(_)) => {}
        (Type::List(t), Value::List(items)) | (Type::Set(t), Value::Set(items)) => {
            for (i, e) in items.iter().enumerate() {
                let p = if matches!(ty, Type::Set(_)) {
                    path.clone()
                } else {
                    path.clone().index(i as i64)
                };
                walk_type(t, e, &p, out);
            }
        }
        (Type::Map(t), Value::Map(m)) => {
            for (k, e) in m {
                walk_type(t, e, &path.clone().key(k.clone()), out);
            }
        }
        (Type::Object(attrs), Value::Object(m)) => {
            for (k, t) in attrs {
                match m.get(k) {
                    Some(e) => walk_type(t, e, &path.clone().attr(k.clone()), out),
                    None => out.push(Violation::new(
                        path,
                        format!("the object lacks the attribute \"{k}\""),
                    )),
                }
            }
            for k in m.keys().filter(|k| !attrs.contains_key(*k)) {
                out.push(Violation::new(
                    path,
                    format!("the object has an attribute \"{k}\" the schema does not declare"),
                ));
            }
        }
        (Type::Tuple(ts), Value::Tuple(vs)) if ts.len() == vs.len() => {
            for (i, (t, e)) in ts.iter().zip(vs).enumerate() {
                walk_type(t, e, &path.clone().index(i as i64), out);
            }
        }
        (Type::Dynamic, Value::Dynamic(t, inner)) => walk_type(t, inner, path, out),
        (Type::Dynamic, _) => out.push(Violation::new(
            path,
            format!(
                "a value in a dynamic attribute must carry its type (Value::Dynamic), found {}",
                v.kind()
            ),
        )),
        _ => out.push(Violation::new(
            path,
            format!(
                "the value is {} where the schema says {}",
                v.kind(),
                String::from_utf8_lossy(&ty.to_json())
            ),
        )),
    }
}

/// Where `planned` breaks Terraform's plan rules relative to `config` and `prior` (the same
/// rules Terraform applies to PlanResourceChange answers, and to data source results with a
/// null prior).
pub(crate) fn plan_violations(
    block: &Block,
    prior: &Value,
    config: &Value,
    planned: &Value,
) -> Vec<Violation> {
    let mut check = PlanCheck {
        root: block,
        out: Vec::new(),
    };
    let versions = Versions {
        prior,
        config,
        planned,
    };
    check.object(block, versions, &AttributePath::default());
    check.out
}

/// What a plan says of a nested block unknown as a whole, a single one or a set element.
const UNKNOWN_BLOCK: &str = "the plan has a nested block that is unknown as a whole; mark the \
                             attributes inside it unknown instead";

/// One place's value in the three versions the plan rules compare.
#[derive(Clone, Copy)]
struct Versions<'v> {
    prior: &'v Value,
    config: &'v Value,
    planned: &'v Value,
}

impl<'v> Versions<'v> {
    /// The attribute (or nested block) `name` in each version, null where one lacks it.
    fn attr(self, name: &str) -> Versions<'v> {
        Versions {
            prior: attr(self.prior, name),
            config: attr(self.config, name),
            planned: attr(self.planned, name),
        }
    }
}

struct PlanCheck<'a> {
    /// The top-level block, for looking up whether a path is sensitive.
    root: &'a Block,
    /// The violations found so far.
    out: Vec<Violation>,
}

impl PlanCheck<'_> {
    fn show(&self, path: &AttributePath, v: &Value) -> String {
        value_at(self.root, path, v)
    }

    fn violation(&mut self, path: &AttributePath, problem: impl Into<String>) {
        self.out.push(Violation::new(path, problem));
    }

    fn object(&mut self, block: &Block, v: Versions<'_>, path: &AttributePath) {
        match (v.config.is_null(), v.planned.is_null()) {
            (false, true) => {
                return self.violation(
                    path,
                    "the plan has no object where the configuration has one",
                );
            }
            (true, false) => {
                return self.violation(
                    path,
                    "the plan has an object where the configuration has none",
                );
            }
            (true, true) => return,
            (false, false) => {}
        }
        for a in &block.attributes {
            let p = path.clone().attr(a.name.clone());
            let Versions {
                prior: pr,
                config: cf,
                planned: pl,
            } = v.attr(&a.name);
            if pl == cf || (pl == pr && !pr.is_null() && !cf.is_null()) {
                continue;
            }
            if a.computed && (!a.optional || cf.is_null()) {
                continue;
            }
            let problem = if cf.is_null() {
                format!(
                    "the plan sets {} for an attribute that is not computed and that the \
                     configuration leaves unset",
                    self.show(&p, pl)
                )
            } else if pr.is_null() {
                format!(
                    "the plan sets {} where the configuration says {}; only computed attributes \
                     may differ from the configuration",
                    self.show(&p, pl),
                    self.show(&p, cf)
                )
            } else {
                format!(
                    "the plan sets {} where the configuration says {} and the prior state has {}; \
                     a configured value may only be replaced by an equivalent prior value",
                    self.show(&p, pl),
                    self.show(&p, cf),
                    self.show(&p, pr)
                )
            };
            self.violation(&p, problem);
        }
        for b in &block.blocks {
            let p = path.clone().attr(b.type_name.clone());
            let nested = v.attr(&b.type_name);
            if nested.planned == nested.config {
                continue;
            }
            if nested.config.is_unknown() {
                self.violation(
                    &p,
                    "the plan changes a dynamic block whose contents the configuration does not \
                     know yet; it must stay unknown",
                );
                continue;
            }
            if nested.planned.is_unknown() {
                self.violation(
                    &p,
                    "the plan makes a whole nested block unknown; mark the attributes inside it \
                     unknown instead",
                );
                continue;
            }
            self.nested(b.nesting, &b.block, nested, &p);
        }
    }

    fn nested(&mut self, nesting: Nesting, block: &Block, v: Versions<'_>, path: &AttributePath) {
        let not_null = "the plan has null for a repeated nested block; it must be an empty \
                        collection when there are no blocks";
        match (nesting, v.planned) {
            (Nesting::Single | Nesting::Group, _) => self.object(block, v, path),
            (Nesting::List | Nesting::Set | Nesting::Map, Value::Null) => {
                self.violation(path, not_null);
            }
            (Nesting::List, Value::List(items)) => {
                let configured = match v.config {
                    Value::List(c) => c.as_slice(),
                    _ => &[],
                };
                if items.len() != configured.len() {
                    return self.violation(
                        path,
                        format!(
                            "the plan has {} blocks where the configuration has {}",
                            items.len(),
                            configured.len()
                        ),
                    );
                }
                for (i, (planned, config)) in items.iter().zip(configured).enumerate() {
                    let prior = match v.prior {
                        Value::List(prior_items) => prior_items.get(i).unwrap_or(&Value::Null),
                        _ => &Value::Null,
                    };
                    let element = Versions {
                        prior,
                        config,
                        planned,
                    };
                    self.element(block, element, &path.clone().index(i as i64));
                }
            }
            (Nesting::Map, Value::Map(items)) => {
                let empty = Default::default();
                let configured = match v.config {
                    Value::Map(c) => c,
                    _ => &empty,
                };
                if !items.keys().eq(configured.keys()) {
                    return self.violation(
                        path,
                        "the plan's block labels differ from the configuration's",
                    );
                }
                for (k, planned) in items {
                    let prior = match v.prior {
                        Value::Map(m) => m.get(k).unwrap_or(&Value::Null),
                        _ => &Value::Null,
                    };
                    let element = Versions {
                        prior,
                        config: &configured[k],
                        planned,
                    };
                    self.element(block, element, &path.clone().key(k.clone()));
                }
            }
            (Nesting::Set, Value::Set(items)) => {
                // Set elements cannot be paired with configuration, so (like Terraform) only
                // the shape is checked.
                if items.iter().any(Value::is_unknown) {
                    self.violation(path, UNKNOWN_BLOCK);
                }
            }
            _ => self.violation(
                path,
                format!("the plan has {} for a nested block", v.planned.kind()),
            ),
        }
    }

    fn element(&mut self, block: &Block, v: Versions<'_>, path: &AttributePath) {
        if v.planned.is_unknown() {
            self.violation(path, UNKNOWN_BLOCK);
        } else {
            self.object(block, v, path);
        }
    }
}

/// `v` with every unknown replaced by null (and unknown repeated blocks by empty
/// collections), so an object returned with errors can still be stored.
pub(crate) fn unknowns_to_null(block: &Block, v: Value) -> Value {
    let Value::Object(mut m) = v else {
        return if v.is_unknown() { Value::Null } else { v };
    };
    for a in &block.attributes {
        if let Some(e) = m.remove(&a.name) {
            m.insert(a.name.clone(), strip_unknowns(e));
        }
    }
    for b in &block.blocks {
        let Some(e) = m.remove(&b.type_name) else {
            continue;
        };
        let known_blocks = |items: Vec<Value>| -> Vec<Value> {
            items
                .into_iter()
                .filter(|i| !i.is_unknown())
                .map(|i| unknowns_to_null(&b.block, i))
                .collect()
        };
        let fixed = match (b.nesting, e) {
            (Nesting::List, Value::Unknown(_)) => Value::List(Vec::new()),
            (Nesting::Set, Value::Unknown(_)) => Value::Set(Vec::new()),
            (Nesting::Map, Value::Unknown(_)) => Value::Map(Default::default()),
            (_, Value::List(items)) => Value::List(known_blocks(items)),
            (_, Value::Set(items)) => Value::Set(known_blocks(items)),
            (_, Value::Map(items)) => Value::Map(
                items
                    .into_iter()
                    .filter(|(_, i)| !i.is_unknown())
                    .map(|(k, i)| (k, unknowns_to_null(&b.block, i)))
                    .collect(),
            ),
            (_, other) => unknowns_to_null(&b.block, other),
        };
        m.insert(b.type_name.clone(), fixed);
    }
    Value::Object(m)
}

fn strip_unknowns(v: Value) -> Value {
    match v {
        Value::Unknown(_) => Value::Null,
        Value::List(items) => Value::List(items.into_iter().map(strip_unknowns).collect()),
        Value::Set(items) => Value::Set(items.into_iter().map(strip_unknowns).collect()),
        Value::Tuple(items) => Value::Tuple(items.into_iter().map(strip_unknowns).collect()),
        Value::Map(m) => Value::Map(m.into_iter().map(|(k, e)| (k, strip_unknowns(e))).collect()),
        Value::Object(m) => {
            Value::Object(m.into_iter().map(|(k, e)| (k, strip_unknowns(e))).collect())
        }
        Value::Dynamic(t, inner) => match strip_unknowns(*inner) {
            Value::Null => Value::Null,
            e => Value::Dynamic(t, Box::new(e)),
        },
        other => other,
    }
}
