use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::*;
use crate::framework::{AttributePath, Diagnostic};
use crate::provider::fake::{FakeZec, api_error};
use crate::provider::{Ready, Setup};
use crate::zenlayer::codes;
use crate::zenlayer::models::{InstanceStatus, NicStatus};

fn world(mode: PlanChecks) -> (Arc<FakeZec>, Arc<Shared>, Arc<Ready>) {
    let fake = Arc::new(FakeZec::new());
    fake.add_nic("nic-1", "r1").add_instance("ins-1", "r1a");
    let shared = Shared::with_api(fake.clone(), mode);
    let Setup::Ready(ready) = shared.setup() else {
        panic!("configured")
    };
    (fake, shared, ready)
}

async fn plan(shared: &Shared, ready: &Ready) -> Vec<Diagnostic> {
    plan_pair(shared, ready, "nic-1", "ins-1").await
}

/// Plans another attachment in the same process (a NIC not claimed yet, unless asked).
async fn plan_pair(shared: &Shared, ready: &Ready, nic: &str, ins: &str) -> Vec<Diagnostic> {
    check(&Context::default(), shared, ready, nic, ins, None)
        .await
        .into_vec()
}

/// Asserts that a later plan of another pair says nothing and calls nothing: what the process
/// learnt of the API is said once.
async fn assert_said_once(fake: &FakeZec, shared: &Shared, ready: &Ready) {
    let calls = fake.calls().total();
    assert!(
        plan_pair(shared, ready, "nic-2", "ins-1").await.is_empty(),
        "said once"
    );
    assert_eq!(
        fake.calls().total(),
        calls,
        "later checks do not call the API"
    );
}

#[tokio::test(start_paused = true)]
async fn a_healthy_attachment_plans_cleanly_with_few_calls() {
    let (fake, shared, ready) = world(PlanChecks::Error);
    assert!(plan(&shared, &ready).await.is_empty());
    assert_eq!(fake.calls().total(), 3, "NIC, instance, zone");
}

#[tokio::test(start_paused = true)]
async fn off_mode_makes_zero_api_calls() {
    let (fake, shared, ready) = world(PlanChecks::Off);
    fake.remove_nic("nic-1");
    assert!(plan(&shared, &ready).await.is_empty());
    assert_eq!(fake.calls().total(), 0);
}

#[tokio::test(start_paused = true)]
async fn region_mismatch_at_nic_id_and_stopped_instance_at_instance_id_are_two_errors() {
    let (fake, shared, ready) = world(PlanChecks::Error);
    fake.add_instance("ins-1", "r2a");
    fake.set_instance("ins-1", InstanceStatus::Stopped);
    let d = plan(&shared, &ready).await;
    assert_eq!(d.len(), 2, "{d:?}");
    assert!(d.iter().all(|d| d.is_error()));
    assert_eq!(d[0].path, Some(AttributePath::root("nic_id")));
    assert_eq!(d[1].path, Some(AttributePath::root("instance_id")));
    assert!(d[0].detail.contains("r1") && d[0].detail.contains("r2"));
    assert!(d[1].detail.contains("STOPPED") && d[1].detail.contains("Start the instance"));
}

#[tokio::test(start_paused = true)]
async fn warn_mode_reports_the_same_findings_as_warnings() {
    let (fake, shared, ready) = world(PlanChecks::Warn);
    fake.remove_nic("nic-1");
    let d = plan(&shared, &ready).await;
    assert_eq!(d.len(), 1);
    assert!(!d[0].is_error());
    assert!(d[0].detail.contains(codes::INVALID_NIC_NOT_FOUND));
}

#[tokio::test(start_paused = true)]
async fn an_unreadable_api_warns_once_per_process_and_the_plan_goes_on() {
    let (fake, shared, ready) = world(PlanChecks::Error);
    fake.fail_reads(api_error(codes::REQUEST_LIMIT_EXCEEDED));
    let d = plan(&shared, &ready).await;
    assert_eq!(d.len(), 1);
    assert!(!d[0].is_error());
    assert!(d[0].summary.contains("skipped"));
    assert!(d[0].detail.contains("REQUEST_LIMIT_EXCEEDED"));
    assert_said_once(&fake, &shared, &ready).await;
}

