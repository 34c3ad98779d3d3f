//! Searches (the NIC data sources' reads) against zenlayer-sim: a single search goes to the
//! API with its filters and reads every page; many searches in one plan share one complete
//! listing of the account, which also serves the plan checks' recent reads after them; a
//! listing never answers a search after this process's own write, once it is five seconds
//! old in a process that has written (in one that never wrote, a plan walk, it serves the whole
//! walk), or with "nothing matches".

mod client_support;

use std::sync::Arc;
use std::time::Duration;

use client_support::*;
use tokio::sync::Semaphore;
use tpz::sim::{Delays, NewNics, RunningSim, SimConfig};
use tpz::zenlayer::lookup::snapshot::TTL;
use tpz::zenlayer::models::NicStatus;
use tpz::zenlayer::{CallLimits, Lookup, NicFilter};

/// A simulator with the built-in account and `per_subnet` AVAILABLE NICs in each of
/// `subnets` subnets `subnet-k` (NICs `nic-s<k>-<i>`).
async fn sim(subnets: u32, per_subnet: u32) -> RunningSim {
    let sim = RunningSim::start(SimConfig {
        delays: Delays::both(Duration::ZERO),
        ..SimConfig::default()
    })
    .await
    .expect("simulator starts on 127.0.0.1:0");
    for k in 1..=subnets {
        sim.sim()
            .create_nics(NewNics {
                vpc_id: Some("vpc-search".into()),
                subnet_id: Some(format!("subnet-{k}")),
                ..NewNics::available(&format!("nic-s{k}-"), per_subnet, "asia-east-1")
            })
            .expect("bulk NICs created");
    }
    sim
}

fn nic_calls(sim: &RunningSim) -> u64 {
    sim.sim()
        .calls()
        .action("DescribeNetworkInterfaces")
        .received
}

fn in_subnet(k: u32) -> NicFilter {
    NicFilter {
        subnet_id: Some(format!("subnet-{k}")),
        status: Some("AVAILABLE".into()),
        ..NicFilter::default()
    }
}

