//! Create: wait for the NIC and the instance to settle, attach, and wait until the NIC is
//! USED by the instance, all within `timeouts.create` and promptly on Stop.
//!
//! Nothing is lost: once the attach may have happened, every failure returns the full object
//! with the error, so Terraform keeps it (tainted) and the next refresh decides. An attach is
//! never reported as failed because of its own echo: a lost answer, a backend timeout, or a
//! "NIC already attached" refusal are settled by reading the NIC, and "attached to our
//! instance" counts as success when this create may have made it.
//!
//! One attachment, one owner: an attachment found already in place is adopted only when this
//! state hands it over in this run (see `provider::handover`); otherwise the create fails and
//! says who should own it.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::time::Instant;

use crate::cty::Value;
use crate::framework::{ApplyOutcome, Context, CreateRequest, Diagnostic, Diagnostics, Severity};
use crate::provider::api::Zec;
use crate::provider::catalogue::{self, Case, Op, Situation, Subject};
use crate::provider::checks::facts::{self, Facts};
use crate::provider::checks::judge::{self, Holders};
use crate::provider::duration;
use crate::provider::waiters::{self, FirstLook, Halt, Pace, Probe, Waits};
use crate::provider::{LOG_TARGET, Shared};
use crate::zenlayer::Error;
use crate::zenlayer::models::{NicInfo, NicStatus};

use super::calls::{self, Seen, bound_to, bound_to_instance};
use super::model::{self, Attachment, INSTANCE_ID, NIC_ID};
use super::private::{self, Private};

/// How long an accepted attach may show AVAILABLE before it counts as failed, in case the API
/// reports ATTACHING a moment late.
const REVERT_GRACE: Duration = Duration::from_secs(3);
/// Attach calls per create: retries follow only transient states and unconfirmed answers.
const MAX_ATTACH_CALLS: u32 = 5;
/// How old the reads of Terraform's own plan of this create (it plans each resource again just
/// before applying it) may be for the attach to go on them instead of reading again.
pub(super) const PLAN_READ_MAX_AGE: Duration = Duration::from_secs(1);

pub(super) async fn create(ctx: &Context, shared: &Shared, req: CreateRequest) -> ApplyOutcome {
    let failed = |d: Diagnostic| ApplyOutcome {
        new_state: Value::Null,
        private: Vec::new(),
        diagnostics: d.into(),
    };
    let ready = match shared.ready() {
        Ok(r) => r,
        Err(d) => return failed(d),
    };
    let planned = &req.planned_state;
    let (Some(nic_id), Some(instance_id)) = (
        model::known_str(planned, NIC_ID),
        model::known_str(planned, INSTANCE_ID),
    ) else {
        return failed(Diagnostic::error(
            "The NIC or instance ID is not known",
            "Terraform asked to create the attachment before `nic_id` and `instance_id` were \
             known. This is a bug in Terraform or the provider; please report it.",
        ));
    };
    let timeout = model::timeouts(planned).create;
    let attach = Attach {
        ctx,
        api: ready.api.as_ref(),
        nic_id,
        instance_id,
        timeout,
        deadline: Instant::now() + timeout,
        waits: &shared.waits,
        holders: Holders {
            this_object: private::replaced(&req.planned_private),
            in_state: shared.memory.holders(nic_id),
            moved_from: shared.memory.moved_from(nic_id),
        },
        handed_over: Private::decode(&req.planned_private).hands_over(nic_id, instance_id),
        shared,
        sent_unconfirmed: AtomicBool::new(false),
        last_nic: Mutex::new(None),
    };
    let timeouts = model::timeouts_value(planned);
    match attach.run().await {
        Ended::Attached(nic) => {
            shared.memory.record(nic_id, instance_id);
            // Ours now: a delete of the same attachment later in this run must not detach it.
            shared.handovers.arrive(nic_id, instance_id);
            ApplyOutcome {
                new_state: Attachment::from_nic(&nic, instance_id).to_value(timeouts),
                private: Vec::new(),
                diagnostics: Diagnostics::new(),
            }
        }
        Ended::Interrupted(diag) => {
            shared.memory.record(nic_id, instance_id);
            ApplyOutcome {
                new_state: attach.kept().to_value(timeouts),
                private: Vec::new(),
                diagnostics: diag.into(),
            }
        }
        Ended::Failed { diag, keep } => {
            let new_state = if keep {
                shared.memory.record(nic_id, instance_id);
                attach.kept().to_value(timeouts)
            } else {
                Value::Null
            };
            ApplyOutcome {
                new_state,
                private: Vec::new(),
                diagnostics: diag.into(),
            }
        }
    }
}

