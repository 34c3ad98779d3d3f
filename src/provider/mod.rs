//! The Zenlayer provider: its configuration, `zenlayer_nic_attachment`, plan checks, the one
//! catalogue of readable messages per API code, and waiters. Knows nothing of gRPC.

use std::sync::Arc;

use async_trait::async_trait;

use crate::cty::Value;
use crate::framework::{self, Context, Diagnostics, Resource, Schema};

/// The provider Terraform talks to; the binary serves exactly this.
pub fn new() -> Arc<dyn framework::Provider> {
    Arc::new(ZenlayerProvider)
}

/// The Zenlayer provider (its schema and resources are filled in as they are built).
struct ZenlayerProvider;

#[async_trait]
impl framework::Provider for ZenlayerProvider {
    fn schema(&self) -> Schema {
        Schema::default()
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        Vec::new()
    }

    async fn validate(&self, _ctx: &Context, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    async fn configure(&self, _ctx: &Context, _req: framework::ConfigureRequest) -> Diagnostics {
        Diagnostics::new()
    }
}
