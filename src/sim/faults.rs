//! Fault injection: rate-limited, failing, unreachable and answer-losing API calls, decided per
//! call from a seeded generator so a sequential test sees the same faults on every run.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::actions::Action;
use crate::zenlayer::codes;

/// What an injected fault does to one API call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FaultKind {
    /// HTTP 429 `REQUEST_LIMIT_EXCEEDED`; nothing is done.
    RateLimited,
    /// HTTP 500 `INTERNAL_SERVER_ERROR`; nothing is done.
    Internal,
    /// HTTP 503 `SERVICE_TEMPORARY_UNAVAILABLE`; nothing is done.
    Unavailable,
    /// The connection is closed before anything is done; no answer.
    Drop,
    /// The call is carried out, then the connection is closed; the answer is lost.
    Lost,
    /// `code:<CODE>`: answered with this documented code and its HTTP status; nothing is done.
    /// For refusals the simulated world never produces by itself (a failed instance pre-check,
    /// a NIC behind a load balancer).
    Code(&'static str),
}

/// The codes a `code:` fault may answer with: every documented refusal of the two writes,
/// plus the backend timeouts.
pub const INJECTABLE_CODES: &[&[&str]] = &[
    codes::ATTACH_CODES,
    codes::DETACH_CODES,
    &[codes::INVALID_OPERATION_TIMEOUT, codes::REQUEST_TIMED_OUT],
];

/// The prefix of a `code:<CODE>` fault's name.
const CODE_PREFIX: &str = "code:";

impl FaultKind {
    /// The name used in the admin JSON and logs.
    pub fn name(self) -> String {
        match self {
            FaultKind::RateLimited => "429".into(),
            FaultKind::Internal => "500".into(),
            FaultKind::Unavailable => "503".into(),
            FaultKind::Drop => "drop".into(),
            FaultKind::Lost => "lost".into(),
            FaultKind::Code(code) => format!("{CODE_PREFIX}{code}"),
        }
    }

    /// The kind named `name`, or why there is none.
    pub fn from_name(name: &str) -> Result<FaultKind, String> {
        Ok(match name {
            "429" => FaultKind::RateLimited,
            "500" => FaultKind::Internal,
            "503" => FaultKind::Unavailable,
            "drop" => FaultKind::Drop,
            "lost" => FaultKind::Lost,
            _ => {
                let Some(wanted) = name.strip_prefix(CODE_PREFIX) else {
                    return Err(format!(
                        "unknown fault kind `{name}`; use 429, 500, 503, drop, lost or \
                         code:<CODE>"
                    ));
                };
                let code = INJECTABLE_CODES
                    .iter()
                    .flat_map(|list| list.iter())
                    .find(|c| **c == wanted)
                    .ok_or_else(|| {
                        let mut known: Vec<&str> = INJECTABLE_CODES
                            .iter()
                            .flat_map(|l| l.iter().copied())
                            .collect();
                        known.sort_unstable();
                        known.dedup();
                        format!(
                            "`{name}` names no code the simulator can answer with; use one of {}",
                            known.join(", ")
                        )
                    })?;
                FaultKind::Code(code)
            }
        })
    }
}

impl Serialize for FaultKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name())
    }
}

impl<'de> Deserialize<'de> for FaultKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        FaultKind::from_name(&name).map_err(serde::de::Error::custom)
    }
}

/// The fault plan set with `PUT /_sim/faults`. The default injects nothing.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultConfig {
    /// Share of eligible calls that get a fault, 0.0–1.0.
    #[serde(default)]
    pub rate: f64,
    /// Faults to choose from, uniformly, for each faulted call.
    #[serde(default)]
    pub kinds: Vec<FaultKind>,
    /// Actions eligible for faults and latency; empty means every action.
    #[serde(default)]
    pub actions: Vec<String>,
    /// Delay added to every eligible call before it is handled.
    #[serde(default)]
    pub latency_ms: u64,
    /// Seed of the generator that picks faulted calls and kinds; random when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Stop after injecting this many faults under this plan (1: "lose exactly the next answer").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_faults: Option<u64>,
}

impl FaultConfig {
    /// Faults every call to `actions` (all if empty) until `max_faults`: how tests script failures.
    pub fn always(kinds: &[FaultKind], actions: &[&str], max_faults: Option<u64>) -> FaultConfig {
        FaultConfig {
            rate: 1.0,
            kinds: kinds.to_vec(),
            actions: actions.iter().map(|a| (*a).to_owned()).collect(),
            max_faults,
            ..FaultConfig::default()
        }
    }

