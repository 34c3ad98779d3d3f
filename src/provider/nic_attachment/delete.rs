//! Delete: detach the NIC from our instance and wait until it is AVAILABLE, within
//! `timeouts.delete` and promptly on Stop.
//!
//! Detach takes only the NIC's ID, so it is called only after reading that the NIC is on *our*
//! instance: a NIC that is gone, unattached, or attached elsewhere (someone else's attachment
//! now) is done without a call. A NIC that disappears while detaching is done at once. An
//! answer that there is nothing to detach is believed only once the NIC, read again, agrees.
//! An attachment handed over to another object of this state in this run (see
//! `provider::handover`) is left attached, without a call.

use std::time::Duration;

use tokio::time::Instant;

use crate::cty::Value;
use crate::framework::{ApplyOutcome, Context, DeleteRequest, Diagnostic, Severity};
use crate::provider::api::Zec;
use crate::provider::catalogue::{self, Case, Op, Situation, Subject};
use crate::provider::checks::facts::{self, Facts};
use crate::provider::checks::judge::{self, Holders};
use crate::provider::invocation::Invocation;
use crate::provider::journal::Entry;
use crate::provider::waiters::{self, FirstLook, Halt, Probe, Waits};
use crate::provider::{LOG_TARGET, Shared};
use crate::provider::{duration, handover};
use crate::zenlayer::models::{NicInfo, NicStatus};
use crate::zenlayer::{Error, codes};

use super::calls::{self, Seen};
use super::model;
use super::private::Private;

/// How long a detach the API accepted may still show USED before it is sent again.
const STILL_USED_GRACE: Duration = Duration::from_secs(5);
/// Detach calls per delete: repeats follow only transient states, unconfirmed answers, and
/// "nothing to detach" answers the NIC contradicts.
const MAX_DETACH_CALLS: u32 = 5;
/// The pause before detaching again after an answer the NIC contradicts, so a lagging API
/// gets a moment to catch up.
const CONTRADICTION_PAUSE: Duration = Duration::from_millis(200);

pub(super) async fn delete(ctx: &Context, shared: &Shared, req: DeleteRequest) -> ApplyOutcome {
    let failed = |d: Diagnostic| ApplyOutcome {
        new_state: req.prior_state.clone(),
        private: req.private.clone(),
        diagnostics: d.into(),
    };
    let Some((nic_id, instance_id)) = model::pair(&req.prior_state) else {
        // Nothing identifies a remote object, so there is nothing to detach.
        return done();
    };
    let private = Private::decode(&req.private);
    if private.hands_over(&nic_id, &instance_id) || shared.handovers.arrived(&nic_id, &instance_id)
    {
        // Another object of this state keeps this attachment in this run: no detach.
        tracing::info!(target: LOG_TARGET, nic_id, instance_id, "attachment handed over to another object in this run; not detaching");
        return done();
    }
    if !shared.plans_destroys()
        && private.replacing().is_none()
        && shared.invocation() != Invocation::Destroy
        && (planned_arrival(shared, &nic_id, &instance_id)
            || shared
                .handovers
                .wait_for_arrival(ctx, &nic_id, &instance_id, handover::ARRIVAL_WINDOW)
                .await)
    {
        // Terraform before 1.3 never showed this destroy to the provider at plan time, and
        // runs it beside the creates: a create of the same attachment at another address
        // (a refactor) is in the run's journal, or says so within a moment of the apply's
        // start where there is no journal.
        tracing::info!(target: LOG_TARGET, nic_id, instance_id, "a create in this run keeps this attachment; not detaching");
        return done();
    }
    let ready = match shared.ready() {
        Ok(r) => r,
        Err(d) => return failed(d),
    };
    // The delete half of a replacement carries the configuration's timeout; a plain destroy
    // has only the one stored in state.
    let timeout = private
        .delete_timeout()
        .unwrap_or_else(|| model::timeouts(&req.prior_state).delete);
    let detach = Detach {
        ctx,
        api: ready.api.as_ref(),
        nic_id: &nic_id,
        instance_id: &instance_id,
        timeout,
        deadline: Instant::now() + timeout,
        waits: &shared.waits,
    };
    match detach.run().await {
        Ok(()) => {
            shared.memory.forget(&nic_id, &instance_id);
            done()
        }
        Err(d) => failed(d),
    }
}

/// True when the review walk of this run planned a create of this attachment elsewhere.
fn planned_arrival(shared: &Shared, nic_id: &str, instance_id: &str) -> bool {
    shared.journal().is_some_and(|j| {
        j.says(&Entry::Arrives {
            nic_id: nic_id.to_owned(),
            instance_id: instance_id.to_owned(),
        })
    })
}

fn done() -> ApplyOutcome {
    ApplyOutcome {
        new_state: Value::Null,
        private: Vec::new(),
        diagnostics: Default::default(),
    }
}

/// What the NIC and instance look like before detaching.
enum Before {
    /// Nothing of ours to detach.
    NothingToDo,
    Detach,
}