/// How a create ended. `keep`: the attach may have happened, so the object stays in state.
enum Ended {
    Attached(Box<NicInfo>),
    /// Stop arrived after the API took the attach: the object is stored untainted, with a
    /// warning, and the next refresh finds out whether the attach completed.
    Interrupted(Diagnostic),
    Failed {
        diag: Diagnostic,
        keep: bool,
    },
}

/// What to do after a refused or unanswered attach.
enum Next {
    Confirm,
    Retry,
    End(Box<Ended>),
}

impl Next {
    fn end(e: Ended) -> Next {
        Next::End(Box::new(e))
    }
}

/// What settling found.
enum Settled {
    Go,
    /// The NIC is already USED or ATTACHING on our instance, as read.
    AlreadyOurs(Box<NicInfo>),
}

/// Why waiting for USED ended early.
enum WaitFail {
    Vanished,
    Reverted,
    Diverted,
    Read(Error),
}

struct Attach<'a> {
    ctx: &'a Context,
    api: &'a dyn Zec,
    nic_id: &'a str,
    instance_id: &'a str,
    timeout: Duration,
    deadline: Instant,
    holders: Holders,
    /// This run's plan hands the attachment over from another object of this state.
    handed_over: bool,
    shared: &'a Shared,
    /// An attach of this create was sent and its answer lost: finding the NIC attached to
    /// our instance may be its doing.
    sent_unconfirmed: AtomicBool,
    /// The NIC as last read, for the state of a kept object.
    last_nic: Mutex<Option<NicInfo>>,
    /// The polling grid, and how soon attaches finish in this process.
    waits: &'a Waits,
}

