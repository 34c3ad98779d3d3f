//! Checks the provider's unit tests share.

/// Asserts `detail` holds every one of `words`, showing which is missing and the whole
/// detail: the check every test of a message's wording makes.
#[track_caller]
pub(crate) fn assert_says(detail: &str, words: &[&str]) {
    for words in words {
        assert!(detail.contains(words), "lacks {words:?}: {detail}");
    }
}
