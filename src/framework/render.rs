//! Short, HCL-like renderings of values for diagnostics, with sensitive values hidden.

use std::fmt::Write;

use super::{AttributePath, Block, PathStep};
use crate::cty::{Number, Value};

/// Longest rendering put into a diagnostic; a whole object dump would drown the message. The
/// same bound as one outside value's ([`crate::untrusted::MAX_SHOWN_CHARS`]).
const MAX_LEN: usize = crate::untrusted::MAX_SHOWN_CHARS;

/// Renders `v` as the user would write it, or `(sensitive value)` when `path` is sensitive.
pub(crate) fn value_at(block: &Block, path: &AttributePath, v: &Value) -> String {
    if is_sensitive(block, path) {
        return "(sensitive value)".into();
    }
    let mut out = String::new();
    write_value(&mut out, v);
    if out.len() > MAX_LEN {
        let mut cut = MAX_LEN;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push('…');
    }
    out
}

/// Paths for a message, comma-separated; the root path reads "the whole object" (a bare
/// root renders as nothing, which left messages saying "unknown: .").
pub(crate) fn paths_text(paths: &[AttributePath]) -> String {
    paths
        .iter()
        .map(|p| {
            if p.steps().is_empty() {
                "the whole object".to_string()
            } else {
                p.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether `path` is, or lies inside, an attribute the schema marks sensitive. A path the
/// schema cannot follow counts as sensitive, so nothing leaks through a malformed path.
pub(crate) fn is_sensitive(block: &Block, path: &AttributePath) -> bool {
    let mut cur = block;
    for step in path.steps() {
        let PathStep::Attribute(name) = step else {
            continue;
        };
        if let Some(a) = cur.attribute(name) {
            return a.sensitive;
        }
        match cur.nested(name) {
            Some(b) => cur = &b.block,
            None => return true,
        }
    }
    false
}

fn write_value(out: &mut String, v: &Value) {
    if out.len() > MAX_LEN {
        return;
    }
    match v {
        Value::Null => out.push_str("null"),
        Value::Unknown(_) => out.push_str("(known after apply)"),
        Value::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        Value::Number(n) => write_number(out, n),
        // A string is the user's (or the API's) text: shown by the one rule for outside text.
        Value::String(s) => out.push_str(&crate::untrusted::quoted(s)),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            out.push('[');
            for (i, e) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, e);
            }
            out.push(']');
        }
        Value::Map(m) | Value::Object(m) => {
            out.push('{');
            for (i, (k, e)) in m.iter().enumerate() {
                out.push_str(if i > 0 { ", " } else { " " });
                let _ = write!(out, "{k} = ");
                write_value(out, e);
            }
            out.push_str(if m.is_empty() { "}" } else { " }" });
        }
        Value::Dynamic(_, inner) => write_value(out, inner),
    }
}

fn write_number(out: &mut String, n: &Number) {
    let _ = match n {
        Number::Int(i) => write!(out, "{i}"),
        Number::Float(f) => write!(out, "{f}"),
        Number::Decimal(d) => write!(out, "{d}"),
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cty::Type;
    use crate::framework::{Attribute, NestedBlock, Nesting};

    fn block() -> Block {
        Block {
            attributes: vec![
                Attribute::optional("name", Type::String, ""),
                Attribute::optional("password", Type::String, "").sensitive(),
            ],
            blocks: vec![NestedBlock {
                type_name: "rule".into(),
                block: Block {
                    attributes: vec![Attribute::optional("token", Type::String, "").sensitive()],
                    ..Block::default()
                },
                nesting: Nesting::List,
                min_items: 0,
                max_items: 0,
            }],
            ..Block::default()
        }
    }

    #[test]
    fn renders_like_hcl() {
        let v = Value::object([
            ("a", Value::string("x")),
            (
                "b",
                Value::List(vec![Value::Number(Number::Int(1)), Value::Null]),
            ),
            ("c", Value::unknown()),
        ]);
        assert_eq!(
            value_at(&block(), &AttributePath::root("name"), &v),
            r#"{ a = "x", b = [1, null], c = (known after apply) }"#
        );
    }

    #[test]
    fn sensitive_values_are_hidden_even_inside_blocks() {
        let b = block();
        let secret = Value::string("hunter2");
        assert_eq!(
            value_at(&b, &AttributePath::root("password"), &secret),
            "(sensitive value)"
        );
        let nested = AttributePath::root("rule").index(0).attr("token");
        assert_eq!(value_at(&b, &nested, &secret), "(sensitive value)");
        assert_eq!(
            value_at(&b, &AttributePath::root("name"), &secret),
            "\"hunter2\""
        );
    }

    #[test]
    fn path_lists_name_the_whole_object_for_the_root() {
        let root = AttributePath::default();
        let id = AttributePath::root("id");
        assert_eq!(paths_text(&[root]), "the whole object");
        assert_eq!(
            paths_text(&[id.clone(), AttributePath::root("t").attr("create")]),
            "id, t.create"
        );
    }

    #[test]
    fn long_values_are_cut() {
        let long = Value::string("x".repeat(1000));
        assert!(
            value_at(&block(), &AttributePath::root("name"), &long)
                .chars()
                .count()
                <= 201
        );
    }
}
