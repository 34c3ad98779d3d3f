use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, OnceLock};

use futures_util::FutureExt;
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};
use tracing::{Instrument, Span};

use super::convert::{self, Reply};
use super::proto;
use crate::cty::Value;
use crate::framework::{self, Context, Diagnostic, Diagnostics, Provider, ReadOutcome, Registry};

/// Serves a framework [`Provider`] as Terraform's tfplugin5 `Provider` gRPC service.
pub struct ProviderService {
    provider: Arc<dyn Provider>,
    stop: CancellationToken,
    /// Schemas and types, taken from the provider on first use by any RPC (Terraform may
    /// never send GetSchema to this process).
    registry: OnceLock<Registry>,
}

/// What every handler returns: the reply, or diagnostics that become an otherwise empty one.
type Outcome<R> = Result<R, Diagnostics>;

impl ProviderService {
    /// Wraps `provider`; `stop` is cancelled by the Stop RPC and on shutdown.
    pub fn new(provider: Arc<dyn Provider>, stop: CancellationToken) -> Self {
        ProviderService {
            provider,
            stop,
            registry: OnceLock::new(),
        }
    }

    /// The tonic server for this service, with message limits raised to 256 MiB.
    pub fn into_server(self) -> proto::provider_server::ProviderServer<Self> {
        // Terraform's client accepts messages this large, and a schema or state over tonic's
        // 4 MiB default would otherwise fail with a transport error no user could act on.
        const MAX: usize = 256 << 20;
        proto::provider_server::ProviderServer::new(self)
            .max_decoding_message_size(MAX)
            .max_encoding_message_size(MAX)
    }

    fn registry(&self) -> &Registry {
        self.registry
            .get_or_init(|| Registry::new(Arc::clone(&self.provider)))
    }

    fn context(&self) -> Context {
        Context::new(self.stop.clone())
    }

    /// Runs one handler body in its span, turning diagnostics-only failures and panics into
    /// replies: a gRPC error would reach the user as an unreadable "Plugin error".
    async fn serve<R: Reply>(
        &self,
        rpc: &'static str,
        span: Span,
        body: impl Future<Output = Outcome<R>>,
    ) -> Result<Response<R>, Status> {
        let reply = async {
            tracing::debug!("received request");
            let reply = match AssertUnwindSafe(body).catch_unwind().await {
                Ok(Ok(reply)) => reply,
                Ok(Err(diags)) => R::with_diagnostics(convert::diagnostics(diags)),
                Err(panic) => {
                    let message = panic_message(&*panic);
                    tracing::error!(panic = %message, "handler panicked");
                    R::with_diagnostics(convert::diagnostics(internal_error(rpc, &message).into()))
                }
            };
            log_reply(reply.diagnostics());
            reply
        }
        .instrument(span)
        .await;
        Ok(Response::new(reply))
    }
}

/// Diagnostics never carry secrets (a provider rule), so their summaries may be logged.
fn log_reply(diagnostics: &[proto::Diagnostic]) {
    let is_error = |d: &&proto::Diagnostic| d.severity == proto::diagnostic::Severity::Error as i32;
    let errors: Vec<&str> = diagnostics
        .iter()
        .filter(is_error)
        .map(|d| d.summary.as_str())
        .collect();
    let warnings = diagnostics.len() - errors.len();
    if errors.is_empty() {
        tracing::debug!(warnings, "sending response");
    } else {
        tracing::debug!(warnings, errors = ?errors, "sending response with errors");
    }
}

fn span(rpc: &'static str, type_name: &str) -> Span {
    tracing::info_span!("rpc", rpc, type_name)
}

fn internal_error(rpc: &str, message: &str) -> Diagnostic {
    Diagnostic::error(
        "Provider internal error",
        format!(
            "The provider failed unexpectedly while handling {rpc}: {message}. If this \
             happened during an apply, the remote object may already have changed; run \
             `terraform plan` to see where things stand. This is a bug in the provider; please \
             report it to the provider developers with the command you ran and the provider's \
             log (TF_LOG_PROVIDER=DEBUG)."
        ),
    )
}

