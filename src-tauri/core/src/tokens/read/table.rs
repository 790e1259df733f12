//! CSV/TSV rows (and XLSX, through its CSV working copy) with their lines and byte offsets.
//!
//! The `csv` crate does the quoting (delimiters and line breaks inside quotes, doubled quotes,
//! CRLF). Values stay bytes until a column is used, and every value stays a string.

use super::{ReadError, Source};
use csv::{ByteRecord, Position};
use std::fs::File;

/// A data row: its cells and where it is.
pub struct TableRow<'a> {
    record: &'a ByteRecord,
    /// XLSX working copies carry the sheet row in a first column the user never sees.
    skip: usize,
    /// The line (CSV) or sheet row (XLSX) where the row starts.
    pub line: u64,
    pub offset: u64,
}

impl<'a> TableRow<'a> {
    /// The value of column `i` (trimmed), `Ok(None)` when empty or absent, `Err(())` when the
    /// bytes are not UTF-8 (the file is in another encoding than the one chosen).
    pub fn cell(&self, i: usize) -> Result<Option<&'a str>, ()> {
        match self.record.get(i + self.skip) {
            None => Ok(None),
            Some(bytes) => {
                let text = std::str::from_utf8(bytes).map_err(|_| ())?.trim();
                Ok((!text.is_empty()).then_some(text))
            }
        }
    }

    /// How many cells the row has (it may differ from the header's count).
    pub fn len(&self) -> usize {
        self.record.len().saturating_sub(self.skip)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every cell as text (lossy), for the problem export and the preview.
    pub fn texts(&self) -> Vec<String> {
        self.record.iter().skip(self.skip).map(|b| String::from_utf8_lossy(b).into_owned()).collect()
    }
}

pub struct TableReader {
    reader: csv::Reader<File>,
    record: ByteRecord,
    skip: usize,
}

/// Where a data row starts, to read from it again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TablePosition {
    pub offset: u64,
    pub line: u64,
}

impl TableReader {
    /// A reader at the start of the data, and the header's column names (blank ones named
    /// `column N`, repeated ones numbered, so every column can be mapped and listed).
    pub fn open(source: &Source) -> Result<(TableReader, Vec<String>), ReadError> {
        let mut reader = TableReader::at(source, TablePosition { offset: source.start, line: source.start_line })?;
        if !reader.reader.read_byte_record(&mut reader.record).map_err(csv_error)? {
            return Err(ReadError::unusable("the file has no header row"));
        }
        let header = reader.record.clone();
        let names = column_names(header.iter().skip(reader.skip).map(|b| String::from_utf8_lossy(b).into_owned()));
        if names.iter().all(|n| n.starts_with("column ")) {
            return Err(ReadError::unusable("the first row is blank: the file needs a header row naming its columns"));
        }
        Ok((reader, names))
    }

    /// A reader positioned at a data row found earlier.
    pub fn at(source: &Source, at: TablePosition) -> Result<TableReader, ReadError> {
        let file = source.text_at(0)?;
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(source.text_delimiter())
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(1 << 20)
            .from_reader(file);
        let mut position = Position::new();
        position.set_byte(at.offset).set_line(at.line).set_record(0);
        reader.seek(position).map_err(csv_error)?;
        Ok(TableReader { reader, record: ByteRecord::new(), skip: usize::from(source.sheet_rows) })
    }

    /// The next data row, skipping blank ones; `None` at the end.
    pub fn next_row(&mut self) -> Result<Option<TableRow<'_>>, ReadError> {
        loop {
            if !self.reader.read_byte_record(&mut self.record).map_err(csv_error)? {
                return Ok(None);
            }
            if self.record.iter().skip(self.skip).all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                continue;
            }
            let position = self.record.position().expect("records read from a reader have a position");
            let line = if self.skip == 1 {
                std::str::from_utf8(&self.record[0]).ok().and_then(|s| s.parse().ok()).unwrap_or(position.line())
            } else {
                position.line()
            };
            return Ok(Some(TableRow { record: &self.record, skip: self.skip, line, offset: position.byte() }));
        }
    }

    /// Where the next row starts (a checkpoint to come back to).
    pub fn position(&self) -> TablePosition {
        let p = self.reader.position();
        TablePosition { offset: p.byte(), line: p.line() }
    }
}

fn csv_error(e: csv::Error) -> ReadError {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => ReadError::io(e),
        other => ReadError::unusable(format!("the CSV cannot be read: {other:?}")),
    }
}

/// Header names a user can map and recognise: blanks named by position, repeats numbered.
pub fn column_names(raw: impl Iterator<Item = String>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (i, name) in raw.enumerate() {
        let name = name.trim().trim_start_matches('\u{feff}').trim().to_string();
        let mut name = if name.is_empty() { format!("column {}", i + 1) } else { name };
        if names.contains(&name) {
            let base = name.clone();
            let mut n = 2;
            while names.contains(&name) {
                name = format!("{base} ({n})");
                n += 1;
            }
        }
        names.push(name);
    }
    names
}
