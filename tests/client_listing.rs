//! Recent lookups (refresh and plan checks): a plan walk over many resources lists the account
//! once instead of reading it ten IDs at a time, one or two resources never list it, and a
//! listing never answers a read after this process's own write, after a fresh read saw a
//! change, or, once the process has written, when it is five seconds old (a process that
//! never wrote is one plan walk, and its listing serves the whole walk).

mod client_support;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use client_support::*;
use tokio::sync::Semaphore;
use tpz::sim::{Delays, NewInstances, NewNics, RunningSim, SimConfig};
use tpz::zenlayer::lookup::snapshot::TTL;
use tpz::zenlayer::models::NicStatus;
use tpz::zenlayer::{CallLimits, Lookup};

const GUARD: Duration = Duration::from_secs(30);

/// A simulator with the built-in account, immediate transitions, and 250 more AVAILABLE
/// NICs `nic-many-1` … `nic-many-250`.
async fn sim() -> RunningSim {
    let sim = RunningSim::start(SimConfig {
        delays: Delays::both(Duration::ZERO),
        ..SimConfig::default()
    })
    .await
    .expect("simulator starts on 127.0.0.1:0");
    sim.sim()
        .create_nics(NewNics::available("nic-many-", 250, "asia-east-1"))
        .expect("bulk NICs created");
    sim
}

/// A lookup that has listed the account, having been asked about five distinct NICs.
async fn listed_lookup(sim: &RunningSim) -> Lookup {
    let lookup = sim_lookup(sim);
    for i in 1..=5 {
        lookup
            .recent_nic(&format!("nic-many-{i}"), &CallLimits::default())
            .await
            .expect("a recent read of a listed NIC");
    }
    lookup
}

fn nic_calls(sim: &RunningSim) -> u64 {
    sim.sim()
        .calls()
        .action("DescribeNetworkInterfaces")
        .received
}

