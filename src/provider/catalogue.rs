//! The one place that turns a Zenlayer API code (or a situation the provider itself meets, such
//! as a timeout) plus the observed facts into a diagnostic. Plan findings and apply errors both
//! render through it, so what a plan predicts reads exactly like what the apply would report,
//! plus the request id.
//!
//! Every entry is declared once below: a summary in plain words, a detail template naming the
//! observed values, a fix, and the attribute at fault. A code whose meaning depends on the
//! situation (the NIC attached here or elsewhere, a state that passes or never will) carries
//! variants, chosen by the [`Case`] the judge or the apply code determined.
//!
//! Templates name values in braces (`{nic_id}`); `{{` and `}}` stand for literal braces.

use crate::framework::{AttributePath, Diagnostic, Severity};
use crate::provider::checks::facts::{self, Facts};
use crate::provider::config::CREDENTIAL_SETTINGS_TEXT;
use crate::untrusted::{quoted, word};
use crate::zenlayer::models::{InstanceStatus, NicInfo, NicStatus};
use crate::zenlayer::{ApiError, Caller, CredentialKind, Error, codes};

/// The input a diagnostic points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Input {
    Nic,
    Instance,
    /// Not caused by one input (credentials, throttling, …).
    Neither,
}

impl Input {
    /// The argument at fault, as the docs name it.
    pub(crate) fn attribute(self) -> Option<&'static str> {
        match self {
            Input::Nic => Some("nic_id"),
            Input::Instance => Some("instance_id"),
            Input::Neither => None,
        }
    }

    /// Where Terraform points the diagnostic: the argument's line of configuration.
    pub(crate) fn path(self) -> Option<AttributePath> {
        self.attribute().map(AttributePath::root)
    }
}

/// Declares `Case` and `Case::ALL` from one list of variants, so the tests that walk every
/// case cannot leave one out.
macro_rules! cases {
    ($($(#[$doc:meta])* $variant:ident,)*) => {
        /// Which variant of an entry applies.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub(crate) enum Case {
            $($(#[$doc])* $variant,)*
        }

        impl Case {
            /// Every case, in declaration order, for the tests that walk them all.
            #[cfg(test)]
            pub(crate) const ALL: &[Case] = &[$(Case::$variant,)*];
        }
    };
}

cases! {
    /// The entry's main text.
    Default,
    /// A state the resource leaves by itself; apply waits it out.
    WillWait,
    /// A state that blocks the operation until someone acts.
    Blocking,
    /// A state this provider version does not know.
    UnknownStatus,
    /// The NIC is attached to this very instance, and no object in state holds that.
    AttachedHere,
    /// The NIC is attached elsewhere by an attachment another object in state holds.
    HeldByOther,
    /// The NIC is an instance's primary NIC.
    Primary,
    /// For the catch-all not-found code: the NIC is the missing one.
    NicMissing,
    /// For the catch-all not-found code: the instance is the missing one.
    InstanceMissing,
    /// At detach: the API said there was nothing to detach, yet the NIC, read again, is still
    /// on this object's instance.
    StillAttached,
    /// The NIC was this object's, and someone moved it to another instance outside Terraform.
    MovedByHand,
    /// The refused request was signed with an access key pair (chosen from the API's answer).
    SignedWithKeyPair,
    /// The refused request carried an access token (chosen from the API's answer).
    SentWithToken,
}

/// What the provider was doing, as messages say it ("asked to attach NIC …").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    Attach,
    Detach,
    Read,
    Import,
}

impl Op {
    fn verb(self) -> &'static str {
        match self {
            Op::Attach => "attach",
            Op::Detach => "detach",
            Op::Read => "read",
            Op::Import => "import",
        }
    }
}

/// One text: summary, detail template, fix template, and the input at fault.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Text {
    pub summary: &'static str,
    pub detail: &'static str,
    pub fix: &'static str,
    pub input: Input,
}

/// Everything said about one API code.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Entry {
    pub code: &'static str,
    pub text: Text,
    pub cases: &'static [(Case, Text)],
}

impl Entry {
    fn variant(&self, case: Case) -> &Text {
        self.cases
            .iter()
            .find(|(c, _)| *c == case)
            .map(|(_, t)| t)
            .unwrap_or(&self.text)
    }
}

const fn text(
    input: Input,
    summary: &'static str,
    detail: &'static str,
    fix: &'static str,
) -> Text {
    Text {
        summary,
        detail,
        fix,
        input,
    }
}

use Input::{Instance, Neither, Nic};

