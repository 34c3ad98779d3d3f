//! `data "zenlayer_nic"`: one NIC, by `id` or by exact `name` (optionally in one `region_id`).
//! A name that matches several NICs is an error that lists them, so a configuration never
//! picks one by chance.

use std::sync::Arc;

use async_trait::async_trait;

use crate::cty::Value;
use crate::framework::{
    AttributePath, Block, Context, DataSource, Diagnostic, Diagnostics, ReadDataRequest, Schema,
};
use crate::provider::Shared;
use crate::provider::nic_attachment::id;
use crate::untrusted::{quoted, word};
use crate::zenlayer::NicFilter;
use crate::zenlayer::models::NicInfo;

use super::search::{self, filters_text, text};
use super::{ID, NAME, REGION_ID};

/// The most matching NICs an ambiguous-name error lists; the rest are counted.
pub(crate) const LISTED_MATCHES: usize = 20;

/// The data source.
pub(crate) struct NicLookup {
    shared: Arc<Shared>,
}

impl NicLookup {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        NicLookup { shared }
    }
}

/// The data source's schema.
pub(crate) fn schema() -> Schema {
    Schema {
        version: 0,
        block: Block {
            attributes: super::attributes(&[
                (
                    ID,
                    "Find the NIC with this ID. Give `id` or `name`, not both.",
                ),
                (
                    NAME,
                    "Find the NIC with exactly this name. Give `id` or `name`, not both; a \
                     name several NICs share is an error that lists them.",
                ),
                (REGION_ID, "Search only this region."),
            ]),
            blocks: Vec::new(),
            description: "Looks up one vNIC, by ID or by exact name, and exposes everything the \
                          API reports about it, status and attached instance included. Read \
                          during the plan, so IDs found here are known at plan time."
                .to_owned(),
            deprecated: false,
        },
    }
}

/// How the configuration asks for the NIC, or why it cannot.
enum Ask {
    ById(String),
    ByName(String),
}

/// The `id`/`name` choice; unknown values count as given but not as missing, so validate
/// reports only what is already certain.
fn ask(config: &Value) -> Result<Option<Ask>, Diagnostic> {
    let given = |name| config.attr(name).is_some_and(|v| !v.is_null());
    let (has_id, has_name) = (given(ID), given(NAME));
    if has_id && has_name {
        return Err(Diagnostic::error(
            "Both `id` and `name` are set",
            "`data \"zenlayer_nic\"` finds a NIC by `id` or by `name`, not both. Keep the one \
             you mean and remove the other.",
        )
        .at(AttributePath::root(NAME)));
    }
    if !has_id && !has_name {
        return Err(Diagnostic::error(
            "Neither `id` nor `name` is set",
            "`data \"zenlayer_nic\"` needs `id` or `name` to know which NIC to find. To search \
             by other filters, use `data \"zenlayer_nics\"`.",
        ));
    }
    let known = |name| config.attr(name).and_then(Value::as_str).map(str::to_owned);
    Ok(match (known(ID), known(NAME)) {
        (Some(id), _) => Some(Ask::ById(id)),
        (_, Some(name)) => Some(Ask::ByName(name)),
        _ => None,
    })
}

/// The error for a name several NICs share: at most [`LISTED_MATCHES`] of them, sorted by ID,
/// each with its region and status, then a count of the rest.
fn ambiguous(filters: &str, mut found: Vec<NicInfo>) -> Diagnostic {
    found.sort_by(|a, b| a.nic_id.cmp(&b.nic_id));
    let mut lines: Vec<String> = (found.iter().take(LISTED_MATCHES))
        .map(|n| {
            format!(
                "  - {} (region {}, {})",
                word(&n.nic_id),
                word(&n.region_id),
                word(n.status.as_str())
            )
        })
        .collect();
    if found.len() > LISTED_MATCHES {
        lines.push(format!("  … and {} more", found.len() - LISTED_MATCHES));
    }
    Diagnostic::error(
        "Several NICs match the name",
        format!(
            "{} NICs match {filters}:\n{}\nGive the NIC's `id` instead, or add `region_id` if \
             the NICs are in different regions, or rename them so that the name is unique.",
            found.len(),
            lines.join("\n")
        ),
    )
    .at(AttributePath::root(NAME))
}