    /// Refuses plans that cannot mean what their author wants.
    pub fn validate(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.rate) {
            return Err(format!(
                "rate is {}; it must be between 0.0 and 1.0",
                self.rate
            ));
        }
        if self.rate > 0.0 && self.kinds.is_empty() {
            return Err(
                "rate is above 0 but kinds is empty; name at least one of 429, 500, 503, drop, lost, \
                 code:<CODE>"
                    .into(),
            );
        }
        if let Some(unknown) = (self.actions.iter()).find(|a| Action::from_name(a).is_none()) {
            let known: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
            return Err(format!(
                "actions names `{unknown}`, which the simulator does not serve; use {}",
                known.join(", ")
            ));
        }
        Ok(())
    }
}

/// Faults injected so far, by kind, plus calls slowed by `latencyMs`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultCounts {
    #[serde(rename = "429")]
    pub rate_limited: u64,
    #[serde(rename = "500")]
    pub internal: u64,
    #[serde(rename = "503")]
    pub unavailable: u64,
    pub drop: u64,
    pub lost: u64,
    /// Calls answered with a chosen code (`code:<CODE>`).
    #[serde(default)]
    pub code: u64,
    pub latency: u64,
}

impl FaultCounts {
    fn bump(&mut self, kind: FaultKind) {
        let slot = match kind {
            FaultKind::RateLimited => &mut self.rate_limited,
            FaultKind::Internal => &mut self.internal,
            FaultKind::Unavailable => &mut self.unavailable,
            FaultKind::Drop => &mut self.drop,
            FaultKind::Lost => &mut self.lost,
            FaultKind::Code(_) => &mut self.code,
        };
        *slot += 1;
    }

    /// Faults of every kind (latency excluded).
    pub fn total(&self) -> u64 {
        self.rate_limited + self.internal + self.unavailable + self.drop + self.lost + self.code
    }
}

/// The fault plan and what it has injected, as `GET /_sim/faults` shows them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultReport {
    pub config: FaultConfig,
    pub injected: FaultCounts,
}

/// What happens to one call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Decision {
    pub(crate) latency: Duration,
    pub(crate) fault: Option<FaultKind>,
}

/// The live plan with its generator and counts.
#[derive(Debug)]
pub(crate) struct Injector {
    config: FaultConfig,
    rng: fastrand::Rng,
    injected: FaultCounts,
    /// Faults injected since the current plan was set, for `max_faults`.
    under_plan: u64,
}

impl Default for Injector {
    fn default() -> Self {
        Injector {
            config: FaultConfig::default(),
            rng: fastrand::Rng::new(),
            injected: FaultCounts::default(),
            under_plan: 0,
        }
    }
}

impl Injector {
    /// Replaces the plan; counts are kept (reset them with the call counters).
    pub(crate) fn configure(&mut self, config: FaultConfig) -> Result<(), String> {
        config.validate()?;
        self.rng = match config.seed {
            Some(seed) => fastrand::Rng::with_seed(seed),
            None => fastrand::Rng::new(),
        };
        self.config = config;
        self.under_plan = 0;
        Ok(())
    }

    pub(crate) fn report(&self) -> FaultReport {
        FaultReport {
            config: self.config.clone(),
            injected: self.injected.clone(),
        }
    }

    pub(crate) fn reset_counts(&mut self) {
        self.injected = FaultCounts::default();
    }

