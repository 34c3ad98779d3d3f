//! By-ID reads: chunks of at most 100 IDs, every page followed, duplicates removed, and a
//! server's `totalCount` never trusted: no more pages than the IDs need, nothing unasked kept.

mod client_support;

use std::collections::BTreeSet;

use client_support::*;
use serde_json::json;

/// The NICs `describe_nics_by_id` returns for `ids` from `server`, without call limits.
async fn nics_by_id(server: &ApiServer, ids: &[String]) -> Vec<tpz::zenlayer::models::NicInfo> {
    client(server.addr)
        .describe_nics_by_id(ids, &no_limits())
        .await
        .unwrap_or_else(|e| panic!("reading {} NICs by ID failed: {e}", ids.len()))
}

#[tokio::test]
async fn two_hundred_fifty_ids_take_three_calls_of_at_most_one_hundred() {
    let world = World::with_nics(300);
    let server = world_server(world).await;
    let ids: Vec<String> = (0..250).map(nic_id).collect();

    let nics = nics_by_id(&server, &ids).await;

    assert_eq!(nics.len(), 250);
    let got: BTreeSet<String> = nics.into_iter().map(|n| n.nic_id).collect();
    assert_eq!(got, ids.iter().cloned().collect());
    let reqs = server.requests();
    assert_eq!(reqs.len(), 3);
    for r in &reqs {
        assert!(r.ids("nicIds").len() <= 100);
        let page_size = r.json["pageSize"].as_u64().unwrap();
        assert!((1..=1000).contains(&page_size), "pageSize {page_size}");
    }
    let asked: usize = reqs.iter().map(|r| r.ids("nicIds").len()).sum();
    assert_eq!(asked, 250, "every ID asked exactly once");
}

#[tokio::test]
async fn every_page_is_followed_when_the_server_pages_below_the_requested_size() {
    let world = World {
        page_cap: Some(30),
        ..World::with_nics(100)
    };
    let server = world_server(world).await;
    let ids: Vec<String> = (0..100).map(nic_id).collect();

    let nics = nics_by_id(&server, &ids).await;

    assert_eq!(nics.len(), 100);
    let pages: Vec<u64> = server
        .requests()
        .iter()
        .map(|r| r.json["pageNum"].as_u64().unwrap())
        .collect();
    assert_eq!(pages, [1, 2, 3, 4]);
}

#[tokio::test]
async fn repeated_ids_are_asked_once_and_answered_once() {
    let server = world_server(World::with_nics(3)).await;
    let ids: Vec<String> = ["nic-0001", "nic-0001", "nic-0002", "", "nic-0001"]
        .map(String::from)
        .to_vec();
    let nics = nics_by_id(&server, &ids).await;
    let got: Vec<&str> = nics.iter().map(|n| n.nic_id.as_str()).collect();
    assert_eq!(got, ["nic-0001", "nic-0002"]);
    assert_eq!(server.requests()[0].ids("nicIds"), ["nic-0001", "nic-0002"]);
}

