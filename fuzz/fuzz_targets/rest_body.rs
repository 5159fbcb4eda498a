#![no_main]
//! `frontdesk::fuzzing::rest_body`: must never panic, whatever the bytes.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    frontdesk::fuzzing::rest_body(data);
});