#[tokio::test(start_paused = true)]
async fn an_authentication_failure_is_one_error_naming_the_credentials() {
    let (fake, shared, ready) = world(PlanChecks::Error);
    for _ in 0..4 {
        fake.fail_reads(api_error(codes::AUTHFAILURE_SIGNATURE_FAILURE));
    }
    let d = plan(&shared, &ready).await;
    assert_eq!(d.len(), 1);
    assert!(d[0].is_error());
    for s in [
        "access_key_id",
        "ZENLAYERCLOUD_ACCESS_TOKEN",
        "REQ-AUTHFAILURE_SIGNATURE_FAILURE",
    ] {
        assert!(d[0].detail.contains(s), "{s}: {}", d[0].detail);
    }
    assert_said_once(&fake, &shared, &ready).await;
}

#[tokio::test(start_paused = true)]
async fn a_nic_attached_here_outside_terraform_asks_for_import() {
    let (fake, shared, ready) = world(PlanChecks::Error);
    fake.set_nic("nic-1", NicStatus::Used, Some("ins-1"));
    let t0 = Instant::now();
    let d = plan(&shared, &ready).await;
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].path, Some(AttributePath::root("nic_id")));
    assert!(
        d[0].detail
            .contains("terraform import zenlayer_nic_attachment.<name> nic-1:ins-1")
    );
    assert_eq!(
        t0.elapsed(),
        memory::SETTLE,
        "waited for state to mention the NIC"
    );
}

#[tokio::test(start_paused = true)]
async fn a_holder_loaded_late_turns_the_error_into_a_warning() {
    let (fake, shared, ready) = world(PlanChecks::Error);
    fake.add_instance("ins-2", "r1a");
    fake.set_nic("nic-1", NicStatus::Used, Some("ins-2"));
    let t0 = Instant::now();
    tokio::spawn({
        let shared = shared.clone();
        async move {
            tokio::time::sleep(Duration::from_millis(400)).await;
            shared.memory.record("nic-1", "ins-2");
        }
    });
    let d = plan(&shared, &ready).await;
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(!d[0].is_error());
    assert!(d[0].detail.contains("depends_on"));
    assert_eq!(t0.elapsed(), Duration::from_millis(400));
}

#[tokio::test(start_paused = true)]
async fn a_replacement_moving_the_nic_away_plans_cleanly() {
    let (fake, shared, ready) = world(PlanChecks::Error);
    fake.add_instance("ins-2", "r1a");
    fake.set_nic("nic-1", NicStatus::Used, Some("ins-2"));
    shared.memory.record("nic-1", "ins-2");
    let this = Some(("nic-1".to_owned(), "ins-2".to_owned()));
    let t0 = Instant::now();
    let d = check(&Context::default(), &shared, &ready, "nic-1", "ins-1", this).await;
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(
        t0.elapsed(),
        Duration::ZERO,
        "no waiting when state explains the binding"
    );
}

#[tokio::test(start_paused = true)]
async fn a_stop_during_gathering_reports_nothing() {
    let (fake, shared, ready) = world(PlanChecks::Error);
    fake.remove_nic("nic-1");
    let stop = tokio_util::sync::CancellationToken::new();
    stop.cancel();
    let d = check(&Context::new(stop), &shared, &ready, "nic-1", "ins-1", None).await;
    assert!(d.is_empty());
}

#[tokio::test(start_paused = true)]
async fn an_authentication_failure_says_the_plan_was_reading_not_attaching() {
    let (fake, shared, ready) = world(PlanChecks::Error);
    for _ in 0..4 {
        fake.fail_reads(api_error(codes::AUTHFAILURE_SIGNATURE_FAILURE));
    }
    let d = plan(&shared, &ready).await;
    assert_eq!(d.len(), 1);
    assert!(
        d[0].detail.contains("the request to read NIC nic-1"),
        "{}",
        d[0].detail
    );
    assert!(!d[0].detail.contains("attach"), "{}", d[0].detail);
}

/// Reads that get no answer until the caller's deadline, as from a client retrying a
/// throttling or unreachable API.
struct Unanswered;

impl Unanswered {
    async fn wait_out(limits: &CallLimits, action: &'static str) -> Error {
        match limits.deadline {
            Some(deadline) => tokio::time::sleep_until(deadline).await,
            None => std::future::pending::<()>().await,
        }
        // The client reports the last attempt's answer when the deadline cuts it off.
        let mut e = api_error(codes::REQUEST_LIMIT_EXCEEDED);
        if let Error::Api { action: a, .. } = &mut e {
            *a = action;
        }
        e
    }
}

