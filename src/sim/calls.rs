//! Per-action call counters, so tests and benchmarks can assert how many calls a plan or an
//! apply made and which of them were answered, refused, or hit by an injected fault.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::faults::FaultCounts;

/// The key under which calls without a served `X-ZC-Action` are counted.
pub const UNKNOWN_ACTION: &str = "<unknown>";

/// Calls of one action.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionCalls {
    /// Every call that reached the API endpoint: `answered + faulted`.
    pub received: u64,
    /// Calls that got the API's own answer: `succeeded + failed`.
    pub answered: u64,
    /// Answered with HTTP 200.
    pub succeeded: u64,
    /// Answered with an error code (see `codes`).
    pub failed: u64,
    /// Hit by an injected fault (429/500/503 answer, dropped, or answer lost).
    pub faulted: u64,
    /// Error codes of the failed calls.
    #[serde(default)]
    pub codes: BTreeMap<String, u64>,
}

/// Counters of every action plus the faults injected, as `GET /_sim/calls` shows them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallReport {
    pub actions: BTreeMap<String, ActionCalls>,
    pub faults: FaultCounts,
}

impl CallReport {
    /// The counters of one action (zero when it was never called).
    pub fn action(&self, name: &str) -> ActionCalls {
        self.actions.get(name).cloned().unwrap_or_default()
    }

    /// Calls received over all actions.
    pub fn total_received(&self) -> u64 {
        self.actions.values().map(|a| a.received).sum()
    }
}

/// How one call ended, for counting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome<'a> {
    Succeeded,
    Failed(&'a str),
    Faulted,
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    actions: BTreeMap<&'static str, ActionCalls>,
}

impl Counters {
    pub(crate) fn record(&mut self, action: &'static str, outcome: Outcome<'_>) {
        let calls = self.actions.entry(action).or_default();
        calls.received += 1;
        match outcome {
            Outcome::Succeeded => {
                calls.answered += 1;
                calls.succeeded += 1;
            }
            Outcome::Failed(code) => {
                calls.answered += 1;
                calls.failed += 1;
                *calls.codes.entry(code.to_owned()).or_default() += 1;
            }
            Outcome::Faulted => calls.faulted += 1,
        }
    }

    pub(crate) fn report(&self, faults: FaultCounts) -> CallReport {
        CallReport {
            actions: (self.actions.iter())
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
            faults,
        }
    }

    pub(crate) fn reset(&mut self) {
        self.actions.clear();
    }
}
