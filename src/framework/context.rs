use tokio_util::sync::CancellationToken;

/// Per-call context handed to every provider and resource method.
#[derive(Clone, Debug, Default)]
pub struct Context {
    stop: CancellationToken,
}

impl Context {
    /// A context that is cancelled when `stop` is (Terraform's Stop RPC, or process shutdown).
    pub fn new(stop: CancellationToken) -> Self {
        Context { stop }
    }

    /// True once Terraform asked the provider to stop; long waits must give up promptly.
    pub fn is_stopped(&self) -> bool {
        self.stop.is_cancelled()
    }

    /// Resolves when Terraform asks the provider to stop; select on it in every wait.
    pub async fn stopped(&self) {
        self.stop.cancelled().await
    }

    /// The underlying token, for handing to lower layers (the API client's deadline logic).
    pub fn stop_token(&self) -> &CancellationToken {
        &self.stop
    }
}
