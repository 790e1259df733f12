//! JSON token files, cut into one piece per contact without parsing the whole document.
//!
//! serde_json cannot stream the elements of one top-level array, and `from_reader` is slow. So a
//! small scanner (depth, in-string, escape) reads blocks, cuts whole elements out of them and
//! hands each block on as a [`Chunk`]; every element is then parsed with `from_slice`, on as many
//! threads as the machine has (import-and-browse-notes.md §1). Each element keeps its byte offset
//! and line: error reports, the preview's random access and resume need them.
//!
//! Three shapes: Yespo's "Add contacts" body (`{"contacts": [...], "dedupeOn": ...}` in any key
//! order; the other keys are kept as the file's import settings), a bare array of contacts, and
//! NDJSON (one contact per line; blank lines skipped).

use super::ReadError;
use memchr::{memchr, memchr3};
use std::io::Read;

/// How many bytes are read at a time; a chunk holds this much plus the carried partial element.
pub const BLOCK_BYTES: usize = 1 << 20;
/// Reads from a checkpoint (a page of rows, a duplicate to compare) need only a few rows.
pub const PAGE_BLOCK_BYTES: usize = 16 * 1024;
/// An element (one contact) larger than this is reported as a bad row without being kept.
pub const MAX_ELEMENT_BYTES: usize = 1 << 20;
/// An import setting's value larger than this makes the file unusable.
const MAX_SETTING_BYTES: usize = 1 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonShape {
    /// `{"contacts": [...], ...settings}`.
    YespoBody,
    /// `[...]`.
    Array,
    /// One value per line.
    Lines,
}

/// One element: its bytes in the chunk's buffer, where it was in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Element {
    pub start: usize,
    pub end: usize,
    /// Byte offset of the element in the (UTF-8) text.
    pub offset: u64,
    /// 1-based line where the element starts.
    pub line: u64,
    /// Longer than [`MAX_ELEMENT_BYTES`]: its bytes were not kept (`start == end`).
    pub oversized: bool,
}

/// A block of the file with the whole elements found in it.
#[derive(Debug, Default)]
pub struct Chunk {
    pub buf: Vec<u8>,
    pub elements: Vec<Element>,
}

