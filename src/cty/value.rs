use std::collections::BTreeMap;

use super::{Number, Type, set};

/// A Terraform value. Objects carry every attribute of their type (null when unset).
///
/// Equality is structural, except that sets compare as sets (order and duplicates of known
/// elements do not matter) and numbers compare by exact value.
///
/// ```
/// use tpz::cty::Value;
/// let a = Value::set([Value::string("x"), Value::string("y")]);
/// let b = Value::set([Value::string("y"), Value::string("x"), Value::string("y")]);
/// assert_eq!(a, b);
/// ```
#[derive(Clone, Debug)]
pub enum Value {
    /// Null of whatever type the slot has.
    Null,
    /// Not known until apply; refinements (TF >= 1.6) are kept so they can be copied through.
    Unknown(Unknown),
    /// A known bool.
    Bool(bool),
    /// A known number.
    Number(Number),
    /// A known string.
    String(String),
    /// A known list (also a LIST block); elements may be null or unknown.
    List(Vec<Value>),
    /// Set elements, in wire order; sets never hold duplicates once decoded.
    Set(Vec<Value>),
    /// A known map (also a MAP block).
    Map(BTreeMap<String, Value>),
    /// A known object (also a block); codecs write exactly the type's attributes.
    Object(BTreeMap<String, Value>),
    /// A known tuple.
    Tuple(Vec<Value>),
    /// A value in a `dynamic` slot, travelling with its concrete type. The inner value may
    /// be null or unknown of that type.
    Dynamic(Box<Type>, Box<Value>),
}

/// An unknown value, with the refinements Terraform attached to it, if any.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Unknown {
    /// `None` for a wholly unknown value, as Terraform before 1.6 sends every unknown.
    pub refinements: Option<Refinements>,
}

/// What Terraform already knows about an unknown value (msgpack extension 12).
///
/// Equality compares the refinements, not `raw`. Encoders write `raw` unchanged while it
/// still says what the fields say, and rebuild the payload from the fields otherwise.
#[derive(Clone, Debug, Default)]
pub struct Refinements {
    /// `Some(false)`: definitely not null.
    pub nullable: Option<bool>,
    /// Known start of an unknown string.
    pub string_prefix: Option<String>,
    /// `(bound, inclusive)`.
    pub number_lower: Option<(Number, bool)>,
    /// `(bound, inclusive)`.
    pub number_upper: Option<(Number, bool)>,
    /// Least number of elements of an unknown list, set or map.
    pub length_min: Option<i64>,
    /// Greatest number of elements of an unknown list, set or map.
    pub length_max: Option<i64>,
    /// The extension payload exactly as received, so re-encoding is byte-for-byte faithful.
    pub raw: Vec<u8>,
}

impl PartialEq for Refinements {
    fn eq(&self, other: &Refinements) -> bool {
        self.nullable == other.nullable
            && self.string_prefix == other.string_prefix
            && self.number_lower == other.number_lower
            && self.number_upper == other.number_upper
            && self.length_min == other.length_min
            && self.length_max == other.length_max
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Unknown(a), Value::Unknown(b)) => a == b,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Number(a), Value::Number(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::List(a), Value::List(b)) | (Value::Tuple(a), Value::Tuple(b)) => a == b,
            (Value::Set(a), Value::Set(b)) => set::same_elements(a, b),
            (Value::Map(a), Value::Map(b)) | (Value::Object(a), Value::Object(b)) => a == b,
            (Value::Dynamic(t, v), Value::Dynamic(u, w)) => t == u && v == w,
            _ => false,
        }
    }
}

impl Value {
    /// A known string value.
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// A known integer value.
    ///
    /// ```
    /// use tpz::cty::{Number, Value};
    /// assert_eq!(Value::number(3), Value::Number(Number::Float(3.0)));
    /// ```
    pub fn number(n: i64) -> Value {
        Value::Number(Number::Int(n))
    }

    /// A known bool value.
    pub fn bool(b: bool) -> Value {
        Value::Bool(b)
    }

    /// A wholly unknown value without refinements.
    pub fn unknown() -> Value {
        Value::Unknown(Unknown::default())
    }

    /// A list value (also what a LIST block holds).
    pub fn list(items: impl IntoIterator<Item = Value>) -> Value {
        Value::List(items.into_iter().collect())
    }

    /// A set value; equal known elements merge, as Terraform merges them.
    ///
    /// ```
    /// use tpz::cty::Value;
    /// let s = Value::set([Value::number(1), Value::number(1), Value::number(2)]);
    /// assert_eq!(s.elements().map(<[_]>::len), Some(2));
    /// ```
    pub fn set(items: impl IntoIterator<Item = Value>) -> Value {
        Value::Set(set::dedupe(items.into_iter().collect()))
    }

