//! What the client puts on the wire: endpoint, headers, signature, bearer mode, body bytes.

mod client_support;

use std::time::Duration;

use client_support::*;
use serde_json::json;
use tpz::zenlayer::models::{DescribeInstancesRequest, DescribeNetworkInterfacesRequest};
use tpz::zenlayer::{Client, Credentials, RetryPolicy};

#[tokio::test]
async fn attach_sends_a_signed_request_the_server_can_verify() {
    let server = ApiServer::scripted(|_, _| Reply::ok(json!({}))).await;
    let client = client(server.addr);

    let request_id = client
        .attach_network_interface("nic-1", "ins-1", &no_limits())
        .await
        .unwrap();
    assert_eq!(request_id, "T-ok");

    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.action, "AttachNetworkInterface");
    assert_eq!(r.header("x-zc-version"), Some("2025-09-01"));
    assert_eq!(r.header("x-zc-signature-method"), Some("ZC2-HMAC-SHA256"));
    assert_eq!(
        r.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(r.header("host"), Some(server.addr.to_string().as_str()));
    assert_eq!(r.header("user-agent"), Some(USER_AGENT));
    assert_eq!(
        r.header("x-zc-request-client"),
        Some(concat!(
            "terraform-provider-zenlayer/",
            env!("CARGO_PKG_VERSION")
        ))
    );
    let ts: i64 = r.header("x-zc-timestamp").unwrap().parse().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!(
        (now - ts).abs() <= 5,
        "timestamp {ts} is not unix seconds near {now}"
    );
    assert_eq!(
        r.body.as_ref(),
        br#"{"nicId":"nic-1","instanceId":"ins-1"}"#
    );
    r.verify_signature(AK_PASSWORD).unwrap();
    assert!(r.verify_signature("wrong-password").is_err());
}

#[tokio::test]
async fn every_action_is_signed_over_its_exact_body() {
    let world = World::with_nics(2);
    world.put_instance("ins-1", "RUNNING", "asia-east-1a");
    let world = World {
        zones: vec![("asia-east-1a".into(), "asia-east-1".into())],
        ..world
    };
    let server = ApiServer::scripted(move |rec, _| match rec.action.as_str() {
        "AttachNetworkInterface" | "DetachNetworkInterface" => Reply::ok(json!({})),
        _ => world.answer(rec),
    })
    .await;
    let client = client(server.addr);
    let l = no_limits();
    client
        .attach_network_interface("nic-0000", "ins-1", &l)
        .await
        .unwrap();
    client
        .detach_network_interface("nic-0000", &l)
        .await
        .unwrap();
    client
        .describe_network_interfaces(&DescribeNetworkInterfacesRequest::default(), &l)
        .await
        .unwrap();
    client
        .describe_instances(&DescribeInstancesRequest::default(), &l)
        .await
        .unwrap();
    client.describe_zones(&l).await.unwrap();

    let actions: Vec<String> = server.requests().iter().map(|r| r.action.clone()).collect();
    assert_eq!(
        actions,
        [
            "AttachNetworkInterface",
            "DetachNetworkInterface",
            "DescribeNetworkInterfaces",
            "DescribeInstances",
            "DescribeZones"
        ]
    );
    for r in server.requests() {
        r.verify_signature(AK_PASSWORD)
            .unwrap_or_else(|e| panic!("{}: {e}", r.action));
    }
    assert_eq!(
        server.requests()[1].body.as_ref(),
        br#"{"nicId":"nic-0000"}"#
    );
    assert_eq!(server.requests()[4].body.as_ref(), b"{}");
}

#[tokio::test]
async fn bearer_token_mode_sends_the_token_and_no_signature_headers() {
    let server = ApiServer::scripted(|_, _| Reply::ok(json!({"zoneSet": []}))).await;
    let mut config = config(server.addr);
    config.credentials = Credentials::Token(TOKEN.into());
    let client = client_with(config);

    client.describe_zones(&no_limits()).await.unwrap();

    let r = &server.requests()[0];
    assert_eq!(
        r.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(r.header("x-zc-version"), Some("2025-09-01"));
    assert_eq!(r.header("x-zc-action"), Some("DescribeZones"));
    assert_eq!(r.header("x-zc-timestamp"), None);
    assert_eq!(r.header("x-zc-signature-method"), None);
}

#[tokio::test]
async fn each_retry_is_signed_again_with_a_fresh_timestamp() {
    // Retry-After: 1 lengthens a millisecond backoff to a second, so a reused timestamp shows.
    let server = ApiServer::scripted(|_, n| {
        if n == 0 {
            Reply::Raw {
                status: 429,
                headers: vec![
                    ("content-type", "application/json".into()),
                    ("retry-after", "1".into()),
                ],
                body: br#"{"requestId":"T","code":"REQUEST_LIMIT_EXCEEDED","message":"slow down"}"#
                    .to_vec(),
            }
        } else {
            Reply::ok(json!({"zoneSet": []}))
        }
    })
    .await;
    let client = Client::new(config(server.addr))
        .unwrap()
        .with_retry_policy(RetryPolicy {
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(1),
        });

    tokio::time::timeout(Duration::from_secs(30), client.describe_zones(&no_limits()))
        .await
        .expect("Retry-After was not honoured")
        .unwrap();

    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    let ts = |i: usize| -> i64 { reqs[i].header("x-zc-timestamp").unwrap().parse().unwrap() };
    assert!(ts(1) > ts(0), "retry reused timestamp {}", ts(0));
    for r in &reqs {
        r.verify_signature(AK_PASSWORD).unwrap();
    }
}

#[tokio::test]
async fn clones_share_one_connection_pool() {
    let server = ApiServer::scripted(|_, _| Reply::ok(json!({"zoneSet": []}))).await;
    let a = client(server.addr);
    let b = a.clone();
    a.describe_zones(&no_limits()).await.unwrap();
    b.describe_zones(&no_limits()).await.unwrap();
    a.with_retry_policy(RetryPolicy::default())
        .describe_zones(&no_limits())
        .await
        .unwrap();
    assert_eq!(server.hits(), 3);
    assert_eq!(
        server.connections(),
        1,
        "each clone opened its own connection"
    );
}

#[test]
fn a_domain_with_a_path_is_refused_at_construction() {
    let mut c = config("127.0.0.1:1".parse().unwrap());
    c.domain = "console.zenlayer.com/api".into();
    let err = Client::new(c).unwrap_err().to_string();
    assert_eq!(
        err,
        "the API client cannot use this configuration: domain \"console.zenlayer.com/api\" is \
         not a host name with an optional port, e.g. \"console.zenlayer.com\" or \"127.0.0.1:8089\""
    );
}

#[test]
fn a_user_agent_with_a_newline_is_refused_at_construction() {
    let mut c = config("127.0.0.1:1".parse().unwrap());
    c.user_agent = "a\nb".into();
    let err = Client::new(c).unwrap_err().to_string();
    assert!(err.contains("User-Agent"), "{err}");
}

#[test]
fn debug_output_of_a_client_hides_the_secrets() {
    let c = Client::new(config("127.0.0.1:1".parse().unwrap())).unwrap();
    let text = format!("{c:?}");
    assert!(!text.contains(AK_PASSWORD), "{text}");
    assert!(text.contains(AK_ID), "{text}");
}
