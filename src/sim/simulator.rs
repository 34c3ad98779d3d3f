//! `Sim`: the simulator's shared core. HTTP handlers, admin endpoints and in-process tests all
//! go through it. Every lock is held only for a lookup or a change, never across an await.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::actions::{self, Action, Answer, Transition};
use super::auth::{self, Accepted, Caller};
use super::calls::{CallReport, Counters, Outcome};
use super::failure::Failure;
use super::faults::{Decision, FaultConfig, FaultReport, Injector};
use super::fixture;
use super::outside::{
    self, ChangeError, CreatedInstances, InstancePatch, NewInstances, NewNics, NicPatch,
};
use super::params::Params;
use super::state::{Instance, Nic, State, StateError, World};
use super::timers::Timers;
use super::timing::{Operation, Pacer, Timing};
use crate::zenlayer::codes;
use crate::zenlayer::models::API_VERSION;

/// Access key id accepted when none is configured.
pub const DEFAULT_ACCESS_KEY_ID: &str = "sim-access-key-id";
/// Access key password accepted when none is configured.
pub const DEFAULT_ACCESS_KEY_PASSWORD: &str = "sim-access-key-password";
/// Bearer token accepted when none is configured.
pub const DEFAULT_ACCESS_TOKEN: &str = "sim-access-token";
/// How long ATTACHING and DETACHING last when not configured: long enough for a client to see
/// the transitional state, short enough for quick tests.
pub const DEFAULT_TRANSITION_DELAY: Duration = Duration::from_millis(300);

/// How long each asynchronous transition lasts. Zero makes the change immediate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delays {
    /// ATTACHING → USED.
    pub attach: Duration,
    /// DETACHING → AVAILABLE.
    pub detach: Duration,
}

impl Delays {
    /// The same delay for both transitions.
    pub fn both(delay: Duration) -> Delays {
        Delays {
            attach: delay,
            detach: delay,
        }
    }
}

impl Default for Delays {
    fn default() -> Self {
        Delays::both(DEFAULT_TRANSITION_DELAY)
    }
}

/// `Delays` as the admin JSON spells it: `{"attachMs": 300, "detachMs": 300}`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DelaysMs {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attach_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detach_ms: Option<u64>,
}

impl From<Delays> for DelaysMs {
    fn from(d: Delays) -> Self {
        DelaysMs {
            attach_ms: Some(d.attach.as_millis() as u64),
            detach_ms: Some(d.detach.as_millis() as u64),
        }
    }
}

impl DelaysMs {
    /// `current` with the fields this update names replaced.
    pub fn apply_to(self, current: Delays) -> Delays {
        Delays {
            attach: self.attach_ms.map_or(current.attach, Duration::from_millis),
            detach: self.detach_ms.map_or(current.detach, Duration::from_millis),
        }
    }
}

/// Everything a simulator starts from.
#[derive(Clone)]
pub struct SimConfig {
    pub access_key_id: String,
    pub access_key_password: String,
    /// `None` refuses every bearer token.
    pub access_token: Option<String>,
    pub state: State,
    pub delays: Delays,
    /// Actions the credentials may not call, as a least-privilege key's policy leaves them out.
    pub policy: Policy,
}

/// What the accepted credentials may not do: each action named in `deny` is refused with
/// `AUTHFAILURE_UNAUTHORIZED_OPERATION` (HTTP 403) after authentication, before parameters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Policy {
    #[serde(default)]
    pub deny: std::collections::BTreeSet<String>,
}

impl Policy {
    /// A policy refusing `actions`, each a served action's name.
    pub fn denying(actions: &[&str]) -> Result<Policy, String> {
        let policy = Policy {
            deny: actions.iter().map(|a| (*a).to_owned()).collect(),
        };
        policy.check()?;
        Ok(policy)
    }

    /// Refuses names the simulator does not serve: a typo would otherwise deny nothing.
    pub fn check(&self) -> Result<(), String> {
        match self.deny.iter().find(|a| Action::from_name(a).is_none()) {
            None => Ok(()),
            Some(unknown) => {
                let served: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
                Err(format!(
                    "`{unknown}` is not an action this simulator serves ({})",
                    served.join(", ")
                ))
            }
        }
    }
}

