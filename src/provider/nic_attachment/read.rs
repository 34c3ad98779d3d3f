//! Read (refresh): what the NIC says now becomes the state, so an import and a create leave
//! identical state, and out-of-band changes show up as the plan Terraform should make.
//!
//! - NIC gone, or attached to nothing: the attachment is gone (the plan creates it again).
//! - NIC attached to another instance: state records that instance, so the plan replaces it.
//! - NIC ATTACHING to our instance, or DETACHING: in passing; state is kept, so no drift shows.

use std::time::Duration;

use tokio::time::Instant;

use crate::framework::{Context, ReadOutcome, ReadRequest, ReadResult};
use crate::provider::Shared;
use crate::provider::catalogue::{self, Case, Op, Subject};
use crate::zenlayer::models::NicStatus;

use super::calls;
use super::model::{self, Attachment};

/// A refresh that takes longer is not going to succeed; fail the plan rather than hang it.
/// Within it, a throttled read is tried again after a pause.
const READ_TIMEOUT: Duration = Duration::from_secs(60);

pub(super) async fn read(ctx: &Context, shared: &Shared, req: ReadRequest) -> ReadResult {
    let keep = |diags| ReadResult {
        outcome: ReadOutcome::Present(req.state.clone()),
        private: req.private.clone(),
        diagnostics: diags,
    };
    let Some((nic_id, instance_id)) = model::pair(&req.state) else {
        // Nothing identifies a remote object; keep what is there rather than guess.
        return keep(Default::default());
    };
    let ready = match shared.ready() {
        Ok(r) => r,
        Err(d) => return keep(d.into()),
    };
    let deadline = Instant::now() + READ_TIMEOUT;
    let limits = calls::limits(ctx, deadline);
    let found = loop {
        // A refresh is a point-in-time read: a listing a few seconds old serves it.
        match ready.api.recent_nic(&nic_id, &limits).await {
            Err(e) if calls::not_now(&e) && calls::pause(ctx, deadline).await => continue,
            other => break other,
        }
    };
    let nic = match found {
        Ok(n) => n,
        Err(e) => {
            let subject = Subject {
                nic_id: &nic_id,
                instance_id: &instance_id,
                op: Op::Read,
                facts: None,
            };
            return keep(catalogue::for_error(&e, Case::Default, &subject).into());
        }
    };
    let gone = || {
        shared.memory.forget(&nic_id, &instance_id);
        ReadResult {
            outcome: ReadOutcome::Gone,
            private: req.private.clone(),
            diagnostics: Default::default(),
        }
    };
    let Some(nic) = nic else {
        return gone();
    };
    let on = nic.instance_id.as_deref().filter(|i| !i.is_empty());
    let observed = match (&nic.status, on) {
        // In passing: keep our instance, refresh the rest.
        (NicStatus::Detaching, _) | (NicStatus::Attaching, None) => instance_id.clone(),
        (NicStatus::Attaching, Some(i)) if i == instance_id => instance_id.clone(),
        (NicStatus::Used | NicStatus::Attaching, Some(i)) => i.to_owned(),
        (NicStatus::Used, None) => instance_id.clone(),
        // A state this version does not know, still naming an instance: believe the instance.
        (NicStatus::Other(_) | NicStatus::Missing, Some(i)) => i.to_owned(),
        _ => return gone(),
    };
    if observed != instance_id {
        shared.memory.forget(&nic_id, &instance_id);
    }
    shared.memory.record(&nic_id, &observed);
    let state = Attachment::from_nic(&nic, &observed).to_value(model::timeouts_value(&req.state));
    ReadResult {
        outcome: ReadOutcome::Present(state),
        private: req.private,
        diagnostics: Default::default(),
    }
}
