//! Type-directed msgpack encoding, byte-compatible with go-cty's.
//!
//! Writes go to a `Vec`, which cannot fail, so rmp's write results are ignored; lengths
//! are checked against msgpack's u32 limit before they are written.

use std::collections::BTreeMap;

use super::unknown;
use crate::cty::codec::{EncodeError, Writer, dynamic_parts};
use crate::cty::number::Exact;
use crate::cty::path::Step;
use crate::cty::{Number, Type, Value};

pub(super) fn encode(value: &Value, ty: &Type) -> Result<Vec<u8>, EncodeError> {
    let mut e = Encoder {
        w: Writer::new("msgpack"),
    };
    e.value(value, ty)?;
    Ok(e.w.out)
}

/// Writes a number the way cty does: an int when it is an exact int64, a float64 when it is
/// exactly a non-integral float, ±Inf as float64, and decimal text otherwise.
pub(super) fn write_number(out: &mut Vec<u8>, n: &Number) -> Result<(), String> {
    match n.exact() {
        Exact::Int(i) => {
            let _ = rmp::encode::write_sint(out, i);
        }
        Exact::Float(f) if f.is_nan() => return Err("NaN is not a number".into()),
        Exact::Float(f) if f.fract() != 0.0 || f.is_infinite() => {
            let _ = rmp::encode::write_f64(out, f);
        }
        // An integral float beyond int64 range, or a decimal: its exact text.
        Exact::Float(_) | Exact::Decimal(_) => {
            let _ = rmp::encode::write_str(out, &n.to_string());
        }
        Exact::Invalid => return Err(format!("{n} is not a number")),
    }
    Ok(())
}

/// Writes one value; `w` holds the bytes and the place in the value.
struct Encoder {
    w: Writer,
}

impl Encoder {
    fn len(&self, len: usize) -> Result<u32, EncodeError> {
        u32::try_from(len).map_err(|_| {
            self.w
                .error(format!("{len} exceeds msgpack's length limit"))
        })
    }

    fn value(&mut self, v: &Value, ty: &Type) -> Result<(), EncodeError> {
        if *ty == Type::Dynamic {
            return self.dynamic(v);
        }
        match v {
            Value::Null => {
                let _ = rmp::encode::write_nil(&mut self.w.out);
                Ok(())
            }
            Value::Unknown(u) => {
                unknown::encode(u, ty, &mut self.w.out);
                Ok(())
            }
            // A dynamic value in a slot of exactly its type is just the value.
            Value::Dynamic(t, inner) if **t == *ty => self.value(inner, ty),
            _ => self.known(v, ty),
        }
    }

    /// `nil`, a bare unknown, or `[type JSON as bin, value]`.
    fn dynamic(&mut self, v: &Value) -> Result<(), EncodeError> {
        match v {
            Value::Null => {
                let _ = rmp::encode::write_nil(&mut self.w.out);
                Ok(())
            }
            // cty never refines a wholly unknown dynamic value.
            Value::Unknown(_) => {
                self.w.out.extend_from_slice(&unknown::PLAIN);
                Ok(())
            }
            _ => {
                let (t, inner) = dynamic_parts(v).map_err(|m| self.w.error(m))?;
                self.wrapped(&t, inner)
            }
        }
    }

    fn wrapped(&mut self, ty: &Type, v: &Value) -> Result<(), EncodeError> {
        let type_json = ty.to_json();
        let len = self.len(type_json.len())?;
        let _ = rmp::encode::write_array_len(&mut self.w.out, 2);
        let _ = rmp::encode::write_bin_len(&mut self.w.out, len);
        self.w.out.extend_from_slice(&type_json);
        self.value(v, ty)
    }

    fn known(&mut self, v: &Value, ty: &Type) -> Result<(), EncodeError> {
        match (ty, v) {
            (Type::Bool, Value::Bool(b)) => {
                let _ = rmp::encode::write_bool(&mut self.w.out, *b);
            }
            (Type::Number, Value::Number(n)) => {
                write_number(&mut self.w.out, n).map_err(|m| self.w.error(m))?;
            }
            (Type::String, Value::String(s)) => {
                let len = self.len(s.len())?;
                let _ = rmp::encode::write_str_len(&mut self.w.out, len);
                self.w.out.extend_from_slice(s.as_bytes());
            }
            (
                Type::List(elem) | Type::Set(elem),
                Value::List(items) | Value::Set(items) | Value::Tuple(items),
            ) => self.array(items, |_| elem)?,
            (Type::Tuple(elems), Value::Tuple(items) | Value::List(items)) => {
                if items.len() != elems.len() {
                    return Err(self.w.error(format!(
                        "a tuple of length {} is required ({} given)",
                        elems.len(),
                        items.len()
                    )));
                }
                self.array(items, |i| &elems[i])?;
            }
            (Type::Map(elem), Value::Map(entries) | Value::Object(entries)) => {
                self.map(entries, elem)?;
            }
            (Type::Object(attrs), Value::Object(entries) | Value::Map(entries)) => {
                self.object(entries, attrs)?;
            }
            _ => {
                return Err(self.w.error(format!(
                    "{} is required, found {}",
                    ty.expected(),
                    v.kind()
                )));
            }
        }
        Ok(())
    }

    fn array<'t>(
        &mut self,
        items: &[Value],
        elem: impl Fn(usize) -> &'t Type,
    ) -> Result<(), EncodeError> {
        let len = self.len(items.len())?;
        let _ = rmp::encode::write_array_len(&mut self.w.out, len);
        for (i, item) in items.iter().enumerate() {
            self.w.path.push(Step::Index(i));
            self.value(item, elem(i))?;
            self.w.path.pop();
        }
        Ok(())
    }

    fn key(&mut self, key: &str) -> Result<(), EncodeError> {
        let len = self.len(key.len())?;
        let _ = rmp::encode::write_str_len(&mut self.w.out, len);
        self.w.out.extend_from_slice(key.as_bytes());
        Ok(())
    }

    fn map(&mut self, entries: &BTreeMap<String, Value>, elem: &Type) -> Result<(), EncodeError> {
        let len = self.len(entries.len())?;
        let _ = rmp::encode::write_map_len(&mut self.w.out, len);
        for (key, item) in entries {
            self.key(key)?;
            self.w.path.push(Step::Key(key.clone()));
            self.value(item, elem)?;
            self.w.path.pop();
        }
        Ok(())
    }

    /// Exactly the type's attributes, in order, `nil` where the value has none.
    fn object(
        &mut self,
        entries: &BTreeMap<String, Value>,
        attrs: &BTreeMap<String, Type>,
    ) -> Result<(), EncodeError> {
        let attributes = self.w.attributes(entries, attrs)?;
        let len = self.len(attrs.len())?;
        let _ = rmp::encode::write_map_len(&mut self.w.out, len);
        for (name, item, attr_ty) in attributes {
            self.key(name)?;
            self.w.path.push(Step::Attr(name.clone()));
            self.value(item, attr_ty)?;
            self.w.path.pop();
        }
        Ok(())
    }
}
