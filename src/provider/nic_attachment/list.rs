//! The list resource `zenlayer_nic_attachment` (`terraform query`, Terraform ≥ 1.14): every
//! secondary NIC attached to an instance, optionally only in one region or on one instance.
//! Primary NICs are never listed: Terraform cannot manage them. Pages of 1,000 NICs are read
//! one after another and each attachment is sent on as soon as its page arrives.

use async_trait::async_trait;

use crate::cty::{Type, Value};
use crate::framework::{
    Attribute, AttributePath, Block, Context, Diagnostic, Diagnostics, ListRequest, ListResource,
    ListSink, Listed, Schema,
};
use crate::provider::Shared;
use crate::provider::catalogue::{self, Case, Op, Subject};
use crate::untrusted::quoted;
use crate::zenlayer::CallLimits;
use crate::zenlayer::models::DescribeNetworkInterfacesRequest;

use super::calls::bound_to;
use super::id;
use super::model::{Attachment, INSTANCE_ID, REGION_ID};

use std::sync::Arc;

/// The largest page the API serves.
pub(crate) const PAGE_SIZE: u32 = 1000;

/// The list resource.
pub(crate) struct NicAttachments {
    shared: Arc<Shared>,
}

impl NicAttachments {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        NicAttachments { shared }
    }
}

fn filter(name: &str, description: &str) -> Attribute {
    Attribute {
        name: name.to_owned(),
        ty: Type::String,
        description: description.to_owned(),
        required: false,
        optional: true,
        computed: false,
        sensitive: false,
        deprecated: false,
        requires_replace: false,
    }
}

#[async_trait]
impl ListResource for NicAttachments {
    fn type_name(&self) -> &'static str {
        "zenlayer_nic_attachment"
    }

    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block {
                attributes: vec![
                    filter(
                        REGION_ID,
                        "Only attachments of NICs in this region (for example `asia-east-1`).",
                    ),
                    filter(INSTANCE_ID, "Only the attachments of this instance."),
                ],
                blocks: Vec::new(),
                description: "Lists the account's secondary vNICs that are attached to an \
                              instance. Primary vNICs are never listed."
                    .to_owned(),
                deprecated: false,
            },
        }
    }

    async fn validate(&self, _ctx: &Context, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        for (name, what) in [(REGION_ID, "region ID"), (INSTANCE_ID, "instance ID")] {
            let Some(text) = config.attr(name).and_then(Value::as_str) else {
                continue;
            };
            if let Err(problem) = id::check(text) {
                diags.push(
                    Diagnostic::error(
                        format!("Invalid {what}"),
                        format!(
                            "The filter `{name}`, {}, {problem}. Give the ID exactly as \
                             zenConsole or the API shows it, or leave the filter out.",
                            quoted(text)
                        ),
                    )
                    .at(AttributePath::root(name)),
                );
            }
        }
        diags
    }

    async fn list(&self, ctx: &Context, req: ListRequest, sink: &mut ListSink) {
        let ready = match self.shared.ready() {
            Ok(r) => r,
            Err(d) => return sink.fail(d.into()).await,
        };
        let text = |name: &str| {
            req.config
                .attr(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let mut page = DescribeNetworkInterfacesRequest {
            region_id: text(REGION_ID),
            instance_id: text(INSTANCE_ID),
            nic_type: Some("Secondary".to_owned()),
            page_num: Some(1),
            page_size: Some(PAGE_SIZE),
            ..Default::default()
        };
        let limits = CallLimits {
            deadline: None,
            cancel: ctx.stop_token().clone(),
        };
        let mut seen: u64 = 0;
        loop {
            let answer = match ready.api.nic_page(&page, &limits).await {
                Ok(a) => a,
                Err(e) => {
                    let subject = Subject {
                        nic_id: "(listing)",
                        instance_id: page.instance_id.as_deref().unwrap_or("(any)"),
                        op: Op::Import,
                        facts: None,
                    };
                    return sink
                        .fail(catalogue::for_error(&e, Case::Default, &subject).into())
                        .await;
                }
            };
            let got = answer.data_set.len() as u64;
            seen += got;
            for nic in &answer.data_set {
                if nic.is_primary() {
                    continue;
                }
                let Some(on) = bound_to(nic) else {
                    continue;
                };
                let name = nic.name.as_deref().filter(|n| !n.is_empty());
                let display_name = match name {
                    Some(name) => format!("{} ({name}) on {on}", nic.nic_id),
                    None => format!("{} on {on}", nic.nic_id),
                };
                let listed = Listed {
                    state: Attachment::from_nic(nic, on).to_value(Value::Null),
                    display_name,
                };
                if !sink.send(listed).await {
                    return;
                }
            }
            if got < u64::from(PAGE_SIZE) || seen >= answer.total_count {
                return;
            }
            page.page_num = page.page_num.map(|n| n + 1);
        }
    }
}
