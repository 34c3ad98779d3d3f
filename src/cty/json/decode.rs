//! Type-directed JSON decoding on top of serde_json.
//!
//! Number and string slots are read as raw JSON text, so numbers keep every digit without
//! serde_json's crate-wide `arbitrary_precision` feature.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::{DecodeError, MAX_DEPTH};
use crate::cty::number::parse_exact;
use crate::cty::path::{Path, Step};
use crate::cty::{Type, Value, set};

/// Values a decode may build per input byte (plus a fixed allowance): object attributes
/// missing from the input are filled in, and this keeps that filling in proportion.
const NODES_PER_BYTE: usize = 32;
const NODE_ALLOWANCE: usize = 4096;

/// Decodes JSON `bytes` as type `ty`. Object keys missing from the input become null
/// (Terraform does not add attributes that a newer schema introduced) and keys the type does
/// not have are ignored, so state written by older schema versions still reads.
///
/// Like go-cty, a string slot also takes a JSON number or bool (as its text), a number slot
/// a string holding a number, and a bool slot the strings `"true"`, `"false"`, `"1"`, `"0"`.
/// Total on any input; numbers come back in [`crate::cty::Number::canonical`] form.
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, DecodeError> {
    let ctx = Ctx {
        path: RefCell::default(),
        failure: RefCell::default(),
        depth: Cell::new(0),
        budget: Cell::new(
            bytes
                .len()
                .saturating_mul(NODES_PER_BYTE)
                .saturating_add(NODE_ALLOWANCE),
        ),
    };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let result = Seed { ctx: &ctx, ty }
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v));
    result.map_err(|e| {
        ctx.failure
            .take()
            .unwrap_or_else(|| ctx.error(e.to_string()))
    })
}

/// State shared by every level of one decode.
struct Ctx {
    path: RefCell<Path>,
    /// The first error raised by this module, with its path; serde's own errors lack one.
    failure: RefCell<Option<DecodeError>>,
    depth: Cell<usize>,
    budget: Cell<usize>,
}

impl Ctx {
    fn error(&self, message: String) -> DecodeError {
        DecodeError::at("JSON", &self.path.borrow(), message)
    }

    /// Records `message` at the current path and returns serde's error to unwind with.
    fn fail<E: de::Error>(&self, message: impl Into<String>) -> E {
        let message = message.into();
        let e = E::custom(&message);
        let mut failure = self.failure.borrow_mut();
        if failure.is_none() {
            *failure = Some(self.error(message));
        }
        e
    }

    /// Spends `nodes` of the budget.
    fn charge<E: de::Error>(&self, nodes: usize) -> Result<(), E> {
        match self.budget.get().checked_sub(nodes) {
            Some(left) => {
                self.budget.set(left);
                Ok(())
            }
            None => Err(self.fail("value is too large for its input")),
        }
    }

    fn push(&self, step: Step) {
        self.path.borrow_mut().push(step);
    }

    fn pop(&self) {
        self.path.borrow_mut().pop();
    }
}

/// Decodes one value of type `ty`.
#[derive(Clone, Copy)]
struct Seed<'c, 't> {
    ctx: &'c Ctx,
    ty: &'t Type,
}

impl<'de> DeserializeSeed<'de> for Seed<'_, '_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        let ctx = self.ctx;
        if ctx.depth.get() >= MAX_DEPTH {
            return Err(ctx.fail(format!("value nests more than {MAX_DEPTH} levels deep")));
        }
        ctx.charge(1)?;
        ctx.depth.set(ctx.depth.get() + 1);
        let result = match self.ty {
            Type::Number | Type::String => {
                let raw = <&'de RawValue>::deserialize(d)?;
                self.primitive(raw.get().trim())
            }
            _ => d.deserialize_any(self),
        };
        ctx.depth.set(ctx.depth.get() - 1);
        result
    }
}

impl Seed<'_, '_> {
    fn required<E: de::Error>(&self, found: &str) -> E {
        let expected = match self.ty {
            Type::Dynamic => "a dynamic value ({\"value\": …, \"type\": …})",
            ty => ty.expected(),
        };
        self.ctx
            .fail(format!("{expected} is required, found {found}"))
    }

    /// A number or string slot, from the raw JSON text of whatever is there.
    fn primitive<E: de::Error>(&self, raw: &str) -> Result<Value, E> {
        let unquote =
            || serde_json::from_str::<String>(raw).map_err(|e| self.ctx.fail(e.to_string()));
        match (self.ty, raw.as_bytes().first()) {
            (_, Some(b'n')) => Ok(Value::Null),
            (Type::String, Some(b'"')) => Ok(Value::String(unquote()?)),
            // go-cty keeps a number's text and spells bools out.
            (Type::String, Some(b't' | b'f' | b'-' | b'0'..=b'9')) => {
                Ok(Value::String(raw.to_owned()))
            }
            (Type::Number, Some(b'"')) => {
                let text = unquote()?;
                match parse_exact(&text) {
                    Some(n) => Ok(Value::Number(n.into_number())),
                    None => Err(self.required(&format!("{text:?}"))),
                }
            }
            (Type::Number, Some(b'-' | b'0'..=b'9')) => match parse_exact(raw) {
                Some(n) => Ok(Value::Number(n.into_number())),
                None => Err(self.ctx.fail(format!("number {raw} is out of range"))),
            },
            (_, Some(b'[')) => Err(self.required("an array")),
            (_, Some(b'{')) => Err(self.required("an object")),
            (_, Some(b't' | b'f')) => Err(self.required("a bool")),
            _ => Err(self.required("a string")),
        }
    }

