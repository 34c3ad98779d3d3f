//! What the client logs: each call with its action, attempt, status and request id; retries
//! with their reason; and never a password, token, Authorization value or signature.

mod client_support;
#[path = "support/says.rs"]
mod says;

use std::sync::{Arc, Mutex};

use client_support::*;
use says::assert_says_all;
use serde_json::json;
use tpz::zenlayer::Credentials;
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// Every event as one line: `LEVEL target message field=value …`.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<String>>>);

struct Line(String);

impl Visit for Line {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={:?}", field.name(), value));
    }
}

impl<S: tracing::Subscriber> Layer<S> for Capture {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let meta = event.metadata();
        let mut line = Line(format!("{} {}", meta.level(), meta.target()));
        event.record(&mut line);
        self.0
            .lock()
            .expect("a test thread panicked while holding the lock")
            .push(line.0);
    }
}

impl Capture {
    fn lines(&self) -> Vec<String> {
        self.0
            .lock()
            .expect("a test thread panicked while holding the lock")
            .clone()
    }
}

#[tokio::test]
async fn calls_are_logged_with_action_attempt_status_and_request_id_but_never_secrets() {
    let capture = Capture::default();
    let _guard =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(capture.clone()));

    let server = ApiServer::scripted(|rec, n| match (rec.action.as_str(), n) {
        (_, 0) => Reply::error(429, "REQUEST_LIMIT_EXCEEDED"),
        ("AttachNetworkInterface", _) => Reply::ok(json!({})),
        _ => Reply::error(400, "INVALID_NIC_STATUS"),
    })
    .await;
    let hmac = client(server.addr);
    hmac.attach_network_interface("nic-1", "ins-1", &no_limits())
        .await
        .unwrap();
    hmac.detach_network_interface("nic-1", &no_limits())
        .await
        .unwrap_err();
    let mut token_config = config(server.addr);
    token_config.credentials = Credentials::Token(TOKEN.into());
    client_with(token_config)
        .detach_network_interface("nic-1", &no_limits())
        .await
        .unwrap_err();

    let lines = capture.lines();
    let text = lines.join("\n");
    let succeeded = lines
        .iter()
        .find(|l| l.contains("API call succeeded"))
        .unwrap_or_else(|| panic!("no success line in:\n{text}"));
    assert_says_all(
        succeeded,
        &[
            "DEBUG zenlayer.api",
            "action=\"AttachNetworkInterface\"",
            "attempt=2",
            "http_status=200",
            "request_id=T-ok",
            "elapsed_ms=",
        ],
    );
    let retry = lines
        .iter()
        .find(|l| l.contains("retrying API call"))
        .unwrap_or_else(|| panic!("no retry line in:\n{text}"));
    assert!(retry.starts_with("WARN zenlayer.api"), "{retry}");
    assert!(retry.contains("REQUEST_LIMIT_EXCEEDED"), "{retry}");
    assert!(text.contains("INVALID_NIC_STATUS"), "{text}");

    let mut secrets = vec![
        AK_PASSWORD.to_owned(),
        TOKEN.to_owned(),
        "Credential=".to_owned(),
        "Bearer".to_owned(),
    ];
    for r in server.requests() {
        let auth = r.header("authorization").unwrap().to_owned();
        if let Some(sig) = auth.split("Signature=").nth(1) {
            secrets.push(sig.to_owned());
        }
        secrets.push(auth);
    }
    assert_eq!(server.hits(), 4);
    for secret in &secrets {
        assert!(
            !text.contains(secret.as_str()),
            "{secret:?} leaked into:\n{text}"
        );
    }
}

#[tokio::test]
async fn a_write_that_could_not_connect_is_retried_because_it_never_left() {
    let capture = Capture::default();
    let _guard =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(capture.clone()));
    let closed = ClosedPort::reserve();
    let mut c = config(closed.addr());
    c.max_retries = 2;

    let err = client_with(c)
        .attach_network_interface("nic-1", "ins-1", &no_limits())
        .await
        .unwrap_err();

    assert!(
        matches!(err, tpz::zenlayer::Error::Network { .. }),
        "{err:?}"
    );
    let lines = capture.lines();
    let retries = lines
        .iter()
        .filter(|l| l.contains("retrying API call"))
        .count();
    let attempts = lines
        .iter()
        .filter(|l| l.contains("API call not sent"))
        .count();
    assert_eq!((retries, attempts), (2, 3), "{lines:#?}");
}