#[async_trait::async_trait]
impl crate::provider::api::Zec for Unanswered {
    async fn find_nic(
        &self,
        _: &str,
        limits: &CallLimits,
    ) -> Result<Option<crate::zenlayer::models::NicInfo>, Error> {
        Err(Self::wait_out(limits, "DescribeNetworkInterfaces").await)
    }

    async fn find_instance(
        &self,
        _: &str,
        limits: &CallLimits,
    ) -> Result<Option<crate::zenlayer::models::InstanceInfo>, Error> {
        Err(Self::wait_out(limits, "DescribeInstances").await)
    }

    async fn region_of_zone(&self, _: &str, limits: &CallLimits) -> Result<Option<String>, Error> {
        Err(Self::wait_out(limits, "DescribeZones").await)
    }

    async fn attach(&self, _: &str, _: &str, _: &CallLimits) -> Result<String, Error> {
        unreachable!("plan checks never attach")
    }

    async fn detach(&self, _: &str, _: &CallLimits) -> Result<String, Error> {
        unreachable!("plan checks never detach")
    }
}

#[tokio::test(start_paused = true)]
async fn an_api_that_keeps_failing_is_given_up_on_within_ten_seconds_with_one_warning() {
    let shared = Shared::with_api(Arc::new(Unanswered), PlanChecks::Error);
    let Setup::Ready(ready) = shared.setup() else {
        panic!("configured")
    };
    let t0 = Instant::now();
    let d = plan(&shared, &ready).await;
    assert_eq!(t0.elapsed(), Duration::from_secs(10));
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(!d[0].is_error());
    assert!(d[0].summary.contains("skipped"));
    assert!(
        d[0].detail.contains("REQUEST_LIMIT_EXCEEDED"),
        "{}",
        d[0].detail
    );
}

#[tokio::test(start_paused = true)]
async fn a_second_attachment_of_the_same_nic_is_an_error_naming_the_first_instance() {
    let (fake, shared, ready) = world(PlanChecks::Error);
    fake.add_instance("ins-2", "r1a");
    assert!(plan(&shared, &ready).await.is_empty());
    let d = plan_pair(&shared, &ready, "nic-1", "ins-2").await;
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(d[0].is_error());
    assert_eq!(d[0].path, Some(AttributePath::root("nic_id")));
    assert!(d[0].summary.contains("same NIC"), "{}", d[0].summary);
    assert!(
        d[0].detail.contains("ins-1") && d[0].detail.contains("ins-2"),
        "{}",
        d[0].detail
    );
}

#[tokio::test(start_paused = true)]
async fn a_repeated_nic_is_found_even_after_the_api_failed_the_checks() {
    let (fake, shared, ready) = world(PlanChecks::Warn);
    fake.fail_reads(api_error(codes::REQUEST_LIMIT_EXCEEDED));
    let first = plan(&shared, &ready).await;
    assert!(
        first.iter().all(|d| d.summary.contains("skipped")),
        "{first:?}"
    );
    let calls = fake.calls().total();
    let d = plan_pair(&shared, &ready, "nic-1", "ins-2").await;
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(!d[0].is_error(), "warn mode makes it a warning");
    assert!(d[0].summary.contains("same NIC"));
    assert_eq!(fake.calls().total(), calls, "found without the API");
}

#[tokio::test(start_paused = true)]
async fn a_repeated_nic_is_not_looked_for_when_checks_are_off() {
    let (_fake, shared, ready) = world(PlanChecks::Off);
    assert!(plan(&shared, &ready).await.is_empty());
    assert!(
        plan_pair(&shared, &ready, "nic-1", "ins-2")
            .await
            .is_empty()
    );
}

#[test]
fn running_out_of_the_plan_check_budget_is_not_called_a_timeout_the_user_set() {
    let e = Error::GaveUp {
        action: "DescribeNetworkInterfaces",
        attempts: 4,
        reason: crate::zenlayer::GiveUpReason::Deadline,
        last: Some(Box::new(api_error(codes::REQUEST_LIMIT_EXCEEDED))),
    };
    let reason = skip_reason(&e);
    assert!(reason.contains("10 s plan checks allow"), "{reason}");
    assert!(reason.contains(codes::REQUEST_LIMIT_EXCEEDED), "{reason}");
    assert!(!reason.contains("operation's timeout"), "{reason}");
}
