//! How the simulator paces itself like an API across a real network: a fixed latency on every
//! call, and attach/detach durations drawn from a seeded log-normal distribution. Every
//! operation it starts is recorded with its duration, so a benchmark can compute the ideal a
//! perfect client would reach with the durations this run actually drew.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// The standard normal's 95th percentile: `p95 = median · e^(σ · Z95)` for a log-normal.
const Z95: f64 = 1.644_853_626_951_472_2;

/// Operation durations drawn from a log-normal distribution with this median and 95th
/// percentile, from a generator seeded with `seed` (the same calls draw the same durations).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Spread {
    pub median_ms: u64,
    pub p95_ms: u64,
    #[serde(default)]
    pub seed: u64,
}

impl Spread {
    /// Refuses a spread that is not a distribution: the median must be above 0 and not above
    /// the 95th percentile.
    pub fn check(&self) -> Result<(), String> {
        if self.median_ms == 0 || self.p95_ms < self.median_ms {
            return Err(format!(
                "medianMs is {} and p95Ms {}; the median must be above 0 and at most p95",
                self.median_ms, self.p95_ms
            ));
        }
        Ok(())
    }

    /// The log-normal's σ: `ln(p95 / median) / Z95`.
    fn sigma(&self) -> f64 {
        (self.p95_ms as f64 / self.median_ms as f64).ln() / Z95
    }

    /// One duration: `median · e^(σ·z)` with `z` standard normal (Box–Muller).
    fn draw(&self, rng: &mut fastrand::Rng) -> Duration {
        // 1 - f64() lies in (0, 1], so the logarithm is finite.
        let u1 = 1.0 - rng.f64();
        let u2 = rng.f64();
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        let ms = self.median_ms as f64 * (self.sigma() * z).exp();
        // Capped at a day so that an extreme draw cannot overflow a timer.
        Duration::from_secs_f64((ms / 1000.0).min(86_400.0))
    }
}

/// The pacing set with `PUT /_sim/timing`: `{"latencyMs": 100, "spread": {"medianMs": 3000,
/// "p95Ms": 20000, "seed": 7}}`. The default adds nothing and uses the fixed delays.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Timing {
    /// Added to every API call, half before it is handled and half after (the request's
    /// way there and the answer's way back), so each call costs one round trip of this length.
    #[serde(default)]
    pub latency_ms: u64,
    /// When set, each attach and detach lasts a drawn duration instead of the fixed delay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spread: Option<Spread>,
}

impl Timing {
    /// The latency before the call is handled (the request travelling).
    pub(crate) fn there(&self) -> Duration {
        Duration::from_millis(self.latency_ms / 2)
    }

    /// The latency after the call is handled (the answer travelling back).
    pub(crate) fn back(&self) -> Duration {
        Duration::from_millis(self.latency_ms - self.latency_ms / 2)
    }
}

/// One attach or detach the simulator started, as `GET /_sim/operations` lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    /// `AttachNetworkInterface` or `DetachNetworkInterface`.
    pub action: String,
    pub nic_id: String,
    /// When the accepted request was handled, milliseconds since the Unix epoch.
    pub started_ms: u64,
    /// How long the transition lasts (drawn or fixed).
    pub duration_ms: u64,
}

/// The live pacing, its generator and the operations recorded since the last clear.
#[derive(Debug)]
pub(crate) struct Pacer {
    timing: Timing,
    rng: fastrand::Rng,
    operations: Vec<Operation>,
}

impl Default for Pacer {
    fn default() -> Self {
        Pacer {
            timing: Timing::default(),
            rng: fastrand::Rng::with_seed(0),
            operations: Vec::new(),
        }
    }
}

impl Pacer {
    pub(crate) fn timing(&self) -> Timing {
        self.timing
    }

    /// Replaces the pacing and restarts the generator from the spread's seed.
    pub(crate) fn configure(&mut self, timing: Timing) -> Result<(), String> {
        if let Some(spread) = &timing.spread {
            spread.check()?;
        }
        self.rng = fastrand::Rng::with_seed(timing.spread.map_or(0, |s| s.seed));
        self.timing = timing;
        Ok(())
    }

    /// The duration of the next transition: drawn when a spread is set, else `fixed`.
    pub(crate) fn duration(&mut self, fixed: Duration) -> Duration {
        match self.timing.spread {
            Some(spread) => spread.draw(&mut self.rng),
            None => fixed,
        }
    }

    /// Remembers a transition that was started.
    pub(crate) fn record(&mut self, action: &str, nic_id: &str, duration: Duration) {
        let started_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        self.operations.push(Operation {
            action: action.to_owned(),
            nic_id: nic_id.to_owned(),
            started_ms,
            duration_ms: duration.as_millis() as u64,
        });
    }

    pub(crate) fn operations(&self) -> Vec<Operation> {
        self.operations.clone()
    }

