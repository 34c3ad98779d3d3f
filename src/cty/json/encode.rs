//! Type-directed JSON encoding, as go-cty writes state.

use crate::cty::codec::{EncodeError, Encoder, Format, Member, dynamic_parts, unwrapped};
use crate::cty::number::Exact;
use crate::cty::path::Step;
use crate::cty::{Number, Type, Value};

/// Encodes a wholly known value as compact JSON of type `ty`: every attribute of an object
/// type (null where the value has none), keys sorted, numbers as their exact decimal text,
/// and `{"value":…,"type":…}` in a `dynamic` slot. Unknowns and infinities have no JSON form.
pub fn encode(value: &Value, ty: &Type) -> Result<Vec<u8>, EncodeError> {
    Encoder::<Json>::encode(value, ty)
}

/// JSON's rules.
struct Json;

impl Format for Json {
    const NAME: &'static str = "JSON";

    fn value(e: &mut Encoder<Json>, v: &Value, ty: &Type) -> Result<(), EncodeError> {
        match unwrapped(v, ty) {
            Value::Unknown(_) => Err(e.error(
                "unknown values have no JSON form (only wholly known values can be stored)",
            )),
            v if *ty == Type::Dynamic => e.dynamic(v),
            Value::Null => {
                e.out.extend_from_slice(b"null");
                Ok(())
            }
            v => e.known(v, ty),
        }
    }

    fn bool(e: &mut Encoder<Json>, b: bool) -> Result<(), EncodeError> {
        e.out.extend_from_slice(if b { b"true" } else { b"false" });
        Ok(())
    }

    fn number(e: &mut Encoder<Json>, n: &Number) -> Result<(), EncodeError> {
        match n.exact() {
            Exact::Float(f) if f.is_nan() => Err(e.error("NaN is not a number")),
            Exact::Float(f) if f.is_infinite() => Err(e.error("infinity has no JSON form")),
            Exact::Invalid => Err(e.error(format!("{n} is not a number"))),
            // Exact decimal text: every digit survives, and a float reads back as itself.
            _ => {
                e.out.extend_from_slice(n.to_string().as_bytes());
                Ok(())
            }
        }
    }

    fn string(e: &mut Encoder<Json>, s: &str) -> Result<(), EncodeError> {
        serde_json::to_writer(&mut e.out, s).map_err(|err| e.error(err.to_string()))
    }

    /// `[item,…]`.
    fn array<'t>(
        e: &mut Encoder<Json>,
        items: &[Value],
        elem: impl Fn(usize) -> &'t Type,
    ) -> Result<(), EncodeError> {
        e.out.push(b'[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                e.out.push(b',');
            }
            e.value_at(Step::Index(i), item, elem(i))?;
        }
        e.out.push(b']');
        Ok(())
    }

    /// `{"key":value,…}`.
    fn members<'a>(
        e: &mut Encoder<Json>,
        members: impl ExactSizeIterator<Item = Member<'a>>,
        step: fn(String) -> Step,
    ) -> Result<(), EncodeError> {
        e.out.push(b'{');
        for (i, (key, item, ty)) in members.enumerate() {
            if i > 0 {
                e.out.push(b',');
            }
            Json::string(e, key)?;
            e.out.push(b':');
            e.value_at(step(key.clone()), item, ty)?;
        }
        e.out.push(b'}');
        Ok(())
    }
}

impl Encoder<Json> {
    /// `null`, or `{"value":…,"type":…}`.
    fn dynamic(&mut self, v: &Value) -> Result<(), EncodeError> {
        match v {
            Value::Null => {
                self.out.extend_from_slice(b"null");
                Ok(())
            }
            _ => {
                let (t, inner) = dynamic_parts(v).map_err(|m| self.error(m))?;
                self.wrapped(&t, inner)
            }
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
}
