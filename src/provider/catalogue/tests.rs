use super::render::*;
use super::*;
use crate::framework::{Diagnostic, Severity};
use crate::provider::checks::facts::Facts;
use crate::provider::testing::assert_says;
use crate::zenlayer::models::{InstanceInfo, InstanceStatus, NicInfo, NicStatus};
use crate::zenlayer::{ApiError, Caller, CredentialKind, Error, codes};

fn facts() -> Facts {
    Facts {
        nic_id: "nic-1".into(),
        instance_id: "ins-1".into(),
        nic: Some(NicInfo {
            nic_id: "nic-1".into(),
            status: NicStatus::Used,
            region_id: "asia-east-1".into(),
            instance_id: Some("ins-2".into()),
            ..NicInfo::default()
        }),
        instance: Some(InstanceInfo {
            instance_id: "ins-1".into(),
            zone_id: "eu-west-1a".into(),
            status: InstanceStatus::Stopped,
            ..InstanceInfo::default()
        }),
        instance_region: Some("eu-west-1".into()),
    }
}

fn subject(f: &Facts) -> Subject<'_> {
    Subject {
        nic_id: "nic-1",
        instance_id: "ins-1",
        op: Op::Attach,
        facts: Some(f),
    }
}

/// Every code the provider can meet: the documented Attach and Detach refusals plus the
/// authentication and throttling codes.
fn documented_codes() -> Vec<&'static str> {
    let mut all: Vec<&str> = codes::ATTACH_CODES.to_vec();
    all.extend_from_slice(codes::DETACH_CODES);
    all.extend_from_slice(&[
        codes::AUTHFAILURE_INVALID_AUTHORIZATION,
        codes::AUTHFAILURE_SIGNATURE_FAILURE,
        codes::AUTHFAILURE_SIGNATURE_EXPIRED,
        codes::AUTHFAILURE_UNAUTHORIZED_OPERATION,
        codes::REQUEST_LIMIT_EXCEEDED,
        codes::SERVICE_TEMPORARY_UNAVAILABLE,
        codes::INTERNAL_SERVER_ERROR,
        codes::REQUEST_TIMED_OUT,
        codes::INVALID_OPERATION_TIMEOUT,
    ]);
    all.sort_unstable();
    all.dedup();
    all
}

/// Every case the rendering tests walk: all of them, so a new case is checked at once.
const ALL_CASES: &[Case] = Case::ALL;

/// What the provider says at plan time about `code` in `case`, for nic-1 on ins-1 with `f` seen.
fn predicted(f: &Facts, code: &str, case: Case, severity: Severity) -> Diagnostic {
    for_code(code, case, severity, &subject(f), Origin::Predicted)
}

/// What the provider says at apply time about `code` in `case`, as `api` answered it.
fn apply_error(f: &Facts, code: &str, case: Case, api: &ApiError) -> Diagnostic {
    for_code(
        code,
        case,
        Severity::Error,
        &subject(f),
        Origin::Answered(api, None),
    )
}

fn answered(code: &str, message: &str, request_id: &str) -> ApiError {
    ApiError {
        http_status: 400,
        code: code.to_owned(),
        message: message.to_owned(),
        request_id: request_id.to_owned(),
        sent_with: None,
        caller: None,
    }
}

/// The detail of `code` answered to a request sent by `key_id` (a token when `None`).
fn refused_detail(code: &str, key_id: Option<&str>, domain: &str) -> String {
    let subject = Subject {
        nic_id: "nic-1",
        instance_id: "ins-1",
        op: Op::Attach,
        facts: None,
    };
    let mut api = answered(code, "refused", "rid-1");
    api.caller = Some(Box::new(Caller {
        key_id: key_id.map(str::to_owned),
        domain: domain.into(),
    }));
    for_code(
        code,
        Case::Default,
        Severity::Error,
        &subject,
        Origin::Answered(&api, None),
    )
    .detail
}

