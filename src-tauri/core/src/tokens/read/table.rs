//! CSV/TSV rows (and XLSX, through its CSV working copy) with their lines and byte offsets.
//!
//! Two steps, so rows can be checked on several threads: a [`RecordSplitter`] cuts blocks of the
//! text at record boundaries (quoted delimiters and line breaks respected, blank lines skipped,
//! each record's own offset and line kept — also for CRLF files), then a [`FieldParser`]
//! (`csv-core`, the `csv` crate's engine) splits one record into fields. Values stay bytes until
//! a column is used, and every value stays a string.

use super::json::{Chunk, Element, MAX_ELEMENT_BYTES};
use super::{ReadError, Source};
use memchr::{memchr2, memchr3};
use std::borrow::Cow;
use std::io::Read;

/// A data row: its cells and where it is.
pub struct TableRow<'a> {
    /// The fields' bytes: the record itself (fields between delimiters, `gap` 1), or the
    /// unquoted fields csv-core wrote back to back (`gap` 0).
    fields: &'a [u8],
    gap: usize,
    /// A legacy single-byte code page the cells are decoded from (`None`: UTF-8).
    encoding: Option<&'static encoding_rs::Encoding>,
    ends: &'a [usize],
    /// XLSX working copies carry the sheet row in a first column the user never sees.
    skip: usize,
    /// The line (CSV) or sheet row (XLSX) where the row starts.
    pub line: u64,
    pub offset: u64,
}

/// A cell whose bytes are not text in the file's encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotText;

impl<'a> TableRow<'a> {
    fn raw(&self, i: usize) -> Option<&'a [u8]> {
        let i = i + self.skip;
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] + self.gap };
        Some(&self.fields[start..end])
    }

    /// The value of column `i` (trimmed), `Ok(None)` when empty or absent, `Err(NotText)` when
    /// the bytes are not text in the file's encoding (UTF-8 chosen for a file that is not).
    pub fn cell(&self, i: usize) -> Result<Option<Cow<'a, str>>, NotText> {
        let Some(bytes) = self.raw(i) else { return Ok(None) };
        let text: Cow<'a, str> = match self.encoding {
            None => Cow::Borrowed(std::str::from_utf8(bytes).map_err(|_| NotText)?),
            // ASCII stays borrowed; only cells with other bytes are decoded into a new string.
            Some(enc) => enc.decode_without_bom_handling(bytes).0,
        };
        let text = match text {
            Cow::Borrowed(t) => Cow::Borrowed(t.trim()),
            Cow::Owned(t) if t.trim().len() == t.len() => Cow::Owned(t),
            Cow::Owned(t) => Cow::Owned(t.trim().to_string()),
        };
        Ok((!text.is_empty()).then_some(text))
    }

    /// How many cells the row has (it may differ from the header's count).
    pub fn len(&self) -> usize {
        self.ends.len().saturating_sub(self.skip)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every cell as text (lossy), for the problem export and the preview.
    pub fn texts(&self) -> Vec<String> {
        (0..self.len())
            .map(|i| {
                let bytes = self.raw(i).unwrap_or_default();
                match self.encoding {
                    None => String::from_utf8_lossy(bytes).into_owned(),
                    Some(enc) => enc.decode_without_bom_handling(bytes).0.into_owned(),
                }
            })
            .collect()
    }
}

/// Splits one record into fields; one per thread, reused for every record.
pub struct FieldParser {
    /// Built on the first record with a quote (building it costs more than splitting a page).
    core: Option<csv_core::Reader>,
    delimiter: u8,
    encoding: Option<&'static encoding_rs::Encoding>,
    out: Vec<u8>,
    ends: Vec<usize>,
    skip: usize,
}

impl FieldParser {
    pub fn new(source: &Source) -> FieldParser {
        FieldParser {
            core: None,
            delimiter: source.text_delimiter(),
            encoding: source.cell_encoding,
            out: vec![0; 4096],
            ends: vec![0; 64],
            skip: usize::from(source.sheet_rows),
        }
    }