impl Chunk {
    pub fn bytes(&self, e: &Element) -> &[u8] {
        &self.buf[e.start..e.end]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum St {
    /// Before the top-level value.
    Start,
    /// In the Yespo body: a key or `}` (`first`: right after `{`).
    ObjKey { first: bool },
    /// Inside a key string of the Yespo body.
    InKey,
    /// After a key: `:`.
    Colon,
    /// After `:`: the value (`[` starts the contacts array when the key was `contacts`).
    ObjValue,
    /// Inside a setting's value.
    Setting,
    /// After a value of the Yespo body: `,` or `}`.
    ObjNext,
    /// In the contacts array: an element, or `]` when `first`.
    ArrElem { first: bool },
    /// Inside an element.
    Elem,
    /// After an element: `,` or `]`.
    ArrNext,
    /// After the top-level value: whitespace only.
    End,
}

/// Where a value being skipped over is (an element or a setting).
#[derive(Debug, Default, Clone, Copy)]
struct Value {
    depth: u32,
    in_str: bool,
    esc: bool,
    /// A bare number, `true`, `false` or `null`.
    scalar: bool,
    start_offset: u64,
    start_line: u64,
    /// Where it starts in the current buffer (`None` once dropped for size).
    start: Option<usize>,
}

pub struct Splitter<R> {
    src: R,
    shape: JsonShape,
    st: St,
    value: Value,
    /// The line at the scan position.
    line: u64,
    /// File offset of `buf[0]`.
    base: u64,
    /// Bytes of an unfinished element or setting, carried into the next block.
    carry: Vec<u8>,
    key: Vec<u8>,
    key_esc: bool,
    contacts_seen: bool,
    in_contacts: bool,
    settings: Vec<(String, Vec<u8>)>,
    eof: bool,
    /// Lines mode: an over-long line being skipped.
    skipping_line: Option<(u64, u64)>,
    /// Bytes read at a time: large for a pass, small for a page (a few rows).
    block: usize,
}

impl<R: Read> Splitter<R> {
    /// The reader the splitter reads from.
    pub fn source(&self) -> &R {
        &self.src
    }

    /// A splitter reading `src`, whose first byte is at `offset` on line `line` of the text.
    pub fn new(src: R, shape: JsonShape, offset: u64, line: u64) -> Self {
        Splitter {
            src,
            shape,
            st: St::Start,
            value: Value::default(),
            line,
            base: offset,
            carry: Vec::new(),
            key: Vec::new(),
            key_esc: false,
            contacts_seen: false,
            in_contacts: false,
            settings: Vec::new(),
            eof: false,
            skipping_line: None,
            block: BLOCK_BYTES,
        }
    }

    /// A splitter positioned at an element's start (a checkpoint of an earlier pass).
    pub fn at_element(src: R, shape: JsonShape, offset: u64, line: u64) -> Self {
        let mut s = Splitter::new(src, shape, offset, line);
        s.block = PAGE_BLOCK_BYTES;
        s.st = St::ArrElem { first: true };
        s.in_contacts = true;
        s.contacts_seen = true;
        s
    }

    /// The Yespo body's other keys with their raw JSON values, once the file has been read.
    pub fn settings(&self) -> &[(String, Vec<u8>)] {
        &self.settings
    }

    /// The next block with its whole elements; `None` at the end of a well-formed file.
    pub fn next_chunk(&mut self) -> Result<Option<Chunk>, ReadError> {
        loop {
            if self.eof {
                return self.finish().map(|()| None);
            }
            let mut buf = std::mem::take(&mut self.carry);
            let scanned = buf.len();
            if read_block(&mut self.src, &mut buf, self.block)? < self.block {
                self.eof = true;
            }
            let mut chunk = Chunk { buf, elements: Vec::new() };
            match self.shape {
                JsonShape::Lines => self.scan_lines(&mut chunk, scanned)?,
                _ => self.scan(&mut chunk, scanned)?,
            }
            if !chunk.elements.is_empty() || self.eof {
                return Ok(Some(chunk));
            }
        }
    }

    fn finish(&mut self) -> Result<(), ReadError> {
        if self.shape == JsonShape::Lines {
            return Ok(());
        }
        match self.st {
            St::End => Ok(()),
            St::Start => Err(ReadError::unusable("the file is empty")),
            St::Elem | St::ArrElem { .. } | St::ArrNext => Err(ReadError::unusable(format!(
                "the JSON ends in the middle of the contacts (the contact that starts on line {} is cut off, \
                 or the closing ']' is missing): the file is incomplete",
                if self.st == St::Elem { self.value.start_line } else { self.line }
            ))),
            _ => Err(ReadError::unusable(format!(
                "the JSON ends on line {} before the document is closed: the file is incomplete",
                self.line
            ))),
        }
    }

    fn scan_lines(&mut self, chunk: &mut Chunk, from: usize) -> Result<(), ReadError> {
        let buf = &chunk.buf;
        let mut pos = from;
        // `from` > 0 means the carry holds the start of the current line (not yet terminated).
        let mut line_start = 0;
        loop {
            match memchr(b'\n', &buf[pos..]) {
                Some(i) => {
                    let end = pos + i;
                    self.line_done(&mut chunk.elements, buf, line_start, end);
                    self.line += 1;
                    pos = end + 1;
                    line_start = pos;
                }
                None => {
                    if self.eof {
                        if line_start < buf.len() || self.skipping_line.is_some() {
                            let end = buf.len();
                            self.line_done(&mut chunk.elements, buf, line_start, end);
                        }
                    } else if let Some((_, _)) = self.skipping_line {
                        // Still inside an over-long line: keep nothing.
                    } else if buf.len() - line_start > MAX_ELEMENT_BYTES {
                        self.skipping_line = Some((self.base + line_start as u64, self.line));
                    } else {
                        self.carry = buf[line_start..].to_vec();
                    }
                    break;
                }
            }
        }
        self.base += (buf.len() - self.carry.len()) as u64;
        Ok(())
    }

    fn line_done(&mut self, out: &mut Vec<Element>, buf: &[u8], start: usize, end: usize) {
        if let Some((offset, line)) = self.skipping_line.take() {
            out.push(Element { start: end, end, offset, line, oversized: true });
            return;
        }
        let mut s = start;
        let mut e = end;
        while s < e && buf[s].is_ascii_whitespace() {
            s += 1;
        }
        while e > s && buf[e - 1].is_ascii_whitespace() {
            e -= 1;
        }
        if s == e {
            return;
        }
        if e - s > MAX_ELEMENT_BYTES {
            out.push(Element { start: s, end: s, offset: self.base + s as u64, line: self.line, oversized: true });
        } else {
            out.push(Element { start: s, end: e, offset: self.base + s as u64, line: self.line, oversized: false });
        }
    }

    fn unexpected(&self, what: &str, b: u8) -> ReadError {
        let found = if b.is_ascii_graphic() { format!("'{}'", b as char) } else { format!("byte 0x{b:02x}") };
        ReadError::unusable(format!("line {}: the JSON is broken: expected {what}, found {found}", self.line))
    }

    fn scan(&mut self, chunk: &mut Chunk, from: usize) -> Result<(), ReadError> {
        let buf = &chunk.buf;
        let n = buf.len();
        let mut i = from;
        while i < n {
            match self.st {
                St::Elem | St::Setting => {
                    i = self.scan_value(buf, i);
                    if self.value.depth == 0 && !self.value.in_str && !self.value.scalar {
                        // The value closed at i - 1.
                        self.value_done(&mut chunk.elements, buf, i)?;
                    }
                    continue;
                }
                _ => {}
            }
            let b = buf[i];
            if b == b'\n' {
                self.line += 1;
                i += 1;
                continue;
            }
            if b == b' ' || b == b'\t' || b == b'\r' {
                i += 1;
                continue;
            }
            match self.st {
                St::Start => match (self.shape, b) {
                    (JsonShape::YespoBody, b'{') => self.st = St::ObjKey { first: true },
                    (JsonShape::Array, b'[') => {
                        self.in_contacts = true;
                        self.st = St::ArrElem { first: true }
                    }
                    (JsonShape::YespoBody, _) => return Err(self.unexpected("'{' to open the document", b)),
                    _ => return Err(self.unexpected("'[' to open the list of contacts", b)),
                },
                St::ObjKey { first } => match b {
                    b'"' => {
                        self.key.clear();
                        self.key_esc = false;
                        self.st = St::InKey
                    }
                    b'}' if first => self.st = St::End,
                    _ => return Err(self.unexpected("a quoted key", b)),
                },
                St::InKey => {
                    if self.key_esc {
                        self.key_esc = false;
                        self.key.push(b);
                    } else if b == b'\\' {
                        self.key_esc = true;
                        self.key.push(b);
                    } else if b == b'"' {
                        self.st = St::Colon;
                    } else if self.key.len() < 256 {
                        self.key.push(b);
                    }
                }
                St::Colon => match b {
                    b':' => self.st = St::ObjValue,
                    _ => return Err(self.unexpected("':' after a key", b)),
                },
                St::ObjValue => {
                    if self.key == b"contacts" && b == b'[' {
                        if self.contacts_seen {
                            return Err(ReadError::unusable(format!(
                                "line {}: the document has two \"contacts\" lists",
                                self.line
                            )));
                        }
                        self.contacts_seen = true;
                        self.in_contacts = true;
                        self.st = St::ArrElem { first: true };
                    } else {
                        self.begin_value(i);
                        self.st = St::Setting;
                        continue;
                    }
                }
                St::ObjNext => match b {
                    b',' => self.st = St::ObjKey { first: false },
                    b'}' => self.st = St::End,
                    _ => return Err(self.unexpected("',' or '}' after a value", b)),
                },
                St::ArrElem { first } => {
                    if b == b']' && first {
                        self.array_done();
                    } else if b == b']' || b == b',' {
                        return Err(self.unexpected("a contact", b));
                    } else {
                        self.begin_value(i);
                        self.st = St::Elem;
                        continue;
                    }
                }
                St::ArrNext => match b {
                    b',' => self.st = St::ArrElem { first: false },
                    b']' => self.array_done(),
                    _ => return Err(self.unexpected("',' or ']' after a contact", b)),
                },
                St::End => return Err(self.unexpected("nothing after the end of the document", b)),
                St::Elem | St::Setting => unreachable!("handled above"),
            }
            i += 1;
        }
        // Carry the unfinished element or setting into the next block.
        if matches!(self.st, St::Elem | St::Setting) {
            if let Some(start) = self.value.start {
                let limit = if self.st == St::Elem { MAX_ELEMENT_BYTES } else { MAX_SETTING_BYTES };
                if n - start > limit {
                    if self.st == St::Setting {
                        return Err(ReadError::unusable(format!(
                            "line {}: the import setting \"{}\" is larger than 1 MB",
                            self.value.start_line,
                            String::from_utf8_lossy(&self.key)
                        )));
                    }
                    self.value.start = None;
                } else {
                    self.carry = buf[start..].to_vec();
                    self.value.start = Some(0);
                }
            }
        }
        self.base += (n - self.carry.len()) as u64;
        Ok(())
    }

    fn array_done(&mut self) {
        self.in_contacts = false;
        self.st = if self.shape == JsonShape::YespoBody { St::ObjNext } else { St::End };
    }

    fn begin_value(&mut self, i: usize) {
        self.value = Value {
            depth: 0,
            in_str: false,
            esc: false,
            scalar: false,
            start_offset: self.base + i as u64,
            start_line: self.line,
            start: Some(i),
        };
    }

    /// Skips through a value from `i`; returns where it stopped: right after the value's closing
    /// byte (depth back to 0), or at the end of the buffer, or, for a bare scalar, at its end.
    fn scan_value(&mut self, buf: &[u8], mut i: usize) -> usize {
        let v = &mut self.value;
        let n = buf.len();
        if v.depth == 0 && !v.in_str && !v.scalar {
            // The first byte of the value.
            match buf[i] {
                b'{' | b'[' => v.depth = 1,
                b'"' => v.in_str = true,
                _ => v.scalar = true,
            }
            i += 1;
        }
        while i < n {
            if v.in_str {
                if v.esc {
                    v.esc = false;
                    i += 1;
                    continue;
                }
                match find_in_string(buf, i) {
                    None => return n,
                    Some(k) => {
                        i = k;
                        match buf[i] {
                            b'"' => {
                                v.in_str = false;
                                i += 1;
                                if v.depth == 0 {
                                    return i;
                                }
                            }
                            b'\\' => {
                                v.esc = true;
                                i += 1;
                            }
                            _ => {
                                self.line += 1;
                                i += 1;
                            }
                        }
                    }
                }
                continue;
            }
            if v.scalar {
                match buf[i] {
                    b',' | b']' | b'}' | b' ' | b'\t' | b'\r' | b'\n' => {
                        v.scalar = false;
                        return i;
                    }
                    _ => i += 1,
                }
                continue;
            }
            // Between strings: skip to the next byte that matters.
            while i < n && !OUTSIDE_STRING[buf[i] as usize] {
                i += 1;
            }
            if i == n {
                break;
            }
            match buf[i] {
                b'"' => v.in_str = true,
                b'{' | b'[' => v.depth += 1,
                b'}' | b']' => {
                    v.depth -= 1;
                    if v.depth == 0 {
                        return i + 1;
                    }
                }
                b'\n' => self.line += 1,
                _ => {}
            }
            i += 1;
        }
        if v.scalar && self.eof {
            v.scalar = false;
        }
        n
    }

    /// A value ended just before `end`: an element to hand on, or a setting to keep.
    fn value_done(&mut self, out: &mut Vec<Element>, buf: &[u8], end: usize) -> Result<(), ReadError> {
        let v = self.value;
        match self.st {
            St::Elem => {
                let element = match v.start {
                    Some(start) if end - start <= MAX_ELEMENT_BYTES => {
                        Element { start, end, offset: v.start_offset, line: v.start_line, oversized: false }
                    }
                    _ => Element { start: end, end, offset: v.start_offset, line: v.start_line, oversized: true },
                };
                out.push(element);
                self.st = St::ArrNext;
            }
            St::Setting => {
                let start = v.start.unwrap_or(end);
                let key = String::from_utf8_lossy(&self.key).into_owned();
                self.settings.push((key, buf[start..end].to_vec()));
                self.st = St::ObjNext;
            }
            _ => unreachable!("value_done outside a value"),
        }
        self.value = Value::default();
        Ok(())
    }
}

/// Bytes that end a run inside a JSON string, and between strings.
static IN_STRING: [bool; 256] = byte_set(b"\"\\\n");
static OUTSIDE_STRING: [bool; 256] = byte_set(b"\"{}[]\n");

const fn byte_set(bytes: &[u8]) -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i < bytes.len() {
        t[bytes[i] as usize] = true;
        i += 1;
    }
    t
}

/// The next `"`, `\\` or line break from `i` inside a string: a plain loop over the first bytes (most JSON strings are
/// short, where a vectorised search costs more than it saves), then `memchr3`.
fn find_in_string(buf: &[u8], i: usize) -> Option<usize> {
    let short = (i + 24).min(buf.len());
    if let Some(k) = buf[i..short].iter().position(|b| IN_STRING[*b as usize]) {
        return Some(i + k);
    }
    memchr3(b'"', b'\\', b'\n', &buf[short..]).map(|k| short + k)
}

/// Appends up to `block` bytes of `src` to `buf` (fewer only at the end of the source).
pub(crate) fn read_block(src: &mut impl Read, buf: &mut Vec<u8>, block: usize) -> Result<usize, ReadError> {
    buf.reserve(block);
    // `read_to_end` on `take` reads into the spare capacity without zeroing it first.
    src.take(block as u64).read_to_end(buf).map_err(ReadError::io)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Elements with their lines, and the settings kept.
    type Split = (Vec<(String, u64)>, Vec<(String, String)>);

    fn split(text: &str, shape: JsonShape) -> Result<Split, ReadError> {
        let mut s = Splitter::new(text.as_bytes(), shape, 0, 1);
        let mut out = Vec::new();
        while let Some(chunk) = s.next_chunk()? {
            for e in &chunk.elements {
                out.push((String::from_utf8(chunk.bytes(e).to_vec()).unwrap(), e.line));
            }
        }
        let settings = s.settings().iter().map(|(k, v)| (k.clone(), String::from_utf8(v.clone()).unwrap())).collect();
        Ok((out, settings))
    }

    #[test]
    fn cuts_the_yespo_body_into_contacts_and_keeps_the_settings() {
        let text = "{\n \"dedupeOn\": \"push\",\n \"contacts\": [\n  {\"a\": \"x}]\\\"\"},\n  {\"b\": [1, {\"c\": 2}]}\n ],\n \"customFieldsIDs\": [1,2], \"restoreDeleted\": true\n}\n";
        let (elements, settings) = split(text, JsonShape::YespoBody).unwrap();
        assert_eq!(elements, vec![(r#"{"a": "x}]\""}"#.to_string(), 4), (r#"{"b": [1, {"c": 2}]}"#.to_string(), 5)]);
        assert_eq!(
            settings,
            vec![
                ("dedupeOn".into(), "\"push\"".into()),
                ("customFieldsIDs".into(), "[1,2]".into()),
                ("restoreDeleted".into(), "true".into())
            ]
        );
    }

    #[test]
    fn arrays_scalars_and_lines() {
        let (elements, _) = split("[1, \"two\", {\"x\":null}, true]", JsonShape::Array).unwrap();
        let texts: Vec<_> = elements.iter().map(|e| e.0.as_str()).collect();
        assert_eq!(texts, ["1", "\"two\"", "{\"x\":null}", "true"]);
        let (elements, _) = split("{\"a\":1}\r\n\n  \n{\"b\":2}", JsonShape::Lines).unwrap();
        assert_eq!(elements, vec![("{\"a\":1}".to_string(), 1), ("{\"b\":2}".to_string(), 4)]);
        let (elements, _) = split("[]", JsonShape::Array).unwrap();
        assert!(elements.is_empty());
    }

    #[test]
    fn broken_documents_name_the_line() {
        let cut = split("[\n{\"a\": 1},\n{\"b\": ", JsonShape::Array).unwrap_err();
        assert!(cut.message.contains("line 3"), "{}", cut.message);
        let junk = split("[{\"a\": 1} x]", JsonShape::Array).unwrap_err();
        assert!(junk.message.contains("expected ',' or ']'"), "{}", junk.message);
        assert!(split("", JsonShape::Array).unwrap_err().message.contains("empty"));
        assert!(split("[1,]", JsonShape::Array).is_err());
        let unclosed = split("{\"contacts\": []", JsonShape::YespoBody).unwrap_err();
        assert!(unclosed.message.contains("incomplete"), "{}", unclosed.message);
    }

    #[test]
    fn elements_across_blocks_and_oversized_ones() {
        let big = format!("{{\"v\": \"{}\"}}", "x".repeat(BLOCK_BYTES + 10));
        let small = "{\"w\": 1}";
        let text = format!("[{small},\n{big},\n{small}]");
        let mut s = Splitter::new(text.as_bytes(), JsonShape::Array, 0, 1);
        let mut got = Vec::new();
        while let Some(chunk) = s.next_chunk().unwrap() {
            for e in &chunk.elements {
                got.push((chunk.bytes(e).len(), e.line, e.oversized, e.offset));
            }
        }
        assert_eq!(got.len(), 3);
        assert_eq!(got[0], (small.len(), 1, false, 1));
        assert_eq!((got[1].1, got[1].2), (2, true));
        assert_eq!(got[1].3, 1 + small.len() as u64 + 2);
        assert_eq!((got[2].0, got[2].1, got[2].2), (small.len(), 3, false));
        // A deep nesting bomb is one oversized element, not a stack overflow.
        let bomb = format!("[{}{}]", "[".repeat(3 << 20), "]".repeat(3 << 20));
        let (elements, _) = split(&bomb, JsonShape::Array).map(|(e, s)| (e.len(), s)).unwrap();
        assert_eq!(elements, 1);
    }

    #[test]
    fn resumes_at_a_checkpoint() {
        let text = "{\"contacts\": [{\"a\":1},\n{\"b\":2},\n{\"c\":3}]}";
        let offset = text.find("{\"b\"").unwrap();
        let mut s = Splitter::at_element(&text.as_bytes()[offset..], JsonShape::YespoBody, offset as u64, 2);
        let chunk = s.next_chunk().unwrap().unwrap();
        let got: Vec<_> = chunk.elements.iter().map(|e| (chunk.bytes(e).to_vec(), e.line, e.offset)).collect();
        assert_eq!(got[0], (b"{\"b\":2}".to_vec(), 2, offset as u64));
        assert_eq!(got[1].1, 3);
    }
}
