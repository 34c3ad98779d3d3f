//! NIC and instance IDs as users type them, and the attachment's composite ID
//! `<nic_id>:<instance_id>` (the official provider's import format, kept for compatibility).

/// Longer IDs are certainly typos or pasted text; Zenlayer IDs are far shorter.
pub(crate) const MAX_ID_LEN: usize = 128;

/// Separates the two halves of the composite ID.
pub(crate) const SEPARATOR: char = ':';

/// Why a NIC or instance ID cannot be right; the text completes "The value … ".
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum IdProblem {
    #[error("is empty")]
    Empty,
    #[error("contains whitespace")]
    Whitespace,
    #[error("contains a control character")]
    Control,
    #[error("contains `:`, which separates the NIC and instance IDs in this resource's ID")]
    Separator,
    #[error("is {0} characters long; Zenlayer IDs are at most {MAX_ID_LEN}")]
    TooLong(usize),
}

/// Checks one ID offline, before any API call could be spent on it.
pub(crate) fn check(id: &str) -> Result<(), IdProblem> {
    if id.is_empty() {
        return Err(IdProblem::Empty);
    }
    let len = id.chars().count();
    if len > MAX_ID_LEN {
        return Err(IdProblem::TooLong(len));
    }
    if id.chars().any(char::is_control) {
        return Err(IdProblem::Control);
    }
    if id.chars().any(char::is_whitespace) {
        return Err(IdProblem::Whitespace);
    }
    if id.contains(SEPARATOR) {
        return Err(IdProblem::Separator);
    }
    Ok(())
}

/// The resource ID for an attachment.
pub(crate) fn compose(nic_id: &str, instance_id: &str) -> String {
    format!("{nic_id}{SEPARATOR}{instance_id}")
}

/// What `terraform import` was given: a NIC ID, optionally with the instance it should be on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ImportId {
    pub nic_id: String,
    pub instance_id: Option<String>,
}

/// Why an import ID cannot be read; rendered with the formats that work.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ImportIdError {
    #[error("it is empty")]
    Empty,
    #[error("it has {0} `:`-separated parts, but at most 2 are allowed")]
    TooManyParts(usize),
    #[error("the NIC ID part {0}")]
    Nic(IdProblem),
    #[error("the instance ID part {0}")]
    Instance(IdProblem),
}

/// Reads `nic-…:ins-…` or just `nic-…` (the instance is then looked up).
pub(crate) fn parse_import(text: &str) -> Result<ImportId, ImportIdError> {
    if text.trim().is_empty() {
        return Err(ImportIdError::Empty);
    }
    let parts: Vec<&str> = text.split(SEPARATOR).collect();
    match parts.as_slice() {
        [nic] => {
            check(nic).map_err(ImportIdError::Nic)?;
            Ok(ImportId {
                nic_id: (*nic).to_owned(),
                instance_id: None,
            })
        }
        [nic, instance] => {
            check(nic).map_err(ImportIdError::Nic)?;
            check(instance).map_err(ImportIdError::Instance)?;
            Ok(ImportId {
                nic_id: (*nic).to_owned(),
                instance_id: Some((*instance).to_owned()),
            })
        }
        more => Err(ImportIdError::TooManyParts(more.len())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plausible_ids_pass() {
        for id in [
            "nic-1",
            "ins-abc_DEF.9",
            "1234567890123456789",
            &"x".repeat(MAX_ID_LEN),
        ] {
            assert_eq!(check(id), Ok(()), "{id}");
        }
    }

    #[test]
    fn implausible_ids_are_refused_with_the_reason() {
        let long = "n".repeat(MAX_ID_LEN + 1);
        let cases = [
            ("", IdProblem::Empty),
            (" ", IdProblem::Whitespace),
            ("   ", IdProblem::Whitespace),
            ("nic-1 ", IdProblem::Whitespace),
            (" nic-1", IdProblem::Whitespace),
            ("nic 1", IdProblem::Whitespace),
            ("nic-1\n", IdProblem::Control),
            ("nic\t1", IdProblem::Control),
            ("nic\u{0}1", IdProblem::Control),
            ("nic-1\u{a0}", IdProblem::Whitespace),
            ("nic-1:ins-1", IdProblem::Separator),
            (long.as_str(), IdProblem::TooLong(MAX_ID_LEN + 1)),
        ];
        for (id, want) in cases {
            assert_eq!(check(id), Err(want), "{id:?}");
        }
    }

    #[test]
    fn composite_ids_join_nic_and_instance() {
        assert_eq!(compose("nic-1", "ins-1"), "nic-1:ins-1");
    }

    #[test]
    fn import_accepts_the_pair_and_the_bare_nic() {
        assert_eq!(
            parse_import("nic-1:ins-1"),
            Ok(ImportId {
                nic_id: "nic-1".into(),
                instance_id: Some("ins-1".into())
            })
        );
        assert_eq!(
            parse_import("nic-1"),
            Ok(ImportId {
                nic_id: "nic-1".into(),
                instance_id: None
            })
        );
    }

    #[test]
    fn malformed_import_ids_are_refused() {
        let cases = [
            ("", ImportIdError::Empty),
            ("  ", ImportIdError::Empty),
            ("a:b:c", ImportIdError::TooManyParts(3)),
            (":x", ImportIdError::Nic(IdProblem::Empty)),
            ("x:", ImportIdError::Instance(IdProblem::Empty)),
            (":", ImportIdError::Nic(IdProblem::Empty)),
            ("nic 1:ins-1", ImportIdError::Nic(IdProblem::Whitespace)),
            ("nic-1:ins\n1", ImportIdError::Instance(IdProblem::Control)),
        ];
        for (text, want) in cases {
            assert_eq!(parse_import(text), Err(want), "{text:?}");
        }
    }
}
