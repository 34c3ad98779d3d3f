//! Turns what came back over HTTP into the API's documented success, a documented API error,
//! or an `UnexpectedResponse` that says in plain words what arrived instead. Pure: no I/O, so
//! every odd answer a proxy, a CDN or a broken server can produce is unit-tested here.

use std::collections::HashMap;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_json::value::RawValue;

use super::error::{ApiError, Error};
use crate::untrusted::{MAX_SHOWN_CHARS, inline, quoted, word};

/// The most body this client reads from one answer; the API's largest pages are far smaller.
pub(crate) const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// The body of an answer, as far as it could be read.
#[derive(Clone, Debug)]
pub(crate) enum Body {
    /// The whole body, within [`MAX_BODY_BYTES`].
    Complete(bytes::Bytes),
    /// The body went on past [`MAX_BODY_BYTES`]; reading stopped there.
    TooLarge,
}

/// What the transport saw of one answer, before any interpretation.
#[derive(Clone, Debug)]
pub(crate) struct RawAnswer {
    pub(crate) status: u16,
    /// `cf-mitigated: challenge`: a CDN challenge page, not the API.
    pub(crate) cf_challenge: bool,
    pub(crate) content_type: Option<String>,
    pub(crate) body: Body,
}

/// A success answer: the envelope's request id and the typed `response`.
#[derive(Clone, Debug)]
pub(crate) struct Success<T> {
    pub(crate) request_id: String,
    pub(crate) response: T,
}

/// Interprets one answer to `action`. `required` names keys the action's `response` must carry
/// (e.g. `dataSet`), because the models default missing lists to empty and a silently empty
/// page would read as "nothing exists".
pub(crate) fn interpret<T: DeserializeOwned>(
    action: &'static str,
    answer: &RawAnswer,
    required: &[&str],
) -> Result<Success<T>, Error> {
    let status = answer.status;
    let unexpected = |what: String| Error::UnexpectedResponse {
        action,
        http_status: status,
        what,
    };
    let bytes = match &answer.body {
        Body::Complete(b) => b,
        Body::TooLarge => {
            return Err(unexpected(format!(
                "a body larger than the {} MiB this client reads; it was not interpreted",
                MAX_BODY_BYTES / (1024 * 1024)
            )));
        }
    };

    // Answers that are not the API speaking, whatever their body.
    if status == 403 && answer.cf_challenge {
        return Err(unexpected(
            "a network-layer security challenge (`cf-mitigated: challenge`), not an API error: \
             the request was stopped before it reached the Zenlayer API"
                .into(),
        ));
    }
    if status == 451 {
        let page = describe_non_json(answer.content_type.as_deref(), bytes)
            .map(|d| format!(" ({d})"))
            .unwrap_or_default();
        return Err(unexpected(format!(
            "the request was blocked for legal reasons (HTTP 451 Unavailable For Legal \
             Reasons){page}, not an API error"
        )));
    }

    if status == 200
        && !answer.cf_challenge
        && let Some(success) = well_formed_success(bytes, required)
    {
        return Ok(success);
    }
    // Anything else is read as a generic JSON tree, to say exactly what arrived.
    let value: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => return Err(unexpected(describe_unparsable(answer, bytes, &e))),
    };
    let Value::Object(map) = &value else {
        return Err(unexpected(format!(
            "JSON that is {} instead of an object",
            json_kind(&value)
        )));
    };
    let top_request_id = map
        .get("requestId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();

    if let Some(code) = map
        .get("code")
        .and_then(Value::as_str)
        .filter(|c| !c.is_empty())
    {
        // A documented error body. The API uses non-200 statuses for these, but a `code` with
        // 200 is still the API refusing, not a success.
        if status == 200 && map.contains_key("response") {
            // A success that happens to carry a `code` field: fall through to success parsing.
        } else {
            return Err(Error::Api {
                action,
                source: ApiError {
                    http_status: status,
                    code: code.to_owned(),
                    message: map
                        .get("message")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    request_id: top_request_id,
                    sent_with: None,
                    caller: None,
                },
            });
        }
    }

    if status != 200 {
        return Err(unexpected(format!(
            "JSON without an error `code` ({})",
            describe_keys(map)
        )));
    }

    let Some(response) = map.get("response") else {
        return Err(unexpected(format!(
            "JSON without the `response` object a successful answer carries ({})",
            describe_keys(map)
        )));
    };
    let Value::Object(fields) = response else {
        return Err(unexpected(format!(
            "a `response` that is {} instead of an object",
            json_kind(response)
        )));
    };
    if let Some(missing) = required.iter().find(|k| !fields.contains_key(**k)) {
        return Err(unexpected(format!(
            "a `response` without `{missing}` ({})",
            describe_keys(fields)
        )));
    }
    let typed: T = serde_json::from_value(response.clone()).map_err(|e| {
        unexpected(format!(
            "a `response` whose fields do not have the documented types: {}",
            inline(&e.to_string())
        ))
    })?;
    let request_id = if top_request_id.is_empty() {
        fields
            .get("requestId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    } else {
        top_request_id
    };
    Ok(Success {
        request_id,
        response: typed,
    })
}

/// The envelope of an answer, with `response` left unparsed.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "requestId", default)]
    request_id: Option<String>,
    #[serde(borrow, default)]
    response: Option<&'a RawValue>,
}

