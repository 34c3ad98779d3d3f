//! Plan checks: at `terraform plan`, predict what the API would answer to the attach, and say
//! it at the attribute at fault. Gathering facts (`facts`) is kept apart from judging them
//! (`judge`, a pure function), and `memory` remembers which attachments state holds.
//!
//! Checks never change a planned value. When the API cannot be read, the plan still succeeds
//! with one warning per process (authentication failures: one error per process), and later
//! attachments skip silently, without calling an API that is throttling, down, or refusing the
//! credentials. When the credentials may not call one read action (a least-privilege key),
//! only the checks that need it are skipped: one warning per missing permission and process,
//! and the action is not called again.

pub(crate) mod claims;
pub(crate) mod facts;
pub(crate) mod judge;
pub(crate) mod memory;

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::time::Instant;

use crate::framework::{Context, Diagnostics, Severity};
use crate::provider::catalogue::{self, Case, Op, Origin, Situation, Subject};
use crate::provider::config::PlanChecks;
use crate::provider::{LOG_TARGET, Ready, Shared};
use crate::zenlayer::GiveUpReason;
use crate::zenlayer::{CallLimits, Error};

/// How long plan-time reads may take in all, retries included. Checks only advise, and a plan
/// that runs while the API is down or throttling should print its warning promptly instead of
/// stalling for the client's full retry schedule (about half a minute with the default
/// `max_retries`); 10 s still rides out a few seconds of throttling.
pub(crate) const GATHER_TIMEOUT: Duration = Duration::from_secs(10);

/// Messages reported once per process.
#[derive(Debug, Default)]
pub(crate) struct Notices {
    skipped: AtomicBool,
    auth: AtomicBool,
    deferred: AtomicBool,
    /// Read actions the credentials may not call, as this process has learnt.
    denied: Mutex<BTreeSet<&'static str>>,
}

impl Notices {
    /// True once checks have given up for this process.
    fn given_up(&self) -> bool {
        self.skipped.load(Ordering::SeqCst) || self.auth.load(Ordering::SeqCst)
    }

    /// True the first time only.
    fn first_skip(&self) -> bool {
        !self.skipped.swap(true, Ordering::SeqCst)
    }

    /// True the first time only.
    pub(crate) fn first_deferred(&self) -> bool {
        !self.deferred.swap(true, Ordering::SeqCst)
    }

    /// True the first time only.
    fn first_auth_failure(&self) -> bool {
        !self.auth.swap(true, Ordering::SeqCst)
    }

    /// Whether `action` is known to be refused to these credentials.
    fn is_denied(&self, action: &str) -> bool {
        self.denied
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .contains(action)
    }

    /// Records that `action` is refused; true the first time only.
    fn first_denial(&self, action: &'static str) -> bool {
        self.denied
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(action)
    }
}

/// Checks one planned attachment whose IDs are both known. `this_object` is the attachment
/// this object held before a replacement, if it is one.
pub(crate) async fn check(
    ctx: &Context,
    shared: &Shared,
    ready: &Ready,
    nic_id: &str,
    instance_id: &str,
    this_object: Option<(String, String)>,
) -> Diagnostics {
    let mut diags = Diagnostics::new();
    if ready.plan_checks == PlanChecks::Off {
        return diags;
    }
    let subject = |facts| Subject {
        nic_id,
        instance_id,
        op: Op::Attach,
        facts,
    };
    if let Some(other) = shared.claims.claim(nic_id, instance_id) {
        diags.push(catalogue::for_situation(
            Situation::ClaimedTwice,
            ready.plan_checks.severity(Severity::Error),
            &subject(None),
            &[("other_instance_id", other)],
        ));
    }
    if shared.notices.given_up() {
        return diags;
    }
    let limits = CallLimits {
        deadline: Some(Instant::now() + GATHER_TIMEOUT),
        cancel: ctx.stop_token().clone(),
    };
    let denied = |action: &str| shared.notices.is_denied(action);
    let gathered = facts::gather_permitted(
        ready.api.as_ref(),
        Some(nic_id),
        Some(instance_id),
        &limits,
        &denied,
    );
    let permitted = match gathered.await {
        Ok(p) => p,
        Err(e) => {
            tracing::info!(target: LOG_TARGET, nic_id, instance_id, error = %e, "plan checks could not read the API");
            if !ctx.is_stopped() {
                // The failed request was a read, not the attach the findings speak of.
                let reading = Subject {
                    op: Op::Read,
                    ..subject(None)
                };
                diags.extend(cannot_check(shared, ready.plan_checks, &reading, &e));
            }
            return diags;
        }
    };
    diags.extend(not_permitted(shared, &permitted, &subject(None)));
    let facts = &permitted.facts;
    let mut holders = judge::Holders {
        this_object,
        in_state: shared.memory.holders(nic_id),
        moved_from: shared.memory.moved_from(nic_id),
    };
    if judge::unheld_binding(facts, &holders).is_some() {
        holders.in_state = shared
            .memory
            .wait_for_nic(ctx, nic_id, memory::SETTLE)
            .await;
    }
    let findings = judge::judge_read(
        facts,
        &holders,
        ready.plan_checks,
        permitted.read(facts::Part::Nic),
        permitted.read(facts::Part::Instance),
    );
    for finding in findings {
        diags.push(catalogue::for_code(
            finding.code,
            finding.case,
            finding.severity,
            &subject(Some(facts)),
            Origin::Predicted,
        ));
    }
    diags
}