async fn ids(lookup: &Lookup, filter: &NicFilter) -> Vec<String> {
    let mut ids: Vec<String> = lookup
        .recent_nics(filter, &CallLimits::default())
        .await
        .expect("the search is answered")
        .into_iter()
        .map(|n| n.nic_id)
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn one_search_goes_to_the_api_with_its_filters_and_serves_the_reads_after_it() {
    let sim = sim(3, 4).await;
    let lookup = sim_lookup(&sim);
    sim.sim().reset_calls();

    let found = ids(&lookup, &in_subnet(2)).await;
    assert_eq!(found, ["nic-s2-1", "nic-s2-2", "nic-s2-3", "nic-s2-4"]);
    assert_eq!(nic_calls(&sim), 1, "one filtered call");

    for id in &found {
        let nic = lookup.recent_nic(id, &CallLimits::default()).await.unwrap();
        assert_eq!(nic.expect("exists").status, NicStatus::Available);
    }
    assert_eq!(
        nic_calls(&sim),
        1,
        "the plan checks' reads came from the search"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_searches_ten_at_a_time_and_200_reads_after_them_make_at_most_three_calls() {
    let sim = sim(20, 10).await;
    let lookup = sim_lookup(&sim);
    sim.sim().reset_calls();

    let slots = Arc::new(Semaphore::new(10));
    let mut tasks = Vec::new();
    for k in 1..=20 {
        let slot = Arc::clone(&slots).acquire_owned().await.unwrap();
        let lookup = lookup.clone();
        tasks.push(tokio::spawn(async move {
            let found = ids(&lookup, &in_subnet(k)).await;
            drop(slot);
            (k, found)
        }));
    }
    for task in tasks {
        let (k, found) = task.await.expect("search task");
        let want: Vec<String> = {
            let mut w: Vec<String> = (1..=10).map(|i| format!("nic-s{k}-{i}")).collect();
            w.sort();
            w
        };
        assert_eq!(found, want, "subnet-{k}");
    }
    let searches = nic_calls(&sim);
    for k in 1..=20 {
        for i in 1..=10 {
            let id = format!("nic-s{k}-{i}");
            let nic = lookup
                .recent_nic(&id, &CallLimits::default())
                .await
                .unwrap();
            assert_eq!(nic.expect("exists").nic_id, id);
        }
    }
    let calls = nic_calls(&sim);
    // The first search goes to the API; the second lists the account (one page of 1000)
    // and the others, and the reads, are answered from that listing.
    assert!(searches <= 3, "20 searches made {searches} calls");
    assert_eq!(calls, searches, "200 reads after them made no call");
}

#[tokio::test]
async fn a_search_after_our_own_write_is_read_from_the_api() {
    let sim = sim(2, 3).await;
    let lookup = sim_lookup(&sim);
    ids(&lookup, &in_subnet(1)).await;
    ids(&lookup, &in_subnet(2)).await;
    lookup
        .attach_network_interface("nic-s1-1", "ins-web-1", &CallLimits::default())
        .await
        .expect("attach accepted");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let before = nic_calls(&sim);

    let found = ids(&lookup, &in_subnet(1)).await;

    assert_eq!(
        found,
        ["nic-s1-2", "nic-s1-3"],
        "the attached NIC is not AVAILABLE"
    );
    assert!(nic_calls(&sim) > before, "read from the API");
}

#[tokio::test]
async fn nothing_matches_only_when_the_api_says_so() {
    let sim = sim(2, 3).await;
    let lookup = sim_lookup(&sim);
    ids(&lookup, &in_subnet(1)).await;
    ids(&lookup, &in_subnet(2)).await;
    let before = nic_calls(&sim);

    let none = ids(&lookup, &in_subnet(7)).await;

    assert!(none.is_empty());
    assert_eq!(nic_calls(&sim), before + 1, "an empty answer is the API's");
}

#[tokio::test]
async fn a_listing_answers_the_searches_of_a_whole_plan_walk() {
    let sim = sim(2, 3).await;
    let lookup = sim_lookup(&sim);
    ids(&lookup, &in_subnet(1)).await;
    ids(&lookup, &in_subnet(2)).await;
    sim.sim().delete_nic("nic-s2-3").expect("deleted elsewhere");

    tokio::time::sleep(TTL + Duration::from_millis(100)).await;
    let before = nic_calls(&sim);
    let later = ids(&lookup, &in_subnet(2)).await;

    assert_eq!(
        later.len(),
        3,
        "a point-in-time read from this plan's listing, past {TTL:?}"
    );
    assert_eq!(nic_calls(&sim), before, "no second listing");
}

#[tokio::test]
async fn once_the_process_has_written_a_listing_answers_searches_for_at_most_five_seconds() {
    let sim = sim(2, 3).await;
    let lookup = sim_lookup(&sim);
    lookup
        .attach_network_interface("nic-s1-1", "ins-web-1", &CallLimits::default())
        .await
        .expect("attach accepted");
    tokio::time::sleep(TTL + Duration::from_millis(100)).await;
    ids(&lookup, &in_subnet(1)).await;
    ids(&lookup, &in_subnet(2)).await;
    sim.sim().delete_nic("nic-s2-3").expect("deleted elsewhere");

    let within = ids(&lookup, &in_subnet(2)).await;
    tokio::time::sleep(TTL + Duration::from_millis(100)).await;
    let after = ids(&lookup, &in_subnet(2)).await;

    assert_eq!(
        within.len(),
        3,
        "a point-in-time read from this plan's listing"
    );
    assert_eq!(
        after,
        ["nic-s2-1", "nic-s2-2"],
        "the listing outlived its {TTL:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_matching_5000_nics_returns_all_of_them_in_five_pages() {
    let sim = sim(1, 5000).await;
    let lookup = sim_lookup(&sim);
    sim.sim().reset_calls();

    let found = ids(&lookup, &in_subnet(1)).await;

    assert_eq!(found.len(), 5000);
    assert_eq!(found.first().map(String::as_str), Some("nic-s1-1"));
    assert_eq!(nic_calls(&sim), 5, "pages of 1000");
}
