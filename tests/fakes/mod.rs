//! A fake provider with one resource (`test_thing`) and one data source (`test_info`) whose
//! behaviour each test sets through function fields, and which records every call.

#![allow(dead_code, unreachable_pub)]

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use tpz::cty::{Number, Type, Value};
use tpz::framework::{
    ApplyOutcome, Attribute, Block, ConfigureRequest, Context, CreateRequest, DataSource,
    DeleteRequest, Diagnostic, Diagnostics, ImportOutcome, ImportRequest, ImportedObject,
    NestedBlock, Nesting, PlannedChange, Provider, ReadDataRequest, ReadOutcome, ReadRequest,
    ReadResult, Resource, Schema, UpdateRequest, UpgradeRequest,
};

/// Every call a fake received, in order.
#[derive(Clone, Debug)]
pub enum Call {
    ProviderValidate(Value),
    Configure(ConfigureRequest),
    Validate(Value),
    Upgrade(UpgradeRequest),
    Read(ReadRequest),
    ModifyPlan(PlannedChange),
    Create(CreateRequest),
    Update(UpdateRequest),
    Delete(DeleteRequest),
    Import(ImportRequest),
    ReadData(ReadDataRequest),
}

type Log = Arc<Mutex<Vec<Call>>>;
type F<A, R> = Box<dyn Fn(A) -> R + Send + Sync>;

/// `test_thing`: `id` computed; `name` required, forces replacement; `value` optional;
/// `computed_val` optional+computed; `secret` optional, sensitive; `timeouts` a SINGLE block;
/// `rule` a LIST block with `port` (required number) and `rule_id` (computed).
pub fn thing_schema() -> Schema {
    let mut schema = flat_schema(
        1,
        vec![
            Attribute::computed("id", Type::String, "The ID."),
            Attribute::required("name", Type::String, "The name.").requires_replace(),
            Attribute::optional("value", Type::String, "A value."),
            Attribute::optional("computed_val", Type::String, "Filled when unset.").also_computed(),
            Attribute::optional("secret", Type::String, "A secret.").sensitive(),
        ],
    );
    schema.block.description = "A thing for tests.".into();
    schema.block.blocks = vec![
        NestedBlock {
            type_name: "timeouts".into(),
            block: Block {
                attributes: vec![Attribute::optional("create", Type::String, "")],
                ..Block::default()
            },
            nesting: Nesting::Single,
            min_items: 0,
            max_items: 0,
        },
        NestedBlock {
            type_name: "rule".into(),
            block: Block {
                attributes: vec![
                    Attribute::required("port", Type::Number, "A port."),
                    Attribute::computed("rule_id", Type::String, "Assigned."),
                ],
                ..Block::default()
            },
            nesting: Nesting::List,
            min_items: 0,
            max_items: 0,
        },
    ];
    schema
}

/// A schema of `version` whose block is just `attributes`: the data source's and provider's.
fn flat_schema(version: i64, attributes: Vec<Attribute>) -> Schema {
    Schema {
        version,
        block: Block {
            attributes,
            ..Block::default()
        },
    }
}

pub fn s(v: &str) -> Value {
    Value::string(v)
}

pub fn n(v: i64) -> Value {
    Value::Number(Number::Int(v))
}

/// A `rule` block element.
pub fn rule(port: i64, rule_id: Value) -> Value {
    Value::object([("port", n(port)), ("rule_id", rule_id)])
}

/// A full `test_thing` object; `set` overrides the defaults (all null, no blocks).
pub fn thing(set: &[(&str, Value)]) -> Value {
    let mut v = Value::object([
        ("id", Value::Null),
        ("name", Value::Null),
        ("value", Value::Null),
        ("computed_val", Value::Null),
        ("secret", Value::Null),
        ("timeouts", Value::Null),
        ("rule", Value::List(Vec::new())),
    ]);
    for (k, x) in set {
        *v.attr_mut(k).expect("test_thing has this key") = x.clone();
    }
    v
}

/// `v` with every unknown filled as a real API would: an unknown attribute `k` becomes the
/// string `gen-<k>`.
pub fn fill_unknowns(v: Value) -> Value {
    fn fill(v: Value, name: &str) -> Value {
        match v {
            Value::Unknown(_) => Value::string(format!("gen-{name}")),
            Value::List(items) => Value::List(items.into_iter().map(|e| fill(e, name)).collect()),
            Value::Object(m) => Value::Object(
                m.into_iter()
                    .map(|(k, e)| {
                        let e = fill(e, &k);
                        (k, e)
                    })
                    .collect(),
            ),
            other => other,
        }
    }
    fill(v, "value")
}

