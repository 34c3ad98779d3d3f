//! The situations the provider meets itself (timeouts, Stop, handovers, plan checks), each
//! declared once with its text.

use super::Input::{Neither, Nic};
use super::{Text, text};

/// Declares `Situation`, `Situation::ALL` and each situation's docs condition from one list, so a walk over every
/// situation (the docs, the tests) cannot leave one out.
macro_rules! situations {
    ($($(#[$doc:meta])* $variant:ident => $condition:expr,)*) => {
        /// Situations the provider meets itself, with no API code behind them.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub(crate) enum Situation {
            $($(#[$doc])* $variant,)*
        }

        impl Situation {
            /// Every situation, in declaration order, for the tests that walk them all.
            #[cfg(test)]
            pub(crate) const ALL: &[Situation] = &[$(Situation::$variant,)*];

            /// When it happens, in the words of the docs' list of diagnostics.
            pub(crate) fn condition(self) -> &'static str {
                match self {
                    $(Situation::$variant => $condition,)*
                }
            }
        }
    };
}

situations! {
    /// Waiting for the NIC or instance to settle before attaching timed out.
    PreAttachTimeout =>
        "`timeouts.create` ran out while waiting for the NIC or instance to be ready, before \
         anything was attached",
    /// Stop arrived before anything was attached.
    PreAttachStopped =>
        "Terraform was interrupted while waiting for the NIC or instance, before anything was \
         attached",
    /// The attach was accepted but did not reach USED in time.
    AttachTimeout =>
        "the attach was accepted, but the NIC did not become `USED` within `timeouts.create`",
    /// Stop arrived while the NIC was attaching.
    AttachStopped =>
        "Terraform was interrupted while the NIC was attaching",
    /// The NIC fell back to AVAILABLE after ATTACHING.
    AttachReverted =>
        "the NIC went back to `AVAILABLE` after `ATTACHING` instead of becoming `USED`",
    /// The NIC ended up on another instance, or in a state it cannot be attached from.
    AttachDiverted =>
        "the NIC ended up on another instance, or in a state it cannot be attached from, while \
         being attached",
    /// The NIC vanished while being attached or detached.
    NicVanished =>
        "the NIC was deleted while the provider waited for it",
    /// An attach whose answer was lost, with no sign it took effect.
    AttachUnconfirmed =>
        "the answer to the attach request was lost and the NIC does not show the attachment",
    /// Waiting for the instance or NIC to settle before detaching timed out.
    PreDetachTimeout =>
        "`timeouts.delete` ran out while waiting for the NIC or instance to be ready, before \
         anything was detached",
    /// The detach was accepted but the NIC did not become AVAILABLE in time.
    DetachTimeout =>
        "the detach was accepted, but the NIC did not become `AVAILABLE` within \
         `timeouts.delete`",
    /// Stop arrived during a detach.
    DetachStopped =>
        "Terraform was interrupted while the NIC was detaching",
    /// No answer from the API (connection failed, gave up retrying).
    Unreachable =>
        "no answer came from the API: the connection failed, or the provider gave up retrying",
    /// Something answered, but not the API.
    UnexpectedAnswer =>
        "something answered that is not the Zenlayer API (a proxy, a firewall, a captive \
         portal)",
    /// Plan checks could not read the API.
    ChecksSkipped =>
        "plan checks could not read the API (a warning; the plan goes on)",
    /// The credentials may not call a read action some plan checks need; the others ran.
    CheckNotPermitted =>
        "the credentials may not call a read action some plan checks need (a warning, once \
         per missing permission; the other checks run and the plan goes on)",
    /// Two attachments planned in one run name the same NIC.
    ClaimedTwice =>
        "two attachments planned in the same run name the same NIC (found without calling the \
         API)",
    /// Import named a NIC the API does not know.
    ImportNicMissing =>
        "`terraform import` named a NIC that does not exist",
    /// Import named a NIC that is not attached to anything.
    ImportNotAttached =>
        "`terraform import` named a NIC that is not attached to any instance",
    /// Import named a NIC and instance, but the NIC is on another instance.
    ImportElsewhere =>
        "`terraform import` named a NIC and an instance, but the NIC is attached to another \
         instance",
    /// A planned create keeps an attachment another object of this state gives up in the
    /// same run (a refactor without a `moved` block); handed over, nothing is detached.
    MovedWithoutBlock =>
        "a planned create keeps an attachment that another object of this state gives up \
         in the same run (a warning; nothing is detached)",
    /// As `MovedWithoutBlock`, but the old object's destroy was planned first without the
    /// handover, so applying would detach the NIC.
    MoveUnsafe =>
        "the same, but the old object's destroy was planned before the create, so the apply \
         would detach the NIC",
    /// The NIC is attached, and held by another object of this state that stays.
    HeldByKept =>
        "the NIC is attached and held by another resource of this state that stays",
    /// Create found the NIC already attached, and nothing in this state hands it over.
    OwnedElsewhere =>
        "at apply, the NIC is already attached and nothing in this state hands it over",
    /// The provider configuration is unknown at plan time, so plan checks cannot run.
    ChecksDeferred =>
        "the provider configuration is unknown at plan time (a warning, once per run)",
    /// A replacement attaches the same NIC again, which `create_before_destroy` cannot do.
    ReplaceKeepsNic =>
        "a replacement attaches the same NIC again, which `create_before_destroy` cannot do \
         (a warning)",
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
         block, the new attachment cannot be made first: the apply stops before sending anything \
         and the current attachment stays in state as it is (before Terraform 1.9, where the \
         provider cannot read which command runs, as without `/proc`, it is left set aside as a \
         deposed object; the resource's documentation shows the way out). Without \
         `create_before_destroy` this is only a note.",
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
