use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::proto;
use crate::framework::Provider;

/// Serves a framework [`Provider`] as Terraform's tfplugin5 `Provider` gRPC service.
pub struct ProviderService {
    #[allow(dead_code)]
    provider: Arc<dyn Provider>,
    #[allow(dead_code)]
    stop: CancellationToken,
}

impl ProviderService {
    /// Wraps `provider`; `stop` is cancelled by the Stop RPC and on shutdown.
    pub fn new(provider: Arc<dyn Provider>, stop: CancellationToken) -> Self {
        ProviderService { provider, stop }
    }

    /// The tonic server for this service, with message limits raised to 256 MiB.
    pub fn into_server(self) -> proto::provider_server::ProviderServer<Self> {
        const MAX: usize = 256 << 20;
        proto::provider_server::ProviderServer::new(self)
            .max_decoding_message_size(MAX)
            .max_encoding_message_size(MAX)
    }
}

#[tonic::async_trait]
impl proto::provider_server::Provider for ProviderService {}
