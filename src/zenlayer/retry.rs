//! When to try a call again and how long to wait first: exponential backoff with full jitter,
//! `Retry-After` honoured, and the rule that a write whose outcome is unknown is never resent.

use std::time::Duration;

use super::codes;
use super::error::Error;

/// Backoff between attempts of one call. Tests shorten it; production keeps the default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The cap of the first wait; each later wait's cap doubles.
    pub base_delay: Duration,
    /// No wait's cap exceeds this.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
        }
    }
}

/// A `Retry-After` longer than this is treated as this: a misbehaving header must not park an
/// apply for hours. Documented in docs/index.md and RELIABILITY.md.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

impl RetryPolicy {
    /// The wait before retry number `retry` (1 for the first retry): a uniformly random
    /// duration up to `min(max_delay, base_delay * 2^(retry-1))` ("full jitter"), which
    /// spreads out many clients that were throttled at the same moment.
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let factor = 1u32
            .checked_shl(retry.saturating_sub(1))
            .unwrap_or(u32::MAX);
        let cap = self
            .base_delay
            .checked_mul(factor)
            .unwrap_or(self.max_delay)
            .min(self.max_delay);
        let nanos = u64::try_from(cap.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(fastrand::u64(0..=nanos))
    }

    /// The wait before retry number `retry` when the server's answer carried `retry_after`:
    /// the jittered backoff, lengthened (never shortened) to the server's wish. A
    /// `Retry-After: 0` therefore cannot make the client retry back to back; the wish is
    /// already capped at `MAX_RETRY_AFTER` by `parse_retry_after`.
    pub(crate) fn wait(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        let backoff = self.backoff(retry);
        match retry_after {
            Some(wish) => backoff.max(wish.min(MAX_RETRY_AFTER)),
            None => backoff,
        }
    }
}

/// Parses `Retry-After` in its delta-seconds form, capped at `MAX_RETRY_AFTER`; an HTTP-date,
/// a negative, fractional or unparsable value is ignored (the backoff applies alone).
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let text = value.trim();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // All digits: too many of them for a u64 is simply "longer than the cap".
    let secs: u64 = text.parse().unwrap_or(u64::MAX);
    Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER))
}

/// API codes that mean "not now" rather than "no": the same call may succeed later.
pub(crate) const RETRYABLE_CODES: &[&str] = &[
    codes::REQUEST_LIMIT_EXCEEDED,
    codes::SERVICE_TEMPORARY_UNAVAILABLE,
    codes::INTERNAL_SERVER_ERROR,
    codes::INVALID_OPERATION_TIMEOUT,
    codes::REQUEST_TIMED_OUT,
];

/// Whether a call changes state, which decides what may be resent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CallKind {
    Read,
    Write,
}

/// What to do after an attempt that produced an answer which was not a success.
#[derive(Debug)]
pub(crate) enum Verdict {
    /// Try again (after `retry_after` if the server named a wait).
    Retry(Error),
    /// Stop with this error.
    Stop(Error),
}