    pub(crate) fn clear_operations(&mut self) {
        self.operations.clear();
    }
}

/// The makespan of `ops` over `workers`: taken in the order they started, each given to the
/// worker free first (as Terraform's walk hands the next ready resource to the next free slot
/// of `-parallelism`), each lasting its duration plus `extra`. With `extra` zero it is the
/// ideal a perfect client reaches with these durations.
pub fn list_schedule(ops: &[Operation], workers: usize, extra: Duration) -> Duration {
    let mut ordered: Vec<&Operation> = ops.iter().collect();
    ordered.sort_by_key(|o| o.started_ms);
    let mut free = vec![Duration::ZERO; workers.max(1)];
    for op in ordered {
        if let Some(earliest) = free.iter_mut().min() {
            *earliest += Duration::from_millis(op.duration_ms) + extra;
        }
    }
    free.into_iter().max().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pacer(median_ms: u64, p95_ms: u64, seed: u64) -> Pacer {
        let mut p = Pacer::default();
        p.configure(Timing {
            latency_ms: 0,
            spread: Some(Spread {
                median_ms,
                p95_ms,
                seed,
            }),
        })
        .unwrap();
        p
    }

    fn draws(p: &mut Pacer, n: usize) -> Vec<Duration> {
        (0..n).map(|_| p.duration(Duration::ZERO)).collect()
    }

    #[test]
    fn the_same_seed_draws_the_same_durations_and_another_seed_others() {
        let a = draws(&mut pacer(3000, 20_000, 7), 50);
        assert_eq!(a, draws(&mut pacer(3000, 20_000, 7), 50));
        assert_ne!(a, draws(&mut pacer(3000, 20_000, 8), 50));
    }

    #[test]
    fn drawn_durations_have_the_requested_median_and_p95() {
        let mut d = draws(&mut pacer(3000, 20_000, 1), 20_000);
        d.sort();
        let median = d[d.len() / 2].as_secs_f64();
        let p95 = d[d.len() * 95 / 100].as_secs_f64();
        assert!((median - 3.0).abs() < 0.15, "median {median}");
        assert!((p95 - 20.0).abs() < 1.5, "p95 {p95}");
    }

    #[test]
    fn without_a_spread_the_fixed_delay_is_used() {
        let mut p = Pacer::default();
        assert_eq!(p.duration(Duration::from_secs(1)), Duration::from_secs(1));
    }

    #[test]
    fn a_spread_with_its_median_above_its_p95_is_refused() {
        let mut p = Pacer::default();
        let err = p
            .configure(Timing {
                latency_ms: 0,
                spread: Some(Spread {
                    median_ms: 5000,
                    p95_ms: 1000,
                    seed: 0,
                }),
            })
            .unwrap_err();
        assert!(err.contains("at most p95"), "{err}");
    }

    #[test]
    fn latency_is_split_into_the_way_there_and_back_without_losing_a_millisecond() {
        let t = Timing {
            latency_ms: 101,
            spread: None,
        };
        assert_eq!(t.there() + t.back(), Duration::from_millis(101));
    }

    fn op(started_ms: u64, duration_ms: u64) -> Operation {
        Operation {
            action: "AttachNetworkInterface".into(),
            nic_id: format!("nic-{started_ms}"),
            started_ms,
            duration_ms,
        }
    }

    #[test]
    fn list_scheduling_gives_each_next_operation_to_the_worker_free_first() {
        // Ten workers take 1..10 s; the eleventh operation goes to the one free at 1 s.
        let mut ops: Vec<Operation> = (1..=10).map(|i| op(i, i * 1000)).collect();
        ops.push(op(100, 9500));
        assert_eq!(
            list_schedule(&ops, 10, Duration::ZERO),
            Duration::from_millis(10_500)
        );
        // A round trip per operation lengthens the busiest worker by its operations' count.
        assert_eq!(
            list_schedule(&ops, 10, Duration::from_millis(100)),
            Duration::from_millis(10_700)
        );
        // A hundred 1 s operations over ten workers: the 10 s the benchmarks call ideal.
        let hundred: Vec<Operation> = (0..100).map(|i| op(i, 1000)).collect();
        assert_eq!(
            list_schedule(&hundred, 10, Duration::ZERO),
            Duration::from_secs(10)
        );
    }

    #[test]
    fn recorded_operations_keep_their_durations_until_cleared() {
        let mut p = Pacer::default();
        p.record(
            "AttachNetworkInterface",
            "nic-1",
            Duration::from_millis(1500),
        );
        let ops = p.operations();
        assert_eq!(ops.len(), 1);
        assert_eq!(
            (ops[0].nic_id.as_str(), ops[0].duration_ms),
            ("nic-1", 1500)
        );
        p.clear_operations();
        assert!(p.operations().is_empty());
    }
}
