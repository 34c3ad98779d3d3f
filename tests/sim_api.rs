//! zenlayer-sim over HTTP, as any client sees it: hand-signed requests to an in-process
//! simulator on 127.0.0.1:0, checking the answer shapes, every documented refusal, the
//! asynchronous transitions, the admin endpoints and each kind of injected fault.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[path = "support/eventually.rs"]
mod eventually;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tpz::sim::{Delays, RunningSim, SimConfig};
use tpz::zenlayer::codes;
use tpz::zenlayer::signer::{self, SigningInput};

use eventually::eventually_async;

/// A request as it will go on the wire; tests change fields to break it on purpose.
#[derive(Clone)]
struct Call {
    action: Option<String>,
    version: Option<String>,
    body: Vec<u8>,
    content_type: String,
    access_key_id: String,
    password: String,
    timestamp: i64,
    /// Replaces the computed `Authorization` header (`Some("")` sends none).
    authorization: Option<String>,
    signature_method: Option<String>,
}

struct Client {
    http: reqwest::Client,
    running: RunningSim,
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs() as i64
}

#[derive(Debug)]
struct Answer {
    status: u16,
    body: Value,
}

impl Answer {
    fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("<no code>")
    }

    fn response(&self) -> &Value {
        assert_eq!(self.status, 200, "expected success, got {self:?}");
        &self.body["response"]
    }
}

impl Client {
    async fn start(config: SimConfig) -> Client {
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        Client {
            http: reqwest::Client::builder()
                .no_proxy()
                .build()
                .expect("reqwest client builds"),
            running: RunningSim::start(config)
                .await
                .expect("simulator starts on 127.0.0.1:0"),
        }
    }

    async fn default() -> Client {
        Client::with_delay(Duration::from_millis(200)).await
    }

    /// A simulator whose attaches and detaches each take `delay`.
    async fn with_delay(delay: Duration) -> Client {
        Client::start(SimConfig {
            delays: Delays::both(delay),
            ..SimConfig::default()
        })
        .await
    }

    fn call(&self, action: &str, body: Value) -> Call {
        let sim = self.running.sim();
        Call {
            action: Some(action.to_owned()),
            version: Some("2025-09-01".to_owned()),
            body: serde_json::to_vec(&body).expect("JSON encodes"),
            content_type: "application/json".to_owned(),
            access_key_id: sim.access_key_id().to_owned(),
            password: sim.access_key_password().to_owned(),
            timestamp: now(),
            authorization: None,
            signature_method: Some(signer::ALGORITHM.to_owned()),
        }
    }

    /// The `Authorization` header `call` signed for this simulator's host.
    fn signature(&self, call: &Call) -> String {
        let host = self.running.domain();
        let input = SigningInput {
            content_type: &call.content_type,
            host: &host,
            body: &call.body,
            timestamp: call.timestamp,
        };
        signer::authorization(&call.access_key_id, &call.password, &input)
    }

    async fn send(&self, call: &Call) -> Result<Answer, reqwest::Error> {
        let authorization = call
            .authorization
            .clone()
            .unwrap_or_else(|| self.signature(call));
        let mut req = self
            .http
            .post(self.running.api_url())
            .header("Content-Type", &call.content_type)
            .header("X-ZC-Timestamp", call.timestamp.to_string())
            .body(call.body.clone());
        if !authorization.is_empty() {
            req = req.header("Authorization", authorization);
        }
        if let Some(m) = &call.signature_method {
            req = req.header("X-ZC-Signature-Method", m);
        }
        if let Some(a) = &call.action {
            req = req.header("X-ZC-Action", a);
        }
        if let Some(v) = &call.version {
            req = req.header("X-ZC-Version", v);
        }
        let resp = req.send().await?;
        let status = resp.status().as_u16();
        let body: Value = resp.json().await?;
        Ok(Answer { status, body })
    }

    async fn api(&self, action: &str, body: Value) -> Answer {
        self.send(&self.call(action, body))
            .await
            .expect("the simulator answers")
    }

    /// The signed AttachNetworkInterface of `nic` to `instance`, not yet sent.
    fn attach_call(&self, nic: &str, instance: &str) -> Call {
        self.call(
            "AttachNetworkInterface",
            json!({"nicId": nic, "instanceId": instance}),
        )
    }

    async fn attach(&self, nic: &str, instance: &str) -> Answer {
        self.send(&self.attach_call(nic, instance))
            .await
            .expect("the simulator answers")
    }

    async fn detach(&self, nic: &str) -> Answer {
        self.api("DetachNetworkInterface", json!({"nicId": nic}))
            .await
    }

    /// Attaches `nic-app-1` to `ins-web-1`, then detaches it; returns its status right after
    /// each, which the simulator's delays decide.
    async fn attach_then_detach(&self) -> [Value; 2] {
        self.attach("nic-app-1", "ins-web-1").await.response();
        let attached = self.nic("nic-app-1").await["status"].clone();
        self.detach("nic-app-1").await.response();
        [attached, self.nic("nic-app-1").await["status"].clone()]
    }

    async fn nic(&self, id: &str) -> Value {
        let a = self
            .api("DescribeNetworkInterfaces", json!({"nicIds": [id]}))
            .await;
        a.response()["dataSet"][0].clone()
    }

