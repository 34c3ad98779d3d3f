//! `data "zenlayer_nics"`: every NIC the filters match. The filters go to the API
//! (`DescribeNetworkInterfaces`, every page), or are applied to a listing of the account the
//! same plan already read; `name_regex` is matched here. `ids` and `nics` are sorted by ID.

use std::sync::Arc;

use async_trait::async_trait;
use regex::Regex;

use crate::cty::{Type, Value};
use crate::framework::{
    Attribute, AttributePath, Block, Context, DataSource, Diagnostic, Diagnostics, ReadDataRequest,
    Schema,
};
use crate::provider::Shared;
use crate::untrusted::quoted;
use crate::zenlayer::models::{NicInfo, NicStatus};

use super::search::{self, text};
use super::{INSTANCE_ID, NIC_TYPE, REGION_ID, STATUS, SUBNET_ID, VPC_ID};

pub(crate) const NAME_REGEX: &str = "name_regex";
pub(crate) const IDS: &str = "ids";
pub(crate) const NICS: &str = "nics";

/// The NIC types the API knows.
const NIC_TYPES: &[&str] = &["Primary", "Secondary"];

/// The data source.
pub(crate) struct NicSearch {
    shared: Arc<Shared>,
}

impl NicSearch {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        NicSearch { shared }
    }
}

/// The data source's schema.
pub(crate) fn schema() -> Schema {
    let filter = |name: &str, description: &str| {
        Attribute::optional(name, Type::String, description.to_owned())
    };
    Schema {
        version: 0,
        block: Block {
            attributes: vec![
                filter(REGION_ID, "Only NICs in this region, e.g. `asia-east-1`."),
                filter(INSTANCE_ID, "Only NICs attached to this instance."),
                filter(
                    STATUS,
                    "Only NICs in this status, e.g. `AVAILABLE` for the NICs attached to \
                     nothing.",
                ),
                filter(NIC_TYPE, "Only `Primary` or only `Secondary` NICs."),
                filter(VPC_ID, "Only NICs in this VPC."),
                filter(SUBNET_ID, "Only NICs in this subnet."),
                filter(
                    NAME_REGEX,
                    "Only NICs whose name matches this regular expression (Rust `regex` \
                     syntax, matched anywhere in the name unless anchored with `^`/`$`). \
                     Matched by the provider; NICs without a name never match.",
                ),
                Attribute::computed(
                    IDS,
                    Type::List(Box::new(Type::String)),
                    "The IDs of the matching NICs, sorted.",
                ),
                Attribute::computed(
                    NICS,
                    Type::List(Box::new(super::object_type())),
                    "The matching NICs, in the order of `ids`, each with the attributes of \
                     `data \"zenlayer_nic\"`.",
                ),
            ],
            blocks: Vec::new(),
            description: "Finds every vNIC that matches the filters (all of them when none is \
                          set). The filters but `name_regex` are sent to the API, and every \
                          page is read. Read during the plan, so `ids` is known at plan time: \
                          attachments made with `for_each` over it get every plan check."
                .to_owned(),
            deprecated: false,
        },
    }
}

/// The error for a `name_regex` that does not parse: what is wrong, and where, with the
/// pattern shown and a caret under the place.
fn regex_error(pattern: &str) -> Option<Diagnostic> {
    let problem = match regex_syntax::Parser::new().parse(pattern) {
        Ok(_) => match Regex::new(pattern) {
            Ok(_) => return None,
            // Parsed but too large to compile.
            Err(e) => return Some(invalid_regex(format!("it {}", first_line(&e.to_string())))),
        },
        Err(e) => e,
    };
    let (kind, span) = match &problem {
        regex_syntax::Error::Parse(e) => (e.kind().to_string(), *e.span()),
        regex_syntax::Error::Translate(e) => (e.kind().to_string(), *e.span()),
        other => {
            let start = regex_syntax::ast::Position::new(0, 1, 1);
            (other.to_string(), regex_syntax::ast::Span::splat(start))
        }
    };
    let line_text = pattern
        .lines()
        .nth(span.start.line.saturating_sub(1))
        .unwrap_or(pattern);
    let shown = quoted(line_text);
    // `quoted` adds one quote before the text; the caret sits under the character at fault.
    let before = &line_text[..line_text
        .char_indices()
        .nth(span.start.column.saturating_sub(1))
        .map_or(line_text.len(), |(i, _)| i)];
    let offset = quoted(before).chars().count().saturating_sub(1);
    Some(invalid_regex(format!(
        "{kind}, at character {}:\n\n    {shown}\n    {}^",
        span.start.column,
        " ".repeat(offset)
    )))
}

fn first_line(text: &str) -> &str {
    text.lines().find(|l| !l.trim().is_empty()).unwrap_or(text)
}

fn invalid_regex(problem: String) -> Diagnostic {
    Diagnostic::error(
        "Invalid regular expression",
        format!(
            "`name_regex` is not a regular expression the provider can use: {problem}\n\nThe \
             syntax is Rust's `regex` crate's (close to RE2: no look-around or \
             back-references). Escape literal characters such as `(` or `.` with `\\\\` in HCL."
        ),
    )
    .at(AttributePath::root(NAME_REGEX))
}

/// The error for a filter value the API does not know.
fn invalid_value(name: &str, value: &str, allowed: &[&str]) -> Diagnostic {
    Diagnostic::error(
        "Invalid filter value",
        format!(
            "`{name}` is {}, which the Zenlayer API does not know. Use one of: {}.",
            quoted(value),
            allowed.join(", ")
        ),
    )
    .at(AttributePath::root(name))
}

