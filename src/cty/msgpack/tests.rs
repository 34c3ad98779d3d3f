use std::collections::BTreeMap;

use super::{decode, encode};
use crate::cty::{Number, Refinements, Type, Unknown, Value};

/// Encodes, checks the exact bytes, decodes them back and checks the value.
#[track_caller]
fn round_trip(v: &Value, ty: &Type, bytes: &[u8]) {
    assert_eq!(encode(v, ty).unwrap(), bytes, "encoding of {v:?}");
    assert_eq!(&decode(bytes, ty).unwrap(), v, "decoding of {bytes:02x?}");
}

#[track_caller]
fn decode_err(bytes: &[u8], ty: &Type) -> (String, String) {
    let e = decode(bytes, ty).unwrap_err();
    (e.path, e.message)
}

fn refined(r: Refinements) -> Value {
    Value::Unknown(Unknown {
        refinements: Some(r),
    })
}

fn resource_type() -> Type {
    Type::object([
        ("id", Type::String),
        ("nic_id", Type::String),
        (
            "timeouts",
            Type::list(Type::object([
                ("create", Type::String),
                ("delete", Type::String),
            ])),
        ),
    ])
}

#[test]
fn bools_round_trip() {
    round_trip(&Value::Bool(true), &Type::Bool, &[0xc3]);
    round_trip(&Value::Bool(false), &Type::Bool, &[0xc2]);
}

#[test]
fn integers_are_written_as_compact_ints() {
    round_trip(&Value::number(0), &Type::Number, &[0x00]);
    round_trip(&Value::number(127), &Type::Number, &[0x7f]);
    round_trip(&Value::number(128), &Type::Number, &[0xcc, 0x80]);
    round_trip(&Value::number(-1), &Type::Number, &[0xff]);
    round_trip(&Value::number(-33), &Type::Number, &[0xd0, 0xdf]);
    round_trip(
        &Value::number(70000),
        &Type::Number,
        &[0xce, 0, 1, 0x11, 0x70],
    );
    round_trip(
        &Value::number(i64::MIN),
        &Type::Number,
        &[0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0],
    );
}

#[test]
fn integral_floats_are_written_as_ints_like_cty() {
    let three = Value::Number(Number::Float(3.0));
    assert_eq!(encode(&three, &Type::Number).unwrap(), [0x03]);
}

#[test]
fn fractional_floats_are_written_as_float64() {
    let mut bytes = vec![0xcb];
    bytes.extend_from_slice(&1.5f64.to_be_bytes());
    round_trip(&Value::Number(Number::Float(1.5)), &Type::Number, &bytes);
}

#[test]
fn infinity_is_written_as_float64() {
    let mut bytes = vec![0xcb];
    bytes.extend_from_slice(&f64::NEG_INFINITY.to_be_bytes());
    round_trip(
        &Value::Number(Number::Float(f64::NEG_INFINITY)),
        &Type::Number,
        &bytes,
    );
}

#[test]
fn decimals_are_written_as_their_text() {
    let big = Value::Number(Number::Decimal("123456789012345678901234567890".into()));
    let mut bytes = vec![0xbe];
    bytes.extend_from_slice(b"123456789012345678901234567890");
    round_trip(&big, &Type::Number, &bytes);
    let precise = Value::Number(Number::Decimal("0.1".into()));
    round_trip(&precise, &Type::Number, b"\xa30.1");
}

#[test]
fn integral_float_beyond_int64_is_written_as_exact_text() {
    let v = Value::Number(Number::Float(2f64.powi(70)));
    round_trip(&v, &Type::Number, b"\xb61180591620717411303424");
}

#[test]
fn numbers_decode_from_every_msgpack_number_form() {
    let n = |bytes: &[u8]| decode(bytes, &Type::Number).unwrap();
    assert_eq!(n(&[0xcd, 0x01, 0x00]), Value::number(256));
    assert_eq!(n(&[0xd1, 0xff, 0x00]), Value::number(-256));
    assert_eq!(
        n(&[0xca, 0x3f, 0xc0, 0, 0]),
        Value::Number(Number::Float(1.5))
    );
    assert_eq!(
        n(b"\xa41e30"),
        Value::Number(Number::Decimal("1e30".into()))
    );
    assert_eq!(n(b"\xc4\x03-42"), Value::number(-42));
    assert!(matches!(
        n(&[0xca, 0x40, 0x40, 0, 0]),
        Value::Number(Number::Int(3))
    ));
}