/// The answer to a request for a kind of type this provider does not have (ephemeral
/// resources, actions, functions, list resources of a type it cannot list): Terraform shows it
/// as an error at the block that asked, instead of an opaque gRPC failure.
fn no_such(kind: &str, name: &str) -> Diagnostic {
    Diagnostic::error(
        format!("Unsupported {kind}"),
        format!(
            "This provider has no {kind} named \"{name}\". Check the type name in your \
             configuration, or whether it belongs to a different provider."
        ),
    )
}

/// A one-message stream, for the streaming RPCs' answers that are known at once.
fn once<T: Send + 'static>(item: T) -> BoxStream<T> {
    Box::pin(futures_util::stream::iter([Ok(item)]))
}

/// What tonic's generated server trait expects a streaming RPC to return.
type BoxStream<T> =
    std::pin::Pin<Box<dyn futures_util::Stream<Item = Result<T, Status>> + Send + 'static>>;

fn panic_message(panic: &(dyn Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_string()
    }
}

#[tonic::async_trait]
impl proto::provider_server::Provider for ProviderService {
    async fn get_metadata(
        &self,
        _: Request<proto::get_metadata::Request>,
    ) -> Result<Response<proto::get_metadata::Response>, Status> {
        self.serve("GetMetadata", span("GetMetadata", ""), async {
            Ok(convert::get_metadata_response(self.registry()))
        })
        .await
    }

    async fn get_schema(
        &self,
        _: Request<proto::get_provider_schema::Request>,
    ) -> Result<Response<proto::get_provider_schema::Response>, Status> {
        self.serve("GetSchema", span("GetSchema", ""), async {
            Ok(convert::get_provider_schema_response(self.registry()))
        })
        .await
    }

    async fn get_resource_identity_schemas(
        &self,
        _: Request<proto::get_resource_identity_schemas::Request>,
    ) -> Result<Response<proto::get_resource_identity_schemas::Response>, Status> {
        self.serve(
            "GetResourceIdentitySchemas",
            span("GetResourceIdentitySchemas", ""),
            async { Ok(convert::identity_schemas_response(self.registry())) },
        )
        .await
    }

    async fn prepare_provider_config(
        &self,
        request: Request<proto::prepare_provider_config::Request>,
    ) -> Result<Response<proto::prepare_provider_config::Response>, Status> {
        let req = request.into_inner();
        self.serve(
            "PrepareProviderConfig",
            span("PrepareProviderConfig", ""),
            async {
                let registry = self.registry();
                let config = convert::value(
                    req.config.as_ref(),
                    registry.provider_type(),
                    "provider configuration",
                )?;
                let diags = registry.provider().validate(&self.context(), &config).await;
                Ok(convert::prepare_provider_config_response(req.config, diags))
            },
        )
        .await
    }

    async fn configure(
        &self,
        request: Request<proto::configure::Request>,
    ) -> Result<Response<proto::configure::Response>, Status> {
        let req = request.into_inner();
        self.serve("Configure", span("Configure", ""), async {
            let registry = self.registry();
            let req = convert::configure_request(req, registry.provider_type())?;
            let diags = registry.provider().configure(&self.context(), req).await;
            Ok(proto::configure::Response::with_diagnostics(
                convert::diagnostics(diags),
            ))
        })
        .await
    }

    async fn validate_resource_type_config(
        &self,
        request: Request<proto::validate_resource_type_config::Request>,
    ) -> Result<Response<proto::validate_resource_type_config::Response>, Status> {
        let req = request.into_inner();
        let span = span("ValidateResourceTypeConfig", &req.type_name);
        self.serve("ValidateResourceTypeConfig", span, async {
            let rt = self.registry().resource(&req.type_name)?;
            let config = convert::value(req.config.as_ref(), rt.value_type(), "configuration")?;
            let diags = rt.validate(&self.context(), &config).await;
            Ok(Reply::with_diagnostics(convert::diagnostics(diags)))
        })
        .await
    }

