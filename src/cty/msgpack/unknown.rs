//! Unknown values: msgpack extension values, with refinements under extension code 12.

use super::DecodeError;
use super::decode::Decoder;
use super::encode::write_number;
use super::read::ReadError;
use crate::cty::number::Exact;
use crate::cty::path::Path;
use crate::cty::{Number, Refinements, Type, Unknown, Value};

/// The extension code whose payload is a refinement map.
const REFINED: i8 = 12;

/// go-cty refuses refinement payloads above 1 KiB as abusive; so do we.
const MAX_PAYLOAD: usize = 1024;

/// go-cty truncates string prefixes so a payload stays small; keep within the same bound.
const MAX_PREFIX: usize = 255;

/// The wholly unknown value as cty writes it: fixext1, code 0, one zero byte.
pub(super) const PLAIN: [u8; 3] = [0xd4, 0x00, 0x00];

mod key {
    pub(super) const NULLNESS: i128 = 1;
    pub(super) const STRING_PREFIX: i128 = 2;
    pub(super) const NUMBER_MIN: i128 = 3;
    pub(super) const NUMBER_MAX: i128 = 4;
    pub(super) const LENGTH_MIN: i128 = 5;
    pub(super) const LENGTH_MAX: i128 = 6;
}

/// What a refinement payload says.
enum Parsed {
    /// No refinements at all.
    Plain,
    /// "Definitely null": cty turns that into a known null.
    Null,
    Refined(Refinements),
}

/// Reads an extension item as an unknown of type `ty`. Any code other than 12, and any
/// payload of at most one byte, is a plain unknown; `dynamic` unknowns are never refined.
pub(super) fn decode(d: &mut Decoder<'_>, ty: &Type) -> Result<Value, DecodeError> {
    let (code, payload) = d.reader().ext().map_err(|e| match e {
        ReadError::Truncated => d.error("unexpected end of input"),
        ReadError::Mismatch => d.error("an extension value is required"),
    })?;
    if code != REFINED || payload.len() <= 1 || *ty == Type::Dynamic {
        return Ok(Value::unknown());
    }
    if payload.len() > MAX_PAYLOAD {
        return Err(d.error(format!(
            "unknown value refinements take {} bytes (at most {MAX_PAYLOAD} allowed)",
            payload.len()
        )));
    }
    Ok(match parse(payload, ty, d.path())? {
        Parsed::Plain => Value::unknown(),
        Parsed::Null => Value::Null,
        Parsed::Refined(mut r) => {
            r.raw = payload.to_vec();
            Value::Unknown(Unknown {
                refinements: Some(r),
            })
        }
    })
}

fn is_collection(ty: &Type) -> bool {
    matches!(ty, Type::List(_) | Type::Set(_) | Type::Map(_))
}

/// Reads a refinement map; keys this version does not know are skipped, trailing bytes
/// after the map are ignored (both as go-cty does, to leave room for later additions).
fn parse(payload: &[u8], ty: &Type, path: &Path) -> Result<Parsed, DecodeError> {
    let mut d = Decoder::nested(payload, path);
    let bad =
        |d: &Decoder<'_>, what: &str| d.error(format!("invalid unknown value refinements: {what}"));
    let count = d.reader().map_len().map_err(|_| bad(&d, "not a map"))?;
    if count == 0 {
        return Ok(Parsed::Plain);
    }
    let mut r = Refinements::default();
    let mut definitely_null = false;
    for _ in 0..count {
        let k = d
            .reader()
            .int()
            .map_err(|_| bad(&d, "keys must be integers"))?;
        match k {
            key::NULLNESS => {
                let is_null = d
                    .reader()
                    .bool()
                    .map_err(|_| bad(&d, "nullness must be a bool"))?;
                definitely_null = is_null;
                r.nullable = Some(is_null);
            }
            key::STRING_PREFIX => {
                if *ty != Type::String {
                    return Err(bad(&d, "string prefix for a non-string type"));
                }
                r.string_prefix = Some(
                    d.string("a string prefix")
                        .map_err(|_| bad(&d, "string prefix must be a UTF-8 string"))?,
                );
            }
            key::NUMBER_MIN | key::NUMBER_MAX => {
                if *ty != Type::Number {
                    return Err(bad(&d, "number bound for a non-number type"));
                }
                let bound_ty = Type::Tuple(vec![Type::Number, Type::Bool]);
                let bound = match d.value(&bound_ty) {
                    Ok(Value::Tuple(pair)) => match <[Value; 2]>::try_from(pair) {
                        Ok([Value::Number(n), Value::Bool(inclusive)]) => Some((n, inclusive)),
                        _ => None,
                    },
                    _ => None,
                }
                .ok_or_else(|| bad(&d, "number bound must be a [number, bool] array"))?;
                if k == key::NUMBER_MIN {
                    r.number_lower = Some(bound);
                } else {
                    r.number_upper = Some(bound);
                }
            }
            key::LENGTH_MIN | key::LENGTH_MAX => {
                if !is_collection(ty) {
                    return Err(bad(&d, "length bound for a non-collection type"));
                }
                let n = d
                    .reader()
                    .int()
                    .ok()
                    .and_then(|n| i64::try_from(n).ok())
                    .ok_or_else(|| bad(&d, "length bound must be an integer"))?;
                if k == key::LENGTH_MIN {
                    r.length_min = Some(n);
                } else {
                    r.length_max = Some(n);
                }
            }
            _ => d.reader().skip().map_err(|_| bad(&d, "truncated entry"))?,
        }
    }
    Ok(if definitely_null {
        Parsed::Null
    } else {
        Parsed::Refined(r)
    })
}

