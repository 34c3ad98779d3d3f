//! The message catalogue as data, for the reference documentation. `tests/docs.rs` renders it
//! into `docs/resources/nic_attachment.md` and fails when the page and the catalogue differ, so
//! the documented messages are the ones users see.

use super::catalogue::{Case, ENTRIES, GENERIC, SITUATIONS, Text, fill};
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

/// A [`CatalogueMessage`] template with each `{name}` replaced by `vars(name)` (names it has
/// no value for stay as written) and `{{`/`}}` as literal braces: the provider's own filling,
/// so a page rendering the templates reads them as the provider does.
pub fn fill_template(template: &str, vars: &dyn Fn(&str) -> Option<String>) -> String {
    fill(template, vars)
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
        out.push(message(None, situation.condition(), text));
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

/// A diagnostic the provider gives without an API code: a setting or input it cannot use,
/// missing credentials, a provider that could not be set up. `tests/docs.rs` finds every
/// summary the provider's code constructs and fails when one is missing here, so the docs
/// list every diagnostic the provider can emit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OtherDiagnostic {
    /// The summary line; `<name>` stands for a part that names the setting or argument.
    pub summary: &'static str,
    /// `Error` or `Warning`.
    pub severity: &'static str,
    /// The argument Terraform underlines, if any.
    pub attribute: Option<&'static str>,
    /// When it appears and what to do, in one sentence or two.
    pub when: &'static str,
}

const fn other(
    summary: &'static str,
    severity: &'static str,
    attribute: Option<&'static str>,
    when: &'static str,
) -> OtherDiagnostic {
    OtherDiagnostic {
        summary,
        severity,
        attribute,
        when,
    }
}

