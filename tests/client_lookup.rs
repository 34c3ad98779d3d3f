//! Coalesced lookups: many concurrent single-ID reads become a few Describe calls, answers are
//! never older than the request, errors reach every waiter, zones are fetched once.

mod client_support;

use std::sync::Arc;
use std::time::Duration;

use client_support::*;
use futures_util::future::join_all;
use tokio::sync::watch;
use tokio::time::Instant;
use tpz::zenlayer::models::NicStatus;
use tpz::zenlayer::{CallLimits, Error, GiveUpReason, Lookup};

const HANG_GUARD: Duration = Duration::from_secs(30);

/// A server over `world` whose answers are read when a request arrives but held back until
/// the gate opens, so calls stay "in flight" for as long as a test needs.
async fn gated_server(world: World) -> (ApiServer, watch::Sender<bool>) {
    let (open, gate) = watch::channel(false);
    let world = Arc::new(world);
    let server = ApiServer::start(Arc::new(move |rec, _| {
        let reply = world.answer(&rec);
        let mut gate = gate.clone();
        Box::pin(async move {
            let _ = gate.wait_for(|open| *open).await;
            reply
        })
    }))
    .await;
    (server, open)
}

async fn wait_for_hits(server: &ApiServer, n: usize) {
    tokio::time::timeout(HANG_GUARD, async {
        while server.hits() < n {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    })
    .await
    .expect("the expected calls never arrived");
}

#[tokio::test]
async fn two_hundred_concurrent_nic_lookups_make_two_describe_calls() {
    let server = world_server(World::with_nics(200)).await;
    let lookup = Lookup::new(client(server.addr));
    let limits = no_limits();

    let answers = join_all((0..200).map(|i| {
        let lookup = lookup.clone();
        let limits = limits.clone();
        async move { lookup.nic(&nic_id(i), &limits).await }
    }))
    .await;

    for (i, a) in answers.into_iter().enumerate() {
        assert_eq!(a.unwrap().expect("known NIC").nic_id, nic_id(i));
    }
    let reqs = server.requests();
    assert_eq!(
        reqs.len(),
        2,
        "calls: {:?}",
        reqs.iter()
            .map(|r| r.ids("nicIds").len())
            .collect::<Vec<_>>()
    );
    assert!(reqs.iter().all(|r| r.ids("nicIds").len() == 100));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lookups_arriving_during_a_call_share_the_next_call_on_a_threaded_runtime() {
    let (server, open) = gated_server(World::with_nics(200)).await;
    let lookup = Lookup::new(client(server.addr));
    let limits = no_limits();

    let lookups = join_all((0..200).map(|i| {
        let lookup = lookup.clone();
        let limits = limits.clone();
        async move { lookup.nic(&nic_id(i), &limits).await }
    }));
    let opener = async {
        wait_for_hits(&server, 1).await;
        open.send_replace(true);
    };
    let (answers, ()) =
        tokio::time::timeout(HANG_GUARD, futures_util::future::join(lookups, opener))
            .await
            .expect("lookups finished");

    for (i, a) in answers.into_iter().enumerate() {
        assert_eq!(a.unwrap().expect("known NIC").nic_id, nic_id(i));
    }
    let per_call: Vec<usize> = server
        .requests()
        .iter()
        .map(|r| r.ids("nicIds").len())
        .collect();
    assert!(
        per_call.len() <= 4,
        "200 lookups took {} calls: {per_call:?}",
        per_call.len()
    );
    assert_eq!(per_call.iter().sum::<usize>(), 200, "{per_call:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polls_of_ten_waiters_arriving_within_the_gather_window_share_one_call() {
    let server = world_server(World::with_nics(10)).await;
    // A window far wider than the polls' spread, so the test holds on a loaded machine.
    let lookup = Lookup::new(client(server.addr)).with_poll_gather(Duration::from_millis(500));

    let polls = (0..10u64).map(|i| {
        let lookup = lookup.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(10 * i)).await;
            lookup.poll_nic(&nic_id(i as usize), &no_limits()).await
        })
    });
    let answers = tokio::time::timeout(HANG_GUARD, join_all(polls))
        .await
        .expect("polls finished");

    for (i, a) in answers.into_iter().enumerate() {
        let nic = a.expect("poll task").unwrap().expect("known NIC");
        assert_eq!(nic.nic_id, nic_id(i));
    }
    let per_call: Vec<usize> = server
        .requests()
        .iter()
        .map(|r| r.ids("nicIds").len())
        .collect();
    assert_eq!(per_call, [10], "one call for the ten polls");
}