#[tokio::test]
async fn a_server_repeating_items_across_pages_yields_each_once() {
    let server = ApiServer::scripted(|rec, _| {
        let page = rec.json["pageNum"].as_u64().unwrap();
        let data = if page == 1 {
            json!([{"nicId": "nic-a", "status": "USED"}, {"nicId": "nic-b", "status": "USED"}])
        } else {
            json!([{"nicId": "nic-b", "status": "USED"}, {"nicId": "nic-c", "status": "USED"}])
        };
        Reply::ok(json!({"totalCount": 4, "dataSet": data}))
    })
    .await;
    let ids = ["nic-a", "nic-b", "nic-c"].map(String::from);
    let nics = nics_by_id(&server, &ids).await;
    let got: Vec<&str> = nics.iter().map(|n| n.nic_id.as_str()).collect();
    assert_eq!(got, ["nic-a", "nic-b", "nic-c"]);
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn unknown_ids_are_simply_absent() {
    let server = world_server(World::with_nics(1)).await;
    let ids = ["nic-0000", "nic-missing"].map(String::from);
    let nics = nics_by_id(&server, &ids).await;
    assert_eq!(nics.len(), 1);
    assert_eq!(nics[0].nic_id, "nic-0000");
}

#[tokio::test]
async fn no_ids_make_no_call() {
    let server = world_server(World::default()).await;
    let nics = nics_by_id(&server, &[]).await;
    assert!(nics.is_empty());
    assert_eq!(server.hits(), 0);
}

#[tokio::test]
async fn instances_are_read_by_id_in_chunks_too() {
    let world = World::default();
    for i in 0..150 {
        world.put_instance(&format!("ins-{i:03}"), "RUNNING", "asia-east-1a");
    }
    let server = world_server(world).await;
    let ids: Vec<String> = (0..150).map(|i| format!("ins-{i:03}")).collect();
    let instances = client(server.addr)
        .describe_instances_by_id(&ids, &no_limits())
        .await
        .unwrap();
    assert_eq!(instances.len(), 150);
    assert_eq!(instances[0].zone_id, "asia-east-1a");
    assert_eq!(server.hits_of("DescribeInstances"), 2);
}

/// A server that claims 10^12 matches and answers each page with one of the IDs asked for
/// (in order) plus `extra` NICs nobody asked for.
async fn absurd_server(extra: usize) -> ApiServer {
    ApiServer::scripted(move |rec, _| {
        let page = rec.json["pageNum"].as_u64().expect("a pageNum") as usize;
        let asked = rec.ids("nicIds");
        let mut data: Vec<serde_json::Value> = (0..extra)
            .map(|i| json!({"nicId": format!("nic-junk-{page}-{i}"), "status": "USED"}))
            .collect();
        if let Some(id) = asked.get(page - 1) {
            data.push(json!({"nicId": id, "status": "USED"}));
        }
        Reply::ok(json!({"totalCount": 1_000_000_000_000u64, "dataSet": data}))
    })
    .await
}

#[tokio::test]
async fn an_absurd_total_count_costs_no_more_pages_than_the_ids_asked_for_and_extras_are_dropped() {
    let server = absurd_server(50).await;
    let ids = ["nic-a", "nic-b", "nic-c"].map(String::from);
    let nics = nics_by_id(&server, &ids).await;
    let got: Vec<&str> = nics.iter().map(|n| n.nic_id.as_str()).collect();
    assert_eq!(got, ["nic-a", "nic-b", "nic-c"], "only what was asked for");
    assert_eq!(server.hits(), 3, "one page per ID at most, not 10^12 / 100");
}

#[tokio::test]
async fn a_page_with_nothing_asked_for_ends_the_paging_whatever_the_total_count() {
    // Full pages of NICs nobody asked for, with 10^12 promised: one call, nothing kept.
    let server = absurd_server(100).await;
    let ids = ["nic-x".to_owned()];
    let nics = nics_by_id(&server, &ids).await;
    assert_eq!(
        nics.iter().map(|n| n.nic_id.as_str()).collect::<Vec<_>>(),
        ["nic-x"]
    );
    assert_eq!(server.hits(), 1, "every ID answered: no second page");

    let server = ApiServer::scripted(|_, _| {
        let junk: Vec<serde_json::Value> = (0..100)
            .map(|i| json!({"nicId": format!("nic-junk-{i}"), "status": "USED"}))
            .collect();
        Reply::ok(json!({"totalCount": 1_000_000_000_000u64, "dataSet": junk}))
    })
    .await;
    let ids: Vec<String> = (0..100).map(nic_id).collect();
    let nics = nics_by_id(&server, &ids).await;
    assert!(nics.is_empty(), "{} NICs kept", nics.len());
    assert_eq!(server.hits(), 1);
}