    async fn validate_data_source_config(
        &self,
        request: Request<proto::validate_data_source_config::Request>,
    ) -> Result<Response<proto::validate_data_source_config::Response>, Status> {
        let req = request.into_inner();
        let span = span("ValidateDataSourceConfig", &req.type_name);
        self.serve("ValidateDataSourceConfig", span, async {
            let ds = self.registry().data_source(&req.type_name)?;
            let config = convert::value(req.config.as_ref(), ds.value_type(), "configuration")?;
            let diags = ds.validate(&self.context(), &config).await;
            Ok(Reply::with_diagnostics(convert::diagnostics(diags)))
        })
        .await
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<proto::upgrade_resource_state::Request>,
    ) -> Result<Response<proto::upgrade_resource_state::Response>, Status> {
        let req = request.into_inner();
        let span = span("UpgradeResourceState", &req.type_name);
        self.serve("UpgradeResourceState", span, async {
            let rt = self.registry().resource(&req.type_name)?;
            let req = convert::upgrade_request(req)?;
            let out = rt.upgrade(&self.context(), req).await;
            Ok(convert::upgrade_response(out, rt.value_type()))
        })
        .await
    }

    async fn read_resource(
        &self,
        request: Request<proto::read_resource::Request>,
    ) -> Result<Response<proto::read_resource::Response>, Status> {
        let req = request.into_inner();
        let span = span("ReadResource", &req.type_name);
        self.serve("ReadResource", span, async {
            let rt = self.registry().resource(&req.type_name)?;
            let prior = convert::identity(
                req.current_identity.as_ref(),
                rt,
                "current identity of ReadResource",
            )?;
            let req = convert::read_request(req, rt.value_type())?;
            let out = rt.read(&self.context(), req).await;
            let state = match &out.outcome {
                ReadOutcome::Present(v) => v.clone(),
                ReadOutcome::Gone => Value::Null,
            };
            let mut diags = Diagnostics::new();
            let identity = rt.identity_after_read(prior, &state, &mut diags);
            let mut reply = convert::read_response(out, rt.value_type());
            reply.new_identity = convert::identity_data(identity, rt, &mut diags);
            reply.diagnostics.extend(convert::diagnostics(diags));
            Ok(reply)
        })
        .await
    }

    async fn plan_resource_change(
        &self,
        request: Request<proto::plan_resource_change::Request>,
    ) -> Result<Response<proto::plan_resource_change::Response>, Status> {
        let req = request.into_inner();
        let span = span("PlanResourceChange", &req.type_name);
        self.serve("PlanResourceChange", span, async {
            let rt = self.registry().resource(&req.type_name)?;
            let prior = convert::identity(
                req.prior_identity.as_ref(),
                rt,
                "prior identity of PlanResourceChange",
            )?;
            let req = convert::plan_request(req, rt.value_type())?;
            let creates = req.prior_state.is_null();
            let out = rt.plan(&self.context(), req).await;
            let new_object = creates || !out.requires_replace.is_empty();
            let mut diags = Diagnostics::new();
            let identity = if out.diagnostics.has_errors() {
                None
            } else {
                rt.identity_for_plan(prior, &out.planned_state, new_object, &mut diags)
            };
            let mut reply = convert::plan_response(out, rt.value_type());
            reply.planned_identity = convert::identity_data(identity, rt, &mut diags);
            reply.diagnostics.extend(convert::diagnostics(diags));
            Ok(reply)
        })
        .await
    }

