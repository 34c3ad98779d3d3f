//! The settings put together: offline validation, and resolving into a `ClientConfig`.

use std::time::Duration;

use super::*;
use crate::cty::Value;
use crate::framework::{AttributePath, Diagnostic, Diagnostics};
use crate::untrusted::quoted;
use crate::zenlayer::{ClientConfig, Credentials, ExtraRoots, Scheme};

/// Every checked setting, before credentials are put together.
pub(super) struct Settings {
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

pub(super) fn read_all(config: &Value, env: &dyn Env, diags: &mut Diagnostics) -> Settings {
    let c = config;
    Settings {
        key_id: read(c, ACCESS_KEY_ID, env, parse_header_credential, diags),
        key_password: read(c, ACCESS_KEY_PASSWORD, env, parse_password, diags),
        token: read(c, ACCESS_TOKEN, env, parse_header_credential, diags),
        domain: read(c, DOMAIN, env, parse_domain, diags),
        scheme: read(c, SCHEME, env, parse_scheme, diags),
        client_timeout: read(c, CLIENT_TIMEOUT, env, parse_client_timeout, diags),
        max_retries: read(c, MAX_RETRIES, env, parse_max_retries, diags),
        plan_checks: read(c, PLAN_CHECKS, env, parse_plan_checks, diags),
        ca_bundle: read(c, CA_BUNDLE, env, parse_ca_bundle, diags),
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
pub(super) fn clear_text_refusal(s: &Settings) -> Option<Diagnostic> {
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

pub(super) fn value_or<T>(r: Read<T>, default: T) -> T {
    match r {
        Read::Set(v, _) => v,
        Read::Unset | Read::Unknown => default,
    }
}

pub(super) fn source_of<T>(r: &Read<T>) -> Option<Source> {
    match r {
        Read::Set(_, src) => Some(*src),
        _ => None,
    }
}

pub(super) fn credentials(s: &Settings) -> Result<Credentials, Diagnostic> {
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
pub(super) fn token_wins(s: &Settings, used: &Credentials) -> Option<Diagnostic> {
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

pub(super) fn half_pair(present: Setting, missing: Setting) -> Diagnostic {
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
