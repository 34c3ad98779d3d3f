//! Reading documentation pages the way the tests that keep them true need to.

/// The fenced code blocks of a Markdown page: language and contents (with a final newline).
pub fn code_blocks(doc: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut open: Option<(String, String)> = None;
    for line in doc.lines() {
        match open.as_mut() {
            None => {
                if let Some(lang) = line.strip_prefix("```") {
                    open = Some((lang.trim().to_owned(), String::new()));
                }
            }
            Some((_, body)) => {
                if line == "```" {
                    blocks.extend(open.take());
                } else {
                    body.push_str(line);
                    body.push('\n');
                }
            }
        }
    }
    assert!(open.is_none(), "a code block is not closed");
    blocks
}
