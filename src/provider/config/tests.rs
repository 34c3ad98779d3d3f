use std::collections::HashMap;

use super::*;
use std::time::Duration;

use crate::cty::{Number, Value};
use crate::framework::Severity;
use crate::framework::{AttributePath, Diagnostic, Diagnostics};
use crate::zenlayer::{Credentials, Scheme};

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
    assert!(matches!(r.client.credentials, Credentials::AccessKey { ref id, .. } if id == "AKID"));
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
