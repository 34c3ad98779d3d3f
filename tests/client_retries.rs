//! Retries: what is retried, how often, within which deadline, and what a write never resends.

mod client_support;

use std::time::Duration;

use client_support::*;
use serde_json::json;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tpz::zenlayer::{CallLimits, Client, Error, GiveUpReason, RetryPolicy};

/// Guards tests whose failure mode would be hanging; generous, never a timing assertion.
const HANG_GUARD: Duration = Duration::from_secs(30);

fn with_retries(addr: std::net::SocketAddr, max_retries: u32) -> Client {
    let mut c = config(addr);
    c.max_retries = max_retries;
    client_with(c)
}

fn throttled_for(secs: u32) -> Reply {
    throttled_saying(Some(&secs.to_string()))
}

/// A 429 answer, with this `Retry-After` value or none.
fn throttled_saying(retry_after: Option<&str>) -> Reply {
    let mut headers = vec![("content-type", "application/json".into())];
    if let Some(v) = retry_after {
        headers.push(("retry-after", v.to_owned()));
    }
    Reply::Raw {
        status: 429,
        headers,
        body: br#"{"requestId":"T","code":"REQUEST_LIMIT_EXCEEDED","message":"slow down"}"#
            .to_vec(),
    }
}

/// How many requests one read makes in `window` against an API that answers every request
/// 429 with this `Retry-After` (or none), retrying without limit but for the deadline.
/// The backoff's jitter is seeded, so every run draws the same waits.
async fn requests_in_endless_throttling(
    retry_after: Option<&'static str>,
    window: Duration,
) -> usize {
    let server = ApiServer::scripted(move |_, _| throttled_saying(retry_after)).await;
    let client = Client::new({
        let mut c = config(server.addr);
        c.max_retries = u32::MAX;
        c
    })
    .expect("test configuration is valid")
    .with_retry_policy(RetryPolicy {
        base_delay: Duration::from_millis(50),
        max_delay: Duration::from_millis(200),
    });
    let limits = CallLimits {
        deadline: Some(Instant::now() + window),
        cancel: CancellationToken::new(),
    };
    fastrand::seed(18);
    let err = tokio::time::timeout(HANG_GUARD, client.describe_zones(&limits))
        .await
        .expect("the deadline did not stop the retries")
        .expect_err("an API that always throttles cannot succeed");
    assert_eq!(err.code(), Some("REQUEST_LIMIT_EXCEEDED"), "{err:?}");
    server.hits()
}

#[tokio::test]
async fn retry_after_zero_or_garbage_never_retries_faster_than_the_backoff() {
    let window = Duration::from_millis(1500);
    let without = requests_in_endless_throttling(None, window).await;
    // 1.5 s of waits of at most 200 ms: more than a handful, far from a storm.
    assert!(without >= 5, "{without} requests without Retry-After");
    for value in ["0", "-1", "-99999", "0.0001", "abc", ""] {
        let with = requests_in_endless_throttling(Some(value), window).await;
        // The same seeded waits: the same count, give or take the one attempt that the
        // deadline's instant lets in or not on a loaded machine.
        assert!(
            with <= without + 1,
            "Retry-After: {value:?} made {with} requests where no header made {without}"
        );
    }
}

