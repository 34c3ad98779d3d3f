//! `zenlayercloud-standin`: a stand-in for the official provider `zenlayer/zenlayercloud`, for
//! the migration tests and the migration guide's test, which cannot download it.
//!
//! Built on this project's framework, it serves the official schema of
//! `zenlayercloud_zec_vnic_attachment` (`vnic_id`, `instance_id`, computed `id`, schema
//! version 0), and, for the guide's side-by-side configuration, the arguments of
//! `zenlayercloud_zec_vnic` and `zenlayercloud_zec_instance` that the guide uses. It calls no
//! API: a refresh returns the stored object as it is, a plan with no change passes, and
//! anything that would write (create, update, delete, import) fails saying it is a stand-in,
//! so it can never pretend to have changed real infrastructure. Tests write the state it
//! manages the way the official provider writes it.
//!
//! Terraform finds it as `zenlayer/zenlayercloud` through `dev_overrides` pointing at a
//! directory where it is linked as `terraform-provider-zenlayercloud` (see
//! `tests/support/official.rs`).

use std::process::ExitCode;
use std::sync::Arc;

use async_trait::async_trait;
use tpz::cty::{Type, Value};
use tpz::framework::{
    ApplyOutcome, Attribute, Block, ConfigureRequest, Context, CreateRequest, DeleteRequest,
    Diagnostic, Diagnostics, Provider, ReadOutcome, ReadRequest, ReadResult, Resource, Schema,
    UpdateRequest,
};
use tpz::plugin::{self, Mode};

fn main() -> ExitCode {
    plugin::run(Arc::new(StandIn), Mode::Terraform)
}

/// The provider: the official provider block's arguments, all optional, none used.
struct StandIn;

#[async_trait]
impl Provider for StandIn {
    fn schema(&self) -> Schema {
        let optional = |name: &str| Attribute::optional(name, Type::String, "Ignored.");
        schema(
            0,
            vec![
                optional("access_key_id"),
                optional("access_key_password").sensitive(),
                optional("domain"),
                optional("scheme"),
                Attribute::optional("client_timeout", Type::Number, "Ignored."),
            ],
        )
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![
            Arc::new(Official {
                type_name: "zenlayercloud_zec_vnic_attachment",
                attributes: || {
                    vec![
                        Attribute::required("vnic_id", Type::String, "The ID of the vNIC.")
                            .requires_replace(),
                        Attribute::required(
                            "instance_id",
                            Type::String,
                            "The ID of a ZEC instance.",
                        )
                        .requires_replace(),
                    ]
                },
            }),
            Arc::new(Official {
                type_name: "zenlayercloud_zec_vnic",
                attributes: || {
                    vec![
                        Attribute::required("subnet_id", Type::String, "The subnet.")
                            .requires_replace(),
                        Attribute::optional("name", Type::String, "The vNIC's name."),
                        Attribute::optional("security_group_id", Type::String, "Its group."),
                        Attribute::computed("primary_ipv4", Type::String, "Its address."),
                    ]
                },
            }),
            Arc::new(Official {
                type_name: "zenlayercloud_zec_instance",
                attributes: || {
                    vec![
                        Attribute::required("availability_zone", Type::String, "The zone.")
                            .requires_replace(),
                        Attribute::required("instance_type", Type::String, "The size.")
                            .requires_replace(),
                        Attribute::required("image_id", Type::String, "The image.")
                            .requires_replace(),
                        Attribute::required("subnet_id", Type::String, "The subnet.")
                            .requires_replace(),
                        Attribute::optional("instance_name", Type::String, "The name."),
                    ]
                },
            }),
        ]
    }

    async fn validate(&self, _ctx: &Context, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    async fn configure(&self, _ctx: &Context, _req: ConfigureRequest) -> Diagnostics {
        Diagnostics::new()
    }
}

/// A schema of version `version` with a computed `id` and `attributes`.
fn schema(version: i64, attributes: Vec<Attribute>) -> Schema {
    Schema {
        version,
        block: Block {
            description: "A stand-in for the official Zenlayer provider; it calls no API.".into(),
            attributes,
            blocks: Vec::new(),
            deprecated: false,
        },
    }
}

/// One official resource type: stored objects are kept as they are; writes are refused.
struct Official {
    type_name: &'static str,
    attributes: fn() -> Vec<Attribute>,
}

impl Official {
    fn refused(&self, what: &str, state: Value) -> ApplyOutcome {
        ApplyOutcome {
            new_state: state,
            private: Vec::new(),
            diagnostics: Diagnostic::error(
                "The official provider is only a stand-in here",
                format!(
                    "zenlayercloud-standin cannot {what} a {}: it serves the official schema \
                     for tests and calls no API.",
                    self.type_name
                ),
            )
            .into(),
        }
    }
}

#[async_trait]
impl Resource for Official {
    fn type_name(&self) -> &'static str {
        self.type_name
    }

    fn schema(&self) -> Schema {
        let mut attributes = vec![Attribute::computed("id", Type::String, "The ID.")];
        attributes.extend((self.attributes)());
        schema(0, attributes)
    }

    async fn read(&self, _ctx: &Context, req: ReadRequest) -> ReadResult {
        ReadResult {
            outcome: ReadOutcome::Present(req.state),
            private: req.private,
            diagnostics: Diagnostics::new(),
        }
    }

    async fn create(&self, _ctx: &Context, _req: CreateRequest) -> ApplyOutcome {
        self.refused("create", Value::Null)
    }

    async fn update(&self, _ctx: &Context, req: UpdateRequest) -> ApplyOutcome {
        self.refused("update", req.prior_state)
    }

    async fn delete(&self, _ctx: &Context, req: DeleteRequest) -> ApplyOutcome {
        self.refused("delete", req.prior_state)
    }
}
