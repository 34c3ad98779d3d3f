//! Rendering: a text, the subject and the observed facts into one diagnostic.

use super::{Case, ENTRIES, Entry, GENERIC, Op, SITUATIONS, Situation, Text};
use crate::framework::{Diagnostic, Severity};
use crate::provider::checks::facts::{self, Facts};
use crate::provider::config::CREDENTIAL_SETTINGS_TEXT;
use crate::untrusted::{quoted, word};
use crate::zenlayer::models::{InstanceStatus, NicInfo, NicStatus};
use crate::zenlayer::{ApiError, Caller, CredentialKind, Error};

/// The instance ID of a subject when the user gave none (an import by NIC ID alone): the
/// provider's words, shown as they are, where a given ID is shown by the rule for outside text.
pub(crate) const NOT_GIVEN: &str = "(not given)";

/// An ID from the configuration, an import ID or the state, for a message.
fn id_text(id: &str) -> String {
    if id == NOT_GIVEN {
        id.to_owned()
    } else {
        word(id)
    }
}

/// Who the message is about.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Subject<'a> {
    pub nic_id: &'a str,
    pub instance_id: &'a str,
    pub op: Op,
    /// What was observed, if anything could be.
    pub facts: Option<&'a Facts>,
}

/// Where a code-based message comes from.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Origin<'a> {
    /// Predicted by a plan check from the facts.
    Predicted,
    /// The API answered a call with this error (its code, message and request id), and the
    /// API action called, when known (the text may name it).
    Answered(&'a ApiError, Option<&'a str>),
}

impl<'a> Origin<'a> {
    /// The API's answer, unless the message is a prediction.
    fn answer(self) -> Option<&'a ApiError> {
        match self {
            Origin::Predicted => None,
            Origin::Answered(api, _) => Some(api),
        }
    }
}

/// The entry for `code`, if the catalogue explains it.
pub(crate) fn entry(code: &str) -> Option<&'static Entry> {
    ENTRIES.iter().find(|e| e.code == code)
}

/// The diagnostic for API code `code` in situation `case`.
pub(crate) fn for_code(
    code: &str,
    case: Case,
    severity: Severity,
    subject: &Subject<'_>,
    origin: Origin<'_>,
) -> Diagnostic {
    let case = match (case, origin.answer()) {
        (Case::Default, Some(api)) => match api.sent_with {
            Some(CredentialKind::AccessKey) => Case::SignedWithKeyPair,
            Some(CredentialKind::Token) => Case::SentWithToken,
            None => Case::Default,
        },
        _ => case,
    };
    let t = entry(code).map_or(&GENERIC, |e| e.variant(case));
    let action = match origin {
        Origin::Answered(_, Some(action)) => word(action),
        _ => "(not named)".to_owned(),
    };
    let extras = [("code", word(code)), ("action", action)];
    let mut detail = body(t, subject, &extras);
    if code.starts_with(AUTH_CODE_PREFIX)
        && let Some(ApiError {
            caller: Some(caller),
            ..
        }) = origin.answer()
    {
        detail.push_str(&format!("\n\n{}", caller_text(caller)));
    }
    detail.push_str(&format!("\n\nZenlayer API code: {}", word(code)));
    // What the API itself said comes last, next to its code and request id, and marked as
    // the API's: the provider's reading above, the vendor's words here. A prediction has none.
    if let Some(api) = origin.answer() {
        let rid = if api.request_id.is_empty() {
            "(none given)".to_owned()
        } else {
            word(&api.request_id)
        };
        detail.push_str(&format!(", request id: {rid}"));
        if api.message.is_empty() {
            detail.push_str("\nThe API gave no message.");
        } else {
            detail.push_str(&format!("\nThe API said: {}", quoted(&api.message)));
        }
    }
    finish(t, severity, detail)
}

/// The codes about credentials; their diagnostics say which credentials were refused.
const AUTH_CODE_PREFIX: &str = "AUTHFAILURE_";

