//! The `provider "zenlayer"` block: its schema, environment fallbacks, offline validation, and
//! resolving it into the API client's configuration.
//!
//! Every setting is read from its attribute first and from its `ZENLAYERCLOUD_*` environment
//! variable when the attribute is null; an empty environment variable counts as unset.
//! Credentials: an access token or key pair written in the provider block wins over one from the
//! environment; at the same level the token wins. A key pair may mix levels (the ID in the
//! block, the password in the environment) because that is how secrets are usually kept out of
//! configuration files.

use std::time::Duration;

use crate::cty::{Number, Type, Value};
use crate::framework::{
    Attribute, AttributePath, Block, Diagnostic, Diagnostics, Schema, Severity,
};
use crate::untrusted::quoted;
use crate::zenlayer::{ClientConfig, Credentials, ExtraRoots, Scheme, read_ca_bundle};

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

pub(crate) const ACCESS_KEY_ID: Setting = Setting {
    attr: "access_key_id",
    env: "ZENLAYERCLOUD_ACCESS_KEY_ID",
};
pub(crate) const ACCESS_KEY_PASSWORD: Setting = Setting {
    attr: "access_key_password",
    env: "ZENLAYERCLOUD_ACCESS_KEY_PASSWORD",
};
pub(crate) const ACCESS_TOKEN: Setting = Setting {
    attr: "access_token",
    env: "ZENLAYERCLOUD_ACCESS_TOKEN",
};
pub(crate) const DOMAIN: Setting = Setting {
    attr: "domain",
    env: "ZENLAYERCLOUD_DOMAIN",
};
pub(crate) const SCHEME: Setting = Setting {
    attr: "scheme",
    env: "ZENLAYERCLOUD_SCHEME",
};
pub(crate) const CLIENT_TIMEOUT: Setting = Setting {
    attr: "client_timeout",
    env: "ZENLAYERCLOUD_CLIENT_TIMEOUT",
};
pub(crate) const MAX_RETRIES: Setting = Setting {
    attr: "max_retries",
    env: "ZENLAYERCLOUD_MAX_RETRIES",
};
pub(crate) const PLAN_CHECKS: Setting = Setting {
    attr: "plan_checks",
    env: "ZENLAYERCLOUD_PLAN_CHECKS",
};
pub(crate) const CA_BUNDLE: Setting = Setting {
    attr: "custom_ca_bundle",
    env: "ZENLAYERCLOUD_CA_BUNDLE",
};

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

/// A setting's value, and where it came from (for messages that name the source).
#[derive(Clone, Debug, PartialEq)]
enum Raw {
    Unset,
    Unknown,
    Attr(Value),
    Env(String),
}

fn raw(config: &Value, s: Setting, env: &dyn Env) -> Raw {
    match config.attr(s.attr) {
        Some(Value::Unknown(_)) => Raw::Unknown,
        Some(v) if !v.is_null() => Raw::Attr(v.clone()),
        _ => match env.var(s.env) {
            Some(text) if !text.is_empty() => Raw::Env(text),
            _ => Raw::Unset,
        },
    }
}

/// A setting read and checked: unset, not yet known, or a value (with its source).
#[derive(Clone, Debug, PartialEq)]
enum Read<T> {
    Unset,
    Unknown,
    Set(T, Source),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    Attr,
    Env,
}

/// Reads and checks one setting. `parse` sees the text (strings) or the number's text
/// (numbers); its error completes "… is not valid: ".
fn read<T>(
    config: &Value,
    s: Setting,
    env: &dyn Env,
    what: &str,
    fix: &str,
    parse: impl Fn(&str) -> Result<T, String>,
    diags: &mut Diagnostics,
) -> Read<T> {
    let (text, source) = match raw(config, s, env) {
        Raw::Unset => return Read::Unset,
        Raw::Unknown => return Read::Unknown,
        Raw::Attr(Value::String(text)) => (text, Source::Attr),
        Raw::Attr(Value::Number(n)) => (number_text(&n), Source::Attr),
        Raw::Attr(other) => (format!("{other:?}"), Source::Attr),
        Raw::Env(text) => (text, Source::Env),
    };
    match parse(&text) {
        Ok(v) => Read::Set(v, source),
        Err(problem) => {
            diags.push(invalid(s, source, what, &text, &problem, fix));
            Read::Unset
        }
    }
}

fn number_text(n: &Number) -> String {
    match n {
        Number::Int(i) => i.to_string(),
        Number::Float(f) => f.to_string(),
        Number::Decimal(d) => d.clone(),
    }
}

fn invalid(
    s: Setting,
    source: Source,
    what: &str,
    text: &str,
    problem: &str,
    fix: &str,
) -> Diagnostic {
    // A secret is never repeated, not even a wrong one: it may be a real secret mistyped.
    let is = if SECRETS.contains(&s) {
        "is not usable".to_owned()
    } else {
        format!("is {}", quoted(text))
    };
    match source {
        Source::Attr => Diagnostic::error(
            format!("Invalid {what}"),
            format!("The provider argument `{}` {is}: {problem}. {fix}", s.attr),
        )
        .at(AttributePath::root(s.attr)),
        Source::Env => Diagnostic::error(
            format!("Invalid {what} in {}", s.env),
            format!(
                "The environment variable {} (read because the provider argument `{}` is not \
                 set) {is}: {problem}. {fix} Fix or unset the variable, or set `{}` in \
                 the provider block.",
                s.env, s.attr, s.attr
            ),
        ),
    }
}

fn parse_scheme(text: &str) -> Result<Scheme, String> {
    if text.eq_ignore_ascii_case("https") {
        Ok(Scheme::Https)
    } else if text.eq_ignore_ascii_case("http") {
        Ok(Scheme::Http)
    } else {
        Err("only `https` and `http` are supported".into())
    }
}

