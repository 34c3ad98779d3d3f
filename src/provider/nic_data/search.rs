//! What both NIC data sources do around a read: the call limits, the filters as a
//! configuration sets them, an API error as the catalogue words it, and "nothing matches".

use std::time::Duration;

use tokio::time::Instant;

use crate::cty::Value;
use crate::framework::{Context, Diagnostic};
use crate::provider::catalogue::{self, Case, Op, Subject};
use crate::untrusted::quoted;
use crate::zenlayer::{CallLimits, Error, NicFilter};

use super::{INSTANCE_ID, NIC_TYPE, REGION_ID, STATUS, SUBNET_ID, VPC_ID};

/// How long one data source read may take in all: paging through a large account included.
const READ_TIMEOUT: Duration = Duration::from_secs(300);

/// The limits of one data source read: [`READ_TIMEOUT`], and Terraform's Stop.
pub(crate) fn limits(ctx: &Context) -> CallLimits {
    CallLimits {
        deadline: Some(Instant::now() + READ_TIMEOUT),
        cancel: ctx.stop_token().clone(),
    }
}

/// A known, non-null, non-empty string argument.
pub(crate) fn text(config: &Value, name: &str) -> Option<String> {
    config
        .attr(name)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The server-side filters a configuration sets, among those the data source has.
pub(crate) fn filter(config: &Value) -> NicFilter {
    NicFilter {
        region_id: text(config, REGION_ID),
        instance_id: text(config, INSTANCE_ID),
        status: text(config, STATUS),
        nic_type: text(config, NIC_TYPE),
        vpc_id: text(config, VPC_ID),
        subnet_id: text(config, SUBNET_ID),
        name: None,
    }
}

/// The filters of a search as a person reads them: `name = "web", region_id = "r1"`.
pub(crate) fn filters_text(filter: &NicFilter, exact_name: Option<&str>) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(name) = exact_name {
        parts.push(format!("name = {}", quoted(name)));
    }
    parts.extend(
        filter
            .described()
            .into_iter()
            .filter(|(k, _)| *k != "name")
            .map(|(k, v)| format!("{k} = {}", quoted(v))),
    );
    if parts.is_empty() {
        "no filters".to_owned()
    } else {
        parts.join(", ")
    }
}

/// An API failure during a data source read, worded by the catalogue.
pub(crate) fn failed(e: &Error, nic_id: &str) -> Diagnostic {
    let subject = Subject {
        nic_id,
        instance_id: "(any)",
        op: Op::Read,
        facts: None,
    };
    catalogue::for_error(e, Case::Default, &subject)
}

/// No NIC matched a `zenlayer_nic` search.
pub(crate) fn no_match(filters: &str) -> Diagnostic {
    Diagnostic::error(
        "No NIC matches the search",
        format!(
            "The Zenlayer API has no NIC with {filters}. Check the values against zenConsole \
             or `zenlayer_nics`, or whether the NIC was deleted."
        ),
    )
}
