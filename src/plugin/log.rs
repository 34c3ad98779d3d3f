//! hclog-style JSON log lines on stderr, which go-plugin re-logs through Terraform's logger
//! under the provider's name (`TF_LOG=debug terraform plan` shows them).
//!
//! Level: `TF_LOG_PROVIDER_ZENLAYER`, else `TF_LOG_PROVIDER`, else `TF_LOG`; `JSON` means trace
//! and any other unrecognised value means trace too, as in Terraform. Unset, empty or `OFF`
//! means warnings and errors only: Terraform drops them unless logging is on, and they cost
//! nothing otherwise. Events from other crates (hyper, h2, tonic) are capped at warn, so
//! trace output stays about the provider.
//!
//! The layer writes every field it is given; keeping secrets out is the job of the code that
//! logs (nothing in `plugin/` logs environment values or configuration). Text fields pass the
//! one rule for outside text ([`crate::untrusted`]): a string value is escaped and cut, a
//! composed one (an error, a debug dump) has its control characters escaped, so no raw escape
//! sequence from the API reaches the log, whichever code logged it.

use std::fmt::{self, Write as _};
use std::io::Write as _;

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

/// Installs the stderr JSON logger for the whole process, at the level the environment asks.
pub(crate) fn init() {
    let level = level_from(|key| std::env::var(key).ok());
    let layer = HclogLayer::new(|line: &[u8]| {
        // stderr is unbuffered: one write per line keeps lines whole under concurrency.
        let _ = std::io::stderr().lock().write_all(line);
    });
    let subscriber = tracing_subscriber::registry().with(layer.with_filter(filter(level)));
    // Fails only if a logger is already installed (a test harness), which is fine.
    let _ = tracing::subscriber::set_global_default(subscriber);
}

/// The provider's level from Terraform's variables, most specific first.
pub(crate) fn level_from(env: impl Fn(&str) -> Option<String>) -> LevelFilter {
    ["TF_LOG_PROVIDER_ZENLAYER", "TF_LOG_PROVIDER", "TF_LOG"]
        .into_iter()
        .filter_map(env)
        .map(|value| value.trim().to_ascii_uppercase())
        .find(|value| !value.is_empty())
        .map_or(LevelFilter::WARN, |value| match value.as_str() {
            "OFF" | "WARN" => LevelFilter::WARN,
            "ERROR" => LevelFilter::ERROR,
            "INFO" => LevelFilter::INFO,
            "DEBUG" => LevelFilter::DEBUG,
            _ => LevelFilter::TRACE,
        })
}

/// Our own events at `level`; everyone else's at most at warn.
fn filter(level: LevelFilter) -> Targets {
    Targets::new()
        .with_target("tpz", level)
        .with_target("terraform_provider_zenlayer", level)
        .with_target("zenlayer", level)
        .with_default(level.min(LevelFilter::WARN))
}

/// `@module` for an event: `zenlayer.api` for the API client, `zenlayer` for the rest of the
/// provider, a dotted target verbatim (`target: "zenlayer.sim"`), else the crate's name.
fn module_of(target: &str) -> &str {
    if !target.contains("::") {
        return match target {
            "tpz" | "terraform_provider_zenlayer" => "zenlayer",
            other => other,
        };
    }
    let crate_name = target.split("::").next().unwrap_or(target);
    match crate_name {
        "tpz" if target.starts_with("tpz::zenlayer") => "zenlayer.api",
        "tpz" | "terraform_provider_zenlayer" => "zenlayer",
        other => other,
    }
}

/// hclog's level names.
fn level_name(level: &Level) -> &'static str {
    match *level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

/// Now in Go's `2006-01-02T15:04:05.000000Z07:00`: exactly six fractional digits, UTC `Z`.
/// Terraform treats a line whose `@timestamp` does not parse as plain text.
fn timestamp(now: time::OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        now.microsecond()
    )
}

/// Turns `tracing` events into one hclog JSON object per line.
pub(crate) struct HclogLayer<W> {
    write: W,
}

impl<W: Fn(&[u8]) + Send + Sync + 'static> HclogLayer<W> {
    /// `write` receives each finished line, newline included.
    pub(crate) fn new(write: W) -> Self {
        HclogLayer { write }
    }
}

/// Fields recorded on a span, copied into the lines of events inside it.
struct SpanFields(Map<String, Value>);