/// Which credentials a refused request carried and where it went: with several provider
/// aliases, this tells which one failed. The key ID is not secret; the password never
/// reaches here.
fn caller_text(caller: &Caller) -> String {
    let who = match &caller.key_id {
        Some(id) => format!("the access key ID {}", quoted(id)),
        None => "an access token".to_owned(),
    };
    format!(
        "The refused request was sent with {who} to the API at {}.",
        quoted(&caller.domain)
    )
}

/// The diagnostic for a situation; `extras` fill its situation-specific placeholders.
pub(crate) fn for_situation(
    situation: Situation,
    severity: Severity,
    subject: &Subject<'_>,
    extras: &[(&str, String)],
) -> Diagnostic {
    let t = situation_text(situation);
    let detail = body(t, subject, extras);
    finish(t, severity, detail)
}

/// The diagnostic for a failed API call: its code's entry when the API answered with one,
/// otherwise the situation (unreachable, unexpected answer) with the client's explanation.
pub(crate) fn for_error(e: &Error, case: Case, subject: &Subject<'_>) -> Diagnostic {
    if let Some(api) = e.api_error() {
        let origin = Origin::Answered(api, Some(e.action()));
        return for_code(&api.code, case, Severity::Error, subject, origin);
    }
    let situation = match e {
        Error::UnexpectedResponse { .. } => Situation::UnexpectedAnswer,
        Error::GaveUp {
            last: Some(last), ..
        } if matches!(**last, Error::UnexpectedResponse { .. }) => Situation::UnexpectedAnswer,
        _ => Situation::Unreachable,
    };
    for_situation(
        situation,
        Severity::Error,
        subject,
        &[("reason", e.to_string())],
    )
}

pub(crate) fn situation_text(situation: Situation) -> &'static Text {
    SITUATIONS
        .iter()
        .find(|(s, _)| *s == situation)
        .map(|(_, t)| t)
        .unwrap_or(&GENERIC)
}

fn finish(t: &Text, severity: Severity, detail: String) -> Diagnostic {
    let d = match severity {
        Severity::Error => Diagnostic::error(t.summary, detail),
        Severity::Warning => Diagnostic::warning(t.summary, detail),
    };
    match t.input.path() {
        Some(p) => d.at(p),
        None => d,
    }
}

fn body(t: &Text, subject: &Subject<'_>, extras: &[(&str, String)]) -> String {
    let vars = |name: &str| -> Option<String> {
        if let Some((_, v)) = extras.iter().find(|(k, _)| *k == name) {
            return Some(v.clone());
        }
        var(subject, name)
    };
    format!("{}\n\n{}", fill(t.detail, &vars), fill(t.fix, &vars))
}

/// The value of a standard placeholder, from the subject and its facts.
fn var(s: &Subject<'_>, name: &str) -> Option<String> {
    let nic = s.facts.and_then(|f| f.nic.as_ref());
    let instance = s.facts.and_then(|f| f.instance.as_ref());
    let unseen = || "(not observed)".to_owned();
    Some(match name {
        "nic_id" => id_text(s.nic_id),
        "instance_id" => id_text(s.instance_id),
        "op" => s.op.verb().to_owned(),
        "credential_settings" => CREDENTIAL_SETTINGS_TEXT.to_owned(),
        "nic_status" => nic.map_or_else(unseen, |n| facts::status_text(n.status.as_str())),
        "nic_instance" => nic
            .and_then(NicInfo::named_instance)
            .map_or_else(|| "(an instance the API did not name)".to_owned(), word),
        "nic_region" => nic
            .map(|n| n.region_id.as_str())
            .filter(|r| !r.is_empty())
            .map_or_else(unseen, word),
        "nic_state" => match s.facts {
            Some(f) => facts::describe_nic(f.nic.as_ref()),
            None => unseen(),
        },
        "instance_status" => {
            instance.map_or_else(unseen, |i| facts::status_text(i.status.as_str()))
        }
        "instance_state" => match s.facts {
            Some(f) => facts::describe_instance(f.instance.as_ref()),
            None => unseen(),
        },
        "nic_in_status" => nic.map_or_else(unseen, nic_in_status),
        "instance_in_status" => instance.map_or_else(unseen, |i| instance_in_status(&i.status)),
        "instance_remedy" => instance_remedy(instance.map(|i| &i.status)).to_owned(),
        "instance_zone" => instance
            .map(|i| i.zone_id.as_str())
            .filter(|z| !z.is_empty())
            .map_or_else(unseen, word),
        "instance_region" => s
            .facts
            .and_then(|f| f.instance_region.as_deref())
            .map_or_else(unseen, word),
        _ => return None,
    })
}

