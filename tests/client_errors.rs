//! Every class of answer the client can get back, and the error a user would read for it.

mod client_support;

use client_support::*;
use serde_json::json;
use tpz::zenlayer::models::DescribeNetworkInterfacesRequest;
use tpz::zenlayer::{Client, Error};

/// A client that does not retry, so each test sees the first answer's classification.
fn one_shot(server: &ApiServer) -> Client {
    let mut c = config(server.addr);
    c.max_retries = 0;
    client_with(c)
}

async fn attach_error(reply: impl Fn() -> Reply + Send + Sync + 'static) -> Error {
    let server = ApiServer::scripted(move |_, _| reply()).await;
    one_shot(&server)
        .attach_network_interface("nic-1", "ins-1", &no_limits())
        .await
        .expect_err("the scripted answer is not a success")
}

fn what(err: &Error) -> &str {
    match err {
        Error::UnexpectedResponse { what, .. } => what,
        other => panic!("expected UnexpectedResponse, got {other:?}"),
    }
}

#[tokio::test]
async fn documented_error_json_becomes_an_api_error_with_its_code() {
    let err = attach_error(|| Reply::error(400, "INVALID_NIC_ATTACHED")).await;
    let api = err.api_error().expect("an API error");
    assert_eq!(api.code, "INVALID_NIC_ATTACHED");
    assert_eq!(api.http_status, 400);
    assert_eq!(api.request_id, "T-INVALID_NIC_ATTACHED");
    assert_eq!(
        err.to_string(),
        "AttachNetworkInterface: INVALID_NIC_ATTACHED (HTTP 400): \"INVALID_NIC_ATTACHED happened\" \
         [request id T-INVALID_NIC_ATTACHED]"
    );
}

#[tokio::test]
async fn an_html_gateway_page_is_reported_with_its_title() {
    let err = attach_error(|| Reply::html(404, "404 Not Found")).await;
    assert_eq!(what(&err), "an HTML page titled \"404 Not Found\"");
    assert_eq!(
        err.to_string(),
        "AttachNetworkInterface: unexpected answer (HTTP 404): an HTML page titled \"404 Not Found\""
    );
}

#[tokio::test]
async fn http_451_is_reported_as_blocked_for_legal_reasons() {
    let err = attach_error(|| Reply::html(451, "Unavailable For Legal Reasons")).await;
    assert!(what(&err).contains("blocked for legal reasons"), "{err}");
}

#[tokio::test]
async fn a_cloudflare_challenge_is_reported_as_a_network_layer_block() {
    let err = attach_error(|| Reply::Raw {
        status: 403,
        headers: vec![
            ("cf-mitigated", "challenge".into()),
            ("content-type", "text/html".into()),
        ],
        body: b"<html><title>Just a moment...</title></html>".to_vec(),
    })
    .await;
    assert!(
        what(&err).contains("network-layer security challenge"),
        "{err}"
    );
    assert!(what(&err).contains("not an API error"), "{err}");
}

#[tokio::test]
async fn an_empty_body_is_reported_as_empty() {
    let err = attach_error(|| Reply::Raw {
        status: 200,
        headers: vec![],
        body: vec![],
    })
    .await;
    assert_eq!(what(&err), "an empty body");
}

#[tokio::test]
async fn truncated_json_reports_how_many_bytes_arrived() {
    let body = br#"{"requestId":"T","response":{"requ"#.to_vec();
    let len = body.len();
    let err = attach_error(move || Reply::Raw {
        status: 200,
        headers: vec![("content-type", "application/json".into())],
        body: body.clone(),
    })
    .await;
    assert_eq!(
        what(&err),
        format!("JSON that ended early: the body stopped after {len} bytes")
    );
}

#[tokio::test]
async fn a_body_over_the_cap_is_refused_and_said_so() {
    let server = ApiServer::scripted(|_, _| Reply::Raw {
        status: 200,
        headers: vec![("content-type", "application/json".into())],
        body: vec![b' '; 17 * 1024 * 1024],
    })
    .await;
    let err = one_shot(&server)
        .describe_network_interfaces(&DescribeNetworkInterfacesRequest::default(), &no_limits())
        .await
        .unwrap_err();
    assert!(what(&err).contains("larger than the 16 MiB"), "{err}");
}

#[tokio::test]
async fn a_success_without_data_set_is_not_read_as_an_empty_page() {
    let server = ApiServer::scripted(|_, _| Reply::ok(json!({"totalCount": 2}))).await;
    let err = one_shot(&server)
        .describe_nics_by_id(&["nic-1".into()], &no_limits())
        .await
        .unwrap_err();
    assert!(what(&err).contains("without `dataSet`"), "{err}");
}

#[tokio::test]
async fn a_success_without_a_response_object_is_unexpected() {
    let err = attach_error(|| Reply::Json(200, json!({"requestId": "T"}))).await;
    assert!(
        what(&err).contains("without the `response` object"),
        "{err}"
    );
}

#[tokio::test]
async fn a_non_200_json_body_without_a_code_is_an_error() {
    let err = attach_error(|| Reply::Json(409, json!({"requestId": "T", "detail": "x"}))).await;
    assert!(
        matches!(
            err,
            Error::UnexpectedResponse {
                http_status: 409,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(what(&err).contains("without an error `code`"), "{err}");
}

#[tokio::test]
async fn plain_text_is_quoted_not_reported_as_a_parse_position() {
    let err = attach_error(|| Reply::Raw {
        status: 200,
        headers: vec![("content-type", "text/plain".into())],
        body: b"upstream connect error".to_vec(),
    })
    .await;
    assert!(what(&err).contains("upstream connect error"), "{err}");
    assert!(!what(&err).contains("line 1 column"), "{err}");
}

#[tokio::test]
async fn a_refused_connection_is_a_network_error_that_names_the_cause() {
    let closed = ClosedPort::reserve();
    let mut c = config(closed.addr());
    c.max_retries = 1;
    let err = client_with(c)
        .describe_zones(&no_limits())
        .await
        .unwrap_err();
    let Error::Network { message, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(message.contains("could not be established"), "{message}");
    assert!(message.to_lowercase().contains("refused"), "{message}");
}