impl std::fmt::Debug for SimConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimConfig")
            .field("access_key_id", &self.access_key_id)
            .field("delays", &self.delays)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl Default for SimConfig {
    /// The default credentials, the built-in state and the default delay.
    fn default() -> Self {
        SimConfig {
            access_key_id: DEFAULT_ACCESS_KEY_ID.to_owned(),
            access_key_password: DEFAULT_ACCESS_KEY_PASSWORD.to_owned(),
            access_token: Some(DEFAULT_ACCESS_TOKEN.to_owned()),
            state: fixture::default_state(),
            delays: Delays::default(),
            policy: Policy::default(),
        }
    }
}

/// A handle to one simulated account. Cheap to clone; clones share everything.
#[derive(Clone)]
pub struct Sim {
    inner: Arc<Inner>,
}

struct Inner {
    accepted: Accepted,
    initial_state: State,
    initial_delays: Delays,
    initial_policy: Policy,
    policy: Mutex<Policy>,
    world: Mutex<World>,
    delays: Mutex<Delays>,
    faults: Mutex<Injector>,
    pacer: Mutex<Pacer>,
    counters: Mutex<Counters>,
    request_prefix: String,
    request_seq: AtomicU64,
    timers: Arc<Timers>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Nothing holding these locks can leave the data half-changed, so poisoning is ignored.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The result of one API call, before it is put on the wire.
pub(crate) struct Handled {
    pub(crate) result: Result<Value, Failure>,
    pub(crate) caller: Option<Caller>,
}

impl std::fmt::Debug for Sim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sim")
            .field("accepted", &self.inner.accepted)
            .finish_non_exhaustive()
    }
}

impl Sim {
    /// A simulator serving `config.state`, which must be consistent.
    pub fn new(config: SimConfig) -> Result<Sim, StateError> {
        let world = World::new(config.state.clone())?;
        config
            .policy
            .check()
            .map_err(|e| StateError(format!("the policy denies {e}")))?;
        Ok(Sim {
            inner: Arc::new(Inner {
                accepted: Accepted {
                    access_key_id: config.access_key_id,
                    access_key_password: config.access_key_password,
                    access_token: config.access_token,
                },
                initial_state: config.state,
                initial_delays: config.delays,
                initial_policy: config.policy.clone(),
                policy: Mutex::new(config.policy),
                world: Mutex::new(world),
                delays: Mutex::new(config.delays),
                faults: Mutex::new(Injector::default()),
                pacer: Mutex::new(Pacer::default()),
                counters: Mutex::new(Counters::default()),
                request_prefix: format!("{:08X}", fastrand::u32(..)),
                request_seq: AtomicU64::new(0),
                timers: Arc::default(),
            }),
        })
    }

    /// The accepted access key id.
    pub fn access_key_id(&self) -> &str {
        &self.inner.accepted.access_key_id
    }

    /// The accepted access key password (for tests that sign requests).
    pub fn access_key_password(&self) -> &str {
        &self.inner.accepted.access_key_password
    }

    /// The accepted bearer token, if any.
    pub fn access_token(&self) -> Option<&str> {
        self.inner.accepted.access_token.as_deref()
    }

    /// A copy of the whole current state.
    pub fn state(&self) -> State {
        lock(&self.inner.world).state().clone()
    }

    /// One NIC as it is now.
    pub fn nic(&self, id: &str) -> Option<Nic> {
        lock(&self.inner.world).nic(id).cloned()
    }

    /// One instance as it is now.
    pub fn instance(&self, id: &str) -> Option<Instance> {
        lock(&self.inner.world).instance(id).cloned()
    }

    /// Replaces the whole state; transitions in flight are cancelled.
    pub fn replace_state(&self, state: State) -> Result<(), StateError> {
        let world = World::new(state)?;
        *lock(&self.inner.world) = world;
        Ok(())
    }

    /// Applies an outside change to a copy of the state and swaps it in if still consistent.
    fn change<T>(
        &self,
        f: impl FnOnce(&mut State) -> Result<T, ChangeError>,
    ) -> Result<T, ChangeError> {
        let mut world = lock(&self.inner.world);
        let mut state = world.state().clone();
        let out = f(&mut state)?;
        world.replace(state)?;
        Ok(out)
    }

    /// Edits a NIC as someone outside Terraform would; cancels its transition in flight.
    pub fn patch_nic(&self, id: &str, patch: NicPatch) -> Result<Nic, ChangeError> {
        self.change(|s| outside::patch_nic(s, id, patch))
    }

    pub fn delete_nic(&self, id: &str) -> Result<Nic, ChangeError> {
        self.change(|s| outside::delete_nic(s, id))
    }