/// Every API code the provider explains. Codes not listed get [`GENERIC`].
pub(crate) const ENTRIES: &[Entry] = &[
    Entry {
        code: codes::INVALID_NIC_NOT_FOUND,
        text: text(
            Nic,
            "The NIC does not exist",
            "Zenlayer has no NIC with the ID {nic_id}, so it cannot be attached to instance \
             {instance_id}.",
            "Check `nic_id`. The NIC may have been deleted, or it may belong to another Zenlayer \
             account than the one these credentials sign in to.",
        ),
        cases: &[(
            Case::StillAttached,
            text(
                Nic,
                "The NIC is still attached",
                "Zenlayer answered that NIC {nic_id} does not exist when asked to detach it from \
                 instance {instance_id}, but the NIC still shows {nic_state}, after repeated \
                 tries.",
                "The attachment stays in state, so nothing is lost. Run the command again in a few \
                     minutes; if this persists, contact Zenlayer support with the request id \
                     below.",
            ),
        )],
    },
    Entry {
        code: codes::INVALID_INSTANCE_NOT_FOUND,
        text: text(
            Instance,
            "The instance does not exist",
            "Zenlayer has no ZEC instance with the ID {instance_id}, so NIC {nic_id} cannot be \
             attached to it.",
            "Check `instance_id`. The instance may have been released, or it may belong to \
             another Zenlayer account than the one these credentials sign in to.",
        ),
        cases: &[],
    },
    // Points at `nic_id`: the message is about the NIC, which is the piece being placed. The
    // instance runs the workload and its region is where it is; a NIC is made for a region and
    // is cheap to create there, so a new NIC is the usual fix (as the quickstart does). The
    // fix still names both ways out.
    Entry {
        code: codes::INVALID_NIC_INSTANCE_REGION_MISMATCH,
        text: text(
            Nic,
            "The NIC is in another region",
            "NIC {nic_id} is in region {nic_region}, but instance {instance_id} is in region \
             {instance_region} (zone {instance_zone}). A NIC can only be attached to an instance \
             in its own region.",
            "Use a NIC from {instance_region} in `nic_id` (create one there if needed), or, if \
             the NIC is the one to keep, an instance from {nic_region} in `instance_id`.",
        ),
        cases: &[],
    },
    Entry {
        code: codes::INVALID_NIC_STATUS,
        text: text(
            Nic,
            "The NIC is in the wrong state",
            "NIC {nic_id} is {nic_in_status}. Zenlayer attaches only AVAILABLE NICs and detaches \
             only USED ones, so it could not {op} it (instance {instance_id}).",
            "Wait until the NIC has finished its current operation, then run apply again.",
        ),
        cases: &[
            (
                Case::Blocking,
                text(
                    Nic,
                    "The NIC cannot be attached in its state",
                    "NIC {nic_id} is {nic_in_status}. Zenlayer attaches only AVAILABLE NICs, so it \
                     cannot be attached to instance {instance_id}.",
                    "A NIC that failed to create or is being deleted never becomes AVAILABLE. \
                     Create a new NIC and use its ID in `nic_id`.",
                ),
            ),
            (
                Case::WillWait,
                text(
                    Nic,
                    "The NIC is still changing state",
                    "NIC {nic_id} is {nic_in_status}. Zenlayer attaches only AVAILABLE NICs.",
                    "Nothing to do: apply waits (within `timeouts.create`) for the NIC to become \
                     AVAILABLE, then attaches it to instance {instance_id}. If it stays in that \
                     state, look at the NIC in zenConsole.",
                ),
            ),
            (
                Case::UnknownStatus,
                text(
                    Nic,
                    "The NIC is in an unfamiliar state",
                    "NIC {nic_id} reports the state {nic_status}, which this provider version \
                     does not know. Zenlayer attaches only AVAILABLE NICs (instance \
                     {instance_id}).",
                    "Apply will try the attach and report the API's answer. A newer provider \
                     version may know this state.",
                ),
            ),
        ],
    },
    Entry {
        code: codes::OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT,
        text: text(
            Instance,
            "The instance is not running",
            "Instance {instance_id} is {instance_in_status}. Zenlayer attaches and detaches NICs \
             only while the instance is RUNNING, so it could not {op} NIC {nic_id}.",
            "Start the instance, then run apply again.",
        ),
        cases: &[
            (
                Case::Blocking,
                text(
                    Instance,
                    "The instance is not running",
                    "Instance {instance_id} is {instance_in_status}. Zenlayer attaches NICs only to \
                     RUNNING instances, so NIC {nic_id} cannot be attached to it.",
                    "{instance_remedy}",
                ),
            ),
            (
                Case::WillWait,
                text(
                    Instance,
                    "The instance is still changing state",
                    "Instance {instance_id} is {instance_in_status}. Zenlayer attaches NICs only to \
                     RUNNING instances.",
                    "Nothing to do: apply waits (within `timeouts.create`) for the instance to be \
                     RUNNING, then attaches NIC {nic_id}. If it stays in that state, look at the \
                     instance in zenConsole.",
                ),
            ),
            (
                Case::UnknownStatus,
                text(
                    Instance,
                    "The instance is in an unfamiliar state",
                    "Instance {instance_id} reports the state {instance_status}, which this \
                     provider version does not know. Zenlayer attaches NICs only to RUNNING \
                     instances (NIC {nic_id}).",
                    "Apply will try the attach and report the API's answer. A newer provider \
                     version may know this state.",
                ),
            ),
        ],
    },
    Entry {
        code: codes::INVALID_NIC_ATTACHED,
        text: text(
            Nic,
            "The NIC is attached to another instance",
            "NIC {nic_id} is {nic_status} on instance {nic_instance}. A NIC is attached to one \
             instance at a time, so it cannot be attached to instance {instance_id}.",
            "Find out who uses the NIC on {nic_instance} first. If it may go, detach it from \
             {nic_instance} (in zenConsole, or with the API's DetachNetworkInterface), then run \
             Terraform again. Terraform can also move it, but know what that does: moving it \
             DETACHES THE NIC FROM INSTANCE {nic_instance}, which someone else may be running, \
             and that instance loses this network. Only if that is acceptable, import the \
             existing attachment into this resource with `terraform import \
             zenlayer_nic_attachment.<name> {nic_id}:{nic_instance}` (<name> being this \
             resource's name); the next plan then replaces it, detaching the NIC from \
             {nic_instance} and attaching it to {instance_id}.",
        ),
        cases: &[
            (
                Case::AttachedHere,
                text(
                    Nic,
                    "The NIC is already attached to this instance",
                    "NIC {nic_id} is already {nic_status} on instance {instance_id}, but no \
                     zenlayer_nic_attachment in the Terraform state manages that attachment.",
                    "Import the existing attachment instead of creating it: run `terraform \
                     import zenlayer_nic_attachment.<name> {nic_id}:{instance_id}` with <name> \
                     replaced by this resource's name, or (Terraform 1.5 and later) add an \
                     import block:\n\n\
                     import {{\n  to = zenlayer_nic_attachment.<name>\n  id = \
                     \"{nic_id}:{instance_id}\"\n}}",
                ),
            ),
            (
                Case::MovedByHand,
                text(
                    Nic,
                    "The NIC was moved to another instance outside Terraform",
                    "This attachment put NIC {nic_id} on instance {instance_id}, but the NIC is \
                     now {nic_status} on instance {nic_instance}: someone moved it outside \
                     Terraform (a failover, say). Terraform does not move it back on its own, \
                     and a destroy leaves it where it is.",
                    "Choose one. If the move should stay: run `terraform apply -refresh-only` \
                     (state then forgets this attachment), set `instance_id = \
                     \"{nic_instance}\"` here, and import the attachment (`terraform import \
                     zenlayer_nic_attachment.<name> {nic_id}:{nic_instance}`, or an `import` \
                     block on Terraform 1.5 or later). If it should not, move the NIC back to \
                     instance {instance_id} by hand (detach it from {nic_instance} in \
                     zenConsole), then run Terraform again.",
                ),
            ),
            (
                Case::HeldByOther,
                text(
                    Nic,
                    "The NIC is held by another attachment in state",
                    "NIC {nic_id} is {nic_status} on instance {nic_instance}, an attachment that \
                     another zenlayer_nic_attachment in the Terraform state manages. It cannot be \
                     attached to instance {instance_id} while that attachment exists.",
                    "Apply succeeds only if that other attachment lets go of the NIC before this \
                     one is created (<other> below being its name). If this run replaces it (a new \
                     `nic_id` or `instance_id` there), add `depends_on = \
                     [zenlayer_nic_attachment.<other>]` to this resource so that Terraform \
                     detaches it first. If this run removes it from the configuration, destroy \
                     it first with `terraform apply -target=zenlayer_nic_attachment.<other>`, \
                     then apply again.",
                ),
            ),
            (
                Case::Primary,
                text(
                    Nic,
                    "The NIC is an instance's primary NIC",
                    "NIC {nic_id} is the primary NIC of instance {nic_instance}. A primary NIC \
                     stays attached to its instance for the instance's whole life, so it cannot \
                     be attached to instance {instance_id}.",
                    "Use a secondary NIC in `nic_id`; create one in the instance's region if \
                     needed.",
                ),
            ),
        ],
    },
    Entry {
        code: codes::INVALID_INSTANCE_NIC_LIMIT,
        text: text(
            Instance,
            "The instance has no free NIC slot",
            "Instance {instance_id} already has as many NICs as its instance type allows, so NIC \
             {nic_id} cannot be added.",
            "Detach a NIC from the instance, or use an instance type that takes more NICs.",
        ),
        cases: &[],
    },
    Entry {
        code: codes::INVALID_INSTANCE_PRECHECK_ABNORMAL,
        text: text(
            Instance,
            "The instance failed Zenlayer's pre-check",
            "Zenlayer's pre-check of instance {instance_id} (state: {instance_status}) failed \
             when asked to {op} NIC {nic_id}. Zenlayer changes an instance's NICs only while it \
             is RUNNING with its guest agent (QGA) installed and running.",
            "Check that the instance is RUNNING and that its guest agent is installed and \
             running, then run apply again.",
        ),
        cases: &[],
    },
    Entry {
        code: codes::OPERATION_FAILED_RESOURCE_NOT_FOUND,
        text: text(
            Nic,
            "The NIC or the instance was not found",
            "Zenlayer could not find a resource named in the request to {op} NIC {nic_id} \
             (observed: {nic_state}) on instance {instance_id} (observed: {instance_state}).",
            "Check `nic_id` and `instance_id` against the account these credentials belong to.",
        ),
        cases: &[
            (
                Case::NicMissing,
                text(
                    Nic,
                    "The NIC was not found",
                    "Zenlayer could not find NIC {nic_id} when asked to {op} it on instance \
                     {instance_id}.",
                    "Check `nic_id`. The NIC may have been deleted, or it may belong to another \
                     Zenlayer account than the one these credentials sign in to.",
                ),
            ),
            (
                Case::InstanceMissing,
                text(
                    Instance,
                    "The instance was not found",
                    "Zenlayer could not find instance {instance_id} when asked to {op} NIC \
                     {nic_id} on it.",
                    "Check `instance_id`. The instance may have been released, or it may belong \
                     to another Zenlayer account than the one these credentials sign in to.",
                ),
            ),
            (
                Case::StillAttached,
                text(
                    Nic,
                    "The NIC is still attached",
                    "Zenlayer answered that a resource named in the request to detach NIC \
                     {nic_id} does not exist, but the NIC still shows {nic_state} (instance \
                     {instance_id}: {instance_state}), after repeated tries.",
                    "The attachment stays in state, so nothing is lost. Run the command again in a few \
                     minutes; if this persists, contact Zenlayer support with the request id \
                     below.",
                ),
            ),
        ],
    },
    Entry {
        code: codes::INVALID_NIC_PRIMARY_CANT_DETACH,
        text: text(
            Nic,
            "A primary NIC cannot be detached",
            "NIC {nic_id} is the primary NIC of instance {instance_id}, and Zenlayer never \
             detaches a primary NIC.",
            "Stop managing it with Terraform without detaching it: run `terraform state rm \
             zenlayer_nic_attachment.<name>`, or (Terraform 1.7 and later) replace the resource \
             block with a `removed` block that keeps the NIC attached:\n\n\
             removed {{\n  from = zenlayer_nic_attachment.<name>\n\n  lifecycle {{\n    \
             destroy = false\n  }}\n}}\n\n\
             Releasing the instance releases its primary NIC.",
        ),
        cases: &[],
    },
    Entry {
        code: codes::INVALID_NIC_LB_ASSOCIATED,
        text: text(
            Nic,
            "The NIC serves a load balancer",
            "An address of NIC {nic_id} is a backend of a load balancer, so Zenlayer refuses to \
             detach it from instance {instance_id}.",
            "Remove the address from the load balancer's backends, then run apply again.",
        ),
        cases: &[],
    },
    Entry {
        code: codes::OPERATION_DENIED_NIC_NOT_EXIST_INSTANCE,
        text: text(
            Nic,
            "The NIC is not attached to any instance",
            "NIC {nic_id} is not attached to any instance, so there is nothing to detach from \
             instance {instance_id}.",
            "Nothing needs to be done; `terraform plan` refreshes the state.",
        ),
        cases: &[(
            Case::StillAttached,
            text(
                Nic,
                "The NIC is still attached",
                "Zenlayer answered that NIC {nic_id} is not attached to any instance when asked \
                 to detach it from instance {instance_id}, but the NIC still shows {nic_state}, \
                 after repeated tries.",
                "The attachment stays in state, so nothing is lost. Run the command again in a few \
                     minutes; if this persists, contact Zenlayer support with the request id \
                     below.",
            ),
        )],
    },
    Entry {
        code: codes::INVALID_OPERATION_TIMEOUT,
        text: text(
            Neither,
            "The Zenlayer backend timed out",
            "Zenlayer's backend timed out when asked to {op} NIC {nic_id} on instance \
             {instance_id}; the operation may still complete.",
            "Run apply again. The provider reads the NIC first and never repeats an operation \
             that took effect.",
        ),
        cases: &[],
    },
    Entry {
        code: codes::AUTHFAILURE_INVALID_AUTHORIZATION,
        text: text(
            Neither,
            "The API could not read the credentials",
            "The Zenlayer API could not read the credentials sent when asked to {op} NIC \
             {nic_id} on instance {instance_id}.",
            "Check the credential settings: {credential_settings}.",
        ),
        cases: &[],
    },
    Entry {
        code: codes::AUTHFAILURE_SIGNATURE_FAILURE,
        text: text(
            Neither,
            "The API rejected the credentials",
            "The Zenlayer API rejected the credentials of the request to {op} NIC {nic_id} on \
             instance {instance_id}: the access token is wrong, expired or revoked, or the \
             access key password does not belong to the access key ID (or a proxy changed the \
             signed request on its way).",
            "Check the credential settings: {credential_settings}.",
        ),
        cases: &[],
    },
    Entry {
        code: codes::AUTHFAILURE_SIGNATURE_EXPIRED,
        text: text(
            Neither,
            "The request signature has expired",
            "The Zenlayer API refused the request to {op} NIC {nic_id} on instance {instance_id} \
             because its timestamp is more than five minutes away from the API's clock.",
            "If the request was signed with an access key pair (`access_key_id` and \
             `access_key_password`), synchronise this machine's clock (for example with NTP) \
             and run again. If it carried an access token (`access_token`), the clock plays no \
             part: create a new token in zenConsole.",
        ),
        cases: &[
            (
                Case::SignedWithKeyPair,
                text(
                    Neither,
                    "The request signature has expired",
                    "The Zenlayer API refused the request to {op} NIC {nic_id} on instance \
                     {instance_id} because its timestamp is more than five minutes away from \
                     the API's clock. Requests signed with the access key pair carry this \
                     machine's time.",
                    "Synchronise this machine's clock (for example with NTP), then run again.",
                ),
            ),
            (
                Case::SentWithToken,
                text(
                    Neither,
                    "The request signature has expired",
                    "The Zenlayer API answered that the request to {op} NIC {nic_id} on instance \
                     {instance_id} has expired. The request carried an access token, which is \
                     sent without a timestamp, so this machine's clock is not the cause: the \
                     token itself has most likely expired.",
                    "Create a new access token in zenConsole and set it in `access_token` (or \
                     the ZENLAYERCLOUD_ACCESS_TOKEN environment variable), then run again.",
                ),
            ),
        ],
    },
    Entry {
        code: codes::AUTHFAILURE_UNAUTHORIZED_OPERATION,
        text: text(
            Neither,
            "The credentials are not allowed this API action",
            "The Zenlayer API refused the action {action}, which the provider called to {op} NIC \
             {nic_id} on instance {instance_id}: the policy of these credentials does not \
             include the permission for it.",
            "Grant the permission for the ZEC action {action} to the access key's member (or \
             the token) in zenConsole, under Member & Permission, or use other credentials: \
             {credential_settings}. The provider documentation lists the actions each Terraform \
             command calls.",
        ),
        cases: &[],
    },
    Entry {
        code: codes::REQUEST_LIMIT_EXCEEDED,
        text: text(
            Neither,
            "The Zenlayer API is throttling requests",
            "The API kept refusing the request to {op} NIC {nic_id} on instance {instance_id} \
             because too many requests were sent, even after the provider's retries.",
            "Run again later or with a lower `-parallelism`, or raise `max_retries` \
             (ZENLAYERCLOUD_MAX_RETRIES).",
        ),
        cases: &[],
    },
    Entry {
        code: codes::SERVICE_TEMPORARY_UNAVAILABLE,
        text: text(
            Neither,
            "The Zenlayer API is temporarily unavailable",
            "The API was unavailable when asked to {op} NIC {nic_id} on instance {instance_id}, \
             even after the provider's retries.",
            "Run again in a few minutes; check Zenlayer's status page if it persists.",
        ),
        cases: &[],
    },
    Entry {
        code: codes::INTERNAL_SERVER_ERROR,
        text: text(
            Neither,
            "The Zenlayer API had an internal error",
            "The API failed internally when asked to {op} NIC {nic_id} on instance \
             {instance_id}, even after the provider's retries.",
            "Run again; if it persists, contact Zenlayer support with the request id below.",
        ),
        cases: &[],
    },
    Entry {
        code: codes::REQUEST_TIMED_OUT,
        text: text(
            Neither,
            "The Zenlayer API timed out the request",
            "The API timed out the request to {op} NIC {nic_id} on instance {instance_id}.",
            "Run again. The provider reads the NIC first and never repeats an operation that \
             took effect.",
        ),
        cases: &[],
    },
];

