//! Every API code the provider explains, and the generic text for the others.

use super::Input::{Instance, Neither, Nic};
use super::{Case, Entry, Text, text};
use crate::zenlayer::codes;

/// The case of a detach the API calls done (or impossible) while the NIC still shows
/// attached after repeated tries; `detail` says what the API answered.
const fn still_attached(detail: &'static str) -> Text {
    text(
        Nic,
        "The NIC is still attached",
        detail,
        "The attachment stays in state, so nothing is lost. Run the command again in a few \
         minutes; if this persists, contact Zenlayer support with the request id below.",
    )
}

/// What to do about a NIC or instance state this provider version does not know.
const UNFAMILIAR_STATE_FIX: &str = "Apply will try the attach and report the API's answer. A newer provider version may know \
     this state.";

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
            still_attached(
                "Zenlayer answered that NIC {nic_id} does not exist when asked to detach it from \
                 instance {instance_id}, but the NIC still shows {nic_state}, after repeated \
                 tries.",
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
                    UNFAMILIAR_STATE_FIX,
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
                    UNFAMILIAR_STATE_FIX,
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
                still_attached(
                    "Zenlayer answered that a resource named in the request to detach NIC \
                     {nic_id} does not exist, but the NIC still shows {nic_state} (instance \
                     {instance_id}: {instance_state}), after repeated tries.",
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
            still_attached(
                "Zenlayer answered that NIC {nic_id} is not attached to any instance when asked \
                 to detach it from instance {instance_id}, but the NIC still shows {nic_state}, \
                 after repeated tries.",
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