    pub fn patch_instance(&self, id: &str, patch: InstancePatch) -> Result<Instance, ChangeError> {
        self.change(|s| outside::patch_instance(s, id, patch))
    }

    /// Releases an instance: its primary NIC goes, its other NICs become AVAILABLE.
    pub fn delete_instance(&self, id: &str) -> Result<Instance, ChangeError> {
        self.change(|s| outside::delete_instance(s, id))
    }

    /// Creates many NICs at once (benchmarks); returns their IDs.
    pub fn create_nics(&self, req: NewNics) -> Result<Vec<String>, ChangeError> {
        self.change(|s| outside::create_nics(s, req))
    }

    /// Creates many instances at once, each with its primary NIC.
    pub fn create_instances(&self, req: NewInstances) -> Result<CreatedInstances, ChangeError> {
        self.change(|s| outside::create_instances(s, req))
    }

    pub fn delays(&self) -> Delays {
        *lock(&self.inner.delays)
    }

    /// Applies to transitions started from now on.
    pub fn set_delays(&self, delays: Delays) {
        *lock(&self.inner.delays) = delays;
    }

    /// The actions the credentials may not call now.
    pub fn policy(&self) -> Policy {
        lock(&self.inner.policy).clone()
    }

    /// Replaces the policy; the error names an action the simulator does not serve.
    pub fn set_policy(&self, policy: Policy) -> Result<(), String> {
        policy.check()?;
        *lock(&self.inner.policy) = policy;
        Ok(())
    }

    pub fn faults(&self) -> FaultReport {
        lock(&self.inner.faults).report()
    }

    /// Switches fault injection to this plan; the error says what is wrong with it.
    pub fn set_faults(&self, config: FaultConfig) -> Result<(), String> {
        lock(&self.inner.faults).configure(config)
    }

    /// Stops injecting faults (counts are kept until `reset_calls`).
    pub fn clear_faults(&self) {
        // The empty plan is always valid.
        let _ = lock(&self.inner.faults).configure(FaultConfig::default());
    }

    /// Calls per action and faults injected since the start or the last reset.
    pub fn calls(&self) -> CallReport {
        let faults = lock(&self.inner.faults).report().injected;
        lock(&self.inner.counters).report(faults)
    }

    /// Zeroes the call counters and the fault counts.
    pub fn reset_calls(&self) {
        lock(&self.inner.counters).reset();
        lock(&self.inner.faults).reset_counts();
    }

    /// Back to the starting state, delays and policy, no faults, zero counters.
    pub fn reset(&self) {
        match World::new(self.inner.initial_state.clone()) {
            Ok(world) => *lock(&self.inner.world) = world,
            // The initial state passed the same check in `Sim::new`.
            Err(e) => tracing::error!("resetting the simulator failed: {e}"),
        }
        self.set_delays(self.inner.initial_delays);
        *lock(&self.inner.policy) = self.inner.initial_policy.clone();
        self.clear_faults();
        // The default pacing is always valid.
        let _ = self.set_timing(Timing::default());
        self.clear_operations();
        self.reset_calls();
    }

    /// The latency and operation durations in force.
    pub fn timing(&self) -> Timing {
        lock(&self.inner.pacer).timing()
    }

    /// Paces the simulator like an API across a network; the error says what is wrong.
    pub fn set_timing(&self, timing: Timing) -> Result<(), String> {
        lock(&self.inner.pacer).configure(timing)
    }

    /// Every attach and detach started since the start or the last clear, with its duration.
    pub fn operations(&self) -> Vec<Operation> {
        lock(&self.inner.pacer).operations()
    }

    /// Forgets the recorded operations (before a measured run).
    pub fn clear_operations(&self) {
        lock(&self.inner.pacer).clear_operations();
    }

    pub(crate) fn next_request_id(&self) -> String {
        let n = self.inner.request_seq.fetch_add(1, Ordering::Relaxed);
        format!("SIM{}-{n:010}", self.inner.request_prefix)
    }

    pub(crate) fn decide_fault(&self, action: Option<&str>) -> Decision {
        lock(&self.inner.faults).decide(action)
    }

    pub(crate) fn record(&self, action: &'static str, outcome: Outcome<'_>) {
        lock(&self.inner.counters).record(action, outcome);
    }

