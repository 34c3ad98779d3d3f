//! The HTTP client: signs, sends, classifies answers and retries what is safe to retry.

use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::Error;
use super::models::{
    DescribeInstancesRequest, DescribeInstancesResponse, DescribeNetworkInterfacesRequest,
    DescribeNetworkInterfacesResponse, InstanceInfo, NicInfo, ZoneInfo,
};

/// How the client proves who it is.
#[derive(Clone)]
pub enum Credentials {
    /// ZC2-HMAC-SHA256 signing with an access key pair.
    AccessKey { id: String, password: String },
    /// `Authorization: Bearer <token>`.
    Token(String),
}

impl std::fmt::Debug for Credentials {
    /// Never prints the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::AccessKey { id, .. } => {
                write!(f, "AccessKey {{ id: {id:?}, password: <redacted> }}")
            }
            Credentials::Token(_) => write!(f, "Token(<redacted>)"),
        }
    }
}

/// `https` (the default) or `http` (the simulator).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    Https,
    Http,
}

/// Everything the client needs, already validated by the provider configuration.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    pub credentials: Credentials,
    pub scheme: Scheme,
    /// Host, optionally with a port, e.g. `console.zenlayer.com` or `127.0.0.1:8089`.
    pub domain: String,
    /// Limit for one HTTP request.
    pub client_timeout: Duration,
    /// Retries after the first attempt for retryable failures.
    pub max_retries: u32,
    /// The full User-Agent value.
    pub user_agent: String,
}

/// Bounds for one logical call, including its retries.
#[derive(Clone, Debug, Default)]
pub struct CallLimits {
    /// No attempt starts, and no backoff sleeps, past this instant.
    pub deadline: Option<Instant>,
    /// Cancelled when Terraform sends Stop.
    pub cancel: CancellationToken,
}

/// A Zenlayer ZEC API client. Cheap to clone; clones share one connection pool.
#[derive(Clone, Debug)]
pub struct Client {
    #[allow(dead_code)]
    config: ClientConfig,
}

fn not_built(action: &'static str) -> Error {
    Error::Network {
        action,
        message: "the API client is not built yet".into(),
    }
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Client, Error> {
        Ok(Client { config })
    }

    /// `AttachNetworkInterface`; returns the request id. Asynchronous: the NIC goes ATTACHING.
    pub async fn attach_network_interface(
        &self,
        nic_id: &str,
        instance_id: &str,
        limits: &CallLimits,
    ) -> Result<String, Error> {
        let _ = (nic_id, instance_id, limits);
        Err(not_built("AttachNetworkInterface"))
    }

    /// `DetachNetworkInterface`; returns the request id. Asynchronous: the NIC goes DETACHING.
    pub async fn detach_network_interface(
        &self,
        nic_id: &str,
        limits: &CallLimits,
    ) -> Result<String, Error> {
        let _ = (nic_id, limits);
        Err(not_built("DetachNetworkInterface"))
    }

    /// One page of `DescribeNetworkInterfaces`.
    pub async fn describe_network_interfaces(
        &self,
        req: &DescribeNetworkInterfacesRequest,
        limits: &CallLimits,
    ) -> Result<DescribeNetworkInterfacesResponse, Error> {
        let _ = (req, limits);
        Err(not_built("DescribeNetworkInterfaces"))
    }

    /// One page of `DescribeInstances`.
    pub async fn describe_instances(
        &self,
        req: &DescribeInstancesRequest,
        limits: &CallLimits,
    ) -> Result<DescribeInstancesResponse, Error> {
        let _ = (req, limits);
        Err(not_built("DescribeInstances"))
    }

    /// The NICs with these IDs (chunks of 100, every page); missing IDs are simply absent.
    pub async fn describe_nics_by_id(
        &self,
        ids: &[String],
        limits: &CallLimits,
    ) -> Result<Vec<NicInfo>, Error> {
        let _ = (ids, limits);
        Err(not_built("DescribeNetworkInterfaces"))
    }

    /// The instances with these IDs (chunks of 100, every page); missing IDs are absent.
    pub async fn describe_instances_by_id(
        &self,
        ids: &[String],
        limits: &CallLimits,
    ) -> Result<Vec<InstanceInfo>, Error> {
        let _ = (ids, limits);
        Err(not_built("DescribeInstances"))
    }

    /// Every zone with its region.
    pub async fn describe_zones(&self, limits: &CallLimits) -> Result<Vec<ZoneInfo>, Error> {
        let _ = limits;
        Err(not_built("DescribeZones"))
    }
}
