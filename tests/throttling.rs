//! A throttled Zenlayer API (HTTP 429) slows a run down but does not fail it while the
//! resource's timeout has room; and no amount of retrying outlives that timeout.

mod support;

use std::time::{Duration, Instant};

use support::{Outcome, Sim, Terraform, Versions, for_each_terraform};
use tpz::sim::{FaultConfig, FaultKind};

/// Every call of `actions` answered 429 until `count` calls were refused.
fn throttle(sim: &Sim, actions: &[&str], count: Option<u64>) {
    sim.api()
        .set_faults(FaultConfig::always(
            &[FaultKind::RateLimited],
            actions,
            count,
        ))
        .expect("a valid fault plan");
}

fn attachment(sim: &Sim, provider_extra: &str, timeouts: &str) -> String {
    format!(
        "{}\nresource \"zenlayer_nic_attachment\" \"web\" {{\n  nic_id      = \"nic-app-1\"\n  instance_id = \"ins-web-1\"\n{timeouts}}}\n",
        sim.provider_block_with(provider_extra)
    )
}

#[test]
fn throttled_calls_back_off_until_accepted_instead_of_failing_the_run() {
    for_each_terraform(Versions::OldestAndNewest, |tf| {
        let sim = Sim::with_delay(Duration::from_millis(100));
        // One retry per call: each throttled stretch below outlasts a call's own retries.
        let dir = tf
            .workdir()
            .config(&attachment(&sim, "max_retries = 1", ""));

        throttle(&sim, &["AttachNetworkInterface"], Some(4));
        dir.apply().assert_success();
        assert_eq!(
            sim.attached_instance("nic-app-1").as_deref(),
            Some("ins-web-1")
        );
        assert_eq!(
            sim.api().faults().injected.rate_limited,
            4,
            "{}",
            tf.version
        );

        throttle(&sim, &["DescribeNetworkInterfaces"], Some(4));
        dir.run(&["plan", "-no-color", "-input=false", "-detailed-exitcode"])
            .assert_success()
            .assert_stdout_contains("No changes");

        throttle(&sim, &["DetachNetworkInterface"], Some(4));
        dir.destroy().assert_success();
        assert_eq!(sim.attached_instance("nic-app-1"), None);
        assert_eq!(
            sim.api().faults().injected.rate_limited,
            12,
            "{}",
            tf.version
        );
    });
}

/// The resource timeouts the endless throttling below runs into.
const TIMEOUT: Duration = Duration::from_secs(4);

/// Terraform's own start and the provider's, on a loaded machine; far below the minutes
/// twenty backed-off retries would take.
const SLACK: Duration = Duration::from_secs(15);

/// Throttles every call for good, then checks `command` fails once its 4 s timeout is up
/// (not after every retry), naming the timeout and the API's code; prints how long it took.
fn assert_ends_at_the_timeout(
    sim: &Sim,
    tf: &Terraform,
    what: &str,
    command: impl FnOnce() -> Outcome,
) {
    throttle(sim, &[], None);
    let started = Instant::now();
    let out = command();
    let took = started.elapsed();
    println!(
        "throttling figures (Terraform {}): {what} = 4s under endless 429s failed after \
         {took:.2?}",
        tf.version
    );
    out.assert_failure_contains("4s")
        .assert_failure_contains("REQUEST_LIMIT_EXCEEDED");
    assert!(took < TIMEOUT + SLACK, "the {what} ran {took:?}");
}

#[test]
fn endless_throttling_ends_at_the_resource_timeout_with_a_clear_message() {
    for_each_terraform(Versions::OldestAndNewest, |tf| {
        let sim = Sim::with_delay(Duration::from_millis(100));
        let dir = tf.workdir().config(&attachment(
            &sim,
            "max_retries = 20\n  plan_checks = \"off\"",
            "  timeouts {\n    create = \"4s\"\n    delete = \"4s\"\n  }\n",
        ));

        assert_ends_at_the_timeout(&sim, tf, "create with timeouts.create", || dir.apply());
        assert_eq!(sim.attached_instance("nic-app-1"), None);

        sim.api().clear_faults();
        dir.apply().assert_success();
        // Without the refresh, whose reads have their own bound (a minute): this measures
        // the delete alone against `timeouts.delete`.
        assert_ends_at_the_timeout(&sim, tf, "destroy with timeouts.delete", || {
            dir.run(&[
                "destroy",
                "-no-color",
                "-input=false",
                "-auto-approve",
                "-refresh=false",
            ])
        });
        assert_eq!(
            sim.attached_instance("nic-app-1").as_deref(),
            Some("ins-web-1"),
            "nothing was detached"
        );
    });
}
