//! One check for "this text says each of these": log lines, narrations and outputs alike.
//! Standalone (no harness), so client tests can include it by `#[path]`.

#![allow(dead_code, unreachable_pub)]

/// Asserts `text` contains every one of `parts`; a failure names the first one missing and
/// shows the whole text.
#[track_caller]
pub fn assert_says_all(text: &str, parts: &[&str]) {
    for part in parts {
        assert!(text.contains(part), "no {part:?} in\n{text}");
    }
}
