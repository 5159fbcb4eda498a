#![no_main]
//! `frontdesk::fuzzing::visitor_frame`: must never panic, whatever the bytes.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    frontdesk::fuzzing::visitor_frame(data);
});