/// `in the PENDING state (still being created)`: a state as a sentence can carry it, with
/// what it means when the code alone says little.
fn in_state(status: &str, meaning: Option<&str>) -> String {
    match (status, meaning) {
        ("", _) => "in no reported state".to_owned(),
        (s, Some(m)) => format!("in the {} state ({m})", word(s)),
        (s, None) => format!("in the {} state", word(s)),
    }
}

fn nic_in_status(nic: &NicInfo) -> String {
    let on = nic.named_instance();
    let meaning = match (&nic.status, on) {
        (NicStatus::Pending, _) => Some("still being created".to_owned()),
        (NicStatus::Detaching, Some(i)) => {
            Some(format!("being detached from instance {}", word(i)))
        }
        (NicStatus::Detaching, None) => Some("being detached".to_owned()),
        _ => None,
    };
    in_state(nic.status.as_str(), meaning.as_deref())
}

fn instance_in_status(status: &InstanceStatus) -> String {
    let meaning = match status {
        InstanceStatus::Booting => Some("starting up"),
        InstanceStatus::Deploying => Some("being created"),
        InstanceStatus::Reboot => Some("rebooting"),
        InstanceStatus::Rebuilding => Some("being rebuilt"),
        InstanceStatus::Resizing => Some("being resized"),
        InstanceStatus::Imaging => Some("an image of it is being made"),
        _ => None,
    };
    in_state(status.as_str(), meaning)
}

/// What to do about an instance whose state blocks attaching NICs until someone acts.
fn instance_remedy(status: Option<&InstanceStatus>) -> &'static str {
    match status {
        Some(InstanceStatus::Stopping) => {
            "The instance is shutting down. Start it again once it is STOPPED (in zenConsole, or \
             with the API's StartInstances), then run Terraform again."
        }
        Some(InstanceStatus::Releasing | InstanceStatus::Recycling) => {
            "The instance is being released and cannot take NICs. Use another instance in \
             `instance_id`, or, if it can still be restored from the recycle bin in zenConsole, \
             restore and start it first."
        }
        Some(InstanceStatus::Recycle) => {
            "The instance is in the recycle bin. Restore and start it in zenConsole, then run \
             Terraform again, or use another instance in `instance_id`."
        }
        Some(InstanceStatus::CreateFailed) => {
            "The instance failed to create and will never run. Use another instance in \
             `instance_id`."
        }
        _ => {
            "Start the instance (in zenConsole, or with the API's StartInstances), then run \
             Terraform again."
        }
    }
}

/// Replaces `{name}` with its value; `{{`/`}}` are literal braces. Unknown names stay as
/// written, so a template mistake shows up in tests rather than as a panic.
pub(crate) fn fill(template: &str, vars: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
        } else if tail.starts_with('{') {
            match tail.find('}') {
                Some(end) => {
                    let name = &tail[1..end];
                    match vars(name) {
                        Some(v) => out.push_str(&v),
                        None => out.push_str(&tail[..=end]),
                    }
                    rest = &tail[end + 1..];
                }
                None => {
                    out.push_str(tail);
                    rest = "";
                }
            }
        } else {
            out.push('}');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}