impl<S, W> Layer<S> for HclogLayer<W>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: Fn(&[u8]) + Send + Sync + 'static,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = Map::new();
        attrs.record(&mut JsonVisitor(&mut fields));
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(SpanFields(fields));
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id)
            && let Some(SpanFields(fields)) = span.extensions_mut().get_mut::<SpanFields>()
        {
            values.record(&mut JsonVisitor(fields));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut line = Map::new();
        if let Some(scope) = ctx.event_scope(event) {
            for span in scope.from_root() {
                if let Some(SpanFields(fields)) = span.extensions().get::<SpanFields>() {
                    line.extend(fields.iter().map(|(k, v)| (k.clone(), v.clone())));
                }
            }
        }
        event.record(&mut JsonVisitor(&mut line));
        let message = line
            .remove("message")
            .unwrap_or(Value::String(String::new()));
        let meta = event.metadata();
        line.insert("@level".into(), level_name(meta.level()).into());
        line.insert("@message".into(), message);
        line.insert("@module".into(), module_of(meta.target()).into());
        line.insert(
            "@timestamp".into(),
            timestamp(time::OffsetDateTime::now_utc()).into(),
        );
        let mut bytes = serde_json::to_vec(&Value::Object(line)).unwrap_or_default();
        bytes.push(b'\n');
        (self.write)(&bytes);
    }
}

/// Records field values as JSON, keeping numbers and booleans typed.
struct JsonVisitor<'a>(&'a mut Map<String, Value>);