/// For codes the catalogue does not know: still readable, with the API's own message.
pub(crate) const GENERIC: Text = text(
    Neither,
    "The Zenlayer API refused the request",
    "Zenlayer refused to {op} NIC {nic_id} on instance {instance_id} with the code {code}, \
     which this provider version does not explain.",
    "Read what the API said, next to the code below. If it persists, contact Zenlayer support \
     with the request id.",
);

/// Declares `Situation` and `Situation::ALL` from one list of variants, so a walk over every
/// situation (the docs, the tests) cannot leave one out.
macro_rules! situations {
    ($($(#[$doc:meta])* $variant:ident,)*) => {
        /// Situations the provider meets itself, with no API code behind them.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub(crate) enum Situation {
            $($(#[$doc])* $variant,)*
        }

        impl Situation {
            /// Every situation, in declaration order, for the tests that walk them all.
            #[cfg(test)]
            pub(crate) const ALL: &[Situation] = &[$(Situation::$variant,)*];
        }
    };
}

situations! {
    /// Waiting for the NIC or instance to settle before attaching timed out.
    PreAttachTimeout,
    /// Stop arrived before anything was attached.
    PreAttachStopped,
    /// The attach was accepted but did not reach USED in time.
    AttachTimeout,
    /// Stop arrived while the NIC was attaching.
    AttachStopped,
    /// The NIC fell back to AVAILABLE after ATTACHING.
    AttachReverted,
    /// The NIC ended up on another instance, or in a state it cannot be attached from.
    AttachDiverted,
    /// The NIC vanished while being attached or detached.
    NicVanished,
    /// An attach whose answer was lost, with no sign it took effect.
    AttachUnconfirmed,
    /// Waiting for the instance or NIC to settle before detaching timed out.
    PreDetachTimeout,
    /// The detach was accepted but the NIC did not become AVAILABLE in time.
    DetachTimeout,
    /// Stop arrived during a detach.
    DetachStopped,
    /// No answer from the API (connection failed, gave up retrying).
    Unreachable,
    /// Something answered, but not the API.
    UnexpectedAnswer,
    /// Plan checks could not read the API.
    ChecksSkipped,
    /// The credentials may not call a read action some plan checks need; the others ran.
    CheckNotPermitted,
    /// Two attachments planned in one run name the same NIC.
    ClaimedTwice,
    /// Import named a NIC the API does not know.
    ImportNicMissing,
    /// Import named a NIC that is not attached to anything.
    ImportNotAttached,
    /// Import named a NIC and instance, but the NIC is on another instance.
    ImportElsewhere,
    /// A planned create keeps an attachment another object of this state gives up in the
    /// same run (a refactor without a `moved` block); handed over, nothing is detached.
    MovedWithoutBlock,
    /// As `MovedWithoutBlock`, but the old object's destroy was planned first without the
    /// handover, so applying would detach the NIC.
    MoveUnsafe,
    /// The NIC is attached, and held by another object of this state that stays.
    HeldByKept,
    /// Create found the NIC already attached, and nothing in this state hands it over.
    OwnedElsewhere,
    /// The provider configuration is unknown at plan time, so plan checks cannot run.
    ChecksDeferred,
    /// A replacement attaches the same NIC again, which `create_before_destroy` cannot do.
    ReplaceKeepsNic,
}

/// Every situation's text.
pub(crate) const SITUATIONS: &[(Situation, Text)] = &[
    (
        Situation::ReplaceKeepsNic,
        text(
            Neither,
            "This replacement attaches the same NIC again: it cannot be created before destroy",
            "This plan replaces the attachment of NIC {nic_id} with one of the same NIC to \
             instance {instance_id}. A NIC is attached to one instance at a time, so only \
             Terraform's default order works: detach, then attach (the NIC is off that network \
             in between). If this resource sets `create_before_destroy = true` in its `lifecycle` \
             block, the new attachment cannot be made first: the apply stops before sending anything. \
             On Terraform 1.9 and later the current attachment stays in state as it is; older \
             versions leave it set aside as a deposed object (the resource's documentation \
             shows the way out). Without `create_before_destroy` this is only a note.",
            "If the resource sets `create_before_destroy`, remove it for this change (it works \
             when `nic_id` changes, since the new NIC can be attached first), apply, and add it \
             back afterwards if you want it.",
        ),
    ),
    (
        Situation::MovedWithoutBlock,
        text(
            Nic,
            "This attachment moves to a new address without a moved block",
            "Another object in this state already attaches NIC {nic_id} to instance \
             {instance_id}, and this run destroys it while creating this one: the same \
             attachment leaves one address and arrives at this one. The provider hands it over: \
             the destroy sends no detach and this create adopts the attachment, so the NIC stays \
             on its instance.",
            "Say what happened with a `moved` block, so the plan shows a move instead of a \
             destroy and a create (Terraform 1.1 or later):\n\n  moved {{\n    from = \
             <OLD_ADDRESS> # the address the plan destroys for NIC {nic_id}\n    to   = \
             <NEW_ADDRESS> # this resource's address, shown above\n  }}\n\nBefore 1.1, \
             `terraform state mv OLD_ADDRESS NEW_ADDRESS` does the same.",
        ),
    ),
    (
        Situation::MoveUnsafe,
        text(
            Nic,
            "Applying this plan would detach a NIC it keeps",
            "Another object in this state attaches NIC {nic_id} to instance {instance_id}, and \
             this run destroys it while creating this one. Its destroy was planned before this \
             create, so it would detach the NIC, and the instance would lose that network until \
             this create attaches it again. Nothing has been changed.",
            "Add a `moved` block from the old address to this one (Terraform 1.1 or later):\n\n  \
             moved {{\n    from = <OLD_ADDRESS> # the address the plan destroys for NIC \
             {nic_id}\n    to   = <NEW_ADDRESS> # this resource's address, shown above\n  }}\n\n\
             Before 1.1, run `terraform state mv OLD_ADDRESS NEW_ADDRESS`. Then plan again.",
        ),
    ),
    (
        Situation::HeldByKept,
        text(
            Nic,
            "The NIC is held by another resource that stays",
            "NIC {nic_id} is attached to instance {other_instance_id}, and another \
             zenlayer_nic_attachment in this state holds that attachment and is not changed by \
             this plan. A NIC is attached to one instance at a time, so attaching it to \
             instance {instance_id} would fail.",
            "Keep one resource per NIC. If this resource replaces the other one, remove the \
             other resource from the configuration in the same change (or use a `moved` block \
             if it is the same attachment). If both should exist, give this one another \
             `nic_id`. The other resource is left as it is.",
        ),
    ),
    (
        Situation::OwnedElsewhere,
        text(
            Nic,
            "The NIC is already attached, and this state does not own it",
            "NIC {nic_id} is already attached to instance {instance_id}, and no object in this \
             Terraform state hands that attachment over in this run. It was made outside this \
             state (by hand, or by another Terraform configuration), so recording it here would \
             give one attachment two owners, and a destroy in either would detach the NIC the \
             other relies on. Nothing was changed.",
            "If this configuration should own it, import it instead of creating it \
             (`terraform import ADDRESS {nic_id}:{instance_id}`, or an `import` block on \
             Terraform 1.5 or later). If another configuration owns it, leave it there and \
             remove this resource.",
        ),
    ),
    (
        Situation::ChecksDeferred,
        text(
            Neither,
            "Plan checks cannot run: the provider configuration is not known yet",
            "The `provider \"zenlayer\"` block uses values that are known only after apply, \
             so this plan could not ask the Zenlayer API about NIC {nic_id} and instance \
             {instance_id}. Nothing was checked; apply checks everything before it attaches \
             and stops at the first refusal. This warning appears once per run.",
            "Give the provider block values known at plan time (variables, or attributes of \
             resources that already exist) to have the plan checked.",
        ),
    ),
    (
        Situation::PreAttachTimeout,
        text(
            Neither,
            "Timed out waiting to attach the NIC",
            "Before attaching NIC {nic_id} to instance {instance_id}, the provider waited \
             {timeout} (`timeouts.create`) for {awaited}. Last seen: {last_seen}. Nothing was \
             attached.",
            "Find out why the NIC or the instance is stuck, or raise `timeouts.create`, then run \
             apply again.",
        ),
    ),
    (
        Situation::PreAttachStopped,
        text(
            Neither,
            "Stopped before attaching the NIC",
            "Terraform asked the provider to stop while it waited for {awaited} before attaching \
             NIC {nic_id} to instance {instance_id}. Last seen: {last_seen}. Nothing was \
             attached.",
            "Run apply again when ready.",
        ),
    ),
    (
        Situation::AttachTimeout,
        text(
            Neither,
            "Timed out waiting for the NIC to attach",
            "NIC {nic_id} was asked to attach to instance {instance_id}, but it did not become \
             {awaited} within {timeout} (`timeouts.create`). Last seen: {last_seen}.",
            "The attachment is saved in state as tainted, so nothing is lost: the next plan \
             refreshes it and replaces it if it is still not attached. Raise `timeouts.create` \
             if attaches take this long.",
        ),
    ),
    (
        Situation::AttachStopped,
        text(
            Neither,
            "The attach was interrupted",
            "Terraform asked the provider to stop while NIC {nic_id} was attaching to instance \
             {instance_id} (waiting for {awaited}; last seen: {last_seen}). The API had \
             accepted the attach.",
            "The attachment is saved in state, so nothing is lost: the next plan refreshes it, \
             keeps it if the attach completed, and attaches the NIC again if it did not.",
        ),
    ),
    (
        Situation::AttachReverted,
        text(
            Nic,
            "The attach did not complete",
            "Zenlayer accepted the request to attach NIC {nic_id} to instance {instance_id}, but \
             the NIC went back to AVAILABLE instead of becoming USED. Last seen: {last_seen}; \
             instance: {instance_state}.",
            "Check that the instance is RUNNING with its guest agent (QGA) working, then run \
             apply again.",
        ),
    ),
    (
        Situation::AttachDiverted,
        text(
            Nic,
            "The NIC did not end up on this instance",
            "While NIC {nic_id} was being attached to instance {instance_id}, it became \
             {last_seen}. Something else changed the NIC at the same time.",
            "Find out what else manages this NIC, settle it there, then run apply again.",
        ),
    ),
    (
        Situation::NicVanished,
        text(
            Nic,
            "The NIC disappeared while waiting",
            "NIC {nic_id} no longer exists: it was deleted while the provider was waiting to \
             {op} it (instance {instance_id}).",
            "Check `nic_id`; create a new NIC if this one was deleted on purpose.",
        ),
    ),
    (
        Situation::AttachUnconfirmed,
        text(
            Neither,
            "The attach could not be confirmed",
            "The request to attach NIC {nic_id} to instance {instance_id} was sent, but its \
             answer was lost ({reason}), and the NIC does not show the attachment (last seen: \
             {last_seen}).",
            "Run apply again. The provider reads the NIC first and never attaches twice.",
        ),
    ),
    (
        Situation::PreDetachTimeout,
        text(
            Neither,
            "Timed out waiting to detach the NIC",
            "Before detaching NIC {nic_id} from instance {instance_id}, the provider waited \
             {timeout} (`timeouts.delete`) for {awaited}. Last seen: {last_seen}. Nothing was \
             detached; the attachment stays in state.",
            "Find out why the NIC or the instance is stuck, then run the command again. To allow \
             more time, raise `timeouts.delete` and run `terraform apply` before destroying: a \
             destroy uses the timeouts stored in state (a replacement uses the configuration's).",
        ),
    ),
    (
        Situation::DetachTimeout,
        text(
            Neither,
            "Timed out waiting for the NIC to detach",
            "NIC {nic_id} was asked to detach from instance {instance_id}, but it did not become \
             {awaited} within {timeout} (`timeouts.delete`). Last seen: {last_seen}. The \
             attachment stays in state.",
            "Run the command again to keep waiting. To allow more time, raise \
             `timeouts.delete` and run `terraform apply` before destroying: a destroy uses the \
             timeouts stored in state (a replacement uses the configuration's).",
        ),
    ),
    (
        Situation::DetachStopped,
        text(
            Neither,
            "The detach was interrupted",
            "Terraform asked the provider to stop while NIC {nic_id} was detaching from instance \
             {instance_id} (waiting for {awaited}; last seen: {last_seen}). The attachment stays \
             in state.",
            "Run the command again; the provider picks up where the NIC is.",
        ),
    ),
    (
        Situation::Unreachable,
        text(
            Neither,
            "The Zenlayer API could not be reached",
            "The provider could not {op} NIC {nic_id} on instance {instance_id}: {reason}.",
            "Check the network connection, the `domain` and `scheme` settings, and any proxy \
             named above (HTTPS_PROXY, NO_PROXY), then run again.",
        ),
    ),
    (
        Situation::UnexpectedAnswer,
        text(
            Neither,
            "The Zenlayer API gave an unexpected answer",
            "The provider could not {op} NIC {nic_id} on instance {instance_id}: {reason}. A \
             proxy or firewall between this machine and the API may have answered instead.",
            "Check the `domain` and `scheme` settings and any proxy in between, then run again.",
        ),
    ),
    (
        Situation::ChecksSkipped,
        text(
            Neither,
            "Plan checks were skipped for this run",
            "The provider could not read NIC {nic_id} and instance {instance_id} from the \
             Zenlayer API during plan ({reason}), so this plan does not predict API errors; \
             apply still checks everything. This warning appears once per run, for the first \
             attachment affected.",
            "Run the plan again later. If the API could not be reached, check the network \
             connection, the `domain` and `scheme` settings, and any proxy named above \
             (HTTPS_PROXY, NO_PROXY). To plan without calling the API at all, set \
             `plan_checks = \"off\"` (or ZENLAYERCLOUD_PLAN_CHECKS=off).",
        ),
    ),
    (
        Situation::CheckNotPermitted,
        text(
            Neither,
            "Some plan checks could not run: a permission is missing",
            "The credentials may not call the Zenlayer API action {action} (the API refused it \
             with AUTHFAILURE_UNAUTHORIZED_OPERATION), so this plan could not check {checks}, \
             starting with NIC {nic_id} and instance {instance_id}. Every check that does not \
             need {action} ran. Apply checks again before it attaches. This warning appears \
             once per run for each missing permission.",
            "To have these checks at plan time, grant the permission for the ZEC action \
             {action} to the credentials in zenConsole (Member & Permission). The provider \
             documentation lists the actions each command calls. To plan without calling the \
             API at all, set `plan_checks = \"off\"`.",
        ),
    ),
    (
        Situation::ClaimedTwice,
        text(
            Nic,
            "Two attachments in this configuration use the same NIC",
            "This attachment puts NIC {nic_id} on instance {instance_id}, and another \
             zenlayer_nic_attachment planned in the same run also attaches NIC {nic_id} (to \
             instance {other_instance_id}). A NIC is attached to one instance at a time, so at \
             most one of the two could be applied.",
            "Keep one attachment per NIC: remove one of the two resources or give it another \
             `nic_id`. With `count` or `for_each`, check the values that produce `nic_id`.",
        ),
    ),
    (
        Situation::ImportNicMissing,
        text(
            Neither,
            "The NIC to import does not exist",
            "Zenlayer has no NIC with the ID {nic_id} (instance: {instance_id}), so there is no \
             attachment to import.",
            "Check the ID given to import. The NIC may have been deleted, or it may belong to \
             another Zenlayer account than the one these credentials sign in to.",
        ),
    ),
    (
        Situation::ImportNotAttached,
        text(
            Neither,
            "The NIC is not attached to anything",
            "NIC {nic_id} is {nic_state}, so there is no attachment to import (instance: \
             {instance_id}).",
            "To attach it, remove the import and let `terraform apply` create the attachment.",
        ),
    ),
    (
        Situation::ImportElsewhere,
        text(
            Neither,
            "The NIC is attached to another instance",
            "The import named NIC {nic_id} on instance {instance_id}, but the NIC is \
             {nic_state}.",
            "Import `{nic_id}:{nic_instance}` (or just `{nic_id}`) to manage the attachment as \
             it is. Moving it afterwards DETACHES THE NIC FROM INSTANCE {nic_instance}, which \
             someone else may be running, and that instance loses this network; only once its \
             owner agrees, change `instance_id` in the configuration to move the NIC.",
        ),
    ),
];

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
    /// The API answered a call with this error: its code, message and request id.
    Answered(&'a ApiError),
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
    for_code_in(code, case, severity, subject, origin, None)
}

/// As [`for_code`], for an answer to the API action `action` (which the text may name).
pub(crate) fn for_code_in(
    code: &str,
    case: Case,
    severity: Severity,
    subject: &Subject<'_>,
    origin: Origin<'_>,
    action: Option<&str>,
) -> Diagnostic {
    let case = match (case, origin) {
        (Case::Default, Origin::Answered(api)) => match api.sent_with {
            Some(CredentialKind::AccessKey) => Case::SignedWithKeyPair,
            Some(CredentialKind::Token) => Case::SentWithToken,
            None => Case::Default,
        },
        _ => case,
    };
    let t = entry(code).map_or(&GENERIC, |e| e.variant(case));
    let action = action.map_or_else(|| "(not named)".to_owned(), word);
    let extras = [("code", word(code)), ("action", action)];
    let mut detail = body(t, subject, &extras);
    if code.starts_with(AUTH_CODE_PREFIX)
        && let Origin::Answered(ApiError {
            caller: Some(caller),
            ..
        }) = origin
    {
        detail.push_str(&format!("\n\n{}", caller_text(caller)));
    }
    detail.push_str(&format!("\n\nZenlayer API code: {}", word(code)));
    // What the API itself said comes last, next to its code and request id, and marked as
    // the API's: the provider's reading above, the vendor's words here. A prediction has none.
    if let Origin::Answered(api) = origin {
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
        return for_code_in(
            &api.code,
            case,
            Severity::Error,
            subject,
            Origin::Answered(api),
            Some(e.action()),
        );
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
fn fill(template: &str, vars: &dyn Fn(&str) -> Option<String>) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zenlayer::models::{InstanceInfo, InstanceStatus, NicInfo, NicStatus};

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
            Origin::Answered(&api),
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
        assert!(
            d.detail.contains("nic-1"),
            "{what}: no NIC ID: {}",
            d.detail
        );
        assert!(
            d.detail.contains("ins-1"),
            "{what}: no instance ID: {}",
            d.detail
        );
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
                let plan = for_code(code, case, Severity::Error, &subject(&f), Origin::Predicted);
                assert_readable(&plan, Some(code), &what);
                let api = answered(code, "the API's words", "T-REQ-42");
                let apply = for_code(
                    code,
                    case,
                    Severity::Error,
                    &subject(&f),
                    Origin::Answered(&api),
                );
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
        let d = for_code(
            "QUOTA_MOON_PHASE",
            Case::Default,
            Severity::Error,
            &subject(&f),
            Origin::Answered(&answered(
                "QUOTA_MOON_PHASE",
                "Not during a full moon",
                "T-9",
            )),
        );
        assert!(d.detail.contains("QUOTA_MOON_PHASE"));
        assert!(d.detail.contains("Not during a full moon"));
        assert!(d.detail.contains("T-9"));
        assert_eq!(d.summary, "The Zenlayer API refused the request");
    }

    #[test]
    fn a_rejected_signature_reads_right_for_tokens_and_key_pairs_alike() {
        let f = facts();
        let d = for_code(
            codes::AUTHFAILURE_SIGNATURE_FAILURE,
            Case::Default,
            Severity::Error,
            &subject(&f),
            Origin::Predicted,
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
        let d = for_code(
            codes::INVALID_NIC_INSTANCE_REGION_MISMATCH,
            Case::Default,
            Severity::Error,
            &subject(&f),
            Origin::Predicted,
        );
        assert!(d.detail.contains("asia-east-1") && d.detail.contains("eu-west-1"));
        assert_eq!(
            d.path,
            Some(AttributePath::root("nic_id")),
            "the message is about the NIC, and a NIC from the instance's region is the usual fix"
        );
        let d = for_code(
            codes::INVALID_NIC_ATTACHED,
            Case::Default,
            Severity::Error,
            &subject(&f),
            Origin::Predicted,
        );
        assert!(d.detail.contains("USED on instance ins-2"), "{}", d.detail);
        assert_eq!(d.path, Some(AttributePath::root("nic_id")));
        let d = for_code(
            codes::INVALID_NIC_ATTACHED,
            Case::AttachedHere,
            Severity::Error,
            &subject(&f),
            Origin::Predicted,
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
            let d = for_code(
                code,
                Case::Default,
                Severity::Error,
                &subject(&f),
                Origin::Predicted,
            );
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
            let plan = for_code(
                codes::OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT,
                Case::Blocking,
                Severity::Error,
                &subject(&f),
                Origin::Predicted,
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
        let render = |f: &Facts, code: &str, case: Case| {
            for_code(
                code,
                case,
                Severity::Warning,
                &subject(f),
                Origin::Predicted,
            )
            .detail
        };
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

    #[test]
    fn a_nic_attached_elsewhere_offers_detaching_or_moving_it_with_terraform() {
        let f = facts();
        let d = for_code(
            codes::INVALID_NIC_ATTACHED,
            Case::Default,
            Severity::Error,
            &subject(&f),
            Origin::Predicted,
        );
        assert!(
            d.detail.contains("detach it from ins-2 (in zenConsole"),
            "{}",
            d.detail
        );
        assert!(
            d.detail
                .contains("terraform import zenlayer_nic_attachment.<name> nic-1:ins-2"),
            "{}",
            d.detail
        );
        assert!(
            d.detail
                .contains("detaching the NIC from ins-2 and attaching it to ins-1"),
            "{}",
            d.detail
        );
    }

    #[test]
    fn a_nic_held_by_another_object_says_how_to_order_the_two() {
        let f = facts();
        let d = for_code(
            codes::INVALID_NIC_ATTACHED,
            Case::HeldByOther,
            Severity::Warning,
            &subject(&f),
            Origin::Predicted,
        );
        for words in [
            "NIC nic-1 is USED on instance ins-2",
            "depends_on = [zenlayer_nic_attachment.<other>]",
            "terraform apply -target=zenlayer_nic_attachment.<other>",
        ] {
            assert!(d.detail.contains(words), "{words}: {}", d.detail);
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
        for words in ["`domain`", "`scheme`", "plan_checks = \"off\""] {
            assert!(d.detail.contains(words), "{words}: {}", d.detail);
        }
    }

    #[test]
    fn the_import_block_suggestion_says_which_terraform_has_it() {
        let f = facts();
        let d = for_code(
            codes::INVALID_NIC_ATTACHED,
            Case::AttachedHere,
            Severity::Error,
            &subject(&f),
            Origin::Predicted,
        );
        assert!(
            d.detail.contains("(Terraform 1.5 and later)"),
            "{}",
            d.detail
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
            let apply = for_code(
                code,
                Case::Default,
                Severity::Error,
                &subject(&f),
                Origin::Answered(&api),
            );
            let tail = format!(
                "\n\nZenlayer API code: {code}, request id: REQ-7\nThe API said: \"NIC busy, try later\""
            );
            assert!(apply.detail.ends_with(&tail), "{code}: {}", apply.detail);
            assert_eq!(
                apply.detail.matches("NIC busy, try later").count(),
                1,
                "{code}"
            );
            let plan = for_code(
                code,
                Case::Default,
                Severity::Error,
                &subject(&f),
                Origin::Predicted,
            );
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
            let d = for_code(
                code,
                Case::Default,
                Severity::Error,
                &subject(&f),
                Origin::Answered(&silent),
            );
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
                for origin in [Origin::Predicted, Origin::Answered(&api)] {
                    shown
                        .push(for_code(e.code, case, Severity::Error, &subject(&f), origin).detail);
                }
            }
        }
        shown.push(
            for_code(
                &hostile,
                Case::Default,
                Severity::Error,
                &subject(&f),
                Origin::Answered(&api),
            )
            .detail,
        );
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
        let d = for_code(
            codes::INVALID_NIC_STATUS,
            Case::Default,
            Severity::Error,
            &subject(&f),
            Origin::Answered(&api),
        )
        .detail;
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
        let render = |api: &ApiError| {
            for_code(
                &api.code,
                Case::Default,
                Severity::Error,
                &subject(&f),
                Origin::Answered(api),
            )
            .detail
        };
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
    fn the_removed_block_is_shown_keeping_the_nic_and_says_which_terraform_has_it() {
        let d = for_code(
            codes::INVALID_NIC_PRIMARY_CANT_DETACH,
            Case::Default,
            Severity::Error,
            &subject(&facts()),
            Origin::Predicted,
        );
        assert!(
            d.detail.contains(
                "(Terraform 1.7 and later) replace the resource block with a `removed` block"
            ),
            "{}",
            d.detail
        );
        assert!(
            d.detail.contains(
                "removed {\n  from = zenlayer_nic_attachment.<name>\n\n  lifecycle {\n    \
                 destroy = false\n  }\n}"
            ),
            "{}",
            d.detail
        );
    }

    #[test]
    fn advice_to_move_a_nic_with_terraform_first_says_it_detaches_it_from_its_instance() {
        let f = facts();
        let attached = for_code(
            codes::INVALID_NIC_ATTACHED,
            Case::Default,
            Severity::Error,
            &subject(&f),
            Origin::Predicted,
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
}
