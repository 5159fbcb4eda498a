#![no_main]
//! `frontdesk::fuzzing::upload`: an uploaded file's bytes must never panic the type check,
//! the image decoders or the name cleaning.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    frontdesk::fuzzing::upload(data);
});
