//! Value comparisons as Terraform makes them when it checks a plan or an apply result.

use super::AttributePath;
use crate::cty::{Unknown, Value};

/// The null every missing attribute reads as, so walks need no special case for absent keys.
pub(crate) static NULL: Value = Value::Null;

/// The attribute `name` of `v`, or null when `v` is null or lacks it.
pub(crate) fn attr<'a>(v: &'a Value, name: &str) -> &'a Value {
    v.attr(name).unwrap_or(&NULL)
}

/// One place where an apply result contradicts its plan.
#[derive(Debug)]
pub(crate) struct Mismatch {
    pub(crate) path: AttributePath,
    pub(crate) planned: Value,
    pub(crate) actual: Value,
}

/// Where `actual` breaks the promise `planned` made: known planned values must come back
/// unchanged, and unknowns must become values that satisfy their refinements. Unknowns left
/// in `actual` are not reported here.
pub(crate) fn mismatches(planned: &Value, actual: &Value) -> Vec<Mismatch> {
    let mut out = Vec::new();
    walk_mismatches(planned, actual, &AttributePath::default(), &mut out);
    out
}

fn walk_mismatches(planned: &Value, actual: &Value, path: &AttributePath, out: &mut Vec<Mismatch>) {
    let mut report = || {
        out.push(Mismatch {
            path: path.clone(),
            planned: planned.clone(),
            actual: actual.clone(),
        })
    };
    match (planned, actual) {
        (Value::Unknown(u), _) => {
            if !satisfies(u, actual) {
                report();
            }
        }
        (_, Value::Unknown(_)) => {}
        (Value::List(x), Value::List(y)) | (Value::Tuple(x), Value::Tuple(y))
            if x.len() == y.len() =>
        {
            for (i, (e, f)) in x.iter().zip(y).enumerate() {
                walk_mismatches(e, f, &path.clone().index(i as i64), out);
            }
        }
        (Value::Map(x), Value::Map(y)) if x.keys().eq(y.keys()) => {
            for (k, e) in x {
                walk_mismatches(e, &y[k], &path.clone().key(k.clone()), out);
            }
        }
        (Value::Object(x), Value::Object(y)) if x.keys().eq(y.keys()) => {
            for (k, e) in x {
                walk_mismatches(e, &y[k], &path.clone().attr(k.clone()), out);
            }
        }
        (Value::Set(x), Value::Set(y)) => {
            // Set elements have no identity: every planned element needs a compatible actual
            // element and the other way round (unknown elements may turn out equal and merge).
            let fits = |p: &Value, a: &Value| mismatches(p, a).is_empty();
            let ok = x.iter().all(|p| y.iter().any(|a| fits(p, a)))
                && y.iter().all(|a| x.iter().any(|p| fits(p, a)));
            if !ok {
                report();
            }
        }
        (Value::Dynamic(t, v), Value::Dynamic(u, w)) if t == u => {
            walk_mismatches(v, w, path, out);
        }
        _ => {
            if planned != actual {
                report();
            }
        }
    }
}

/// Whether a known `actual` value keeps the promises an unknown's refinements made.
fn satisfies(unknown: &Unknown, actual: &Value) -> bool {
    let Some(r) = &unknown.refinements else {
        return true;
    };
    if actual.is_null() {
        return r.nullable != Some(false);
    }
    match (actual, &r.string_prefix) {
        (Value::String(s), Some(prefix)) => s.starts_with(prefix.as_str()),
        _ => true,
    }
}

/// Paths of every unknown inside `v` (stopping at sets, whose elements have no address).
pub(crate) fn unknown_paths(v: &Value) -> Vec<AttributePath> {
    let mut out = Vec::new();
    walk_unknowns(v, &AttributePath::default(), &mut out);
    out
}

fn walk_unknowns(v: &Value, path: &AttributePath, out: &mut Vec<AttributePath>) {
    match v {
        Value::Unknown(_) => out.push(path.clone()),
        Value::List(items) | Value::Tuple(items) => {
            for (i, e) in items.iter().enumerate() {
                walk_unknowns(e, &path.clone().index(i as i64), out);
            }
        }
        Value::Set(_) if !v.is_wholly_known() => out.push(path.clone()),
        Value::Map(m) => {
            for (k, e) in m {
                walk_unknowns(e, &path.clone().key(k.clone()), out);
            }
        }
        Value::Object(m) => {
            for (k, e) in m {
                walk_unknowns(e, &path.clone().attr(k.clone()), out);
            }
        }
        Value::Dynamic(_, inner) => walk_unknowns(inner, path, out),
        _ => {}
    }
}

/// Whether `path` leads to a value inside `v` (a null object or collection has no insides).
pub(crate) fn path_exists(v: &Value, path: &AttributePath) -> bool {
    use super::PathStep;
    let mut cur = v;
    for step in path.steps() {
        let next = match (cur, step) {
            (Value::Object(m), PathStep::Attribute(a)) => m.get(a),
            (Value::Map(m), PathStep::Key(k)) => m.get(k),
            (Value::List(items) | Value::Tuple(items), PathStep::Index(i)) => {
                usize::try_from(*i).ok().and_then(|i| items.get(i))
            }
            (Value::Dynamic(_, inner), _) => {
                cur = inner;
                continue;
            }
            _ => None,
        };
        match next {
            Some(n) => cur = n,
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cty::Refinements;

    fn s(v: &str) -> Value {
        Value::string(v)
    }

    #[test]
    fn unknown_may_become_any_value_but_known_values_must_stay() {
        let planned = Value::object([("id", Value::unknown()), ("name", s("a"))]);
        let actual = Value::object([("id", s("x-1")), ("name", s("b"))]);
        let found = mismatches(&planned, &actual);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].path, AttributePath::root("name"));
    }

    #[test]
    fn refined_unknown_rejects_null_and_wrong_prefix() {
        let refined = Value::Unknown(Unknown {
            refinements: Some(Refinements {
                nullable: Some(false),
                string_prefix: Some("nic-".into()),
                ..Refinements::default()
            }),
        });
        assert!(!mismatches(&refined, &Value::Null).is_empty());
        assert!(!mismatches(&refined, &s("eni-1")).is_empty());
        assert!(mismatches(&refined, &s("nic-1")).is_empty());
    }

    #[test]
    fn unknown_paths_name_each_unknown_leaf() {
        let v = Value::object([
            ("a", Value::unknown()),
            ("b", Value::List(vec![s("x"), Value::unknown()])),
        ]);
        let paths: Vec<String> = unknown_paths(&v).iter().map(|p| p.to_string()).collect();
        assert_eq!(paths, ["a", "b[1]"]);
    }

    #[test]
    fn path_exists_follows_attributes_indexes_and_keys() {
        let v = Value::object([("rule", Value::List(vec![Value::object([("port", s("1"))])]))]);
        assert!(path_exists(
            &v,
            &AttributePath::root("rule").index(0).attr("port")
        ));
        assert!(!path_exists(&v, &AttributePath::root("rule").index(1)));
        assert!(!path_exists(&v, &AttributePath::root("nope")));
    }
}
