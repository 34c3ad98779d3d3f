//! A stand-in for the Zenlayer API that answers every call with the same kind of garbage: an
//! HTML page, an empty or cut-off body, JSON of the wrong shape, an enormous body, or statuses
//! no documentation lists. Scenarios point the provider's `domain` at it.

use axum::http::StatusCode;

use super::scripted_api::ScriptedApi;

/// What comes back instead of the API's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Garbage {
    /// HTTP 200 with a login page, as a captive portal or a misrouted proxy sends.
    LoginPage,
    /// HTTP 502 with a gateway's HTML error page.
    BadGatewayPage,
    /// HTTP 200 with no body at all.
    EmptyBody,
    /// HTTP 200 with JSON that stops half-way.
    TruncatedJson,
    /// HTTP 200 with a well-formed answer whose `response` lacks `dataSet`/`zoneSet`.
    MissingDataSet,
    /// HTTP 200 with 20 MiB of body.
    HugeBody,
    /// HTTP 200 with `OK` as plain text.
    PlainText,
    /// HTTP 200 with JSON nested far deeper than any answer.
    DeeplyNestedJson,
    /// Well-formed answers whose NIC and instance statuses no documentation lists.
    UnknownStatuses,
}

impl Garbage {
    /// Every kind, for table-driven scenarios.
    pub const ALL: [Garbage; 9] = [
        Garbage::LoginPage,
        Garbage::BadGatewayPage,
        Garbage::EmptyBody,
        Garbage::TruncatedJson,
        Garbage::MissingDataSet,
        Garbage::HugeBody,
        Garbage::PlainText,
        Garbage::DeeplyNestedJson,
        Garbage::UnknownStatuses,
    ];

    fn answer(self, action: &str) -> (StatusCode, &'static str, Vec<u8>) {
        let json = "application/json";
        let ok = StatusCode::OK;
        match self {
            Garbage::LoginPage => (
                ok,
                "text/html; charset=utf-8",
                b"<!DOCTYPE html><html><head><title>Sign in to continue</title></head>\
                  <body><form action=\"/login\"></form></body></html>"
                    .to_vec(),
            ),
            Garbage::BadGatewayPage => (
                StatusCode::BAD_GATEWAY,
                "text/html",
                b"<html><head><title>502 Bad Gateway</title></head><body><center>\
                  <h1>502 Bad Gateway</h1></center></body></html>"
                    .to_vec(),
            ),
            Garbage::EmptyBody => (ok, json, Vec::new()),
            Garbage::TruncatedJson => (
                ok,
                json,
                br#"{"requestId":"G-1","response":{"requestId":"G-1","totalCount":1,"dataSet":[{"nicId":"nic-app-1","sta"#
                    .to_vec(),
            ),
            Garbage::MissingDataSet => (
                ok,
                json,
                br#"{"requestId":"G-2","response":{"requestId":"G-2","totalCount":1}}"#.to_vec(),
            ),
            Garbage::HugeBody => (ok, json, vec![b' '; 20 << 20]),
            Garbage::PlainText => (ok, "text/plain", b"OK".to_vec()),
            Garbage::DeeplyNestedJson => {
                let depth = 100_000;
                let mut body = Vec::with_capacity(depth * 2);
                body.extend(std::iter::repeat_n(b'[', depth));
                body.extend(std::iter::repeat_n(b']', depth));
                (ok, json, body)
            }
            Garbage::UnknownStatuses => (ok, json, odd_statuses(action).into_bytes()),
        }
    }
}

/// A plausible account whose NIC and instance are in states no documentation lists.
fn odd_statuses(action: &str) -> String {
    let response = match action {
        "DescribeZones" => {
            r#"{"requestId":"G-3","zoneSet":[{"zoneId":"asia-east-1a","regionId":"asia-east-1"}]}"#
        }
        "DescribeInstances" => {
            r#"{"requestId":"G-3","totalCount":1,"dataSet":[{"instanceId":"ins-web-1","zoneId":"asia-east-1a","status":"HIBERNATING"}]}"#
        }
        "DescribeNetworkInterfaces" => {
            r#"{"requestId":"G-3","totalCount":1,"dataSet":[{"nicId":"nic-app-1","regionId":"asia-east-1","status":"MIGRATING","nicType":"Secondary"}]}"#
        }
        _ => r#"{"requestId":"G-3"}"#,
    };
    format!(r#"{{"requestId":"G-3","response":{response}}}"#)
}

/// A running garbage API; stops when dropped.
pub type GarbageApi = ScriptedApi;

impl Garbage {
    /// Serves this garbage to every call on 127.0.0.1 (a free port), on its own thread.
    pub fn serve(self) -> GarbageApi {
        ScriptedApi::start(move |action| self.answer(action))
    }
}
