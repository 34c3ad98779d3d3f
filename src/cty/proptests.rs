//! Property tests for both codecs: round trips of arbitrary typed values, and totality of
//! the decoders on arbitrary and on corrupted input. `PROPTEST_CASES` scales a campaign.

use proptest::prelude::*;

use super::strategies::{self, JSON, MSGPACK};
use super::{Type, Value, json, msgpack};

/// Whatever `decode` accepted must encode, and read back as the same value.
fn msgpack_decoded_values_are_stable(bytes: &[u8], ty: &Type) {
    if let Ok(v) = msgpack::decode(bytes, ty) {
        let again = msgpack::encode(&v, ty).expect("a decoded value encodes");
        assert_eq!(
            msgpack::decode(&again, ty).expect("re-encoded value decodes"),
            v
        );
    }
}

fn json_decoded_values_are_stable(bytes: &[u8], ty: &Type) {
    if let Ok(v) = json::decode(bytes, ty) {
        match json::encode(&v, ty) {
            Ok(again) => {
                assert_eq!(
                    json::decode(&again, ty).expect("re-encoded value decodes"),
                    v
                )
            }
            // A number slot may hold the string "inf", which JSON cannot write back.
            Err(e) => assert!(e.message.contains("infinity"), "{e}"),
        }
    }
}

/// Flips, inserts and removes bytes at the given positions.
fn corrupt(mut bytes: Vec<u8>, edits: &[(usize, u8, u8)]) -> Vec<u8> {
    for &(at, op, byte) in edits {
        let at = at % (bytes.len() + 1);
        match op % 3 {
            0 if at < bytes.len() => bytes[at] = byte,
            1 => bytes.insert(at, byte),
            _ if at < bytes.len() => {
                bytes.remove(at);
            }
            _ => {}
        }
    }
    bytes
}

proptest! {
    #[test]
    fn type_json_round_trips(ty in strategies::any_type()) {
        prop_assert_eq!(Type::from_json(&ty.to_json()).unwrap(), ty);
    }

    #[test]
    fn msgpack_round_trips_any_typed_value((ty, v) in strategies::typed_value(MSGPACK)) {
        let bytes = msgpack::encode(&v, &ty).unwrap();
        prop_assert_eq!(msgpack::decode(&bytes, &ty).unwrap(), v);
    }

    #[test]
    fn json_round_trips_any_typed_known_value((ty, v) in strategies::typed_value(JSON)) {
        let bytes = json::encode(&v, &ty).unwrap();
        prop_assert_eq!(json::decode(&bytes, &ty).unwrap(), v);
    }

    #[test]
    fn msgpack_decode_is_total_on_arbitrary_bytes(
        bytes in prop::collection::vec(any::<u8>(), 0..256),
    ) {
        for ty in strategies::decode_targets() {
            msgpack_decoded_values_are_stable(&bytes, &ty);
        }
    }

    #[test]
    fn json_decode_is_total_on_arbitrary_bytes(
        bytes in prop::collection::vec(any::<u8>(), 0..256),
    ) {
        for ty in strategies::decode_targets() {
            json_decoded_values_are_stable(&bytes, &ty);
        }
    }

    #[test]
    fn json_decode_is_total_on_arbitrary_text(text in "[\\[\\]{}\",:0-9a-z.eE+\\- \\\\]{0,128}") {
        for ty in strategies::decode_targets() {
            json_decoded_values_are_stable(text.as_bytes(), &ty);
        }
    }

    #[test]
    fn msgpack_decode_is_total_on_corrupted_encodings(
        (ty, v) in strategies::typed_value(MSGPACK),
        edits in prop::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..4),
    ) {
        let bytes = corrupt(msgpack::encode(&v, &ty).unwrap(), &edits);
        msgpack_decoded_values_are_stable(&bytes, &ty);
        msgpack_decoded_values_are_stable(&bytes, &Type::Dynamic);
    }

    #[test]
    fn json_decode_is_total_on_corrupted_encodings(
        (ty, v) in strategies::typed_value(JSON),
        edits in prop::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..4),
    ) {
        let bytes = corrupt(json::encode(&v, &ty).unwrap(), &edits);
        json_decoded_values_are_stable(&bytes, &ty);
        json_decoded_values_are_stable(&bytes, &Type::Dynamic);
    }

    #[test]
    fn dynamic_values_round_trip_through_both_codecs(v in strategies::any_value(&Type::Dynamic, JSON)) {
        let packed = msgpack::encode(&v, &Type::Dynamic).unwrap();
        prop_assert_eq!(&msgpack::decode(&packed, &Type::Dynamic).unwrap(), &v);
        let text = json::encode(&v, &Type::Dynamic).unwrap();
        prop_assert_eq!(&json::decode(&text, &Type::Dynamic).unwrap(), &v);
    }
}

#[test]
fn set_equality_ignores_order_after_a_round_trip() {
    let ty = Type::set(Type::String);
    let v = Value::set([Value::string("b"), Value::string("a")]);
    let bytes = msgpack::encode(&v, &ty).unwrap();
    assert_eq!(
        msgpack::decode(&bytes, &ty).unwrap(),
        Value::set([Value::string("a"), Value::string("b")])
    );
}