#[test]
fn credential_refusals_name_the_key_id_and_the_domain_but_never_the_secret() {
    for (key_id, expected) in [
        (Some("AKID-PROD"), "the access key ID \"AKID-PROD\""),
        (None, "an access token"),
    ] {
        let d = refused_detail(
            codes::AUTHFAILURE_SIGNATURE_FAILURE,
            key_id,
            "eu.api.example",
        );
        assert!(d.contains(expected), "{d}");
        assert!(d.contains("\"eu.api.example\""), "{d}");
    }
    // Other codes do not mention credentials.
    let d = refused_detail(codes::INVALID_NIC_STATUS, Some("AKID"), "d");
    assert!(!d.contains("AKID"), "{d}");
}

#[test]
fn every_documented_code_has_exactly_one_entry() {
    for code in documented_codes() {
        let n = ENTRIES.iter().filter(|e| e.code == code).count();
        assert_eq!(n, 1, "{code} has {n} entries");
    }
    let mut seen: Vec<_> = ENTRIES.iter().map(|e| e.code).collect();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), ENTRIES.len(), "no code is declared twice");
}

#[test]
fn every_situation_has_exactly_one_text() {
    for (s, _) in SITUATIONS {
        assert_eq!(
            SITUATIONS.iter().filter(|(x, _)| x == s).count(),
            1,
            "{s:?}"
        );
    }
    // Walked from the declaration: a situation without a text would render the generic one.
    for s in Situation::ALL {
        assert!(
            SITUATIONS.iter().any(|(x, _)| x == s),
            "{s:?} has no text in SITUATIONS"
        );
    }
    assert_eq!(SITUATIONS.len(), Situation::ALL.len());
}

#[test]
fn every_situation_says_when_it_happens_for_the_docs() {
    for s in Situation::ALL {
        let condition = s.condition();
        assert!(
            condition.split_whitespace().count() >= 5 && !condition.ends_with('.'),
            "{s:?}: the docs condition {condition:?} is not a clause of at least five words"
        );
    }
}

fn assert_readable(d: &Diagnostic, code: Option<&str>, what: &str) {
    assert!(
        d.summary.split_whitespace().count() >= 4,
        "{what}: summary too short: {:?}",
        d.summary
    );
    if let Some(code) = code {
        assert!(!d.summary.contains(code), "{what}: summary is the code");
        assert!(d.detail.contains(code), "{what}: detail lacks the code");
    }
    for (id, name) in [("nic-1", "NIC ID"), ("ins-1", "instance ID")] {
        assert!(d.detail.contains(id), "{what}: no {name}: {}", d.detail);
    }
    assert!(
        !d.detail.contains("{")
            || d.detail.contains("import {")
            || d.detail.contains("moved {")
            || d.detail.contains("removed {"),
        "{what}: {}",
        d.detail
    );
    assert!(!d.detail.contains("(not observed)"), "{what}: {}", d.detail);
}

#[test]
fn every_rendered_code_message_is_readable_at_plan_and_apply() {
    let f = facts();
    let mut codes: Vec<&str> = ENTRIES.iter().map(|e| e.code).collect();
    codes.push("SOMETHING_NEW");
    for code in codes {
        for &case in ALL_CASES {
            let what = format!("{code}/{case:?}");
            let plan = predicted(&f, code, case, Severity::Error);
            assert_readable(&plan, Some(code), &what);
            let api = answered(code, "the API's words", "T-REQ-42");
            let apply = apply_error(&f, code, case, &api);
            assert_readable(&apply, Some(code), &what);
            assert!(apply.detail.contains("T-REQ-42"), "{what}: no request id");
            assert_eq!(plan.summary, apply.summary, "{what}");
            assert_eq!(plan.path, apply.path, "{what}");
            if entry(code).is_some() {
                assert_eq!(
                    apply.detail.replace(
                        ", request id: T-REQ-42\nThe API said: \"the API's words\"",
                        ""
                    ),
                    plan.detail,
                    "{what}: plan and apply differ beyond the request id and API message"
                );
            }
        }
    }
}

