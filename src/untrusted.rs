//! The one rule for showing text the provider did not write — the API's codes, messages,
//! request IDs and status values, and the user's own input — in diagnostics and log lines.
//! Such text is data: it must never steer the terminal or the CI log that shows it.
//!
//! The rule, as `docs/index.md` states it for users:
//! - characters that are not printable (C0 and C1 controls such as ESC and DEL, line and
//!   paragraph separators, bidirectional overrides and isolates, zero-width and other format
//!   characters, combining marks) are shown escaped: `\n`, `\r`, `\t`, `\x1b`, `\u{202e}`;
//!   a backslash is shown as `\\`, and inside quotes a quote as `\"`;
//! - so a line break inside a value never starts a new line of output;
//! - a value shows at most [`MAX_SHOWN_CHARS`] characters, counted after escaping (an escape
//!   is never split), then the marker `… (cut: N characters in all)`, N being the value's
//!   length before escaping.

use std::fmt::Write;

/// How many characters of one outside value a message or log line shows, at most.
pub const MAX_SHOWN_CHARS: usize = 200;

/// `text` in double quotes, escaped and cut by the rule: for values whose edges matter (a
/// message, an ID that may hold spaces) or that must read as someone else's words.
pub fn quoted(text: &str) -> String {
    let (body, cut) = escaped(text, true);
    let mut out = format!("\"{body}\"");
    out.push_str(&cut);
    out
}

/// `text` bare when it is a plain token (letters, digits and `-_.:/@+`, as codes, IDs and
/// states are), so everyday messages read naturally; anything else [`quoted`].
pub fn word(text: &str) -> String {
    let plain = !text.is_empty()
        && text.chars().count() <= MAX_SHOWN_CHARS
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:/@+".contains(c));
    if plain { text.to_owned() } else { quoted(text) }
}

/// `text` escaped and cut by the rule, without quotes: for a longer piece of outside text the
/// provider quotes in its own words (a page title, the start of an unreadable body).
pub fn inline(text: &str) -> String {
    let (body, cut) = escaped(text, false);
    body + &cut
}