#[async_trait]
impl DataSource for NicLookup {
    fn type_name(&self) -> &'static str {
        "zenlayer_nic"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn validate(&self, _ctx: &Context, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        match ask(config) {
            Err(d) => diags.push(d),
            Ok(Some(Ask::ById(nic_id))) => {
                if let Err(problem) = id::check(&nic_id) {
                    diags.push(
                        Diagnostic::error(
                            "Invalid NIC ID",
                            format!(
                                "`id`, {}, {problem}. Give the ID exactly as zenConsole or the \
                                 API shows it.",
                                quoted(&nic_id)
                            ),
                        )
                        .at(AttributePath::root(ID)),
                    );
                }
            }
            Ok(_) => {}
        }
        diags
    }

    async fn read(&self, ctx: &Context, req: ReadDataRequest) -> (Value, Diagnostics) {
        let ready = match self.shared.ready() {
            Ok(r) => r,
            Err(d) => return (Value::Null, d.into()),
        };
        let limits = search::limits(ctx);
        let region = text(&req.config, REGION_ID);
        let found = match ask(&req.config) {
            Err(d) => return (Value::Null, d.into()),
            // Terraform reads a data source only once its arguments are known.
            Ok(None) => {
                let d = Diagnostic::error(
                    "Neither `id` nor `name` is set",
                    "`data \"zenlayer_nic\"` was read before `id` or `name` was known.",
                );
                return (Value::Null, d.into());
            }
            Ok(Some(Ask::ById(nic_id))) => {
                let filters = filters_text(
                    &NicFilter {
                        region_id: region.clone(),
                        ..NicFilter::default()
                    },
                    None,
                );
                let filters = format!("id = {}{}", quoted(&nic_id), and(&filters));
                match ready.api.recent_nic(&nic_id, &limits).await {
                    Err(e) => return (Value::Null, search::failed(&e, &nic_id).into()),
                    Ok(Some(nic)) if region.as_ref().is_none_or(|r| *r == nic.region_id) => nic,
                    Ok(_) => return (Value::Null, search::no_match(&filters).into()),
                }
            }
            Ok(Some(Ask::ByName(name))) => {
                let filter = NicFilter {
                    region_id: region,
                    name: Some(name.clone()),
                    ..NicFilter::default()
                };
                let filters = filters_text(&filter, Some(&name));
                let all = match ready.api.recent_nics(&filter, &limits).await {
                    Ok(all) => all,
                    Err(e) => return (Value::Null, search::failed(&e, "(search)").into()),
                };
                let mut exact: Vec<NicInfo> = all
                    .into_iter()
                    .filter(|n| n.name.as_deref() == Some(name.as_str()))
                    .collect();
                match exact.len() {
                    0 => return (Value::Null, search::no_match(&filters).into()),
                    1 => exact.remove(0),
                    _ => return (Value::Null, ambiguous(&filters, exact).into()),
                }
            }
        };
        (super::object(&found), Diagnostics::new())
    }
}