#[test]
fn unknown_codes_get_a_generic_message_with_code_message_and_request_id() {
    let f = facts();
    let api = answered("QUOTA_MOON_PHASE", "Not during a full moon", "T-9");
    let d = apply_error(&f, "QUOTA_MOON_PHASE", Case::Default, &api);
    assert_says(
        &d.detail,
        &["QUOTA_MOON_PHASE", "Not during a full moon", "T-9"],
    );
    assert_eq!(d.summary, "The Zenlayer API refused the request");
}

#[test]
fn a_rejected_signature_reads_right_for_tokens_and_key_pairs_alike() {
    let f = facts();
    let d = predicted(
        &f,
        codes::AUTHFAILURE_SIGNATURE_FAILURE,
        Case::Default,
        Severity::Error,
    );
    assert_eq!(d.summary, "The API rejected the credentials");
    for both in [
        "access token is wrong, expired or revoked",
        "access key password",
    ] {
        assert!(d.detail.contains(both), "{}", d.detail);
    }
}

#[test]
fn every_situation_message_is_readable() {
    let f = facts();
    let extras = [
        ("timeout", "10m".to_owned()),
        ("awaited", "USED on instance ins-1".to_owned()),
        ("last_seen", "ATTACHING on instance ins-1".to_owned()),
        ("reason", "connection refused".to_owned()),
        ("other_instance_id", "ins-2".to_owned()),
        ("action", "DescribeZones".to_owned()),
        (
            "checks",
            "whether the NIC and the instance share a region".to_owned(),
        ),
    ];
    for (s, _) in SITUATIONS {
        let d = for_situation(*s, Severity::Error, &subject(&f), &extras);
        assert_readable(&d, None, &format!("{s:?}"));
    }
}

#[test]
fn messages_name_the_observed_values() {
    let f = facts();
    let d = predicted(
        &f,
        codes::INVALID_NIC_INSTANCE_REGION_MISMATCH,
        Case::Default,
        Severity::Error,
    );
    assert!(d.detail.contains("asia-east-1") && d.detail.contains("eu-west-1"));
    assert_eq!(
        d.path,
        Some(AttributePath::root("nic_id")),
        "the message is about the NIC, and a NIC from the instance's region is the usual fix"
    );
    let d = predicted(
        &f,
        codes::INVALID_NIC_ATTACHED,
        Case::Default,
        Severity::Error,
    );
    assert!(d.detail.contains("USED on instance ins-2"), "{}", d.detail);
    assert_eq!(d.path, Some(AttributePath::root("nic_id")));
    let d = predicted(
        &f,
        codes::INVALID_NIC_ATTACHED,
        Case::AttachedHere,
        Severity::Error,
    );
    assert!(
        d.detail
            .contains("terraform import zenlayer_nic_attachment.<name> nic-1:ins-1")
    );
    assert!(
        d.detail
            .contains("import {\n  to = zenlayer_nic_attachment.<name>")
    );
}

#[test]
fn authentication_messages_name_every_credential_setting() {
    let f = facts();
    for code in [
        codes::AUTHFAILURE_INVALID_AUTHORIZATION,
        codes::AUTHFAILURE_SIGNATURE_FAILURE,
        codes::AUTHFAILURE_UNAUTHORIZED_OPERATION,
    ] {
        let d = predicted(&f, code, Case::Default, Severity::Error);
        for s in ["access_token", "ZENLAYERCLOUD_ACCESS_KEY_PASSWORD"] {
            assert!(d.detail.contains(s), "{code} lacks {s}");
        }
    }
}

#[test]
fn messages_without_facts_still_name_both_ids() {
    let s = Subject {
        nic_id: "nic-1",
        instance_id: "ins-1",
        op: Op::Detach,
        facts: None,
    };
    let d = for_code(
        codes::INVALID_NIC_STATUS,
        Case::Default,
        Severity::Error,
        &s,
        Origin::Predicted,
    );
    assert!(d.detail.contains("nic-1") && d.detail.contains("ins-1"));
    assert!(d.detail.contains("(not observed)"));
}

