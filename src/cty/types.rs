use std::collections::BTreeMap;

/// A cty type: what a schema attribute holds, and what a `dynamic` value carries on the wire.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Type {
    /// `"bool"`.
    Bool,
    /// `"number"`: arbitrary precision, see [`super::Number`].
    Number,
    /// `"string"`: UTF-8 text.
    String,
    /// Any type; values in a dynamic slot travel with their concrete type.
    Dynamic,
    /// `["list",T]`: ordered elements of one type.
    List(Box<Type>),
    /// `["set",T]`: unordered distinct elements of one type.
    Set(Box<Type>),
    /// `["map",T]`: string keys to elements of one type.
    Map(Box<Type>),
    /// `["object",{…}]`: a fixed set of named attributes, each with its own type.
    Object(BTreeMap<String, Type>),
    /// `["tuple",[…]]`: a fixed sequence of elements, each with its own type.
    Tuple(Vec<Type>),
}

/// Why a type JSON document (as in schema attributes) could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid cty type JSON: {0}")]
pub struct TypeJsonError(pub String);

impl Type {
    /// How deep type JSON may nest; real schemas stay far below.
    pub const MAX_DEPTH: usize = 64;

    /// Shorthand for list(T), as schemas spell it.
    pub fn list(element: Type) -> Type {
        Type::List(Box::new(element))
    }

    /// Shorthand for set(T).
    pub fn set(element: Type) -> Type {
        Type::Set(Box::new(element))
    }

    /// Shorthand for map(T).
    pub fn map(element: Type) -> Type {
        Type::Map(Box::new(element))
    }

    /// Shorthand for an object type from `(name, type)` pairs.
    pub fn object<I, S>(attributes: I) -> Type
    where
        I: IntoIterator<Item = (S, Type)>,
        S: Into<String>,
    {
        Type::Object(attributes.into_iter().map(|(k, t)| (k.into(), t)).collect())
    }

    /// The type JSON Terraform expects in `Schema.Attribute.type`, e.g. `["list","string"]`.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(&self.to_json_value()).unwrap_or_default()
    }

    /// The type JSON as a `serde_json::Value`, for embedding in larger documents.
    pub fn to_json_value(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Type::Bool => J::from("bool"),
            Type::Number => J::from("number"),
            Type::String => J::from("string"),
            Type::Dynamic => J::from("dynamic"),
            Type::List(t) => J::Array(vec![J::from("list"), t.to_json_value()]),
            Type::Set(t) => J::Array(vec![J::from("set"), t.to_json_value()]),
            Type::Map(t) => J::Array(vec![J::from("map"), t.to_json_value()]),
            Type::Object(attrs) => J::Array(vec![
                J::from("object"),
                J::Object(
                    attrs
                        .iter()
                        .map(|(k, t)| (k.clone(), t.to_json_value()))
                        .collect(),
                ),
            ]),
            Type::Tuple(elems) => J::Array(vec![
                J::from("tuple"),
                J::Array(elems.iter().map(Type::to_json_value).collect()),
            ]),
        }
    }

    /// Reads type JSON as Terraform writes it (the `dynamic` wrapper's first element).
    ///
    /// ```
    /// use tpz::cty::Type;
    /// let ty = Type::from_json(br#"["object",{"k":"string","n":"number"}]"#).unwrap();
    /// assert_eq!(ty, Type::object([("k", Type::String), ("n", Type::Number)]));
    /// assert_eq!(ty.to_json(), br#"["object",{"k":"string","n":"number"}]"#);
    /// ```
    pub fn from_json(bytes: &[u8]) -> Result<Type, TypeJsonError> {
        let v: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| TypeJsonError(e.to_string()))?;
        Type::from_json_value(&v)
    }

    /// Reads type JSON from an already parsed document. Types nest at most
    /// [`Type::MAX_DEPTH`] deep, which bounds the work a decoder does for a `dynamic` value.
    pub fn from_json_value(v: &serde_json::Value) -> Result<Type, TypeJsonError> {
        Type::from_json_at(v, 0)
    }

    fn from_json_at(v: &serde_json::Value, depth: usize) -> Result<Type, TypeJsonError> {
        use serde_json::Value as J;
        if depth >= Type::MAX_DEPTH {
            return Err(TypeJsonError(format!(
                "types nest more than {} levels deep",
                Type::MAX_DEPTH
            )));
        }
        let inner = |t: &J| Type::from_json_at(t, depth + 1);
        let bad = |what: &str| TypeJsonError(format!("{what}: {v}"));
        match v {
            J::String(s) => match s.as_str() {
                "bool" => Ok(Type::Bool),
                "number" => Ok(Type::Number),
                "string" => Ok(Type::String),
                "dynamic" => Ok(Type::Dynamic),
                _ => Err(bad("unknown primitive type")),
            },
            J::Array(parts) => {
                let kind = parts
                    .first()
                    .and_then(J::as_str)
                    .ok_or_else(|| bad("type array must start with a kind"))?;
                let arg = parts
                    .get(1)
                    .ok_or_else(|| bad("type array lacks its argument"))?;
                match kind {
                    "list" | "set" | "map" if parts.len() == 2 => {
                        let t = Box::new(inner(arg)?);
                        Ok(match kind {
                            "list" => Type::List(t),
                            "set" => Type::Set(t),
                            _ => Type::Map(t),
                        })
                    }
                    // A third element lists optional attribute names; it does not change the shape.
                    "object" if parts.len() == 2 || parts.len() == 3 => {
                        let attrs = arg
                            .as_object()
                            .ok_or_else(|| bad("object type needs a map"))?;
                        let mut out = BTreeMap::new();
                        for (k, t) in attrs {
                            out.insert(k.clone(), inner(t)?);
                        }
                        Ok(Type::Object(out))
                    }
                    "tuple" if parts.len() == 2 => {
                        let elems = arg
                            .as_array()
                            .ok_or_else(|| bad("tuple type needs a list"))?;
                        Ok(Type::Tuple(
                            elems.iter().map(inner).collect::<Result<_, _>>()?,
                        ))
                    }
                    _ => Err(bad("unknown type kind")),
                }
            }
            _ => Err(bad("type must be a string or an array")),
        }
    }

    /// What a value of this type must be, for error messages ("string is required").
    pub(crate) fn expected(&self) -> &'static str {
        match self {
            Type::Bool => "bool",
            Type::Number => "number",
            Type::String => "string",
            Type::Dynamic => "a value",
            Type::List(_) => "a list",
            Type::Set(_) => "a set",
            Type::Map(_) => "a map",
            Type::Object(_) => "an object",
            Type::Tuple(_) => "a tuple",
        }
    }
}
