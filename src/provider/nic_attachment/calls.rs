//! Classifying failed API calls, re-reading after them, and what a wait last saw: what
//! create, read, delete and import share about talking to the API.

use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::framework::Context;
use crate::provider::api::Zec;
use crate::provider::checks::facts::{self, Facts};
use crate::provider::waiters::Probe;
use crate::zenlayer::models::{InstanceInfo, NicInfo, NicStatus};
use crate::zenlayer::{CallLimits, Error, codes};

/// How long a read that settles an uncertain outcome may take. It runs even after Stop: an
/// attach that happened must be recorded, or it is lost to Terraform.
pub(super) const RECONCILE: Duration = Duration::from_secs(10);

/// Limits for a call that is part of an operation bounded by `deadline`.
pub(super) fn limits(ctx: &Context, deadline: Instant) -> CallLimits {
    CallLimits {
        deadline: Some(deadline),
        cancel: ctx.stop_token().clone(),
    }
}

/// What one look before a write reads: the NIC and its instance.
pub(super) type BothRead = (
    Result<Option<NicInfo>, Error>,
    Result<Option<InstanceInfo>, Error>,
);

/// One look before an attach or a detach: the NIC and the instance read side by side, in one
/// round trip, both fresh and both bounded by the operation's `deadline`.
pub(super) async fn read_both(
    api: &dyn Zec,
    ctx: &Context,
    deadline: Instant,
    nic_id: &str,
    instance_id: &str,
) -> BothRead {
    let limits = limits(ctx, deadline);
    tokio::join!(
        api.find_nic(nic_id, &limits),
        api.find_instance(instance_id, &limits)
    )
}

/// Limits for a reconciling read: short, and deaf to Stop.
pub(super) fn reconcile_limits() -> CallLimits {
    CallLimits {
        deadline: Some(Instant::now() + RECONCILE),
        cancel: CancellationToken::new(),
    }
}

/// A read failure worth retrying on the next poll (the client has already retried within the
/// call): throttling, an outage, a gateway's error page, a cut connection. Not a refused
/// certificate or a non-5xx answer that is not the API's (a login page, an empty body, JSON
/// of the wrong shape): those persist, so a wait ends at once rather than at its timeout.
pub(super) fn transient(e: &Error) -> bool {
    match e {
        Error::Network { lasting, .. } => !lasting,
        Error::UnexpectedResponse { http_status, .. } => {
            *http_status >= 500 || matches!(*http_status, 408 | 429)
        }
        Error::OutcomeUnknown { .. } | Error::GaveUp { .. } => true,
        Error::Api { source, .. } => matches!(
            source.code.as_str(),
            codes::REQUEST_LIMIT_EXCEEDED
                | codes::SERVICE_TEMPORARY_UNAVAILABLE
                | codes::INTERNAL_SERVER_ERROR
                | codes::REQUEST_TIMED_OUT
        ),
    }
}

/// A refusal that only says "not now" (throttled, or temporarily unavailable) even after
/// the client's own retries: the operation calls again after [`pause`] while its time lasts,
/// rather than failing the run.
pub(super) fn not_now(e: &Error) -> bool {
    matches!(
        e.code(),
        Some(codes::REQUEST_LIMIT_EXCEEDED | codes::SERVICE_TEMPORARY_UNAVAILABLE)
    )
}

/// The pause after a [`not_now`] refusal, on top of the client's backoff; jittered so
/// resources throttled together do not call again together.
pub(super) const NOT_NOW_PAUSE_MS: std::ops::RangeInclusive<u64> = 1000..=5000;

/// Sleeps before calling again after [`not_now`]; false (at once) when the pause would end
/// past `deadline`, and false as soon as Terraform sends Stop.
pub(super) async fn pause(ctx: &Context, deadline: Instant) -> bool {
    let wait = Duration::from_millis(fastrand::u64(NOT_NOW_PAUSE_MS));
    if ctx.is_stopped() || Instant::now() + wait >= deadline {
        return false;
    }
    tokio::select! {
        biased;
        () = ctx.stopped() => false,
        () = tokio::time::sleep(wait) => true,
    }
}