    /// The fields of one record (its bytes without the line break).
    pub fn parse<'s>(&'s mut self, record: &'s [u8], offset: u64, line: u64) -> TableRow<'s> {
        use csv_core::ReadRecordResult::*;
        if memchr::memchr(b'"', record).is_none() {
            return self.parse_unquoted(record, offset, line);
        }
        let delimiter = self.delimiter;
        let core = self.core.get_or_insert_with(|| csv_core::ReaderBuilder::new().delimiter(delimiter).build());
        core.reset();
        let (mut input, mut out_len, mut n) = (record, 0usize, 0usize);
        loop {
            // Once the record is all fed, an empty input tells csv-core it has ended.
            let (result, read, written, ended) = core.read_record(input, &mut self.out[out_len..], &mut self.ends[n..]);
            input = &input[read..];
            out_len += written;
            n += ended;
            match result {
                InputEmpty => {}
                OutputFull => self.out.resize(self.out.len() * 2, 0),
                OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                Record | End => break,
            }
        }
        self.row(&self.out[..out_len], 0, n, offset, line)
    }

    /// Most records have no quotes: their fields are the bytes between delimiters, read in
    /// place without csv-core's state machine.
    fn parse_unquoted<'s>(&'s mut self, record: &'s [u8], offset: u64, line: u64) -> TableRow<'s> {
        let mut n = 0;
        for end in memchr::memchr_iter(self.delimiter, record).chain(std::iter::once(record.len())) {
            if n == self.ends.len() {
                self.ends.resize(self.ends.len() * 2, 0);
            }
            self.ends[n] = end;
            n += 1;
        }
        self.row(record, 1, n, offset, line)
    }