/// Every diagnostic outside the catalogue, grouped as the docs list them: the provider block,
/// the resource's arguments, setup and import, then the generic engine's and the protocol's.
pub fn other_diagnostics() -> &'static [OtherDiagnostic] {
    const ALL: &[OtherDiagnostic] = &[
        other(
            "Invalid <setting>",
            "Error",
            Some("the setting"),
            "A provider argument holds a value the provider cannot use. `<setting>` names it: \
             access key ID, access key password, access token, Zenlayer API domain, Zenlayer API \
             scheme, client timeout, retry count, plan checks mode or CA bundle. The detail says what is \
             wrong and which values are accepted; secrets are never repeated.",
        ),
        other(
            "Invalid <setting> in <ZENLAYERCLOUD_VARIABLE>",
            "Error",
            None,
            "The same, for a value read from the setting's environment variable because the \
             argument is not set. Fix or unset the variable, or set the argument.",
        ),
        other(
            "Both an access token and an access key pair are set: the token is used",
            "Warning",
            None,
            "The provider block or the environment sets an access token and (part of) an access \
             key pair, and by the documented precedence the token is used. Remove the \
             credentials you do not mean to use.",
        ),
        other(
            "No Zenlayer credentials are configured",
            "Error",
            None,
            "Neither an access token nor an access key pair is set, in the provider block or the \
             environment. `terraform validate` does not need credentials; plan and apply do.",
        ),
        other(
            "Incomplete Zenlayer access key pair",
            "Error",
            Some("the missing half"),
            "Only one of `access_key_id` and `access_key_password` is set (in the block or the \
             environment). Set the other, or use an access token instead.",
        ),
        other(
            "Plain HTTP is allowed only to this machine",
            "Error",
            Some("scheme"),
            "`scheme = \"http\"` (or ZENLAYERCLOUD_SCHEME=http) with a `domain` that is not this \
             machine (`localhost`, `127.0.0.0/8`, `::1`): the token, or signed requests that \
             could be replayed for five minutes, would cross the network in clear text. Use \
             `https`, or run zenlayer-sim on a loopback address.",
        ),
        other(
            "The Zenlayer API client could not be set up",
            "Error",
            None,
            "The settings are valid one by one, but the API client cannot be built from them \
             (for example a `domain` that does not fit in a URL, or a proxy variable such as \
             HTTPS_PROXY that is not an HTTP(S) proxy URL). The detail gives the reason.",
        ),
        other(
            "The provider configuration is not known yet",
            "Error",
            None,
            "The provider block uses values known only after apply, and a resource needs the API \
             in this run. Give the block values known at plan time, or apply the resources it \
             depends on first with `-target`.",
        ),
        other(
            "The provider is not configured",
            "Error",
            None,
            "A resource was used before the provider was configured, or configuring it failed; \
             the errors above this one say why.",
        ),
        other(
            "Invalid NIC ID",
            "Error",
            Some("nic_id"),
            "`nic_id` (or the `id` of `data \"zenlayer_nic\"`) is empty, holds whitespace, a \
             control character or `:`, or is longer than a Zenlayer ID can be. Found by \
             `terraform validate`, without calling the API.",
        ),
        other(
            "Invalid instance ID",
            "Error",
            Some("instance_id"),
            "The same checks, for `instance_id`.",
        ),
        other(
            "Invalid create timeout",
            "Error",
            Some("timeouts.create"),
            "`timeouts.create` is not a Go-style duration such as `10m` or `1h30m`, is zero or \
             negative, or is longer than a week.",
        ),
        other(
            "Invalid delete timeout",
            "Error",
            Some("timeouts.delete"),
            "The same checks, for `timeouts.delete`.",
        ),
        other(
            "The NIC or instance ID is not known",
            "Error",
            None,
            "Terraform asked to create an attachment whose `nic_id` or `instance_id` was still \
             unknown. Terraform never does this; it would be a bug, to report.",
        ),
        other(
            "Invalid import ID",
            "Error",
            None,
            "The ID given to `terraform import` (or an `import` block) is not `<nic_id>:<instance_id>` \
             or `<nic_id>`, or one of its IDs fails the checks above.",
        ),
        // The NIC data sources.
        other(
            "Both `id` and `name` are set",
            "Error",
            Some("name"),
            "`data \"zenlayer_nic\"` finds a NIC by `id` or by `name`, not both. Found by \
             `terraform validate`.",
        ),
        other(
            "Neither `id` nor `name` is set",
            "Error",
            None,
            "`data \"zenlayer_nic\"` needs one of them. To search by other filters, use \
             `data \"zenlayer_nics\"`. Found by `terraform validate`.",
        ),
        other(
            "No NIC matches the search",
            "Error",
            None,
            "`data \"zenlayer_nic\"` found no NIC with the given `id` or exact `name` (and \
             `region_id`, if set); the detail names the filters used. `zenlayer_nics` returns \
             an empty list instead.",
        ),
        other(
            "Several NICs match the name",
            "Error",
            Some("name"),
            "More than one NIC has the exact `name` (in `region_id`, if set). The detail lists \
             up to 20 of them with their ID, region and status, and counts the rest. Use `id`, \
             add `region_id`, or make the names unique.",
        ),
        other(
            "Invalid regular expression",
            "Error",
            Some("name_regex"),
            "`name_regex` of `data \"zenlayer_nics\"` does not parse (or is too large to \
             compile). The detail says what is wrong and points at the character where it \
             fails. Found by `terraform validate`.",
        ),
        other(
            "Invalid filter value",
            "Error",
            Some("the filter"),
            "`status` or `nic_type` of `data \"zenlayer_nics\"` is a value the API does not \
             know; the detail lists those it does. Found by `terraform validate`.",
        ),
        // The generic engine and the protocol layer: Terraform and the provider disagreeing,
        // state this version cannot read, and the provider's own bugs.
        other(
            "Unknown <kind> type",
            "Error",
            None,
            "Terraform asked for a resource or data source type this provider does not have, \
             for example a state written by another provider. The detail lists the types it \
             has.",
        ),
        other(
            "Import is not supported",
            "Error",
            None,
            "Import was asked of a resource type that cannot be imported. \
             `zenlayer_nic_attachment` can be, so this provider does not give it today.",
        ),
        other(
            "Stored state could not be read",
            "Error",
            None,
            "The state holds a value this provider cannot decode; the detail says what is wrong \
             with it.",
        ),
        other(
            "State written by a newer provider",
            "Error",
            None,
            "The state's schema version is newer than this provider knows. Use the provider \
             version that wrote it, or a newer one.",
        ),
        other(
            "State too old to read",
            "Error",
            None,
            "The state was last written by Terraform 0.11 or older, in a format this provider \
             does not read. Refresh it with a Terraform version of that time first.",
        ),
        other(
            "Invalid request from Terraform",
            "Error",
            None,
            "Terraform sent something the provider could not decode; the Terraform version in \
             use may be too new or too old for this provider.",
        ),
        other(
            "Provider produced an invalid plan",
            "Error",
            None,
            "A bug in the provider: its plan broke one of Terraform's rules. The provider \
             reports it (naming the attribute and the rule) before Terraform would. Report it.",
        ),
        other(
            "Provider produced an invalid result",
            "Error",
            None,
            "A bug in the provider: an apply returned values that do not match the plan, or \
             none. Report it.",
        ),
        other(
            "Provider produced unreadable private data",
            "Error",
            None,
            "At apply, a create could not read back the errors its final plan carried to it \
             (see \"Checks at apply\" above). Nothing was sent to the API. Apply again; report it \
             if it repeats.",
        ),
        other(
            "Provider produced an invalid object",
            "Error",
            None,
            "A bug in the provider: a read or import returned an object Terraform cannot store; \
             the state Terraform sent is kept. Report it.",
        ),
        other(
            "Provider imported nothing",
            "Error",
            None,
            "A bug in the provider: an import reported no error but returned no object. Report \
             it.",
        ),
        other(
            "Provider produced a value it cannot send",
            "Error",
            None,
            "A bug in the provider: it could not encode a value for Terraform. Report it.",
        ),
        other(
            "Provider internal error",
            "Error",
            None,
            "A bug in the provider: a request handler panicked. The process lives on and answers \
             the next request. Report it, with the detail.",
        ),
        other(
            "Invalid import identity",
            "Error",
            Some("the identity attribute"),
            "An `import` block's `identity` (Terraform 1.12 or later) misses `nic_id` or holds a \
             malformed ID. The detail names the attribute and the expected form.",
        ),
        other(
            "Import by identity is not supported",
            "Error",
            None,
            "The resource type has no identity, so an `import` block must give `id` instead.",
        ),
        other(
            "Resource identity is not supported",
            "Error",
            None,
            "Terraform sent an identity for a resource type that has none. Report it.",
        ),
        other(
            "Identity written by a newer provider",
            "Error",
            None,
            "The state holds an identity of a later version than this provider knows. Use the \
             provider version that wrote it, or a newer one.",
        ),
        other(
            "Unsupported <kind>",
            "Error",
            None,
            "Terraform asked for an ephemeral resource, action, function or list resource type \
             this provider does not have. Check the type name, or upgrade the provider.",
        ),
        other(
            "Provider produced an invalid identity",
            "Error",
            None,
            "A bug in the provider: an identity it returned does not fit its identity schema or \
             changed during the object's life. Report it.",
        ),
        other(
            "No object to write configuration for",
            "Error",
            None,
            "`terraform query -generate-config-out` asked for the configuration of an object it \
             did not send. Report it, with the Terraform version.",
        ),
        other(
            "Stored identity cannot be upgraded",
            "Error",
            None,
            "The state holds an identity of a version this provider cannot turn into the \
             current one. Use the provider version that wrote it.",
        ),
        other(
            "Stored identity could not be read",
            "Error",
            None,
            "The identity stored in state is not valid for the resource's identity schema. \
             Report it, with the state entry.",
        ),
        other(
            "Moving resources is not supported",
            "Error",
            None,
            "A `moved` block moves a resource of another type into a resource type that accepts \
             no moves. `zenlayer_nic_attachment` accepts them from the official provider, so \
             this provider does not give it today.",
        ),
        other(
            "Unsupported move source",
            "Error",
            None,
            "A `moved` block (Terraform 1.8 or later) moves a resource of a type other than the \
             official provider's `zenlayercloud_zec_vnic_attachment` into \
             `zenlayer_nic_attachment`. The detail names it; remove the block and take the \
             object over with `removed` and `import` instead.",
        ),
        other(
            "Source state written by a newer provider",
            "Error",
            None,
            "The `zenlayercloud_zec_vnic_attachment` being moved was stored under a schema \
             version newer than this provider can convert. Take it over with `removed` and \
             `import` instead.",
        ),
        other(
            "Source state cannot be moved",
            "Error",
            None,
            "Terraform sent the object being moved without its attributes (state last written by \
             Terraform 0.11). Refresh it with its own provider, or use `removed` and `import`.",
        ),
        other(
            "Cannot move this attachment",
            "Error",
            None,
            "The `zenlayercloud_zec_vnic_attachment` being moved has no ID, an ID that is not \
             `<vnic_id>:<instance_id>`, or a `vnic_id`/`instance_id` that disagrees with its ID. \
             The detail names the value; nothing is changed. Take the attachment over with \
             `removed` and `import` instead.",
        ),
    ];
    ALL
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
        Case::SignedWithKeyPair => "the refused request was signed with an access key pair",
        Case::SentWithToken => "the refused request carried an access token",
        Case::StillAttached => {
            "a detach was refused as having nothing to detach, yet the NIC, read again, is still \
             on this resource's instance"
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
