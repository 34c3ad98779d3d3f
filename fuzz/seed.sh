#!/usr/bin/env bash
# Writes a small seed corpus (Terraform's own byte examples) into fuzz/corpus/, which is
# not committed. The first byte of each seed picks the type (see src/lib.rs: 0 = the
# resource object, 1 = dynamic, 2 = string, 3 = number, 8 = list(dynamic)).
set -euo pipefail
cd "$(dirname "$0")"
mp=corpus/msgpack_decode
js=corpus/json_decode
mkdir -p "$mp" "$js"
seed() { printf "$2" > "$1"; }

# msgpack: the resource object with a null id and one timeouts block.
seed $mp/resource '\x00\x84\xa2id\xc0\xabinstance_id\xa5ins-1\xa6nic_id\xa5nic-1\xa8timeouts\x91\x82\xa6create\xa22m\xa6delete\xd4\x00\x00'
# dynamic [type, value] exactly as Terraform 1.11 sent it.
seed $mp/dynamic '\x01\x92\xc4\x26["object",{"k":"string","n":"number"}]\x82\xa1k\xa1v\xa1n\x03'
# refined unknowns from Terraform 1.11: "pre-${res.id}" and length(res.id).
seed $mp/prefix '\x02\xc7\x09\x0c\x82\x01\xc2\x02\xa4pre-'
seed $mp/bound '\x03\xc7\x07\x0c\x82\x01\xc2\x03\x92\x00\xc3'
seed $mp/decimal '\x03\xb60.1000000000000000000001'
seed $mp/list_dynamic '\x08\x92\xc0\x92\xa6"bool"\xc3'

seed $js/resource '\x00{"id":"a","nic_id":"nic-1","old":[1,{"x":null}],"timeouts":[{"create":"2m"}]}'
seed $js/dynamic '\x01{"value":{"k":"v","n":3},"type":["object",{"k":"string","n":"number"}]}'
seed $js/big '\x03123456789012345678901234567890'
seed $js/precise '\x030.1000000000000000000001'
seed $js/list_dynamic '\x08[null,{"type":["set","number"],"value":[1,1.5,"2"]}]'
