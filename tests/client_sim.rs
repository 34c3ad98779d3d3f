//! The client against zenlayer-sim, the local ZEC API: every call, every class of error the
//! simulator can produce, injected faults, and coalesced lookups counted by the simulator.

#[path = "support/eventually.rs"]
mod eventually;

use std::time::Duration;

use eventually::eventually_async;
use futures_util::future::join_all;
use tpz::sim::{
    DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_PASSWORD, DEFAULT_ACCESS_TOKEN, Delays, FaultConfig,
    FaultKind, NewNics, RunningSim, SimConfig,
};
use tpz::zenlayer::models::{DescribeNetworkInterfacesRequest, NicInfo, NicStatus};
use tpz::zenlayer::{
    CallLimits, Client, ClientConfig, Credentials, Error, Lookup, RetryPolicy, Scheme, codes,
};

const GUARD: Duration = Duration::from_secs(30);

async fn sim() -> RunningSim {
    RunningSim::start(SimConfig {
        delays: Delays::both(Duration::from_millis(50)),
        ..SimConfig::default()
    })
    .await
    .expect("simulator starts on 127.0.0.1:0")
}

fn config(sim: &RunningSim, credentials: Credentials) -> ClientConfig {
    ClientConfig {
        credentials,
        scheme: Scheme::Http,
        domain: sim.domain(),
        client_timeout: Duration::from_secs(5),
        max_retries: 3,
        user_agent: "terraform-provider-zenlayer/test Terraform/1.11.4".into(),
        extra_roots: Default::default(),
    }
}

fn hmac() -> Credentials {
    Credentials::AccessKey {
        id: DEFAULT_ACCESS_KEY_ID.into(),
        password: DEFAULT_ACCESS_KEY_PASSWORD.into(),
    }
}

fn client(sim: &RunningSim) -> Client {
    fast(config(sim, hmac()))
}

fn fast(config: ClientConfig) -> Client {
    Client::new(config)
        .expect("valid configuration")
        .with_retry_policy(RetryPolicy {
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        })
}

fn limits() -> CallLimits {
    CallLimits::default()
}

/// Reads the NIC until `done` holds (fresh reads through the lookup each time).
async fn wait_for(lookup: &Lookup, nic: &str, done: impl Fn(&NicInfo) -> bool) -> NicInfo {
    eventually_async("the NIC to reach the expected state", GUARD, || async {
        let n = lookup
            .nic(nic, &limits())
            .await
            .expect("the simulator answers")
            .expect("NIC exists");
        if done(&n) {
            Ok(n)
        } else {
            Err(format!("{n:?}"))
        }
    })
    .await
}

fn inject(sim: &RunningSim, action: &str, kinds: &[FaultKind], max_faults: u64) {
    sim.sim()
        .set_faults(FaultConfig {
            seed: Some(7),
            ..FaultConfig::always(kinds, &[action], Some(max_faults))
        })
        .expect("valid fault plan");
}

#[tokio::test]
async fn attach_then_detach_goes_through_attaching_and_detaching() {
    let sim = sim().await;
    let lookup = Lookup::new(client(&sim));
    let c = lookup.client();

    let request_id = c
        .attach_network_interface("nic-app-1", "ins-web-1", &limits())
        .await
        .unwrap();
    assert!(!request_id.is_empty());
    let now = lookup.nic("nic-app-1", &limits()).await.unwrap().unwrap();
    assert!(
        matches!(now.status, NicStatus::Attaching | NicStatus::Used),
        "{now:?}"
    );
    let attached = wait_for(&lookup, "nic-app-1", |n| n.status == NicStatus::Used).await;
    assert_eq!(attached.instance_id.as_deref(), Some("ins-web-1"));

    c.detach_network_interface("nic-app-1", &limits())
        .await
        .unwrap();
    let detached = wait_for(&lookup, "nic-app-1", |n| n.status == NicStatus::Available).await;
    assert_eq!(detached.instance_id, None);
}