/// The warning, once per missing permission and process, that some checks could not run
/// because the credentials may not call the read action they need.
fn not_permitted(
    shared: &Shared,
    permitted: &facts::Permitted,
    subject: &Subject<'_>,
) -> Diagnostics {
    let mut diags = Diagnostics::new();
    for part in &permitted.unread {
        let action = part.action();
        if shared.notices.first_denial(action) {
            tracing::info!(target: LOG_TARGET, action, "plan checks may not call this action; its checks are skipped");
            diags.push(catalogue::for_situation(
                Situation::CheckNotPermitted,
                Severity::Warning,
                subject,
                &[
                    ("action", action.to_owned()),
                    ("checks", part.checks().to_owned()),
                ],
            ));
        }
    }
    diags
}

/// What stands for an ID that is unknown until apply, in messages.
pub(crate) const UNKNOWN_ID: &str = "(known after apply)";

/// Checks the known side of an attachment whose other ID is unknown until apply: the NIC
/// (missing, failed, attached elsewhere) or the instance (missing, stopped, changing). The
/// region comparison and anything else that needs both sides waits for the apply.
pub(crate) async fn check_one_side(
    ctx: &Context,
    shared: &Shared,
    ready: &Ready,
    nic_id: Option<&str>,
    instance_id: Option<&str>,
) -> Diagnostics {
    let mut diags = Diagnostics::new();
    if ready.plan_checks == PlanChecks::Off || shared.notices.given_up() {
        return diags;
    }
    let limits = CallLimits {
        deadline: Some(Instant::now() + GATHER_TIMEOUT),
        cancel: ctx.stop_token().clone(),
    };
    let shown_nic = nic_id.unwrap_or(UNKNOWN_ID);
    let shown_instance = instance_id.unwrap_or(UNKNOWN_ID);
    let denied = |action: &str| shared.notices.is_denied(action);
    let gathered =
        facts::gather_permitted(ready.api.as_ref(), nic_id, instance_id, &limits, &denied);
    let permitted = match gathered.await {
        Ok(found) => found,
        Err(e) => {
            if !ctx.is_stopped() {
                let reading = Subject {
                    nic_id: shown_nic,
                    instance_id: shown_instance,
                    op: Op::Read,
                    facts: None,
                };
                diags.extend(cannot_check(shared, ready.plan_checks, &reading, &e));
            }
            return diags;
        }
    };
    let plain = Subject {
        nic_id: shown_nic,
        instance_id: shown_instance,
        op: Op::Attach,
        facts: None,
    };
    diags.extend(not_permitted(shared, &permitted, &plain));
    let facts = &permitted.facts;
    let holders = judge::Holders {
        this_object: None,
        in_state: nic_id.map(|n| shared.memory.holders(n)).unwrap_or_default(),
        moved_from: None,
    };
    let subject = Subject {
        facts: Some(facts),
        ..plain
    };
    let findings = judge::judge_read(
        facts,
        &holders,
        ready.plan_checks,
        nic_id.is_some() && permitted.read(facts::Part::Nic),
        instance_id.is_some() && permitted.read(facts::Part::Instance),
    );
    for finding in findings {
        diags.push(catalogue::for_code(
            finding.code,
            finding.case,
            finding.severity,
            &subject,
            Origin::Predicted,
        ));
    }
    diags
}

/// Why the facts could not be gathered, said once per process.
fn cannot_check(
    shared: &Shared,
    mode: PlanChecks,
    subject: &Subject<'_>,
    e: &Error,
) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let severity = mode.severity(Severity::Error);
    if let Some(api) = e.api_error().filter(|a| a.code.starts_with("AUTHFAILURE_")) {
        if shared.notices.first_auth_failure() {
            let origin = Origin::Answered(api, Some(e.action()));
            diags.push(catalogue::for_code(
                &api.code,
                Case::Default,
                severity,
                subject,
                origin,
            ));
        }
        return diags;
    }
    if shared.notices.first_skip() {
        diags.push(catalogue::for_situation(
            Situation::ChecksSkipped,
            Severity::Warning,
            subject,
            &[("reason", skip_reason(e))],
        ));
    }
    diags
}

/// Why checks gave up, in the user's terms: running out of time here means the budget plan
/// checks allow themselves, not a timeout the user set.
fn skip_reason(e: &Error) -> String {
    match e {
        Error::GaveUp {
            reason: GiveUpReason::Deadline,
            last,
            ..
        } => {
            let budget = GATHER_TIMEOUT.as_secs();
            match last {
                Some(last) => {
                    format!("no answer within the {budget} s plan checks allow; last error: {last}")
                }
                None => format!("no answer within the {budget} s plan checks allow"),
            }
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests;