#[tokio::test]
async fn a_fresh_lookup_takes_the_gathering_polls_along_without_waiting() {
    let server = world_server(World::with_nics(10)).await;
    let lookup = Lookup::new(client(server.addr)).with_poll_gather(Duration::from_secs(20));

    let polls = join_all((0..5).map(|i| {
        let lookup = lookup.clone();
        async move { lookup.poll_nic(&nic_id(i), &no_limits()).await }
    }));
    let (id, limits) = (nic_id(9), no_limits());
    let fresh = lookup.nic(&id, &limits);
    // Half the polls' window: the fresh lookup must not wait for it, nor leave them waiting.
    let (polls, fresh) = tokio::time::timeout(
        Duration::from_secs(10),
        futures_util::future::join(polls, fresh),
    )
    .await
    .expect("the fresh lookup started a call at once and took the polls along");

    assert_eq!(fresh.unwrap().expect("known").nic_id, nic_id(9));
    assert!(polls.iter().all(|p| p.is_ok()));
    assert_eq!(
        server.hits(),
        1,
        "the polls rode along with the fresh lookup"
    );
}

#[tokio::test]
async fn concurrent_lookups_of_one_nic_share_one_call_and_one_answer() {
    let server = world_server(World::with_nics(1)).await;
    let lookup = Lookup::new(client(server.addr));
    let limits = no_limits();

    let answers = join_all((0..50).map(|_| lookup.nic("nic-0000", &limits))).await;

    let first = answers[0].as_ref().unwrap().clone().expect("known NIC");
    for a in &answers {
        assert_eq!(a.as_ref().unwrap().as_ref(), Some(&first));
    }
    assert_eq!(server.hits(), 1);
    assert_eq!(server.requests()[0].ids("nicIds"), ["nic-0000"]);
}

#[tokio::test]
async fn an_unknown_nic_is_none_not_an_error() {
    let server = world_server(World::with_nics(1)).await;
    let lookup = Lookup::new(client(server.addr));
    let answer = lookup.nic("nic-gone", &no_limits()).await.unwrap();
    assert_eq!(answer, None);
}

