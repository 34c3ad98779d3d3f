//! Everything Terraform sends, fuzzed into every RPC of the real provider: arbitrary and
//! mutated `DynamicValue` bytes (msgpack and JSON), raw states, private bytes, import IDs and
//! type names, in-process through the real `ProviderService` wired to the real provider and a
//! live zenlayer-sim (so applies and reads run their real API paths).
//!
//! Every reply is `Ok` and well-formed, no handler panics (the service would turn a panic into
//! a "Provider internal error" diagnostic, so none may appear), no call hangs, and the peak
//! memory of the whole run stays bounded. Prints how many RPCs were executed:
//! `cargo test --release --test handler_fuzz -- --nocapture` (`PROPTEST_CASES=N` scales it).

use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use proptest::prelude::*;
use tokio_util::sync::CancellationToken;
use tonic::Request;
use tpz::cty::{Number, Type, Value, json, msgpack};
use tpz::protocol::ProviderService;
use tpz::protocol::proto::{self, provider_server::Provider as _};
use tpz::sim::{Delays, RunningSim, SimConfig};

const TYPE_NAME: &str = "zenlayer_nic_attachment";

/// No handler may take longer (the provider's own timeouts are far shorter for these inputs:
/// each case's Stop fires after [`STOP_AFTER`]).
const RPC_LIMIT: Duration = Duration::from_secs(30);
/// Each case's provider is told to stop after this, so a create waiting on a random timeout
/// (up to a week) ends as a user's Ctrl-C would end it.
const STOP_AFTER: Duration = Duration::from_secs(3);

static EXECUTED: AtomicU64 = AtomicU64::new(0);

struct World {
    runtime: tokio::runtime::Runtime,
    sim: RunningSim,
    resource: Type,
    provider: Type,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let sim = runtime
            .block_on(RunningSim::start(SimConfig {
                delays: Delays::both(Duration::ZERO),
                ..SimConfig::default()
            }))
            .expect("zenlayer-sim starts");
        let p = tpz::provider::new();
        let resource = p.resources()[0].schema().block.value_type();
        let provider = p.schema().block.value_type();
        World {
            runtime,
            sim,
            resource,
            provider,
        }
    })
}

/// Calls one RPC through [`Session::call`]: `call!(session, method(field: value, ..))` sends a
/// `proto::method::Request` with those fields (the rest default). A macro, because the request
/// type is named after the method, which a function cannot do.
macro_rules! call {
    ($session:expr, $method:ident ( $($field:ident : $value:expr),* $(,)? )) => {{
        // The fields given may be all the request has.
        #[allow(clippy::needless_update)]
        let request = proto::$method::Request {
            $($field: $value,)*
            ..Default::default()
        };
        $session.call($session.service.$method(Request::new(request))).await
    }};
}

/// Runs `rpcs` in a fresh [`Session`] configured in `mode`, on the shared runtime.
fn in_session(mode: Option<&str>, rpcs: impl AsyncFnOnce(&Session)) {
    world().runtime.block_on(async {
        let s = Session::new(mode).await;
        rpcs(&s).await;
    });
}

/// A fresh provider process, as Terraform starts one per command.
struct Session {
    service: ProviderService,
}

impl Session {
    /// Configured against the simulator in `mode` (`off`, `warn`, `error`), or not at all.
    async fn new(configure: Option<&str>) -> Session {
        let stop = CancellationToken::new();
        let watchdog = stop.clone();
        tokio::spawn(async move {
            tokio::time::sleep(STOP_AFTER).await;
            watchdog.cancel();
        });
        let service = ProviderService::new(tpz::provider::new(), stop);
        let session = Session { service };
        if let Some(mode) = configure {
            let w = world();
            let config = Value::object([
                ("domain", Value::string(w.sim.domain())),
                ("scheme", Value::string("http")),
                ("access_key_id", Value::string(w.sim.sim().access_key_id())),
                (
                    "access_key_password",
                    Value::string(w.sim.sim().access_key_password()),
                ),
                ("access_token", Value::Null),
                ("client_timeout", Value::number(5)),
                ("max_retries", Value::number(0)),
                ("plan_checks", Value::string(mode)),
            ]);
            let reply = call!(session, configure(
                terraform_version: "1.11.4".into(),
                config: Some(dv(&config, &w.provider)),
            ));
            assert!(reply.diagnostics.is_empty(), "{:?}", reply.diagnostics);
        }
        session
    }