fn parse_domain(text: &str) -> Result<String, String> {
    if text.trim().is_empty() {
        return Err("it is empty".into());
    }
    if let Some((scheme, _)) = text.split_once("://") {
        return Err(format!(
            "it starts with the scheme `{scheme}://`; the scheme belongs in `scheme`"
        ));
    }
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("it contains whitespace or control characters".into());
    }
    if text.contains('/') {
        return Err("it contains a path; only a host and an optional port are allowed".into());
    }
    if text.contains(['?', '#', '@']) {
        return Err("only a host and an optional port are allowed".into());
    }
    let (host, port) = split_host_port(text)?;
    if host.is_empty() {
        return Err("the host name is missing".into());
    }
    if !host.starts_with('[')
        && !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_')
    {
        return Err("the host may contain only letters, digits, `-`, `_` and `.`".into());
    }
    if let Some(port) = port {
        match port.parse::<u16>() {
            Ok(p) if p > 0 => {}
            _ => return Err(format!("the port `{port}` is not a number from 1 to 65535")),
        }
    }
    Ok(text.to_owned())
}

/// `host`, `host:port`, `[v6]` or `[v6]:port`.
fn split_host_port(text: &str) -> Result<(&str, Option<&str>), String> {
    if text.starts_with('[') {
        let end = text
            .find(']')
            .ok_or_else(|| "an IPv6 address in `[...]` is not closed".to_string())?;
        let host = &text[..=end];
        if host[1..end].parse::<std::net::Ipv6Addr>().is_err() {
            return Err(format!("`{host}` is not an IPv6 address"));
        }
        return match &text[end + 1..] {
            "" => Ok((host, None)),
            rest => match rest.strip_prefix(':') {
                Some(port) => Ok((host, Some(port))),
                None => Err("unexpected text after the IPv6 address".into()),
            },
        };
    }
    match text.matches(':').count() {
        0 => Ok((text, None)),
        1 => {
            let (host, port) = text.split_once(':').unwrap_or((text, ""));
            Ok((host, Some(port)))
        }
        _ => Err("an IPv6 address must be written in brackets, e.g. `[::1]:8089`".into()),
    }
}

/// True for hosts that never leave this machine, where `http` exposes nothing: the client's
/// one rule (`zenlayer::config::is_loopback_host`), which the proxy bypass uses too.
pub(crate) fn is_loopback(domain: &str) -> bool {
    let Ok((host, _)) = split_host_port(domain) else {
        return false;
    };
    crate::zenlayer::config::is_loopback_host(host)
}

fn parse_whole(text: &str) -> Result<i64, String> {
    if let Ok(i) = text.trim().parse::<i64>() {
        return Ok(i);
    }
    match text.trim().parse::<f64>() {
        Ok(f) if f.fract() == 0.0 && f.abs() < 1e15 => Ok(f as i64),
        Ok(_) => Err("it must be a whole number".into()),
        Err(_) => Err("it is not a number".into()),
    }
}

fn parse_client_timeout(text: &str) -> Result<Duration, String> {
    let secs = parse_whole(text)?;
    if secs <= 0 {
        return Err("it must be a positive number of seconds".into());
    }
    if secs > MAX_CLIENT_TIMEOUT_SECS {
        return Err(format!(
            "it must be at most {MAX_CLIENT_TIMEOUT_SECS} seconds"
        ));
    }
    Ok(Duration::from_secs(secs.unsigned_abs()))
}

fn parse_max_retries(text: &str) -> Result<u32, String> {
    let n = parse_whole(text)?;
    if n < 0 {
        return Err("it cannot be negative".into());
    }
    if n > MAX_MAX_RETRIES {
        return Err(format!("it must be at most {MAX_MAX_RETRIES}"));
    }
    u32::try_from(n).map_err(|_| "it is out of range".to_string())
}

fn parse_plan_checks(text: &str) -> Result<PlanChecks, String> {
    match text.to_ascii_lowercase().as_str() {
        "error" => Ok(PlanChecks::Error),
        "warn" => Ok(PlanChecks::Warn),
        "off" => Ok(PlanChecks::Off),
        _ => Err("it must be `error`, `warn` or `off`".into()),
    }
}

/// A CA bundle path: read now, so `terraform validate` reports a bad file.
fn parse_ca_bundle(text: &str) -> Result<ExtraRoots, String> {
    if text.trim().is_empty() {
        return Err("it is empty".into());
    }
    read_ca_bundle(std::path::Path::new(text))
}

/// The settings whose values no message may repeat.
const SECRETS: [Setting; 2] = [ACCESS_KEY_PASSWORD, ACCESS_TOKEN];

/// An access key ID or token: both travel in the `Authorization` header, so a stray space or
/// line break (typically from `file()`) would otherwise surface as an authentication failure.
fn parse_header_credential(text: &str) -> Result<String, String> {
    if text.is_empty() {
        return Err(
            "it is empty; remove the argument (or set it to null) to leave it unset".into(),
        );
    }
    if text.chars().any(char::is_whitespace) {
        return Err(
            "it contains whitespace, such as a trailing line break from `file()` \
                    (wrap the value in `trimspace()`)"
                .into(),
        );
    }
    if text.chars().any(|c| c.is_control() || !c.is_ascii()) {
        return Err(
            "it contains characters an HTTP header cannot carry (control characters or \
                    non-ASCII letters)"
                .into(),
        );
    }
    Ok(text.to_owned())
}

/// The access key password: only signed with, never sent, so anything but empty will do.
fn parse_password(text: &str) -> Result<String, String> {
    if text.is_empty() {
        return Err(
            "it is empty; remove the argument (or set it to null) to leave it unset".into(),
        );
    }
    Ok(text.to_owned())
}