/// Runs `f(0..n)` the way Terraform runs resource operations: at most 10 at once, each in its
/// own task.
async fn ten_at_a_time<T, F, Fut>(n: usize, f: F) -> Vec<T>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
{
    let slots = Arc::new(Semaphore::new(10));
    let mut tasks = Vec::new();
    for i in 0..n {
        let slot = Arc::clone(&slots)
            .acquire_owned()
            .await
            .expect("the semaphore stays open");
        let work = f(i);
        tasks.push(tokio::spawn(async move {
            let out = work.await;
            drop(slot);
            out
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("lookup task"));
    }
    out
}

/// Every `DescribeNetworkInterfaces` request that listed (named no IDs), as
/// (pageNum, pageSize).
fn listings(server: &ApiServer) -> Vec<(u64, u64)> {
    server
        .requests()
        .iter()
        .filter(|r| r.action == "DescribeNetworkInterfaces" && r.json.get("nicIds").is_none())
        .map(|r| {
            (
                r.json["pageNum"].as_u64().unwrap_or(1),
                r.json["pageSize"].as_u64().unwrap_or(20),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_of_200_nics_ten_at_a_time_makes_at_most_four_describe_calls() {
    let sim = sim().await;
    let lookup = sim_lookup(&sim);
    sim.sim().reset_calls();

    let answers = tokio::time::timeout(
        GUARD,
        ten_at_a_time(200, |i| {
            let lookup = lookup.clone();
            async move {
                let id = format!("nic-many-{}", i + 1);
                (
                    id.clone(),
                    lookup.recent_nic(&id, &CallLimits::default()).await,
                )
            }
        }),
    )
    .await
    .expect("lookups finished");

    for (id, answer) in answers {
        let nic = answer.expect("answered").expect("the NIC exists");
        assert_eq!(nic.nic_id, id);
        assert_eq!(nic.status, NicStatus::Available);
    }
    let calls = nic_calls(&sim);
    // Two IDs read by ID before the third starts the listing, then one page of 1000.
    assert!(calls <= 4, "200 recent lookups made {calls} calls");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_checks_of_60_instances_ten_at_a_time_read_them_from_one_listing() {
    let sim = sim().await;
    sim.sim()
        .create_instances(NewInstances {
            count: 60,
            prefix: "ins-many-".into(),
            first: 1,
            zone_id: "asia-east-1a".into(),
            status: None,
            nic_limit: None,
        })
        .expect("bulk instances created");
    let lookup = sim_lookup(&sim);
    sim.sim().reset_calls();

    let answers = ten_at_a_time(60, |i| {
        let lookup = lookup.clone();
        async move {
            let id = format!("ins-many-{}", i + 1);
            let found = lookup.recent_instance(&id, &CallLimits::default()).await;
            (id, found)
        }
    })
    .await;

    for (id, answer) in answers {
        assert_eq!(answer.expect("answered").expect("exists").instance_id, id);
    }
    let calls = sim.sim().calls().action("DescribeInstances").received;
    assert!(calls <= 4, "60 recent lookups made {calls} calls");
}

#[tokio::test]
async fn one_or_two_resources_are_read_by_id_once_and_never_list_the_account() {
    let server = world_server(World::with_nics(50)).await;
    let lookup = Lookup::new(client(server.addr));

    // Refresh, then plan checks, then the same again: each NIC is read once.
    for _ in 0..3 {
        for id in [nic_id(1), nic_id(2)] {
            let nic = lookup.recent_nic(&id, &no_limits()).await.unwrap();
            assert_eq!(nic.expect("exists").nic_id, id);
        }
    }

    assert_eq!(listings(&server), []);
    assert_eq!(
        server.hits(),
        2,
        "one by-ID read per NIC served the later lookups"
    );
}

#[tokio::test]
async fn not_found_is_never_remembered() {
    let server = world_server(World::with_nics(5)).await;
    let lookup = Lookup::new(client(server.addr));

    for _ in 0..3 {
        let nic = lookup
            .recent_nic("nic-missing", &no_limits())
            .await
            .unwrap();
        assert_eq!(nic, None);
    }

    assert_eq!(
        server.hits(),
        3,
        "each lookup of a missing NIC asked the API"
    );
}

#[tokio::test]
async fn a_third_distinct_id_lists_the_account_in_pages_of_1000() {
    let server = world_server(World::with_nics(50)).await;
    let lookup = Lookup::new(client(server.addr));

    for i in 1..=3 {
        lookup.recent_nic(&nic_id(i), &no_limits()).await.unwrap();
    }
    let hits = server.hits();
    for i in 4..50 {
        let nic = lookup.recent_nic(&nic_id(i), &no_limits()).await.unwrap();
        assert_eq!(nic.expect("listed").nic_id, nic_id(i));
    }

    assert_eq!(listings(&server), [(1, 1000)]);
    assert_eq!(server.hits(), hits, "the listing served the other 46 NICs");
}

#[tokio::test]
async fn a_read_after_our_own_write_is_fresh_never_from_the_listing() {
    let sim = sim().await;
    let lookup = listed_lookup(&sim).await;

    lookup
        .attach_network_interface("nic-many-1", "ins-web-1", &CallLimits::default())
        .await
        .expect("attach accepted");
    let before = nic_calls(&sim);
    let after_write = lookup
        .recent_nic("nic-many-1", &CallLimits::default())
        .await
        .unwrap()
        .expect("exists");
    let other = lookup
        .recent_nic("nic-many-2", &CallLimits::default())
        .await
        .unwrap()
        .expect("exists");

    assert_eq!(after_write.status, NicStatus::Used);
    assert_eq!(after_write.instance_id.as_deref(), Some("ins-web-1"));
    assert_eq!(other.status, NicStatus::Available);
    assert!(
        nic_calls(&sim) > before,
        "the reads after the attach were served without a call"
    );
}

#[tokio::test]
async fn a_refused_write_retires_the_listing_too() {
    let sim = sim().await;
    let lookup = listed_lookup(&sim).await;

    let refused = lookup
        .detach_network_interface("nic-many-3", &CallLimits::default())
        .await;
    assert!(refused.is_err(), "an unattached NIC cannot be detached");
    sim.sim().delete_nic("nic-many-4").expect("deleted");
    let gone = lookup
        .recent_nic("nic-many-4", &CallLimits::default())
        .await
        .unwrap();

    assert_eq!(gone, None, "served from a listing made before the write");
}

#[tokio::test]
async fn a_change_seen_by_a_fresh_read_retires_the_listing() {
    let sim = sim().await;
    let lookup = listed_lookup(&sim).await;
    sim.sim().delete_nic("nic-many-1").expect("deleted");
    sim.sim().delete_nic("nic-many-2").expect("deleted");

    let fresh = lookup
        .nic("nic-many-1", &CallLimits::default())
        .await
        .unwrap();
    let recent = lookup
        .recent_nic("nic-many-2", &CallLimits::default())
        .await
        .unwrap();

    assert_eq!(fresh, None);
    assert_eq!(
        recent, None,
        "served from a listing a fresh read had proved stale"
    );
}

#[tokio::test]
async fn an_id_the_listing_lacks_is_read_by_id() {
    let sim = sim().await;
    let lookup = listed_lookup(&sim).await;
    sim.sim()
        .create_nics(NewNics::available("nic-later-", 1, "asia-east-1"))
        .expect("created");

    let later = lookup
        .recent_nic("nic-later-1", &CallLimits::default())
        .await
        .unwrap();
    let missing = lookup
        .recent_nic("nic-missing-1", &CallLimits::default())
        .await
        .unwrap();

    assert_eq!(
        later.expect("created after the listing").nic_id,
        "nic-later-1"
    );
    assert_eq!(missing, None);
}

#[tokio::test]
async fn in_a_process_that_never_wrote_a_listing_serves_the_whole_plan_walk() {
    let sim = sim().await;
    let lookup = listed_lookup(&sim).await;
    sim.sim().delete_nic("nic-many-9").expect("deleted");
    let before = nic_calls(&sim);

    tokio::time::sleep(TTL + Duration::from_millis(100)).await;
    let later = lookup
        .recent_nic("nic-many-9", &CallLimits::default())
        .await
        .unwrap();

    assert!(
        later.is_some(),
        "a point-in-time read from this walk's listing, past {TTL:?}"
    );
    assert_eq!(nic_calls(&sim), before, "no second listing");
}

#[tokio::test]
async fn once_the_process_has_written_a_listing_serves_changes_made_elsewhere_for_at_most_five_seconds()
 {
    let sim = sim().await;
    let lookup = sim_lookup(&sim);
    lookup
        .attach_network_interface("nic-many-250", "ins-web-1", &CallLimits::default())
        .await
        .expect("attach accepted");
    // Listings are held off for a while after a write; list once that has passed.
    tokio::time::sleep(TTL + Duration::from_millis(100)).await;
    let lookup_listed = async {
        for i in 1..=5 {
            lookup
                .recent_nic(&format!("nic-many-{i}"), &CallLimits::default())
                .await
                .expect("a recent read of a listed NIC");
        }
    };
    lookup_listed.await;
    sim.sim().delete_nic("nic-many-9").expect("deleted");

    let within = lookup
        .recent_nic("nic-many-9", &CallLimits::default())
        .await
        .unwrap();
    tokio::time::sleep(TTL + Duration::from_millis(100)).await;
    let after = lookup
        .recent_nic("nic-many-9", &CallLimits::default())
        .await
        .unwrap();

    assert!(within.is_some(), "a point-in-time read from the listing");
    assert_eq!(after, None, "the listing outlived its {TTL:?}");
}

#[tokio::test]
async fn a_large_account_is_listed_only_as_far_as_the_lookups_justify() {
    let server = world_server(World::with_nics(2500)).await;
    let lookup = Lookup::new(client(server.addr));

    for i in [1, 2, 3] {
        lookup.recent_nic(&nic_id(i), &no_limits()).await.unwrap();
    }
    let beyond = lookup
        .recent_nic(&nic_id(2400), &no_limits())
        .await
        .unwrap();

    assert_eq!(
        listings(&server),
        [(1, 1000)],
        "three lookups justify one page"
    );
    assert_eq!(beyond.expect("read by ID").nic_id, nic_id(2400));
    let last = server.requests().last().cloned().expect("requests");
    assert_eq!(last.ids("nicIds"), [nic_id(2400)]);
}

#[tokio::test]
async fn a_refused_listing_turns_listing_off_and_lookups_go_by_id() {
    let world = World::with_nics(30);
    let server = ApiServer::scripted(move |rec, _| {
        if rec.json.get("nicIds").is_none() {
            Reply::error(403, "OPERATION_DENIED")
        } else {
            world.answer(rec)
        }
    })
    .await;
    let lookup = Lookup::new(client(server.addr));

    for i in 1..=20 {
        let nic = lookup.recent_nic(&nic_id(i), &no_limits()).await;
        assert_eq!(nic.unwrap().expect("exists").nic_id, nic_id(i));
    }

    assert_eq!(listings(&server).len(), 1, "tried once");
}

#[tokio::test]
async fn recent_lookups_soon_after_a_write_are_read_by_id_without_listing() {
    let server = world_server(World::with_nics(50)).await;
    let lookup = Lookup::new(client(server.addr));

    let refused = lookup
        .attach_network_interface(&nic_id(0), "ins-1", &no_limits())
        .await;
    assert!(refused.is_err(), "the scripted world accepts no writes");
    for i in 1..=10 {
        let nic = lookup.recent_nic(&nic_id(i), &no_limits()).await.unwrap();
        assert_eq!(nic.expect("exists").nic_id, nic_id(i));
    }

    assert_eq!(
        listings(&server),
        [],
        "an apply walk re-plans between its writes; listing then would be wasted"
    );
}