    async fn apply_resource_change(
        &self,
        request: Request<proto::apply_resource_change::Request>,
    ) -> Result<Response<proto::apply_resource_change::Response>, Status> {
        let req = request.into_inner();
        let span = span("ApplyResourceChange", &req.type_name);
        self.serve("ApplyResourceChange", span, async {
            let rt = self.registry().resource(&req.type_name)?;
            let planned = convert::identity(
                req.planned_identity.as_ref(),
                rt,
                "planned identity of ApplyResourceChange",
            )?;
            let req = convert::apply_request(req, rt.value_type())?;
            let out = rt.apply(&self.context(), req).await;
            let mut diags = Diagnostics::new();
            let identity = rt.identity_after_apply(planned, &out.new_state, &mut diags);
            let mut reply = convert::apply_response(out, rt.value_type());
            reply.new_identity = convert::identity_data(identity, rt, &mut diags);
            reply.diagnostics.extend(convert::diagnostics(diags));
            Ok(reply)
        })
        .await
    }

    async fn import_resource_state(
        &self,
        request: Request<proto::import_resource_state::Request>,
    ) -> Result<Response<proto::import_resource_state::Response>, Status> {
        let req = request.into_inner();
        let span = span("ImportResourceState", &req.type_name);
        self.serve("ImportResourceState", span, async {
            let rt = self.registry().resource(&req.type_name)?;
            let given =
                convert::identity(req.identity.as_ref(), rt, "identity of ImportResourceState")?;
            // Terraform sends an identity with an empty ID for `import { identity = {...} }`.
            let out = if req.id.is_empty() && !given.is_null() {
                rt.import_by_identity(&self.context(), &given).await
            } else {
                rt.import(&self.context(), convert::import_request(&req))
                    .await
            };
            let mut diags = Diagnostics::new();
            let identities: Vec<Option<Value>> = out
                .objects
                .iter()
                .map(|o| rt.identity_after_import(&o.state, &mut diags))
                .collect();
            let mut reply = convert::import_response(out, rt.type_name(), rt.value_type());
            for (object, identity) in reply.imported_resources.iter_mut().zip(identities) {
                object.identity = convert::identity_data(identity, rt, &mut diags);
            }
            reply.diagnostics.extend(convert::diagnostics(diags));
            Ok(reply)
        })
        .await
    }

    async fn upgrade_resource_identity(
        &self,
        request: Request<proto::upgrade_resource_identity::Request>,
    ) -> Result<Response<proto::upgrade_resource_identity::Response>, Status> {
        let req = request.into_inner();
        let span = span("UpgradeResourceIdentity", &req.type_name);
        self.serve("UpgradeResourceIdentity", span, async {
            let rt = self.registry().resource(&req.type_name)?;
            let json = req.raw_identity.map(|r| r.json).unwrap_or_default();
            let upgraded = rt
                .upgrade_identity(&self.context(), req.version, &json)
                .await?;
            let mut diags = Diagnostics::new();
            let upgraded_identity = convert::identity_data(Some(upgraded), rt, &mut diags);
            Ok(proto::upgrade_resource_identity::Response {
                upgraded_identity,
                diagnostics: convert::diagnostics(diags),
            })
        })
        .await
    }

    async fn read_data_source(
        &self,
        request: Request<proto::read_data_source::Request>,
    ) -> Result<Response<proto::read_data_source::Response>, Status> {
        let req = request.into_inner();
        let span = span("ReadDataSource", &req.type_name);
        self.serve("ReadDataSource", span, async {
            let ds = self.registry().data_source(&req.type_name)?;
            let req = convert::read_data_request(req, ds.value_type())?;
            let out = ds.read(&self.context(), req).await;
            Ok(convert::read_data_response(out, ds.value_type()))
        })
        .await
    }