/// What the wait after an accepted detach found.
enum After {
    Detached,
    /// Still USED by our instance well after the detach was accepted: send it again.
    StillAttached,
}

struct Detach<'a> {
    ctx: &'a Context,
    api: &'a dyn Zec,
    nic_id: &'a str,
    instance_id: &'a str,
    timeout: Duration,
    deadline: Instant,
    /// The polling grid, and how soon detaches finish in this process.
    waits: &'a Waits,
}

/// Codes by which the API says there is nothing to detach.
fn says_nothing_to_detach(code: &str) -> bool {
    matches!(
        code,
        codes::OPERATION_DENIED_NIC_NOT_EXIST_INSTANCE
            | codes::INVALID_NIC_NOT_FOUND
            | codes::OPERATION_FAILED_RESOURCE_NOT_FOUND
    )
}

/// True when this NIC state means our attachment no longer exists.
fn not_ours(nic: &NicInfo, instance_id: &str) -> bool {
    let on = nic.named_instance();
    match on {
        Some(i) => i != instance_id,
        None => nic.status != NicStatus::Detaching && !facts::is_bound(nic),
    }
}

impl Detach<'_> {
    async fn run(&self) -> Result<(), Diagnostic> {
        let mut calls_made = 0;
        loop {
            match self.settle().await? {
                Before::NothingToDo => {
                    tracing::debug!(target: LOG_TARGET, nic_id = self.nic_id, instance_id = self.instance_id, "NIC no longer attached to this instance; nothing to detach");
                    return Ok(());
                }
                Before::Detach => {}
            }
            if self.ctx.is_stopped() {
                return Err(self.stopped("the NIC to be ready to detach", None));
            }
            calls_made += 1;
            let answer = self
                .api
                .detach(self.nic_id, &calls::limits(self.ctx, self.deadline))
                .await;
            match answer {
                Ok(_) => match self.wait_detached().await? {
                    After::Detached => return Ok(()),
                    After::StillAttached if calls_made < MAX_DETACH_CALLS => continue,
                    After::StillAttached => {
                        return Err(self.timed_out(
                            Situation::DetachTimeout,
                            "AVAILABLE",
                            Some(&"NIC still USED after repeated detaches".to_owned()),
                        ));
                    }
                },
                Err(e) => {
                    tracing::debug!(target: LOG_TARGET, nic_id = self.nic_id, instance_id = self.instance_id, error = %e, "detach refused");
                    if e.code().is_some_and(says_nothing_to_detach) {
                        // Believed once the NIC agrees: dropping an attachment that is still
                        // there would lose it from state.
                        let facts =
                            calls::facts_after_failure(self.api, self.nic_id, self.instance_id)
                                .await;
                        let still_ours = facts
                            .as_ref()
                            .and_then(|f| f.nic.as_ref())
                            .is_some_and(|n| !not_ours(n, self.instance_id));
                        if !still_ours {
                            return Ok(());
                        }
                        if calls_made < MAX_DETACH_CALLS && self.pause_before_retry().await {
                            continue;
                        }
                        return Err(catalogue::for_error(
                            &e,
                            Case::StillAttached,
                            &self.subject(facts.as_ref()),
                        ));
                    }
                    if calls::not_now(&e)
                        && calls_made < MAX_DETACH_CALLS
                        && calls::pause(self.ctx, self.deadline).await
                    {
                        continue;
                    }
                    if calls::ambiguous(&e) && calls_made < MAX_DETACH_CALLS {
                        // Settling again reads the NIC: DETACHING or AVAILABLE means it
                        // took effect; still USED means it can be sent again.
                        continue;
                    }
                    let facts =
                        calls::facts_after_failure(self.api, self.nic_id, self.instance_id).await;
                    let retryable_state = calls::refused_for_passing_state(
                        &e,
                        facts.as_ref(),
                        &[NicStatus::Attaching, NicStatus::Detaching],
                    );
                    if retryable_state
                        && calls_made < MAX_DETACH_CALLS
                        && calls::time_left(self.ctx, self.deadline)
                    {
                        continue;
                    }
                    return Err(self.refused(&e, facts.as_ref()));
                }
            }
        }
    }

    /// Waits [`CONTRADICTION_PAUSE`] (less if the deadline is nearer); false when the deadline
    /// passed or Terraform asked to stop.
    async fn pause_before_retry(&self) -> bool {
        let until = (Instant::now() + CONTRADICTION_PAUSE).min(self.deadline);
        tokio::select! {
            biased;
            _ = self.ctx.stopped() => return false,
            _ = tokio::time::sleep_until(until) => {}
        }
        Instant::now() < self.deadline
    }

    fn subject<'s>(&'s self, facts: Option<&'s Facts>) -> Subject<'s> {
        Subject {
            nic_id: self.nic_id,
            instance_id: self.instance_id,
            op: Op::Detach,
            facts,
        }
    }

    fn refused(&self, e: &Error, facts: Option<&Facts>) -> Diagnostic {
        if e.code().is_none() && self.ctx.is_stopped() {
            return self.stopped("the detach to be sent", None);
        }
        let case = match (e.code(), facts) {
            (Some(code), Some(f)) if code == codes::OPERATION_FAILED_RESOURCE_NOT_FOUND => {
                judge::case_for_answer(code, f, &Holders::default())
            }
            _ => Case::Default,
        };
        catalogue::for_error(e, case, &self.subject(facts))
    }

    fn stopped(&self, awaited: &str, last: Option<&String>) -> Diagnostic {
        catalogue::for_situation(
            Situation::DetachStopped,
            Severity::Error,
            &self.subject(None),
            &[
                ("awaited", awaited.to_owned()),
                (
                    "last_seen",
                    last.cloned().unwrap_or_else(|| "nothing yet".into()),
                ),
            ],
        )
    }

    fn timed_out(&self, s: Situation, awaited: &str, last: Option<&String>) -> Diagnostic {
        catalogue::for_situation(
            s,
            Severity::Error,
            &self.subject(None),
            &[
                ("timeout", duration::display(self.timeout)),
                ("awaited", awaited.to_owned()),
                (
                    "last_seen",
                    last.cloned().unwrap_or_else(|| "nothing".into()),
                ),
            ],
        )
    }

    /// Reads the NIC and the instance together until a detach can be sent or is not needed:
    /// the twin of create's settle, one round trip per look. The instance matters only when
    /// the NIC is USED on our instance.
    async fn settle(&self) -> Result<Before, Diagnostic> {
        let outcome = waiters::poll(
            self.ctx,
            &self.waits.grid,
            self.deadline,
            FirstLook::Now,
            || async {
                let (nic, instance) = calls::read_both(
                    self.api,
                    self.ctx,
                    self.deadline,
                    self.nic_id,
                    self.instance_id,
                )
                .await;
                let nic = match nic {
                    Ok(Some(n)) => n,
                    Ok(None) => return Ok(Probe::Done(Before::NothingToDo)),
                    Err(e) => return calls::unread(e),
                };
                if not_ours(&nic, self.instance_id) {
                    return Ok(Probe::Done(Before::NothingToDo));
                }
                if nic.status != NicStatus::Used {
                    // ATTACHING or DETACHING on our instance: wait for it to settle.
                    return Ok(Probe::Pending(Seen::Nic(Box::new(nic))));
                }
                let instance = match instance {
                    Ok(i) => i,
                    Err(e) => return calls::unread(e),
                };
                if instance
                    .as_ref()
                    .is_some_and(|i| i.status.is_transitional())
                {
                    return Ok(Probe::Pending(Seen::Pair(
                        Some(Box::new(nic)),
                        instance.map(Box::new),
                    )));
                }
                Ok(Probe::Done(Before::Detach))
            },
        )
        .await;
        let text = |s: Seen| s.text(self.nic_id, self.instance_id);
        match outcome {
            Ok(b) => Ok(b),
            Err(Halt::TimedOut { last }) => Err(self.timed_out(
                Situation::PreDetachTimeout,
                "the NIC to be USED and the instance RUNNING",
                last.map(text).as_ref(),
            )),
            Err(Halt::Stopped { last }) => {
                Err(self.stopped("the NIC to be ready to detach", last.map(text).as_ref()))
            }
            Err(Halt::Failed(e)) => {
                Err(catalogue::for_error(&e, Case::Default, &self.subject(None)))
            }
        }
    }

    /// Waits until the NIC is AVAILABLE, gone, or no longer ours.
    async fn wait_detached(&self) -> Result<After, Diagnostic> {
        let started = Instant::now();
        let outcome = waiters::poll(
            self.ctx,
            &self.waits.grid,
            self.deadline,
            FirstLook::Paced(&self.waits.detach),
            || async {
                let limits = calls::limits(self.ctx, self.deadline);
                let nic = match self.api.poll_nic(self.nic_id, &limits).await {
                    Ok(Some(n)) => n,
                    Ok(None) => return Ok(Probe::Done(After::Detached)),
                    Err(e) => return calls::unread(e),
                };
                if not_ours(&nic, self.instance_id) {
                    return Ok(Probe::Done(After::Detached));
                }
                if nic.status == NicStatus::Used && started.elapsed() >= STILL_USED_GRACE {
                    return Ok(Probe::Done(After::StillAttached));
                }
                Ok(Probe::Pending(Seen::Nic(Box::new(nic))))
            },
        )
        .await;
        let text = |s: Seen| s.text(self.nic_id, self.instance_id);
        match outcome {
            Ok(a) => Ok(a),
            Err(Halt::TimedOut { last }) => Err(self.timed_out(
                Situation::DetachTimeout,
                "AVAILABLE",
                last.map(text).as_ref(),
            )),
            Err(Halt::Stopped { last }) => {
                Err(self.stopped("the NIC to become AVAILABLE", last.map(text).as_ref()))
            }
            Err(Halt::Failed(e)) => {
                Err(catalogue::for_error(&e, Case::Default, &self.subject(None)))
            }
        }
    }
}