#[tokio::test]
async fn a_failed_batch_delivers_its_error_to_every_waiter() {
    let server = ApiServer::scripted(|_, _| Reply::error(400, "INVALID_PARAMETER_VALUE")).await;
    let lookup = Lookup::new(client(server.addr));
    let limits = no_limits();

    let answers = join_all((0..150).map(|i| {
        let lookup = lookup.clone();
        let limits = limits.clone();
        async move { lookup.nic(&nic_id(i), &limits).await }
    }))
    .await;

    for a in answers {
        assert_eq!(a.unwrap_err().code(), Some("INVALID_PARAMETER_VALUE"));
    }
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn a_lookup_made_during_a_call_is_answered_by_a_later_call_never_a_stale_one() {
    let world = World::with_nics(1);
    world.put_nic("nic-0000", "ATTACHING", None);
    let (server, open) = gated_server(world.clone()).await;
    let lookup = Lookup::new(client(server.addr));

    let early = {
        let lookup = lookup.clone();
        tokio::spawn(async move { lookup.nic("nic-0000", &no_limits()).await })
    };
    wait_for_hits(&server, 1).await; // the first call has read ATTACHING and is in flight

    world.put_nic("nic-0000", "USED", Some("ins-1"));
    let limits = no_limits();
    let mut late = Box::pin(lookup.nic("nic-0000", &limits));
    // Poll once so the late lookup is queued while the first call is still in flight.
    assert!(
        tokio::time::timeout(Duration::from_millis(20), &mut late)
            .await
            .is_err()
    );
    open.send_replace(true);

    let early = early.await.unwrap().unwrap().expect("known NIC");
    let late = late.await.unwrap().expect("known NIC");
    assert_eq!(early.status, NicStatus::Attaching);
    assert_eq!(late.status, NicStatus::Used);
    assert_eq!(late.instance_id.as_deref(), Some("ins-1"));
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn a_waiter_whose_deadline_passes_gives_up_without_stopping_the_others() {
    let (server, open) = gated_server(World::with_nics(2)).await;
    let lookup = Lookup::new(client(server.addr));
    let patient = {
        let lookup = lookup.clone();
        tokio::spawn(async move { lookup.nic("nic-0001", &no_limits()).await })
    };
    let hurried = CallLimits {
        deadline: Some(Instant::now() + Duration::from_millis(100)),
        ..CallLimits::default()
    };

    let err = tokio::time::timeout(HANG_GUARD, lookup.nic("nic-0000", &hurried))
        .await
        .expect("the deadline ended the wait")
        .unwrap_err();

    assert!(
        matches!(&err, Error::GaveUp { reason, .. } if *reason == GiveUpReason::Deadline),
        "{err:?}"
    );
    open.send_replace(true);
    let nic = patient.await.unwrap().unwrap().expect("known NIC");
    assert_eq!(nic.nic_id, "nic-0001");
}

#[tokio::test]
async fn a_stopped_waiter_returns_at_once() {
    let (server, _open) = gated_server(World::with_nics(1)).await;
    let lookup = Lookup::new(client(server.addr));
    let limits = no_limits();
    let cancel = limits.cancel.clone();
    let waiter = tokio::spawn(async move { lookup.instance("ins-1", &limits).await });
    wait_for_hits(&server, 1).await;
    cancel.cancel();
    let err = tokio::time::timeout(HANG_GUARD, waiter)
        .await
        .unwrap()
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(&err, Error::GaveUp { reason, .. } if *reason == GiveUpReason::Stopped),
        "{err:?}"
    );
}

#[tokio::test]
async fn instances_are_coalesced_like_nics() {
    let world = World::default();
    for i in 0..120 {
        world.put_instance(&format!("ins-{i:03}"), "RUNNING", "asia-east-1a");
    }
    let server = world_server(world).await;
    let lookup = Lookup::new(client(server.addr));
    let limits = no_limits();
    let answers = join_all((0..120).map(|i| {
        let lookup = lookup.clone();
        let limits = limits.clone();
        async move { lookup.instance(&format!("ins-{i:03}"), &limits).await }
    }))
    .await;
    assert!(answers.iter().all(|a| matches!(a, Ok(Some(_)))));
    assert_eq!(server.hits_of("DescribeInstances"), 2);
}

fn zoned_world() -> World {
    World {
        zones: vec![
            ("asia-east-1a".into(), "asia-east-1".into()),
            ("eu-west-1a".into(), "eu-west-1".into()),
        ],
        ..World::default()
    }
}

#[tokio::test]
async fn many_zone_lookups_share_one_describe_zones_for_the_life_of_the_lookup() {
    let server = world_server(zoned_world()).await;
    let lookup = Lookup::new(client(server.addr));
    let limits = no_limits();

    let answers = join_all((0..100).map(|i| {
        let zone = if i % 2 == 0 {
            "asia-east-1a"
        } else {
            "eu-west-1a"
        };
        let lookup = lookup.clone();
        let limits = limits.clone();
        async move { (zone, lookup.region_of_zone(zone, &limits).await) }
    }))
    .await;
    for (zone, region) in answers {
        let expected = if zone == "asia-east-1a" {
            "asia-east-1"
        } else {
            "eu-west-1"
        };
        assert_eq!(region.unwrap().as_deref(), Some(expected));
    }
    assert_eq!(server.hits_of("DescribeZones"), 1);

    let again = lookup.clone();
    assert_eq!(
        again
            .region_of_zone("eu-west-1a", &limits)
            .await
            .unwrap()
            .as_deref(),
        Some("eu-west-1")
    );
    assert_eq!(
        server.hits_of("DescribeZones"),
        1,
        "a cached zone was fetched again"
    );
}

#[tokio::test]
async fn an_unknown_zone_refreshes_the_cache_once_and_is_none() {
    let server = world_server(zoned_world()).await;
    let lookup = Lookup::new(client(server.addr));
    let limits = no_limits();
    lookup
        .region_of_zone("asia-east-1a", &limits)
        .await
        .unwrap();

    assert_eq!(
        lookup.region_of_zone("mars-1a", &limits).await.unwrap(),
        None
    );
    assert_eq!(server.hits_of("DescribeZones"), 2);

    lookup.refresh_zones(&limits).await.unwrap();
    assert_eq!(server.hits_of("DescribeZones"), 3);
}

#[tokio::test]
async fn a_failed_zone_fetch_reaches_every_concurrent_waiter_with_one_call() {
    let server =
        ApiServer::scripted(|_, _| Reply::error(403, "AUTHFAILURE_UNAUTHORIZED_OPERATION")).await;
    let lookup = Lookup::new(client(server.addr));
    let limits = no_limits();
    let answers = join_all((0..20).map(|_| lookup.region_of_zone("asia-east-1a", &limits))).await;
    for a in answers {
        assert_eq!(
            a.unwrap_err().code(),
            Some("AUTHFAILURE_UNAUTHORIZED_OPERATION")
        );
    }
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn a_lookup_queued_behind_two_slow_calls_starts_a_call_of_its_own_instead_of_waiting_them_out()
 {
    let (server, open) = gated_server(World::with_nics(3)).await;
    let lookup = Lookup::new(client(server.addr));
    let read = |i: usize| {
        let lookup = lookup.clone();
        tokio::spawn(async move { lookup.nic(&nic_id(i), &no_limits()).await })
    };
    let first_two = [read(0), read(1)];
    wait_for_hits(&server, 2).await;
    // Both calls are held at the server, as an API far away holds them.
    let third = read(2);
    wait_for_hits(&server, 3).await;
    open.send_replace(true);
    for (i, task) in first_two.into_iter().chain([third]).enumerate() {
        let nic = task.await.expect("task").expect("read").expect("known NIC");
        assert_eq!(nic.nic_id, nic_id(i));
    }
    assert_eq!(server.hits(), 3);
}

#[tokio::test]
async fn a_fresh_read_serves_a_write_moments_later_until_this_process_writes_to_the_object() {
    let world = World::with_nics(2);
    world.put_instance("ins-1", "RUNNING", "asia-east-1a");
    let server = world_server(world).await;
    let lookup = Lookup::new(client(server.addr));
    let limits = no_limits();
    let before = Instant::now();
    for i in 0..2 {
        lookup.nic(&nic_id(i), &limits).await.expect("read");
    }
    lookup.instance("ins-1", &limits).await.expect("read");
    let seen = lookup.nic_seen_since(&nic_id(0), before).expect("sighted");
    assert_eq!(seen.status, NicStatus::Available);
    assert!(lookup.instance_seen_since("ins-1", before).is_some());
    assert!(
        lookup.nic_seen_since(&nic_id(0), Instant::now()).is_none(),
        "no read requested since now"
    );
    let _ = lookup
        .attach_network_interface(&nic_id(0), "ins-1", &limits)
        .await;
    assert!(
        lookup.nic_seen_since(&nic_id(0), before).is_none(),
        "written since"
    );
    assert!(
        lookup.instance_seen_since("ins-1", before).is_none(),
        "attached to since"
    );
    assert!(
        lookup.nic_seen_since(&nic_id(1), before).is_some(),
        "a write to one NIC leaves what was seen of another"
    );
    let _ = lookup.detach_network_interface(&nic_id(1), &limits).await;
    assert!(lookup.nic_seen_since(&nic_id(1), before).is_none());
}