/// Every checked setting, before credentials are put together.
struct Settings {
    key_id: Read<String>,
    key_password: Read<String>,
    token: Read<String>,
    domain: Read<String>,
    scheme: Read<Scheme>,
    client_timeout: Read<Duration>,
    max_retries: Read<u32>,
    plan_checks: Read<PlanChecks>,
    ca_bundle: Read<ExtraRoots>,
}

fn read_all(config: &Value, env: &dyn Env, diags: &mut Diagnostics) -> Settings {
    let c = config;
    Settings {
        key_id: read(
            c,
            ACCESS_KEY_ID,
            env,
            "access key ID",
            "Copy the access key ID exactly as zenConsole shows it.",
            parse_header_credential,
            diags,
        ),
        key_password: read(
            c,
            ACCESS_KEY_PASSWORD,
            env,
            "access key password",
            "Set the password of the access key pair.",
            parse_password,
            diags,
        ),
        token: read(
            c,
            ACCESS_TOKEN,
            env,
            "access token",
            "Copy the access token exactly as zenConsole shows it.",
            parse_header_credential,
            diags,
        ),
        domain: read(
            c,
            DOMAIN,
            env,
            "Zenlayer API domain",
            "Write only the host, optionally with a port, e.g. `console.zenlayer.com` or \
             `127.0.0.1:8089`.",
            parse_domain,
            diags,
        ),
        scheme: read(
            c,
            SCHEME,
            env,
            "Zenlayer API scheme",
            "Use `https` (the default) or `http`.",
            parse_scheme,
            diags,
        ),
        client_timeout: read(
            c,
            CLIENT_TIMEOUT,
            env,
            "client timeout",
            &format!(
                "Give whole seconds from 1 to {MAX_CLIENT_TIMEOUT_SECS}, e.g. `30`; leave it \
                 unset for the default of {}.",
                DEFAULT_CLIENT_TIMEOUT.as_secs()
            ),
            parse_client_timeout,
            diags,
        ),
        max_retries: read(
            c,
            MAX_RETRIES,
            env,
            "retry count",
            &format!(
                "Give a whole number from 0 to {MAX_MAX_RETRIES}; leave it unset for the default \
                 of {DEFAULT_MAX_RETRIES}."
            ),
            parse_max_retries,
            diags,
        ),
        plan_checks: read(
            c,
            PLAN_CHECKS,
            env,
            "plan checks mode",
            "Use `error` (the default), `warn` or `off`.",
            parse_plan_checks,
            diags,
        ),
        ca_bundle: read(
            c,
            CA_BUNDLE,
            env,
            "CA bundle",
            "Give the path of a readable PEM file holding the CA certificate(s) to trust \
             (blocks starting with -----BEGIN CERTIFICATE-----), or leave it unset to trust only \
             the bundled public roots.",
            parse_ca_bundle,
            diags,
        ),
    }
}

/// Offline checks (PrepareProviderConfig): every set and known value, from its attribute or
/// its environment variable. Missing credentials are left to configure, so `terraform validate`
/// works without them.
pub(crate) fn validate(config: &Value, env: &dyn Env) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let s = read_all(config, env, &mut diags);
    if let Some(refusal) = clear_text_refusal(&s) {
        diags.push(refusal);
    }
    diags
}

/// The refusal of `http` to a host that is not this machine, once both `scheme` and `domain`
/// are known: a bearer token would be readable, and a signed request replayable for its five
/// minutes of validity, by anyone on the path. Loopback (zenlayer-sim) stays allowed.
fn clear_text_refusal(s: &Settings) -> Option<Diagnostic> {
    let Read::Set(Scheme::Http, scheme_source) = &s.scheme else {
        return None;
    };
    let domain = match &s.domain {
        Read::Set(domain, _) => domain.as_str(),
        Read::Unset => DEFAULT_DOMAIN,
        Read::Unknown => return None,
    };
    if is_loopback(domain) {
        return None;
    }
    let (setting, fix) = match scheme_source {
        Source::Attr => (
            format!("`{}` is `http`", SCHEME.attr),
            format!(
                "Use `{} = \"https\"` (or remove it: `https` is the default)",
                SCHEME.attr
            ),
        ),
        Source::Env => (
            format!(
                "the environment variable {} (read because `{}` is not set) is `http`",
                SCHEME.env, SCHEME.attr
            ),
            format!("Unset {} or set it to `https`", SCHEME.env),
        ),
    };
    let refusal = Diagnostic::error(
        "Plain HTTP is allowed only to this machine",
        format!(
            "{setting} and `{}` is {}, which is not this machine. Over plain HTTP the access \
             token, or each signed request (valid for five minutes, so it can be replayed), \
             would cross the network in clear text, readable by anyone on the way. {fix}. \
             To try configurations against zenlayer-sim, run it on a loopback address \
             (`127.0.0.1`, `::1` or `localhost`) and point `{}` there.",
            DOMAIN.attr,
            quoted(domain),
            DOMAIN.attr
        ),
    );
    Some(match scheme_source {
        Source::Attr => refusal.at(AttributePath::root(SCHEME.attr)),
        Source::Env => refusal,
    })
}

/// A provider configuration ready for use.
#[derive(Clone, Debug)]
pub(crate) struct Resolved {
    pub client: ClientConfig,
    pub plan_checks: PlanChecks,
}

/// What configure makes of the provider block.
#[derive(Clone, Debug)]
pub(crate) enum Resolution {
    /// Ready; `warnings` go to the user.
    Ready(Box<Resolved>, Diagnostics),
    /// The block holds values known only after apply; resource calls must wait for them.
    Deferred,
    /// The block is wrong; the diagnostics say how.
    Failed(Diagnostics),
}