/// A success read straight into its type, or None to let the generic reading explain what is
/// wrong with it. Pages of 1000 objects are the largest answers; reading them through a
/// `serde_json::Value` tree (and a copy of it) cost about ten times the body in memory.
fn well_formed_success<T: DeserializeOwned>(bytes: &[u8], required: &[&str]) -> Option<Success<T>> {
    let envelope: Envelope<'_> = serde_json::from_slice(bytes).ok()?;
    let response = envelope.response?;
    let fields: HashMap<String, &RawValue> = serde_json::from_str(response.get()).ok()?;
    if !required.iter().all(|k| fields.contains_key(*k)) {
        return None;
    }
    let typed: T = serde_json::from_str(response.get()).ok()?;
    let request_id = envelope
        .request_id
        .filter(|id| !id.is_empty())
        .or_else(|| {
            fields
                .get("requestId")
                .and_then(|raw| serde_json::from_str::<String>(raw.get()).ok())
        })
        .unwrap_or_default();
    Some(Success {
        request_id,
        response: typed,
    })
}

/// Words for a body that is not JSON: empty, an HTML page, cut-off JSON, or other text.
fn describe_unparsable(answer: &RawAnswer, bytes: &[u8], err: &serde_json::Error) -> String {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return "an empty body".into();
    }
    if let Some(page) = describe_non_json(answer.content_type.as_deref(), bytes) {
        return page;
    }
    if err.is_eof() {
        return format!(
            "JSON that ended early: the body stopped after {} bytes",
            bytes.len()
        );
    }
    format!(
        "a body that is not valid JSON ({} bytes, {} at byte {}; it starts with {})",
        bytes.len(),
        err_reason(err),
        byte_offset(bytes, err),
        preview(bytes)
    )
}

/// Words for an HTML page (with its title), or None if the body does not look like one.
fn describe_non_json(content_type: Option<&str>, bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(64 * 1024)]);
    let head = text.trim_start().to_ascii_lowercase();
    let is_html = content_type.is_some_and(|ct| ct.to_ascii_lowercase().contains("text/html"))
        || head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || head.starts_with("<head")
        || head.starts_with("<body");
    if !is_html {
        return None;
    }
    Some(match html_title(&text) {
        Some(title) => format!("an HTML page titled {}", quoted(&title)),
        None => format!("an HTML page without a title ({} bytes)", bytes.len()),
    })
}

/// The text of the first `<title>`, whitespace collapsed, common entities decoded (shown later
/// by the one rule for outside text, which escapes and cuts it).
pub(crate) fn html_title(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    let open = lower.find("<title")?;
    let start = open + lower[open..].find('>')? + 1;
    let end = start + lower[start..].find("</title")?;
    let raw = html.get(start..end)?;
    let collapsed = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let decoded = collapsed
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    if decoded.is_empty() {
        return None;
    }
    Some(decoded)
}

fn err_reason(err: &serde_json::Error) -> String {
    // serde_json's Display appends " at line L column C", which means nothing to a user.
    let text = err.to_string();
    let reason = match text.rfind(" at line ") {
        Some(i) => &text[..i],
        None => &text,
    };
    inline(reason)
}

