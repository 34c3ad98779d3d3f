//! The types a provider serves, looked up by name, each with its schema computed once.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::list::ListType;
use super::{
    Context, DataSource, Diagnostic, Diagnostics, IdentitySchema, Provider, Resource, Schema,
};
use crate::cty::{Type, Value};

/// A provider with its schemas taken once, so every RPC can be served in a process that
/// never received GetSchema (Terraform ≥ 1.6 skips it when it has the schemas cached).
pub struct Registry {
    provider: Arc<dyn Provider>,
    provider_schema: Schema,
    provider_type: Type,
    resources: BTreeMap<&'static str, Arc<ResourceType>>,
    list_resources: BTreeMap<&'static str, ListType>,
    data_sources: BTreeMap<&'static str, DataSourceType>,
}

/// A managed resource type with its schema; the plan/apply/read/import engine runs here.
pub struct ResourceType {
    pub(crate) resource: Arc<dyn Resource>,
    pub(crate) schema: Schema,
    pub(crate) value_type: Type,
    /// The identity schema and its object type, for resources that have an identity.
    pub(crate) identity: Option<(IdentitySchema, Type)>,
    /// The types whose objects `moved` blocks may hand to this one.
    pub(crate) move_sources: Vec<super::MoveSource>,
}

/// A data source type with its schema.
pub struct DataSourceType {
    pub(crate) data_source: Arc<dyn DataSource>,
    pub(crate) schema: Schema,
    pub(crate) value_type: Type,
}

impl Registry {
    /// Asks `provider` for its schema and types, once.
    pub fn new(provider: Arc<dyn Provider>) -> Self {
        let provider_schema = provider.schema();
        let resources = provider
            .resources()
            .into_iter()
            .map(|r| {
                let schema = r.schema();
                let value_type = schema.block.value_type();
                let identity = r.identity_schema().map(|s| {
                    let ty = s.value_type();
                    (s, ty)
                });
                let move_sources = r.move_sources();
                (
                    r.type_name(),
                    Arc::new(ResourceType {
                        resource: r,
                        schema,
                        value_type,
                        identity,
                        move_sources,
                    }),
                )
            })
            .collect();
        let data_sources = provider
            .data_sources()
            .into_iter()
            .map(|d| {
                let schema = d.schema();
                let value_type = schema.block.value_type();
                (
                    d.type_name(),
                    DataSourceType {
                        data_source: d,
                        schema,
                        value_type,
                    },
                )
            })
            .collect();
        let list_resources = provider
            .list_resources()
            .into_iter()
            .map(|l| {
                let schema = l.schema();
                let value_type = schema.block.value_type();
                (
                    l.type_name(),
                    ListType {
                        list: l,
                        schema,
                        value_type,
                    },
                )
            })
            .collect();
        Registry {
            list_resources,
            provider_type: provider_schema.block.value_type(),
            provider,
            provider_schema,
            resources,
            data_sources,
        }
    }

    /// The provider, for the provider-level RPCs.
    pub fn provider(&self) -> &dyn Provider {
        self.provider.as_ref()
    }

    /// The schema of the `provider` block.
    pub fn provider_schema(&self) -> &Schema {
        &self.provider_schema
    }

    /// The cty type of the `provider` block, for decoding its configuration.
    pub fn provider_type(&self) -> &Type {
        &self.provider_type
    }

    /// Every resource type, by name.
    pub fn resources(&self) -> impl Iterator<Item = &ResourceType> {
        self.resources.values().map(|r| r.as_ref())
    }

    /// Every list resource type, by name.
    pub fn list_resources(&self) -> impl Iterator<Item = (&'static str, &ListType)> {
        self.list_resources.iter().map(|(n, l)| (*n, l))
    }

    /// The list resource `name` and the managed type it lists, or an error naming it.
    pub fn list_resource(&self, name: &str) -> Result<(&ListType, Arc<ResourceType>), Diagnostic> {
        let known = || self.list_resources.keys();
        let list = self
            .list_resources
            .get(name)
            .ok_or_else(|| unknown_type("list resource", name, known()))?;
        let rt = self
            .resources
            .get(name)
            .cloned()
            .ok_or_else(|| unknown_type("resource", name, self.resources.keys()))?;
        Ok((list, rt))
    }

    /// Every data source type, by name.
    pub fn data_sources(&self) -> impl Iterator<Item = &DataSourceType> {
        self.data_sources.values()
    }

    /// The resource type `name`, or an error naming it and the types this provider has.
    pub fn resource(&self, name: &str) -> Result<&ResourceType, Diagnostic> {
        self.resources
            .get(name)
            .map(|r| r.as_ref())
            .ok_or_else(|| unknown_type("resource", name, self.resources.keys()))
    }

    /// The data source type `name`, or an error naming it and the types this provider has.
    pub fn data_source(&self, name: &str) -> Result<&DataSourceType, Diagnostic> {
        self.data_sources
            .get(name)
            .ok_or_else(|| unknown_type("data source", name, self.data_sources.keys()))
    }
}

fn unknown_type<'a>(
    what: &str,
    name: &str,
    known: impl Iterator<Item = &'a &'static str>,
) -> Diagnostic {
    let known: Vec<&str> = known.copied().collect();
    let known = if known.is_empty() {
        format!("It has no {what} types.")
    } else {
        format!("Its {what} types are: {}.", known.join(", "))
    };
    Diagnostic::error(
        format!("Unknown {what} type"),
        format!(
            "This provider has no {what} type \"{name}\". {known} Check the type name in your \
             configuration, or whether your Terraform state was written by a different provider."
        ),
    )
}

impl ResourceType {
    /// The type name, e.g. `zenlayer_nic_attachment`.
    pub fn type_name(&self) -> &'static str {
        self.resource.type_name()
    }

    /// The schema, as taken once from the resource.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The cty object type of this resource's values.
    pub fn value_type(&self) -> &Type {
        &self.value_type
    }

    /// ValidateResourceTypeConfig: the resource's offline checks.
    pub async fn validate(&self, ctx: &Context, config: &Value) -> Diagnostics {
        self.resource.validate(ctx, config).await
    }
}

impl DataSourceType {
    /// The type name.
    pub fn type_name(&self) -> &'static str {
        self.data_source.type_name()
    }

    /// The schema, as taken once from the data source.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The cty object type of this data source's values.
    pub fn value_type(&self) -> &Type {
        &self.value_type
    }

    /// ValidateDataSourceConfig: the data source's offline checks.
    pub async fn validate(&self, ctx: &Context, config: &Value) -> Diagnostics {
        self.data_source.validate(ctx, config).await
    }
}
