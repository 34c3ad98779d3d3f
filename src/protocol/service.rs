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
use crate::framework::{Context, Diagnostic, Diagnostics, Provider, Registry};

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
        // No resource has an identity; an empty answer keeps Terraform ≥ 1.12 content.
        self.serve(
            "GetResourceIdentitySchemas",
            span("GetResourceIdentitySchemas", ""),
            async { Ok(Default::default()) },
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
            let req = convert::read_request(req, rt.value_type())?;
            let out = rt.read(&self.context(), req).await;
            Ok(convert::read_response(out, rt.value_type()))
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
            let req = convert::plan_request(req, rt.value_type())?;
            let out = rt.plan(&self.context(), req).await;
            Ok(convert::plan_response(out, rt.value_type()))
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
            let req = convert::apply_request(req, rt.value_type())?;
            let out = rt.apply(&self.context(), req).await;
            Ok(convert::apply_response(out, rt.value_type()))
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
            let out = rt
                .import(&self.context(), convert::import_request(&req))
                .await;
            Ok(convert::import_response(
                out,
                rt.type_name(),
                rt.value_type(),
            ))
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
