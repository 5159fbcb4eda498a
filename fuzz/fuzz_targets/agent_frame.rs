#![no_main]
//! `frontdesk::fuzzing::agent_frame`: must never panic, whatever the bytes.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    frontdesk::fuzzing::agent_frame(data);
});
