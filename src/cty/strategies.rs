//! proptest strategies for types and values, shared by the codec property tests.

use proptest::prelude::*;
use proptest::strategy::Union;

use super::{Number, Refinements, Type, Unknown, Value};

/// What a generated value may contain.
#[derive(Clone, Copy)]
pub(crate) struct Allow {
    /// Unknowns (msgpack has them, JSON does not).
    pub(crate) unknowns: bool,
    /// ±Infinity (msgpack has it, JSON does not).
    pub(crate) infinity: bool,
    /// How many `dynamic` values may nest inside each other (keeps generation finite).
    pub(crate) dynamic_depth: u32,
}

pub(crate) const MSGPACK: Allow = Allow {
    unknowns: true,
    infinity: true,
    dynamic_depth: 2,
};

pub(crate) const JSON: Allow = Allow {
    unknowns: false,
    infinity: false,
    dynamic_depth: 2,
};

/// Any type, a few levels deep, `dynamic` included.
pub(crate) fn any_type() -> impl Strategy<Value = Type> {
    let leaf = prop_oneof![
        Just(Type::Bool),
        Just(Type::Number),
        Just(Type::String),
        Just(Type::Dynamic),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(Type::list),
            inner.clone().prop_map(Type::set),
            inner.clone().prop_map(Type::map),
            prop::collection::btree_map("[a-z_]{1,8}", inner.clone(), 0..4).prop_map(Type::Object),
            prop::collection::vec(inner, 0..4).prop_map(Type::Tuple),
        ]
    })
}

/// Any number: ints, floats, and decimal text of every shape.
pub(crate) fn any_number(allow: Allow) -> BoxedStrategy<Number> {
    let finite = prop_oneof![
        any::<i64>().prop_map(Number::Int),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Number::Float),
        // Binary fractions, as Terraform sends them in float64.
        (any::<i32>(), 0..20i32).prop_map(|(m, e)| Number::Float(f64::from(m) / 2f64.powi(e))),
        "[+-]?[0-9]{1,40}(\\.[0-9]{0,40})?([eE][+-]?[0-9]{1,3})?".prop_map(Number::Decimal),
    ];
    if allow.infinity {
        prop_oneof![
            9 => finite,
            1 => prop_oneof![Just(f64::INFINITY), Just(f64::NEG_INFINITY)].prop_map(Number::Float),
        ]
        .boxed()
    } else {
        finite.boxed()
    }
}

/// Refinements that make sense for `ty`, as Terraform would send them.
fn any_refinements(ty: &Type) -> BoxedStrategy<Option<Refinements>> {
    let not_null = prop::option::of(Just(false));
    let refinements = match ty {
        Type::String => (not_null, prop::option::of("[^\u{0}]{1,40}"))
            .prop_map(|(nullable, string_prefix)| Refinements {
                nullable,
                string_prefix,
                ..Refinements::default()
            })
            .boxed(),
        Type::Number => {
            let bound = || prop::option::of((any_number(JSON), any::<bool>()));
            (not_null, bound(), bound())
                .prop_map(|(nullable, number_lower, number_upper)| Refinements {
                    nullable,
                    number_lower,
                    number_upper,
                    ..Refinements::default()
                })
                .boxed()
        }
        Type::List(_) | Type::Set(_) | Type::Map(_) => (
            not_null,
            prop::option::of(1..i64::MAX),
            prop::option::of(0..i64::MAX),
        )
            .prop_map(|(nullable, length_min, length_max)| Refinements {
                nullable,
                length_min,
                length_max,
                ..Refinements::default()
            })
            .boxed(),
        Type::Dynamic => return Just(None).boxed(),
        _ => not_null
            .prop_map(|nullable| Refinements {
                nullable,
                ..Refinements::default()
            })
            .boxed(),
    };
    // Refinements that say nothing are written as a plain unknown and read back as one.
    refinements
        .prop_map(|r| (r != Refinements::default()).then_some(r))
        .boxed()
}

/// Any value of type `ty`: null, unknown (if allowed) or known, nested as deep as the type.
pub(crate) fn any_value(ty: &Type, allow: Allow) -> BoxedStrategy<Value> {
    let mut options = vec![(1, Just(Value::Null).boxed()), (6, known_value(ty, allow))];
    if allow.unknowns {
        let unknown = any_refinements(ty)
            .prop_map(|refinements| Value::Unknown(Unknown { refinements }))
            .boxed();
        options.push((1, unknown));
    }
    Union::new_weighted(options).boxed()
}

fn known_value(ty: &Type, allow: Allow) -> BoxedStrategy<Value> {
    let many = |elem: &Type| prop::collection::vec(any_value(elem, allow), 0..4);
    match ty {
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Number => any_number(allow).prop_map(Value::Number).boxed(),
        Type::String => any::<String>().prop_map(Value::String).boxed(),
        Type::List(elem) => many(elem).prop_map(Value::List).boxed(),
        Type::Set(elem) => many(elem).prop_map(Value::set).boxed(),
        Type::Map(elem) => {
            prop::collection::btree_map(any::<String>(), any_value(elem, allow), 0..4)
                .prop_map(Value::Map)
                .boxed()
        }
        Type::Tuple(elems) => elems
            .iter()
            .map(|t| any_value(t, allow))
            .collect::<Vec<_>>()
            .prop_map(Value::Tuple)
            .boxed(),
        Type::Object(attrs) => attrs
            .iter()
            .map(|(name, t)| {
                let name = name.clone();
                any_value(t, allow).prop_map(move |v| (name.clone(), v))
            })
            .collect::<Vec<_>>()
            .prop_map(|entries| Value::Object(entries.into_iter().collect()))
            .boxed(),
        Type::Dynamic => {
            let inner = Allow {
                dynamic_depth: allow.dynamic_depth.saturating_sub(1),
                ..allow
            };
            let types = if allow.dynamic_depth == 0 {
                prop_oneof![Just(Type::Bool), Just(Type::Number), Just(Type::String)].boxed()
            } else {
                any_type().boxed()
            };
            types
                .prop_flat_map(move |t| {
                    any_value(&t, inner).prop_map(move |v| Value::dynamic(t.clone(), v))
                })
                .boxed()
        }
    }
}

/// A type together with a value of it.
pub(crate) fn typed_value(allow: Allow) -> impl Strategy<Value = (Type, Value)> {
    any_type().prop_flat_map(move |t| {
        let value = any_value(&t, allow);
        (Just(t), value)
    })
}

/// The type of the one resource this provider has, as its state travels on the wire.
pub(crate) fn resource_type() -> Type {
    Type::object([
        ("id", Type::String),
        ("nic_id", Type::String),
        ("instance_id", Type::String),
        (
            "timeouts",
            Type::list(Type::object([
                ("create", Type::String),
                ("delete", Type::String),
            ])),
        ),
    ])
}

/// Types an arbitrary input is decoded against.
pub(crate) fn decode_targets() -> Vec<Type> {
    vec![
        resource_type(),
        Type::Dynamic,
        Type::String,
        Type::Number,
        Type::set(Type::object([("a", Type::Number), ("b", Type::Dynamic)])),
        Type::map(Type::list(Type::Bool)),
        Type::Tuple(vec![Type::String, Type::Number, Type::Dynamic]),
    ]
}