/// Writes an unknown of type `ty`: the received payload when it still matches the
/// refinements, a payload built from them otherwise, and `d4 00 00` when there are none.
pub(super) fn encode(u: &Unknown, ty: &Type, out: &mut Vec<u8>) {
    let payload = match &u.refinements {
        Some(r) if *ty != Type::Dynamic => payload(r, ty),
        _ => Vec::new(),
    };
    if payload.is_empty() {
        out.extend_from_slice(&PLAIN);
        return;
    }
    // Writing into a Vec cannot fail, and payloads are far below u32::MAX.
    let _ = rmp::encode::write_ext_meta(out, payload.len() as u32, REFINED);
    out.extend_from_slice(&payload);
}

fn payload(r: &Refinements, ty: &Type) -> Vec<u8> {
    if !r.raw.is_empty()
        && r.raw.len() <= MAX_PAYLOAD
        && let Ok(Parsed::Refined(said)) = parse(&r.raw, ty, &Path::default())
        && said == *r
    {
        return r.raw.clone();
    }
    build(r, ty)
}

/// The refinement map for `r`, keeping only what applies to `ty` (as go-cty writes it).
fn build(r: &Refinements, ty: &Type) -> Vec<u8> {
    let mut body = Vec::new();
    let mut count = 0u32;
    let mut entry = |body: &mut Vec<u8>, k: i128| {
        count += 1;
        let _ = rmp::encode::write_sint(body, k as i64);
    };
    if let Some(is_null) = r.nullable {
        entry(&mut body, key::NULLNESS);
        let _ = rmp::encode::write_bool(&mut body, is_null);
    }
    match ty {
        Type::String => {
            if let Some(prefix) = r.string_prefix.as_deref().filter(|p| !p.is_empty()) {
                entry(&mut body, key::STRING_PREFIX);
                let _ = rmp::encode::write_str(&mut body, truncate(prefix, MAX_PREFIX));
            }
        }
        Type::Number => {
            for (k, bound) in [
                (key::NUMBER_MIN, &r.number_lower),
                (key::NUMBER_MAX, &r.number_upper),
            ] {
                let Some((n, inclusive)) = bound else {
                    continue;
                };
                // An infinite bound says nothing; cty leaves it out.
                if !is_finite(n) {
                    continue;
                }
                let mut pair = Vec::new();
                let _ = rmp::encode::write_array_len(&mut pair, 2);
                if write_number(&mut pair, n).is_ok() {
                    let _ = rmp::encode::write_bool(&mut pair, *inclusive);
                    entry(&mut body, k);
                    body.extend_from_slice(&pair);
                }
            }
        }
        _ if is_collection(ty) => {
            if let Some(min) = r.length_min.filter(|&m| m != 0) {
                entry(&mut body, key::LENGTH_MIN);
                let _ = rmp::encode::write_sint(&mut body, min);
            }
            if let Some(max) = r.length_max {
                entry(&mut body, key::LENGTH_MAX);
                let _ = rmp::encode::write_sint(&mut body, max);
            }
        }
        _ => {}
    }
    if count == 0 {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(body.len() + 5);
    let _ = rmp::encode::write_map_len(&mut out, count);
    out.extend_from_slice(&body);
    out
}

fn is_finite(n: &Number) -> bool {
    !matches!(n.exact(), Exact::Float(f) if !f.is_finite())
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}