    /// A map value from `(key, value)` pairs.
    pub fn map<I, S>(entries: I) -> Value
    where
        I: IntoIterator<Item = (S, Value)>,
        S: Into<String>,
    {
        Value::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// An object value from `(name, value)` pairs.
    pub fn object<I, S>(attributes: I) -> Value
    where
        I: IntoIterator<Item = (S, Value)>,
        S: Into<String>,
    {
        Value::Object(attributes.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// `value` in a `dynamic` slot, with the concrete type it travels with.
    ///
    /// ```
    /// use tpz::cty::{msgpack, Type, Value};
    /// let v = Value::dynamic(Type::String, Value::string("a"));
    /// assert_eq!(msgpack::encode(&v, &Type::Dynamic).unwrap(), b"\x92\xc4\x08\"string\"\xa1a");
    /// ```
    pub fn dynamic(ty: Type, value: Value) -> Value {
        Value::Dynamic(Box::new(ty), Box::new(value))
    }

    /// True for a (known) null.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// True for a wholly unknown value (not for a known value with unknowns inside).
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

    /// The number inside a known number value.
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The integer inside a known number value that is an integer in i64 range.
    ///
    /// ```
    /// use tpz::cty::{Number, Value};
    /// assert_eq!(Value::Number(Number::Float(8.0)).as_i64(), Some(8));
    /// assert_eq!(Value::string("8").as_i64(), None);
    /// ```
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::as_i64)
    }

    /// The elements of a known list, set or tuple.
    pub fn elements(&self) -> Option<&[Value]> {
        match self {
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => Some(v),
            _ => None,
        }
    }

    /// The type this value evidently has, for writing it into a `dynamic` slot: `None` when
    /// it is ambiguous (null, unknown, an empty collection or one of only nulls/unknowns).
    ///
    /// ```
    /// use tpz::cty::{Type, Value};
    /// let v = Value::list([Value::string("a"), Value::Null]);
    /// assert_eq!(v.implied_type(), Some(Type::list(Type::String)));
    /// assert_eq!(Value::list([]).implied_type(), None);
    /// ```
    pub fn implied_type(&self) -> Option<Type> {
        /// The one type all known elements share (nulls and unknowns fit any).
        fn element_type<'a>(items: impl Iterator<Item = &'a Value>) -> Option<Type> {
            let mut found: Option<Type> = None;
            for item in items {
                if matches!(item, Value::Null | Value::Unknown(_)) {
                    continue;
                }
                let ty = item.implied_type()?;
                match &found {
                    Some(t) if *t != ty => return None,
                    Some(_) => {}
                    None => found = Some(ty),
                }
            }
            found
        }
        match self {
            Value::Null | Value::Unknown(_) => None,
            Value::Bool(_) => Some(Type::Bool),
            Value::Number(_) => Some(Type::Number),
            Value::String(_) => Some(Type::String),
            Value::List(items) => element_type(items.iter()).map(Type::list),
            Value::Set(items) => element_type(items.iter()).map(Type::set),
            Value::Map(entries) => element_type(entries.values()).map(Type::map),
            Value::Tuple(items) => items
                .iter()
                .map(Value::implied_type)
                .collect::<Option<_>>()
                .map(Type::Tuple),
            Value::Object(entries) => entries
                .iter()
                .map(|(k, v)| Some((k.clone(), v.implied_type()?)))
                .collect::<Option<_>>()
                .map(Type::Object),
            Value::Dynamic(ty, _) => Some((**ty).clone()),
        }
    }

    /// What this value is, for error messages ("a string", "null", …).
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Unknown(_) => "an unknown value",
            Value::Bool(_) => "a bool",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::List(_) => "a list",
            Value::Set(_) => "a set",
            Value::Map(_) => "a map",
            Value::Object(_) => "an object",
            Value::Tuple(_) => "a tuple",
            Value::Dynamic(..) => "a dynamic value",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refinements_compare_without_their_raw_payload() {
        let a = Refinements {
            nullable: Some(false),
            raw: vec![0x81, 0x01, 0xc2],
            ..Refinements::default()
        };
        let b = Refinements {
            nullable: Some(false),
            ..Refinements::default()
        };
        assert_eq!(a, b);
        assert_ne!(a, Refinements::default());
    }

    #[test]
    fn implied_type_needs_every_part_to_be_evident() {
        let obj = Value::object([("a", Value::number(1)), ("b", Value::bool(true))]);
        assert_eq!(
            obj.implied_type(),
            Some(Type::object([("a", Type::Number), ("b", Type::Bool)]))
        );
        let with_null = Value::object([("a", Value::Null)]);
        assert_eq!(with_null.implied_type(), None);
        let mixed = Value::list([Value::number(1), Value::string("1")]);
        assert_eq!(mixed.implied_type(), None);
        let dynamic = Value::dynamic(Type::Bool, Value::Null);
        assert_eq!(dynamic.implied_type(), Some(Type::Bool));
    }

    #[test]
    fn typed_accessors_read_only_their_kind() {
        let list = Value::list([Value::number(1)]);
        assert_eq!(list.elements().map(<[_]>::len), Some(1));
        let map = Value::map([("k", Value::string("v"))]);
        assert!(map.as_number().is_none());
    }
}
