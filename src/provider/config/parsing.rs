//! Reading one setting (attribute, then environment) and checking its text.

use std::time::Duration;

use super::*;
use crate::cty::{Number, Value};
use crate::framework::{AttributePath, Diagnostic, Diagnostics};
use crate::untrusted::quoted;
use crate::zenlayer::{ExtraRoots, Scheme, read_ca_bundle};

/// A setting's value, and where it came from (for messages that name the source).
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Raw {
    Unset,
    Unknown,
    Attr(Value),
    Env(String),
}

pub(super) fn raw(config: &Value, s: Setting, env: &dyn Env) -> Raw {
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
pub(super) enum Read<T> {
    Unset,
    Unknown,
    Set(T, Source),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Source {
    Attr,
    Env,
}

/// Reads and checks one setting. `parse` sees the text (strings) or the number's text
/// (numbers); its error completes "… is not valid: ".
pub(super) fn read<T>(
    config: &Value,
    s: Setting,
    env: &dyn Env,
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
            diags.push(invalid(s, source, &text, &problem));
            Read::Unset
        }
    }
}

pub(super) fn number_text(n: &Number) -> String {
    match n {
        Number::Int(i) => i.to_string(),
        Number::Float(f) => f.to_string(),
        Number::Decimal(d) => d.clone(),
    }
}

/// The error for a value `parse` refused, with the setting's own noun and fix.
pub(super) fn invalid(s: Setting, source: Source, text: &str, problem: &str) -> Diagnostic {
    let (what, fix) = (s.noun, s.fix());
    // A secret is never repeated, not even a wrong one: it may be a real secret mistyped.
    let is = if s.is_secret() {
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

pub(super) fn parse_scheme(text: &str) -> Result<Scheme, String> {
    if text.eq_ignore_ascii_case("https") {
        Ok(Scheme::Https)
    } else if text.eq_ignore_ascii_case("http") {
        Ok(Scheme::Http)
    } else {
        Err("only `https` and `http` are supported".into())
    }
}

pub(super) fn parse_domain(text: &str) -> Result<String, String> {
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
pub(super) fn split_host_port(text: &str) -> Result<(&str, Option<&str>), String> {
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

pub(super) fn parse_whole(text: &str) -> Result<i64, String> {
    if let Ok(i) = text.trim().parse::<i64>() {
        return Ok(i);
    }
    match text.trim().parse::<f64>() {
        Ok(f) if f.fract() == 0.0 && f.abs() < 1e15 => Ok(f as i64),
        Ok(_) => Err("it must be a whole number".into()),
        Err(_) => Err("it is not a number".into()),
    }
}

pub(super) fn parse_client_timeout(text: &str) -> Result<Duration, String> {
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

pub(super) fn parse_max_retries(text: &str) -> Result<u32, String> {
    let n = parse_whole(text)?;
    if n < 0 {
        return Err("it cannot be negative".into());
    }
    if n > MAX_MAX_RETRIES {
        return Err(format!("it must be at most {MAX_MAX_RETRIES}"));
    }
    u32::try_from(n).map_err(|_| "it is out of range".to_string())
}

pub(super) fn parse_plan_checks(text: &str) -> Result<PlanChecks, String> {
    match text.to_ascii_lowercase().as_str() {
        "error" => Ok(PlanChecks::Error),
        "warn" => Ok(PlanChecks::Warn),
        "off" => Ok(PlanChecks::Off),
        _ => Err("it must be `error`, `warn` or `off`".into()),
    }
}

/// A CA bundle path: read now, so `terraform validate` reports a bad file.
pub(super) fn parse_ca_bundle(text: &str) -> Result<ExtraRoots, String> {
    if text.trim().is_empty() {
        return Err("it is empty".into());
    }
    read_ca_bundle(std::path::Path::new(text))
}

/// An access key ID or token: both travel in the `Authorization` header, so a stray space or
/// line break (typically from `file()`) would otherwise surface as an authentication failure.
pub(super) fn parse_header_credential(text: &str) -> Result<String, String> {
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
pub(super) fn parse_password(text: &str) -> Result<String, String> {
    if text.is_empty() {
        return Err(
            "it is empty; remove the argument (or set it to null) to leave it unset".into(),
        );
    }
    Ok(text.to_owned())
}