    async fn call<R: Replied>(
        &self,
        fut: impl Future<Output = Result<tonic::Response<R>, tonic::Status>>,
    ) -> R {
        EXECUTED.fetch_add(1, Ordering::Relaxed);
        let reply = tokio::time::timeout(RPC_LIMIT, fut)
            .await
            .expect("the RPC answered in time")
            .expect("every RPC answers Ok")
            .into_inner();
        for d in reply.diags() {
            assert!(
                !d.summary.contains("internal error"),
                "a handler panicked: {}: {}",
                d.summary,
                d.detail
            );
            assert!(
                !d.summary.is_empty(),
                "a diagnostic without a summary: {d:?}"
            );
        }
        reply
    }
}

/// Replies whose diagnostics are checked.
trait Replied {
    fn diags(&self) -> &[proto::Diagnostic];
}

macro_rules! replied {
    ($($t:ty),*) => {$(
        impl Replied for $t {
            fn diags(&self) -> &[proto::Diagnostic] {
                &self.diagnostics
            }
        }
    )*};
}

replied!(
    proto::prepare_provider_config::Response,
    proto::configure::Response,
    proto::validate_resource_type_config::Response,
    proto::validate_data_source_config::Response,
    proto::upgrade_resource_state::Response,
    proto::read_resource::Response,
    proto::plan_resource_change::Response,
    proto::apply_resource_change::Response,
    proto::import_resource_state::Response,
    proto::read_data_source::Response
);

fn dv(v: &Value, ty: &Type) -> proto::DynamicValue {
    proto::DynamicValue {
        msgpack: msgpack::encode(v, ty).expect("a generated value encodes"),
        json: Vec::new(),
    }
}

/// A returned value must decode against the resource type.
#[track_caller]
fn assert_decodes(v: Option<&proto::DynamicValue>, ty: &Type) {
    if let Some(v) = v
        && !v.msgpack.is_empty()
    {
        msgpack::decode(&v.msgpack, ty).expect("the provider returned a decodable value");
    }
}

// ---- generators ----

/// Strings a user or a state file could hold: real IDs, near misses, and junk.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "nic-app-1", "nic-app-2", "nic-app-3", "nic-app-4", "nic-db-1", "nic-missing-1",
            "nic-eu-app-1", "nic-stopped-1-data", "ins-web-1", "ins-web-2", "ins-stopped-1",
            "ins-full-1", "ins-eu-1", "ins-missing-1", "nic-app-1:ins-web-1", "asia-east-1",
            "1s", "10m", "90s", "1.5h", "168h", "999999h", "-1m", "10", "0s", "", " ", ":",
            "a:b:c", "\u{0}", "\u{7f}", "é", "nic-web-1-primary",
        ])
        .prop_map(str::to_owned),
        1 => any::<String>(),
        1 => "[a-z:\\-0-9 ]{0,300}",
    ]
}

