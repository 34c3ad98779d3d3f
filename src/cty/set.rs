//! Set semantics: equal known elements merge, order does not matter.
//!
//! Elements are compared through a canonical byte key, so merging and comparing stay
//! O(n log n) however many elements a decoder reads.

use std::collections::HashSet;

use super::Value;

/// The canonical key of a wholly known value (equal values, equal keys); `None` when
/// anything inside is unknown, since unknowns never merge.
fn key(v: &Value) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    write_key(v, &mut out).then_some(out)
}

fn write_len(len: usize, out: &mut Vec<u8>) {
    out.extend_from_slice(&(len as u64).to_be_bytes());
}

fn write_str(s: &str, out: &mut Vec<u8>) {
    write_len(s.len(), out);
    out.extend_from_slice(s.as_bytes());
}

fn write_key(v: &Value, out: &mut Vec<u8>) -> bool {
    match v {
        Value::Null => out.push(0),
        Value::Unknown(_) => return false,
        Value::Bool(b) => out.extend_from_slice(&[1, u8::from(*b)]),
        Value::Number(n) => {
            out.push(2);
            n.exact().key(out);
        }
        Value::String(s) => {
            out.push(3);
            write_str(s, out);
        }
        Value::List(items) | Value::Tuple(items) => {
            out.push(if matches!(v, Value::List(_)) { 4 } else { 5 });
            write_len(items.len(), out);
            for item in items {
                if !write_key(item, out) {
                    return false;
                }
            }
        }
        Value::Set(items) => {
            let Some(mut keys) = items.iter().map(key).collect::<Option<Vec<_>>>() else {
                return false;
            };
            keys.sort_unstable();
            keys.dedup();
            out.push(6);
            write_len(keys.len(), out);
            for k in keys {
                write_len(k.len(), out);
                out.extend_from_slice(&k);
            }
        }
        Value::Map(entries) | Value::Object(entries) => {
            out.push(if matches!(v, Value::Map(_)) { 7 } else { 8 });
            write_len(entries.len(), out);
            for (name, item) in entries {
                write_str(name, out);
                if !write_key(item, out) {
                    return false;
                }
            }
        }
        Value::Dynamic(ty, inner) => {
            out.push(9);
            let ty = ty.to_json();
            write_len(ty.len(), out);
            out.extend_from_slice(&ty);
            return write_key(inner, out);
        }
    }
    true
}

/// Drops every known element equal to an earlier one, keeping the first occurrence.
pub(crate) fn dedupe(items: Vec<Value>) -> Vec<Value> {
    let mut seen = HashSet::new();
    items
        .into_iter()
        .filter(|item| key(item).is_none_or(|k| seen.insert(k)))
        .collect()
}

/// Whether two element lists hold the same set: known elements compare by value, and
/// elements containing unknowns must match one for one.
pub(crate) fn same_elements(a: &[Value], b: &[Value]) -> bool {
    fn split(items: &[Value]) -> (Vec<Vec<u8>>, Vec<&Value>) {
        let mut known = Vec::new();
        let mut unknown = Vec::new();
        for item in items {
            match key(item) {
                Some(k) => known.push(k),
                None => unknown.push(item),
            }
        }
        known.sort_unstable();
        known.dedup();
        (known, unknown)
    }
    let (known_a, unknown_a) = split(a);
    let (known_b, mut unknown_b) = split(b);
    if known_a != known_b || unknown_a.len() != unknown_b.len() {
        return false;
    }
    unknown_a
        .iter()
        .all(|x| match unknown_b.iter().position(|y| *x == *y) {
            Some(i) => {
                unknown_b.swap_remove(i);
                true
            }
            None => false,
        })
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
    fn nested_sets_compare_as_sets() {
        let inner_a = Value::Set(vec![Value::string("1"), Value::string("2")]);
        let inner_b = Value::Set(vec![Value::string("2"), Value::string("1")]);
        assert_eq!(dedupe(vec![inner_a, inner_b]).len(), 1);
    }
}