/// Resolves the provider block (Configure) into a client configuration.
pub(crate) fn resolve(config: &Value, terraform_version: &str, env: &dyn Env) -> Resolution {
    let mut diags = Diagnostics::new();
    let s = read_all(config, env, &mut diags);
    if let Some(refusal) = clear_text_refusal(&s) {
        diags.push(refusal);
    }
    if diags.has_errors() {
        return Resolution::Failed(diags);
    }
    let any_unknown = matches!(s.key_id, Read::Unknown)
        || matches!(s.key_password, Read::Unknown)
        || matches!(s.token, Read::Unknown)
        || matches!(s.domain, Read::Unknown)
        || matches!(s.scheme, Read::Unknown)
        || matches!(s.client_timeout, Read::Unknown)
        || matches!(s.max_retries, Read::Unknown)
        || matches!(s.plan_checks, Read::Unknown)
        || matches!(s.ca_bundle, Read::Unknown);
    if any_unknown {
        return Resolution::Deferred;
    }
    let credentials = match credentials(&s) {
        Ok(c) => c,
        Err(d) => {
            diags.push(d);
            return Resolution::Failed(diags);
        }
    };
    if let Some(w) = token_wins(&s, &credentials) {
        diags.push(w);
    }
    let domain = value_or(s.domain, DEFAULT_DOMAIN.to_owned());
    let scheme = value_or(s.scheme, Scheme::Https);
    let client = ClientConfig {
        credentials,
        scheme,
        domain,
        client_timeout: value_or(s.client_timeout, DEFAULT_CLIENT_TIMEOUT),
        max_retries: value_or(s.max_retries, DEFAULT_MAX_RETRIES),
        user_agent: user_agent(terraform_version, env),
        extra_roots: value_or(s.ca_bundle, ExtraRoots::none()),
    };
    Resolution::Ready(
        Box::new(Resolved {
            client,
            plan_checks: value_or(s.plan_checks, PlanChecks::Error),
        }),
        diags,
    )
}

fn value_or<T>(r: Read<T>, default: T) -> T {
    match r {
        Read::Set(v, _) => v,
        Read::Unset | Read::Unknown => default,
    }
}

fn source_of<T>(r: &Read<T>) -> Option<Source> {
    match r {
        Read::Set(_, src) => Some(*src),
        _ => None,
    }
}

fn credentials(s: &Settings) -> Result<Credentials, Diagnostic> {
    let token_src = source_of(&s.token);
    let key_from_attr = source_of(&s.key_id) == Some(Source::Attr)
        || source_of(&s.key_password) == Some(Source::Attr);
    let key_any = source_of(&s.key_id).is_some() || source_of(&s.key_password).is_some();
    let use_token = match token_src {
        Some(Source::Attr) => true,
        Some(Source::Env) => !key_from_attr,
        None => false,
    };
    if use_token && let Read::Set(token, _) = &s.token {
        return Ok(Credentials::Token(token.as_str().into()));
    }
    match (&s.key_id, &s.key_password) {
        (Read::Set(id, _), Read::Set(password, _)) => Ok(Credentials::AccessKey {
            id: id.clone(),
            password: password.as_str().into(),
        }),
        (Read::Set(..), _) => Err(half_pair(ACCESS_KEY_ID, ACCESS_KEY_PASSWORD)),
        (_, Read::Set(..)) => Err(half_pair(ACCESS_KEY_PASSWORD, ACCESS_KEY_ID)),
        _ => {
            debug_assert!(!key_any);
            Err(Diagnostic::error(
                "No Zenlayer credentials are configured",
                format!(
                    "The provider needs credentials to call the Zenlayer API. Set {CREDENTIAL_SETTINGS_TEXT}. \
                     Access keys and tokens are created in zenConsole."
                ),
            ))
        }
    }
}

/// One warning when a token and (part of) a key pair are both set and the token is used, so
/// that nobody debugs a key pair the provider never sends.
fn token_wins(s: &Settings, used: &Credentials) -> Option<Diagnostic> {
    if !matches!(used, Credentials::Token(_)) {
        return None;
    }
    let key_set = source_of(&s.key_id).is_some() || source_of(&s.key_password).is_some();
    if !key_set {
        return None;
    }
    let where_ = |src: Option<Source>, setting: Setting| match src {
        Some(Source::Attr) => format!("`{}` in the provider block", setting.attr),
        _ => format!("the {} environment variable", setting.env),
    };
    let key_src = source_of(&s.key_id).or(source_of(&s.key_password));
    let d = Diagnostic::warning(
        "Both an access token and an access key pair are set: the token is used",
        format!(
            "The provider authenticates with the access token from {}. The access key pair \
             (from {}) is not used. Remove the credentials you do not mean to use, so that \
             an authentication error points at the right ones.",
            where_(source_of(&s.token), ACCESS_TOKEN),
            where_(key_src, ACCESS_KEY_ID),
        ),
    );
    // No attribute path: Terraform would print the configuration line, token and all.
    Some(d)
}

fn half_pair(present: Setting, missing: Setting) -> Diagnostic {
    Diagnostic::error(
        "Incomplete Zenlayer access key pair",
        format!(
            "`{}` (or {}) is set but `{}` is not. Set `{}` in the provider block or the {} \
             environment variable, or use an access token instead (`{}` or {}).",
            present.attr,
            present.env,
            missing.attr,
            missing.attr,
            missing.env,
            ACCESS_TOKEN.attr,
            ACCESS_TOKEN.env
        ),
    )
    .at(AttributePath::root(missing.attr))
}

