//! CSV/TSV token files. Input: byte 0 picks the delimiter (`, ; \t |`), byte 1 the block size
//! (1..=64 bytes, so records cross block boundaries), the rest is the file's text.
//!
//! 1. `RecordSplitter` cuts the text into records; every record must pass `common::walk`'s
//!    invariants, `FieldParser` must split it without panicking, and the records and the end
//!    (`Ok` or the error) must be the same as with a 64 KB block (with an error: the records
//!    before it).
//! 2. The whole pipeline on a file holding the text, read as CSV (delimiter sniffed).

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use yespo_core::tokens::read::sniff::DELIMITERS;
use yespo_core::tokens::read::table::{FieldParser, RecordSplitter};
use yespo_core::tokens::read::Source;
use yespo_core::tokens::{Format, ReadOptions};

/// `FieldParser::new` wants a `Source`: one small CSV file opened once per delimiter.
fn sources() -> &'static (tempfile::TempDir, Vec<Source>) {
    static SOURCES: OnceLock<(tempfile::TempDir, Vec<Source>)> = OnceLock::new();
    SOURCES.get_or_init(|| {
        let (dir, path) = common::temp_file(b"a\n");
        let open = |d: u8| {
            let options =
                ReadOptions { format: Some(Format::Csv), delimiter: Some(d as char), ..ReadOptions::default() };
            Source::open(&path, &options).expect("the delimiter's source")
        };
        let sources = DELIMITERS.iter().map(|d| open(*d)).collect();
        (dir, sources)
    })
}

fuzz_target!(|input: &[u8]| {
    let Some((&[d, b], data)) = input.split_first_chunk::<2>() else { return };
    let which = d as usize % DELIMITERS.len();
    let (delimiter, block) = (DELIMITERS[which], 1 + b as usize % 64);

    let mut parser = FieldParser::new(&sources().1[which]);
    let mut s = RecordSplitter::new(data, delimiter, 0, 1, block);
    let small = common::walk(data, &mut || s.next_chunk(), &mut |bytes, e| {
        let row = parser.parse(bytes, e.offset, e.line);
        for i in 0..row.len() {
            let _ = row.cell(i);
        }
        assert_eq!(row.texts().len(), row.len());
    });
    let mut s = RecordSplitter::new(data, delimiter, 0, 1, 64 * 1024);
    let big = common::walk(data, &mut || s.next_chunk(), &mut |_, _| {});
    assert_eq!(small.1, big.1, "the end depends on the block size ({block})");
    // A block that ends in an error (an unclosed quote) hands on none of its records (the file is
    // unusable anyway), so then only the records before it must agree.
    let n = if small.1.is_ok() { small.0.len().max(big.0.len()) } else { small.0.len().min(big.0.len()) };
    assert_eq!(small.0.get(..n), big.0.get(..n), "the records depend on the block size ({block})");

    let (_dir, path) = common::temp_file(data);
    common::pipeline(&path, &ReadOptions { format: Some(Format::Csv), ..ReadOptions::default() });
});
