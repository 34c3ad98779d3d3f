//! The "API" answers with garbage: a login page, a gateway's error page, nothing, cut-off or
//! misshapen JSON, 20 MiB, JSON nested 100 000 deep, or statuses no documentation lists. A
//! user's `terraform plan` and `apply` say what came back, in words, and the provider never
//! crashes; answers that will not fix themselves fail the apply at once instead of waiting
//! out the timeout.

mod support;

use support::api_sessions::{every_kind, short_wait_config};
use support::garbage_api::Garbage;
use support::{Outcome, Terraform, Versions};

/// What the user must read about each kind of garbage, at plan and at apply.
fn words(garbage: Garbage) -> &'static str {
    match garbage {
        Garbage::LoginPage => "an HTML page titled \"Sign in to continue\"",
        Garbage::BadGatewayPage => "an HTML page titled \"502 Bad Gateway\"",
        Garbage::EmptyBody => "an empty body",
        Garbage::TruncatedJson => "JSON that ended early",
        Garbage::MissingDataSet => "a `response` without `dataSet`",
        Garbage::HugeBody => "a body larger than the 16 MiB this client reads",
        Garbage::PlainText => "a body that is not valid JSON (2 bytes",
        Garbage::DeeplyNestedJson => "recursion limit exceeded",
        Garbage::UnknownStatuses => "MIGRATING",
    }
}

/// Whether the garbage may go away by itself (a gateway's 5xx, a state in passing), so a
/// create waits for it until its timeout.
fn may_pass(garbage: Garbage) -> bool {
    matches!(garbage, Garbage::BadGatewayPage | Garbage::UnknownStatuses)
}

/// Crash signs, and a gRPC error Terraform would print raw: every answer must be a diagnostic.
#[track_caller]
fn assert_no_crash(out: &Outcome) {
    out.assert_no_crash().assert_says_none_of(&["rpc error"]);
}

/// One user session against one kind of garbage: plan, then apply.
fn session(tf: &Terraform, garbage: Garbage) {
    let api = garbage.serve();
    let dir = tf.workdir().config(&short_wait_config(&api.domain(), 1));
    let context = format!("Terraform {}, {garbage:?}", tf.version);

    let plan = dir.plan();
    assert_no_crash(&plan);
    plan.assert_success().assert_stdout_contains(words(garbage));
    if garbage == Garbage::UnknownStatuses {
        plan.assert_stdout_contains("The NIC is in an unfamiliar state")
            .assert_stdout_contains("The instance is in an unfamiliar state")
            .assert_stdout_contains("HIBERNATING");
    } else {
        plan.assert_stdout_contains("Plan checks were skipped");
    }

    let apply = dir.apply();
    assert_no_crash(&apply);
    apply.assert_failure_contains(words(garbage));
    if may_pass(garbage) {
        apply.assert_failure_contains("3s");
    } else {
        apply
            .assert_failure_contains("The Zenlayer API gave an unexpected answer")
            .assert_failure_contains("`domain` and `scheme`")
            .assert_not_contains("Timed out");
    }
    assert!(
        api.calls() > 0,
        "{context}: the provider never called the API"
    );
}

#[test]
fn garbage_answers_are_named_at_plan_and_apply_and_never_crash_the_provider() {
    // A few users at a time: each session is mostly waiting on Terraform.
    let sessions = every_kind(Versions::OldestAndNewest, &Garbage::ALL, 3, session);
    println!(
        "bad answers figures: {} kinds of garbage, {sessions} plan+apply sessions, no crash",
        Garbage::ALL.len()
    );
}
