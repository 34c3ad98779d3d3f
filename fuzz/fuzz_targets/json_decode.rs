//! JSON decoding never panics, and what it accepts round-trips.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((ty, bytes)) = tpz_fuzz::split(data) {
        tpz_fuzz::check_json(bytes, &ty);
    }
});
