//! What the fuzz targets share: the types an input is decoded against, and the check that
//! whatever a decoder accepts survives a round trip.

use tpz::cty::{Type, Value, json, msgpack};

/// The types a fuzz input can pick with its first byte: the resource's real shape (strings
/// and a list-of-object `timeouts` block), `dynamic`, and one of every other kind.
pub fn types() -> Vec<Type> {
    let timeouts = Type::list(Type::object([
        ("create", Type::String),
        ("delete", Type::String),
    ]));
    vec![
        Type::object([
            ("id", Type::String),
            ("nic_id", Type::String),
            ("instance_id", Type::String),
            ("timeouts", timeouts),
        ]),
        Type::Dynamic,
        Type::String,
        Type::Number,
        Type::Bool,
        Type::set(Type::object([("a", Type::Number), ("b", Type::Dynamic)])),
        Type::map(Type::list(Type::Bool)),
        Type::Tuple(vec![Type::String, Type::Number, Type::Dynamic]),
        Type::list(Type::Dynamic),
    ]
}

/// Splits an input into the type its first byte picks and the bytes to decode.
pub fn split(data: &[u8]) -> Option<(Type, &[u8])> {
    let (&pick, rest) = data.split_first()?;
    let types = types();
    let ty = types[usize::from(pick) % types.len()].clone();
    Some((ty, rest))
}

/// A value msgpack accepted encodes again and reads back equal.
pub fn check_msgpack(bytes: &[u8], ty: &Type) {
    if let Ok(v) = msgpack::decode(bytes, ty) {
        let again = msgpack::encode(&v, ty).expect("a decoded value encodes");
        let back: Value = msgpack::decode(&again, ty).expect("a re-encoded value decodes");
        assert_eq!(back, v, "round trip changed the value");
    }
}

/// A value JSON accepted encodes again (unless it is infinite) and reads back equal.
pub fn check_json(bytes: &[u8], ty: &Type) {
    if let Ok(v) = json::decode(bytes, ty) {
        match json::encode(&v, ty) {
            Ok(again) => {
                let back = json::decode(&again, ty).expect("a re-encoded value decodes");
                assert_eq!(back, v, "round trip changed the value");
            }
            Err(e) => assert!(e.message.contains("infinity"), "cannot re-encode: {e}"),
        }
    }
}
