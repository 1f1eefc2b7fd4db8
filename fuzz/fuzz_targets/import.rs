//! The import parser on any bytes: never a panic; a refusal is a file problem (never a store
//! error) whose every problem names a path and says what is wrong on one line.

#![no_main]

use libfuzzer_sys::fuzz_target;
use ticket_export::ambient::Ambient;
use ticket_export::config::Config;
use ticket_export::import::{ImportFailure, import};
use ticket_export::store::Store;

fuzz_target!(|data: &[u8]| {
    let mut store = Store::open_in_memory().expect("an in-memory store");
    let ambient = Ambient::new(Default::default(), jiff::Timestamp::UNIX_EPOCH).expect("a clock");
    match import(&mut store, &Config::default(), &ambient, data, "fuzz.json") {
        Ok(_) => {}
        Err(ImportFailure::Store(e)) => panic!("a file problem surfaced as a store error: {e}"),
        Err(ImportFailure::File(e)) => {
            assert!(!e.problems.is_empty());
            for (path, message) in &e.problems {
                assert!(!path.is_empty(), "a problem without a path: {message}");
                assert!(
                    !message.is_empty() && !message.chars().any(char::is_control),
                    "{message:?}"
                );
            }
        }
    }
});