/// `terraform-provider-zenlayer/<version> Terraform/<version>`, plus `TF_APPEND_USER_AGENT`.
pub(crate) fn user_agent(terraform_version: &str, env: &dyn Env) -> String {
    let tf = if terraform_version.is_empty() {
        "unknown"
    } else {
        terraform_version
    };
    let mut ua = format!(
        "terraform-provider-zenlayer/{} Terraform/{tf}",
        crate::VERSION
    );
    if let Some(extra) = env.var("TF_APPEND_USER_AGENT") {
        let extra = extra.trim();
        if !extra.is_empty() {
            ua.push(' ');
            ua.push_str(extra);
        }
    }
    ua
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::framework::Severity;

    struct MapEnv(HashMap<&'static str, &'static str>);

    impl Env for MapEnv {
        fn var(&self, name: &str) -> Option<String> {
            self.0.get(name).map(|s| (*s).to_owned())
        }
    }

    fn env(pairs: &[(&'static str, &'static str)]) -> MapEnv {
        MapEnv(pairs.iter().copied().collect())
    }

    fn config(pairs: &[(&str, Value)]) -> Value {
        let mut attrs: std::collections::BTreeMap<String, Value> = ALL
            .iter()
            .map(|s| (s.attr.to_owned(), Value::Null))
            .collect();
        for (k, v) in pairs {
            attrs.insert((*k).to_owned(), v.clone());
        }
        Value::Object(attrs)
    }

    fn s(text: &str) -> Value {
        Value::string(text)
    }

    fn n(i: i64) -> Value {
        Value::Number(Number::Int(i))
    }

    fn keys() -> Vec<(&'static str, Value)> {
        vec![
            ("access_key_id", s("AKID")),
            ("access_key_password", s("secret-pw")),
        ]
    }

    fn ready(r: Resolution) -> (Resolved, Diagnostics) {
        match r {
            Resolution::Ready(r, d) => (*r, d),
            other => panic!("expected a ready configuration, got {other:?}"),
        }
    }

    #[test]
    fn every_attribute_is_documented_with_its_env_var() {
        let schema = schema();
        assert_eq!(schema.block.attributes.len(), ALL.len());
        for (attr, setting) in schema.block.attributes.iter().zip(ALL) {
            assert_eq!(attr.name, setting.attr);
            assert!(attr.optional && !attr.required, "{}", attr.name);
            assert!(
                attr.description.contains(setting.env),
                "{} does not mention {}",
                attr.name,
                setting.env
            );
            assert!(
                attr.description.len() > 60,
                "{} is thinly documented",
                attr.name
            );
        }
        for secret in ["access_key_password", "access_token"] {
            assert!(
                schema.block.attribute(secret).unwrap().sensitive,
                "{secret}"
            );
        }
    }

    #[test]
    fn defaults_are_documented_where_there_are_defaults() {
        let schema = schema();
        let doc = |name: &str| schema.block.attribute(name).unwrap().description.clone();
        assert!(doc("domain").contains(DEFAULT_DOMAIN));
        assert!(doc("scheme").contains("`https` (the default)"));
        assert!(doc("client_timeout").contains("Defaults to 30"));
        assert!(doc("max_retries").contains("Defaults to 5"));
        assert!(doc("plan_checks").contains("`error` (the default)"));
    }

    #[test]
    fn bad_arguments_are_reported_at_the_argument_with_the_fix() {
        let cases: Vec<(&str, Value, &str)> = vec![
            ("scheme", s("ftp"), "`https`"),
            ("scheme", s("https "), "`https`"),
            ("domain", s("https://console.zenlayer.com"), "scheme"),
            ("domain", s("console.zenlayer.com/api/v2"), "path"),
            ("domain", s(""), "empty"),
            ("domain", s("host:99999"), "port"),
            ("domain", s("host:abc"), "port"),
            ("domain", s("::1"), "brackets"),
            ("domain", s("bad host"), "whitespace"),
            ("client_timeout", n(0), "positive"),
            ("client_timeout", n(-5), "positive"),
            ("client_timeout", Value::Number(Number::Float(2.5)), "whole"),
            ("client_timeout", n(MAX_CLIENT_TIMEOUT_SECS + 1), "at most"),
            ("max_retries", n(-1), "negative"),
            ("max_retries", n(1_000_000), "at most"),
            ("plan_checks", s("maybe"), "`error`, `warn` or `off`"),
        ];
        for (attr, value, hint) in cases {
            let diags = validate(&config(&[(attr, value.clone())]), &env(&[]));
            let d: Vec<_> = diags.iter().collect();
            assert_eq!(d.len(), 1, "{attr} = {value:?}: {diags:?}");
            assert_eq!(d[0].severity, Severity::Error);
            assert_eq!(d[0].path, Some(AttributePath::root(attr)), "{attr}");
            assert!(
                d[0].detail.contains(&format!("`{attr}`")),
                "{attr}: {}",
                d[0].detail
            );
            assert!(
                d[0].detail.contains(hint),
                "{attr} = {value:?}: {}",
                d[0].detail
            );
        }
    }

    #[test]
    fn good_arguments_pass_validation() {
        let cases: Vec<(&str, Value)> = vec![
            ("scheme", s("HTTPS")),
            ("domain", s("console.zenlayer.com")),
            ("domain", s("127.0.0.1:8089")),
            ("domain", s("[::1]:8089")),
            ("domain", s("localhost")),
            ("client_timeout", n(1)),
            ("client_timeout", Value::Number(Number::Float(30.0))),
            ("max_retries", n(0)),
            ("max_retries", n(MAX_MAX_RETRIES)),
            ("plan_checks", s("WARN")),
            ("plan_checks", s("off")),
        ];
        for (attr, value) in cases {
            let diags = validate(&config(&[(attr, value.clone())]), &env(&[]));
            assert!(diags.is_empty(), "{attr} = {value:?}: {diags:?}");
        }
    }

    #[test]
    fn unknown_arguments_are_not_validated() {
        let cfg = config(&[
            ("scheme", Value::unknown()),
            ("domain", Value::unknown()),
            ("client_timeout", Value::unknown()),
        ]);
        // An unknown attribute hides the env var: the config will have a value.
        let diags = validate(&cfg, &env(&[("ZENLAYERCLOUD_SCHEME", "gopher")]));
        assert!(diags.is_empty(), "{diags:?}");
    }

    #[test]
    fn bad_environment_values_name_the_variable() {
        let cases = [
            ("ZENLAYERCLOUD_SCHEME", "ftp"),
            ("ZENLAYERCLOUD_DOMAIN", "http://x"),
            ("ZENLAYERCLOUD_CLIENT_TIMEOUT", "soon"),
            ("ZENLAYERCLOUD_CLIENT_TIMEOUT", "0"),
            ("ZENLAYERCLOUD_MAX_RETRIES", "-3"),
            ("ZENLAYERCLOUD_MAX_RETRIES", "99999"),
            ("ZENLAYERCLOUD_PLAN_CHECKS", "maybe"),
        ];
        for (var, value) in cases {
            let diags = validate(&config(&[]), &env(&[(var, value)]));
            let d: Vec<_> = diags.iter().collect();
            assert_eq!(d.len(), 1, "{var}={value}");
            assert!(d[0].summary.contains(var), "{}", d[0].summary);
            assert!(d[0].detail.contains(var), "{}", d[0].detail);
            assert_eq!(d[0].path, None, "an env var has no config line");
        }
    }

    #[test]
    fn attributes_win_over_environment_variables() {
        let mut cfg = keys();
        cfg.push(("domain", s("127.0.0.1:8089")));
        cfg.push(("scheme", s("http")));
        cfg.push(("max_retries", n(2)));
        let e = env(&[
            ("ZENLAYERCLOUD_DOMAIN", "example.com"),
            ("ZENLAYERCLOUD_SCHEME", "not-even-valid"),
            ("ZENLAYERCLOUD_MAX_RETRIES", "7"),
        ]);
        let (r, diags) = ready(resolve(&config(&cfg), "1.11.4", &e));
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(r.client.domain, "127.0.0.1:8089");
        assert_eq!(r.client.scheme, Scheme::Http);
        assert_eq!(r.client.max_retries, 2);
    }

    #[test]
    fn environment_variables_fill_unset_attributes() {
        let e = env(&[
            ("ZENLAYERCLOUD_ACCESS_KEY_ID", "AKID"),
            ("ZENLAYERCLOUD_ACCESS_KEY_PASSWORD", "pw"),
            ("ZENLAYERCLOUD_DOMAIN", "localhost:9000"),
            ("ZENLAYERCLOUD_SCHEME", "HTTP"),
            ("ZENLAYERCLOUD_CLIENT_TIMEOUT", "12"),
            ("ZENLAYERCLOUD_MAX_RETRIES", "0"),
            ("ZENLAYERCLOUD_PLAN_CHECKS", "off"),
        ]);
        let (r, diags) = ready(resolve(&config(&[]), "1.0.3", &e));
        assert!(diags.is_empty(), "{diags:?}");
        assert!(
            matches!(r.client.credentials, Credentials::AccessKey { ref id, .. } if id == "AKID")
        );
        assert_eq!(r.client.domain, "localhost:9000");
        assert_eq!(r.client.scheme, Scheme::Http);
        assert_eq!(r.client.client_timeout, Duration::from_secs(12));
        assert_eq!(r.client.max_retries, 0);
        assert_eq!(r.plan_checks, PlanChecks::Off);
    }

    #[test]
    fn defaults_apply_when_nothing_is_set() {
        let (r, _) = ready(resolve(&config(&keys()), "1.11.4", &env(&[])));
        assert_eq!(r.client.domain, DEFAULT_DOMAIN);
        assert_eq!(r.client.scheme, Scheme::Https);
        assert_eq!(r.client.client_timeout, DEFAULT_CLIENT_TIMEOUT);
        assert_eq!(r.client.max_retries, DEFAULT_MAX_RETRIES);
        assert_eq!(r.plan_checks, PlanChecks::Error);
    }

    #[test]
    fn empty_environment_variables_count_as_unset() {
        let e = env(&[
            ("ZENLAYERCLOUD_SCHEME", ""),
            ("ZENLAYERCLOUD_MAX_RETRIES", ""),
        ]);
        let (r, diags) = ready(resolve(&config(&keys()), "1.11.4", &e));
        assert!(diags.is_empty());
        assert_eq!(r.client.scheme, Scheme::Https);
    }

    #[test]
    fn missing_credentials_name_both_ways_to_set_them() {
        let Resolution::Failed(diags) = resolve(&config(&[]), "1.11.4", &env(&[])) else {
            panic!("expected failure");
        };
        let d: Vec<_> = diags.iter().collect();
        assert_eq!(d.len(), 1);
        for needle in [
            "access_token",
            "ZENLAYERCLOUD_ACCESS_TOKEN",
            "access_key_id",
            "access_key_password",
            "ZENLAYERCLOUD_ACCESS_KEY_ID",
            "ZENLAYERCLOUD_ACCESS_KEY_PASSWORD",
        ] {
            assert!(
                d[0].detail.contains(needle),
                "missing {needle}: {}",
                d[0].detail
            );
        }
    }

    #[test]
    fn half_a_key_pair_names_the_missing_half() {
        let cfg = config(&[("access_key_id", s("AKID"))]);
        let Resolution::Failed(diags) = resolve(&cfg, "1.11.4", &env(&[])) else {
            panic!("expected failure");
        };
        let d = diags.iter().next().unwrap();
        assert_eq!(d.path, Some(AttributePath::root("access_key_password")));
        assert!(d.detail.contains("ZENLAYERCLOUD_ACCESS_KEY_PASSWORD"));
    }

    #[test]
    fn a_key_pair_may_mix_attribute_and_environment() {
        let cfg = config(&[("access_key_id", s("AKID"))]);
        let e = env(&[("ZENLAYERCLOUD_ACCESS_KEY_PASSWORD", "pw")]);
        let (r, _) = ready(resolve(&cfg, "1.11.4", &e));
        assert!(
            matches!(r.client.credentials, Credentials::AccessKey { ref id, ref password } if id == "AKID" && password.expose() == "pw")
        );
    }

    #[test]
    fn token_precedence_follows_the_documented_levels() {
        let token = |c: &Credentials| matches!(c, Credentials::Token(t) if t.expose() == "tok");
        // Same level (attributes): the token wins.
        let mut cfg = keys();
        cfg.push(("access_token", s("tok")));
        let (r, _) = ready(resolve(&config(&cfg), "1", &env(&[])));
        assert!(token(&r.client.credentials));
        // Same level (environment): the token wins.
        let e = env(&[
            ("ZENLAYERCLOUD_ACCESS_TOKEN", "tok"),
            ("ZENLAYERCLOUD_ACCESS_KEY_ID", "AKID"),
            ("ZENLAYERCLOUD_ACCESS_KEY_PASSWORD", "pw"),
        ]);
        let (r, _) = ready(resolve(&config(&[]), "1", &e));
        assert!(token(&r.client.credentials));
        // A key pair in the block wins over a token from the environment.
        let e = env(&[("ZENLAYERCLOUD_ACCESS_TOKEN", "tok")]);
        let (r, _) = ready(resolve(&config(&keys()), "1", &e));
        assert!(matches!(
            r.client.credentials,
            Credentials::AccessKey { .. }
        ));
        // A token in the block wins over a key pair from the environment.
        let e = env(&[
            ("ZENLAYERCLOUD_ACCESS_KEY_ID", "AKID"),
            ("ZENLAYERCLOUD_ACCESS_KEY_PASSWORD", "pw"),
        ]);
        let (r, _) = ready(resolve(&config(&[("access_token", s("tok"))]), "1", &e));
        assert!(token(&r.client.credentials));
    }

    /// The one refusal a configuration with `http` to a remote host gets, from validate and
    /// from configure alike.
    fn clear_text_refusals(cfg: &[(&str, Value)], e: &MapEnv) -> Vec<Diagnostic> {
        let validated: Vec<Diagnostic> = validate(&config(cfg), e).iter().cloned().collect();
        let Resolution::Failed(configured) = resolve(&config(cfg), "1", e) else {
            panic!("configure accepted {cfg:?}");
        };
        let configured: Vec<Diagnostic> = configured.iter().cloned().collect();
        assert_eq!(validated, configured, "validate and configure disagree");
        validated
    }

    #[test]
    fn a_token_beside_a_key_pair_is_used_and_one_warning_says_so() {
        let mut cfg = keys();
        cfg.push(("access_token", s("tok")));
        let (_, warnings) = ready(resolve(&config(&cfg), "1", &env(&[])));
        let w: Vec<_> = warnings.iter().collect();
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].summary.contains("the token is used"));
        assert_eq!(
            w[0].path, None,
            "a path would make Terraform print the token's line"
        );
        assert!(!w[0].detail.contains("tok\"") && !w[0].detail.contains("pw"));
        // A key pair alone, or a token alone, says nothing.
        let (_, none) = ready(resolve(&config(&keys()), "1", &env(&[])));
        assert!(none.is_empty());
        let (_, none) = ready(resolve(
            &config(&[("access_token", s("tok"))]),
            "1",
            &env(&[]),
        ));
        assert!(none.is_empty());
        // A key pair in the block beats an environment token: no warning either.
        let e = env(&[("ZENLAYERCLOUD_ACCESS_TOKEN", "tok")]);
        let (_, none) = ready(resolve(&config(&keys()), "1", &e));
        assert!(none.is_empty());
    }

    #[test]
    fn http_to_a_remote_host_is_refused_at_scheme_with_why_and_what_to_do() {
        for remote in [
            "api.example.com",
            "console.zenlayer.com:80",
            "10.0.0.8:8089",
            "[2001:db8::1]:80",
            // `*.localhost` may be resolved (or proxied) elsewhere: the same rule as the
            // proxy bypass, which sends it through a configured proxy.
            "sim.localhost",
        ] {
            let mut cfg = keys();
            cfg.push(("scheme", s("http")));
            cfg.push(("domain", s(remote)));
            let d = clear_text_refusals(&cfg, &env(&[]));
            assert_eq!(d.len(), 1, "{remote}: {d:?}");
            assert_eq!(d[0].severity, Severity::Error, "{remote}");
            assert_eq!(d[0].summary, "Plain HTTP is allowed only to this machine");
            assert_eq!(d[0].path, Some(AttributePath::root("scheme")), "{remote}");
            for needle in [
                remote,
                "clear text",
                "replayed",
                "`scheme = \"https\"`",
                "zenlayer-sim",
                "127.0.0.1",
            ] {
                assert!(
                    d[0].detail.contains(needle),
                    "{remote}: no {needle:?} in {}",
                    d[0].detail
                );
            }
        }
        // No `domain`: the public endpoint, which is not this machine either.
        let mut cfg = keys();
        cfg.push(("scheme", s("HTTP")));
        let d = clear_text_refusals(&cfg, &env(&[]));
        assert_eq!(d.len(), 1);
        assert!(d[0].detail.contains(DEFAULT_DOMAIN), "{}", d[0].detail);
    }

    #[test]
    fn http_from_the_environment_to_a_remote_host_is_refused_naming_the_variable() {
        let mut cfg = keys();
        cfg.push(("domain", s("api.example.com")));
        let d = clear_text_refusals(&cfg, &env(&[("ZENLAYERCLOUD_SCHEME", "http")]));
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(
            d[0].path, None,
            "an environment variable has no config line"
        );
        assert!(
            d[0].detail.contains("ZENLAYERCLOUD_SCHEME"),
            "{}",
            d[0].detail
        );
        // Both from the environment.
        let d = clear_text_refusals(
            &keys(),
            &env(&[
                ("ZENLAYERCLOUD_SCHEME", "http"),
                ("ZENLAYERCLOUD_DOMAIN", "api.example.com"),
            ]),
        );
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].detail.contains("api.example.com"), "{}", d[0].detail);
    }

    #[test]
    fn http_to_loopback_is_silent() {
        for local in [
            "127.0.0.1:8089",
            "localhost",
            "LOCALHOST:1",
            "[::1]:80",
            "127.8.9.1",
        ] {
            let mut cfg = keys();
            cfg.push(("scheme", s("Http")));
            cfg.push(("domain", s(local)));
            assert!(validate(&config(&cfg), &env(&[])).is_empty(), "{local}");
            let (_, diags) = ready(resolve(&config(&cfg), "1", &env(&[])));
            assert!(diags.is_empty(), "{local}: {diags:?}");
        }
    }

    #[test]
    fn http_with_a_domain_known_only_at_apply_is_judged_at_configure() {
        let mut cfg = keys();
        cfg.push(("scheme", s("http")));
        cfg.push(("domain", Value::unknown()));
        assert!(validate(&config(&cfg), &env(&[])).is_empty());
        assert!(matches!(
            resolve(&config(&cfg), "1", &env(&[])),
            Resolution::Deferred
        ));
        let mut cfg = keys();
        cfg.push(("scheme", Value::unknown()));
        cfg.push(("domain", s("api.example.com")));
        assert!(validate(&config(&cfg), &env(&[])).is_empty());
        // Once known, configure refuses it (validate has already run by then).
        let mut cfg = keys();
        cfg.push(("scheme", s("http")));
        cfg.push(("domain", s("api.example.com")));
        assert!(matches!(
            resolve(&config(&cfg), "1", &env(&[])),
            Resolution::Failed(_)
        ));
    }

    #[test]
    fn unknown_values_defer_configuration() {
        let mut cfg = keys();
        cfg.push(("domain", Value::unknown()));
        assert!(matches!(
            resolve(&config(&cfg), "1", &env(&[])),
            Resolution::Deferred
        ));
    }

    #[test]
    fn secrets_never_appear_in_diagnostics() {
        let cfg = config(&[
            ("access_key_password", s("secret-pw")),
            ("access_token", Value::Null),
            ("scheme", s("bogus")),
        ]);
        for diags in [
            validate(&cfg, &env(&[])),
            match resolve(&cfg, "1", &env(&[])) {
                Resolution::Failed(d) => d,
                other => panic!("{other:?}"),
            },
        ] {
            for d in &diags {
                assert!(!d.detail.contains("secret-pw") && !d.summary.contains("secret-pw"));
            }
        }
    }

    #[test]
    fn credentials_that_cannot_be_sent_are_refused_at_their_argument_without_repeating_secrets() {
        let cases: Vec<(&str, &str, &str)> = vec![
            ("access_token", "tok\nen", "whitespace"),
            ("access_token", "token-secret\u{7}", "HTTP header"),
            ("access_token", "tøken-secret", "HTTP header"),
            ("access_token", "", "empty"),
            ("access_key_id", "AKID\n", "`trimspace()`"),
            ("access_key_id", "AK ID", "whitespace"),
            ("access_key_password", "", "empty"),
        ];
        for (attr, value, hint) in cases {
            let diags = validate(&config(&[(attr, s(value))]), &env(&[]));
            let d: Vec<_> = diags.iter().collect();
            assert_eq!(d.len(), 1, "{attr} = {value:?}: {diags:?}");
            assert_eq!(d[0].path, Some(AttributePath::root(attr)));
            assert!(
                d[0].detail.contains(&format!("`{attr}`")),
                "{}",
                d[0].detail
            );
            assert!(
                d[0].detail.contains(hint),
                "{attr} = {value:?}: {}",
                d[0].detail
            );
            if attr != "access_key_id" && !value.is_empty() {
                assert!(!d[0].detail.contains(value), "{}", d[0].detail);
                assert!(!d[0].detail.contains("secret"), "{}", d[0].detail);
            }
        }
        let diags = validate(
            &config(&[]),
            &env(&[("ZENLAYERCLOUD_ACCESS_TOKEN", "token-secret\n")]),
        );
        let d = diags.iter().next().expect("one error");
        assert!(d.summary.contains("ZENLAYERCLOUD_ACCESS_TOKEN"));
        assert!(!d.detail.contains("token-secret"), "{}", d.detail);
    }

    #[test]
    fn long_values_are_cut_short_in_messages() {
        let long = "h".repeat(10_000);
        let diags = validate(
            &config(&[("domain", s(&format!("{long}/path")))]),
            &env(&[]),
        );
        let d = diags.iter().next().expect("one error");
        assert!(d.detail.len() < 1000, "{} bytes", d.detail.len());
        assert!(d.detail.contains("10005 characters"), "{}", d.detail);
    }

    #[test]
    fn user_agent_names_provider_and_terraform_and_appends_tf_append_user_agent() {
        assert_eq!(
            user_agent("1.11.4", &env(&[])),
            format!(
                "terraform-provider-zenlayer/{} Terraform/1.11.4",
                crate::VERSION
            )
        );
        assert_eq!(
            user_agent("1.0.3", &env(&[("TF_APPEND_USER_AGENT", "ci/42 team/net")])),
            format!(
                "terraform-provider-zenlayer/{} Terraform/1.0.3 ci/42 team/net",
                crate::VERSION
            )
        );
        assert!(!user_agent("1.0.3", &env(&[("TF_APPEND_USER_AGENT", "  ")])).ends_with(' '));
    }
}