impl Visit for JsonVisitor<'_> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name().into(), value.into());
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().into(), value.into());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().into(), value.into());
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().into(), value.into());
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0
            .insert(field.name().into(), crate::untrusted::inline(value).into());
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        // The whole cause chain: the interesting part of an error is often its source.
        let mut text = value.to_string();
        let mut source = value.source();
        while let Some(cause) = source {
            let _ = write!(text, ": {cause}");
            source = cause.source();
        }
        let text = crate::untrusted::defused(&text).into_owned();
        self.0.insert(field.name().into(), text.into());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let text = format!("{value:?}");
        let text = crate::untrusted::defused(&text).into_owned();
        self.0.insert(field.name().into(), text.into());
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// Runs `f` under a subscriber with the hclog layer at `level`; returns the lines written.
    fn capture(level: LevelFilter, f: impl FnOnce()) -> Vec<Value> {
        let buf = Arc::new(Mutex::new(Vec::<u8>::new()));
        let sink = buf.clone();
        let layer =
            HclogLayer::new(move |line: &[u8]| sink.lock().unwrap().extend_from_slice(line));
        let subscriber = tracing_subscriber::registry().with(layer.with_filter(filter(level)));
        tracing::subscriber::with_default(subscriber, f);
        let text = String::from_utf8(buf.lock().unwrap().clone()).unwrap();
        assert!(text.is_empty() || text.ends_with('\n'));
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn an_event_becomes_one_hclog_json_line_with_its_fields() {
        let lines = capture(LevelFilter::DEBUG, || {
            tracing::debug!(target: "tpz::provider", rpc = "PlanResourceChange", n = 3, ok = true, "planned");
        });
        assert_eq!(lines.len(), 1);
        let line = &lines[0];
        assert_eq!(line["@level"], "debug");
        assert_eq!(line["@message"], "planned");
        assert_eq!(line["@module"], "zenlayer");
        assert_eq!(line["rpc"], "PlanResourceChange");
        assert_eq!(line["n"], 3);
        assert_eq!(line["ok"], true);
        assert!(line.get("message").is_none());
    }

    #[test]
    fn text_fields_from_the_api_reach_the_log_escaped_and_cut() {
        let hostile = format!(
            "\u{1b}[2J\u{1b}]0;pwned\u{7}\nApply complete!{}",
            "x".repeat(3000)
        );
        let err = std::io::Error::other(hostile.clone());
        let lines = capture(LevelFilter::DEBUG, || {
            tracing::debug!(target: "tpz::zenlayer::client", request_id = hostile.as_str(), shown = %hostile, error = &err as &dyn std::error::Error, "API call failed");
        });
        let line = &lines[0];
        for field in ["request_id", "shown", "error"] {
            let text = line[field].as_str().unwrap_or_default();
            assert!(text.contains("\\x1b[2J"), "{field}: {text}");
            assert!(!text.chars().any(char::is_control), "{field}: {text:?}");
        }
        let request_id = line["request_id"].as_str().unwrap_or_default();
        assert!(
            request_id.ends_with("… (cut: 3030 characters in all)"),
            "{request_id}"
        );
    }

    #[test]
    fn timestamp_has_six_fractional_digits_and_utc_z() {
        let at = time::Date::from_calendar_date(2024, time::Month::March, 5)
            .unwrap()
            .with_hms_micro(7, 8, 9, 42)
            .unwrap()
            .assume_utc();
        assert_eq!(timestamp(at), "2024-03-05T07:08:09.000042Z");

        let lines = capture(LevelFilter::INFO, || tracing::info!(target: "tpz", "hello"));
        let ts = lines[0]["@timestamp"].as_str().unwrap();
        let shape: String = ts
            .chars()
            .map(|c| if c.is_ascii_digit() { '9' } else { c })
            .collect();
        assert_eq!(shape, "9999-99-99T99:99:99.999999Z");
    }

    #[test]
    fn span_fields_are_carried_and_event_fields_win() {
        let lines = capture(LevelFilter::TRACE, || {
            let span = tracing::info_span!(target: "tpz", "rpc", tf_rpc = "Configure", step = 1);
            let _g = span.enter();
            tracing::trace!(target: "tpz::zenlayer::client", step = 2, "sent");
        });
        assert_eq!(lines[0]["tf_rpc"], "Configure");
        assert_eq!(lines[0]["step"], 2);
        assert_eq!(lines[0]["@module"], "zenlayer.api");
        assert_eq!(lines[0]["@level"], "trace");
    }

    #[test]
    fn lines_below_the_level_and_chatty_dependencies_are_dropped() {
        let lines = capture(LevelFilter::DEBUG, || {
            tracing::trace!(target: "tpz", "too fine");
            tracing::debug!(target: "h2::codec", "frame");
            tracing::warn!(target: "h2::codec", "protocol trouble");
        });
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0]["@module"], "h2");
        assert_eq!(lines[0]["@level"], "warn");
    }

    #[test]
    fn errors_are_logged_with_their_causes() {
        #[derive(Debug, thiserror::Error)]
        #[error("request failed")]
        struct Outer(#[source] std::io::Error);
        let lines = capture(LevelFilter::WARN, || {
            let e = Outer(std::io::Error::other("connection reset"));
            tracing::error!(target: "tpz", error = &e as &dyn std::error::Error, "oops");
        });
        assert_eq!(lines[0]["error"], "request failed: connection reset");
        assert_eq!(lines[0]["@level"], "error");
    }

    #[test]
    fn module_names_follow_the_layers() {
        assert_eq!(module_of("tpz::zenlayer::transport"), "zenlayer.api");
        assert_eq!(module_of("tpz::protocol::service"), "zenlayer");
        assert_eq!(module_of("tpz"), "zenlayer");
        assert_eq!(module_of("zenlayer.sim"), "zenlayer.sim");
        assert_eq!(module_of("hyper_util::client"), "hyper_util");
    }

    #[test]
    fn level_comes_from_the_most_specific_variable() {
        let table: &[(&[(&str, &str)], LevelFilter)] = &[
            (&[], LevelFilter::WARN),
            (&[("TF_LOG", "")], LevelFilter::WARN),
            (&[("TF_LOG", "off")], LevelFilter::WARN),
            (&[("TF_LOG", "debug")], LevelFilter::DEBUG),
            (&[("TF_LOG", "JSON")], LevelFilter::TRACE),
            (&[("TF_LOG", "yes please")], LevelFilter::TRACE),
            (
                &[("TF_LOG", "trace"), ("TF_LOG_PROVIDER", "error")],
                LevelFilter::ERROR,
            ),
            (
                &[("TF_LOG", "trace"), ("TF_LOG_PROVIDER", " ")],
                LevelFilter::TRACE,
            ),
            (
                &[
                    ("TF_LOG_PROVIDER", "info"),
                    ("TF_LOG_PROVIDER_ZENLAYER", "Debug"),
                ],
                LevelFilter::DEBUG,
            ),
        ];
        for (vars, want) in table {
            let got = level_from(|k| {
                vars.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            });
            assert_eq!(got, *want, "{vars:?}");
        }
    }
}
