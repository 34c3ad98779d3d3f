use std::collections::BTreeMap;

use super::Type;

/// A Terraform value. Objects carry every attribute of their type (null when unset).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Null of whatever type the slot has.
    Null,
    /// Not known until apply; refinements (TF >= 1.6) are kept so they can be copied through.
    Unknown(Unknown),
    Bool(bool),
    Number(Number),
    String(String),
    List(Vec<Value>),
    /// Set elements, in wire order; sets never hold duplicates once decoded.
    Set(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Object(BTreeMap<String, Value>),
    Tuple(Vec<Value>),
    /// A known value in a `dynamic` slot, travelling with its concrete type.
    Dynamic(Box<Type>, Box<Value>),
}

/// A cty number in the narrowest representation that keeps it exact.
#[derive(Clone, Debug)]
pub enum Number {
    Int(i64),
    Float(f64),
    /// Too big or too precise for i64/f64: kept as its decimal text.
    Decimal(String),
}

/// An unknown value, with the refinements Terraform attached to it, if any.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Unknown {
    pub refinements: Option<Refinements>,
}

/// What Terraform already knows about an unknown value (msgpack extension 12).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Refinements {
    /// `Some(false)`: definitely not null.
    pub nullable: Option<bool>,
    pub string_prefix: Option<String>,
    /// `(bound, inclusive)`.
    pub number_lower: Option<(Number, bool)>,
    pub number_upper: Option<(Number, bool)>,
    pub length_min: Option<i64>,
    pub length_max: Option<i64>,
    /// The extension payload exactly as received, so re-encoding is byte-for-byte faithful.
    pub raw: Vec<u8>,
}

impl Value {
    /// A known string value.
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// A wholly unknown value without refinements.
    pub fn unknown() -> Value {
        Value::Unknown(Unknown::default())
    }

    /// An object value from `(name, value)` pairs.
    pub fn object<I, S>(attributes: I) -> Value
    where
        I: IntoIterator<Item = (S, Value)>,
        S: Into<String>,
    {
        Value::Object(attributes.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown(_))
    }

    /// True when neither this value nor anything inside it is unknown.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown(_) => false,
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => {
                v.iter().all(Value::is_wholly_known)
            }
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            Value::Dynamic(_, v) => v.is_wholly_known(),
            _ => true,
        }
    }

    /// The attribute `name` of an object value (None for non-objects and missing keys).
    pub fn attr(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Object(m) => m.get(name),
            _ => None,
        }
    }

    /// Mutable access to an object attribute.
    pub fn attr_mut(&mut self, name: &str) -> Option<&mut Value> {
        match self {
            Value::Object(m) => m.get_mut(name),
            _ => None,
        }
    }

    /// The string inside a known string value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean inside a known bool value.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

impl Number {
    /// The value as f64 (lossy for decimals beyond f64 precision).
    pub fn to_f64(&self) -> f64 {
        match self {
            Number::Int(i) => *i as f64,
            Number::Float(f) => *f,
            Number::Decimal(s) => s.parse().unwrap_or(f64::NAN),
        }
    }

    /// The value as i64 when it is an exact integer in range.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Number::Int(i) => Some(*i),
            Number::Float(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Some(*f as i64),
            _ => None,
        }
    }
}

impl PartialEq for Number {
    fn eq(&self, other: &Number) -> bool {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => a == b,
            (Number::Decimal(a), Number::Decimal(b)) => a == b,
            (a, b) => a.to_f64() == b.to_f64(),
        }
    }
}
