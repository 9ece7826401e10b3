//! Any line: parsing never panics, and what parses formats back to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scpdeck::scp::Record;

fuzz_target!(|line: &[u8]| {
    if let Ok(record) = Record::parse(line) {
        let formatted = record.to_line();
        let again = Record::parse(&formatted[..formatted.len() - 1]);
        assert_eq!(again.as_ref(), Ok(&record));
    }
});
