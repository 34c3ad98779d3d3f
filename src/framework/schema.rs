use std::collections::BTreeMap;

use crate::cty::{Type, Value};

/// The schema of a provider block, resource type or data source, with its state version.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Schema {
    /// Bumped when stored state needs upgrading; Terraform refuses state from a newer version.
    pub version: i64,
    /// The root block: the top-level attributes and nested blocks.
    pub block: Block,
}

/// A configuration block: attributes and nested blocks.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Block {
    /// The block's attributes, in the order the docs list them.
    pub attributes: Vec<Attribute>,
    /// Blocks nested inside this one (e.g. `timeouts`).
    pub blocks: Vec<NestedBlock>,
    /// Markdown, shown in `terraform providers schema -json` and the docs.
    pub description: String,
    /// Terraform warns when a configuration uses a deprecated block.
    pub deprecated: bool,
}

/// One attribute of a block.
#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    /// The name the user writes in configuration.
    pub name: String,
    /// The value type; Terraform converts configured values to it.
    pub ty: Type,
    /// Markdown.
    pub description: String,
    /// The user must set it; exclusive with `optional` and `computed`.
    pub required: bool,
    /// The user may set it; with `computed`, the provider fills it when left null.
    pub optional: bool,
    /// The provider sets it; unknown in a create plan unless the resource fills it.
    pub computed: bool,
    /// Redacted in plan output and marked sensitive in state.
    pub sensitive: bool,
    /// Terraform warns when a configuration sets a deprecated attribute.
    pub deprecated: bool,
    /// Framework-only: a change to this attribute replaces the object (reported as
    /// `requires_replace` in the plan). Never sent to Terraform as a schema flag.
    pub requires_replace: bool,
}

/// A nested block type inside a block.
#[derive(Clone, Debug, PartialEq)]
pub struct NestedBlock {
    /// The block's name in configuration, e.g. `timeouts`.
    pub type_name: String,
    /// The attributes and blocks inside the nested block.
    pub block: Block,
    /// How the block may repeat.
    pub nesting: Nesting,
    /// Fewest occurrences Terraform accepts; 0 when the block may be left out.
    pub min_items: i64,
    /// Most occurrences Terraform accepts; 0 for no limit.
    pub max_items: i64,
}

/// How a nested block repeats. SINGLE is absent as null; LIST/SET/MAP as empty collections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    /// At most one occurrence; null when absent.
    Single,
    /// Exactly one occurrence, always present; its attributes are null when not written.
    Group,
    /// An ordered list of occurrences.
    List,
    /// An unordered set of occurrences; identical ones merge.
    Set,
    /// Occurrences keyed by label, e.g. `block "name" {}`.
    Map,
}

impl Attribute {
    /// A required attribute of type `ty`.
    pub fn required(name: impl Into<String>, ty: Type, description: impl Into<String>) -> Self {
        Attribute {
            name: name.into(),
            ty,
            description: description.into(),
            required: true,
            optional: false,
            computed: false,
            sensitive: false,
            deprecated: false,
            requires_replace: false,
        }
    }

    /// An optional attribute of type `ty`.
    pub fn optional(name: impl Into<String>, ty: Type, description: impl Into<String>) -> Self {
        Attribute {
            required: false,
            optional: true,
            ..Attribute::required(name, ty, description)
        }
    }

    /// A computed-only attribute of type `ty`.
    pub fn computed(name: impl Into<String>, ty: Type, description: impl Into<String>) -> Self {
        Attribute {
            required: false,
            computed: true,
            ..Attribute::required(name, ty, description)
        }
    }

    /// Marks the attribute sensitive.
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    /// Marks the attribute as forcing replacement when it changes.
    pub fn requires_replace(mut self) -> Self {
        self.requires_replace = true;
        self
    }

    /// Also computed (optional + computed: the provider fills it when config leaves it null).
    pub fn also_computed(mut self) -> Self {
        self.computed = true;
        self
    }
}

impl Block {
    /// The cty object type of values of this block: one key per attribute and per block type.
    pub fn value_type(&self) -> Type {
        let mut attrs: BTreeMap<String, Type> = self
            .attributes
            .iter()
            .map(|a| (a.name.clone(), a.ty.clone()))
            .collect();
        for b in &self.blocks {
            let inner = b.block.value_type();
            let t = match b.nesting {
                Nesting::Single | Nesting::Group => inner,
                Nesting::List => Type::list(inner),
                Nesting::Set => Type::set(inner),
                Nesting::Map => Type::map(inner),
            };
            attrs.insert(b.type_name.clone(), t);
        }
        Type::Object(attrs)
    }

    /// Looks up an attribute by name.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// Looks up a nested block type by name.
    pub fn nested(&self, name: &str) -> Option<&NestedBlock> {
        self.blocks.iter().find(|b| b.type_name == name)
    }

    /// Fills keys missing from an object value (null attributes, empty or null blocks by
    /// nesting mode) and drops keys the schema does not have, so the value carries exactly
    /// the schema's keys, as Terraform's decoder demands.
    pub fn normalize(&self, value: Value) -> Value {
        let Value::Object(mut m) = value else {
            return value;
        };
        let mut out = BTreeMap::new();
        for a in &self.attributes {
            out.insert(a.name.clone(), m.remove(&a.name).unwrap_or(Value::Null));
        }
        for b in &self.blocks {
            let v = m.remove(&b.type_name).unwrap_or(Value::Null);
            let v = match (b.nesting, v) {
                (Nesting::List | Nesting::Set, Value::Null) => match b.nesting {
                    Nesting::Set => Value::Set(Vec::new()),
                    _ => Value::List(Vec::new()),
                },
                (Nesting::Map, Value::Null) => Value::Map(BTreeMap::new()),
                (Nesting::List, Value::List(items)) => {
                    Value::List(items.into_iter().map(|i| b.block.normalize(i)).collect())
                }
                (Nesting::Set, Value::Set(items)) => {
                    Value::Set(items.into_iter().map(|i| b.block.normalize(i)).collect())
                }
                (Nesting::Map, Value::Map(items)) => Value::Map(
                    items
                        .into_iter()
                        .map(|(k, i)| (k, b.block.normalize(i)))
                        .collect(),
                ),
                (Nesting::Single | Nesting::Group, v @ Value::Object(_)) => b.block.normalize(v),
                (_, other) => other,
            };
            out.insert(b.type_name.clone(), v);
        }
        Value::Object(out)
    }
}