/// The byte offset of a serde_json error, from its line and column.
fn byte_offset(bytes: &[u8], err: &serde_json::Error) -> usize {
    let mut line = 1;
    for (i, b) in bytes.iter().enumerate() {
        if line == err.line() {
            return (i + err.column().saturating_sub(1)).min(bytes.len());
        }
        if *b == b'\n' {
            line += 1;
        }
    }
    bytes.len()
}

/// The start of an unreadable body, quoted by the one rule for outside text.
fn preview(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(4 * MAX_SHOWN_CHARS)]);
    quoted(text.trim())
}

/// A JSON value's kind in words ("a string", "an object"), for messages about a value of the
/// wrong kind; the simulator's parameter errors say it the same way.
pub(crate) fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn describe_keys(map: &serde_json::Map<String, Value>) -> String {
    if map.is_empty() {
        return "it is an empty object".into();
    }
    let mut keys: Vec<String> = map.keys().take(8).map(|k| word(k)).collect();
    if map.len() > keys.len() {
        keys.push("…".into());
    }
    format!("its keys: {}", keys.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zenlayer::models::{DescribeNetworkInterfacesResponse, RequestIdOnly};

    fn answer(status: u16, content_type: Option<&str>, body: &str) -> RawAnswer {
        RawAnswer {
            status,
            cf_challenge: false,
            content_type: content_type.map(str::to_owned),
            body: Body::Complete(bytes::Bytes::from(body.to_owned())),
        }
    }

    fn what(r: Result<Success<RequestIdOnly>, Error>) -> String {
        match r {
            Err(Error::UnexpectedResponse { what, .. }) => what,
            other => panic!("expected UnexpectedResponse, got {other:?}"),
        }
    }

    const ACTION: &str = "AttachNetworkInterface";

    #[test]
    fn success_envelope_yields_typed_response_and_request_id() {
        let a = answer(
            200,
            Some("application/json"),
            r#"{"requestId":"T1","response":{"requestId":"T1","totalCount":1,
                "dataSet":[{"nicId":"nic-1","status":"USED","instanceId":"i-1"}]}}"#,
        );
        let ok = interpret::<DescribeNetworkInterfacesResponse>(ACTION, &a, &["dataSet"])
            .expect("success");
        assert_eq!(ok.request_id, "T1");
        assert_eq!(ok.response.data_set[0].nic_id, "nic-1");
        assert_eq!(ok.response.data_set[0].instance_id.as_deref(), Some("i-1"));
    }

    #[test]
    fn a_success_reads_the_same_whichever_way_it_is_parsed() {
        let bodies = [
            r#"{"requestId":"T1","response":{"requestId":"T1","totalCount":1,"dataSet":[{"nicId":"n","status":"USED","instanceId":"i"}]}}"#,
            r#"{"requestId":"","response":{"requestId":"inner","dataSet":[]}}"#,
            r#"{"response":{"requestId":"inner","totalCount":0,"dataSet":[]}}"#,
            r#"{"requestId":7,"response":{"requestId":"inner","dataSet":[]}}"#,
            r#"{"requestId":"T","code":"","response":{"dataSet":[],"extra":{"x":[1,2]}}}"#,
        ];
        for body in bodies {
            let fast = well_formed_success::<DescribeNetworkInterfacesResponse>(
                body.as_bytes(),
                &["dataSet"],
            );
            let slow: Value = serde_json::from_str(body).unwrap();
            let response: DescribeNetworkInterfacesResponse =
                serde_json::from_value(slow["response"].clone()).unwrap();
            let interpreted = interpret::<DescribeNetworkInterfacesResponse>(
                "DescribeNetworkInterfaces",
                &answer(200, None, body),
                &["dataSet"],
            )
            .unwrap();
            assert_eq!(interpreted.response, response, "{body}");
            if let Some(fast) = fast {
                assert_eq!(fast.response, response, "{body}");
                assert_eq!(fast.request_id, interpreted.request_id, "{body}");
            }
            let expected_id = match slow["requestId"].as_str().filter(|s| !s.is_empty()) {
                Some(id) => id,
                None => slow["response"]["requestId"].as_str().unwrap_or_default(),
            };
            assert_eq!(interpreted.request_id, expected_id, "{body}");
        }
    }

    #[test]
    fn documented_error_body_becomes_api_error_with_code_and_request_id() {
        let a = answer(
            400,
            Some("application/json"),
            r#"{"requestId":"T2","code":"INVALID_NIC_STATUS","message":"nope"}"#,
        );
        let err = interpret::<RequestIdOnly>(ACTION, &a, &[]).unwrap_err();
        let api = err.api_error().expect("api error");
        assert_eq!(api.code, "INVALID_NIC_STATUS");
        assert_eq!(api.http_status, 400);
        assert_eq!(api.request_id, "T2");
        assert_eq!(api.message, "nope");
    }

    #[test]
    fn non_200_json_without_code_is_unexpected_even_if_parsable() {
        let a = answer(500, Some("application/json"), r#"{"error":"boom"}"#);
        let w = what(interpret(ACTION, &a, &[]));
        assert!(w.contains("without an error `code`"), "{w}");
        assert!(w.contains("error"), "{w}");
    }

    #[test]
    fn non_200_with_a_success_shaped_body_is_still_an_error() {
        let a = answer(
            502,
            None,
            r#"{"requestId":"T","response":{"requestId":"T"}}"#,
        );
        assert!(matches!(
            interpret::<RequestIdOnly>(ACTION, &a, &[]),
            Err(Error::UnexpectedResponse {
                http_status: 502,
                ..
            })
        ));
    }

    #[test]
    fn html_page_is_named_by_its_title() {
        let a = answer(
            502,
            Some("text/html; charset=utf-8"),
            "<!DOCTYPE html><html><head><TITLE>\n 502 Bad\tGateway &amp; more </TITLE></head></html>",
        );
        let w = what(interpret(ACTION, &a, &[]));
        assert_eq!(w, "an HTML page titled \"502 Bad Gateway & more\"");
    }

    #[test]
    fn html_page_without_title_or_content_type_is_still_recognised() {
        let a = answer(200, None, "  <html><body>maintenance</body></html>");
        let w = what(interpret(ACTION, &a, &[]));
        assert!(w.starts_with("an HTML page without a title"), "{w}");
    }

    #[test]
    fn http_451_says_blocked_for_legal_reasons() {
        let a = answer(451, Some("text/html"), "<title>Unavailable</title>");
        let w = what(interpret(ACTION, &a, &[]));
        assert!(w.contains("blocked for legal reasons"), "{w}");
        assert!(w.contains("Unavailable"), "{w}");
    }

    #[test]
    fn cloudflare_challenge_is_not_an_api_error() {
        let mut a = answer(403, Some("text/html"), "<title>Just a moment...</title>");
        a.cf_challenge = true;
        let w = what(interpret(ACTION, &a, &[]));
        assert!(w.contains("network-layer security challenge"), "{w}");
        assert!(w.contains("not an API error"), "{w}");
    }

    #[test]
    fn plain_403_with_error_json_is_an_api_error() {
        let a = answer(
            403,
            None,
            r#"{"requestId":"T","code":"OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT","message":"m"}"#,
        );
        let err = interpret::<RequestIdOnly>(ACTION, &a, &[]).unwrap_err();
        assert_eq!(
            err.code(),
            Some("OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT")
        );
    }

    #[test]
    fn empty_body_is_named_as_such() {
        for body in ["", "  \r\n"] {
            let w = what(interpret(ACTION, &answer(200, None, body), &[]));
            assert_eq!(w, "an empty body");
        }
        let w = what(interpret(ACTION, &answer(503, None, ""), &[]));
        assert_eq!(w, "an empty body");
    }

    #[test]
    fn truncated_json_reports_where_it_ended() {
        let body = r#"{"requestId":"T","response":{"request"#;
        let w = what(interpret(ACTION, &answer(200, None, body), &[]));
        assert_eq!(
            w,
            format!(
                "JSON that ended early: the body stopped after {} bytes",
                body.len()
            )
        );
    }

    #[test]
    fn invalid_json_never_reports_only_a_line_and_column() {
        let w = what(interpret(
            ACTION,
            &answer(200, None, "Service Unavailable"),
            &[],
        ));
        assert!(
            w.starts_with("a body that is not valid JSON (19 bytes"),
            "{w}"
        );
        assert!(w.contains("Service Unavailable"), "{w}");
        assert!(!w.contains("line 1 column"), "{w}");
    }

    #[test]
    fn success_without_response_object_is_unexpected() {
        let w = what(interpret(
            ACTION,
            &answer(200, None, r#"{"requestId":"T"}"#),
            &[],
        ));
        assert!(w.contains("without the `response` object"), "{w}");
        assert!(w.contains("requestId"), "{w}");
    }

    #[test]
    fn describe_without_data_set_is_unexpected_not_an_empty_page() {
        let a = answer(
            200,
            None,
            r#"{"requestId":"T","response":{"requestId":"T","totalCount":3}}"#,
        );
        let err =
            interpret::<DescribeNetworkInterfacesResponse>(ACTION, &a, &["dataSet"]).unwrap_err();
        let Error::UnexpectedResponse { what, .. } = err else {
            panic!("{err:?}")
        };
        assert!(what.contains("without `dataSet`"), "{what}");
    }

    #[test]
    fn wrongly_typed_fields_are_unexpected() {
        let a = answer(
            200,
            None,
            r#"{"requestId":"T","response":{"dataSet":"nope","totalCount":1}}"#,
        );
        let err =
            interpret::<DescribeNetworkInterfacesResponse>(ACTION, &a, &["dataSet"]).unwrap_err();
        assert!(matches!(err, Error::UnexpectedResponse { .. }), "{err:?}");
    }

    #[test]
    fn json_that_is_not_an_object_is_unexpected() {
        let w = what(interpret(ACTION, &answer(200, None, "[1,2]"), &[]));
        assert_eq!(w, "JSON that is an array instead of an object");
    }

    #[test]
    fn too_large_body_says_so() {
        let a = RawAnswer {
            status: 200,
            cf_challenge: false,
            content_type: None,
            body: Body::TooLarge,
        };
        let w = what(interpret(ACTION, &a, &[]));
        assert!(w.contains("larger than the 16 MiB"), "{w}");
    }

    #[test]
    fn interpreting_arbitrary_bytes_never_panics() {
        use proptest::prelude::*;
        proptest!(|(status in 100u16..600, body in proptest::collection::vec(any::<u8>(), 0..200))| {
            let a = RawAnswer {
                status,
                cf_challenge: status == 403,
                content_type: None,
                body: Body::Complete(bytes::Bytes::from(body)),
            };
            let _ = interpret::<DescribeNetworkInterfacesResponse>(ACTION, &a, &["dataSet"]);
        });
    }

    /// True when `text` holds nothing a terminal would act on and no line break.
    fn inert(text: &str) -> bool {
        !text
            .chars()
            .any(|c| c.is_control() || ('\u{2028}'..='\u{202e}').contains(&c))
    }

    #[test]
    fn hostile_text_in_any_answer_is_escaped_and_cut_in_what_the_client_reports() {
        let hostile = format!(
            "\u{1b}[2J\u{1b}]0;pwned\u{7}\nApply complete! Resources: 9 added.{}",
            "x".repeat(3000)
        );
        let json = serde_json::to_string(&hostile).unwrap_or_default();
        let bodies = [
            (
                400,
                format!(r#"{{"code":{json},"message":{json},"requestId":{json}}}"#),
            ),
            (502, format!("<html><title>{hostile}</title></html>")),
            (200, hostile.clone()),
            (500, format!(r#"{{{json}:1}}"#)),
            (200, format!(r#"{{"response":{{"dataSet":{json}}}}}"#)),
        ];
        for (status, body) in bodies {
            let err = interpret::<DescribeNetworkInterfacesResponse>(
                ACTION,
                &answer(status, None, &body),
                &["dataSet"],
            )
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
            assert!(inert(&err), "{status}: {err:?}");
            assert!(
                err.contains("x1b[2J") || err.contains("u{1b}[2J"),
                "{status}: {err}"
            );
            assert!(err.len() < 1500, "{status}: not cut: {} bytes", err.len());
        }
    }
}
