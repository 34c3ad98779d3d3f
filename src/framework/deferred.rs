//! Errors found by the final plan of a create (the plan Terraform redoes during apply) are
//! reported by the create itself instead.
//!
//! Why: with `create_before_destroy`, Terraform sets the old object aside as deposed before
//! that final plan. If the plan fails, Terraform never puts the old object back, and every
//! later apply trips over it. If the *create* fails without an object, Terraform restores the
//! deposed object as current. So in the final plan, errors travel in the planned private data
//! to the create, which returns them before doing anything. The user sees the same messages,
//! at the same attributes, one step later.

use serde::{Deserialize, Serialize};

use super::{AttributePath, Diagnostic, Diagnostics, PathStep, Severity};

/// Marks private data that carries deferred errors. It never reaches state: a create that
/// finds it fails without an object.
const MARK: &[u8] = b"tpz-deferred-errors:";

#[derive(Serialize, Deserialize)]
struct Carried {
    errors: Vec<CarriedError>,
}

#[derive(Serialize, Deserialize)]
struct CarriedError {
    summary: String,
    detail: String,
    path: Option<Vec<Step>>,
}

#[derive(Serialize, Deserialize)]
enum Step {
    Attribute(String),
    Key(String),
    Index(i64),
}

/// Takes the errors out of `diags` and, if there are any, carries them in place of the
/// resource's `private` (the create that receives them never runs); warnings stay.
pub(crate) fn defer_errors(diags: Diagnostics, private: Vec<u8>) -> (Diagnostics, Vec<u8>) {
    let mut kept = Diagnostics::new();
    let mut errors = Vec::new();
    for d in diags.into_vec() {
        if d.is_error() {
            errors.push(CarriedError {
                summary: d.summary,
                detail: d.detail,
                path: d.path.map(|p| p.steps().iter().map(Step::from).collect()),
            });
        } else {
            kept.push(d);
        }
    }
    if errors.is_empty() {
        return (kept, private);
    }
    let carried = Carried { errors };
    let mut bytes = MARK.to_vec();
    match serde_json::to_vec(&carried) {
        Ok(json) => bytes.extend(json),
        // Cannot happen for these plain types; if it did, fail the plan as before.
        Err(_) => return (restore(carried), Vec::new()),
    }
    (kept, bytes)
}

/// The errors a final plan deferred to this create, if any.
pub(crate) fn take_errors(planned_private: &[u8]) -> Option<Diagnostics> {
    let json = planned_private.strip_prefix(MARK)?;
    match serde_json::from_slice::<Carried>(json) {
        Ok(carried) => Some(restore(carried)),
        Err(e) => {
            let mut diags = Diagnostics::new();
            diags.error(
                "Provider produced unreadable private data",
                format!(
                    "The plan carried errors to this create that could not be read back ({e}). \
                     Nothing was sent to the API. Run the apply again; if it repeats, please \
                     report it to the provider developers."
                ),
            );
            Some(diags)
        }
    }
}

fn restore(carried: Carried) -> Diagnostics {
    let mut diags = Diagnostics::new();
    for e in carried.errors {
        let d = Diagnostic {
            severity: Severity::Error,
            summary: e.summary,
            detail: e.detail,
            path: e.path.map(|steps| {
                let mut path = AttributePath::default();
                for s in steps {
                    path = match s {
                        Step::Attribute(a) => path.attr(a),
                        Step::Key(k) => path.key(k),
                        Step::Index(i) => path.index(i),
                    };
                }
                path
            }),
        };
        diags.push(d);
    }
    diags
}

impl From<&PathStep> for Step {
    fn from(s: &PathStep) -> Self {
        match s {
            PathStep::Attribute(a) => Step::Attribute(a.clone()),
            PathStep::Key(k) => Step::Key(k.clone()),
            PathStep::Index(i) => Step::Index(*i),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deferred_errors_come_back_whole_at_their_attribute_and_warnings_stay_in_the_plan() {
        let mut diags = Diagnostics::new();
        diags.warning("heads up", "a warning");
        diags.push(
            Diagnostic::error("The NIC is attached elsewhere", "detail\nwith lines")
                .at(AttributePath::root("nic_id")),
        );
        let (kept, private) = defer_errors(diags, b"{\"v\":1}".to_vec());
        assert!(!kept.has_errors());
        assert_eq!(kept.len(), 1);
        let back = take_errors(&private).expect("carried");
        let back = back.into_vec();
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].summary, "The NIC is attached elsewhere");
        assert_eq!(back[0].detail, "detail\nwith lines");
        assert_eq!(back[0].path, Some(AttributePath::root("nic_id")));
    }

    #[test]
    fn a_plan_without_errors_keeps_its_private_data_untouched() {
        let mut diags = Diagnostics::new();
        diags.warning("heads up", "a warning");
        let (kept, private) = defer_errors(diags, b"abc".to_vec());
        assert_eq!(kept.len(), 1);
        assert_eq!(private, b"abc");
        assert!(take_errors(&private).is_none());
        assert!(take_errors(b"").is_none());
    }

    #[test]
    fn garbled_carried_errors_still_stop_the_create() {
        let mut bytes = MARK.to_vec();
        bytes.extend(b"{not json");
        let diags = take_errors(&bytes).expect("still an error");
        assert!(diags.has_errors());
    }
}
