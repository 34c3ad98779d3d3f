use std::fmt;

/// A path into a configuration value, so Terraform can point a diagnostic at a config line.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct AttributePath {
    steps: Vec<PathStep>,
}

/// One step of an [`AttributePath`]. Set elements cannot be addressed; stop at the set.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PathStep {
    /// An object attribute or a nested block name.
    Attribute(String),
    /// A map key.
    Key(String),
    /// A list index.
    Index(i64),
}

impl AttributePath {
    /// A path to a top-level attribute or block.
    pub fn root(name: impl Into<String>) -> Self {
        AttributePath {
            steps: vec![PathStep::Attribute(name.into())],
        }
    }

    /// This path followed by an attribute (or nested block) name.
    pub fn attr(mut self, name: impl Into<String>) -> Self {
        self.steps.push(PathStep::Attribute(name.into()));
        self
    }

    /// This path followed by a list index.
    pub fn index(mut self, i: i64) -> Self {
        self.steps.push(PathStep::Index(i));
        self
    }

    /// This path followed by a map key.
    pub fn key(mut self, k: impl Into<String>) -> Self {
        self.steps.push(PathStep::Key(k.into()));
        self
    }

    /// The steps from the root of the object, outermost first.
    pub fn steps(&self) -> &[PathStep] {
        &self.steps
    }
}

impl fmt::Display for AttributePath {
    /// Renders like HCL traversal: `timeouts[0].create`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.steps.iter().enumerate() {
            match step {
                PathStep::Attribute(a) if i == 0 => write!(f, "{a}")?,
                PathStep::Attribute(a) => write!(f, ".{a}")?,
                PathStep::Key(k) => write!(f, "[{k:?}]")?,
                PathStep::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}
