//! Where a codec is inside a value, for error messages like `.timeouts[0].create`.

use std::fmt;

/// One step down into a value.
#[derive(Clone, Debug)]
pub(crate) enum Step {
    Attr(String),
    Index(usize),
    Key(String),
}

/// The steps from the root to the value being read or written.
#[derive(Clone, Debug, Default)]
pub(crate) struct Path(Vec<Step>);

impl Path {
    pub(crate) fn push(&mut self, step: Step) {
        self.0.push(step);
    }

    pub(crate) fn pop(&mut self) {
        self.0.pop();
    }
}

/// `.attr`, `[0]` and `["key"]` steps; the root is the empty string.
impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for step in &self.0 {
            match step {
                Step::Attr(name) => write!(f, ".{name}")?,
                Step::Index(i) => write!(f, "[{i}]")?,
                Step::Key(key) => write!(f, "[{key:?}]")?,
            }
        }
        Ok(())
    }
}

/// The `at …` phrase of an error message (nothing at the root).
pub(crate) fn at(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!(" at {path}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_renders_attributes_indexes_and_keys() {
        let mut p = Path::default();
        p.push(Step::Attr("timeouts".into()));
        p.push(Step::Index(0));
        p.push(Step::Attr("create".into()));
        assert_eq!(p.to_string(), ".timeouts[0].create");
        p.pop();
        p.push(Step::Key("a\"b".into()));
        assert_eq!(p.to_string(), r#".timeouts[0]["a\"b"]"#);
    }
}