/// A value of type `ty`, mostly plausible: known strings from [`text`], nulls, unknowns.
fn value_of(ty: &Type) -> BoxedStrategy<Value> {
    let leaf = match ty {
        Type::String => text().prop_map(Value::String).boxed(),
        Type::Number => prop_oneof![
            any::<i64>().prop_map(Value::number),
            any::<f64>()
                .prop_filter("cty numbers are never NaN", |f| !f.is_nan())
                .prop_map(|f| Value::Number(Number::Float(f))),
        ]
        .boxed(),
        Type::Bool => any::<bool>().prop_map(Value::bool).boxed(),
        Type::Object(attrs) => {
            let parts: Vec<_> = attrs
                .iter()
                .map(|(name, t)| (Just(name.clone()), value_of(t)))
                .collect();
            parts
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<BTreeMap<_, _>>()))
                .boxed()
        }
        _ => Just(Value::Null).boxed(),
    };
    prop_oneof![
        6 => leaf,
        1 => Just(Value::Null),
        1 => Just(Value::unknown()),
    ]
    .boxed()
}

/// Damage to a valid encoding.
#[derive(Clone, Debug)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, u8),
    Remove(usize),
    Truncate(usize),
}

fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    prop::collection::vec(
        prop_oneof![
            (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
            (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Insert(i, b)),
            any::<usize>().prop_map(Mutation::Remove),
            any::<usize>().prop_map(Mutation::Truncate),
        ],
        0..4,
    )
}

fn mutate(mut bytes: Vec<u8>, ms: &[Mutation]) -> Vec<u8> {
    for m in ms {
        let len = bytes.len();
        match *m {
            Mutation::Flip(i, b) if len > 0 => bytes[i % len] ^= b | 1,
            Mutation::Insert(i, b) => bytes.insert(i % (len + 1), b),
            Mutation::Remove(i) if len > 0 => {
                bytes.remove(i % len);
            }
            Mutation::Truncate(i) => bytes.truncate(i % (len + 1)),
            _ => {}
        }
    }
    bytes
}

/// A `DynamicValue` as Terraform might send it for `ty`: a valid encoding (msgpack or JSON),
/// a damaged one, raw random bytes, or nothing.
fn dynamic(ty: Type) -> BoxedStrategy<Option<proto::DynamicValue>> {
    let valid = value_of(&ty);
    prop_oneof![
        4 => (valid.clone(), mutations(), any::<bool>()).prop_map({
            let ty = ty.clone();
            move |(v, ms, as_json)| {
                let encoded = if as_json && v.is_wholly_known() {
                    json::encode(&v, &ty).unwrap_or_default()
                } else {
                    msgpack::encode(&v, &ty).expect("a generated value encodes")
                };
                let bytes = mutate(encoded, &ms);
                Some(if as_json && v.is_wholly_known() {
                    proto::DynamicValue { msgpack: Vec::new(), json: bytes }
                } else {
                    proto::DynamicValue { msgpack: bytes, json: Vec::new() }
                })
            }
        }),
        1 => prop::collection::vec(any::<u8>(), 0..256).prop_map(|b| Some(proto::DynamicValue {
            msgpack: b,
            json: Vec::new(),
        })),
        1 => prop::collection::vec(any::<u8>(), 0..256).prop_map(|b| Some(proto::DynamicValue {
            msgpack: Vec::new(),
            json: b,
        })),
        1 => (hostile_header(), prop::collection::vec(any::<u8>(), 0..64)).prop_map(
            |(mut head, tail)| {
                head.extend(tail);
                Some(proto::DynamicValue { msgpack: head, json: Vec::new() })
            }
        ),
        1 => Just(None),
    ]
    .boxed()
}

/// msgpack headers that claim far more than the bytes behind them (4 G elements, a 4 GiB
/// string, an extension of 4 GiB, nesting): a decoder that trusts them allocates wildly.
fn hostile_header() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(vec![0xdd, 0xff, 0xff, 0xff, 0xff]),
        Just(vec![0xdf, 0xff, 0xff, 0xff, 0xff]),
        Just(vec![0xdb, 0xff, 0xff, 0xff, 0xff]),
        Just(vec![0xc6, 0xff, 0xff, 0xff, 0xff]),
        Just(vec![0xc9, 0xff, 0xff, 0xff, 0xff, 0x0c]),
        Just(vec![0xdc, 0xff, 0xff]),
        Just(vec![0xde, 0xff, 0xff]),
        Just(vec![0x91; 10_000]),
        Just(vec![0x81, 0xa1, b'a']),
    ]
}