/// What an apply returns without private data: the create, update or delete a test plays.
pub fn outcome(new_state: Value, diagnostics: Diagnostics) -> ApplyOutcome {
    ApplyOutcome {
        new_state,
        private: Vec::new(),
        diagnostics,
    }
}

fn ok(new_state: Value) -> ApplyOutcome {
    ApplyOutcome {
        new_state,
        private: b"apply-private".to_vec(),
        diagnostics: Diagnostics::new(),
    }
}

/// The fake resource. Every field has a sensible default; tests replace the ones they probe.
pub struct FakeResource {
    pub log: Log,
    pub validate: Box<dyn Fn(&Value) -> Diagnostics + Send + Sync>,
    pub upgrade: Option<F<UpgradeRequest, Result<Value, Diagnostics>>>,
    pub read: F<ReadRequest, ReadResult>,
    pub modify_plan: Box<dyn Fn(&mut PlannedChange) -> Diagnostics + Send + Sync>,
    pub create: F<CreateRequest, ApplyOutcome>,
    pub update: F<UpdateRequest, ApplyOutcome>,
    pub delete: F<DeleteRequest, ApplyOutcome>,
    pub import: F<ImportRequest, ImportOutcome>,
    /// When set, create first waits for Terraform's Stop (as a long wait for the API would).
    pub create_waits_for_stop: bool,
}

impl Default for FakeResource {
    fn default() -> Self {
        FakeResource {
            log: Log::default(),
            validate: Box::new(|_| Diagnostics::new()),
            upgrade: None,
            read: Box::new(|r| ReadResult {
                outcome: ReadOutcome::Present(r.state),
                private: r.private,
                diagnostics: Diagnostics::new(),
            }),
            modify_plan: Box::new(|_| Diagnostics::new()),
            create: Box::new(|r| ok(fill_unknowns(r.planned_state))),
            update: Box::new(|r| ok(fill_unknowns(r.planned_state))),
            delete: Box::new(|_| ok(Value::Null)),
            import: Box::new(|r| ImportOutcome {
                objects: vec![ImportedObject {
                    state: Value::object([("id", s(&r.id)), ("name", s("imported"))]),
                    private: b"import-private".to_vec(),
                }],
                diagnostics: Diagnostics::new(),
            }),
            create_waits_for_stop: false,
        }
    }
}

impl FakeResource {
    /// A resource whose plan overwrites `attrs` in the planned state: how a test plays a
    /// resource that breaks (or may bend) Terraform's plan rules.
    pub fn setting_in_plan(attrs: Vec<(&'static str, Value)>) -> FakeResource {
        FakeResource {
            modify_plan: Box::new(move |c| {
                for (name, value) in &attrs {
                    *c.planned_state
                        .attr_mut(name)
                        .expect("test_thing has this key") = value.clone();
                }
                Diagnostics::new()
            }),
            ..FakeResource::default()
        }
    }

    pub fn calls(&self) -> Vec<Call> {
        self.log.lock().expect("fake log lock").clone()
    }

    /// The PlannedChange values `modify_plan` received.
    pub fn plans_seen(&self) -> Vec<PlannedChange> {
        self.calls()
            .into_iter()
            .filter_map(|c| match c {
                Call::ModifyPlan(p) => Some(p),
                _ => None,
            })
            .collect()
    }

    fn record(&self, c: Call) {
        record(&self.log, c);
    }
}

/// Appends `c` to a fake's call log.
fn record(log: &Log, c: Call) {
    log.lock().expect("fake log lock").push(c);
}

#[async_trait]
impl Resource for FakeResource {
    fn type_name(&self) -> &'static str {
        "test_thing"
    }

    fn schema(&self) -> Schema {
        thing_schema()
    }

    async fn validate(&self, _ctx: &Context, config: &Value) -> Diagnostics {
        self.record(Call::Validate(config.clone()));
        (self.validate)(config)
    }

    async fn upgrade(&self, _ctx: &Context, req: UpgradeRequest) -> Result<Value, Diagnostics> {
        self.record(Call::Upgrade(req.clone()));
        match &self.upgrade {
            Some(f) => f(req),
            None => tpz::framework::state::decode_stored(&thing_schema(), &req),
        }
    }

    async fn read(&self, _ctx: &Context, req: ReadRequest) -> ReadResult {
        self.record(Call::Read(req.clone()));
        (self.read)(req)
    }

