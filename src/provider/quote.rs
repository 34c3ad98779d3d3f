//! User values echoed back in messages: quoted so stray spaces and control characters show,
//! and cut short so a pasted blob does not flood the terminal.

/// How many characters of a value a message repeats.
pub(crate) const SHOWN_CHARS: usize = 64;

/// `text` as a quoted, escaped string; longer values keep their first [`SHOWN_CHARS`]
/// characters and say how long they were.
pub(crate) fn quoted(text: &str) -> String {
    let len = text.chars().count();
    if len <= SHOWN_CHARS {
        return format!("{text:?}");
    }
    let head: String = text.chars().take(SHOWN_CHARS).collect();
    format!("{head:?}… ({len} characters in all)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_values_are_quoted_with_escapes_visible() {
        assert_eq!(quoted("nic-1"), "\"nic-1\"");
        assert_eq!(quoted("nic-1\n"), "\"nic-1\\n\"");
        assert_eq!(quoted(" "), "\" \"");
    }

    #[test]
    fn long_values_are_cut_and_their_length_given() {
        let long = "n".repeat(5000);
        let q = quoted(&long);
        assert!(q.len() < 120, "{q}");
        assert!(q.ends_with("… (5000 characters in all)"), "{q}");
        let wide = "é".repeat(SHOWN_CHARS + 1);
        assert!(quoted(&wide).starts_with(&format!("\"{}\"", "é".repeat(SHOWN_CHARS))));
    }
}