/// Decides on an answered attempt's error. Documented "not now" codes and 429 are retried for
/// every call: the API answered, so nothing happened. Other 5xx answers are retried for reads;
/// for writes a bare 5xx from something that is not the API (a gateway's 502/504 page) means
/// the request may have reached the API, so it becomes `OutcomeUnknown` — except 503, which
/// gateways send when they forwarded nothing.
pub(crate) fn judge_answer(kind: CallKind, http_status: u16, err: Error) -> Verdict {
    let retryable_code = err.code().is_some_and(|c| RETRYABLE_CODES.contains(&c));
    if retryable_code || http_status == 429 {
        return Verdict::Retry(err);
    }
    if http_status < 500 {
        return Verdict::Stop(err);
    }
    match (kind, &err) {
        (CallKind::Read, _) => Verdict::Retry(err),
        (CallKind::Write, Error::Api { .. }) => Verdict::Stop(err),
        (CallKind::Write, _) if http_status == 503 => Verdict::Retry(err),
        (CallKind::Write, Error::UnexpectedResponse { action, what, .. }) => {
            Verdict::Stop(Error::OutcomeUnknown {
                action,
                message: format!(
                    "HTTP {http_status} with {what} came back instead of the API's answer"
                ),
            })
        }
        (CallKind::Write, _) => Verdict::Stop(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zenlayer::ApiError;

    fn api(status: u16, code: &str) -> Error {
        Error::Api {
            action: "X",
            source: ApiError {
                http_status: status,
                code: code.into(),
                message: String::new(),
                request_id: String::new(),
                sent_with: None,
                caller: None,
            },
        }
    }

    fn unexpected(status: u16) -> Error {
        Error::UnexpectedResponse {
            action: "X",
            http_status: status,
            what: "an HTML page titled \"Bad Gateway\"".into(),
        }
    }

    #[test]
    fn backoff_stays_within_the_doubling_cap() {
        let p = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(700),
        };
        for _ in 0..200 {
            assert!(p.backoff(1) <= Duration::from_millis(100));
            assert!(p.backoff(2) <= Duration::from_millis(200));
            assert!(p.backoff(3) <= Duration::from_millis(400));
            assert!(p.backoff(4) <= Duration::from_millis(700));
            assert!(p.backoff(60) <= Duration::from_millis(700));
        }
    }

    #[test]
    fn backoff_is_jittered() {
        let p = RetryPolicy::default();
        let samples: std::collections::HashSet<Duration> = (0..20).map(|_| p.backoff(3)).collect();
        assert!(samples.len() > 1);
    }

    #[test]
    fn retry_after_accepts_seconds_and_caps_them() {
        assert_eq!(parse_retry_after(" 3 "), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("0"), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("999999"), Some(MAX_RETRY_AFTER));
        assert_eq!(
            parse_retry_after("99999999999999999999999999"),
            Some(MAX_RETRY_AFTER)
        );
        for ignored in [
            "Wed, 21 Oct 2015 07:28:00 GMT",
            "-1",
            "+5",
            "1.5",
            "",
            "  ",
            "5s",
        ] {
            assert_eq!(parse_retry_after(ignored), None, "{ignored:?}");
        }
    }

    #[test]
    fn retry_after_lengthens_the_backoff_but_never_shortens_it() {
        let p = RetryPolicy {
            base_delay: Duration::from_millis(400),
            max_delay: Duration::from_millis(400),
        };
        for seed in 0..200 {
            // A zero wish leaves the jittered backoff as it is: the same draw as no header.
            fastrand::seed(seed);
            let plain = p.wait(1, None);
            fastrand::seed(seed);
            assert_eq!(p.wait(1, Some(Duration::ZERO)), plain);
            // A long wish wins, up to the cap.
            assert_eq!(
                p.wait(1, Some(Duration::from_secs(5))),
                Duration::from_secs(5)
            );
            assert_eq!(
                p.wait(1, Some(Duration::from_secs(86_400))),
                MAX_RETRY_AFTER
            );
        }
        let samples: std::collections::HashSet<Duration> =
            (0..20).map(|_| p.wait(3, Some(Duration::ZERO))).collect();
        assert!(samples.len() > 1, "Retry-After: 0 removed the jitter");
    }

    #[test]
    fn throttling_and_temporary_codes_are_retried_for_writes_too() {
        for code in RETRYABLE_CODES {
            assert!(matches!(
                judge_answer(CallKind::Write, 400, api(400, code)),
                Verdict::Retry(_)
            ));
        }
        assert!(matches!(
            judge_answer(CallKind::Write, 429, unexpected(429)),
            Verdict::Retry(_)
        ));
    }

    #[test]
    fn refusals_are_final() {
        assert!(matches!(
            judge_answer(CallKind::Read, 400, api(400, "INVALID_NIC_STATUS")),
            Verdict::Stop(Error::Api { .. })
        ));
        assert!(matches!(
            judge_answer(CallKind::Read, 403, unexpected(403)),
            Verdict::Stop(Error::UnexpectedResponse { .. })
        ));
    }

    #[test]
    fn reads_retry_any_5xx() {
        assert!(matches!(
            judge_answer(CallKind::Read, 502, unexpected(502)),
            Verdict::Retry(_)
        ));
        assert!(matches!(
            judge_answer(CallKind::Read, 500, api(500, "SOMETHING_NEW")),
            Verdict::Retry(_)
        ));
    }

    #[test]
    fn a_gateway_error_on_a_write_makes_its_outcome_unknown() {
        assert!(matches!(
            judge_answer(CallKind::Write, 504, unexpected(504)),
            Verdict::Stop(Error::OutcomeUnknown { .. })
        ));
        assert!(matches!(
            judge_answer(CallKind::Write, 503, unexpected(503)),
            Verdict::Retry(_)
        ));
        assert!(matches!(
            judge_answer(CallKind::Write, 500, api(500, "SOMETHING_NEW")),
            Verdict::Stop(Error::Api { .. })
        ));
    }
}