#[tokio::test]
async fn describe_calls_read_the_simulated_account() {
    let sim = sim().await;
    let c = client(&sim);

    let page = c
        .describe_network_interfaces(
            &DescribeNetworkInterfacesRequest {
                instance_id: Some("ins-web-1".into()),
                ..Default::default()
            },
            &limits(),
        )
        .await
        .unwrap();
    let mut ids: Vec<&str> = page.data_set.iter().map(|n| n.nic_id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, ["nic-db-1", "nic-web-1-primary"]);
    assert_eq!(page.total_count, 2);
    assert!(!page.request_id.is_empty());

    let instances = c
        .describe_instances_by_id(&["ins-eu-1".into(), "ins-nope".into()], &limits())
        .await
        .unwrap();
    assert_eq!(instances.len(), 1);
    assert_eq!(instances[0].zone_id, "europe-west-1a");

    let zones = c.describe_zones(&limits()).await.unwrap();
    assert_eq!(zones.len(), 3);
    let lookup = Lookup::new(c);
    assert_eq!(
        lookup
            .region_of_zone("asia-east-1b", &limits())
            .await
            .unwrap()
            .as_deref(),
        Some("asia-east-1")
    );
}

#[tokio::test]
async fn bearer_token_mode_is_accepted_by_the_simulator() {
    let sim = sim().await;
    let c = fast(config(
        &sim,
        Credentials::Token(DEFAULT_ACCESS_TOKEN.into()),
    ));
    let nics = c
        .describe_nics_by_id(&["nic-app-2".into()], &limits())
        .await
        .unwrap();
    assert_eq!(nics[0].status, NicStatus::Available);
}

#[tokio::test]
async fn wrong_credentials_are_an_auth_failure_that_is_not_retried() {
    let sim = sim().await;
    let c = fast(config(
        &sim,
        Credentials::AccessKey {
            id: DEFAULT_ACCESS_KEY_ID.into(),
            password: "not-the-password".into(),
        },
    ));
    let err = c.describe_zones(&limits()).await.unwrap_err();
    assert_eq!(err.code(), Some(codes::AUTHFAILURE_SIGNATURE_FAILURE));
    assert_eq!(sim.sim().calls().action("DescribeZones").received, 1);
}

#[tokio::test]
async fn documented_refusals_arrive_as_api_errors_with_their_codes() {
    let sim = sim().await;
    let c = client(&sim);
    let attach_cases = [
        ("nic-missing-1", "ins-web-1", codes::INVALID_NIC_NOT_FOUND),
        (
            "nic-app-1",
            "ins-missing-1",
            codes::INVALID_INSTANCE_NOT_FOUND,
        ),
        (
            "nic-eu-app-1",
            "ins-web-1",
            codes::INVALID_NIC_INSTANCE_REGION_MISMATCH,
        ),
        ("nic-db-1", "ins-web-2", codes::INVALID_NIC_ATTACHED),
        ("nic-pending-1", "ins-web-1", codes::INVALID_NIC_STATUS),
        (
            "nic-app-1",
            "ins-stopped-1",
            codes::OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT,
        ),
        ("nic-app-1", "ins-full-1", codes::INVALID_INSTANCE_NIC_LIMIT),
    ];
    for (nic, ins, code) in attach_cases {
        let err = c
            .attach_network_interface(nic, ins, &limits())
            .await
            .unwrap_err();
        let api = err.api_error().unwrap_or_else(|| panic!("{nic}: {err:?}"));
        assert_eq!(api.code, code, "{nic} → {ins}");
        assert!(api.http_status >= 400, "{api}");
        if code == codes::OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT {
            // The attach page lists it as 400: still a documented refusal, never retried.
            assert_eq!(api.http_status, 400, "{api}");
        }
        assert!(!api.request_id.is_empty(), "{api}");
    }
    let detach_cases = [
        ("nic-web-1-primary", codes::INVALID_NIC_PRIMARY_CANT_DETACH),
        ("nic-app-1", codes::OPERATION_DENIED_NIC_NOT_EXIST_INSTANCE),
        (
            "nic-stopped-1-data",
            codes::OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT,
        ),
    ];
    for (nic, code) in detach_cases {
        let err = c
            .detach_network_interface(nic, &limits())
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some(code), "{nic}: {err:?}");
    }
    let calls = sim.sim().calls();
    assert_eq!(
        calls.action("AttachNetworkInterface").received,
        7,
        "refusals are not retried"
    );
    assert_eq!(calls.action("DetachNetworkInterface").received, 3);
}