    async fn admin(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Answer {
        let mut req = self.http.request(
            method.clone(),
            format!("{}/_sim{path}", self.running.base_url()),
        );
        let writes = [
            reqwest::Method::POST,
            reqwest::Method::PUT,
            reqwest::Method::PATCH,
        ];
        if writes.contains(&method) {
            // Required even without a body: what a web page cannot send across origins.
            req = req.header("Content-Type", "application/json");
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("the admin endpoint answers");
        let status = resp.status().as_u16();
        Answer {
            status,
            body: resp.json().await.expect("admin answers are JSON"),
        }
    }

    async fn admin_get(&self, path: &str) -> Answer {
        self.admin(reqwest::Method::GET, path, None).await
    }

    async fn admin_delete(&self, path: &str) -> Answer {
        self.admin(reqwest::Method::DELETE, path, None).await
    }

    async fn admin_put(&self, path: &str, body: Value) -> Answer {
        self.admin(reqwest::Method::PUT, path, Some(body)).await
    }

    async fn admin_patch(&self, path: &str, body: Value) -> Answer {
        self.admin(reqwest::Method::PATCH, path, Some(body)).await
    }

    async fn admin_post(&self, path: &str, body: Value) -> Answer {
        self.admin(reqwest::Method::POST, path, Some(body)).await
    }

    /// Bulk-creates through `path`, which must answer 201; returns what it created.
    async fn admin_create(&self, path: &str, body: Value) -> Value {
        let created = self.admin_post(path, body).await;
        assert_eq!(created.status, 201, "{created:?}");
        created.body
    }

    /// Polls the NIC until `done` holds, for at most five seconds.
    async fn wait_nic(&self, id: &str, done: impl Fn(&Value) -> bool) -> Value {
        let what = format!("NIC {id} to settle");
        eventually_async(&what, Duration::from_secs(5), || async {
            let nic = self.nic(id).await;
            if done(&nic) {
                Ok(nic)
            } else {
                Err(nic.to_string())
            }
        })
        .await
    }

    /// Waits (at most five seconds) until every transition the simulator scheduled has ended,
    /// completed or overtaken, so what the test reads next is settled.
    async fn transitions_ended(&self) {
        tokio::time::timeout(
            Duration::from_secs(5),
            self.running.sim().transitions_ended(),
        )
        .await
        .expect("the simulator's transitions end within five seconds");
    }
}

fn ids(list: &Value, key: &str) -> Vec<String> {
    (list.as_array().expect("a JSON array").iter())
        .map(|v| v[key].as_str().expect("a string ID").to_owned())
        .collect()
}

// ---- shapes ----

#[tokio::test]
async fn describe_zones_lists_every_zone_with_its_region() {
    let c = Client::default().await;
    let a = c.api("DescribeZones", json!({})).await;
    let zones = &a.response()["zoneSet"];
    assert_eq!(
        ids(zones, "zoneId"),
        ["asia-east-1a", "asia-east-1b", "europe-west-1a"]
    );
    assert_eq!(zones[2]["regionId"], "europe-west-1");
    assert!(zones[0]["zoneName"].is_string());
    let a = c
        .api("DescribeZones", json!({"zoneIds": ["asia-east-1b"]}))
        .await;
    assert_eq!(ids(&a.response()["zoneSet"], "zoneId"), ["asia-east-1b"]);
}

#[tokio::test]
async fn success_answers_wrap_the_response_and_repeat_a_unique_request_id() {
    let c = Client::default().await;
    let mut seen = std::collections::HashSet::new();
    for _ in 0..5 {
        let a = c.api("DescribeZones", json!({})).await;
        let id = a.body["requestId"].as_str().unwrap().to_owned();
        assert_eq!(a.body["response"]["requestId"], id.as_str());
        assert!(seen.insert(id), "request ids are unique");
    }
    let a = c.detach("nic-db-1").await;
    assert_eq!(a.response().as_object().unwrap().len(), 1, "{a:?}");
}

#[tokio::test]
async fn describe_instances_filters_pages_and_lists_each_instances_nics() {
    let c = Client::default().await;
    let all = c.api("DescribeInstances", json!({})).await;
    let r = all.response();
    assert_eq!(r["totalCount"], 6);
    let web1 = &r["dataSet"][0];
    assert_eq!(web1["instanceId"], "ins-web-1");
    assert_eq!(web1["zoneId"], "asia-east-1a");
    assert_eq!(web1["status"], "RUNNING");
    assert!(web1.get("regionId").is_none(), "instances carry zones only");
    assert_eq!(
        ids(&web1["nics"], "nicId"),
        ["nic-web-1-primary", "nic-db-1"]
    );
    assert_eq!(web1["nics"][0]["nicType"], "Primary");

    let a = c
        .api(
            "DescribeInstances",
            json!({"zoneId": "asia-east-1a", "status": "RUNNING"}),
        )
        .await;
    assert_eq!(
        ids(&a.response()["dataSet"], "instanceId"),
        ["ins-web-1", "ins-full-1"]
    );

    let a = c
        .api(
            "DescribeInstances",
            json!({"instanceIds": ["ins-eu-1", "ins-missing-1"]}),
        )
        .await;
    assert_eq!(a.response()["totalCount"], 1);

    let a = c
        .api("DescribeInstances", json!({"pageSize": 4, "pageNum": 2}))
        .await;
    assert_eq!(a.response()["totalCount"], 6);
    assert_eq!(
        ids(&a.response()["dataSet"], "instanceId"),
        ["ins-full-1", "ins-eu-1"]
    );
}

#[tokio::test]
async fn describe_network_interfaces_filters_pages_and_omits_instance_when_unattached() {
    let c = Client::default().await;
    let all = c.api("DescribeNetworkInterfaces", json!({})).await;
    let total = all.response()["totalCount"].as_u64().unwrap();
    assert!(total > 20);
    assert_eq!(
        all.response()["dataSet"].as_array().unwrap().len(),
        20,
        "pageSize defaults to 20"
    );

    let app1 = c.nic("nic-app-1").await;
    assert_eq!(app1["status"], "AVAILABLE");
    assert_eq!(app1["regionId"], "asia-east-1");
    assert_eq!(app1["nicType"], "Secondary");
    assert!(app1.get("instanceId").is_none_or(Value::is_null), "{app1}");
    let db1 = c.nic("nic-db-1").await;
    assert_eq!(
        (db1["status"].as_str(), db1["instanceId"].as_str()),
        (Some("USED"), Some("ins-web-1"))
    );

    let filters = [
        (
            json!({"regionId": "europe-west-1"}),
            vec![
                "nic-eu-1-primary",
                "nic-eu-app-1",
                "nic-eu-app-2",
                "nic-eu-db-1",
            ],
        ),
        (
            json!({"instanceId": "ins-web-1"}),
            vec!["nic-web-1-primary", "nic-db-1"],
        ),
        (json!({"status": "PENDING"}), vec!["nic-pending-1"]),
        (
            json!({"nicType": "Secondary", "regionId": "europe-west-1"}),
            vec!["nic-eu-app-1", "nic-eu-app-2", "nic-eu-db-1"],
        ),
        (
            json!({"nicIds": ["nic-app-2", "nic-missing-1", "nic-app-1"]}),
            vec!["nic-app-1", "nic-app-2"],
        ),
        (
            json!({"regionId": "asia-east-1", "status": "AVAILABLE", "pageSize": 3, "pageNum": 2}),
            vec!["nic-app-4", "nic-app-5", "nic-app-6"],
        ),
    ];
    for (filter, want) in filters {
        let a = c.api("DescribeNetworkInterfaces", filter.clone()).await;
        assert_eq!(ids(&a.response()["dataSet"], "nicId"), want, "{filter}");
    }
    let a = c
        .api(
            "DescribeNetworkInterfaces",
            json!({"nicIds": ["nic-missing-1"]}),
        )
        .await;
    assert_eq!(
        a.response()["totalCount"],
        0,
        "unknown ids give an empty set, not an error"
    );
}

// ---- asynchronous transitions ----

#[tokio::test]
async fn attach_goes_attaching_with_the_instance_then_used_after_the_delay() {
    let c = Client::default().await;
    let a = c.attach("nic-app-1", "ins-web-1").await;
    a.response();
    let nic = c.nic("nic-app-1").await;
    assert_eq!(nic["status"], "ATTACHING");
    assert_eq!(nic["instanceId"], "ins-web-1");
    let nic = c.wait_nic("nic-app-1", |n| n["status"] == "USED").await;
    assert_eq!(nic["instanceId"], "ins-web-1");
    let ins = c
        .api("DescribeInstances", json!({"instanceIds": ["ins-web-1"]}))
        .await;
    assert!(ids(&ins.response()["dataSet"][0]["nics"], "nicId").contains(&"nic-app-1".to_owned()));
}

#[tokio::test]
async fn detach_goes_detaching_then_available_without_an_instance() {
    let c = Client::default().await;
    c.detach("nic-db-1").await.response();
    let nic = c.nic("nic-db-1").await;
    assert_eq!(nic["status"], "DETACHING");
    assert_eq!(nic["instanceId"], "ins-web-1");
    let nic = c.wait_nic("nic-db-1", |n| n["status"] == "AVAILABLE").await;
    assert!(nic.get("instanceId").is_none_or(Value::is_null), "{nic}");
}

#[tokio::test]
async fn a_zero_delay_makes_attach_and_detach_immediate() {
    let c = Client::with_delay(Duration::ZERO).await;
    assert_eq!(c.attach_then_detach().await, ["USED", "AVAILABLE"]);
}

#[tokio::test]
async fn a_hundred_concurrent_attaches_all_complete() {
    let c = Client::with_delay(Duration::from_millis(50)).await;
    c.admin_create(
        "/instances",
        json!({"count": 20, "prefix": "ins-bench-", "zoneId": "asia-east-1a"}),
    )
    .await;
    c.admin_create(
        "/nics",
        json!({"count": 100, "prefix": "nic-bench-", "regionId": "asia-east-1"}),
    )
    .await;
    let calls = (1..=100).map(|i| {
        let call = c.call(
            "AttachNetworkInterface",
            json!({"nicId": format!("nic-bench-{i}"), "instanceId": format!("ins-bench-{}", (i - 1) / 5 + 1)}),
        );
        let c = &c;
        async move { c.send(&call).await.unwrap() }
    });
    let answers = futures_util::future::join_all(calls).await;
    for a in &answers {
        assert_eq!(a.status, 200, "{a:?}");
    }
    eventually_async(
        "all 100 NICs to become USED",
        Duration::from_secs(5),
        || async {
            let a = c
                .api(
                    "DescribeNetworkInterfaces",
                    json!({"status": "USED", "pageSize": 1000}),
                )
                .await;
            let used = ids(&a.response()["dataSet"], "nicId")
                .iter()
                .filter(|id| id.starts_with("nic-bench-"))
                .count();
            if used == 100 {
                Ok(())
            } else {
                Err(format!("{used} of 100 USED"))
            }
        },
    )
    .await;
    let report = c.running.sim().calls();
    assert_eq!(report.action("AttachNetworkInterface").succeeded, 100);
}

// ---- documented refusals ----

#[tokio::test]
async fn every_attach_refusal_has_its_documented_code_and_status() {
    let c = Client::default().await;
    let cases = [
        (
            "nic-missing-1",
            "ins-web-1",
            codes::INVALID_NIC_NOT_FOUND,
            404,
        ),
        (
            "nic-app-1",
            "ins-missing-1",
            codes::INVALID_INSTANCE_NOT_FOUND,
            404,
        ),
        (
            "nic-eu-app-1",
            "ins-web-1",
            codes::INVALID_NIC_INSTANCE_REGION_MISMATCH,
            409,
        ),
        ("nic-db-1", "ins-web-2", codes::INVALID_NIC_ATTACHED, 400),
        ("nic-pending-1", "ins-web-1", codes::INVALID_NIC_STATUS, 400),
        (
            "nic-deleting-1",
            "ins-web-1",
            codes::INVALID_NIC_STATUS,
            400,
        ),
        (
            "nic-app-1",
            "ins-stopped-1",
            codes::OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT,
            400,
        ),
        (
            "nic-app-1",
            "ins-booting-1",
            codes::OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT,
            400,
        ),
        (
            "nic-app-1",
            "ins-full-1",
            codes::INVALID_INSTANCE_NIC_LIMIT,
            400,
        ),
    ];
    for (nic, ins, code, status) in cases {
        let a = c.attach(nic, ins).await;
        assert_eq!(
            (a.code(), a.status),
            (code, status),
            "attach {nic} to {ins}: {a:?}"
        );
        assert!(a.body["requestId"].is_string() && a.body["message"].is_string());
        assert!(a.body.get("response").is_none());
    }
    assert_eq!(
        c.nic("nic-app-1").await["status"],
        "AVAILABLE",
        "refusals change nothing"
    );
}

#[tokio::test]
async fn attaching_an_attaching_nic_is_already_attached_and_detaching_it_is_a_status_error() {
    let c = Client::with_delay(Duration::from_secs(30)).await;
    c.attach("nic-app-1", "ins-web-1").await.response();
    let again = c.attach("nic-app-1", "ins-web-2").await;
    assert_eq!(again.code(), codes::INVALID_NIC_ATTACHED);
    let detach = c.detach("nic-app-1").await;
    assert_eq!(detach.code(), codes::INVALID_NIC_STATUS);
}

#[tokio::test]
async fn every_detach_refusal_has_its_documented_code_and_status() {
    let c = Client::default().await;
    let cases = [
        ("nic-missing-1", codes::INVALID_NIC_NOT_FOUND, 404),
        (
            "nic-web-1-primary",
            codes::INVALID_NIC_PRIMARY_CANT_DETACH,
            409,
        ),
        (
            "nic-app-1",
            codes::OPERATION_DENIED_NIC_NOT_EXIST_INSTANCE,
            403,
        ),
        ("nic-pending-1", codes::INVALID_NIC_STATUS, 400),
        ("nic-failed-1", codes::INVALID_NIC_STATUS, 400),
        (
            "nic-stopped-1-data",
            codes::OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT,
            403,
        ),
    ];
    for (nic, code, status) in cases {
        let a = c.detach(nic).await;
        assert_eq!((a.code(), a.status), (code, status), "detach {nic}: {a:?}");
    }
}

#[tokio::test]
async fn authentication_failures_have_their_documented_codes() {
    let c = Client::default().await;
    let ok = c.call("DescribeZones", json!({}));
    type Change = Box<dyn Fn(&mut Call)>;
    let cases: Vec<(&str, Change, &str)> = vec![
        (
            "wrong password",
            Box::new(|c| c.password = "wrong".into()),
            codes::AUTHFAILURE_SIGNATURE_FAILURE,
        ),
        (
            "unknown access key id",
            Box::new(|c| c.access_key_id = "nobody".into()),
            codes::AUTHFAILURE_SIGNATURE_FAILURE,
        ),
        (
            "timestamp 6 minutes old",
            Box::new(|c| c.timestamp -= 360),
            codes::AUTHFAILURE_SIGNATURE_EXPIRED,
        ),
        (
            "timestamp 6 minutes ahead",
            Box::new(|c| c.timestamp += 360),
            codes::AUTHFAILURE_SIGNATURE_EXPIRED,
        ),
        (
            "no Authorization",
            Box::new(|c| c.authorization = Some(String::new())),
            codes::AUTHFAILURE_INVALID_AUTHORIZATION,
        ),
        (
            "malformed Authorization",
            Box::new(|c| c.authorization = Some("ZC2-HMAC-SHA256 Credential=x".into())),
            codes::AUTHFAILURE_INVALID_AUTHORIZATION,
        ),
        (
            "wrong signed headers",
            Box::new(|c| {
                c.authorization = Some("ZC2-HMAC-SHA256 Credential=sim-access-key-id, SignedHeaders=host, Signature=00".into())
            }),
            codes::AUTHFAILURE_INVALID_AUTHORIZATION,
        ),
        (
            "no signature method",
            Box::new(|c| c.signature_method = None),
            codes::AUTHFAILURE_INVALID_AUTHORIZATION,
        ),
        (
            "wrong bearer token",
            Box::new(|c| c.authorization = Some("Bearer nope".into())),
            codes::AUTHFAILURE_SIGNATURE_FAILURE,
        ),
    ];
    for (what, change, code) in cases {
        let mut call = ok.clone();
        change(&mut call);
        let a = c.send(&call).await.unwrap();
        assert_eq!((a.code(), a.status), (code, 401), "{what}: {a:?}");
        let text = a.body.to_string();
        assert!(
            !text.contains("sim-access-key-password"),
            "{what}: secret echoed"
        );
    }
}

#[tokio::test]
async fn a_body_changed_after_signing_fails_the_signature() {
    let c = Client::default().await;
    let signed = c.call("DescribeZones", json!({}));
    let input_body = signed.body.clone();
    let host = c.running.domain();
    let auth = signer::authorization(
        &signed.access_key_id,
        &signed.password,
        &SigningInput {
            content_type: &signed.content_type,
            host: &host,
            body: &input_body,
            timestamp: signed.timestamp,
        },
    );
    let tampered = Call {
        body: b"{ }".to_vec(),
        authorization: Some(auth),
        ..signed
    };
    let a = c.send(&tampered).await.unwrap();
    assert_eq!(a.code(), codes::AUTHFAILURE_SIGNATURE_FAILURE);
}

#[tokio::test]
async fn the_content_type_with_charset_from_the_signing_doc_is_accepted() {
    let c = Client::default().await;
    let call = Call {
        content_type: "application/json; charset=utf-8".into(),
        ..c.call("DescribeZones", json!({}))
    };
    assert_eq!(c.send(&call).await.unwrap().status, 200);
}

#[tokio::test]
async fn the_configured_bearer_token_is_accepted() {
    let c = Client::default().await;
    let call = Call {
        authorization: Some("Bearer sim-access-token".into()),
        signature_method: None,
        ..c.call("DescribeZones", json!({}))
    };
    assert_eq!(c.send(&call).await.unwrap().status, 200);
}

#[tokio::test]
async fn version_and_action_headers_are_checked() {
    let c = Client::default().await;
    let base = c.call("DescribeZones", json!({}));
    let cases = [
        (
            Call {
                version: None,
                ..base.clone()
            },
            codes::MISSING_PARAMETER,
            400,
        ),
        (
            Call {
                version: Some("2024-04-01".into()),
                ..base.clone()
            },
            codes::INVALID_PARAMETER_VALUE,
            400,
        ),
        (
            Call {
                action: None,
                ..base.clone()
            },
            codes::MISSING_PARAMETER,
            400,
        ),
        (
            Call {
                action: Some("DeleteEverything".into()),
                ..base.clone()
            },
            codes::AUTHFAILURE_UNAUTHORIZED_OPERATION,
            403,
        ),
    ];
    for (call, code, status) in cases {
        let a = c.send(&call).await.unwrap();
        assert_eq!((a.code(), a.status), (code, status), "{a:?}");
    }
}

#[tokio::test]
async fn parameter_errors_have_their_documented_codes() {
    let c = Client::default().await;
    let hundred_and_one: Vec<String> = (0..101).map(|i| format!("nic-{i}")).collect();
    let cases = [
        (
            "AttachNetworkInterface",
            json!({"nicId": "nic-app-1"}),
            codes::MISSING_PARAMETER,
        ),
        (
            "AttachNetworkInterface",
            json!({"instanceId": "ins-web-1"}),
            codes::MISSING_PARAMETER,
        ),
        (
            "DetachNetworkInterface",
            json!({}),
            codes::MISSING_PARAMETER,
        ),
        (
            "AttachNetworkInterface",
            json!({"nicId": 1, "instanceId": "ins-web-1"}),
            codes::INVALID_PARAMETER_TYPE,
        ),
        (
            "DetachNetworkInterface",
            json!({"nicId": ["nic-db-1"]}),
            codes::INVALID_PARAMETER_TYPE,
        ),
        (
            "DescribeNetworkInterfaces",
            json!({"nicIds": "nic-app-1"}),
            codes::INVALID_PARAMETER_TYPE,
        ),
        (
            "DescribeInstances",
            json!({"pageSize": "20"}),
            codes::INVALID_PARAMETER_TYPE,
        ),
        (
            "DescribeNetworkInterfaces",
            json!({"nicIds": hundred_and_one}),
            codes::INVALID_PARAMETER_EXCEED_MAXIMUM,
        ),
        (
            "DescribeInstances",
            json!({"instanceIds": hundred_and_one}),
            codes::INVALID_PARAMETER_EXCEED_MAXIMUM,
        ),
        (
            "DescribeNetworkInterfaces",
            json!({"pageSize": 1001}),
            codes::INVALID_PARAMETER_EXCEED_MAXIMUM,
        ),
        (
            "DescribeInstances",
            json!({"pageSize": 1001}),
            codes::INVALID_PARAMETER_EXCEED_MAXIMUM,
        ),
        (
            "DescribeInstances",
            json!({"pageNum": 0}),
            codes::INVALID_PARAMETER_LESS_MINIMUM,
        ),
        (
            "DescribeNetworkInterfaces",
            json!({"status": "ATTACHED"}),
            codes::INVALID_PARAMETER_VALUE,
        ),
        ("DescribeZones", json!([]), codes::INVALID_PARAMETER_TYPE),
    ];
    for (action, body, code) in cases {
        let a = c.api(action, body.clone()).await;
        assert_eq!((a.code(), a.status), (code, 400), "{action} {body}: {a:?}");
    }
    let not_json = Call {
        body: b"nicId=nic-app-1".to_vec(),
        ..c.call("DetachNetworkInterface", json!({}))
    };
    let a = c.send(&not_json).await.unwrap();
    assert_eq!(a.code(), codes::INVALID_PARAMETER_TYPE);
}

#[tokio::test]
async fn other_paths_and_methods_are_refused() {
    let c = Client::default().await;
    let r = c
        .http
        .post(format!("{}/api/v2/zbc", c.running.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = c.http.get(c.running.api_url()).send().await.unwrap();
    assert_eq!(r.status(), 405);
}

// ---- admin endpoints ----

#[tokio::test]
async fn admin_state_can_be_read_and_replaced_and_bad_states_are_explained() {
    let c = Client::default().await;
    let state = c.admin_get("/state").await;
    assert_eq!(state.status, 200);
    assert_eq!(state.body["zones"].as_array().unwrap().len(), 3);

    let small = json!({
        "zones": [{"zoneId": "z-1", "regionId": "r-1"}],
        "instances": [{"instanceId": "i-1", "zoneId": "z-1", "status": "RUNNING"}],
        "nics": [{"nicId": "n-1", "regionId": "r-1", "status": "AVAILABLE"}]
    });
    let put = c.admin_put("/state", small).await;
    assert_eq!(put.status, 200, "{put:?}");
    let a = c.api("DescribeNetworkInterfaces", json!({})).await;
    assert_eq!(ids(&a.response()["dataSet"], "nicId"), ["n-1"]);

    let broken = json!({"zones": [], "instances": [{"instanceId": "i-1", "zoneId": "z-9", "status": "RUNNING"}]});
    let put = c.admin_put("/state", broken).await;
    assert_eq!(put.status, 400);
    assert!(
        put.body["error"].as_str().unwrap().contains("zone `z-9`"),
        "{put:?}"
    );

    let reset = c.admin(reqwest::Method::POST, "/reset", None).await;
    assert_eq!(reset.status, 200);
    assert_eq!(c.nic("nic-app-1").await["status"], "AVAILABLE");
}

#[tokio::test]
async fn admin_endpoints_refuse_what_a_web_page_could_send_across_origins() {
    let c = Client::default().await;
    let base = c.running.base_url();
    // A change a forged reset would undo.
    let moved = c
        .admin_patch("/nics/nic-app-1", json!({"instanceId": "ins-web-2"}))
        .await;
    assert_eq!(moved.status, 200, "{moved:?}");

    // What an HTML form or a `no-cors` fetch sends: no JSON content type.
    for (content_type, body) in [
        (None, ""),
        (Some("text/plain"), "{}"),
        (Some("application/x-www-form-urlencoded"), "a=b"),
    ] {
        let mut req = c.http.post(format!("{base}/_sim/reset")).body(body);
        if let Some(ct) = content_type {
            req = req.header("Content-Type", ct);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 415, "{content_type:?}");
        let said: Value = r.json().await.unwrap();
        assert!(
            said["error"]
                .as_str()
                .unwrap()
                .contains("Content-Type: application/json"),
            "{said}"
        );
    }
    let r = c
        .http
        .put(format!("{base}/_sim/faults"))
        .header("Content-Type", "text/plain")
        .body(r#"{"rate": 1.0, "kinds": ["503"]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    assert_eq!(
        c.nic("nic-app-1").await["instanceId"],
        "ins-web-2",
        "the reset was refused"
    );
    assert_eq!(
        c.api("DescribeZones", json!({})).await.status,
        200,
        "no fault was set"
    );

    // A page of another origin, even with the right content type, and even for reads.
    for (method, path) in [
        (reqwest::Method::POST, "/reset"),
        (reqwest::Method::GET, "/state"),
        (reqwest::Method::DELETE, "/nics/nic-app-1"),
    ] {
        let r = c
            .http
            .request(method.clone(), format!("{base}/_sim{path}"))
            .header("Content-Type", "application/json")
            .header("Origin", "https://evil.example")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{method} {path}");
    }
    assert_eq!(c.nic("nic-app-1").await["instanceId"], "ins-web-2");

    // A page served from this machine, and a program (no Origin), are served.
    let r = c
        .http
        .post(format!("{base}/_sim/reset"))
        .header("Content-Type", "application/json")
        .header("Origin", base.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(c.nic("nic-app-1").await["status"], "AVAILABLE");
}

#[tokio::test]
async fn admin_changes_made_outside_terraform_show_in_describe() {
    let c = Client::default().await;
    let patch = |path: &'static str, body: Value| c.admin_patch(path, body);

    // Someone detaches a NIC in the console.
    let a = patch("/nics/nic-db-1", json!({"instanceId": null})).await;
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!(c.nic("nic-db-1").await["status"], "AVAILABLE");
    // … moves another to a different instance …
    patch("/nics/nic-app-1", json!({"instanceId": "ins-web-2"})).await;
    let nic = c.nic("nic-app-1").await;
    assert_eq!(
        (nic["status"].as_str(), nic["instanceId"].as_str()),
        (Some("USED"), Some("ins-web-2"))
    );
    // … stops an instance …
    let a = patch("/instances/ins-web-1", json!({"status": "STOPPED"})).await;
    assert_eq!(a.body["status"], "STOPPED");
    let attach = c.attach("nic-app-2", "ins-web-1").await;
    assert_eq!(
        attach.code(),
        codes::OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT
    );
    // … and deletes a NIC.
    let a = c.admin_delete("/nics/nic-app-3").await;
    assert_eq!(a.status, 200);
    let gone = c
        .api(
            "DescribeNetworkInterfaces",
            json!({"nicIds": ["nic-app-3"]}),
        )
        .await;
    assert_eq!(gone.response()["totalCount"], 0);

    let bad = patch("/nics/nic-app-2", json!({"instanceId": "ins-eu-1"})).await;
    assert_eq!(
        bad.status, 400,
        "a NIC cannot be bound across regions: {bad:?}"
    );
    let missing = patch("/nics/nic-nope", json!({"status": "USED"})).await;
    assert_eq!(missing.status, 404);
    let single = c.admin_get("/nics/nic-app-1").await;
    assert_eq!(single.body["instanceId"], "ins-web-2");
    let ins = c.admin_get("/instances/ins-web-1").await;
    assert_eq!(ins.body["nicLimit"], 8);
}

#[tokio::test]
async fn an_outside_change_during_attaching_wins_over_the_pending_transition() {
    let c = Client::default().await;
    c.attach("nic-app-1", "ins-web-1").await.response();
    c.admin_patch("/nics/nic-app-1", json!({"instanceId": null}))
        .await;
    // The attach's timer has fired (and found itself overtaken) before the NIC is read.
    c.transitions_ended().await;
    assert_eq!(c.nic("nic-app-1").await["status"], "AVAILABLE");
}

#[tokio::test]
async fn admin_bulk_creation_adds_nics_and_instances_with_primaries() {
    let c = Client::default().await;
    let nics = c
        .admin_create(
            "/nics",
            json!({"count": 250, "prefix": "nic-load-", "regionId": "asia-east-1"}),
        )
        .await;
    assert_eq!(nics["nicIds"][249], "nic-load-250");
    let a = c
        .api(
            "DescribeNetworkInterfaces",
            json!({"name": "nic-load-", "pageSize": 1000}),
        )
        .await;
    assert_eq!(a.response()["totalCount"], 250);

    let ins = c
        .admin_create(
            "/instances",
            json!({"count": 3, "prefix": "ins-load-", "zoneId": "europe-west-1a", "nicLimit": 4}),
        )
        .await;
    assert_eq!(ins["primaryNicIds"][0], "ins-load-1-primary");
    let a = c
        .api("DescribeInstances", json!({"instanceIds": ["ins-load-2"]}))
        .await;
    assert_eq!(
        ids(&a.response()["dataSet"][0]["nics"], "nicId"),
        ["ins-load-2-primary"]
    );

    let clash = c
        .admin_post(
            "/nics",
            json!({"count": 1, "prefix": "nic-load-", "regionId": "asia-east-1"}),
        )
        .await;
    assert_eq!(clash.status, 409);
}

#[tokio::test]
async fn admin_counters_separate_answered_refused_and_faulted_calls() {
    let c = Client::default().await;
    c.api("DescribeZones", json!({})).await;
    c.detach("nic-app-1").await;
    c.admin_put(
        "/faults",
        json!({"rate": 1.0, "kinds": ["503"], "actions": ["DescribeZones"], "maxFaults": 1}),
    )
    .await;
    assert_eq!(c.api("DescribeZones", json!({})).await.status, 503);
    assert_eq!(c.api("DescribeZones", json!({})).await.status, 200);

    let calls = c.admin_get("/calls").await.body;
    let zones = &calls["actions"]["DescribeZones"];
    assert_eq!(
        (
            &zones["received"],
            &zones["answered"],
            &zones["succeeded"],
            &zones["faulted"]
        ),
        (&json!(3), &json!(2), &json!(2), &json!(1))
    );
    let detach = &calls["actions"]["DetachNetworkInterface"];
    assert_eq!(detach["failed"], 1);
    assert_eq!(
        detach["codes"][codes::OPERATION_DENIED_NIC_NOT_EXIST_INSTANCE],
        1
    );
    assert_eq!(calls["faults"]["503"], 1);

    let reset = c.admin_delete("/calls").await;
    assert_eq!(reset.body["actions"], json!({}));
    assert_eq!(reset.body["faults"]["503"], 0);
}

#[tokio::test]
async fn admin_delays_change_how_long_transitions_last() {
    let c = Client::default().await;
    let d = c.admin_put("/delays", json!({"attachMs": 0})).await;
    assert_eq!(d.body, json!({"attachMs": 0, "detachMs": 200}));
    assert_eq!(c.attach_then_detach().await, ["USED", "DETACHING"]);
}

#[tokio::test]
async fn admin_policy_refuses_chosen_actions_as_the_real_api_refuses_a_missing_permission() {
    let c = Client::default().await;
    let p = c
        .admin_put(
            "/policy",
            json!({"deny": ["DescribeZones", "AttachNetworkInterface"]}),
        )
        .await;
    assert_eq!(p.status, 200, "{p:?}");
    for action in ["DescribeZones", "AttachNetworkInterface"] {
        let a = c
            .api(
                action,
                json!({"nicId": "nic-app-1", "instanceId": "ins-web-1"}),
            )
            .await;
        assert_eq!(
            (a.code(), a.status),
            (codes::AUTHFAILURE_UNAUTHORIZED_OPERATION, 403),
            "{action}: {a:?}"
        );
        let message = a.body["message"].as_str().unwrap_or_default();
        assert!(message.contains(action), "{message}");
    }
    assert_eq!(c.nic("nic-app-1").await["status"], "AVAILABLE");
    c.api("DescribeInstances", json!({})).await.response();
    let bad = c
        .admin_put("/policy", json!({"deny": ["DescribeZone"]}))
        .await;
    assert_eq!(bad.status, 400, "{bad:?}");
    assert!(
        bad.body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("DescribeZone")
    );
    let cleared = c.admin_delete("/policy").await;
    assert_eq!(cleared.body, json!({"deny": []}));
    c.api("DescribeZones", json!({})).await.response();
}

// ---- injected faults ----

async fn set_faults(c: &Client, plan: Value) {
    let a = c.admin_put("/faults", plan).await;
    assert_eq!(a.status, 200, "{a:?}");
}

#[tokio::test]
async fn injected_error_answers_have_their_codes_and_change_nothing() {
    let c = Client::default().await;
    for (kind, code, status) in [
        ("429", codes::REQUEST_LIMIT_EXCEEDED, 429),
        ("500", codes::INTERNAL_SERVER_ERROR, 500),
        ("503", codes::SERVICE_TEMPORARY_UNAVAILABLE, 503),
    ] {
        set_faults(&c, json!({"rate": 1.0, "kinds": [kind]})).await;
        let a = c.attach("nic-app-1", "ins-web-1").await;
        assert_eq!((a.code(), a.status), (code, status), "{kind}: {a:?}");
        assert!(a.body["requestId"].is_string());
        c.admin_delete("/faults").await;
        assert_eq!(c.nic("nic-app-1").await["status"], "AVAILABLE", "{kind}");
    }
    let report = c.admin_get("/faults").await.body;
    assert_eq!(
        (
            &report["injected"]["429"],
            &report["injected"]["500"],
            &report["injected"]["503"]
        ),
        (&json!(1), &json!(1), &json!(1))
    );
}

#[tokio::test]
async fn a_code_fault_answers_the_chosen_code_with_its_documented_status_and_changes_nothing() {
    let c = Client::default().await;
    for (code, status) in [
        (codes::INVALID_INSTANCE_PRECHECK_ABNORMAL, 400),
        (codes::OPERATION_FAILED_RESOURCE_NOT_FOUND, 404),
        (codes::INVALID_NIC_LB_ASSOCIATED, 409),
    ] {
        set_faults(
            &c,
            json!({"rate": 1.0, "kinds": [format!("code:{code}")],
                   "actions": ["AttachNetworkInterface"], "maxFaults": 1}),
        )
        .await;
        let a = c.attach("nic-app-1", "ins-web-1").await;
        assert_eq!((a.code(), a.status), (code, status), "{a:?}");
        assert!(a.body["requestId"].is_string());
        assert_eq!(c.nic("nic-app-1").await["status"], "AVAILABLE", "{code}");
    }
    assert_eq!(c.running.sim().calls().faults.code, 3);
    let bad = c
        .admin_put(
            "/faults",
            json!({"rate": 1.0, "kinds": ["code:NOT_A_CODE"]}),
        )
        .await;
    assert_eq!(bad.status, 400, "{bad:?}");
}

/// Sends `call` on a raw socket and checks the server closed it without a byte of answer.
async fn assert_no_answer(c: &Client, call: &Call) {
    let got = raw_exchange(c, call).await;
    assert!(
        got.is_empty(),
        "expected EOF, got {:?}",
        String::from_utf8_lossy(&got)
    );
}

/// Sends one signed call on a raw socket and returns every byte the server sent back.
async fn raw_exchange(c: &Client, call: &Call) -> Vec<u8> {
    let host = c.running.domain();
    let auth = c.signature(call);
    let head = format!(
        "POST /api/v2/zec HTTP/1.1\r\nHost: {host}\r\nContent-Type: {}\r\nContent-Length: {}\r\nX-ZC-Action: {}\r\nX-ZC-Version: 2025-09-01\r\nX-ZC-Timestamp: {}\r\nX-ZC-Signature-Method: ZC2-HMAC-SHA256\r\nAuthorization: {auth}\r\n\r\n",
        call.content_type,
        call.body.len(),
        call.action.as_deref().expect("raw calls name an action"),
        call.timestamp
    );
    let mut stream = tokio::net::TcpStream::connect(c.running.addr())
        .await
        .expect("the simulator accepts connections");
    stream
        .write_all(head.as_bytes())
        .await
        .expect("the request is written");
    stream
        .write_all(&call.body)
        .await
        .expect("the body is written");
    let mut got = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut got)).await;
    assert!(read.is_ok(), "the server neither answered nor closed");
    got
}

#[tokio::test]
async fn a_dropped_call_gets_no_answer_and_changes_nothing() {
    let c = Client::default().await;
    set_faults(
        &c,
        json!({"rate": 1.0, "kinds": ["drop"], "actions": ["AttachNetworkInterface"]}),
    )
    .await;
    let call = c.attach_call("nic-app-1", "ins-web-1");
    assert_no_answer(&c, &call).await;
    let err = c.send(&call).await.expect_err("reqwest sees no answer");
    assert!(!err.is_status() && !err.is_timeout(), "{err:?}");
    // Had the dropped call begun a transition, it would have ended by now.
    c.transitions_ended().await;
    assert_eq!(c.nic("nic-app-1").await["status"], "AVAILABLE");
    let calls = c.running.sim().calls();
    assert_eq!(calls.action("AttachNetworkInterface").faulted, 2);
    assert_eq!(calls.faults.drop, 2);
}

#[tokio::test]
async fn a_lost_answer_still_applies_the_change() {
    let c = Client::default().await;
    set_faults(&c, json!({"rate": 1.0, "kinds": ["lost"], "actions": ["AttachNetworkInterface"], "maxFaults": 1})).await;
    let call = c.attach_call("nic-app-1", "ins-web-1");
    assert_no_answer(&c, &call).await;
    let nic = c.wait_nic("nic-app-1", |n| n["status"] == "USED").await;
    assert_eq!(nic["instanceId"], "ins-web-1");
    // The budget of one fault is spent: a retry is answered, and refused as already attached.
    let retry = c.send(&call).await.unwrap();
    assert_eq!(retry.code(), codes::INVALID_NIC_ATTACHED);
    assert_eq!(c.running.sim().calls().faults.lost, 1);
}

#[tokio::test]
async fn a_lost_answer_is_seen_by_reqwest_as_a_connection_error() {
    let c = Client::default().await;
    set_faults(
        &c,
        json!({"rate": 1.0, "kinds": ["lost"], "actions": ["DetachNetworkInterface"]}),
    )
    .await;
    let err = c
        .send(&c.call("DetachNetworkInterface", json!({"nicId": "nic-db-1"})))
        .await
        .expect_err("no answer");
    assert!(!err.is_status() && !err.is_timeout(), "{err:?}");
    assert_ne!(
        c.nic("nic-db-1").await["status"],
        "USED",
        "the detach was applied"
    );
}

#[tokio::test]
async fn latency_slows_only_the_named_actions() {
    let c = Client::default().await;
    set_faults(&c, json!({"latencyMs": 300, "actions": ["DescribeZones"]})).await;
    let started = Instant::now();
    assert_eq!(c.api("DescribeZones", json!({})).await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    let calls = c.running.sim().calls();
    assert_eq!(calls.faults.latency, 1);
    c.api("DescribeInstances", json!({})).await;
    assert_eq!(
        c.running.sim().calls().faults.latency,
        1,
        "DescribeInstances is not slowed"
    );
}

#[tokio::test]
async fn a_seeded_fault_plan_repeats_exactly() {
    let run = || async {
        let c = Client::default().await;
        set_faults(
            &c,
            json!({"rate": 0.5, "kinds": ["429", "503"], "seed": 42}),
        )
        .await;
        let mut statuses = Vec::new();
        for _ in 0..20 {
            statuses.push(c.api("DescribeZones", json!({})).await.status);
        }
        statuses
    };
    let first = run().await;
    assert_eq!(first, run().await);
    assert!(
        first.contains(&200) && first.iter().any(|s| *s != 200),
        "{first:?}"
    );
}

#[tokio::test]
async fn nonsense_fault_plans_are_refused_with_a_reason() {
    let c = Client::default().await;
    let a = c
        .admin_put("/faults", json!({"rate": 2.0, "kinds": ["429"]}))
        .await;
    assert_eq!(a.status, 400);
    assert!(a.body["error"].as_str().unwrap().contains("rate"), "{a:?}");
    let a = c
        .admin_put("/faults", json!({"rate": 0.5, "kinds": ["explode"]}))
        .await;
    assert_eq!(a.status, 400, "{a:?}");
}

#[tokio::test]
async fn shutdown_stops_listening() {
    let c = Client::default().await;
    let addr = c.running.addr();
    assert_eq!(c.api("DescribeZones", json!({})).await.status, 200);
    c.running.shutdown().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

// ---- the binary ----

/// `zenlayer-sim ARGS`, with its output piped.
fn sim_binary(args: &[&str]) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_zenlayer-sim"))
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("zenlayer-sim starts")
}

#[test]
fn the_binary_refuses_a_remote_listen_address_without_allow_remote() {
    for address in ["0.0.0.0:0", "[::]:0"] {
        let out = sim_binary(&["--listen", address, "--log-level", "off"])
            .wait_with_output()
            .expect("zenlayer-sim exits");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{address}: {stderr}");
        assert!(out.stdout.is_empty(), "{address}: it never listened");
        for needle in [
            "refusing to listen on",
            "no authentication",
            "--allow-remote",
        ] {
            assert!(stderr.contains(needle), "{address}: {stderr}");
        }
        println!("{address}: {}", stderr.trim());
    }
}

#[test]
fn the_binary_listens_remotely_with_allow_remote_and_warns_loudly() {
    use std::io::BufRead;
    let mut child = sim_binary(&[
        "--listen",
        "0.0.0.0:0",
        "--allow-remote",
        "--log-level",
        "off",
    ]);
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("piped stdout"))
        .read_line(&mut line)
        .expect("the listening line");
    let _ = child.kill();
    let out = child.wait_with_output().expect("zenlayer-sim exits");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        line.starts_with("zenlayer-sim listening on http://0.0.0.0:"),
        "{line}"
    );
    assert!(
        stderr.contains("WARNING") && stderr.contains("NO AUTHENTICATION"),
        "{stderr}"
    );
    println!("{}", stderr.trim());
}
