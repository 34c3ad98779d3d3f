//! zenlayer-sim: a local Zenlayer ZEC API with the same wire contract as the real one, for the
//! quickstart, the scenario tests, the benchmarks and offline trials.
//!
//! Boundary: shares only `zenlayer::{models, codes, signer}` with the client, so both speak
//! exactly the same JSON and signatures, and the loopback rule `zenlayer::config::is_loopback_host`.
//!
//! In-process use (tests): `RunningSim::start(SimConfig::default()).await` serves on
//! `127.0.0.1:0`; `running.sim()` reads and changes the world, counts calls, injects faults.
//! `BackgroundSim::start` does the same on its own thread for synchronous tests.

mod actions;
mod admin;
mod api;
mod auth;
mod calls;
pub mod cli;
mod failure;
mod faults;
mod fixture;
mod outside;
mod params;
mod server;
mod simulator;
mod state;
mod timers;
mod timing;

pub use actions::{Action, DEFAULT_PAGE_SIZE};
pub use admin::ADMIN_PREFIX;
pub use auth::MAX_CLOCK_SKEW_SECS;
pub use calls::{ActionCalls, CallReport, UNKNOWN_ACTION};
pub use failure::http_status;
pub use faults::{FaultConfig, FaultCounts, FaultKind, FaultReport, INJECTABLE_CODES};
pub use fixture::{DEFAULT_STATE_JSON, default_state};
pub use outside::{
    ChangeError, CreatedInstances, InstancePatch, MAX_BULK, NewInstances, NewNics, NicPatch,
};
pub use server::{BackgroundSim, RunningSim, Served, StartError, ZEC_PATH, router, serve};
pub use simulator::{
    DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_PASSWORD, DEFAULT_ACCESS_TOKEN,
    DEFAULT_TRANSITION_DELAY, Delays, DelaysMs, Policy, Sim, SimConfig,
};
pub use state::{DEFAULT_NIC_LIMIT, Instance, Nic, NicType, State, StateError, Zone};
pub use timing::{Operation, Spread, Timing, list_schedule};
