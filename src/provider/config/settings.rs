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
    /// The attribute's description (the docs' text), a template (see [`Setting::fill`]).
    about: &'static str,
    /// What the value is, as an error's summary names it ("Invalid access key ID").
    pub noun: &'static str,
    /// How to write a valid value, the last sentence of that error; a template.
    fix: &'static str,
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
        fix: &'static str,
        about: &'static str,
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

    /// The setting, its value written as a whole number.
    const fn whole_number(self) -> Setting {
        Setting {
            kind: Kind::WholeNumber,
            ..self
        }
    }

    /// `template` with `{env}` (this setting's variable) and the limits' `{NAME}`s filled in.
    fn fill(self, template: &str) -> String {
        let values = [
            ("{env}", self.env.to_owned()),
            ("{DEFAULT_DOMAIN}", DEFAULT_DOMAIN.to_owned()),
            (
                "{DEFAULT_CLIENT_TIMEOUT}",
                DEFAULT_CLIENT_TIMEOUT.as_secs().to_string(),
            ),
            (
                "{MAX_CLIENT_TIMEOUT_SECS}",
                MAX_CLIENT_TIMEOUT_SECS.to_string(),
            ),
            ("{DEFAULT_MAX_RETRIES}", DEFAULT_MAX_RETRIES.to_string()),
            ("{MAX_MAX_RETRIES}", MAX_MAX_RETRIES.to_string()),
        ];
        (values.iter()).fold(template.to_owned(), |text, (name, value)| {
            text.replace(name, value)
        })
    }

    /// How to write a valid value, the last sentence of an error about it.
    pub(crate) fn fix(self) -> String {
        self.fill(self.fix)
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
        let attribute = Attribute::optional(self.attr, ty, self.fill(self.about));
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
    "Copy the access key ID exactly as zenConsole shows it.",
    "The ID of a Zenlayer access key pair, used with `access_key_password`. \
     Falls back to the `{env}` environment variable. Create key pairs in \
     zenConsole. An `access_token` set at the same level (provider block or \
     environment) takes precedence.",
);
pub(crate) const ACCESS_KEY_PASSWORD: Setting = Setting::text(
    "access_key_password",
    "ZENLAYERCLOUD_ACCESS_KEY_PASSWORD",
    "access key password",
    "Set the password of the access key pair.",
    "The password (secret) of the access key pair named by `access_key_id`. \
     Sensitive. Falls back to the `{env}` environment variable, which keeps the \
     secret out of configuration files.",
)
.sensitive();
pub(crate) const ACCESS_TOKEN: Setting = Setting::text(
    "access_token",
    "ZENLAYERCLOUD_ACCESS_TOKEN",
    "access token",
    "Copy the access token exactly as zenConsole shows it.",
    "A Zenlayer API access token, sent as a bearer token instead of signing \
     requests with a key pair. Sensitive. Falls back to the `{env}` environment \
     variable. A token set in the provider block wins over any key pair; a \
     token from the environment wins over a key pair from the environment \
     but not over a key pair written in the provider block.",
)
.sensitive();
pub(crate) const DOMAIN: Setting = Setting::text(
    "domain",
    "ZENLAYERCLOUD_DOMAIN",
    "Zenlayer API domain",
    "Write only the host, optionally with a port, e.g. `console.zenlayer.com` or \
     `127.0.0.1:8089`.",
    "The API host, optionally with a port (`host` or `host:port`), without a \
     scheme or path. Defaults to `{DEFAULT_DOMAIN}`. Falls back to the `{env}` \
     environment variable. Point it at a local `zenlayer-sim` \
     (`127.0.0.1:8089`, with `scheme = \"http\"`) to try configurations \
     offline.",
);
pub(crate) const SCHEME: Setting = Setting::text(
    "scheme",
    "ZENLAYERCLOUD_SCHEME",
    "Zenlayer API scheme",
    "Use `https` (the default) or `http`.",
    "`https` (the default) or `http`, in any letter case. Falls back to the \
     `{env}` environment variable. `http` would send credentials unencrypted, so \
     it is refused unless `domain` is this machine (`localhost`, \
     `127.0.0.0/8` or `::1`), as for zenlayer-sim.",
);
pub(crate) const CLIENT_TIMEOUT: Setting = Setting::text(
    "client_timeout",
    "ZENLAYERCLOUD_CLIENT_TIMEOUT",
    "client timeout",
    "Give whole seconds from 1 to {MAX_CLIENT_TIMEOUT_SECS}, e.g. `30`; leave it \
     unset for the default of {DEFAULT_CLIENT_TIMEOUT}.",
    "How long one HTTP request to the API may take, in whole seconds \
     (1 to {MAX_CLIENT_TIMEOUT_SECS}). Defaults to {DEFAULT_CLIENT_TIMEOUT}. Falls back to the `{env}` \
     environment variable. Operations as a whole are bounded by the \
     resources' `timeouts` blocks.",
)
.whole_number();
pub(crate) const MAX_RETRIES: Setting = Setting::text(
    "max_retries",
    "ZENLAYERCLOUD_MAX_RETRIES",
    "retry count",
    "Give a whole number from 0 to {MAX_MAX_RETRIES}; leave it unset for the default \
     of {DEFAULT_MAX_RETRIES}.",
    "How many times a throttled (HTTP 429) or transiently failed request is \
     retried, with exponential backoff (0 to {MAX_MAX_RETRIES}). Defaults to \
     {DEFAULT_MAX_RETRIES}. Falls back to the `{env}` environment variable. A \
     write whose answer was lost is never resent blindly: the provider reads \
     the NIC to learn whether it took effect.",
)
.whole_number();
pub(crate) const PLAN_CHECKS: Setting = Setting::text(
    "plan_checks",
    "ZENLAYERCLOUD_PLAN_CHECKS",
    "plan checks mode",
    "Use `error` (the default), `warn` or `off`.",
    "What `terraform plan` does with problems it can already see in the API \
     (a missing NIC, a NIC attached elsewhere, a stopped instance, …): \
     `error` (the default) fails the plan with a diagnostic at the attribute \
     at fault, `warn` reports the same findings as warnings, `off` makes no \
     API calls at plan time. Falls back to the `{env}` environment variable. \
     Checks run only for attachments being created or replaced whose IDs are \
     known at plan time.",
);
pub(crate) const CA_BUNDLE: Setting = Setting::text(
    "custom_ca_bundle",
    "ZENLAYERCLOUD_CA_BUNDLE",
    "CA bundle",
    "Give the path of a readable PEM file holding the CA certificate(s) to trust \
     (blocks starting with -----BEGIN CERTIFICATE-----), or leave it unset to trust only \
     the bundled public roots.",
    "The path of a PEM file with one or more CA certificates to trust in \
     addition to the bundled public roots, for networks where a \
     TLS-inspecting proxy or an internal gateway re-signs the API's \
     certificate with a private CA. Falls back to the `{env}` environment \
     variable. The file is read when the configuration is validated; a \
     missing or unreadable file, or one without a certificate, is an error. \
     Proxies themselves come from the HTTPS_PROXY and NO_PROXY environment \
     variables (see the company networks guide).",
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
