//! Type-directed msgpack encoding, byte-compatible with go-cty's.
//!
//! Writes go to a `Vec`, which cannot fail, so rmp's write results are ignored; lengths
//! are checked against msgpack's u32 limit before they are written.

use super::unknown;
use crate::cty::codec::{EncodeError, Encoder, Format, Member, dynamic_parts, unwrapped};
use crate::cty::number::Exact;
use crate::cty::path::Step;
use crate::cty::{Number, Type, Value};

/// Encodes `value` as type `ty`, the way cty does: compact ints, float64 for other exact
/// floats, decimal strings beyond that; `d4 00 00` for an unknown without refinements.
///
/// Objects get exactly the type's keys (`nil` for attributes the value lacks). Values in a
/// `dynamic` slot are written with their type: a [`Value::Dynamic`] carries it, and a plain
/// value must have an evident one ([`Value::implied_type`]).
pub fn encode(value: &Value, ty: &Type) -> Result<Vec<u8>, EncodeError> {
    Encoder::<Msgpack>::encode(value, ty)
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

/// msgpack's rules.
struct Msgpack;

impl Format for Msgpack {
    const NAME: &'static str = "msgpack";

    fn value(e: &mut Encoder<Msgpack>, v: &Value, ty: &Type) -> Result<(), EncodeError> {
        if *ty == Type::Dynamic {
            return e.dynamic(v);
        }
        match unwrapped(v, ty) {
            Value::Null => {
                let _ = rmp::encode::write_nil(&mut e.out);
                Ok(())
            }
            Value::Unknown(u) => {
                unknown::encode(u, ty, &mut e.out);
                Ok(())
            }
            v => e.known(v, ty),
        }
    }

    fn bool(e: &mut Encoder<Msgpack>, b: bool) -> Result<(), EncodeError> {
        let _ = rmp::encode::write_bool(&mut e.out, b);
        Ok(())
    }

    fn number(e: &mut Encoder<Msgpack>, n: &Number) -> Result<(), EncodeError> {
        write_number(&mut e.out, n).map_err(|m| e.error(m))
    }

    fn string(e: &mut Encoder<Msgpack>, s: &str) -> Result<(), EncodeError> {
        let len = e.len(s.len())?;
        let _ = rmp::encode::write_str_len(&mut e.out, len);
        e.out.extend_from_slice(s.as_bytes());
        Ok(())
    }

    fn array<'t>(
        e: &mut Encoder<Msgpack>,
        items: &[Value],
        elem: impl Fn(usize) -> &'t Type,
    ) -> Result<(), EncodeError> {
        let len = e.len(items.len())?;
        let _ = rmp::encode::write_array_len(&mut e.out, len);
        for (i, item) in items.iter().enumerate() {
            e.value_at(Step::Index(i), item, elem(i))?;
        }
        Ok(())
    }

    fn members<'a>(
        e: &mut Encoder<Msgpack>,
        members: impl ExactSizeIterator<Item = Member<'a>>,
        step: fn(String) -> Step,
    ) -> Result<(), EncodeError> {
        let len = e.len(members.len())?;
        let _ = rmp::encode::write_map_len(&mut e.out, len);
        for (key, item, ty) in members {
            Msgpack::string(e, key)?;
            e.value_at(step(key.clone()), item, ty)?;
        }
        Ok(())
    }
}

impl Encoder<Msgpack> {
    fn len(&self, len: usize) -> Result<u32, EncodeError> {
        u32::try_from(len).map_err(|_| self.error(format!("{len} exceeds msgpack's length limit")))
    }

    /// `nil`, a bare unknown, or `[type JSON as bin, value]`.
    fn dynamic(&mut self, v: &Value) -> Result<(), EncodeError> {
        match v {
            Value::Null => {
                let _ = rmp::encode::write_nil(&mut self.out);
                Ok(())
            }
            // cty never refines a wholly unknown dynamic value.
            Value::Unknown(_) => {
                self.out.extend_from_slice(&unknown::PLAIN);
                Ok(())
            }
            _ => {
                let (t, inner) = dynamic_parts(v).map_err(|m| self.error(m))?;
                self.wrapped(&t, inner)
            }
        }
    }

    fn wrapped(&mut self, ty: &Type, v: &Value) -> Result<(), EncodeError> {
        let type_json = ty.to_json();
        let len = self.len(type_json.len())?;
        let _ = rmp::encode::write_array_len(&mut self.out, 2);
        let _ = rmp::encode::write_bin_len(&mut self.out, len);
        self.out.extend_from_slice(&type_json);
        self.value(v, ty)
    }
}