/// How long a refresh or an import, one read repeated while throttled, may take: longer is
/// not going to succeed, so the command fails rather than hangs.
pub(super) const ONE_READ_TIMEOUT: Duration = Duration::from_secs(60);

/// One read, called again after a [`pause`] while the API says [`not_now`], all within
/// [`ONE_READ_TIMEOUT`] and promptly on Stop.
pub(super) async fn read_patiently<T, F, Fut>(ctx: &Context, read: F) -> Result<T, Error>
where
    F: Fn(CallLimits) -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let deadline = Instant::now() + ONE_READ_TIMEOUT;
    loop {
        match read(limits(ctx, deadline)).await {
            Err(e) if not_now(&e) && pause(ctx, deadline).await => continue,
            other => return other,
        }
    }
}

/// True when `e` refused a write because of a state that passes by itself, as `facts` read
/// after it show: the NIC in one of `nic_states`, or the instance changing state.
pub(super) fn refused_for_passing_state(
    e: &Error,
    facts: Option<&Facts>,
    nic_states: &[NicStatus],
) -> bool {
    matches!(
        e.code(),
        Some(codes::INVALID_NIC_STATUS | codes::OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT)
    ) && facts.is_some_and(|f| f.settling(nic_states))
}

/// True while the operation may still call the API: before its deadline, and not stopped.
pub(super) fn time_left(ctx: &Context, deadline: Instant) -> bool {
    Instant::now() < deadline && !ctx.is_stopped()
}

/// A write failure after which the write may or may not have taken effect: settle it by
/// reading, never by resending blindly.
pub(super) fn ambiguous(e: &Error) -> bool {
    match e {
        Error::OutcomeUnknown { .. } | Error::UnexpectedResponse { .. } => true,
        Error::GaveUp {
            last: Some(last), ..
        } => ambiguous(last),
        Error::Api { source, .. } => matches!(
            source.code.as_str(),
            codes::INVALID_OPERATION_TIMEOUT
                | codes::REQUEST_TIMED_OUT
                | codes::INTERNAL_SERVER_ERROR
        ),
        Error::GaveUp { last: None, .. } | Error::Network { .. } => false,
    }
}

/// The instance a NIC is bound to (USED or ATTACHING), if the API names one.
pub(super) fn bound_to(nic: &NicInfo) -> Option<&str> {
    if facts::is_bound(nic) {
        nic.named_instance()
    } else {
        None
    }
}

/// True when the NIC is (becoming) attached to `instance_id`.
pub(super) fn bound_to_instance(nic: &NicInfo, instance_id: &str) -> bool {
    bound_to(nic) == Some(instance_id)
}

/// Facts for a failure message: best effort, short, deaf to Stop.
pub(super) async fn facts_after_failure(
    api: &dyn Zec,
    nic_id: &str,
    instance_id: &str,
) -> Option<Facts> {
    facts::gather(api, nic_id, instance_id, &reconcile_limits())
        .await
        .ok()
}

/// A wait's look whose read failed: a transient failure is a look that saw nothing (the wait
/// goes on), any other ends the wait.
pub(super) fn unread<T>(e: Error) -> Result<Probe<T, Seen>, Error> {
    if transient(&e) {
        Ok(Probe::Unread(Seen::ReadFailed(e.to_string())))
    } else {
        Err(e)
    }
}

/// What the last look of a create or delete wait saw: the "last seen" of its timeout and
/// interruption messages.
#[derive(Clone, Debug)]
pub(super) enum Seen {
    Nic(Box<NicInfo>),
    Pair(Option<Box<NicInfo>>, Option<Box<InstanceInfo>>),
    ReadFailed(String),
}

