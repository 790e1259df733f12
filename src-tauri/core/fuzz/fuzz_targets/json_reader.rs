//! JSON token files: the input is the file's text.
//!
//! 1. `Splitter::new` cuts it for each shape (Yespo body, array, NDJSON); every element must
//!    pass `common::walk`'s invariants and nothing may panic.
//! 2. A page's splitter (`Splitter::at_element`, `PAGE_BLOCK_BYTES` blocks) must cut the text
//!    the same with blanks in front that move a block boundary into the middle of it (only the
//!    offsets move; when the text ends in an error, only the elements before it are compared).
//! 3. The whole pipeline on a file holding the text, read as each of the three JSON formats.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use yespo_core::tokens::read::json::{JsonShape, Splitter, PAGE_BLOCK_BYTES};
use yespo_core::tokens::{Format, ReadOptions};

fuzz_target!(|data: &[u8]| {
    for shape in [JsonShape::YespoBody, JsonShape::Array, JsonShape::Lines] {
        let mut s = Splitter::new(data, shape, 0, 1);
        let _ = common::walk(data, &mut || s.next_chunk(), &mut |_, _| {});

        let mut s = Splitter::at_element(data, shape, 0, 1);
        let (plain, plain_end) = common::walk(data, &mut || s.next_chunk(), &mut |_, _| {});
        let plain_settings = s.settings().to_vec();
        let pad = PAGE_BLOCK_BYTES - (data.len() / 2) % PAGE_BLOCK_BYTES;
        let mut padded = vec![b' '; pad];
        padded.extend_from_slice(data);
        let mut s = Splitter::at_element(&padded[..], shape, 0, 1);
        let (moved, moved_end) = common::walk(&padded, &mut || s.next_chunk(), &mut |_, _| {});
        let moved: Vec<_> = moved
            .into_iter()
            .map(|(o, l, big, b)| (o.checked_sub(pad as u64).expect("an element in the blanks"), l, big, b))
            .collect();
        assert_eq!(plain_end, moved_end, "{shape:?}: the end depends on where a block ends");
        if plain_end.is_ok() {
            assert_eq!(plain, moved, "{shape:?}: the elements depend on where a block ends");
            assert_eq!(plain_settings, s.settings(), "{shape:?}: the settings depend on where a block ends");
        } else {
            // A block that ends in an error hands on none of its elements (the file is unusable
            // anyway), so only what came before must agree.
            let n = plain.len().min(moved.len());
            assert_eq!(plain[..n], moved[..n], "{shape:?}: the elements depend on where a block ends");
        }
    }

    let (_dir, path) = common::temp_file(data);
    for format in [Format::JsonArray, Format::YespoJson, Format::Ndjson] {
        common::pipeline(&path, &ReadOptions { format: Some(format), ..ReadOptions::default() });
    }
});
