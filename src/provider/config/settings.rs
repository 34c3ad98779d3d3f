//! Each provider setting declared once: its name, environment variable and the schema.

use std::time::Duration;

use crate::cty::Type;
use crate::framework::{Attribute, Block, Schema, Severity};

/// The Zenlayer API's public endpoint.
pub(crate) const DEFAULT_DOMAIN: &str = "console.zenlayer.com";
/// Per HTTP request. Zenlayer answers even asynchronous writes within a second or two; a request
/// still silent after 30 s is stuck, and retrying it beats waiting the official provider's 600 s.
pub(crate) const DEFAULT_CLIENT_TIMEOUT: Duration = Duration::from_secs(30);
/// One hour: longer single requests would outlive any sensible operation timeout.
pub(crate) const MAX_CLIENT_TIMEOUT_SECS: i64 = 3600;
/// Throttled (HTTP 429) and transient failures are retried with exponential backoff; five
/// retries ride out about half a minute of throttling, as bursts of parallel plans cause.
pub(crate) const DEFAULT_MAX_RETRIES: u32 = 5;
/// More retries than this only hide an outage behind minutes of backoff.
pub(crate) const MAX_MAX_RETRIES: i64 = 20;

/// One setting of the provider block and its environment fallback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Setting {
    pub attr: &'static str,
    pub env: &'static str,
}

impl Setting {
    const fn new(attr: &'static str, env: &'static str) -> Setting {
        Setting { attr, env }
    }
}

pub(crate) const ACCESS_KEY_ID: Setting =
    Setting::new("access_key_id", "ZENLAYERCLOUD_ACCESS_KEY_ID");
pub(crate) const ACCESS_KEY_PASSWORD: Setting =
    Setting::new("access_key_password", "ZENLAYERCLOUD_ACCESS_KEY_PASSWORD");
pub(crate) const ACCESS_TOKEN: Setting = Setting::new("access_token", "ZENLAYERCLOUD_ACCESS_TOKEN");
pub(crate) const DOMAIN: Setting = Setting::new("domain", "ZENLAYERCLOUD_DOMAIN");
pub(crate) const SCHEME: Setting = Setting::new("scheme", "ZENLAYERCLOUD_SCHEME");
pub(crate) const CLIENT_TIMEOUT: Setting =
    Setting::new("client_timeout", "ZENLAYERCLOUD_CLIENT_TIMEOUT");
pub(crate) const MAX_RETRIES: Setting = Setting::new("max_retries", "ZENLAYERCLOUD_MAX_RETRIES");
pub(crate) const PLAN_CHECKS: Setting = Setting::new("plan_checks", "ZENLAYERCLOUD_PLAN_CHECKS");
pub(crate) const CA_BUNDLE: Setting = Setting::new("custom_ca_bundle", "ZENLAYERCLOUD_CA_BUNDLE");

/// Every setting, in schema order.
#[cfg(test)]
pub(crate) const ALL: [Setting; 9] = [
    ACCESS_KEY_ID,
    ACCESS_KEY_PASSWORD,
    ACCESS_TOKEN,
    DOMAIN,
    SCHEME,
    CLIENT_TIMEOUT,
    MAX_RETRIES,
    PLAN_CHECKS,
    CA_BUNDLE,
];

/// The credential settings, as every authentication message names them.
pub(crate) const CREDENTIAL_SETTINGS_TEXT: &str = "`access_token` (or the ZENLAYERCLOUD_ACCESS_TOKEN \
environment variable), or `access_key_id` and `access_key_password` (or \
ZENLAYERCLOUD_ACCESS_KEY_ID and ZENLAYERCLOUD_ACCESS_KEY_PASSWORD)";

/// What plan checks do with what they find.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PlanChecks {
    /// Problems the apply would hit fail the plan.
    Error,
    /// Every problem is reported as a warning; the plan goes on.
    Warn,
    /// No API calls at plan time.
    Off,
}

impl PlanChecks {
    /// How a finding of this `severity` is reported in this mode: `warn` makes every one a
    /// warning.
    pub(crate) fn severity(self, severity: Severity) -> Severity {
        match self {
            PlanChecks::Warn => Severity::Warning,
            _ => severity,
        }
    }
}

/// Where process environment variables come from; tests pass a map.
pub(crate) trait Env {
    fn var(&self, name: &str) -> Option<String>;
}

/// The real process environment.
pub(crate) struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

