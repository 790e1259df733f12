//! Shared by the fuzz targets: the invariants of a splitter's elements, and the whole pipeline
//! (open, validate, pages, batches, problem export) on a file holding the input.

#![allow(dead_code)]

use std::path::Path;
use std::sync::atomic::AtomicBool;
use yespo_core::tokens::read::json::{Chunk, Element};
use yespo_core::tokens::{validate_file, Choices, ReadError, ReadOptions, RowFilter, TokenFile};

/// One element as found: (offset, line, oversized, bytes).
pub type Found = (u64, u64, bool, Vec<u8>);

/// Pulls every chunk of a splitter that reads `text` from offset 0 on line 1 (until `None` or an
/// error) and checks each element: `start <= end <= buf.len()`, lines never decrease, offsets
/// strictly increase; and also that a kept element is not empty and is the text's bytes at its
/// offset, that its line is 1 + the line feeds before it, and that an oversized one keeps no bytes.
/// `each` sees every kept element. Returns the elements and how the walk ended.
pub fn walk(
    text: &[u8],
    next: &mut dyn FnMut() -> Result<Option<Chunk>, ReadError>,
    each: &mut dyn FnMut(&[u8], &Element),
) -> (Vec<Found>, Result<(), ReadError>) {
    let mut found: Vec<Found> = Vec::new();
    // Line feeds counted in text[..counted].
    let (mut counted, mut feeds) = (0usize, 0u64);
    loop {
        let chunk = match next() {
            Ok(Some(c)) => c,
            Ok(None) => return (found, Ok(())),
            Err(e) => return (found, Err(e)),
        };
        for e in &chunk.elements {
            assert!(
                e.start <= e.end && e.end <= chunk.buf.len(),
                "element {e:?} outside its buffer of {}",
                chunk.buf.len()
            );
            if let Some(&(offset, line, ..)) = found.last() {
                assert!(e.line >= line, "line went back: {e:?} after line {line}");
                assert!(e.offset > offset, "offset did not increase: {e:?} after offset {offset}");
            }
            let at = usize::try_from(e.offset).expect("offset fits");
            assert!(at <= text.len(), "offset {at} past the end of the text ({})", text.len());
            feeds += text[counted..at].iter().filter(|b| **b == b'\n').count() as u64;
            counted = at;
            assert_eq!(e.line, 1 + feeds, "line of {e:?} is not 1 + the line feeds before it");
            let bytes = chunk.bytes(e);
            if e.oversized {
                assert!(bytes.is_empty(), "an oversized element kept bytes: {e:?}");
            } else {
                assert!(!bytes.is_empty(), "an empty element: {e:?}");
                assert_eq!(
                    text.get(at..at + bytes.len()),
                    Some(bytes),
                    "the bytes of {e:?} are not the text's at its offset"
                );
                each(bytes, e);
            }
            found.push((e.offset, e.line, e.oversized, bytes.to_vec()));
        }
    }
}

/// Opens `path` with `options` and, if it is a token file, validates it and checks the result:
/// counts add up, pages hold the rows asked for (valid as the pass said), the batches hold
/// `summary.ready` contacts, and the problem export writes every invalid or warned row.
pub fn pipeline(path: &Path, options: &ReadOptions) {
    let Ok(file) = TokenFile::open(path, options) else { return };
    let Ok(validation) = validate_file(&file, &Choices::default(), &mut |_| {}, &AtomicBool::new(false)) else {
        return;
    };
    let s = &validation.summary;
    assert_eq!(s.valid + s.invalid, s.rows, "valid + invalid != rows");
    assert_eq!(validation.rows(), s.rows);
    assert!(s.ready <= s.valid, "more ready ({}) than valid ({}) rows", s.ready, s.valid);
    let invalid = validation.indices(RowFilter::Invalid);
    assert_eq!(invalid.len() as u64, s.invalid);

    // The first page and one in the middle.
    for start in [0, s.rows / 2] {
        let page = validation.page(&file, start, 10).expect("a page of a validated file");
        assert_eq!(page.len() as u64, (s.rows - start).min(10), "page at {start} of {} rows", s.rows);
        for (i, row) in page.iter().enumerate() {
            assert_eq!(row.index, start + i as u64, "page rows out of order");
            assert_eq!(
                row.valid,
                invalid.binary_search(&row.index).is_err(),
                "row {} valid differs from the pass",
                row.index
            );
        }
    }

    // Batches of 7 (several per file): every ready contact once, in file order, and every other
    // row once among the skipped ones.
    let mut contacts = 0u64;
    let mut skipped = 0u64;
    let mut last = None;
    validation
        .for_each_batch(&file, 7, &mut |batch| {
            assert!(batch.contacts.len() <= 7);
            assert!(!batch.contacts.is_empty() || !batch.skipped.is_empty(), "an empty batch");
            skipped += batch.skipped.len() as u64;
            assert_eq!(batch.contacts.len(), batch.rows.len());
            assert_eq!(batch.contacts.len(), batch.lines.len());
            for &row in &batch.rows {
                assert!(last < Some(row), "batch rows out of order");
                assert!(invalid.binary_search(&row).is_err(), "an invalid row {row} in a batch");
                last = Some(row);
            }
            contacts += batch.contacts.len() as u64;
            true
        })
        .expect("the batches of a validated file");
    assert_eq!(contacts, s.ready, "batched contacts != summary.ready");
    assert_eq!(contacts + skipped, s.rows, "batched + skipped rows != rows");

    // The problem export (invalid rows and rows with warnings).
    let out = path.with_extension("problems.csv");
    let written = validation.export_problems(&file, &out, true).expect("the problem export");
    assert_eq!(written, validation.indices(RowFilter::Problems).len() as u64, "exported rows");
}

/// Writes `data` to a new temporary file; the directory goes when the returned guard drops.
pub fn temp_file(data: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::Builder::new().prefix("yespo-fuzz-").tempdir().expect("a temporary directory");
    let path = dir.path().join("input");
    std::fs::write(&path, data).expect("write the input");
    (dir, path)
}
