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

/// One setting of the provider block, declared once: the schema, the environment fallback and
/// the generated docs all come from it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Setting {
    pub attr: &'static str,
    pub env: &'static str,
    kind: Kind,
    sensitive: bool,
    /// The attribute's description (the docs' text), given the setting itself.
    about: fn(Setting) -> String,
    /// What the value is, as an error's summary names it ("Invalid access key ID").
    pub noun: &'static str,
    /// How to write a valid value, the last sentence of that error.
    pub fix: fn() -> String,
}

/// What a setting's value is written as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Text,
    WholeNumber,
}

impl Setting {
    const fn text(
        attr: &'static str,
        env: &'static str,
        noun: &'static str,
        fix: fn() -> String,
        about: fn(Setting) -> String,
    ) -> Setting {
        Setting {
            attr,
            env,
            kind: Kind::Text,
            sensitive: false,
            about,
            noun,
            fix,
        }
    }

    const fn number(
        attr: &'static str,
        env: &'static str,
        noun: &'static str,
        fix: fn() -> String,
        about: fn(Setting) -> String,
    ) -> Setting {
        Setting {
            kind: Kind::WholeNumber,
            ..Setting::text(attr, env, noun, fix, about)
        }
    }

    /// Whether the value is a secret, never repeated in a message.
    pub(crate) const fn is_secret(self) -> bool {
        self.sensitive
    }

    const fn sensitive(self) -> Setting {
        Setting {
            sensitive: true,
            ..self
        }
    }

    /// The setting as an attribute of the provider block's schema.
    fn attribute(self) -> Attribute {
        let ty = match self.kind {
            Kind::Text => Type::String,
            Kind::WholeNumber => Type::Number,
        };
        let attribute = Attribute::optional(self.attr, ty, (self.about)(self));
        if self.sensitive {
            attribute.sensitive()
        } else {
            attribute
        }
    }
}