impl Attach<'_> {
    async fn run(&self) -> Ended {
        let mut calls_made = 0;
        let mut seen_clear = self.seen_clear();
        loop {
            let settled = match seen_clear.take() {
                Some(nic) => {
                    self.note(&nic);
                    Ok(Settled::Go)
                }
                None => self.settle().await,
            };
            match settled {
                Err(end) => return end,
                Ok(Settled::AlreadyOurs(nic)) if !self.may_adopt().await => {
                    return self.owned_elsewhere(&nic);
                }
                // Already done: nothing to wait for, and nothing for the pace to learn.
                Ok(Settled::AlreadyOurs(nic)) if nic.status == NicStatus::Used => {
                    return Ended::Attached(nic);
                }
                Ok(Settled::AlreadyOurs(_)) => return self.confirm(&Pace::default()).await,
                Ok(Settled::Go) => {}
            }
            if self.ctx.is_stopped() {
                return self.stopped_before(None);
            }
            calls_made += 1;
            let answer = self
                .api
                .attach(
                    self.nic_id,
                    self.instance_id,
                    &calls::limits(self.ctx, self.deadline),
                )
                .await;
            match answer {
                Ok(request_id) => {
                    tracing::debug!(target: LOG_TARGET, nic_id = self.nic_id, instance_id = self.instance_id, request_id, "attach accepted");
                    return self.confirm(&self.waits.attach).await;
                }
                // The attach (if it happened) did not start just now: its wait must not
                // teach the pace of attaches.
                Err(e) => match self.after_refusal(e, calls_made).await {
                    Next::Confirm => return self.confirm(&Pace::default()).await,
                    Next::Retry => continue,
                    Next::End(end) => return *end,
                },
            }
        }
    }

    /// The NIC AVAILABLE and the instance steady, as reads requested less than
    /// [`PLAN_READ_MAX_AGE`] ago saw them (in an apply, the plan Terraform makes of this
    /// resource just before creating it): the attach may go without reading them again. Its
    /// own answer then refuses what such a read would have caught had it changed meanwhile (an
    /// attached NIC, a NIC or instance changing state), and a refusal is settled by reading, as
    /// always. Anything else, or no such reads, and the create reads first.
    fn seen_clear(&self) -> Option<NicInfo> {
        let (nic, instance) =
            self.api
                .seen_together(self.nic_id, self.instance_id, PLAN_READ_MAX_AGE)?;
        let clear = nic.status == NicStatus::Available && !instance.status.is_transitional();
        clear.then_some(nic)
    }

    fn subject<'s>(&'s self, facts: Option<&'s Facts>) -> Subject<'s> {
        Subject {
            nic_id: self.nic_id,
            instance_id: self.instance_id,
            op: Op::Attach,
            facts,
        }
    }

    /// True when an attachment found already in place may become this object's: this state
    /// hands it over in this run (a refactor, this object's own tainted or replaced copy), or
    /// this create's own attach may have made it. Anything else has another owner.
    async fn may_adopt(&self) -> bool {
        if self.handed_over || self.sent_unconfirmed.load(Ordering::SeqCst) {
            return true;
        }
        let mine =
            |holders: &std::collections::BTreeSet<String>| holders.contains(self.instance_id);
        let same_object = self
            .holders
            .this_object
            .as_ref()
            .is_some_and(|(n, i)| n == self.nic_id && i == self.instance_id);
        if same_object {
            return true;
        }
        if mine(&self.shared.memory.holders(self.nic_id)) {
            return true;
        }
        // The object giving it up may not have been loaded in this process yet.
        let holders = self
            .shared
            .memory
            .wait_for_nic(
                self.ctx,
                self.nic_id,
                crate::provider::checks::memory::SETTLE,
            )
            .await;
        mine(&holders)
    }

    fn owned_elsewhere(&self, nic: &NicInfo) -> Ended {
        self.note(nic);
        Ended::Failed {
            diag: self.situation(Situation::OwnedElsewhere, None, &[]),
            keep: false,
        }
    }

    fn time_left(&self) -> bool {
        calls::time_left(self.ctx, self.deadline)
    }

    fn note(&self, nic: &NicInfo) {
        if let Ok(mut last) = self.last_nic.lock() {
            *last = Some(nic.clone());
        }
    }

    /// The object to keep in state when the attach may have happened.
    fn kept(&self) -> Attachment {
        let last = self.last_nic.lock().ok().and_then(|l| l.clone());
        match last {
            Some(n) => Attachment::from_nic(&n, self.instance_id),
            None => Attachment::bare(self.nic_id, self.instance_id),
        }
    }

    fn situation(
        &self,
        s: Situation,
        facts: Option<&Facts>,
        extras: &[(&str, String)],
    ) -> Diagnostic {
        catalogue::for_situation(s, Severity::Error, &self.subject(facts), extras)
    }

    fn stopped_before(&self, last: Option<&Seen>) -> Ended {
        let last_seen = last.map_or_else(
            || "nothing yet".to_owned(),
            |s| s.text(self.nic_id, self.instance_id),
        );
        Ended::Failed {
            diag: self.situation(
                Situation::PreAttachStopped,
                None,
                &[
                    ("awaited", "the NIC and the instance to be ready".to_owned()),
                    ("last_seen", last_seen),
                ],
            ),
            keep: false,
        }
    }

    /// Waits while the NIC is PENDING/DETACHING or the instance is changing state.
    async fn settle(&self) -> Result<Settled, Ended> {
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
                let (nic, instance) = match (nic, instance) {
                    (Ok(n), Ok(i)) => (n, i),
                    (Err(e), _) | (_, Err(e)) if calls::transient(&e) => {
                        return Ok(Probe::Unread(Seen::ReadFailed(e.to_string())));
                    }
                    (Err(e), _) | (_, Err(e)) => return Err(e),
                };
                let Some(nic) = nic else {
                    // Let the attach itself report the missing NIC, with its request id.
                    return Ok(Probe::Done(Settled::Go));
                };
                self.note(&nic);
                if bound_to_instance(&nic, self.instance_id) {
                    return Ok(Probe::Done(Settled::AlreadyOurs(Box::new(nic))));
                }
                let nic_busy = matches!(nic.status, NicStatus::Pending | NicStatus::Detaching);
                let instance_busy = instance
                    .as_ref()
                    .is_some_and(|i| i.status.is_transitional());
                if nic_busy || instance_busy {
                    return Ok(Probe::Pending(Seen::Pair(
                        Some(Box::new(nic)),
                        instance.map(Box::new),
                    )));
                }
                Ok(Probe::Done(Settled::Go))
            },
        )
        .await;
        match outcome {
            Ok(s) => Ok(s),
            Err(Halt::Stopped { last }) => Err(self.stopped_before(last.as_ref())),
            Err(Halt::TimedOut { last }) => Err(Ended::Failed {
                diag: self.situation(
                    Situation::PreAttachTimeout,
                    None,
                    &[
                        ("timeout", duration::display(self.timeout)),
                        (
                            "awaited",
                            "the NIC to be AVAILABLE and the instance RUNNING".to_owned(),
                        ),
                        (
                            "last_seen",
                            last.map_or_else(
                                || "nothing".to_owned(),
                                |s| s.text(self.nic_id, self.instance_id),
                            ),
                        ),
                    ],
                ),
                keep: false,
            }),
            Err(Halt::Failed(e)) => Err(Ended::Failed {
                diag: catalogue::for_error(&e, Case::Default, &self.subject(None)),
                keep: false,
            }),
        }
    }

    /// Decides what an attach refusal or a lost answer means.
    async fn after_refusal(&self, e: Error, calls_made: u32) -> Next {
        if calls::ambiguous(&e) {
            self.sent_unconfirmed.store(true, Ordering::SeqCst);
            return self.reconcile(e, calls_made).await;
        }
        tracing::debug!(target: LOG_TARGET, nic_id = self.nic_id, instance_id = self.instance_id, error = %e, "attach refused");
        // Throttled past the client's retries: nothing happened, so call again while the
        // timeout lasts instead of failing the run.
        if calls::not_now(&e)
            && calls_made < MAX_ATTACH_CALLS
            && calls::pause(self.ctx, self.deadline).await
        {
            return Next::Retry;
        }
        let Some(code) = e.code().map(str::to_owned) else {
            // Never sent (connection refused), or given up before sending.
            if self.ctx.is_stopped() {
                return Next::end(self.stopped_before(None));
            }
            return Next::end(Ended::Failed {
                diag: catalogue::for_error(&e, Case::Default, &self.subject(None)),
                keep: false,
            });
        };
        let facts = calls::facts_after_failure(self.api, self.nic_id, self.instance_id).await;
        if let Some(nic) = facts.as_ref().and_then(|f| f.nic.as_ref()) {
            self.note(nic);
            if bound_to_instance(nic, self.instance_id) {
                if self.may_adopt().await {
                    return Next::Confirm;
                }
                return Next::end(self.owned_elsewhere(nic));
            }
        }
        let retryable_state = calls::refused_for_passing_state(
            &e,
            facts.as_ref(),
            &[NicStatus::Pending, NicStatus::Detaching],
        );
        if retryable_state && calls_made < MAX_ATTACH_CALLS && self.time_left() {
            return Next::Retry;
        }
        let case = facts.as_ref().map_or(Case::Default, |f| {
            judge::case_for_answer(&code, f, &self.holders)
        });
        Next::end(Ended::Failed {
            diag: catalogue::for_error(&e, case, &self.subject(facts.as_ref())),
            keep: false,
        })
    }

    /// Settles an attach whose outcome is unknown by reading the NIC.
    async fn reconcile(&self, e: Error, calls_made: u32) -> Next {
        tracing::info!(target: LOG_TARGET, nic_id = self.nic_id, instance_id = self.instance_id, error = %e, "attach outcome unknown; reading the NIC");
        match self
            .api
            .find_nic(self.nic_id, &calls::reconcile_limits())
            .await
        {
            Ok(Some(nic)) if bound_to_instance(&nic, self.instance_id) => {
                self.note(&nic);
                Next::Confirm
            }
            Ok(nic) => {
                if let Some(n) = &nic {
                    self.note(n);
                }
                if calls_made < MAX_ATTACH_CALLS && self.time_left() {
                    return Next::Retry;
                }
                if self.ctx.is_stopped() {
                    let seen = nic.map(|n| Seen::Nic(Box::new(n)));
                    return Next::end(self.stopped_before(seen.as_ref()));
                }
                let diag = if e.api_error().is_some() {
                    let facts =
                        calls::facts_after_failure(self.api, self.nic_id, self.instance_id).await;
                    catalogue::for_error(&e, Case::Default, &self.subject(facts.as_ref()))
                } else {
                    self.situation(
                        Situation::AttachUnconfirmed,
                        None,
                        &[
                            ("reason", e.to_string()),
                            (
                                "last_seen",
                                format!(
                                    "NIC {} {}",
                                    self.nic_id,
                                    facts::describe_nic(nic.as_ref())
                                ),
                            ),
                        ],
                    )
                };
                Next::end(Ended::Failed { diag, keep: false })
            }
            Err(read_err) => Next::end(Ended::Failed {
                // Cannot tell whether it attached: keep the object; the next refresh decides.
                diag: self.situation(
                    Situation::AttachUnconfirmed,
                    None,
                    &[
                        ("reason", e.to_string()),
                        (
                            "last_seen",
                            format!("nothing, because reading the NIC failed too ({read_err})"),
                        ),
                    ],
                ),
                keep: true,
            }),
        }
    }

    /// Waits until the NIC is USED by our instance; `pace` learns how soon it was.
    async fn confirm(&self, pace: &Pace) -> Ended {
        let started = Instant::now();
        let seen_attaching = AtomicBool::new(false);
        let outcome = waiters::poll(
            self.ctx,
            &self.waits.grid,
            self.deadline,
            FirstLook::Paced(pace),
            || async {
                let limits = calls::limits(self.ctx, self.deadline);
                let nic = match self.api.poll_nic(self.nic_id, &limits).await {
                    Ok(Some(n)) => n,
                    Ok(None) => return Err(WaitFail::Vanished),
                    Err(e) => return calls::unread(e).map_err(WaitFail::Read),
                };
                self.note(&nic);
                let on = nic.named_instance();
                match (&nic.status, on) {
                    (NicStatus::Used, Some(i)) if i == self.instance_id => Ok(Probe::Done(nic)),
                    (NicStatus::Attaching, None) => Ok(Probe::Pending(Seen::Nic(Box::new(nic)))),
                    (NicStatus::Attaching, Some(i)) if i == self.instance_id => {
                        seen_attaching.store(true, Ordering::Relaxed);
                        Ok(Probe::Pending(Seen::Nic(Box::new(nic))))
                    }
                    (NicStatus::Available, _) => {
                        if seen_attaching.load(Ordering::Relaxed)
                            || started.elapsed() >= REVERT_GRACE
                        {
                            Err(WaitFail::Reverted)
                        } else {
                            Ok(Probe::Pending(Seen::Nic(Box::new(nic))))
                        }
                    }
                    _ if bound_to(&nic).is_some() => Err(WaitFail::Diverted),
                    (NicStatus::Deleting | NicStatus::CreateFailed | NicStatus::Detaching, _) => {
                        Err(WaitFail::Diverted)
                    }
                    _ => Ok(Probe::Pending(Seen::Nic(Box::new(nic)))),
                }
            },
        )
        .await;
        let last_text = |last: Option<Seen>| {
            last.map_or_else(
                || "nothing yet".to_owned(),
                |s| s.text(self.nic_id, self.instance_id),
            )
        };
        let awaited = format!("USED on instance {}", self.instance_id);
        match outcome {
            Ok(nic) => Ended::Attached(Box::new(nic)),
            Err(Halt::TimedOut { last }) => Ended::Failed {
                diag: self.situation(
                    Situation::AttachTimeout,
                    None,
                    &[
                        ("timeout", duration::display(self.timeout)),
                        ("awaited", awaited),
                        ("last_seen", last_text(last)),
                    ],
                ),
                keep: true,
            },
            // The API took the attach; only the wait was cut short. An error would make
            // Terraform taint the object and detach a NIC that is (or soon will be) in use.
            Err(Halt::Stopped { last }) => Ended::Interrupted(catalogue::for_situation(
                Situation::AttachStopped,
                Severity::Warning,
                &self.subject(None),
                &[("awaited", awaited), ("last_seen", last_text(last))],
            )),
            Err(Halt::Failed(WaitFail::Read(e))) => Ended::Failed {
                diag: catalogue::for_error(&e, Case::Default, &self.subject(None)),
                keep: true,
            },
            Err(Halt::Failed(WaitFail::Vanished)) => Ended::Failed {
                diag: self.situation(Situation::NicVanished, None, &[]),
                keep: false,
            },
            Err(Halt::Failed(fail @ (WaitFail::Reverted | WaitFail::Diverted))) => {
                let facts =
                    calls::facts_after_failure(self.api, self.nic_id, self.instance_id).await;
                let last = self.last_nic.lock().ok().and_then(|l| l.clone());
                let last_seen =
                    format!("NIC {} {}", self.nic_id, facts::describe_nic(last.as_ref()));
                let situation = match fail {
                    WaitFail::Reverted => Situation::AttachReverted,
                    _ => Situation::AttachDiverted,
                };
                Ended::Failed {
                    diag: self.situation(situation, facts.as_ref(), &[("last_seen", last_seen)]),
                    keep: false,
                }
            }
        }
    }
}