#[test]
fn uint64_above_int64_decodes_exactly() {
    let v = decode(
        &[0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        &Type::Number,
    )
    .unwrap();
    assert_eq!(
        v,
        Value::Number(Number::Decimal("18446744073709551615".into()))
    );
    assert_eq!(
        encode(&v, &Type::Number).unwrap(),
        b"\xb418446744073709551615"
    );
}

#[test]
fn nan_is_not_a_number() {
    let mut bytes = vec![0xcb];
    bytes.extend_from_slice(&f64::NAN.to_be_bytes());
    assert_eq!(decode_err(&bytes, &Type::Number).1, "NaN is not a number");
    assert!(decode(b"\xa3NaN", &Type::Number).is_err());
    assert!(encode(&Value::Number(Number::Float(f64::NAN)), &Type::Number).is_err());
}

#[test]
fn malformed_number_text_is_rejected() {
    assert_eq!(
        decode_err(b"\xa21x", &Type::Number).1,
        "number is required, found \"1x\""
    );
    assert_eq!(decode_err(&[0xc3], &Type::Number).1, "number is required");
}

#[test]
fn strings_are_written_as_str_and_read_from_str_or_bin() {
    round_trip(&Value::string("héllo"), &Type::String, b"\xa6h\xc3\xa9llo");
    assert_eq!(
        decode(b"\xc4\x02ab", &Type::String).unwrap(),
        Value::string("ab")
    );
    let long = "x".repeat(40);
    let mut bytes = vec![0xd9, 40];
    bytes.extend_from_slice(long.as_bytes());
    round_trip(&Value::string(long), &Type::String, &bytes);
}

#[test]
fn invalid_utf8_strings_are_rejected() {
    assert_eq!(
        decode_err(b"\xa2\xff\xfe", &Type::String).1,
        "string is required, found invalid UTF-8"
    );
    assert!(decode(b"\xc4\x01\x80", &Type::String).is_err());
}

#[test]
fn lists_round_trip() {
    let v = Value::list([Value::string("a"), Value::Null, Value::string("b")]);
    round_trip(&v, &Type::list(Type::String), b"\x93\xa1a\xc0\xa1b");
    round_trip(&Value::list([]), &Type::list(Type::String), b"\x90");
}

#[test]
fn sets_merge_equal_elements_on_decode() {
    let ty = Type::set(Type::Number);
    let v = decode(
        &[0x94, 0x01, 0x02, 0x01, 0xcb, 0x40, 0, 0, 0, 0, 0, 0, 0],
        &ty,
    )
    .unwrap();
    assert_eq!(v, Value::set([Value::number(1), Value::number(2)]));
    assert_eq!(v.elements().map(<[_]>::len), Some(2));
    assert_eq!(encode(&v, &ty).unwrap(), [0x92, 0x01, 0x02]);
}

#[test]
fn sets_keep_every_unknown_element() {
    let v = decode(&[0x92, 0xd4, 0, 0, 0xd4, 0, 0], &Type::set(Type::String)).unwrap();
    assert_eq!(v.elements().map(<[_]>::len), Some(2));
}

#[test]
fn maps_round_trip_with_sorted_keys() {
    let v = Value::map([("b", Value::number(2)), ("a", Value::number(1))]);
    round_trip(&v, &Type::map(Type::Number), b"\x82\xa1a\x01\xa1b\x02");
    assert_eq!(
        decode(b"\x82\xa1b\x02\xa1a\x01", &Type::map(Type::Number)).unwrap(),
        v
    );
}

#[test]
fn map_keys_must_be_strings() {
    assert_eq!(
        decode_err(b"\x81\x01\x02", &Type::map(Type::Number)).1,
        "a string map key is required"
    );
}

#[test]
fn objects_carry_every_attribute() {
    let ty = Type::object([("a", Type::String), ("b", Type::Number)]);
    let v = Value::object([("a", Value::string("x")), ("b", Value::Null)]);
    round_trip(&v, &ty, b"\x82\xa1a\xa1x\xa1b\xc0");
    // Key order on input does not matter.
    assert_eq!(decode(b"\x82\xa1b\xc0\xa1a\xa1x", &ty).unwrap(), v);
}

#[test]
fn object_encoder_writes_nil_for_absent_attributes() {
    let ty = Type::object([("a", Type::String), ("b", Type::Number)]);
    let v = Value::object([("a", Value::string("x"))]);
    assert_eq!(encode(&v, &ty).unwrap(), b"\x82\xa1a\xa1x\xa1b\xc0");
}

#[test]
fn object_with_missing_key_is_rejected() {
    let ty = Type::object([("a", Type::String), ("b", Type::Number)]);
    assert_eq!(
        decode_err(b"\x81\xa1a\xa1x", &ty),
        (
            String::new(),
            "an object with 2 attributes is required (1 given)".into()
        )
    );
    assert_eq!(
        decode_err(b"\x80", &ty).1,
        "an object with 2 attributes is required (0 given)"
    );
}

#[test]
fn object_with_unknown_key_is_rejected() {
    let ty = Type::object([("a", Type::String)]);
    assert_eq!(
        decode_err(b"\x81\xa1z\xc0", &ty),
        (".z".into(), "unsupported attribute".into())
    );
}

#[test]
fn object_with_repeated_key_is_rejected() {
    let ty = Type::object([("a", Type::String), ("b", Type::String)]);
    assert_eq!(
        decode_err(b"\x82\xa1a\xc0\xa1a\xc0", &ty),
        (".a".into(), "duplicate attribute".into())
    );
}

#[test]
fn object_encoder_refuses_attributes_the_type_lacks() {
    let ty = Type::object([("a", Type::String)]);
    let v = Value::object([("a", Value::Null), ("zz", Value::string("x"))]);
    let e = encode(&v, &ty).unwrap_err();
    assert_eq!(e.path, ".zz");
    assert!(e.message.starts_with("unsupported attribute"));
}

#[test]
fn tuples_round_trip_and_check_their_length() {
    let ty = Type::Tuple(vec![Type::String, Type::Bool]);
    let v = Value::Tuple(vec![Value::string("a"), Value::Bool(true)]);
    round_trip(&v, &ty, b"\x92\xa1a\xc3");
    assert_eq!(
        decode_err(b"\x91\xa1a", &ty).1,
        "a tuple of length 2 is required (1 given)"
    );
    round_trip(&Value::Tuple(vec![]), &Type::Tuple(vec![]), b"\x90");
}

#[test]
fn dynamic_value_matches_terraform_bytes() {
    // What Terraform 1.11 sent for a dynamic attribute set to { k = "v", n = 3 }.
    let type_json = br#"["object",{"k":"string","n":"number"}]"#;
    let mut bytes = vec![0x92, 0xc4, type_json.len() as u8];
    bytes.extend_from_slice(type_json);
    bytes.extend_from_slice(b"\x82\xa1k\xa1v\xa1n\x03");
    let ty = Type::object([("k", Type::String), ("n", Type::Number)]);
    let v = Value::dynamic(
        ty,
        Value::object([("k", Value::string("v")), ("n", Value::number(3))]),
    );
    round_trip(&v, &Type::Dynamic, &bytes);
}

#[test]
fn dynamic_type_json_may_be_a_str() {
    let v = decode(b"\x92\xa6\"bool\"\xc3", &Type::Dynamic).unwrap();
    assert_eq!(v, Value::dynamic(Type::Bool, Value::Bool(true)));
}

#[test]
fn dynamic_null_and_unknown_are_bare() {
    round_trip(&Value::Null, &Type::Dynamic, &[0xc0]);
    round_trip(&Value::unknown(), &Type::Dynamic, &[0xd4, 0, 0]);
}

#[test]
fn unknown_of_known_type_in_dynamic_slot_is_wrapped() {
    let v = Value::dynamic(Type::String, Value::unknown());
    round_trip(&v, &Type::Dynamic, b"\x92\xc4\x08\"string\"\xd4\x00\x00");
    let v = Value::dynamic(Type::String, Value::Null);
    round_trip(&v, &Type::Dynamic, b"\x92\xc4\x08\"string\"\xc0");
}

#[test]
fn plain_values_in_dynamic_slot_are_written_with_their_evident_type() {
    let v = Value::list([Value::number(1)]);
    assert_eq!(
        encode(&v, &Type::Dynamic).unwrap(),
        b"\x92\xc4\x11[\"list\",\"number\"]\x91\x01"
    );
    let e = encode(&Value::list([]), &Type::Dynamic).unwrap_err();
    assert!(e.message.contains("ambiguous"), "{e}");
}

#[test]
fn dynamic_must_be_a_pair_with_a_valid_type() {
    assert!(
        decode_err(b"\x91\xc0", &Type::Dynamic)
            .1
            .contains("[type, value]")
    );
    assert!(
        decode_err(b"\x92\xa5\"foo\"\xc0", &Type::Dynamic)
            .1
            .contains("invalid type")
    );
    assert!(decode(b"\x92\x01\xc0", &Type::Dynamic).is_err());
}

#[test]
fn dynamic_type_nesting_is_bounded() {
    let deep = format!("{}\"string\"{}", "[\"list\",".repeat(100), "]".repeat(100));
    let mut bytes = vec![0x92, 0xc5];
    bytes.extend_from_slice(&(deep.len() as u16).to_be_bytes());
    bytes.extend_from_slice(deep.as_bytes());
    bytes.push(0xc0);
    assert!(decode_err(&bytes, &Type::Dynamic).1.contains("64 levels"));
}

#[test]
fn nested_dynamic_values_are_bounded_by_depth() {
    // Each level declares type "dynamic" again; 1000 levels must fail, not overflow the stack.
    let mut bytes = Vec::new();
    for _ in 0..1000 {
        bytes.extend_from_slice(b"\x92\xa9\"dynamic\"");
    }
    bytes.push(0xc0);
    assert!(decode_err(&bytes, &Type::Dynamic).1.contains("levels deep"));
}

#[test]
fn null_decodes_at_every_level() {
    let ty = resource_type();
    assert_eq!(decode(&[0xc0], &ty).unwrap(), Value::Null);
    let v = Value::object([
        ("id", Value::Null),
        ("nic_id", Value::string("nic-1")),
        (
            "timeouts",
            Value::list([Value::object([
                ("create", Value::Null),
                ("delete", Value::string("5m")),
            ])]),
        ),
    ]);
    let bytes = encode(&v, &ty).unwrap();
    assert_eq!(decode(&bytes, &ty).unwrap(), v);
    for t in [
        Type::Bool,
        Type::String,
        Type::Number,
        Type::list(Type::Bool),
        Type::set(Type::Bool),
        Type::map(Type::Bool),
        Type::Tuple(vec![Type::Bool]),
    ] {
        round_trip(&Value::Null, &t, &[0xc0]);
    }
}

#[test]
fn errors_name_the_path() {
    let ty = resource_type();
    let v = Value::object([
        ("id", Value::Null),
        ("nic_id", Value::Null),
        (
            "timeouts",
            Value::list([Value::object([
                ("create", Value::Null),
                ("delete", Value::Null),
            ])]),
        ),
    ]);
    let mut bytes = encode(&v, &ty).unwrap();
    // Replace the last nil (timeouts[0].delete, sorted last) with a bool.
    *bytes.last_mut().unwrap() = 0xc3;
    let e = decode(&bytes, &ty).unwrap_err();
    assert_eq!(e.path, ".timeouts[0].delete");
    assert_eq!(e.message, "string is required");
    assert_eq!(
        e.to_string(),
        "msgpack value at .timeouts[0].delete: string is required"
    );
    let bad = Value::object([("timeouts", Value::list([Value::Bool(true)]))]);
    let e = encode(&bad, &ty).unwrap_err();
    assert_eq!(e.path, ".timeouts[0]");
}

#[test]
fn unknown_is_written_as_cty_fixext1() {
    round_trip(&Value::unknown(), &Type::String, &[0xd4, 0, 0]);
    round_trip(&Value::unknown(), &resource_type(), &[0xd4, 0, 0]);
}

#[test]
fn any_extension_without_refinements_is_unknown() {
    for bytes in [
        &[0xc7, 0x00, 0x00][..],       // ext8, code 0, zero length (tf-provider)
        &[0xd4, 0x05, 0xaa][..],       // fixext1 with another code
        &[0xd5, 0x7f, 0x01, 0x02][..], // fixext2, code 127
        &[0xc7, 0x01, 0x0c, 0x80][..], // code 12, one byte: no refinements
        &[0xd6, 0xff, 1, 2, 3, 4][..], // negative code, four bytes
        &[0xc8, 0x00, 0x02, 0x03, 1, 2][..], // ext16
    ] {
        assert_eq!(
            decode(bytes, &Type::String).unwrap(),
            Value::unknown(),
            "{bytes:02x?}"
        );
    }
}

#[test]
fn refined_string_unknown_from_terraform_round_trips_byte_for_byte() {
    // "pre-${res.id}" planned by Terraform 1.11: {1: false, 2: "pre-"}.
    let bytes = b"\xc7\x09\x0c\x82\x01\xc2\x02\xa4pre-";
    let v = decode(bytes, &Type::String).unwrap();
    let Value::Unknown(Unknown {
        refinements: Some(r),
    }) = &v
    else {
        panic!("not refined: {v:?}")
    };
    assert_eq!(r.nullable, Some(false));
    assert_eq!(r.string_prefix.as_deref(), Some("pre-"));
    assert_eq!(r.raw, b"\x82\x01\xc2\x02\xa4pre-");
    assert_eq!(encode(&v, &Type::String).unwrap(), bytes);
}

#[test]
fn refined_number_unknown_from_terraform_round_trips_byte_for_byte() {
    // length(res.id) planned by Terraform 1.11: {1: false, 3: [0, true]}.
    let bytes = b"\xc7\x07\x0c\x82\x01\xc2\x03\x92\x00\xc3";
    let v = decode(bytes, &Type::Number).unwrap();
    let expected = refined(Refinements {
        nullable: Some(false),
        number_lower: Some((Number::Int(0), true)),
        ..Refinements::default()
    });
    assert_eq!(v, expected);
    assert_eq!(encode(&v, &Type::Number).unwrap(), bytes);
    // Built from the fields alone, the payload comes out the same.
    assert_eq!(encode(&expected, &Type::Number).unwrap(), bytes);
}

#[test]
fn refinements_without_raw_are_encoded_from_their_fields() {
    let v = refined(Refinements {
        nullable: Some(false),
        length_min: Some(1),
        length_max: Some(3),
        ..Refinements::default()
    });
    let ty = Type::list(Type::String);
    let bytes = encode(&v, &ty).unwrap();
    assert_eq!(bytes, b"\xc7\x07\x0c\x83\x01\xc2\x05\x01\x06\x03");
    assert_eq!(decode(&bytes, &ty).unwrap(), v);
}

#[test]
fn changed_refinements_are_not_hidden_by_stale_raw() {
    let bytes = b"\xc7\x09\x0c\x82\x01\xc2\x02\xa4pre-";
    let mut v = decode(bytes, &Type::String).unwrap();
    if let Value::Unknown(Unknown {
        refinements: Some(r),
    }) = &mut v
    {
        r.string_prefix = Some("post-".into());
    }
    let out = encode(&v, &Type::String).unwrap();
    assert_eq!(out, b"\xc7\x0a\x0c\x82\x01\xc2\x02\xa5post-");
}

#[test]
fn empty_refinements_are_written_as_plain_unknown() {
    let v = refined(Refinements::default());
    assert_eq!(encode(&v, &Type::String).unwrap(), [0xd4, 0, 0]);
    // A prefix means nothing for a bool: cty would not write it either.
    let v = refined(Refinements {
        string_prefix: Some("x".into()),
        ..Refinements::default()
    });
    assert_eq!(encode(&v, &Type::Bool).unwrap(), [0xd4, 0, 0]);
}

#[test]
fn unknown_refinement_keys_are_skipped() {
    // {9: [1, "x"], 1: false}
    let bytes = b"\xd7\x0c\x82\x09\x92\x01\xa1x\x01\xc2";
    let v = decode(bytes, &Type::String).unwrap();
    assert_eq!(
        v,
        refined(Refinements {
            nullable: Some(false),
            ..Refinements::default()
        })
    );
    // The key this version does not understand still travels on.
    assert_eq!(encode(&v, &Type::String).unwrap(), bytes);
}

#[test]
fn refinements_for_another_type_are_rejected() {
    let prefix = b"\xc7\x05\x0c\x81\x02\xa2ab";
    assert!(decode(prefix, &Type::Number).is_err());
    let length = b"\xc7\x03\x0c\x81\x05\x01";
    assert!(decode(length, &Type::String).is_err());
    assert!(decode(length, &Type::set(Type::String)).is_ok());
}

#[test]
fn refinements_on_dynamic_are_ignored() {
    let bytes = b"\xc7\x03\x0c\x81\x01\xc2";
    assert_eq!(decode(bytes, &Type::Dynamic).unwrap(), Value::unknown());
}

#[test]
fn definitely_null_refinement_is_a_null() {
    assert_eq!(
        decode(b"\xc7\x03\x0c\x81\x01\xc3", &Type::String).unwrap(),
        Value::Null
    );
}

#[test]
fn malformed_refinements_are_rejected() {
    for bytes in [
        &b"\xc7\x02\x0c\x01\x02"[..],             // not a map
        &b"\xc7\x03\x0c\x81\xa1x"[..],            // non-integer key
        &b"\xc7\x03\x0c\x81\x01\x01"[..],         // nullness not a bool
        &b"\xc7\x04\x0c\x81\x03\x91\x00"[..],     // bound not a pair
        &b"\xc7\x05\x0c\x81\x03\x92\x00\xc0"[..], // inclusive flag null
        &b"\xc7\x03\x0c\x82\x01\xc2"[..],         // second entry missing
    ] {
        assert!(decode(bytes, &Type::Number).is_err(), "{bytes:02x?}");
    }
    let mut oversize = vec![0xc8, 0x04, 0x01, 0x0c, 0x81, 0x02, 0xda, 0x03, 0xfc];
    oversize.extend(std::iter::repeat_n(b'a', 1020));
    assert!(
        decode(&oversize, &Type::String)
            .unwrap_err()
            .message
            .contains("1025 bytes")
    );
}

#[test]
fn truncated_and_trailing_input_is_rejected() {
    assert_eq!(decode_err(&[], &Type::String).1, "unexpected end of input");
    assert_eq!(
        decode_err(b"\xa3ab", &Type::String).1,
        "unexpected end of input"
    );
    assert_eq!(
        decode_err(b"\xa1a\xc0", &Type::String).1,
        "1 unexpected bytes after the value"
    );
    assert_eq!(
        decode_err(&[0xdd, 0xff, 0xff, 0xff, 0xff], &Type::list(Type::Bool)).1,
        "unexpected end of input"
    );
}

#[test]
fn wrong_kinds_are_named_in_cty_words() {
    let cases: [(&[u8], Type, &str); 6] = [
        (b"\x01", Type::Bool, "bool is required"),
        (b"\x01", Type::String, "string is required"),
        (b"\x01", Type::list(Type::Bool), "a list is required"),
        (b"\x01", Type::set(Type::Bool), "a set is required"),
        (b"\x90", Type::map(Type::Bool), "a map is required"),
        (
            b"\x90",
            Type::object(BTreeMap::<String, Type>::new()),
            "an object is required",
        ),
    ];
    for (bytes, ty, message) in cases {
        assert_eq!(decode_err(bytes, &ty).1, message);
    }
}

#[test]
fn encoder_refuses_values_of_the_wrong_kind() {
    let e = encode(&Value::number(1), &Type::String).unwrap_err();
    assert_eq!(e.message, "string is required, found a number");
    let e = encode(
        &Value::dynamic(Type::Bool, Value::Bool(true)),
        &Type::String,
    )
    .unwrap_err();
    assert_eq!(e.message, "string is required, found a dynamic value");
}