/// `text` with only its control and invisible characters escaped, nothing cut: for a log
/// field holding text the provider composed around values already shown by this rule (an
/// error's chain, a debug dump), which must stay whole yet never carry a raw control
/// character from somewhere else.
pub fn defused(text: &str) -> std::borrow::Cow<'_, str> {
    let needs = |c: char| !matches!(c, '\\' | '"') && escape(c, false).is_some();
    if !text.chars().any(needs) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match escape(c, false) {
            Some(e) if needs(c) => out.push_str(&e),
            _ => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The escaped head of `text`, and the cut marker (empty when nothing was cut).
fn escaped(text: &str, in_quotes: bool) -> (String, String) {
    let mut out = String::with_capacity(text.len().min(MAX_SHOWN_CHARS * 4));
    let mut shown = 0;
    for c in text.chars() {
        let piece = escape(c, in_quotes);
        let width = piece.as_ref().map_or(1, |p| p.chars().count());
        if shown + width > MAX_SHOWN_CHARS {
            let total = text.chars().count();
            return (out, format!("… (cut: {total} characters in all)"));
        }
        shown += width;
        match piece {
            Some(p) => out.push_str(&p),
            None => out.push(c),
        }
    }
    (out, String::new())
}

/// How `c` is shown: `None` as itself, or the escape that stands for it.
fn escape(c: char, in_quotes: bool) -> Option<String> {
    match c {
        '\n' => Some("\\n".into()),
        '\r' => Some("\\r".into()),
        '\t' => Some("\\t".into()),
        '\\' => Some("\\\\".into()),
        '"' if in_quotes => Some("\\\"".into()),
        c if (c as u32) < 0x20 || c == '\u{7f}' => Some(format!("\\x{:02x}", c as u32)),
        c if c.is_ascii() => None,
        c if invisible(c) => {
            let mut s = String::new();
            let _ = write!(s, "\\u{{{:x}}}", c as u32);
            Some(s)
        }
        _ => None,
    }
}

/// Characters that are not shown as themselves: C1 controls, separators, bidirectional and
/// other format characters, and whatever the standard library's debug escaping finds
/// unprintable (unassigned code points, combining marks and the like).
fn invisible(c: char) -> bool {
    let named = matches!(
        c as u32,
        0x80..=0x9f        // C1 controls, NEL and CSI among them
        | 0xad             // soft hyphen
        | 0x061c           // Arabic letter mark
        | 0x180e           // Mongolian vowel separator
        | 0x200b..=0x200f  // zero-width characters, LRM, RLM
        | 0x2028..=0x202e  // line and paragraph separators, bidi embeddings and overrides
        | 0x2060..=0x206f  // word joiner, invisible operators, bidi isolates
        | 0xfeff           // byte order mark
        | 0xfff9..=0xfffb  // interlinear annotation
    );
    named || c.escape_debug().len() > 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const ESC: char = '\u{1b}';

    #[test]
    fn escape_sequences_are_shown_not_sent() {
        let clear = format!("{ESC}[2J{ESC}]0;pwned\u{7}");
        assert_eq!(quoted(&clear), "\"\\x1b[2J\\x1b]0;pwned\\x07\"");
        assert_eq!(word(&clear), quoted(&clear));
        assert_eq!(inline(&clear), "\\x1b[2J\\x1b]0;pwned\\x07");
        assert_eq!(quoted("a\u{7f}b"), "\"a\\x7fb\"");
    }

    #[test]
    fn c1_controls_bidi_overrides_and_invisible_characters_are_escaped() {
        for (c, shown) in [
            ('\u{9b}', "\\u{9b}"),
            ('\u{85}', "\\u{85}"),
            ('\u{202e}', "\\u{202e}"),
            ('\u{2066}', "\\u{2066}"),
            ('\u{200b}', "\\u{200b}"),
            ('\u{2028}', "\\u{2028}"),
            ('\u{feff}', "\\u{feff}"),
            ('\u{301}', "\\u{301}"),
        ] {
            assert_eq!(inline(&format!("x{c}y")), format!("x{shown}y"), "{c:?}");
        }
        assert_eq!(inline("zone é 東京"), "zone é 東京", "printable text stays");
    }

    #[test]
    fn line_breaks_inside_a_value_never_start_a_new_line() {
        let fake = "boom\r\nApply complete! Resources: 9 added, 0 changed, 0 destroyed.";
        for shown in [quoted(fake), word(fake), inline(fake)] {
            assert!(!shown.contains(['\n', '\r']), "{shown}");
            assert!(shown.contains("boom\\r\\nApply complete!"), "{shown}");
        }
    }

    #[test]
    fn long_values_are_cut_with_a_marker_giving_their_length() {
        let long = "m".repeat(3000);
        let q = quoted(&long);
        assert_eq!(
            q,
            format!(
                "\"{}\"… (cut: 3000 characters in all)",
                "m".repeat(MAX_SHOWN_CHARS)
            )
        );
        assert_eq!(word(&long), q, "a long token is quoted, so the cut shows");
        let exact = "m".repeat(MAX_SHOWN_CHARS);
        assert_eq!(
            quoted(&exact),
            format!("\"{exact}\""),
            "nothing cut, no marker"
        );
    }

    #[test]
    fn the_cut_counts_escapes_and_never_splits_one() {
        let escapes = ESC.to_string().repeat(1000);
        let q = quoted(&escapes);
        let body = q
            .strip_prefix('"')
            .and_then(|s| s.split_once("\"…"))
            .map(|(b, _)| b)
            .unwrap_or_default();
        assert_eq!(body, "\\x1b".repeat(MAX_SHOWN_CHARS / 4));
        assert!(q.ends_with("… (cut: 1000 characters in all)"), "{q}");
        let wide = "é".repeat(MAX_SHOWN_CHARS + 1);
        assert!(quoted(&wide).starts_with(&format!("\"{}\"…", "é".repeat(MAX_SHOWN_CHARS))));
    }

    #[test]
    fn defused_text_keeps_its_length_and_escapes_only_controls() {
        let long = format!("a \"b\" \\ {ESC}[2J\n{}", "x".repeat(500));
        let d = defused(&long);
        assert!(d.starts_with("a \"b\" \\ \\x1b[2J\\n"), "{d}");
        assert!(d.ends_with(&"x".repeat(500)), "nothing cut");
        assert!(matches!(
            defused("plain text"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn plain_tokens_stay_bare_and_odd_ones_are_quoted() {
        for plain in [
            "nic-1",
            "USED",
            "INVALID_NIC_STATUS",
            "asia-east-1a",
            "7f3a:b.c/d",
        ] {
            assert_eq!(word(plain), plain);
        }
        assert_eq!(word(""), "\"\"");
        assert_eq!(word("two words"), "\"two words\"");
        assert_eq!(word("say \"hi\"\\"), "\"say \\\"hi\\\"\\\\\"");
    }
}
