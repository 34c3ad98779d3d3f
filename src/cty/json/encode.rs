//! Type-directed JSON encoding, as go-cty writes state.

use std::collections::BTreeMap;

use crate::cty::codec::{EncodeError, Writer, dynamic_parts};
use crate::cty::number::Exact;
use crate::cty::path::Step;
use crate::cty::{Number, Type, Value};

pub(super) fn encode(value: &Value, ty: &Type) -> Result<Vec<u8>, EncodeError> {
    let mut e = Encoder {
        w: Writer::new("JSON"),
    };
    e.value(value, ty)?;
    Ok(e.w.out)
}

/// Writes one value; `w` holds the bytes and the place in the value.
struct Encoder {
    w: Writer,
}

impl Encoder {
    fn value(&mut self, v: &Value, ty: &Type) -> Result<(), EncodeError> {
        match v {
            Value::Unknown(_) => Err(self.w.error(
                "unknown values have no JSON form (only wholly known values can be stored)",
            )),
            _ if *ty == Type::Dynamic => self.dynamic(v),
            Value::Null => {
                self.w.out.extend_from_slice(b"null");
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
                self.w.out.extend_from_slice(b"null");
                Ok(())
            }
            _ => {
                let (t, inner) = dynamic_parts(v).map_err(|m| self.w.error(m))?;
                self.wrapped(&t, inner)
            }
        }
    }

    fn wrapped(&mut self, ty: &Type, v: &Value) -> Result<(), EncodeError> {
        self.w.out.extend_from_slice(b"{\"value\":");
        self.value(v, ty)?;
        self.w.out.extend_from_slice(b",\"type\":");
        self.w.out.extend_from_slice(&ty.to_json());
        self.w.out.push(b'}');
        Ok(())
    }

    fn string(&mut self, s: &str) -> Result<(), EncodeError> {
        serde_json::to_writer(&mut self.w.out, s).map_err(|e| self.w.error(e.to_string()))
    }

    fn number(&mut self, n: &Number) -> Result<(), EncodeError> {
        match n.exact() {
            Exact::Float(f) if f.is_nan() => Err(self.w.error("NaN is not a number")),
            Exact::Float(f) if f.is_infinite() => Err(self.w.error("infinity has no JSON form")),
            Exact::Invalid => Err(self.w.error(format!("{n} is not a number"))),
            // Exact decimal text: every digit survives, and a float reads back as itself.
            _ => {
                self.w.out.extend_from_slice(n.to_string().as_bytes());
                Ok(())
            }
        }
    }

    fn known(&mut self, v: &Value, ty: &Type) -> Result<(), EncodeError> {
        match (ty, v) {
            (Type::Bool, Value::Bool(b)) => {
                self.w
                    .out
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
                    return Err(self.w.error(format!(
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
            _ => Err(self
                .w
                .error(format!("{} is required, found {}", ty.expected(), v.kind()))),
        }
    }

    fn array<'t>(
        &mut self,
        items: &[Value],
        elem: impl Fn(usize) -> &'t Type,
    ) -> Result<(), EncodeError> {
        self.w.out.push(b'[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.w.out.push(b',');
            }
            self.w.path.push(Step::Index(i));
            self.value(item, elem(i))?;
            self.w.path.pop();
        }
        self.w.out.push(b']');
        Ok(())
    }

    fn map(&mut self, entries: &BTreeMap<String, Value>, elem: &Type) -> Result<(), EncodeError> {
        self.w.out.push(b'{');
        for (i, (key, item)) in entries.iter().enumerate() {
            if i > 0 {
                self.w.out.push(b',');
            }
            self.string(key)?;
            self.w.out.push(b':');
            self.w.path.push(Step::Key(key.clone()));
            self.value(item, elem)?;
            self.w.path.pop();
        }
        self.w.out.push(b'}');
        Ok(())
    }

    /// Exactly the type's attributes, in order, `null` where the value has none.
    fn object(
        &mut self,
        entries: &BTreeMap<String, Value>,
        attrs: &BTreeMap<String, Type>,
    ) -> Result<(), EncodeError> {
        let attributes = self.w.attributes(entries, attrs)?;
        self.w.out.push(b'{');
        for (i, (name, item, attr_ty)) in attributes.enumerate() {
            if i > 0 {
                self.w.out.push(b',');
            }
            self.string(name)?;
            self.w.out.push(b':');
            self.w.path.push(Step::Attr(name.clone()));
            self.value(item, attr_ty)?;
            self.w.path.pop();
        }
        self.w.out.push(b'}');
        Ok(())
    }
}