    fn elements<'de, 'e, A: SeqAccess<'de>>(
        &self,
        mut seq: A,
        elem: impl Fn(usize) -> Option<&'e Type>,
    ) -> Result<Vec<Value>, A::Error> {
        let mut items = Vec::new();
        loop {
            let i = items.len();
            self.ctx.push(Step::Index(i));
            let next = match elem(i) {
                Some(ty) => seq.next_element_seed(Seed { ctx: self.ctx, ty })?,
                // A tuple with more elements than its type: say so if there is one.
                None => match seq.next_element::<IgnoredAny>()? {
                    Some(_) => return Err(self.ctx.fail("more tuple elements than the type has")),
                    None => None,
                },
            };
            self.ctx.pop();
            match next {
                Some(v) => items.push(v),
                None => return Ok(items),
            }
        }
    }

    /// `{"value": …, "type": …}` in either order, as go-cty writes a dynamic value.
    fn dynamic<'de, A: MapAccess<'de>>(&self, mut map: A) -> Result<Value, A::Error> {
        let ctx = self.ctx;
        let mut type_raw: Option<&'de RawValue> = None;
        let mut value_raw: Option<&'de RawValue> = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "type" => type_raw = Some(map.next_value()?),
                "value" => value_raw = Some(map.next_value()?),
                other => {
                    return Err(ctx.fail(format!(
                        "invalid key {other:?} in a dynamic value (only \"value\" and \"type\")"
                    )));
                }
            }
        }
        let type_raw = type_raw.ok_or_else(|| ctx.fail("missing \"type\" in a dynamic value"))?;
        let value_raw =
            value_raw.ok_or_else(|| ctx.fail("missing \"value\" in a dynamic value"))?;
        let ty = Type::from_json(type_raw.get().as_bytes())
            .map_err(|e| ctx.fail(format!("dynamic value has an invalid type: {}", e.0)))?;
        let mut inner = serde_json::Deserializer::from_str(value_raw.get());
        let value = Seed { ctx, ty: &ty }
            .deserialize(&mut inner)
            .map_err(|e| ctx.fail::<A::Error>(e.to_string()))?;
        Ok(Value::Dynamic(Box::new(ty), Box::new(value)))
    }
}

impl<'de> Visitor<'de> for Seed<'_, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.ty.expected())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
        match self.ty {
            Type::Bool => Ok(Value::Bool(b)),
            _ => Err(self.required("a bool")),
        }
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Value, E> {
        match (self.ty, s) {
            (Type::Bool, "true" | "1") => Ok(Value::Bool(true)),
            (Type::Bool, "false" | "0") => Ok(Value::Bool(false)),
            _ => Err(self.required(&format!("the string {s:?}"))),
        }
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Value, E> {
        Err(self.required("a number"))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Value, E> {
        Err(self.required("a number"))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Value, E> {
        Err(self.required("a number"))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Value, A::Error> {
        match self.ty {
            Type::List(elem) => Ok(Value::List(self.elements(seq, |_| Some(&**elem))?)),
            Type::Set(elem) => Ok(Value::Set(set::dedupe(
                self.elements(seq, |_| Some(&**elem))?,
            ))),
            Type::Tuple(elems) => {
                let items = self.elements(seq, |i| elems.get(i))?;
                if items.len() != elems.len() {
                    return Err(self.ctx.fail(format!(
                        "a tuple of length {} is required ({} given)",
                        elems.len(),
                        items.len()
                    )));
                }
                Ok(Value::Tuple(items))
            }
            _ => Err(self.required("an array")),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let ctx = self.ctx;
        match self.ty {
            Type::Map(elem) => {
                let mut entries = BTreeMap::new();
                while let Some(key) = map.next_key::<String>()? {
                    ctx.push(Step::Key(key.clone()));
                    let v = map.next_value_seed(Seed { ctx, ty: elem })?;
                    ctx.pop();
                    entries.insert(key, v);
                }
                Ok(Value::Map(entries))
            }
            Type::Object(attrs) => {
                let mut entries = BTreeMap::new();
                while let Some(key) = map.next_key::<String>()? {
                    match attrs.get(&key) {
                        Some(ty) => {
                            ctx.push(Step::Attr(key.clone()));
                            let v = map.next_value_seed(Seed { ctx, ty })?;
                            ctx.pop();
                            entries.insert(key, v);
                        }
                        // Left over from an older schema: Terraform drops it too.
                        None => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                // `entries` only holds attributes of the type, so this counts the missing.
                ctx.charge(attrs.len() - entries.len())?;
                for name in attrs.keys() {
                    if !entries.contains_key(name) {
                        entries.insert(name.clone(), Value::Null);
                    }
                }
                Ok(Value::Object(entries))
            }
            Type::Dynamic => self.dynamic(map),
            _ => Err(self.required("an object")),
        }
    }
}