    async fn move_resource_state(
        &self,
        request: Request<proto::move_resource_state::Request>,
    ) -> Result<Response<proto::move_resource_state::Response>, Status> {
        let req = request.into_inner();
        let span = span("MoveResourceState", &req.target_type_name);
        self.serve("MoveResourceState", span, async {
            let rt = self.registry().resource(&req.target_type_name)?;
            tracing::debug!(
                source_provider = %req.source_provider_address,
                source_type = %req.source_type_name,
                source_schema_version = req.source_schema_version,
                "moving an object across types"
            );
            let out = rt
                .move_state(&self.context(), convert::move_request(req))
                .await;
            let mut diags = Diagnostics::new();
            let identity = match &out {
                Ok(moved) => rt.identity_after_move(&moved.state, &mut diags),
                Err(_) => None,
            };
            let mut reply = convert::move_response(out, rt.value_type());
            reply.target_identity = convert::identity_data(identity, rt, &mut diags);
            reply.diagnostics.extend(convert::diagnostics(diags));
            Ok(reply)
        })
        .await
    }

    async fn validate_ephemeral_resource_config(
        &self,
        request: Request<proto::validate_ephemeral_resource_config::Request>,
    ) -> Result<Response<proto::validate_ephemeral_resource_config::Response>, Status> {
        let req = request.into_inner();
        let span = span("ValidateEphemeralResourceConfig", &req.type_name);
        self.serve("ValidateEphemeralResourceConfig", span, async {
            Err(no_such("ephemeral resource type", &req.type_name).into())
        })
        .await
    }

    async fn open_ephemeral_resource(
        &self,
        request: Request<proto::open_ephemeral_resource::Request>,
    ) -> Result<Response<proto::open_ephemeral_resource::Response>, Status> {
        let req = request.into_inner();
        let span = span("OpenEphemeralResource", &req.type_name);
        self.serve("OpenEphemeralResource", span, async {
            Err(no_such("ephemeral resource type", &req.type_name).into())
        })
        .await
    }

    async fn renew_ephemeral_resource(
        &self,
        request: Request<proto::renew_ephemeral_resource::Request>,
    ) -> Result<Response<proto::renew_ephemeral_resource::Response>, Status> {
        let req = request.into_inner();
        let span = span("RenewEphemeralResource", &req.type_name);
        self.serve("RenewEphemeralResource", span, async {
            Err(no_such("ephemeral resource type", &req.type_name).into())
        })
        .await
    }

    async fn close_ephemeral_resource(
        &self,
        request: Request<proto::close_ephemeral_resource::Request>,
    ) -> Result<Response<proto::close_ephemeral_resource::Response>, Status> {
        let req = request.into_inner();
        let span = span("CloseEphemeralResource", &req.type_name);
        self.serve("CloseEphemeralResource", span, async {
            Err(no_such("ephemeral resource type", &req.type_name).into())
        })
        .await
    }

    async fn get_functions(
        &self,
        _: Request<proto::get_functions::Request>,
    ) -> Result<Response<proto::get_functions::Response>, Status> {
        // The provider defines no functions: the answer is an empty list.
        self.serve("GetFunctions", span("GetFunctions", ""), async {
            Ok(Default::default())
        })
        .await
    }

    async fn call_function(
        &self,
        request: Request<proto::call_function::Request>,
    ) -> Result<Response<proto::call_function::Response>, Status> {
        let req = request.into_inner();
        let _span = span("CallFunction", &req.name).entered();
        // Function failures travel in `error`, not in diagnostics.
        Ok(Response::new(proto::call_function::Response {
            result: None,
            error: Some(proto::FunctionError {
                text: format!("This provider has no function named \"{}\".", req.name),
                function_argument: None,
            }),
        }))
    }

    async fn validate_list_resource_config(
        &self,
        request: Request<proto::validate_list_resource_config::Request>,
    ) -> Result<Response<proto::validate_list_resource_config::Response>, Status> {
        let req = request.into_inner();
        let span = span("ValidateListResourceConfig", &req.type_name);
        self.serve("ValidateListResourceConfig", span, async {
            let (list, _) = self.registry().list_resource(&req.type_name)?;
            let config = convert::value(req.config.as_ref(), list.value_type(), "list config")?;
            let diags = list.validate(&self.context(), &config).await;
            Ok(Reply::with_diagnostics(convert::diagnostics(diags)))
        })
        .await
    }