    /// Authenticates, validates and performs one API call; schedules its transition, if any.
    /// Must run inside a Tokio runtime when transition delays are non-zero.
    pub(crate) fn handle(&self, headers: &HeaderMap, body: &[u8], request_id: &str) -> Handled {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let caller = match auth::authenticate(&self.inner.accepted, headers, body, now) {
            Ok(caller) => caller,
            Err(failure) => {
                return Handled {
                    result: Err(failure),
                    caller: None,
                };
            }
        };
        let result = self.perform(headers, body, request_id, &caller);
        let result = result.and_then(|answer| {
            if let Some(t) = answer.transition {
                self.schedule(t);
            }
            serde_json::to_value(&answer.reply).map_err(|e| {
                Failure::new(
                    codes::INTERNAL_SERVER_ERROR,
                    format!("encoding the answer failed: {e}"),
                )
            })
        });
        Handled {
            result,
            caller: Some(caller),
        }
    }

    fn perform(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        request_id: &str,
        caller: &Caller,
    ) -> Result<Answer, Failure> {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        match header("x-zc-version") {
            None => {
                return Err(Failure::new(
                    codes::MISSING_PARAMETER,
                    "The X-ZC-Version header is required.",
                ));
            }
            Some(API_VERSION) => {}
            Some(other) => {
                return Err(Failure::new(
                    codes::INVALID_PARAMETER_VALUE,
                    format!("The API version `{other}` is not served; use `{API_VERSION}`."),
                ));
            }
        }
        let action = match header("x-zc-action") {
            None => {
                return Err(Failure::new(
                    codes::MISSING_PARAMETER,
                    "The X-ZC-Action header is required.",
                ));
            }
            Some(name) => Action::from_name(name).ok_or_else(|| {
                let served: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
                Failure::new(
                    codes::AUTHFAILURE_UNAUTHORIZED_OPERATION,
                    format!(
                        "The action `{name}` does not exist or is not authorised; this simulator serves {}.",
                        served.join(", ")
                    ),
                )
            })?,
        };
        if lock(&self.inner.policy).deny.contains(action.name()) {
            let who = match caller {
                Caller::AccessKey(id) => format!("The access key `{id}`"),
                Caller::Token => "The access token".to_owned(),
            };
            return Err(Failure::new(
                codes::AUTHFAILURE_UNAUTHORIZED_OPERATION,
                format!(
                    "{who} is not authorised to perform `{}` (denied by the simulator's policy).",
                    action.name()
                ),
            ));
        }
        let params = Params::parse(body)?;
        let delays = self.delays();
        let duration = |fixed| lock(&self.inner.pacer).duration(fixed);
        match action {
            Action::DescribeZones => {
                let req = params.describe_zones()?;
                actions::describe_zones(&lock(&self.inner.world), &req, request_id)
            }
            Action::DescribeInstances => {
                let req = params.describe_instances()?;
                actions::describe_instances(&lock(&self.inner.world), &req, request_id)
            }
            Action::DescribeNetworkInterfaces => {
                let req = params.describe_nics()?;
                actions::describe_network_interfaces(&lock(&self.inner.world), &req, request_id)
            }
            Action::AttachNetworkInterface => {
                let req = params.attach()?;
                let mut world = lock(&self.inner.world);
                actions::attach_network_interface(
                    &mut world,
                    &req,
                    duration(delays.attach),
                    request_id,
                )
            }
            Action::DetachNetworkInterface => {
                let req = params.detach()?;
                let mut world = lock(&self.inner.world);
                actions::detach_network_interface(
                    &mut world,
                    &req,
                    duration(delays.detach),
                    request_id,
                )
            }
        }
    }

    /// Returns once every transition scheduled so far has ended, completed or overtaken: what
    /// a test awaits, instead of a guessed sleep, before it looks at a settled world.
    pub async fn transitions_ended(&self) {
        self.inner.timers.all_ended().await;
    }

    /// One timer per transition; it completes the change unless something overtook it.
    fn schedule(&self, t: Transition) {
        let action = match t.status {
            crate::zenlayer::models::NicStatus::Used => Action::AttachNetworkInterface,
            _ => Action::DetachNetworkInterface,
        };
        lock(&self.inner.pacer).record(action.name(), &t.nic_id, t.delay);
        let sim = self.clone();
        let timer = self.inner.timers.start();
        tokio::spawn(async move {
            let _timer = timer;
            tokio::time::sleep(t.delay).await;
            let applied = lock(&sim.inner.world).complete_transition(
                &t.nic_id,
                t.token,
                t.status.clone(),
                t.instance_id.clone(),
            );
            if applied {
                tracing::debug!(nic_id = %t.nic_id, status = %t.status, "transition completed");
            }
        });
    }
}