/// The provider block's schema. Descriptions are the generated docs' text.
pub(crate) fn schema() -> Schema {
    let s = |setting: Setting, description: String| {
        Attribute::optional(setting.attr, Type::String, description)
    };
    let n = |setting: Setting, description: String| {
        Attribute::optional(setting.attr, Type::Number, description)
    };
    Schema {
        version: 0,
        block: Block {
            description: "The Zenlayer provider manages Zenlayer Cloud (ZEC) resources. It \
                authenticates with an access token or an access key pair, and checks planned \
                NIC attachments against the live API during `terraform plan` (see `plan_checks`)."
                .into(),
            attributes: vec![
                s(
                    ACCESS_KEY_ID,
                    format!(
                        "The ID of a Zenlayer access key pair, used with `access_key_password`. \
                         Falls back to the `{}` environment variable. Create key pairs in \
                         zenConsole. An `access_token` set at the same level (provider block or \
                         environment) takes precedence.",
                        ACCESS_KEY_ID.env
                    ),
                ),
                s(
                    ACCESS_KEY_PASSWORD,
                    format!(
                        "The password (secret) of the access key pair named by `access_key_id`. \
                         Sensitive. Falls back to the `{}` environment variable, which keeps the \
                         secret out of configuration files.",
                        ACCESS_KEY_PASSWORD.env
                    ),
                )
                .sensitive(),
                s(
                    ACCESS_TOKEN,
                    format!(
                        "A Zenlayer API access token, sent as a bearer token instead of signing \
                         requests with a key pair. Sensitive. Falls back to the `{}` environment \
                         variable. A token set in the provider block wins over any key pair; a \
                         token from the environment wins over a key pair from the environment \
                         but not over a key pair written in the provider block.",
                        ACCESS_TOKEN.env
                    ),
                )
                .sensitive(),
                s(
                    DOMAIN,
                    format!(
                        "The API host, optionally with a port (`host` or `host:port`), without a \
                         scheme or path. Defaults to `{DEFAULT_DOMAIN}`. Falls back to the `{}` \
                         environment variable. Point it at a local `zenlayer-sim` \
                         (`127.0.0.1:8089`, with `scheme = \"http\"`) to try configurations \
                         offline.",
                        DOMAIN.env
                    ),
                ),
                s(
                    SCHEME,
                    format!(
                        "`https` (the default) or `http`, in any letter case. Falls back to the \
                         `{}` environment variable. `http` would send credentials unencrypted, so \
                         it is refused unless `domain` is this machine (`localhost`, \
                         `127.0.0.0/8` or `::1`), as for zenlayer-sim.",
                        SCHEME.env
                    ),
                ),
                n(
                    CLIENT_TIMEOUT,
                    format!(
                        "How long one HTTP request to the API may take, in whole seconds \
                         (1 to {MAX_CLIENT_TIMEOUT_SECS}). Defaults to {}. Falls back to the `{}` \
                         environment variable. Operations as a whole are bounded by the \
                         resources' `timeouts` blocks.",
                        DEFAULT_CLIENT_TIMEOUT.as_secs(),
                        CLIENT_TIMEOUT.env
                    ),
                ),
                n(
                    MAX_RETRIES,
                    format!(
                        "How many times a throttled (HTTP 429) or transiently failed request is \
                         retried, with exponential backoff (0 to {MAX_MAX_RETRIES}). Defaults to \
                         {DEFAULT_MAX_RETRIES}. Falls back to the `{}` environment variable. A \
                         write whose answer was lost is never resent blindly: the provider reads \
                         the NIC to learn whether it took effect.",
                        MAX_RETRIES.env
                    ),
                ),
                s(
                    PLAN_CHECKS,
                    format!(
                        "What `terraform plan` does with problems it can already see in the API \
                         (a missing NIC, a NIC attached elsewhere, a stopped instance, …): \
                         `error` (the default) fails the plan with a diagnostic at the attribute \
                         at fault, `warn` reports the same findings as warnings, `off` makes no \
                         API calls at plan time. Falls back to the `{}` environment variable. \
                         Checks run only for attachments being created or replaced whose IDs are \
                         known at plan time.",
                        PLAN_CHECKS.env
                    ),
                ),
                s(
                    CA_BUNDLE,
                    format!(
                        "The path of a PEM file with one or more CA certificates to trust in \
                         addition to the bundled public roots, for networks where a \
                         TLS-inspecting proxy or an internal gateway re-signs the API's \
                         certificate with a private CA. Falls back to the `{}` environment \
                         variable. The file is read when the configuration is validated; a \
                         missing or unreadable file, or one without a certificate, is an error. \
                         Proxies themselves come from the HTTPS_PROXY and NO_PROXY environment \
                         variables (see the company networks guide).",
                        CA_BUNDLE.env
                    ),
                ),
            ],
            blocks: Vec::new(),
            deprecated: false,
        },
    }
}