/// Mostly what Terraform really sends (a valid encoding, or null), sometimes damaged: for
/// RPCs that take several values, so most inputs get past decoding into the resource.
fn plausible(ty: Type) -> BoxedStrategy<Option<proto::DynamicValue>> {
    prop_oneof![
        6 => value_of(&ty).prop_map({
            let ty = ty.clone();
            move |v| Some(dv(&v, &ty))
        }),
        2 => Just(Some(dv(&Value::Null, &ty))),
        1 => dynamic(ty),
    ]
    .boxed()
}

fn private_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        2 => Just(Vec::new()),
        1 => prop::collection::vec(any::<u8>(), 0..128),
        1 => (any::<String>(), mutations()).prop_map(|(s, ms)| {
            mutate(format!("{{\"replacing\":[\"{s}\",\"ins-web-1\"]}}").into_bytes(), &ms)
        }),
    ]
}

fn type_name() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => Just(TYPE_NAME.to_owned()),
        1 => Just("zenlayer_nic_attachments".to_owned()),
        1 => any::<String>(),
    ]
}

fn mode() -> impl Strategy<Value = Option<&'static str>> {
    prop_oneof![
        Just(Some("off")),
        Just(Some("warn")),
        Just(Some("error")),
        Just(None),
    ]
}

// ---- the properties ----

/// Runs `check` on `cases` inputs from `strategy`, on the shared runtime; returns the count.
fn fuzz<S: Strategy>(
    name: &str,
    cases: u32,
    strategy: S,
    check: impl Fn(S::Value, &World) + Sync,
) -> u64 {
    let before = EXECUTED.load(Ordering::Relaxed);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let w = world();
    if let Err(e) = runner.run(&strategy, |input| {
        check(input, w);
        Ok(())
    }) {
        panic!("{name}: {e}");
    }
    EXECUTED.load(Ordering::Relaxed) - before
}

/// Inputs per property: `PROPTEST_CASES`, else 256.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(256)
}

