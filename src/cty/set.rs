//! Set semantics: equal known elements merge, order does not matter.
//!
//! Elements are compared through a canonical byte key, so merging and comparing stay
//! O(n log n) however many elements a decoder reads.

use std::collections::HashSet;

use super::{Unknown, Value};

/// A byte key equal for equal values (as `Value`'s `==` sees them), and whether the value
/// is wholly known: only wholly known elements merge, since unknowns never equal each other
/// in Terraform's set semantics.
fn key(v: &Value) -> (Vec<u8>, bool) {
    let mut out = Vec::new();
    let known = write_key(v, &mut out);
    (out, known)
}

fn write_len(len: usize, out: &mut Vec<u8>) {
    out.extend_from_slice(&(len as u64).to_be_bytes());
}

fn write_str(s: &str, out: &mut Vec<u8>) {
    write_len(s.len(), out);
    out.extend_from_slice(s.as_bytes());
}

fn write_option<T>(o: &Option<T>, out: &mut Vec<u8>, write: impl FnOnce(&T, &mut Vec<u8>)) {
    match o {
        None => out.push(0),
        Some(x) => {
            out.push(1);
            write(x, out);
        }
    }
}

fn write_unknown(u: &Unknown, out: &mut Vec<u8>) {
    out.push(10);
    write_option(&u.refinements, out, |r, out| {
        write_option(&r.nullable, out, |b, out| out.push(u8::from(*b)));
        write_option(&r.string_prefix, out, |p, out| write_str(p, out));
        for bound in [&r.number_lower, &r.number_upper] {
            write_option(bound, out, |(n, inclusive), out| {
                n.exact().key(out);
                out.push(u8::from(*inclusive));
            });
        }
        for length in [&r.length_min, &r.length_max] {
            write_option(length, out, |n, out| {
                out.extend_from_slice(&n.to_be_bytes())
            });
        }
    });
}

/// Writes the key of `v`; returns whether `v` is wholly known.
fn write_key(v: &Value, out: &mut Vec<u8>) -> bool {
    match v {
        Value::Null => {
            out.push(0);
            true
        }
        Value::Unknown(u) => {
            write_unknown(u, out);
            false
        }
        Value::Bool(b) => {
            out.extend_from_slice(&[1, u8::from(*b)]);
            true
        }
        Value::Number(n) => {
            out.push(2);
            n.exact().key(out);
            true
        }
        Value::String(s) => {
            out.push(3);
            write_str(s, out);
            true
        }
        Value::List(items) | Value::Tuple(items) => {
            out.push(if matches!(v, Value::List(_)) { 4 } else { 5 });
            write_len(items.len(), out);
            // Every element is written, known or not: no short-circuit.
            let mut known = true;
            for item in items {
                known &= write_key(item, out);
            }
            known
        }
        Value::Set(items) => {
            let (known, unknown) = split(items);
            out.push(6);
            for part in [&known, &unknown] {
                write_len(part.len(), out);
                for k in part {
                    write_len(k.len(), out);
                    out.extend_from_slice(k);
                }
            }
            unknown.is_empty()
        }
        Value::Map(entries) | Value::Object(entries) => {
            out.push(if matches!(v, Value::Map(_)) { 7 } else { 8 });
            write_len(entries.len(), out);
            let mut known = true;
            for (name, item) in entries {
                write_str(name, out);
                known &= write_key(item, out);
            }
            known
        }
        Value::Dynamic(ty, inner) => {
            out.push(9);
            let ty = ty.to_json();
            write_len(ty.len(), out);
            out.extend_from_slice(&ty);
            write_key(inner, out)
        }
    }
}

/// The keys of a set's elements: known ones sorted and merged, the others sorted.
fn split(items: &[Value]) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for item in items {
        match key(item) {
            (k, true) => known.push(k),
            (k, false) => unknown.push(k),
        }
    }
    known.sort_unstable();
    known.dedup();
    unknown.sort_unstable();
    (known, unknown)
}

/// Drops every known element equal to an earlier one, keeping the first occurrence.
pub(crate) fn dedupe(items: Vec<Value>) -> Vec<Value> {
    let mut seen = HashSet::new();
    items
        .into_iter()
        .filter(|item| match key(item) {
            (k, true) => seen.insert(k),
            (_, false) => true,
        })
        .collect()
}

/// Whether two element lists hold the same set: known elements compare by value (however
/// often they appear), elements containing unknowns must match one for one.
pub(crate) fn same_elements(a: &[Value], b: &[Value]) -> bool {
    split(a) == split(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cty::Number;

    #[test]
    fn equal_known_elements_merge_but_unknowns_do_not() {
        let items = vec![
            Value::Number(Number::Int(1)),
            Value::Number(Number::Float(1.0)),
            Value::unknown(),
            Value::unknown(),
            Value::Null,
            Value::Null,
        ];
        let kept = dedupe(items);
        assert_eq!(kept.len(), 4);
        assert!(matches!(kept[0], Value::Number(Number::Int(1))));
    }

    #[test]
    fn set_order_does_not_matter() {
        let a = [Value::string("x"), Value::string("y"), Value::unknown()];
        let b = [Value::unknown(), Value::string("y"), Value::string("x")];
        assert!(same_elements(&a, &b));
        assert!(!same_elements(&a, &b[..2]));
        assert!(!same_elements(&[Value::string("x")], &[Value::string("z")]));
    }

    #[test]
    fn elements_with_unknowns_match_one_for_one_by_refinements() {
        let refined = Value::Unknown(Unknown {
            refinements: Some(crate::cty::Refinements {
                nullable: Some(false),
                ..Default::default()
            }),
        });
        let two = [Value::unknown(), Value::unknown()];
        assert!(!same_elements(&two, &[Value::unknown()]));
        assert!(!same_elements(&two, &[Value::unknown(), refined.clone()]));
        assert!(same_elements(
            &[refined.clone(), Value::unknown()],
            &[Value::unknown(), refined]
        ));
    }

    #[test]
    fn nested_sets_compare_as_sets() {
        let inner_a = Value::Set(vec![Value::string("1"), Value::string("2")]);
        let inner_b = Value::Set(vec![Value::string("2"), Value::string("1")]);
        assert_eq!(dedupe(vec![inner_a, inner_b]).len(), 1);
    }
}