#[tokio::test]
async fn a_read_survives_every_injected_fault_kind() {
    let sim = sim().await;
    inject(
        &sim,
        "DescribeNetworkInterfaces",
        &[
            FaultKind::RateLimited,
            FaultKind::Internal,
            FaultKind::Unavailable,
            FaultKind::Drop,
            FaultKind::Lost,
        ],
        5,
    );
    let mut cfg = config(&sim, hmac());
    cfg.max_retries = 5;
    let nics = fast(cfg)
        .describe_nics_by_id(&["nic-app-3".into()], &limits())
        .await
        .unwrap();
    assert_eq!(nics[0].nic_id, "nic-app-3");
    let calls = sim.sim().calls();
    assert_eq!(calls.faults.total(), 5);
    assert_eq!(calls.action("DescribeNetworkInterfaces").received, 6);
}

#[tokio::test]
async fn a_write_is_retried_through_throttling_and_temporary_errors() {
    let sim = sim().await;
    inject(
        &sim,
        "AttachNetworkInterface",
        &[
            FaultKind::RateLimited,
            FaultKind::Unavailable,
            FaultKind::Internal,
        ],
        3,
    );
    client(&sim)
        .attach_network_interface("nic-app-4", "ins-web-2", &limits())
        .await
        .unwrap();
    assert_eq!(
        sim.sim().calls().action("AttachNetworkInterface").received,
        4
    );
}

#[tokio::test]
async fn a_write_whose_answer_is_lost_is_outcome_unknown_sent_once_and_took_effect() {
    let sim = sim().await;
    inject(&sim, "AttachNetworkInterface", &[FaultKind::Lost], 1);
    let lookup = Lookup::new(client(&sim));

    let err = lookup
        .client()
        .attach_network_interface("nic-app-5", "ins-web-1", &limits())
        .await
        .unwrap_err();

    assert!(matches!(err, Error::OutcomeUnknown { .. }), "{err:?}");
    assert_eq!(
        sim.sim().calls().action("AttachNetworkInterface").received,
        1
    );
    let nic = wait_for(&lookup, "nic-app-5", |n| n.status == NicStatus::Used).await;
    assert_eq!(nic.instance_id.as_deref(), Some("ins-web-1"));
}

#[tokio::test]
async fn a_write_whose_connection_is_dropped_is_outcome_unknown_and_sent_once() {
    let sim = sim().await;
    inject(&sim, "DetachNetworkInterface", &[FaultKind::Drop], 1);
    let err = client(&sim)
        .detach_network_interface("nic-db-1", &limits())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::OutcomeUnknown { .. }), "{err:?}");
    assert_eq!(
        sim.sim().calls().action("DetachNetworkInterface").received,
        1
    );
    let nic = sim.sim().nic("nic-db-1").expect("NIC exists");
    assert_eq!(
        nic.status,
        NicStatus::Used,
        "a dropped call changed nothing"
    );
}

#[tokio::test]
async fn two_hundred_fifty_nics_are_read_in_three_calls() {
    let sim = sim().await;
    sim.sim()
        .create_nics(NewNics::available("nic-bulk-", 250, "asia-east-1"))
        .expect("bulk NICs created");
    sim.sim().reset_calls();
    let ids: Vec<String> = (1..=250).map(|i| format!("nic-bulk-{i}")).collect();

    let nics = client(&sim)
        .describe_nics_by_id(&ids, &limits())
        .await
        .unwrap();

    assert_eq!(nics.len(), 250);
    assert_eq!(
        sim.sim()
            .calls()
            .action("DescribeNetworkInterfaces")
            .received,
        3
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_lookups_make_a_few_calls_to_the_simulator() {
    let sim = sim().await;
    sim.sim()
        .create_nics(NewNics::available("nic-many-", 200, "asia-east-1"))
        .expect("bulk NICs created");
    // Calls take long enough that the burst lands while the first ones are in flight.
    sim.sim()
        .set_faults(FaultConfig {
            actions: vec!["DescribeNetworkInterfaces".into()],
            latency_ms: 200,
            ..FaultConfig::default()
        })
        .expect("valid plan");
    sim.sim().reset_calls();
    let lookup = Lookup::new(client(&sim));

    let answers = tokio::time::timeout(
        GUARD,
        join_all((1..=200).map(|i| {
            let lookup = lookup.clone();
            async move { lookup.nic(&format!("nic-many-{i}"), &limits()).await }
        })),
    )
    .await
    .expect("lookups finished");

    assert!(answers.iter().all(|a| matches!(a, Ok(Some(_)))));
    let calls = sim
        .sim()
        .calls()
        .action("DescribeNetworkInterfaces")
        .received;
    assert!((2..=4).contains(&calls), "200 lookups made {calls} calls");
}