    async fn modify_plan(&self, _ctx: &Context, change: &mut PlannedChange) -> Diagnostics {
        self.record(Call::ModifyPlan(change.clone()));
        (self.modify_plan)(change)
    }

    async fn create(&self, ctx: &Context, req: CreateRequest) -> ApplyOutcome {
        self.record(Call::Create(req.clone()));
        if self.create_waits_for_stop {
            ctx.stopped().await;
            return outcome(
                Value::Null,
                Diagnostic::error("Stopped", "Terraform asked to stop.").into(),
            );
        }
        (self.create)(req)
    }

    async fn update(&self, _ctx: &Context, req: UpdateRequest) -> ApplyOutcome {
        self.record(Call::Update(req.clone()));
        (self.update)(req)
    }

    async fn delete(&self, _ctx: &Context, req: DeleteRequest) -> ApplyOutcome {
        self.record(Call::Delete(req.clone()));
        (self.delete)(req)
    }

    async fn import(&self, _ctx: &Context, req: ImportRequest) -> ImportOutcome {
        self.record(Call::Import(req.clone()));
        (self.import)(req)
    }
}

/// `test_info`: `name` required, `region` optional+computed, `size` computed.
pub fn info_schema() -> Schema {
    flat_schema(
        0,
        vec![
            Attribute::required("name", Type::String, "Which."),
            Attribute::optional("region", Type::String, "Where.").also_computed(),
            Attribute::computed("size", Type::Number, "How big."),
        ],
    )
}

/// The fake data source; by default it fills `region` and `size`.
pub struct FakeDataSource {
    pub log: Log,
    pub read: F<ReadDataRequest, (Value, Diagnostics)>,
}

impl Default for FakeDataSource {
    fn default() -> Self {
        FakeDataSource {
            log: Log::default(),
            read: Box::new(|r| {
                let mut v = r.config;
                if let Some(region) = v.attr_mut("region")
                    && region.is_null()
                {
                    *region = s("eu-west");
                }
                *v.attr_mut("size").expect("size") = n(3);
                (v, Diagnostics::new())
            }),
        }
    }
}

#[async_trait]
impl DataSource for FakeDataSource {
    fn type_name(&self) -> &'static str {
        "test_info"
    }

    fn schema(&self) -> Schema {
        info_schema()
    }

    async fn read(&self, _ctx: &Context, req: ReadDataRequest) -> (Value, Diagnostics) {
        record(&self.log, Call::ReadData(req.clone()));
        (self.read)(req)
    }
}

/// The fake provider: `endpoint` (optional string) in its block.
pub struct FakeProvider {
    pub resource: Arc<FakeResource>,
    pub data_source: Arc<FakeDataSource>,
    pub log: Log,
    pub validate: Box<dyn Fn(&Value) -> Diagnostics + Send + Sync>,
    pub configure: F<ConfigureRequest, Diagnostics>,
    /// When set, the schema call panics: probes that a broken schema cannot take the process.
    pub panic_in_schema: bool,
}

impl FakeProvider {
    pub fn new(resource: FakeResource) -> Self {
        FakeProvider {
            resource: Arc::new(resource),
            data_source: Arc::new(FakeDataSource::default()),
            log: Log::default(),
            validate: Box::new(|_| Diagnostics::new()),
            configure: Box::new(|_| Diagnostics::new()),
            panic_in_schema: false,
        }
    }

    pub fn calls(&self) -> Vec<Call> {
        self.log.lock().expect("fake log lock").clone()
    }
}

pub fn provider_schema() -> Schema {
    flat_schema(
        0,
        vec![Attribute::optional(
            "endpoint",
            Type::String,
            "Where the API is.",
        )],
    )
}

#[async_trait]
impl Provider for FakeProvider {
    fn schema(&self) -> Schema {
        assert!(!self.panic_in_schema, "schema exploded");
        provider_schema()
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![self.resource.clone()]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        vec![self.data_source.clone()]
    }

    async fn validate(&self, _ctx: &Context, config: &Value) -> Diagnostics {
        record(&self.log, Call::ProviderValidate(config.clone()));
        (self.validate)(config)
    }

    async fn configure(&self, _ctx: &Context, req: ConfigureRequest) -> Diagnostics {
        record(&self.log, Call::Configure(req.clone()));
        (self.configure)(req)
    }
}

/// An error diagnostic as a failing resource would report it.
pub fn failure(what: &str) -> Diagnostics {
    Diagnostic::error(format!("{what} failed"), "The remote API said no.").into()
}