    fn row<'s>(&'s self, fields: &'s [u8], gap: usize, n: usize, offset: u64, line: u64) -> TableRow<'s> {
        let mut line = line;
        if self.skip == 1 && n > 0 {
            if let Some(sheet_row) = std::str::from_utf8(&fields[..self.ends[0]]).ok().and_then(|s| s.parse().ok()) {
                line = sheet_row;
            }
        }
        TableRow { fields, gap, encoding: self.encoding, ends: &self.ends[..n], skip: self.skip, line, offset }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum St {
    /// At the start of a field (or of a record).
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: the end of the quotes, or the first of `""`.
    QuoteInQuoted,
}

/// Cuts the text into records at line breaks outside quotes, the way `csv-core` reads them.
pub struct RecordSplitter<R> {
    src: R,
    delimiter: u8,
    st: St,
    line: u64,
    base: u64,
    carry: Vec<u8>,
    eof: bool,
    block: usize,
    /// The record being read: where it starts (buffer index, `None` once dropped for size),
    /// its offset and line, and whether it has anything but blanks.
    rec: Option<(Option<usize>, u64, u64, bool)>,
    /// The line where the open quoted field started (for the error at the end of the file).
    quote_line: u64,
}

impl<R: Read> RecordSplitter<R> {
    /// The reader the splitter reads from.
    pub fn source(&self) -> &R {
        &self.src
    }

    /// A splitter over `src`, whose first byte is at `offset` on line `line`.
    pub fn new(src: R, delimiter: u8, offset: u64, line: u64, block: usize) -> Self {
        RecordSplitter {
            src,
            delimiter,
            st: St::FieldStart,
            line,
            base: offset,
            carry: Vec::new(),
            eof: false,
            block,
            rec: None,
            quote_line: line,
        }
    }

    /// The next block with its whole records; `None` at the end.
    pub fn next_chunk(&mut self) -> Result<Option<Chunk>, ReadError> {
        loop {
            if self.eof {
                return Ok(None);
            }
            let mut buf = std::mem::take(&mut self.carry);
            let scanned = buf.len();
            if super::json::read_block(&mut self.src, &mut buf, self.block)? < self.block {
                self.eof = true;
            }
            let mut chunk = Chunk { buf, elements: Vec::new() };
            self.scan(&mut chunk, scanned)?;
            if !chunk.elements.is_empty() || self.eof {
                return Ok(Some(chunk));
            }
        }
    }

    fn start_record(&mut self, i: usize) {
        if self.rec.is_none() {
            self.rec = Some((Some(i), self.base + i as u64, self.line, false));
        }
    }

    fn end_record(&mut self, out: &mut Vec<Element>, end: usize) {
        if let Some((start, offset, line, content)) = self.rec.take() {
            if content {
                out.push(match start {
                    Some(start) => Element { start, end, offset, line, oversized: false },
                    None => Element { start: end, end, offset, line, oversized: true },
                });
            }
        }
        self.st = St::FieldStart;
    }

    fn scan(&mut self, chunk: &mut Chunk, from: usize) -> Result<(), ReadError> {
        let buf = &chunk.buf;
        let n = buf.len();
        let d = self.delimiter;
        let mut i = from;
        while i < n {
            // Fast path: at the start of a record whose line has no quote and no lone CR, the
            // line is the record (most token files): one search for the line break, no state
            // machine over its fields.
            if self.st == St::FieldStart && self.rec.is_none() {
                if let Some(k) = memchr::memchr(b'\n', &buf[i..]) {
                    let end = i + k;
                    let body_end = if end > i && buf[end - 1] == b'\r' { end - 1 } else { end };
                    let line = &buf[i..body_end];
                    if memchr2(b'"', b'\r', line).is_none() {
                        if line.iter().any(|c| !c.is_ascii_whitespace() && *c != d) {
                            let oversized = line.len() > MAX_ELEMENT_BYTES;
                            chunk.elements.push(Element {
                                start: i,
                                end: if oversized { i } else { body_end },
                                offset: self.base + i as u64,
                                line: self.line,
                                oversized,
                            });
                        }
                        self.line += 1;
                        i = end + 1;
                        continue;
                    }
                }
            }
            let b = buf[i];
            match self.st {
                St::FieldStart | St::Unquoted | St::QuoteInQuoted => {
                    if b == b'\n' || b == b'\r' {
                        self.end_record(&mut chunk.elements, i);
                        if b == b'\n' {
                            self.line += 1;
                        }
                        i += 1;
                        continue;
                    }
                    self.start_record(i);
                    if b == d {
                        self.st = St::FieldStart;
                        i += 1;
                        continue;
                    }
                    if self.st == St::QuoteInQuoted && b == b'"' {
                        self.st = St::Quoted;
                        i += 1;
                        continue;
                    }
                    if self.st == St::FieldStart && b == b'"' {
                        self.st = St::Quoted;
                        self.quote_line = self.line;
                        self.mark_content();
                        i += 1;
                        continue;
                    }
                    if !b.is_ascii_whitespace() {
                        self.mark_content();
                    }
                    self.st = St::Unquoted;
                    // Jump to the next delimiter or line break (fields are short: a plain loop
                    // first, then a vectorised search).
                    let short = (i + 33).min(n);
                    let next = match buf[i + 1..short].iter().position(|c| *c == d || *c == b'\n' || *c == b'\r') {
                        Some(k) => i + 1 + k,
                        None => memchr3(d, b'\n', b'\r', &buf[short..]).map_or(n, |k| short + k),
                    };
                    if !self.has_content() && buf[i..next].iter().any(|c| !c.is_ascii_whitespace()) {
                        self.mark_content();
                    }
                    i = next;
                }
                St::Quoted => match memchr2(b'"', b'\n', &buf[i..]) {
                    None => i = n,
                    Some(k) => {
                        i += k;
                        if buf[i] == b'"' {
                            self.st = St::QuoteInQuoted;
                        } else {
                            self.line += 1;
                        }
                        i += 1;
                    }
                },
            }
        }
        if self.eof {
            if self.st == St::Quoted {
                return Err(ReadError::unusable(format!(
                    "line {}: a quoted value is never closed (a stray '\"'?), so the rest of the file cannot be split into rows",
                    self.quote_line
                )));
            }
            self.end_record(&mut chunk.elements, n);
        } else if let Some((Some(start), ..)) = self.rec {
            if n - start > MAX_ELEMENT_BYTES {
                if let Some(rec) = self.rec.as_mut() {
                    rec.0 = None;
                }
            } else {
                self.carry = buf[start..].to_vec();
                if let Some(rec) = self.rec.as_mut() {
                    rec.0 = Some(0);
                }
            }
        }
        self.base += (n - self.carry.len()) as u64;
        Ok(())
    }

    fn mark_content(&mut self) {
        if let Some(rec) = self.rec.as_mut() {
            rec.3 = true;
        }
    }

    fn has_content(&self) -> bool {
        self.rec.is_some_and(|r| r.3)
    }
}

/// The header row: the column names (blank ones named `column N`, repeated ones numbered, so
/// every column can be mapped and listed) and where the data starts (offset, line).
pub fn read_header(source: &Source) -> Result<(Vec<String>, u64, u64), ReadError> {
    let mut splitter = RecordSplitter::new(
        source.text_at(source.start)?,
        source.text_delimiter(),
        source.start,
        source.start_line,
        64 * 1024,
    );
    loop {
        let Some(chunk) = splitter.next_chunk()? else {
            return Err(ReadError::unusable("the file has no header row"));
        };
        let Some(first) = chunk.elements.first() else { continue };
        if first.oversized {
            return Err(ReadError::unusable(format!(
                "line {}: the first row is longer than 1 MB: not a header row naming columns",
                first.line
            )));
        }
        let mut parser = FieldParser::new(source);
        let row = parser.parse(chunk.bytes(first), first.offset, first.line);
        let names = column_names(row.texts().into_iter());
        if names.iter().all(|n| n.starts_with("column ")) {
            return Err(ReadError::unusable("the first row is blank: the file needs a header row naming its columns"));
        }
        // The data starts after the header's line break(s).
        let mut after = first.end;
        let mut line = first.line;
        let text = &chunk.buf;
        let mut newline_seen = false;
        while after < text.len() && (text[after] == b'\r' || text[after] == b'\n') && !newline_seen {
            if text[after] == b'\n' {
                newline_seen = true;
                line += 1;
            }
            after += 1;
        }
        // Lines inside the header's quoted names.
        line += chunk.bytes(first).iter().filter(|b| **b == b'\n').count() as u64;
        return Ok((names, first.offset + (after - first.start) as u64, line));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn records(text: &str, block: usize) -> Result<Vec<(String, u64, u64)>, ReadError> {
        let mut s = RecordSplitter::new(text.as_bytes(), b',', 0, 1, block);
        let mut out = Vec::new();
        while let Some(chunk) = s.next_chunk()? {
            for e in &chunk.elements {
                out.push((String::from_utf8(chunk.bytes(e).to_vec()).unwrap(), e.line, e.offset));
            }
        }
        Ok(out)
    }

    #[test]
    fn records_keep_their_own_lines_and_offsets() {
        let text = "a,b\r\n1,\"x,\r\ny\"\r\n\r\n   \r\n2,\"q\"\"\"\n3,z";
        for block in [1, 2, 3, 7, 64 * 1024] {
            let got = records(text, block).unwrap();
            assert_eq!(
                got,
                vec![
                    ("a,b".to_string(), 1, 0),
                    ("1,\"x,\r\ny\"".to_string(), 2, 5),
                    ("2,\"q\"\"\"".to_string(), 6, 23),
                    ("3,z".to_string(), 7, 31),
                ],
                "block {block}"
            );
        }
    }

    #[test]
    fn an_unclosed_quote_is_an_error_naming_its_line() {
        let e = records("a,b\n1,2\n3,\"x\n4,5\n", 64).unwrap_err();
        assert!(e.message.contains("line 3"), "{}", e.message);
    }

    #[test]
    fn fields_are_split_like_the_csv_crate() {
        let source_like = |text: &str| {
            let mut p =
                FieldParser { core: None, delimiter: b';', encoding: None, out: vec![0; 2], ends: vec![0; 1], skip: 0 };
            let row = p.parse(text.as_bytes(), 0, 1);
            row.texts()
        };
        assert_eq!(source_like("a;\"b;c\";\"d\"\"e\";"), vec!["a", "b;c", "d\"e", ""]);
        assert_eq!(source_like("x"), vec!["x"]);
        assert_eq!(source_like("a;;b;"), vec!["a", "", "b", ""]);
        assert_eq!(source_like(";"), vec!["", ""]);
        assert_eq!(source_like("\"multi\nline\";2"), vec!["multi\nline", "2"]);
    }
}
