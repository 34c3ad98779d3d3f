use std::collections::BTreeMap;

/// A cty type: what a schema attribute holds, and what a `dynamic` value carries on the wire.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Type {
    Bool,
    Number,
    String,
    /// Any type; values in a dynamic slot travel with their concrete type.
    Dynamic,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object(BTreeMap<String, Type>),
    Tuple(Vec<Type>),
}

/// Why a type JSON document (as in schema attributes) could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid cty type JSON: {0}")]
pub struct TypeJsonError(pub String);

impl Type {
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
    pub fn from_json(bytes: &[u8]) -> Result<Type, TypeJsonError> {
        let v: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| TypeJsonError(e.to_string()))?;
        Type::from_json_value(&v)
    }

    /// Reads type JSON from an already parsed document.
    pub fn from_json_value(v: &serde_json::Value) -> Result<Type, TypeJsonError> {
        use serde_json::Value as J;
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
                        let t = Box::new(Type::from_json_value(arg)?);
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
                            out.insert(k.clone(), Type::from_json_value(t)?);
                        }
                        Ok(Type::Object(out))
                    }
                    "tuple" if parts.len() == 2 => {
                        let elems = arg
                            .as_array()
                            .ok_or_else(|| bad("tuple type needs a list"))?;
                        Ok(Type::Tuple(
                            elems
                                .iter()
                                .map(Type::from_json_value)
                                .collect::<Result<_, _>>()?,
                        ))
                    }
                    _ => Err(bad("unknown type kind")),
                }
            }
            _ => Err(bad("type must be a string or an array")),
        }
    }
}
