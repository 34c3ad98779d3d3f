//! go-plugin's own services, served beside `tfplugin5.Provider`: the controller (Shutdown),
//! stdio mirroring, the connection broker and gRPC health.

use futures_util::StreamExt;
use futures_util::future::ready;
use tokio_util::sync::CancellationToken;
use tonic::codegen::BoxStream;
use tonic::{Request, Response, Status, Streaming};

use super::proto;
use super::proto::grpc_broker_server::{GrpcBroker, GrpcBrokerServer};
use super::proto::grpc_controller_server::{GrpcController, GrpcControllerServer};
use super::proto::grpc_stdio_server::{GrpcStdio, GrpcStdioServer};

/// The health service name go-plugin's `Ping` checks.
const HEALTH_SERVICE: &str = "plugin";

/// Ends the process when Terraform is done with it (else go-plugin SIGKILLs us after 2 s).
pub(crate) fn controller(shutdown: CancellationToken) -> GrpcControllerServer<Controller> {
    GrpcControllerServer::new(Controller { shutdown })
}

/// Terraform opens one stdio stream per connection; we never mirror output, and end the
/// stream on shutdown so a graceful stop is not held up by it.
pub(crate) fn stdio(shutdown: CancellationToken) -> GrpcStdioServer<Stdio> {
    GrpcStdioServer::new(Stdio { shutdown })
}

/// Terraform opens a broker stream on every connection; providers never broker connections.
pub(crate) fn broker(shutdown: CancellationToken) -> GrpcBrokerServer<Broker> {
    GrpcBrokerServer::new(Broker { shutdown })
}

/// gRPC health with service `plugin` reported SERVING.
pub(crate) async fn health()
-> tonic_health::pb::health_server::HealthServer<impl tonic_health::pb::health_server::Health> {
    let (reporter, service) = tonic_health::server::health_reporter();
    reporter
        .set_service_status(HEALTH_SERVICE, tonic_health::ServingStatus::Serving)
        .await;
    service
}

/// `plugin.GRPCController`.
#[derive(Debug)]
pub(crate) struct Controller {
    shutdown: CancellationToken,
}

#[tonic::async_trait]
impl GrpcController for Controller {
    async fn shutdown(
        &self,
        _request: Request<proto::Empty>,
    ) -> Result<Response<proto::Empty>, Status> {
        tracing::debug!("Terraform asked the provider to shut down");
        self.shutdown.cancel();
        Ok(Response::new(proto::Empty {}))
    }
}

/// `plugin.GRPCStdio`.
#[derive(Debug)]
pub(crate) struct Stdio {
    shutdown: CancellationToken,
}

#[tonic::async_trait]
impl GrpcStdio for Stdio {
    async fn stream_stdio(
        &self,
        _request: Request<()>,
    ) -> Result<Response<BoxStream<proto::StdioData>>, Status> {
        // Silent until shutdown; tonic drops it earlier if the client goes away.
        let silent = futures_util::stream::once(self.shutdown.clone().cancelled_owned())
            .filter_map(|()| ready(None));
        Ok(Response::new(Box::pin(silent)))
    }
}

/// `plugin.GRPCBroker`.
#[derive(Debug)]
pub(crate) struct Broker {
    shutdown: CancellationToken,
}

#[tonic::async_trait]
impl GrpcBroker for Broker {
    async fn start_stream(
        &self,
        request: Request<Streaming<proto::ConnInfo>>,
    ) -> Result<Response<BoxStream<proto::ConnInfo>>, Status> {
        // Drains what the client sends, answers nothing, ends with the client or on shutdown.
        let idle = request
            .into_inner()
            .filter_map(|_| ready(None))
            .take_until(self.shutdown.clone().cancelled_owned());
        Ok(Response::new(Box::pin(idle)))
    }
}