#[test]
fn every_rpc_answers_ok_without_panic_whatever_terraform_sends() {
    let n = cases();
    let w = world();
    let baseline = peak_rss_kib();
    let mut counts: Vec<(&str, u64)> = Vec::new();

    counts.push((
        "PrepareProviderConfig+Configure",
        fuzz(
            "provider configuration",
            n,
            (
                dynamic(w.provider.clone()),
                prop_oneof![Just("1.11.4".to_owned()), any::<String>()],
            ),
            |(config, tf_version), w| {
                in_session(None, async |s| {
                    let prepared = call!(s, prepare_provider_config(config: config.clone()));
                    assert_decodes(prepared.prepared_config.as_ref(), &w.provider);
                    call!(s, configure(terraform_version: tf_version, config: config));
                })
            },
        ),
    ));

    counts.push((
        "ValidateResourceTypeConfig+ValidateDataSourceConfig+ReadDataSource",
        fuzz(
            "validation",
            n,
            (type_name(), dynamic(w.resource.clone())),
            |(name, config), _| {
                in_session(None, async |s| {
                    call!(s, validate_resource_type_config(
                        type_name: name.clone(),
                        config: config.clone(),
                    ));
                    call!(s, validate_data_source_config(
                        type_name: name.clone(),
                        config: config.clone(),
                    ));
                    call!(s, read_data_source(type_name: name, config: config));
                })
            },
        ),
    ));

    counts.push((
        "UpgradeResourceState",
        fuzz(
            "upgrade",
            n,
            (
                type_name(),
                prop_oneof![Just(0i64), any::<i64>()],
                value_of(&w.resource),
                mutations(),
                prop_oneof![
                    Just(None),
                    prop::collection::vec(any::<u8>(), 0..256).prop_map(Some)
                ],
                prop::collection::btree_map(text(), text(), 0..6),
            ),
            |(name, version, state, ms, raw, flatmap), w| {
                let json = raw.unwrap_or_else(|| {
                    let state = if state.is_wholly_known() {
                        state
                    } else {
                        Value::Null
                    };
                    mutate(json::encode(&state, &w.resource).unwrap_or_default(), &ms)
                });
                let flatmap = flatmap.into_iter().collect();
                in_session(Some("off"), async |s| {
                    let reply = call!(s, upgrade_resource_state(
                        type_name: name,
                        version: version,
                        raw_state: Some(proto::RawState { json, flatmap }),
                    ));
                    assert_decodes(reply.upgraded_state.as_ref(), &w.resource);
                })
            },
        ),
    ));

    counts.push((
        "ReadResource",
        fuzz(
            "read",
            n,
            (
                mode(),
                type_name(),
                plausible(w.resource.clone()),
                private_bytes(),
            ),
            |(mode, name, state, private), w| {
                in_session(mode, async |s| {
                    let reply = call!(s, read_resource(
                        type_name: name,
                        current_state: state,
                        private: private,
                    ));
                    assert_decodes(reply.new_state.as_ref(), &w.resource);
                })
            },
        ),
    ));

    counts.push((
        "PlanResourceChange+ApplyResourceChange",
        fuzz(
            "plan and apply",
            n,
            (
                mode(),
                type_name(),
                plausible(w.resource.clone()),
                plausible(w.resource.clone()),
                plausible(w.resource.clone()),
                private_bytes(),
            ),
            // Each input is planned (as the proposed state) and applied (as the planned one),
            // each in a session of its own.
            |(mode, name, prior, next, config, private), w| {
                in_session(mode, async |s| {
                    let planned = call!(s, plan_resource_change(
                        type_name: name.clone(),
                        prior_state: prior.clone(),
                        proposed_new_state: next.clone(),
                        config: config.clone(),
                        prior_private: private.clone(),
                    ));
                    assert_decodes(planned.planned_state.as_ref(), &w.resource);
                });
                in_session(mode, async |s| {
                    let applied = call!(s, apply_resource_change(
                        type_name: name,
                        prior_state: prior,
                        planned_state: next,
                        config: config,
                        planned_private: private,
                    ));
                    assert_decodes(applied.new_state.as_ref(), &w.resource);
                });
            },
        ),
    ));

    counts.push((
        "ImportResourceState",
        fuzz(
            "import",
            n,
            (
                mode(),
                type_name(),
                prop_oneof![
                    3 => text(),
                    1 => (text(), text()).prop_map(|(a, b)| format!("{a}:{b}")),
                    1 => "[a-z]{1,5}(:[a-z0-9\\-]{0,12}){0,4}",
                ],
            ),
            |(mode, name, id), w| {
                in_session(mode, async |s| {
                    let reply = call!(s, import_resource_state(type_name: name, id: id));
                    for r in &reply.imported_resources {
                        assert_decodes(r.state.as_ref(), &w.resource);
                    }
                })
            },
        ),
    ));

    let total: u64 = counts.iter().map(|(_, c)| c).sum();
    let peak = peak_rss_kib();
    println!("handler fuzz figures ({n} inputs per property):");
    for (rpc, count) in &counts {
        println!("  {rpc}: {count} RPCs");
    }
    println!(
        "  total: {total} RPCs, none panicked or failed; peak RSS {} MiB (baseline {} MiB)",
        peak / 1024,
        baseline / 1024
    );
    assert!(
        peak.saturating_sub(baseline) < 512 * 1024,
        "memory grew by {} MiB: some input made the provider allocate out of proportion",
        (peak - baseline) / 1024
    );
}

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status")
}