    async fn list_resource(
        &self,
        request: Request<proto::list_resource::Request>,
    ) -> Result<Response<BoxStream<proto::list_resource::Event>>, Status> {
        use futures_util::StreamExt;
        let req = request.into_inner();
        let _span = span("ListResource", &req.type_name).entered();
        // An event with an error diagnostic ends the listing with that error.
        let failed = |d: Diagnostics| {
            Ok(Response::new(once(proto::list_resource::Event {
                diagnostic: convert::diagnostics(d),
                ..Default::default()
            })))
        };
        let (list, rt) = match self.registry().list_resource(&req.type_name) {
            Ok(found) => found,
            Err(d) => return failed(d.into()),
        };
        let config = match convert::value(req.config.as_ref(), list.value_type(), "list config") {
            Ok(c) => c,
            Err(d) => return failed(d.into()),
        };
        tracing::debug!(limit = req.limit, "listing");
        let rx = list.start(
            self.context(),
            Arc::clone(&rt),
            framework::ListRequest { config },
            req.include_resource_object,
            req.limit,
        );
        let events = tokio_stream::wrappers::ReceiverStream::new(rx)
            .map(move |event| Ok(convert::list_event(event, &rt)));
        Ok(Response::new(Box::pin(events)))
    }

    async fn generate_resource_config(
        &self,
        request: Request<proto::generate_resource_config::Request>,
    ) -> Result<Response<proto::generate_resource_config::Response>, Status> {
        let req = request.into_inner();
        let span = span("GenerateResourceConfig", &req.type_name);
        self.serve("GenerateResourceConfig", span, async {
            let rt = self.registry().resource(&req.type_name)?;
            let state = convert::value(req.state.as_ref(), rt.value_type(), "state to describe")?;
            let config = rt.generate_config(&state)?;
            let mut diags = Diagnostics::new();
            let config = convert::dynamic_value(&config, rt.value_type(), "config", &mut diags);
            Ok(proto::generate_resource_config::Response {
                config,
                diagnostics: convert::diagnostics(diags),
            })
        })
        .await
    }

    async fn validate_action_config(
        &self,
        request: Request<proto::validate_action_config::Request>,
    ) -> Result<Response<proto::validate_action_config::Response>, Status> {
        let req = request.into_inner();
        let span = span("ValidateActionConfig", &req.type_name);
        self.serve("ValidateActionConfig", span, async {
            Err(no_such("action type", &req.type_name).into())
        })
        .await
    }

    async fn plan_action(
        &self,
        request: Request<proto::plan_action::Request>,
    ) -> Result<Response<proto::plan_action::Response>, Status> {
        let req = request.into_inner();
        let span = span("PlanAction", &req.action_type);
        self.serve("PlanAction", span, async {
            Err(no_such("action type", &req.action_type).into())
        })
        .await
    }

    async fn invoke_action(
        &self,
        request: Request<proto::invoke_action::Request>,
    ) -> Result<Response<BoxStream<proto::invoke_action::Event>>, Status> {
        use proto::invoke_action::event::{Completed, Type};
        let req = request.into_inner();
        let _span = span("InvokeAction", &req.action_type).entered();
        Ok(Response::new(once(proto::invoke_action::Event {
            r#type: Some(Type::Completed(Completed {
                diagnostics: convert::diagnostics(no_such("action type", &req.action_type).into()),
            })),
        })))
    }

    async fn stop(
        &self,
        _: Request<proto::stop::Request>,
    ) -> Result<Response<proto::stop::Response>, Status> {
        let _span = span("Stop", "").entered();
        tracing::info!("Terraform asked the provider to stop; ending waits");
        self.stop.cancel();
        Ok(Response::new(proto::stop::Response {
            error: String::new(),
        }))
    }
}
