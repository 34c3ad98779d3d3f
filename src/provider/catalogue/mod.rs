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

//!
//! `entries` holds the API codes' texts, `situations` the provider's own situations, `render`
//! turns a text and the facts into a diagnostic.

mod entries;
mod render;
mod situations;
#[cfg(test)]
mod tests;

use crate::framework::AttributePath;

pub(crate) use entries::{ENTRIES, GENERIC};
pub(crate) use render::*;
pub(crate) use situations::{SITUATIONS, Situation};

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