#[async_trait]
impl DataSource for NicSearch {
    fn type_name(&self) -> &'static str {
        "zenlayer_nics"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn validate(&self, _ctx: &Context, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        if let Some(pattern) = config.attr(NAME_REGEX).and_then(Value::as_str)
            && let Some(d) = regex_error(pattern)
        {
            diags.push(d);
        }
        let statuses: Vec<&str> = NicStatus::ALL.iter().map(NicStatus::as_str).collect();
        for (name, allowed) in [(STATUS, statuses.as_slice()), (NIC_TYPE, NIC_TYPES)] {
            if let Some(value) = config.attr(name).and_then(Value::as_str)
                && !allowed.contains(&value)
            {
                diags.push(invalid_value(name, value, allowed));
            }
        }
        diags
    }

    async fn read(&self, ctx: &Context, req: ReadDataRequest) -> (Value, Diagnostics) {
        let ready = match self.shared.ready() {
            Ok(r) => r,
            Err(d) => return (Value::Null, d.into()),
        };
        let regex = match text(&req.config, NAME_REGEX).map(|p| (Regex::new(&p), p)) {
            None => None,
            Some((Ok(r), _)) => Some(r),
            Some((Err(_), p)) => {
                let d =
                    regex_error(&p).unwrap_or_else(|| invalid_regex("it does not compile".into()));
                return (Value::Null, d.into());
            }
        };
        let filter = search::filter(&req.config);
        let limits = search::limits(ctx);
        let found = match ready.api.recent_nics(&filter, &limits).await {
            Ok(found) => found,
            Err(e) => return (Value::Null, search::failed(&e, "(search)").into()),
        };
        let mut found: Vec<NicInfo> = found
            .into_iter()
            .filter(|n| {
                regex
                    .as_ref()
                    .is_none_or(|r| n.name.as_deref().is_some_and(|name| r.is_match(name)))
            })
            .collect();
        found.sort_by(|a, b| a.nic_id.cmp(&b.nic_id));
        found.dedup_by(|a, b| a.nic_id == b.nic_id);
        let ids = Value::list(found.iter().map(|n| Value::string(n.nic_id.as_str())));
        let nics = Value::list(found.iter().map(super::object));
        let filters = schema()
            .block
            .attributes
            .iter()
            .filter(|a| a.optional)
            .map(|a| {
                let v = req.config.attr(&a.name).cloned().unwrap_or(Value::Null);
                (a.name.clone(), v)
            })
            .collect::<Vec<_>>();
        let value = Value::object(
            filters
                .into_iter()
                .chain([(IDS.to_owned(), ids), (NICS.to_owned(), nics)]),
        );
        (value, Diagnostics::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::api::Zec;
    use crate::provider::config::PlanChecks;
    use crate::provider::fake::FakeZec;
    use crate::provider::testing::assert_says;

    fn config(pairs: &[(&str, &str)]) -> Value {
        Value::object(schema().block.attributes.iter().map(|a| {
            let v = pairs
                .iter()
                .find(|(n, _)| *n == a.name)
                .map_or(Value::Null, |(_, v)| Value::string(*v));
            (a.name.clone(), v)
        }))
    }

    #[test]
    fn an_invalid_regex_shows_where_it_fails() {
        let d = regex_error("web-(a|b").expect("invalid");
        assert_eq!(d.summary, "Invalid regular expression");
        assert_says(
            &d.detail,
            &[
                "unclosed group, at character 5:",
                "    \"web-(a|b\"\n         ^",
            ],
        );
        let d = regex_error("a{2,1}").expect("invalid");
        assert_says(&d.detail, &["invalid repetition count range"]);
        assert!(regex_error("^web-[0-9]+$").is_none());
    }

    #[tokio::test]
    async fn validate_refuses_unknown_status_and_type_and_bad_regex() {
        let ds = NicSearch::new(Shared::with_api(
            Arc::new(FakeZec::new()) as Arc<dyn Zec>,
            PlanChecks::Error,
        ));
        let ctx = Context::default();
        let d = ds
            .validate(
                &ctx,
                &config(&[(STATUS, "FREE"), (NIC_TYPE, "primary"), (NAME_REGEX, "(")]),
            )
            .await;
        let summaries: Vec<&str> = d.iter().map(|d| d.summary.as_str()).collect();
        assert_eq!(
            summaries,
            [
                "Invalid regular expression",
                "Invalid filter value",
                "Invalid filter value"
            ]
        );
        assert!(
            ds.validate(&ctx, &config(&[(STATUS, "AVAILABLE")]))
                .await
                .is_empty()
        );
    }

    #[tokio::test]
    async fn filters_and_name_regex_select_nics_sorted_by_id() {
        let fake = Arc::new(FakeZec::new());
        for (id, name, region) in [
            ("nic-c", "web-3", "r1"),
            ("nic-a", "web-1", "r1"),
            ("nic-b", "db-1", "r1"),
            ("nic-d", "web-4", "r2"),
        ] {
            fake.add_nic(id, region);
            fake.rename_nic(id, name);
        }
        let ds = NicSearch::new(Shared::with_api(fake as Arc<dyn Zec>, PlanChecks::Error));
        let req = ReadDataRequest {
            config: config(&[(REGION_ID, "r1"), (NAME_REGEX, "^web-")]),
        };
        let (v, d) = ds.read(&Context::default(), req).await;
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(
            v.attr(IDS),
            Some(&Value::list([
                Value::string("nic-a"),
                Value::string("nic-c")
            ]))
        );
        let nics = v.attr(NICS).and_then(Value::elements).expect("nics");
        assert_eq!(nics[1].attr("name"), Some(&Value::string("web-3")));
        assert_eq!(v.attr(REGION_ID), Some(&Value::string("r1")));
    }
}