#[test]
fn each_blocking_instance_state_gets_a_fix_that_fits_it() {
    let expect = [
        (InstanceStatus::Stopped, "Start the instance"),
        (InstanceStatus::Stopping, "once it is STOPPED"),
        (InstanceStatus::Releasing, "being released"),
        (InstanceStatus::Recycling, "being released"),
        (InstanceStatus::Recycle, "recycle bin. Restore and start it"),
        (
            InstanceStatus::CreateFailed,
            "failed to create and will never run",
        ),
    ];
    for (status, words) in expect {
        let mut f = facts();
        f.instance_region = Some("asia-east-1".into());
        if let Some(i) = f.instance.as_mut() {
            i.status = status.clone();
        }
        let plan = predicted(
            &f,
            codes::OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT,
            Case::Blocking,
            Severity::Error,
        );
        assert!(
            plan.detail
                .contains(&format!("Instance ins-1 is in the {status} state")),
            "{status}: {}",
            plan.detail
        );
        assert!(plan.detail.contains(words), "{status}: {}", plan.detail);
        assert!(
            !plan.detail.contains("run plan"),
            "{status}: fits apply too"
        );
    }
    let f = facts();
    let unseen = Subject {
        facts: None,
        ..subject(&f)
    };
    let d = for_code(
        codes::OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT,
        Case::Blocking,
        Severity::Error,
        &unseen,
        Origin::Predicted,
    );
    assert!(d.detail.contains("Start the instance"), "{}", d.detail);
}

#[test]
fn states_read_as_words_with_their_meaning_where_the_code_says_little() {
    let mut f = facts();
    let render =
        |f: &Facts, code: &str, case: Case| predicted(f, code, case, Severity::Warning).detail;
    if let Some(n) = f.nic.as_mut() {
        n.status = NicStatus::Detaching;
    }
    let d = render(&f, codes::INVALID_NIC_STATUS, Case::WillWait);
    assert!(
        d.contains("NIC nic-1 is in the DETACHING state (being detached from instance ins-2)"),
        "{d}"
    );
    if let Some(i) = f.instance.as_mut() {
        i.status = InstanceStatus::Imaging;
    }
    let d = render(
        &f,
        codes::OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT,
        Case::WillWait,
    );
    assert!(
        d.contains("Instance ins-1 is in the IMAGING state (an image of it is being made)"),
        "{d}"
    );
    assert!(d.contains("If it stays in that state"), "{d}");
    if let Some(i) = f.instance.as_mut() {
        i.status = InstanceStatus::Missing;
    }
    let d = render(
        &f,
        codes::OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT,
        Case::Blocking,
    );
    assert!(d.contains("Instance ins-1 is in no reported state"), "{d}");
}

/// Plan-time advice, a row a message: (what the row proves, code, case, severity, words the
/// detail must hold).
const ADVICE: &[(&str, &str, Case, Severity, &[&str])] = &[
    (
        "a_nic_attached_elsewhere_offers_detaching_or_moving_it_with_terraform",
        codes::INVALID_NIC_ATTACHED,
        Case::Default,
        Severity::Error,
        &[
            "detach it from ins-2 (in zenConsole",
            "terraform import zenlayer_nic_attachment.<name> nic-1:ins-2",
            "detaching the NIC from ins-2 and attaching it to ins-1",
        ],
    ),
    (
        "a_nic_held_by_another_object_says_how_to_order_the_two",
        codes::INVALID_NIC_ATTACHED,
        Case::HeldByOther,
        Severity::Warning,
        &[
            "NIC nic-1 is USED on instance ins-2",
            "depends_on = [zenlayer_nic_attachment.<other>]",
            "terraform apply -target=zenlayer_nic_attachment.<other>",
        ],
    ),
    (
        "the_import_block_suggestion_says_which_terraform_has_it",
        codes::INVALID_NIC_ATTACHED,
        Case::AttachedHere,
        Severity::Error,
        &["(Terraform 1.5 and later)"],
    ),
    (
        "the_removed_block_is_shown_keeping_the_nic_and_says_which_terraform_has_it",
        codes::INVALID_NIC_PRIMARY_CANT_DETACH,
        Case::Default,
        Severity::Error,
        &[
            "(Terraform 1.7 and later) replace the resource block with a `removed` block",
            "removed {\n  from = zenlayer_nic_attachment.<name>\n\n  lifecycle {\n    \
             destroy = false\n  }\n}",
        ],
    ),
];