pub(crate) const ACCESS_KEY_ID: Setting = Setting::text(
    "access_key_id",
    "ZENLAYERCLOUD_ACCESS_KEY_ID",
    "access key ID",
    || "Copy the access key ID exactly as zenConsole shows it.".into(),
    |s| {
        format!(
            "The ID of a Zenlayer access key pair, used with `access_key_password`. \
             Falls back to the `{}` environment variable. Create key pairs in \
             zenConsole. An `access_token` set at the same level (provider block or \
             environment) takes precedence.",
            s.env
        )
    },
);
pub(crate) const ACCESS_KEY_PASSWORD: Setting = Setting::text(
    "access_key_password",
    "ZENLAYERCLOUD_ACCESS_KEY_PASSWORD",
    "access key password",
    || "Set the password of the access key pair.".into(),
    |s| {
        format!(
            "The password (secret) of the access key pair named by `access_key_id`. \
             Sensitive. Falls back to the `{}` environment variable, which keeps the \
             secret out of configuration files.",
            s.env
        )
    },
)
.sensitive();
pub(crate) const ACCESS_TOKEN: Setting = Setting::text(
    "access_token",
    "ZENLAYERCLOUD_ACCESS_TOKEN",
    "access token",
    || "Copy the access token exactly as zenConsole shows it.".into(),
    |s| {
        format!(
            "A Zenlayer API access token, sent as a bearer token instead of signing \
             requests with a key pair. Sensitive. Falls back to the `{}` environment \
             variable. A token set in the provider block wins over any key pair; a \
             token from the environment wins over a key pair from the environment \
             but not over a key pair written in the provider block.",
            s.env
        )
    },
)
.sensitive();
pub(crate) const DOMAIN: Setting = Setting::text(
    "domain",
    "ZENLAYERCLOUD_DOMAIN",
    "Zenlayer API domain",
    || {
        "Write only the host, optionally with a port, e.g. `console.zenlayer.com` or \
         `127.0.0.1:8089`."
            .into()
    },
    |s| {
        format!(
            "The API host, optionally with a port (`host` or `host:port`), without a \
         scheme or path. Defaults to `{DEFAULT_DOMAIN}`. Falls back to the `{}` \
         environment variable. Point it at a local `zenlayer-sim` \
         (`127.0.0.1:8089`, with `scheme = \"http\"`) to try configurations \
         offline.",
            s.env
        )
    },
);
pub(crate) const SCHEME: Setting = Setting::text(
    "scheme",
    "ZENLAYERCLOUD_SCHEME",
    "Zenlayer API scheme",
    || "Use `https` (the default) or `http`.".into(),
    |s| {
        format!(
            "`https` (the default) or `http`, in any letter case. Falls back to the \
         `{}` environment variable. `http` would send credentials unencrypted, so \
         it is refused unless `domain` is this machine (`localhost`, \
         `127.0.0.0/8` or `::1`), as for zenlayer-sim.",
            s.env
        )
    },
);
pub(crate) const CLIENT_TIMEOUT: Setting = Setting::number(
    "client_timeout",
    "ZENLAYERCLOUD_CLIENT_TIMEOUT",
    "client timeout",
    || {
        format!(
            "Give whole seconds from 1 to {MAX_CLIENT_TIMEOUT_SECS}, e.g. `30`; leave it \
             unset for the default of {}.",
            DEFAULT_CLIENT_TIMEOUT.as_secs()
        )
    },
    |s| {
        format!(
            "How long one HTTP request to the API may take, in whole seconds \
             (1 to {MAX_CLIENT_TIMEOUT_SECS}). Defaults to {}. Falls back to the `{}` \
             environment variable. Operations as a whole are bounded by the \
             resources' `timeouts` blocks.",
            DEFAULT_CLIENT_TIMEOUT.as_secs(),
            s.env
        )
    },
);
pub(crate) const MAX_RETRIES: Setting = Setting::number(
    "max_retries",
    "ZENLAYERCLOUD_MAX_RETRIES",
    "retry count",
    || {
        format!(
            "Give a whole number from 0 to {MAX_MAX_RETRIES}; leave it unset for the default \
             of {DEFAULT_MAX_RETRIES}."
        )
    },
    |s| {
        format!(
            "How many times a throttled (HTTP 429) or transiently failed request is \
             retried, with exponential backoff (0 to {MAX_MAX_RETRIES}). Defaults to \
             {DEFAULT_MAX_RETRIES}. Falls back to the `{}` environment variable. A \
             write whose answer was lost is never resent blindly: the provider reads \
             the NIC to learn whether it took effect.",
            s.env
        )
    },
);
pub(crate) const PLAN_CHECKS: Setting = Setting::text(
    "plan_checks",
    "ZENLAYERCLOUD_PLAN_CHECKS",
    "plan checks mode",
    || "Use `error` (the default), `warn` or `off`.".into(),
    |s| {
        format!(
            "What `terraform plan` does with problems it can already see in the API \
             (a missing NIC, a NIC attached elsewhere, a stopped instance, …): \
             `error` (the default) fails the plan with a diagnostic at the attribute \
             at fault, `warn` reports the same findings as warnings, `off` makes no \
             API calls at plan time. Falls back to the `{}` environment variable. \
             Checks run only for attachments being created or replaced whose IDs are \
             known at plan time.",
            s.env
        )
    },
);
pub(crate) const CA_BUNDLE: Setting = Setting::text(
    "custom_ca_bundle",
    "ZENLAYERCLOUD_CA_BUNDLE",
    "CA bundle",
    || {
        "Give the path of a readable PEM file holding the CA certificate(s) to trust \
         (blocks starting with -----BEGIN CERTIFICATE-----), or leave it unset to trust only \
         the bundled public roots."
            .into()
    },
    |s| {
        format!(
            "The path of a PEM file with one or more CA certificates to trust in \
             addition to the bundled public roots, for networks where a \
             TLS-inspecting proxy or an internal gateway re-signs the API's \
             certificate with a private CA. Falls back to the `{}` environment \
             variable. The file is read when the configuration is validated; a \
             missing or unreadable file, or one without a certificate, is an error. \
             Proxies themselves come from the HTTPS_PROXY and NO_PROXY environment \
             variables (see the company networks guide).",
            s.env
        )
    },
);

/// Every setting, in schema order: the provider block is exactly these.
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

/// The provider block's schema: one attribute per declared setting.
pub(crate) fn schema() -> Schema {
    Schema {
        version: 0,
        block: Block {
            description: "The Zenlayer provider manages Zenlayer Cloud (ZEC) resources. It \
                authenticates with an access token or an access key pair, and checks planned \
                NIC attachments against the live API during `terraform plan` (see `plan_checks`)."
                .into(),
            attributes: ALL.iter().map(|s| s.attribute()).collect(),
            blocks: Vec::new(),
            deprecated: false,
        },
    }
}