/// `", " + filters`, or nothing when there are none.
fn and(filters: &str) -> String {
    if filters == "no filters" {
        String::new()
    } else {
        format!(", {filters}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::api::Zec;
    use crate::provider::config::PlanChecks;
    use crate::provider::fake::FakeZec;
    use crate::zenlayer::models::NicStatus;

    fn config(pairs: &[(&str, Value)]) -> Value {
        Value::object(schema().block.attributes.iter().map(|a| {
            let v =
                (pairs.iter().find(|(n, _)| *n == a.name)).map_or(Value::Null, |(_, v)| v.clone());
            (a.name.clone(), v)
        }))
    }

    fn lookup(fake: Arc<FakeZec>) -> NicLookup {
        NicLookup::new(Shared::with_api(fake as Arc<dyn Zec>, PlanChecks::Error))
    }

    #[tokio::test]
    async fn id_and_name_together_or_neither_are_refused_at_validate() {
        let ds = lookup(Arc::new(FakeZec::new()));
        let ctx = Context::default();
        let both = config(&[(ID, Value::string("nic-1")), (NAME, Value::string("web"))]);
        let d = ds.validate(&ctx, &both).await;
        assert_eq!(
            d.iter().next().unwrap().summary,
            "Both `id` and `name` are set"
        );
        let d = ds.validate(&ctx, &config(&[])).await;
        assert_eq!(
            d.iter().next().unwrap().summary,
            "Neither `id` nor `name` is set"
        );
        let unknown = config(&[(NAME, Value::unknown())]);
        assert!(ds.validate(&ctx, &unknown).await.is_empty());
        let empty = config(&[(ID, Value::string(""))]);
        let d = ds.validate(&ctx, &empty).await;
        assert_eq!(d.iter().next().unwrap().summary, "Invalid NIC ID");
        let bad_id = config(&[(ID, Value::string("nic 1"))]);
        let d = ds.validate(&ctx, &bad_id).await;
        assert_eq!(d.iter().next().unwrap().summary, "Invalid NIC ID");
    }

    #[tokio::test]
    async fn a_shared_name_lists_twenty_matches_and_counts_the_rest() {
        let fake = Arc::new(FakeZec::new());
        for i in 0..25 {
            fake.add_nic(&format!("nic-{i:02}"), "r1");
            fake.rename_nic(&format!("nic-{i:02}"), "web");
        }
        fake.add_nic("nic-other", "r1");
        fake.rename_nic("nic-other", "web-2");
        let ds = lookup(fake);
        let req = ReadDataRequest {
            config: config(&[(NAME, Value::string("web"))]),
        };
        let (_, d) = ds.read(&Context::default(), req).await;
        let diag = d.iter().next().unwrap();
        assert_eq!(diag.summary, "Several NICs match the name");
        assert!(diag.detail.starts_with("25 NICs match name = \"web\":"));
        assert!(diag.detail.contains("  - nic-00 (region r1, AVAILABLE)"));
        assert!(diag.detail.contains("  - nic-19 (region r1, AVAILABLE)"));
        assert!(!diag.detail.contains("nic-20 "));
        assert!(!diag.detail.contains("nic-other"));
        assert!(diag.detail.contains("… and 5 more"));
    }

    #[tokio::test]
    async fn an_exact_name_finds_its_nic_even_when_others_contain_it() {
        let fake = Arc::new(FakeZec::new());
        fake.add_nic("nic-a", "r1");
        fake.rename_nic("nic-a", "web");
        fake.add_nic("nic-b", "r1");
        fake.rename_nic("nic-b", "web-backup");
        fake.set_nic("nic-a", NicStatus::Used, Some("ins-1"));
        let ds = lookup(fake);
        let req = ReadDataRequest {
            config: config(&[(NAME, Value::string("web"))]),
        };
        let (v, d) = ds.read(&Context::default(), req).await;
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(v.attr(ID), Some(&Value::string("nic-a")));
        assert_eq!(v.attr("instance_id"), Some(&Value::string("ins-1")));
        assert_eq!(v.attr("status"), Some(&Value::string("USED")));
    }

    #[tokio::test]
    async fn no_match_names_the_filters_used() {
        let fake = Arc::new(FakeZec::new());
        fake.add_nic("nic-a", "r1");
        let ds = lookup(fake);
        let req = ReadDataRequest {
            config: config(&[
                (NAME, Value::string("db")),
                (REGION_ID, Value::string("r2")),
            ]),
        };
        let (_, d) = ds.read(&Context::default(), req).await;
        let diag = d.iter().next().unwrap();
        assert_eq!(diag.summary, "No NIC matches the search");
        assert!(
            diag.detail
                .contains("no NIC with name = \"db\", region_id = \"r2\"")
        );
        let req = ReadDataRequest {
            config: config(&[
                (ID, Value::string("nic-a")),
                (REGION_ID, Value::string("r2")),
            ]),
        };
        let (_, d) = ds.read(&Context::default(), req).await;
        let diag = d.iter().next().unwrap();
        assert!(
            diag.detail
                .contains("no NIC with id = \"nic-a\", region_id = \"r2\""),
            "{}",
            diag.detail
        );
    }
}