#[test]
fn each_advice_row_is_in_its_message() {
    let f = facts();
    for (row, code, case, severity, words) in ADVICE {
        let d = predicted(&f, code, *case, *severity);
        for w in *words {
            assert!(d.detail.contains(w), "{row}: lacks {w:?}: {}", d.detail);
        }
    }
}

#[test]
fn skipped_checks_point_at_the_connection_settings() {
    let d = for_situation(
        Situation::ChecksSkipped,
        Severity::Warning,
        &subject(&facts()),
        &[("reason", "connection refused".to_owned())],
    );
    assert_says(
        &d.detail,
        &["`domain`", "`scheme`", "plan_checks = \"off\""],
    );
}

#[test]
fn a_call_given_up_on_says_why_its_last_attempt_failed() {
    let refused = Error::Network {
        action: "DescribeNetworkInterfaces",
        message: "Connection refused (os error 111)".into(),
        lasting: false,
    };
    let e = Error::GaveUp {
        action: "DescribeNetworkInterfaces",
        attempts: 5,
        reason: crate::zenlayer::GiveUpReason::Deadline,
        last: Some(Box::new(refused)),
    };
    let d = for_error(&e, Case::Default, &subject(&facts()));
    assert_eq!(d.summary, "The Zenlayer API could not be reached");
    assert!(d.detail.contains("Connection refused"), "{}", d.detail);
    let d = for_situation(
        Situation::ChecksSkipped,
        Severity::Warning,
        &subject(&facts()),
        &[("reason", e.to_string())],
    );
    assert!(d.detail.contains("Connection refused"), "{}", d.detail);
}

#[test]
fn templates_fill_placeholders_and_keep_escaped_braces() {
    let vars = |n: &str| (n == "x").then(|| "1".to_owned());
    assert_eq!(fill("a {x} b {{c}} {y} }", &vars), "a 1 b {c} {y} }");
    assert_eq!(fill("open {x", &vars), "open {x");
}

#[test]
fn every_apply_error_carries_the_apis_message_after_the_explanation_and_a_plan_none() {
    let f = facts();
    let mut codes: Vec<&str> = ENTRIES.iter().map(|e| e.code).collect();
    codes.push("SOMETHING_NEW");
    for code in codes {
        let api = answered(code, "NIC busy, try later", "REQ-7");
        let apply = apply_error(&f, code, Case::Default, &api);
        let tail = format!(
            "\n\nZenlayer API code: {code}, request id: REQ-7\nThe API said: \"NIC busy, try later\""
        );
        assert!(apply.detail.ends_with(&tail), "{code}: {}", apply.detail);
        assert_eq!(
            apply.detail.matches("NIC busy, try later").count(),
            1,
            "{code}"
        );
        let plan = predicted(&f, code, Case::Default, Severity::Error);
        assert!(
            !plan.detail.contains("The API said"),
            "{code}: {}",
            plan.detail
        );
        assert!(!plan.detail.contains("API gave no message"), "{code}");
        assert!(
            plan.detail
                .ends_with(&format!("\n\nZenlayer API code: {code}")),
            "{code}"
        );
        let silent = answered(code, "", "REQ-8");
        let d = apply_error(&f, code, Case::Default, &silent);
        assert!(
            d.detail
                .ends_with("request id: REQ-8\nThe API gave no message."),
            "{code}"
        );
    }
}