async fn wait_for_hits(hits: impl Fn() -> usize, n: usize) {
    tokio::time::timeout(HANG_GUARD, async {
        while hits() < n {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the server never saw the request");
}

#[tokio::test]
async fn retries_stop_after_max_retries_and_return_the_last_error() {
    let server =
        ApiServer::scripted(|_, _| Reply::error(503, "SERVICE_TEMPORARY_UNAVAILABLE")).await;
    let err = with_retries(server.addr, 3)
        .describe_zones(&no_limits())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("SERVICE_TEMPORARY_UNAVAILABLE"));
    assert_eq!(server.hits(), 4, "1 attempt + 3 retries");
}

#[tokio::test]
async fn zero_max_retries_means_exactly_one_attempt() {
    let server = ApiServer::scripted(|_, _| Reply::error(500, "INTERNAL_SERVER_ERROR")).await;
    with_retries(server.addr, 0)
        .detach_network_interface("nic-1", &no_limits())
        .await
        .unwrap_err();
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn a_refusal_is_never_retried() {
    let server = ApiServer::scripted(|_, _| Reply::error(400, "INVALID_NIC_STATUS")).await;
    let err = with_retries(server.addr, 5)
        .attach_network_interface("nic-1", "ins-1", &no_limits())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("INVALID_NIC_STATUS"));
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn retries_stop_at_the_deadline_with_the_last_error_attached() {
    let server = ApiServer::scripted(|_, _| Reply::error(500, "INTERNAL_SERVER_ERROR")).await;
    let client = Client::new({
        let mut c = config(server.addr);
        c.max_retries = u32::MAX;
        c
    })
    .unwrap()
    .with_retry_policy(RetryPolicy {
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(20),
    });
    let limits = CallLimits {
        deadline: Some(Instant::now() + Duration::from_millis(300)),
        cancel: CancellationToken::new(),
    };

    let err = tokio::time::timeout(HANG_GUARD, client.describe_zones(&limits))
        .await
        .expect("the deadline did not stop the retries")
        .unwrap_err();

    let Error::GaveUp {
        reason,
        attempts,
        last,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*reason, GiveUpReason::Deadline);
    // The last attempt may be cut by the deadline before the server records it.
    let hits = server.hits();
    assert!(*attempts >= 1);
    assert!(
        hits == *attempts as usize || hits + 1 == *attempts as usize,
        "{attempts} attempts, {hits} hits"
    );
    assert_eq!(
        last.as_deref().and_then(Error::code),
        Some("INTERNAL_SERVER_ERROR")
    );
    assert_eq!(err.code(), Some("INTERNAL_SERVER_ERROR"));
}

#[tokio::test]
async fn a_retry_after_beyond_the_deadline_gives_up_instead_of_sleeping() {
    let server = ApiServer::scripted(|_, _| throttled_for(300)).await;
    let limits = CallLimits {
        deadline: Some(Instant::now() + Duration::from_secs(20)),
        cancel: CancellationToken::new(),
    };
    let err = tokio::time::timeout(
        Duration::from_secs(15),
        with_retries(server.addr, 5).describe_zones(&limits),
    )
    .await
    .expect("slept toward a wait that ends after the deadline")
    .unwrap_err();
    assert!(
        matches!(&err, Error::GaveUp { reason, .. } if *reason == GiveUpReason::Deadline),
        "{err:?}"
    );
    assert_eq!(err.code(), Some("REQUEST_LIMIT_EXCEEDED"));
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn cancellation_stops_a_backoff_promptly() {
    let server = ApiServer::scripted(|_, _| throttled_for(300)).await;
    let client = with_retries(server.addr, 5);
    let limits = CallLimits::default();
    let cancel = limits.cancel.clone();
    let call = tokio::spawn(async move { client.describe_zones(&limits).await });

    let s = server.clone();
    wait_for_hits(move || s.hits(), 1).await;
    cancel.cancel();

    let err = tokio::time::timeout(HANG_GUARD, call)
        .await
        .expect("cancellation did not interrupt the 300 s backoff")
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(&err, Error::GaveUp { reason, attempts: 1, .. } if *reason == GiveUpReason::Stopped),
        "{err:?}"
    );
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn a_call_cancelled_before_it_starts_sends_nothing() {
    let server = ApiServer::scripted(|_, _| Reply::ok(json!({"zoneSet": []}))).await;
    let limits = CallLimits::default();
    limits.cancel.cancel();
    let err = client(server.addr)
        .describe_zones(&limits)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::GaveUp { attempts: 0, .. }), "{err:?}");
    assert_eq!(server.hits(), 0);
}

#[tokio::test]
async fn a_write_whose_connection_drops_after_sending_is_outcome_unknown_and_sent_once() {
    let server = RawServer::start(vec![RawStep::Drop]).await;
    let err = with_retries(server.addr, 5)
        .attach_network_interface("nic-1", "ins-1", &no_limits())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::OutcomeUnknown { .. }), "{err:?}");
    assert!(
        err.to_string().contains("it may have taken effect"),
        "{err}"
    );
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn a_write_without_an_answer_before_the_request_timeout_is_outcome_unknown_and_sent_once() {
    let server = RawServer::start(vec![RawStep::Hang]).await;
    let mut c = config(server.addr);
    c.client_timeout = Duration::from_millis(300);
    let err = client_with(c)
        .detach_network_interface("nic-1", &no_limits())
        .await
        .unwrap_err();
    let Error::OutcomeUnknown { message, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(
        message.contains("no complete answer within 300ms"),
        "{message}"
    );
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn a_write_cancelled_while_waiting_for_its_answer_is_outcome_unknown() {
    let server = RawServer::start(vec![RawStep::Hang]).await;
    let client = client(server.addr);
    let limits = CallLimits::default();
    let cancel = limits.cancel.clone();
    let call = tokio::spawn(async move {
        client
            .attach_network_interface("nic-1", "ins-1", &limits)
            .await
    });
    wait_for_hits(|| server.hits(), 1).await;
    cancel.cancel();
    let err = tokio::time::timeout(HANG_GUARD, call)
        .await
        .unwrap()
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, Error::OutcomeUnknown { .. }), "{err:?}");
}

#[tokio::test]
async fn a_write_cut_off_mid_answer_is_outcome_unknown_and_sent_once() {
    let mut partial = b"HTTP/1.1 200 OK\r\ncontent-length: 200\r\n\r\n".to_vec();
    partial.extend_from_slice(br#"{"requestId":"T","res"#);
    let server = RawServer::start(vec![RawStep::Send(partial)]).await;
    let err = with_retries(server.addr, 5)
        .attach_network_interface("nic-1", "ins-1", &no_limits())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::OutcomeUnknown { .. }), "{err:?}");
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn a_write_answered_by_a_gateway_error_page_is_outcome_unknown_and_not_resent() {
    let server = ApiServer::scripted(|_, _| Reply::html(504, "504 Gateway Time-out")).await;
    let err = with_retries(server.addr, 5)
        .attach_network_interface("nic-1", "ins-1", &no_limits())
        .await
        .unwrap_err();
    let Error::OutcomeUnknown { message, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(message.contains("504 Gateway Time-out"), "{message}");
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn a_write_is_retried_when_the_api_says_not_now() {
    let server = RawServer::start(vec![
        RawStep::Send(error_response(429, "REQUEST_LIMIT_EXCEEDED")),
        RawStep::Send(error_response(503, "SERVICE_TEMPORARY_UNAVAILABLE")),
        RawStep::Send(error_response(400, "INVALID_OPERATION_TIMEOUT")),
        RawStep::Send(ok_response(json!({}))),
    ])
    .await;
    let request_id = with_retries(server.addr, 3)
        .attach_network_interface("nic-1", "ins-1", &no_limits())
        .await
        .unwrap();
    assert_eq!(request_id, "T-raw");
    assert_eq!(server.hits(), 4);
}

#[tokio::test]
async fn a_read_survives_throttling_server_errors_and_dropped_connections() {
    let mut cut = b"HTTP/1.1 200 OK\r\ncontent-length: 500\r\n\r\n".to_vec();
    cut.extend_from_slice(b"{\"requestId\":");
    let server = RawServer::start(vec![
        RawStep::Drop,
        RawStep::Send(error_response(429, "REQUEST_LIMIT_EXCEEDED")),
        RawStep::Send(error_response(500, "INTERNAL_SERVER_ERROR")),
        RawStep::Send(http_response(
            503,
            &[("content-type", "text/html")],
            b"<title>Service Unavailable</title>",
        )),
        RawStep::Send(http_response(502, &[], b"")),
        RawStep::Send(cut),
        RawStep::Send(error_response(400, "REQUEST_TIMED_OUT")),
        RawStep::Send(ok_response(json!({
            "totalCount": 1,
            "dataSet": [{"nicId": "nic-1", "status": "USED", "instanceId": "ins-1"}]
        }))),
    ])
    .await;
    let nics = with_retries(server.addr, 7)
        .describe_nics_by_id(&["nic-1".into()], &no_limits())
        .await
        .unwrap();
    assert_eq!(nics.len(), 1);
    assert_eq!(nics[0].instance_id.as_deref(), Some("ins-1"));
    assert_eq!(server.hits(), 8);
}

#[tokio::test]
async fn a_read_that_never_gets_an_answer_fails_as_a_network_error_after_its_retries() {
    let server = RawServer::start(vec![RawStep::Drop]).await;
    let err = with_retries(server.addr, 2)
        .describe_zones(&no_limits())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Network { .. }), "{err:?}");
    assert_eq!(server.hits(), 3);
}
