//! The plan checks' verdict: a pure function from observed facts (and what state holds) to the
//! findings an apply would run into. No I/O, so every row of the table is unit-tested.
//!
//! Findings come in a fixed order: existence (NIC, instance), region, NIC state, instance
//! state, then ownership. Every condition is reported, not just the first.

use std::collections::BTreeSet;

use crate::framework::Severity;
use crate::provider::catalogue::Case;
use crate::provider::checks::facts::{Facts, is_bound};
use crate::provider::config::PlanChecks;
use crate::zenlayer::codes;
use crate::zenlayer::models::{InstanceStatus, NicStatus};

/// One problem the apply would run into, as the catalogue renders it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Finding {
    pub code: &'static str,
    pub case: Case,
    pub severity: Severity,
}

/// Which attachments Terraform state holds, as far as this plan is concerned.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Holders {
    /// The (NIC, instance) this very object held before its replacement (from the first plan
    /// call's private data); the replacement detaches it before attaching again.
    pub this_object: Option<(String, String)>,
    /// The instances objects in state hold this NIC on (may include this object's own prior
    /// attachment, as for a tainted object being re-created).
    pub in_state: BTreeSet<String>,
    /// The instance an object in state had this NIC on before someone moved it elsewhere
    /// outside Terraform, as a refresh in this run found.
    pub moved_from: Option<String>,
}

/// Who accounts for a bound NIC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ownership {
    /// This object (being replaced), or a state copy of exactly the planned attachment
    /// (a tainted object being re-created): nothing to report.
    Ours,
    /// Another object in state holds the NIC on another instance.
    OtherObject,
    /// Nothing in state accounts for the binding.
    Nobody,
}

fn ownership(facts: &Facts, on: &str, holders: &Holders) -> Ownership {
    let by_this = holders
        .this_object
        .as_ref()
        .is_some_and(|(n, i)| *n == facts.nic_id && (i == on || on.is_empty()));
    if by_this {
        return Ownership::Ours;
    }
    let in_state = if on.is_empty() {
        !holders.in_state.is_empty()
    } else {
        holders.in_state.contains(on)
    };
    match (in_state, on == facts.instance_id) {
        (true, true) => Ownership::Ours,
        (true, false) => Ownership::OtherObject,
        (false, _) => Ownership::Nobody,
    }
}

/// The instance the NIC is bound to when a finding would rest on "no object in state holds
/// this attachment": the caller should give state a moment to mention the NIC first.
pub(crate) fn unheld_binding(facts: &Facts, holders: &Holders) -> Option<String> {
    let nic = facts.nic.as_ref().filter(|n| is_bound(n))?;
    let on = nic.instance_id.clone().unwrap_or_default();
    (ownership(facts, &on, holders) == Ownership::Nobody).then_some(on)
}

/// Judges one planned attachment. `Off` finds nothing (and callers make no API calls for it).
pub(crate) fn judge(facts: &Facts, holders: &Holders, mode: PlanChecks) -> Vec<Finding> {
    if mode == PlanChecks::Off {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut find = |code: &'static str, case: Case, severity: Severity| {
        out.push(Finding {
            code,
            case,
            severity: mode.severity(severity),
        });
    };
    use Severity::{Error, Warning};

    if facts.nic.is_none() {
        find(codes::INVALID_NIC_NOT_FOUND, Case::Default, Error);
    }
    if facts.instance.is_none() {
        find(codes::INVALID_INSTANCE_NOT_FOUND, Case::Default, Error);
    }
    if let (Some(nic), Some(region)) = (&facts.nic, &facts.instance_region)
        && !nic.region_id.is_empty()
        && nic.region_id != *region
    {
        find(
            codes::INVALID_NIC_INSTANCE_REGION_MISMATCH,
            Case::Default,
            Error,
        );
    }
    if let Some(nic) = &facts.nic {
        match &nic.status {
            NicStatus::Available | NicStatus::Used | NicStatus::Attaching => {}
            NicStatus::CreateFailed | NicStatus::Deleting => {
                find(codes::INVALID_NIC_STATUS, Case::Blocking, Error)
            }
            NicStatus::Pending | NicStatus::Detaching => {
                find(codes::INVALID_NIC_STATUS, Case::WillWait, Warning)
            }
            NicStatus::Other(_) | NicStatus::Missing => {
                find(codes::INVALID_NIC_STATUS, Case::UnknownStatus, Warning)
            }
        }
    }
    if let Some(instance) = &facts.instance {
        let code = codes::OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT;
        match &instance.status {
            InstanceStatus::Running => {}
            InstanceStatus::Stopped
            | InstanceStatus::Stopping
            | InstanceStatus::Releasing
            | InstanceStatus::Recycle
            | InstanceStatus::Recycling
            | InstanceStatus::CreateFailed => find(code, Case::Blocking, Error),
            InstanceStatus::Booting
            | InstanceStatus::Deploying
            | InstanceStatus::Reboot
            | InstanceStatus::Rebuilding
            | InstanceStatus::Resizing
            | InstanceStatus::Imaging => find(code, Case::WillWait, Warning),
            InstanceStatus::Other(_) | InstanceStatus::Missing => {
                find(code, Case::UnknownStatus, Warning)
            }
        }
    }
    if let Some(nic) = facts.nic.as_ref().filter(|n| is_bound(n)) {
        let code = codes::INVALID_NIC_ATTACHED;
        let on = nic.instance_id.as_deref().unwrap_or("");
        match ownership(facts, on, holders) {
            Ownership::Ours => {}
            Ownership::OtherObject => find(code, Case::HeldByOther, Warning),
            Ownership::Nobody if nic.is_primary() => find(code, Case::Primary, Error),
            Ownership::Nobody if on == facts.instance_id => find(code, Case::AttachedHere, Error),
            Ownership::Nobody
                if holders.moved_from.as_deref() == Some(facts.instance_id.as_str()) =>
            {
                find(code, Case::MovedByHand, Error)
            }
            Ownership::Nobody => find(code, Case::Default, Error),
        }
    }
    out
}