impl Seen {
    pub(super) fn text(&self, nic_id: &str, instance_id: &str) -> String {
        match self {
            Seen::Nic(n) => format!("NIC {nic_id} {}", facts::describe_nic(Some(n))),
            Seen::Pair(n, i) => format!(
                "NIC {nic_id} {}; instance {instance_id} {}",
                facts::describe_nic(n.as_deref()),
                facts::describe_instance(i.as_deref())
            ),
            Seen::ReadFailed(e) => format!("the API could not be read ({e})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::fake::{api_error, lost};

    #[test]
    fn lost_answers_and_backend_timeouts_are_ambiguous() {
        assert!(ambiguous(&lost("AttachNetworkInterface")));
        assert!(ambiguous(&api_error(codes::INVALID_OPERATION_TIMEOUT)));
        assert!(ambiguous(&Error::GaveUp {
            action: "AttachNetworkInterface",
            attempts: 2,
            reason: crate::zenlayer::GiveUpReason::Deadline,
            last: Some(Box::new(lost("AttachNetworkInterface"))),
        }));
        assert!(!ambiguous(&api_error(codes::INVALID_NIC_ATTACHED)));
        assert!(!ambiguous(&Error::Network {
            action: "AttachNetworkInterface",
            message: "connection refused".into(),
            lasting: false,
        }));
    }

    #[test]
    fn only_throttling_and_temporary_unavailability_mean_not_now() {
        assert!(not_now(&api_error(codes::REQUEST_LIMIT_EXCEEDED)));
        assert!(not_now(&api_error(codes::SERVICE_TEMPORARY_UNAVAILABLE)));
        assert!(not_now(&Error::GaveUp {
            action: "AttachNetworkInterface",
            attempts: 6,
            reason: crate::zenlayer::GiveUpReason::Deadline,
            last: Some(Box::new(api_error(codes::REQUEST_LIMIT_EXCEEDED))),
        }));
        assert!(!not_now(&api_error(codes::INVALID_NIC_ATTACHED)));
        assert!(!not_now(&lost("AttachNetworkInterface")));
    }

    #[tokio::test(start_paused = true)]
    async fn the_pause_after_not_now_respects_the_deadline_and_stop() {
        let ctx = Context::default();
        let t0 = Instant::now();
        assert!(pause(&ctx, t0 + Duration::from_secs(60)).await);
        let slept = t0.elapsed();
        assert!(
            (Duration::from_millis(*NOT_NOW_PAUSE_MS.start())
                ..=Duration::from_millis(*NOT_NOW_PAUSE_MS.end()))
                .contains(&slept),
            "{slept:?}"
        );
        let t1 = Instant::now();
        assert!(!pause(&ctx, t1 + Duration::from_millis(500)).await);
        assert_eq!(t1.elapsed(), Duration::ZERO, "no sleep past the deadline");
        let stop = CancellationToken::new();
        stop.cancel();
        assert!(!pause(&Context::new(stop), t1 + Duration::from_secs(60)).await);
    }

    #[test]
    fn outages_are_transient_and_answers_that_persist_are_not() {
        let network = |lasting| Error::Network {
            action: "DescribeNetworkInterfaces",
            message: "x".into(),
            lasting,
        };
        let unexpected = |http_status| Error::UnexpectedResponse {
            action: "DescribeNetworkInterfaces",
            http_status,
            what: "an HTML page titled \"Sign in\"".into(),
        };
        assert!(transient(&network(false)), "connection refused or reset");
        assert!(!transient(&network(true)), "certificate refused");
        for status in [500, 502, 503, 504, 429, 408] {
            assert!(transient(&unexpected(status)), "{status}");
        }
        for status in [200, 403, 404, 451] {
            assert!(!transient(&unexpected(status)), "{status}");
        }
    }

    #[test]
    fn throttling_is_transient_and_auth_failures_are_not() {
        assert!(transient(&api_error(codes::REQUEST_LIMIT_EXCEEDED)));
        assert!(!transient(&api_error(codes::AUTHFAILURE_SIGNATURE_FAILURE)));
    }
}
