//! The message catalogue as data, for the reference documentation. `tests/docs.rs` renders it
//! into `docs/resources/nic_attachment.md` and fails when the page and the catalogue differ, so
//! the documented messages are the ones users see.

use super::catalogue::{Case, ENTRIES, GENERIC, SITUATIONS, Situation, Text};
use super::config::CREDENTIAL_SETTINGS_TEXT;

/// One message a user can meet, with its templates. Observed values appear as `{name}`
/// placeholders (`{{`/`}}` are literal braces); the credential settings are spelled out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogueMessage {
    /// The Zenlayer API code behind it; `None` for situations the provider meets itself and for
    /// the fallback used for codes the catalogue does not list.
    pub code: Option<&'static str>,
    /// When this text is shown: empty for a code's main text, otherwise the condition that
    /// selects this variant (or situation).
    pub when: &'static str,
    /// The diagnostic's summary line.
    pub summary: &'static str,
    /// What happened, as the diagnostic's detail says it.
    pub detail: String,
    /// What to do about it (the detail's second paragraph).
    pub fix: String,
    /// The attribute Terraform underlines, if the message is about one input.
    pub attribute: Option<&'static str>,
}

/// Every message in catalogue order: each API code's main text and its variants, then the
/// fallback for unlisted codes, then the situations without an API code.
pub fn catalogue_messages() -> Vec<CatalogueMessage> {
    let mut out = Vec::new();
    for entry in ENTRIES {
        out.push(message(Some(entry.code), "", &entry.text));
        for (case, text) in entry.cases {
            out.push(message(Some(entry.code), case_condition(*case), text));
        }
    }
    out.push(message(
        None,
        "the API answers with a code this provider version does not list",
        &GENERIC,
    ));
    for (situation, text) in SITUATIONS {
        out.push(message(None, situation_condition(*situation), text));
    }
    out
}

fn message(code: Option<&'static str>, when: &'static str, t: &Text) -> CatalogueMessage {
    let spell = |s: &str| s.replace("{credential_settings}", CREDENTIAL_SETTINGS_TEXT);
    CatalogueMessage {
        code,
        when,
        summary: t.summary,
        detail: spell(t.detail),
        fix: spell(t.fix),
        attribute: t.input.attribute(),
    }
}

/// The condition under which a variant replaces its code's main text.
fn case_condition(case: Case) -> &'static str {
    match case {
        Case::Default => "",
        Case::WillWait => {
            "the NIC or instance is in a state it leaves by itself; apply waits for it"
        }
        Case::Blocking => {
            "the NIC or instance is in a state that does not change until someone acts"
        }
        Case::UnknownStatus => "the API reports a state this provider version does not know",
        Case::AttachedHere => {
            "the NIC is already attached to this very instance, and no resource in the state \
             manages that attachment"
        }
        Case::MovedByHand => {
            "the NIC this attachment held was moved to another instance outside Terraform"
        }
        Case::HeldByOther => {
            "the NIC is attached elsewhere by an attachment another resource in the state manages"
        }
        Case::Primary => "the NIC is an instance's primary NIC",
        Case::NicMissing => "the NIC is the resource that was not found",
        Case::InstanceMissing => "the instance is the resource that was not found",
        Case::StillAttached => {
            "a detach was refused as having nothing to detach, yet the NIC, read again, is still \
             on this resource's instance"
        }
    }
}

/// When the provider reports a situation that has no API code behind it.
fn situation_condition(situation: Situation) -> &'static str {
    match situation {
        Situation::PreAttachTimeout => {
            "`timeouts.create` ran out while waiting for the NIC or instance to be ready, before \
             anything was attached"
        }
        Situation::PreAttachStopped => {
            "Terraform was interrupted while waiting for the NIC or instance, before anything was \
             attached"
        }
        Situation::AttachTimeout => {
            "the attach was accepted, but the NIC did not become `USED` within `timeouts.create`"
        }
        Situation::AttachStopped => "Terraform was interrupted while the NIC was attaching",
        Situation::AttachReverted => {
            "the NIC went back to `AVAILABLE` after `ATTACHING` instead of becoming `USED`"
        }
        Situation::AttachDiverted => {
            "the NIC ended up on another instance, or in a state it cannot be attached from, while \
             being attached"
        }
        Situation::NicVanished => "the NIC was deleted while the provider waited for it",
        Situation::AttachUnconfirmed => {
            "the answer to the attach request was lost and the NIC does not show the attachment"
        }
        Situation::PreDetachTimeout => {
            "`timeouts.delete` ran out while waiting for the NIC or instance to be ready, before \
             anything was detached"
        }
        Situation::DetachTimeout => {
            "the detach was accepted, but the NIC did not become `AVAILABLE` within \
             `timeouts.delete`"
        }
        Situation::DetachStopped => "Terraform was interrupted while the NIC was detaching",
        Situation::Unreachable => {
            "no answer came from the API: the connection failed, or the provider gave up retrying"
        }
        Situation::UnexpectedAnswer => {
            "something answered that is not the Zenlayer API (a proxy, a firewall, a captive \
             portal)"
        }
        Situation::ChecksSkipped => {
            "plan checks could not read the API (a warning; the plan goes on)"
        }
        Situation::ClaimedTwice => {
            "two attachments planned in the same run name the same NIC (found without calling the \
             API)"
        }
        Situation::ImportNicMissing => "`terraform import` named a NIC that does not exist",
        Situation::ImportNotAttached => {
            "`terraform import` named a NIC that is not attached to any instance"
        }
        Situation::MovedWithoutBlock => {
            "a planned create keeps an attachment that another object of this state gives up \
             in the same run (a warning; nothing is detached)"
        }
        Situation::MoveUnsafe => {
            "the same, but the old object's destroy was planned before the create, so the apply \
             would detach the NIC"
        }
        Situation::HeldByKept => {
            "the NIC is attached and held by another resource of this state that stays"
        }
        Situation::OwnedElsewhere => {
            "at apply, the NIC is already attached and nothing in this state hands it over"
        }
        Situation::ChecksDeferred => {
            "the provider configuration is unknown at plan time (a warning, once per run)"
        }
        Situation::ImportElsewhere => {
            "`terraform import` named a NIC and an instance, but the NIC is attached to another \
             instance"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_situation_and_variant_is_listed_once() {
        let messages = catalogue_messages();
        let variants: usize = ENTRIES.iter().map(|e| 1 + e.cases.len()).sum();
        assert_eq!(messages.len(), variants + 1 + SITUATIONS.len());
        for entry in ENTRIES {
            let main: Vec<_> = messages
                .iter()
                .filter(|m| m.code == Some(entry.code) && m.when.is_empty())
                .collect();
            assert_eq!(main.len(), 1, "{}", entry.code);
            assert_eq!(main[0].summary, entry.text.summary);
        }
        for m in messages.iter().filter(|m| m.code.is_none()) {
            assert!(!m.when.is_empty(), "{}: no condition", m.summary);
        }
    }

    #[test]
    fn credential_settings_are_spelled_out() {
        for m in catalogue_messages() {
            assert!(
                !m.detail.contains("{credential_settings}")
                    && !m.fix.contains("{credential_settings}"),
                "{}",
                m.summary
            );
        }
        let auth = catalogue_messages()
            .into_iter()
            .find(|m| m.code == Some("AUTHFAILURE_SIGNATURE_FAILURE"))
            .expect("the signature failure has an entry");
        assert!(
            auth.fix.contains("ZENLAYERCLOUD_ACCESS_KEY_PASSWORD"),
            "{}",
            auth.fix
        );
    }
}
