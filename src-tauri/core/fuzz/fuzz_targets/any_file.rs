//! Any file at all: the input is the file's bytes, opened as the app opens a dropped file
//! (sniffing decides: binary signatures, XLSX's ZIP, BOMs, UTF-16, legacy code pages, JSON
//! shapes, CSV delimiters and `sep=`), then the whole pipeline (`common::pipeline`: validation,
//! pages, batches, problem export). `Err(ReadError)` is fine; a panic, an abort, running out of
//! memory or a hang is a bug.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use yespo_core::tokens::ReadOptions;

fuzz_target!(|data: &[u8]| {
    let (_dir, path) = common::temp_file(data);
    common::pipeline(&path, &ReadOptions::default());
});