#[test]
fn hostile_api_text_is_escaped_and_cut_wherever_a_message_shows_it() {
    let hostile = format!(
        "\u{1b}[2J\u{1b}]0;pwned\u{7}\nApply complete! Resources: 9 added.{}",
        "x".repeat(3000)
    );
    let mut f = facts();
    if let Some(n) = f.nic.as_mut() {
        n.status = NicStatus::from(hostile.clone());
        n.instance_id = Some(hostile.clone());
        n.region_id = hostile.clone();
    }
    if let Some(i) = f.instance.as_mut() {
        i.status = InstanceStatus::from(hostile.clone());
        i.zone_id = hostile.clone();
    }
    f.instance_region = Some(hostile.clone());
    let api = answered(&hostile, &hostile, &hostile);
    let mut shown = Vec::new();
    for e in ENTRIES {
        for &case in ALL_CASES {
            for origin in [Origin::Predicted, Origin::Answered(&api, None)] {
                shown.push(for_code(e.code, case, Severity::Error, &subject(&f), origin).detail);
            }
        }
    }
    shown.push(apply_error(&f, &hostile, Case::Default, &api).detail);
    for (s, _) in SITUATIONS {
        shown.push(for_situation(*s, Severity::Error, &subject(&f), &[]).detail);
    }
    for detail in shown {
        for line in detail.lines() {
            assert!(!line.starts_with("Apply complete!"), "{line}");
            assert!(!line.chars().any(|c| c.is_control()), "{line:?}");
        }
        assert!(detail.chars().count() < 3000, "not cut: {detail}");
    }
    let d = apply_error(&f, codes::INVALID_NIC_STATUS, Case::Default, &api).detail;
    assert!(
        d.contains("\\x1b[2J\\x1b]0;pwned\\x07\\nApply complete!"),
        "{d}"
    );
    assert!(d.contains("… (cut: 3050 characters in all)"), "{d}");
}

#[test]
fn ids_from_state_or_import_are_shown_by_the_rule_and_a_missing_one_as_not_given() {
    let s = Subject {
        nic_id: "nic-1\u{1b}[2J",
        instance_id: NOT_GIVEN,
        op: Op::Import,
        facts: None,
    };
    let d = for_situation(Situation::ImportNicMissing, Severity::Error, &s, &[]).detail;
    assert!(
        d.contains("the ID \"nic-1\\x1b[2J\" (instance: (not given))"),
        "{d}"
    );
}

#[test]
fn an_expired_signature_gets_advice_for_the_credentials_in_use() {
    let f = facts();
    let mut api = answered(codes::AUTHFAILURE_SIGNATURE_EXPIRED, "expired", "R");
    let render = |api: &ApiError| apply_error(&f, &api.code, Case::Default, api).detail;
    api.sent_with = Some(CredentialKind::AccessKey);
    let d = render(&api);
    assert!(d.contains("Synchronise this machine's clock"), "{d}");
    assert!(
        !d.contains("token") && !d.contains("TOKEN"),
        "no token advice: {d}"
    );
    api.sent_with = Some(CredentialKind::Token);
    let d = render(&api);
    assert!(d.contains("Create a new access token"), "{d}");
    assert!(d.contains("clock is not the cause"), "{d}");
    assert!(
        !d.contains("Synchronise") && !d.contains("access_key"),
        "no key-pair advice: {d}"
    );
    api.sent_with = None;
    let d = render(&api);
    assert!(
        d.contains("If the request was signed with an access key pair"),
        "{d}"
    );
    assert!(d.contains("If it carried an access token"), "{d}");
}

#[test]
fn advice_to_move_a_nic_with_terraform_first_says_it_detaches_it_from_its_instance() {
    let f = facts();
    let attached = predicted(
        &f,
        codes::INVALID_NIC_ATTACHED,
        Case::Default,
        Severity::Error,
    )
    .detail;
    let elsewhere = for_situation(
        Situation::ImportElsewhere,
        Severity::Error,
        &subject(&f),
        &[],
    )
    .detail;
    for (d, suggestion) in [
        (&attached, "terraform import"),
        (&elsewhere, "change `instance_id`"),
    ] {
        let warning = d.find("DETACHES THE NIC FROM").unwrap_or(usize::MAX);
        let advice = d.find(suggestion).unwrap_or(0);
        assert!(warning < advice, "the warning comes first: {d}");
        assert!(d.contains("someone else may be running"), "{d}");
    }
    assert!(
        attached.contains("DETACHES THE NIC FROM INSTANCE ins-2"),
        "{attached}"
    );
}