    /// Decides the fate of a call to `action` (the raw `X-ZC-Action` value, if any).
    pub(crate) fn decide(&mut self, action: Option<&str>) -> Decision {
        let config = &self.config;
        let eligible = config.actions.is_empty()
            || action.is_some_and(|a| config.actions.iter().any(|x| x == a));
        if !eligible {
            return Decision::default();
        }
        let latency = Duration::from_millis(config.latency_ms);
        if !latency.is_zero() {
            self.injected.latency += 1;
        }
        let budget_left = config.max_faults.is_none_or(|max| self.under_plan < max);
        let fault = if budget_left && config.rate > 0.0 && self.rng.f64() < config.rate {
            let kind = config.kinds[self.rng.usize(..config.kinds.len())];
            self.injected.bump(kind);
            self.under_plan += 1;
            Some(kind)
        } else {
            None
        };
        Decision { latency, fault }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn injector(config: FaultConfig) -> Injector {
        let mut inj = Injector::default();
        inj.configure(config).expect("valid plan");
        inj
    }

    #[test]
    fn no_plan_injects_nothing() {
        let mut inj = Injector::default();
        for _ in 0..100 {
            assert_eq!(inj.decide(Some("DescribeZones")), Decision::default());
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_faults() {
        let plan = FaultConfig {
            rate: 0.3,
            kinds: vec![FaultKind::RateLimited, FaultKind::Drop, FaultKind::Lost],
            seed: Some(7),
            ..Default::default()
        };
        let run = |plan: &FaultConfig| {
            let mut inj = injector(plan.clone());
            (0..200)
                .map(|_| inj.decide(Some("DescribeZones")).fault)
                .collect::<Vec<_>>()
        };
        let first = run(&plan);
        assert_eq!(first, run(&plan));
        let faulted = first.iter().flatten().count();
        assert!((30..90).contains(&faulted), "about 30% of 200: {faulted}");
    }

    #[test]
    fn only_named_actions_are_eligible_and_the_budget_is_kept() {
        let mut inj = injector(FaultConfig {
            rate: 1.0,
            kinds: vec![FaultKind::Lost],
            actions: vec!["AttachNetworkInterface".into()],
            max_faults: Some(2),
            latency_ms: 5,
            ..Default::default()
        });
        assert_eq!(inj.decide(Some("DescribeZones")), Decision::default());
        assert_eq!(inj.decide(None), Decision::default());
        let faults: Vec<_> = (0..4)
            .map(|_| inj.decide(Some("AttachNetworkInterface")).fault)
            .collect();
        assert_eq!(
            faults,
            [Some(FaultKind::Lost), Some(FaultKind::Lost), None, None]
        );
        assert_eq!(inj.report().injected.lost, 2);
        assert_eq!(inj.report().injected.latency, 4);
    }

    #[test]
    fn a_new_plan_gets_a_fresh_fault_budget() {
        let once = FaultConfig {
            rate: 1.0,
            kinds: vec![FaultKind::Drop],
            max_faults: Some(1),
            ..Default::default()
        };
        let mut inj = injector(once.clone());
        assert_eq!(inj.decide(None).fault, Some(FaultKind::Drop));
        assert_eq!(inj.decide(None).fault, None);
        inj.configure(once).unwrap();
        assert_eq!(inj.decide(None).fault, Some(FaultKind::Drop));
        assert_eq!(inj.report().injected.drop, 2);
    }

    #[test]
    fn a_code_fault_names_a_documented_code_and_round_trips() {
        let plan: FaultConfig = serde_json::from_str(
            r#"{"rate": 1.0, "kinds": ["code:INVALID_INSTANCE_PRECHECK_ABNORMAL", "lost"]}"#,
        )
        .unwrap();
        assert_eq!(
            plan.kinds,
            [
                FaultKind::Code(codes::INVALID_INSTANCE_PRECHECK_ABNORMAL),
                FaultKind::Lost
            ]
        );
        let json = serde_json::to_value(&plan).unwrap();
        assert_eq!(
            json["kinds"],
            serde_json::json!(["code:INVALID_INSTANCE_PRECHECK_ABNORMAL", "lost"])
        );
        for code in [
            codes::INVALID_NIC_LB_ASSOCIATED,
            codes::OPERATION_FAILED_RESOURCE_NOT_FOUND,
            codes::INVALID_OPERATION_TIMEOUT,
        ] {
            let kind = FaultKind::from_name(&format!("code:{code}")).unwrap();
            assert_eq!(kind, FaultKind::Code(code));
        }
        let mut inj = injector(FaultConfig {
            rate: 1.0,
            kinds: vec![FaultKind::Code(codes::INVALID_NIC_LB_ASSOCIATED)],
            max_faults: Some(1),
            ..Default::default()
        });
        assert_eq!(
            inj.decide(Some("DetachNetworkInterface")).fault,
            Some(FaultKind::Code(codes::INVALID_NIC_LB_ASSOCIATED))
        );
        assert_eq!(inj.report().injected.code, 1);
        assert_eq!(inj.report().injected.total(), 1);
    }

    #[test]
    fn a_code_fault_with_an_unknown_code_is_refused_listing_the_known_ones() {
        let err = FaultKind::from_name("code:INVALID_NIC_STATU").unwrap_err();
        assert!(err.contains("`code:INVALID_NIC_STATU`"), "{err}");
        assert!(err.contains("INVALID_NIC_STATUS,"), "{err}");
        let err = FaultKind::from_name("timeout").unwrap_err();
        assert!(err.contains("code:<CODE>"), "{err}");
        assert!(serde_json::from_str::<FaultConfig>(r#"{"kinds": ["code:NOPE"]}"#).is_err());
    }

    #[test]
    fn nonsense_plans_are_refused() {
        for (plan, needle) in [
            (r#"{"rate": 1.5, "kinds": ["429"]}"#, "between 0.0 and 1.0"),
            (r#"{"rate": 0.5}"#, "kinds is empty"),
            (
                r#"{"rate": 0.5, "kinds": ["429"], "actions": ["Attach"]}"#,
                "`Attach`",
            ),
        ] {
            let config: FaultConfig = serde_json::from_str(plan).unwrap();
            let err = config.validate().unwrap_err();
            assert!(err.contains(needle), "{plan}: {err}");
        }
        assert!(serde_json::from_str::<FaultConfig>(r#"{"kinds": ["timeout"]}"#).is_err());
    }
}
