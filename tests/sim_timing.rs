//! zenlayer-sim paced like an API across a network: the latency it adds to every call, the
//! attach and detach durations it draws from a seeded spread, and the operations it records so
//! that a benchmark can compute the ideal for the durations drawn.

use std::time::{Duration, Instant};

use tpz::sim::{
    DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_PASSWORD, Delays, RunningSim, SimConfig, Spread,
    Timing,
};
use tpz::zenlayer::{CallLimits, Client, ClientConfig, Credentials, Scheme};

async fn sim(timing: Timing) -> RunningSim {
    let sim = RunningSim::start(SimConfig {
        delays: Delays::both(Duration::from_millis(50)),
        ..SimConfig::default()
    })
    .await
    .expect("simulator starts on 127.0.0.1:0");
    sim.sim().set_timing(timing).expect("a valid pacing");
    sim
}

fn client(sim: &RunningSim) -> Client {
    Client::new(ClientConfig {
        credentials: Credentials::AccessKey {
            id: DEFAULT_ACCESS_KEY_ID.into(),
            password: DEFAULT_ACCESS_KEY_PASSWORD.into(),
        },
        scheme: Scheme::Http,
        domain: sim.domain(),
        client_timeout: Duration::from_secs(30),
        max_retries: 0,
        user_agent: "terraform-provider-zenlayer/test Terraform/1.11.4".into(),
        extra_roots: Default::default(),
    })
    .expect("valid configuration")
}

fn spread(seed: u64) -> Timing {
    Timing {
        latency_ms: 0,
        spread: Some(Spread {
            median_ms: 3000,
            p95_ms: 20_000,
            seed,
        }),
    }
}

/// Attaches six free `nic-app-*` NICs (all `ins-web-1` has room for) to `ins-web-1`, one after the other, and returns
/// the durations the simulator recorded for them, in order.
async fn attach_all(sim: &RunningSim) -> Vec<(String, u64)> {
    let client = client(sim);
    let limits = CallLimits::default();
    for i in 1..=6 {
        client
            .attach_network_interface(&format!("nic-app-{i}"), "ins-web-1", &limits)
            .await
            .expect("attach accepted");
    }
    sim.sim()
        .operations()
        .into_iter()
        .map(|op| {
            assert_eq!(op.action, "AttachNetworkInterface");
            (op.nic_id, op.duration_ms)
        })
        .collect()
}

#[tokio::test]
async fn every_call_takes_at_least_the_configured_latency() {
    let sim = sim(Timing {
        latency_ms: 150,
        spread: None,
    })
    .await;
    let started = Instant::now();
    client(&sim)
        .describe_zones(&CallLimits::default())
        .await
        .expect("zones listed");
    // A lower bound only: the simulator sleeps at least this long, whatever the machine load.
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!(sim.sim().timing().latency_ms, 150);
}

#[tokio::test]
async fn the_same_seed_gives_the_same_calls_the_same_recorded_durations() {
    let first = attach_all(&sim(spread(42)).await).await;
    let again = attach_all(&sim(spread(42)).await).await;
    let other = attach_all(&sim(spread(43)).await).await;
    assert_eq!(first.len(), 6, "one operation recorded per attach");
    assert_eq!(first, again);
    assert_ne!(first, other);
    assert!(
        first.iter().any(|(_, ms)| *ms != first[0].1),
        "durations are drawn, not fixed: {first:?}"
    );
}

#[tokio::test]
async fn without_a_spread_operations_record_the_fixed_delay_and_a_refused_attach_none() {
    let sim = sim(Timing::default()).await;
    let client = client(&sim);
    let limits = CallLimits::default();
    client
        .attach_network_interface("nic-app-1", "ins-web-1", &limits)
        .await
        .expect("attach accepted");
    client
        .attach_network_interface("nic-db-1", "ins-web-1", &limits)
        .await
        .expect_err("an attached NIC is refused");
    let ops = sim.sim().operations();
    assert_eq!(ops.len(), 1, "{ops:?}");
    assert_eq!(
        (ops[0].nic_id.as_str(), ops[0].duration_ms),
        ("nic-app-1", 50)
    );
    sim.sim().clear_operations();
    assert!(sim.sim().operations().is_empty());
}
