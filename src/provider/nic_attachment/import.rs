//! Import: `<nic_id>:<instance_id>` (the official provider's format) or just `<nic_id>`, since a
//! NIC is attached to at most one instance. The imported state is the same full object a create
//! writes, so the plan after an import is empty.

use crate::cty::Value;
use crate::framework::{
    Context, Diagnostic, ImportOutcome, ImportRequest, ImportedObject, Severity,
};
use crate::provider::Shared;
use crate::provider::catalogue::{self, Case, Op, Situation, Subject};
use crate::provider::checks::facts::Facts;
use crate::untrusted::quoted;

use super::calls::{self, bound_to};
use super::id::{self, MAX_ID_LEN};
use super::model::Attachment;

pub(super) async fn import(ctx: &Context, shared: &Shared, req: ImportRequest) -> ImportOutcome {
    let failed = |d: Diagnostic| ImportOutcome {
        objects: Vec::new(),
        diagnostics: d.into(),
    };
    let wanted = match id::parse_import(&req.id) {
        Ok(w) => w,
        Err(e) => {
            return failed(Diagnostic::error(
                "Invalid import ID",
                format!(
                    "The import ID {} cannot be read: {e}. Use `<nic_id>:<instance_id>` (for \
                     example `nic-123:ins-456`) or just `<nic_id>`; each ID is at most \
                     {MAX_ID_LEN} characters, without spaces.",
                    quoted(&req.id)
                ),
            ));
        }
    };
    let ready = match shared.ready() {
        Ok(r) => r,
        Err(d) => return failed(d),
    };
    let named_instance = wanted
        .instance_id
        .as_deref()
        .unwrap_or(catalogue::NOT_GIVEN);
    let (api, nic_id) = (&ready.api, &wanted.nic_id);
    let found = calls::read_patiently(
        ctx,
        |limits| async move { api.find_nic(nic_id, &limits).await },
    )
    .await;
    let nic = match found {
        Ok(n) => n,
        Err(e) => {
            let subject = Subject {
                nic_id: &wanted.nic_id,
                instance_id: named_instance,
                op: Op::Import,
                facts: None,
            };
            return failed(catalogue::for_error(&e, Case::Default, &subject));
        }
    };
    let facts = Facts {
        nic_id: wanted.nic_id.clone(),
        instance_id: named_instance.to_owned(),
        nic: nic.clone(),
        ..Facts::default()
    };
    let say = |s: Situation| {
        let subject = Subject {
            nic_id: &wanted.nic_id,
            instance_id: named_instance,
            op: Op::Import,
            facts: Some(&facts),
        };
        catalogue::for_situation(s, Severity::Error, &subject, &[])
    };
    let Some(nic) = nic else {
        return failed(say(Situation::ImportNicMissing));
    };
    let Some(on) = bound_to(&nic) else {
        return failed(say(Situation::ImportNotAttached));
    };
    if wanted.instance_id.as_deref().is_some_and(|w| w != on) {
        return failed(say(Situation::ImportElsewhere));
    }
    shared.memory.record(&nic.nic_id, on);
    ImportOutcome {
        objects: vec![ImportedObject {
            state: Attachment::from_nic(&nic, on).to_value(Value::Null),
            private: Vec::new(),
        }],
        diagnostics: Default::default(),
    }
}