/// Judges what could be read: findings about the NIC only if `nic_read`, about the instance
/// only if `instance_read`, the region only when both were (and `facts` holds the region).
/// An ID unknown until apply counts as unread, so one-sided checks use it too.
pub(crate) fn judge_read(
    facts: &Facts,
    holders: &Holders,
    mode: PlanChecks,
    nic_read: bool,
    instance_read: bool,
) -> Vec<Finding> {
    let both = nic_read && instance_read;
    judge(facts, holders, mode)
        .into_iter()
        .filter(|f| match f.code {
            codes::INVALID_NIC_NOT_FOUND
            | codes::INVALID_NIC_STATUS
            | codes::INVALID_NIC_ATTACHED => nic_read,
            codes::INVALID_INSTANCE_NOT_FOUND
            | codes::OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT => instance_read,
            _ => both,
        })
        .collect()
}

/// Which variant of `code`'s text fits an apply-time refusal, judged from fresh facts the
/// same way a plan would, so the apply says what the plan would have said.
pub(crate) fn case_for_answer(code: &str, facts: &Facts, holders: &Holders) -> Case {
    if code == codes::OPERATION_FAILED_RESOURCE_NOT_FOUND {
        return match (&facts.nic, &facts.instance) {
            (None, _) => Case::NicMissing,
            (_, None) => Case::InstanceMissing,
            _ => Case::Default,
        };
    }
    judge(facts, holders, PlanChecks::Error)
        .into_iter()
        .find(|f| f.code == code)
        .map_or(Case::Default, |f| f.case)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zenlayer::models::{InstanceInfo, NicInfo};

    const NIC: &str = "nic-1";
    const INS: &str = "ins-1";
    const OTHER: &str = "ins-2";

    fn nic(status: NicStatus, on: Option<&str>) -> NicInfo {
        NicInfo {
            nic_id: NIC.into(),
            status,
            region_id: "asia-east-1".into(),
            instance_id: on.map(str::to_owned),
            nic_type: Some("Secondary".into()),
            ..NicInfo::default()
        }
    }

    fn instance(status: InstanceStatus) -> InstanceInfo {
        InstanceInfo {
            instance_id: INS.into(),
            zone_id: "asia-east-1a".into(),
            status,
            ..InstanceInfo::default()
        }
    }

    fn facts(n: Option<NicInfo>, i: Option<InstanceInfo>) -> Facts {
        let region = i.as_ref().map(|_| "asia-east-1".to_owned());
        Facts {
            nic_id: NIC.into(),
            instance_id: INS.into(),
            nic: n,
            instance: i,
            instance_region: region,
        }
    }

    fn healthy() -> Facts {
        facts(
            Some(nic(NicStatus::Available, None)),
            Some(instance(InstanceStatus::Running)),
        )
    }

    fn nobody() -> Holders {
        Holders::default()
    }

    fn in_state(instances: &[&str]) -> Holders {
        Holders {
            this_object: None,
            in_state: instances.iter().map(|s| (*s).to_owned()).collect(),
            moved_from: None,
        }
    }

    fn this_object(instance: &str) -> Holders {
        Holders {
            this_object: Some((NIC.into(), instance.into())),
            in_state: BTreeSet::from([instance.to_owned()]),
            moved_from: None,
        }
    }

    fn one(code: &'static str, case: Case, severity: Severity) -> Vec<Finding> {
        vec![Finding {
            code,
            case,
            severity,
        }]
    }

    use Severity::{Error, Warning};

    /// The facts of the NIC `n` beside a RUNNING instance.
    fn beside_running(n: NicInfo) -> Facts {
        facts(Some(n), Some(instance(InstanceStatus::Running)))
    }

    /// The facts of an AVAILABLE NIC beside an instance in state `s`.
    fn available_beside(s: InstanceStatus) -> Facts {
        facts(Some(nic(NicStatus::Available, None)), Some(instance(s)))
    }

    /// The healthy pair with the instance's zone mapped to `region`.
    fn in_region(region: Option<&str>) -> Facts {
        Facts {
            instance_region: region.map(str::to_owned),
            ..healthy()
        }
    }

    /// A NIC used elsewhere beside a STOPPED instance in another region: every condition
    /// at once.
    fn every_condition() -> Facts {
        Facts {
            instance_region: Some("eu-west-1".into()),
            ..facts(
                Some(nic(NicStatus::Used, Some(OTHER))),
                Some(instance(InstanceStatus::Stopped)),
            )
        }
    }

    /// The judge's table, a row a condition: (the row's name, what was read, who holds the
    /// NIC, all that `PlanChecks::Error` must find). A row with several states is one entry
    /// a state.
    fn table() -> Vec<(&'static str, Facts, Holders, Vec<Finding>)> {
        let primary = NicInfo {
            nic_type: Some("Primary".into()),
            ..nic(NicStatus::Used, Some(OTHER))
        };
        let mut rows = vec![
            (
                "a_healthy_pair_has_no_findings",
                healthy(),
                nobody(),
                vec![],
            ),
            (
                "row_missing_nic_is_an_error",
                facts(None, Some(instance(InstanceStatus::Running))),
                nobody(),
                one(codes::INVALID_NIC_NOT_FOUND, Case::Default, Error),
            ),
            (
                "row_missing_instance_is_an_error",
                facts(Some(nic(NicStatus::Available, None)), None),
                nobody(),
                one(codes::INVALID_INSTANCE_NOT_FOUND, Case::Default, Error),
            ),
            (
                "row_region_mismatch_is_an_error",
                in_region(Some("eu-west-1")),
                nobody(),
                one(
                    codes::INVALID_NIC_INSTANCE_REGION_MISMATCH,
                    Case::Default,
                    Error,
                ),
            ),
            (
                "an_unmapped_zone_skips_the_region_check",
                in_region(None),
                nobody(),
                vec![],
            ),
            (
                "row_nic_attached_here_unheld_asks_for_import",
                beside_running(nic(NicStatus::Used, Some(INS))),
                nobody(),
                one(codes::INVALID_NIC_ATTACHED, Case::AttachedHere, Error),
            ),
            (
                "row_nic_held_elsewhere_by_another_object_is_a_warning",
                beside_running(nic(NicStatus::Used, Some(OTHER))),
                in_state(&[OTHER]),
                one(codes::INVALID_NIC_ATTACHED, Case::HeldByOther, Warning),
            ),
            (
                "a_primary_nic_of_another_instance_says_so",
                beside_running(primary),
                nobody(),
                one(codes::INVALID_NIC_ATTACHED, Case::Primary, Error),
            ),
        ];
        for s in [NicStatus::CreateFailed, NicStatus::Deleting] {
            rows.push((
                "row_nic_failed_or_deleting_is_an_error",
                beside_running(nic(s, None)),
                nobody(),
                one(codes::INVALID_NIC_STATUS, Case::Blocking, Error),
            ));
        }
        for (s, on) in [
            (NicStatus::Pending, None),
            (NicStatus::Detaching, Some(OTHER)),
        ] {
            rows.push((
                "row_nic_pending_or_detaching_is_a_warning",
                beside_running(nic(s, on)),
                nobody(),
                one(codes::INVALID_NIC_STATUS, Case::WillWait, Warning),
            ));
        }
        for s in [NicStatus::Used, NicStatus::Attaching] {
            rows.push((
                "row_nic_attached_elsewhere_unheld_is_an_error",
                beside_running(nic(s, Some(OTHER))),
                nobody(),
                one(codes::INVALID_NIC_ATTACHED, Case::Default, Error),
            ));
        }
        let instance_rows = [
            (
                "row_instance_stopped_and_friends_are_errors",
                [
                    InstanceStatus::Stopped,
                    InstanceStatus::Stopping,
                    InstanceStatus::Releasing,
                    InstanceStatus::Recycle,
                    InstanceStatus::Recycling,
                    InstanceStatus::CreateFailed,
                ],
                Case::Blocking,
                Error,
            ),
            (
                "row_instance_busy_is_a_warning",
                [
                    InstanceStatus::Booting,
                    InstanceStatus::Deploying,
                    InstanceStatus::Reboot,
                    InstanceStatus::Rebuilding,
                    InstanceStatus::Resizing,
                    InstanceStatus::Imaging,
                ],
                Case::WillWait,
                Warning,
            ),
        ];
        for (name, states, case, severity) in instance_rows {
            for s in states {
                rows.push((
                    name,
                    available_beside(s),
                    nobody(),
                    one(
                        codes::OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT,
                        case,
                        severity,
                    ),
                ));
            }
        }
        rows
    }

    #[test]
    fn every_row_of_the_table_finds_what_it_says() {
        for (name, f, held, expected) in table() {
            assert_eq!(
                judge(&f, &held, PlanChecks::Error),
                expected,
                "{name}: {f:?}"
            );
        }
    }

    #[test]
    fn unknown_states_get_a_warning_each() {
        let f = facts(
            Some(nic(NicStatus::Other("QUARANTINED".into()), None)),
            Some(instance(InstanceStatus::Other("HIBERNATING".into()))),
        );
        assert_eq!(
            judge(&f, &nobody(), PlanChecks::Error),
            vec![
                Finding {
                    code: codes::INVALID_NIC_STATUS,
                    case: Case::UnknownStatus,
                    severity: Warning
                },
                Finding {
                    code: codes::OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT,
                    case: Case::UnknownStatus,
                    severity: Warning
                },
            ]
        );
        let f = facts(
            Some(nic(NicStatus::Missing, None)),
            Some(instance(InstanceStatus::Missing)),
        );
        assert_eq!(judge(&f, &nobody(), PlanChecks::Error).len(), 2);
    }

    #[test]
    fn all_conditions_are_reported_together_in_order() {
        let f = every_condition();
        let codes_found: Vec<_> = judge(&f, &nobody(), PlanChecks::Error)
            .iter()
            .map(|x| x.code)
            .collect();
        assert_eq!(
            codes_found,
            [
                codes::INVALID_NIC_INSTANCE_REGION_MISMATCH,
                codes::OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT,
                codes::INVALID_NIC_ATTACHED,
            ]
        );
        let f = facts(None, None);
        assert_eq!(
            judge(&f, &nobody(), PlanChecks::Error).len(),
            2,
            "both missing"
        );
    }

    #[test]
    fn warn_mode_turns_every_error_into_a_warning() {
        let f = every_condition();
        let strict = judge(&f, &nobody(), PlanChecks::Error);
        let lenient = judge(&f, &nobody(), PlanChecks::Warn);
        assert_eq!(strict.len(), lenient.len());
        for (s, l) in strict.iter().zip(&lenient) {
            assert_eq!((s.code, s.case), (l.code, l.case));
            assert_eq!(l.severity, Warning);
        }
        assert!(strict.iter().any(|s| s.severity == Error));
    }

    #[test]
    fn off_mode_finds_nothing() {
        let f = facts(None, None);
        assert_eq!(judge(&f, &nobody(), PlanChecks::Off), vec![]);
    }

    #[test]
    fn memory_replacement_moving_the_nic_away_is_clean() {
        // This object holds nic-1 on ins-2 today and is replaced to put it on ins-1.
        let f = beside_running(nic(NicStatus::Used, Some(OTHER)));
        assert_eq!(judge(&f, &this_object(OTHER), PlanChecks::Error), vec![]);
        assert_eq!(unheld_binding(&f, &this_object(OTHER)), None);
    }

    #[test]
    fn memory_tainted_recreate_is_clean() {
        // A tainted object holding exactly this attachment is in state; its re-create plans
        // with no prior state and no private data.
        let f = beside_running(nic(NicStatus::Used, Some(INS)));
        assert_eq!(judge(&f, &in_state(&[INS]), PlanChecks::Error), vec![]);
        let f = beside_running(nic(NicStatus::Attaching, Some(INS)));
        assert_eq!(judge(&f, &in_state(&[INS]), PlanChecks::Error), vec![]);
    }

    #[test]
    fn memory_another_object_holding_it_elsewhere_warns() {
        let f = beside_running(nic(NicStatus::Used, Some(OTHER)));
        let h = Holders {
            this_object: Some((NIC.into(), "ins-3".into())),
            in_state: BTreeSet::from([OTHER.to_owned(), "ins-3".to_owned()]),
            moved_from: None,
        };
        assert_eq!(
            judge(&f, &h, PlanChecks::Error),
            one(codes::INVALID_NIC_ATTACHED, Case::HeldByOther, Warning)
        );
    }

    #[test]
    fn unheld_binding_names_the_instance_to_wait_for() {
        let f = beside_running(nic(NicStatus::Used, Some(OTHER)));
        assert_eq!(unheld_binding(&f, &nobody()), Some(OTHER.into()));
        assert_eq!(unheld_binding(&f, &in_state(&[OTHER])), None);
        assert_eq!(unheld_binding(&healthy(), &nobody()), None);
    }

    /// Every NIC status × every instance status × each ownership situation: the judge never
    /// panics, reports at most one finding per concern, and only expected codes.
    #[test]
    fn every_status_combination_and_ownership_case_is_judged() {
        let mut nic_states: Vec<NicStatus> = NicStatus::ALL.to_vec();
        nic_states.extend([NicStatus::Other("NEW".into()), NicStatus::Missing]);
        let mut ins_states: Vec<InstanceStatus> = InstanceStatus::ALL.to_vec();
        ins_states.extend([InstanceStatus::Other("NEW".into()), InstanceStatus::Missing]);
        let ownerships = [
            ("unattached", None, nobody()),
            ("here, unheld", Some(INS), nobody()),
            ("here, held", Some(INS), in_state(&[INS])),
            ("elsewhere, unheld", Some(OTHER), nobody()),
            ("elsewhere, held by other", Some(OTHER), in_state(&[OTHER])),
            ("elsewhere, this object", Some(OTHER), this_object(OTHER)),
        ];
        for ns in &nic_states {
            for is in &ins_states {
                for (label, on, holders) in &ownerships {
                    let f = facts(Some(nic(ns.clone(), *on)), Some(instance(is.clone())));
                    let found = judge(&f, holders, PlanChecks::Error);
                    let what = format!("{ns:?} × {is:?} × {label}");
                    let count = |c: &str| found.iter().filter(|x| x.code == c).count();
                    assert!(count(codes::INVALID_NIC_STATUS) <= 1, "{what}");
                    assert!(
                        count(codes::OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT) <= 1,
                        "{what}"
                    );
                    assert!(count(codes::INVALID_NIC_ATTACHED) <= 1, "{what}");
                    let nic_ok = matches!(ns, NicStatus::Available)
                        || (is_bound(f.nic.as_ref().unwrap())
                            && matches!(*label, "here, held" | "elsewhere, this object"));
                    let ins_ok = matches!(is, InstanceStatus::Running);
                    assert_eq!(found.is_empty(), nic_ok && ins_ok, "{what}: {found:?}");
                    let bound = matches!(ns, NicStatus::Used | NicStatus::Attaching);
                    assert_eq!(
                        count(codes::INVALID_NIC_ATTACHED) == 1,
                        bound && !matches!(*label, "here, held" | "elsewhere, this object"),
                        "{what}"
                    );
                    let warn = judge(&f, holders, PlanChecks::Warn);
                    assert!(warn.iter().all(|x| x.severity == Warning), "{what}");
                }
            }
        }
    }

    #[test]
    fn a_nic_moved_by_hand_from_this_attachment_gets_the_moved_text() {
        let f = beside_running(nic(NicStatus::Used, Some(OTHER)));
        let h = Holders {
            moved_from: Some(INS.into()),
            ..Holders::default()
        };
        assert_eq!(
            judge(&f, &h, PlanChecks::Error),
            one(codes::INVALID_NIC_ATTACHED, Case::MovedByHand, Error)
        );
    }
}
