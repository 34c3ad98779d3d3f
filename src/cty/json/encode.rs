//! Type-directed JSON encoding, as go-cty writes state.

use std::collections::BTreeMap;

use super::EncodeError;
use crate::cty::number::Exact;
use crate::cty::path::{Path, Step};
use crate::cty::{Number, Type, Value};

pub(super) fn encode(value: &Value, ty: &Type) -> Result<Vec<u8>, EncodeError> {
    let mut e = Encoder {
        out: Vec::new(),
        path: Path::default(),
    };
    e.value(value, ty)?;
    Ok(e.out)
}

struct Encoder {
    out: Vec<u8>,
    path: Path,
}

impl Encoder {
    fn error(&self, message: impl Into<String>) -> EncodeError {
        EncodeError {
            path: self.path.to_string(),
            message: message.into(),
        }
    }

    fn value(&mut self, v: &Value, ty: &Type) -> Result<(), EncodeError> {
        match v {
            Value::Unknown(_) => Err(self.error(
                "unknown values have no JSON form (only wholly known values can be stored)",
            )),
            _ if *ty == Type::Dynamic => self.dynamic(v),
            Value::Null => {
                self.out.extend_from_slice(b"null");
                Ok(())
            }
            // A dynamic value in a slot of exactly its type is just the value.
            Value::Dynamic(t, inner) if **t == *ty => self.value(inner, ty),
            _ => self.known(v, ty),
        }
    }

    /// `null`, or `{"value":…,"type":…}`.
    fn dynamic(&mut self, v: &Value) -> Result<(), EncodeError> {
        match v {
            Value::Null => {
                self.out.extend_from_slice(b"null");
                Ok(())
            }
            Value::Dynamic(t, inner) => self.wrapped(t, inner),
            _ => match v.implied_type() {
                Some(t) => self.wrapped(&t, v),
                None => Err(self.error(format!(
                    "the type of {} in a dynamic slot is ambiguous; wrap it in Value::Dynamic",
                    v.kind()
                ))),
            },
        }
    }

    fn wrapped(&mut self, ty: &Type, v: &Value) -> Result<(), EncodeError> {
        self.out.extend_from_slice(b"{\"value\":");
        self.value(v, ty)?;
        self.out.extend_from_slice(b",\"type\":");
        self.out.extend_from_slice(&ty.to_json());
        self.out.push(b'}');
        Ok(())
    }

    fn string(&mut self, s: &str) -> Result<(), EncodeError> {
        serde_json::to_writer(&mut self.out, s).map_err(|e| self.error(e.to_string()))
    }

    fn number(&mut self, n: &Number) -> Result<(), EncodeError> {
        match n.exact() {
            Exact::Float(f) if f.is_nan() => Err(self.error("NaN is not a number")),
            Exact::Float(f) if f.is_infinite() => Err(self.error("infinity has no JSON form")),
            Exact::Invalid => Err(self.error(format!("{n} is not a number"))),
            // Exact decimal text: every digit survives, and a float reads back as itself.
            _ => {
                self.out.extend_from_slice(n.to_string().as_bytes());
                Ok(())
            }
        }
    }

    fn known(&mut self, v: &Value, ty: &Type) -> Result<(), EncodeError> {
        match (ty, v) {
            (Type::Bool, Value::Bool(b)) => {
                self.out
                    .extend_from_slice(if *b { b"true" } else { b"false" });
                Ok(())
            }
            (Type::Number, Value::Number(n)) => self.number(n),
            (Type::String, Value::String(s)) => self.string(s),
            (
                Type::List(elem) | Type::Set(elem),
                Value::List(items) | Value::Set(items) | Value::Tuple(items),
            ) => self.array(items, |_| elem),
            (Type::Tuple(elems), Value::Tuple(items) | Value::List(items)) => {
                if items.len() != elems.len() {
                    return Err(self.error(format!(
                        "a tuple of length {} is required ({} given)",
                        elems.len(),
                        items.len()
                    )));
                }
                self.array(items, |i| &elems[i])
            }
            (Type::Map(elem), Value::Map(entries) | Value::Object(entries)) => {
                self.map(entries, elem)
            }
            (Type::Object(attrs), Value::Object(entries) | Value::Map(entries)) => {
                self.object(entries, attrs)
            }
            _ => Err(self.error(format!("{} is required, found {}", ty.expected(), v.kind()))),
        }
    }

    fn array<'t>(
        &mut self,
        items: &[Value],
        elem: impl Fn(usize) -> &'t Type,
    ) -> Result<(), EncodeError> {
        self.out.push(b'[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            self.path.push(Step::Index(i));
            self.value(item, elem(i))?;
            self.path.pop();
        }
        self.out.push(b']');
        Ok(())
    }

    fn map(&mut self, entries: &BTreeMap<String, Value>, elem: &Type) -> Result<(), EncodeError> {
        self.out.push(b'{');
        for (i, (key, item)) in entries.iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            self.string(key)?;
            self.out.push(b':');
            self.path.push(Step::Key(key.clone()));
            self.value(item, elem)?;
            self.path.pop();
        }
        self.out.push(b'}');
        Ok(())
    }

    /// Exactly the type's attributes, in order, `null` where the value has none.
    fn object(
        &mut self,
        entries: &BTreeMap<String, Value>,
        attrs: &BTreeMap<String, Type>,
    ) -> Result<(), EncodeError> {
        if let Some(extra) = entries.keys().find(|k| !attrs.contains_key(*k)) {
            self.path.push(Step::Attr(extra.clone()));
            return Err(self.error("unsupported attribute: the type has no such attribute"));
        }
        self.out.push(b'{');
        for (i, (name, attr_ty)) in attrs.iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            self.string(name)?;
            self.out.push(b':');
            self.path.push(Step::Attr(name.clone()));
            self.value(entries.get(name).unwrap_or(&Value::Null), attr_ty)?;
            self.path.pop();
        }
        self.out.push(b'}');
        Ok(())
    }
}
