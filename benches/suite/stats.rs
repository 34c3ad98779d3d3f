//! Medians, percentiles and units for the tables.

use std::time::Duration;

fn sorted<T: Ord + Copy>(v: &[T]) -> Vec<T> {
    let mut v = v.to_vec();
    v.sort_unstable();
    v
}

pub(crate) fn percentile(v: &[Duration], p: usize) -> Duration {
    let s = sorted(v);
    s[(s.len() * p / 100).min(s.len() - 1)]
}

/// The middle sample (the upper one of an even count).
pub(crate) fn median(v: &[Duration]) -> Duration {
    percentile(v, 50)
}

pub(crate) fn median_u64(v: &[u64]) -> u64 {
    let s = sorted(v);
    s[s.len() / 2]
}

pub(crate) fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

pub(crate) fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

pub(crate) fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

pub(crate) fn ratio(a: f64, b: f64) -> String {
    format!("{:.2}×", a / b)
}
