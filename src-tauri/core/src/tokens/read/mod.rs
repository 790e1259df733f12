//! Reading a token file: what it is ([`sniff`]), a UTF-8 text to read it from ([`Source`]), and
//! its rows ([`json`] for the JSON shapes, [`table`] for CSV/TSV and XLSX).
//!
//! Every format ends as UTF-8 text on disk: UTF-8 files are read in place; other encodings and
//! XLSX are first copied into a UTF-8 working copy (a temporary file, removed with the
//! [`Source`]). So one reader serves every encoding, and byte offsets — the index behind the
//! preview's random access — are offsets in a file that can be seeked.

pub mod json;
pub mod sniff;
pub mod table;
pub mod xlsx;

use crate::error::AppError;
use encoding_rs::{Encoding, UTF_8};
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Why a file cannot be read at all (the CLI's exit code 2), or an I/O failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    pub kind: ReadErrorKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadErrorKind {
    /// Empty, not a token file, structurally broken: the user must change the file.
    Unusable,
    /// The disk failed us (permissions, a file removed while read).
    Io,
    /// Stopped on request.
    Cancelled,
}

impl ReadError {
    pub fn unusable(message: impl Into<String>) -> Self {
        ReadError { kind: ReadErrorKind::Unusable, message: message.into() }
    }
    pub fn io(e: std::io::Error) -> Self {
        ReadError { kind: ReadErrorKind::Io, message: format!("the file could not be read: {e}") }
    }
    pub fn cancelled() -> Self {
        ReadError { kind: ReadErrorKind::Cancelled, message: "stopped".into() }
    }
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ReadError {}

impl From<ReadError> for AppError {
    fn from(e: ReadError) -> Self {
        match e.kind {
            ReadErrorKind::Unusable => AppError::validation(e.message),
            ReadErrorKind::Io => AppError::internal(e.message),
            ReadErrorKind::Cancelled => AppError::new(crate::error::ErrorCode::Cancelled, e.message),
        }
    }
}

/// The file formats, by the names the CLI and the UI show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
pub enum Format {
    /// Yespo's "Add contacts" request body.
    #[serde(rename = "yespo-json")]
    YespoJson,
    #[serde(rename = "json-array")]
    JsonArray,
    #[serde(rename = "ndjson")]
    Ndjson,
    /// CSV or TSV (any of the sniffed delimiters).
    #[serde(rename = "csv")]
    Csv,
    #[serde(rename = "xlsx")]
    Xlsx,
}

impl Format {
    pub const ALL: [Format; 5] = [Format::YespoJson, Format::JsonArray, Format::Ndjson, Format::Csv, Format::Xlsx];

    pub fn name(self) -> &'static str {
        match self {
            Format::YespoJson => "yespo-json",
            Format::JsonArray => "json-array",
            Format::Ndjson => "ndjson",
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }

    pub fn parse(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name().eq_ignore_ascii_case(name.trim()))
    }

    /// CSV and XLSX rows are columns to map; the JSON shapes are objects.
    pub fn is_tabular(self) -> bool {
        matches!(self, Format::Csv | Format::Xlsx)
    }

    pub fn json_shape(self) -> Option<json::JsonShape> {
        match self {
            Format::YespoJson => Some(json::JsonShape::YespoBody),
            Format::JsonArray => Some(json::JsonShape::Array),
            Format::Ndjson => Some(json::JsonShape::Lines),
            _ => None,
        }
    }
}

/// The user's overrides of what was detected (each `None` = detect).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ReadOptions {
    pub format: Option<Format>,
    /// An encoding label (`utf-8`, `windows-1251`, `utf-16le`, `cp1251`...).
    pub encoding: Option<String>,
    pub delimiter: Option<char>,
}

/// What the reader found (or was told), as shown to the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Detected {
    pub format: Format,
    /// The encoding's name (`UTF-8`, `UTF-16LE`, `windows-1251`); `None` for XLSX.
    pub encoding: Option<String>,
    /// The file starts with a byte-order mark.
    pub bom: bool,
    /// CSV/TSV only.
    pub delimiter: Option<char>,
    /// The file starts with Excel's `sep=` line.
    pub excel_sep_line: bool,
    /// XLSX: the sheet read and how many the workbook has.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheets: Option<usize>,
}

/// An opened token file: what it is, and UTF-8 text to read its rows from.
#[derive(Debug)]
pub struct Source {
    pub path: PathBuf,
    pub size: u64,
    pub detected: Detected,
    text: PathBuf,
    /// Removes the working copy when the source is dropped.
    _working_copy: Option<tempfile::TempPath>,
    /// Where the data starts in `text` (after a BOM or a `sep=` line), and its line number.
    pub start: u64,
    pub start_line: u64,
    /// The text is an XLSX working copy whose first column is the sheet row.
    pub sheet_rows: bool,
    /// A CSV in a legacy single-byte code page, read in place: its cells are decoded one by one
    /// (its delimiters, quotes and line breaks are ASCII), so a big Windows-1251 export needs no
    /// working copy and its first rows show at once.
    pub cell_encoding: Option<&'static Encoding>,
}

impl Source {
    /// Opens and sniffs `path`, honouring the user's overrides.
    pub fn open(path: &Path, options: &ReadOptions) -> Result<Source, ReadError> {
        let mut file = File::open(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => ReadError::unusable(format!("there is no file at {}", path.display())),
            _ => ReadError::io(e),
        })?;
        let size = file.metadata().map_err(ReadError::io)?.len();
        if file.metadata().map_err(ReadError::io)?.is_dir() {
            return Err(ReadError::unusable(format!("{} is a folder, not a file", path.display())));
        }
        let mut sample = Vec::with_capacity(sniff::SAMPLE_BYTES);
        (&mut file).take(sniff::SAMPLE_BYTES as u64).read_to_end(&mut sample).map_err(ReadError::io)?;
        let container = sniff::container(&sample)?;
        if container == sniff::Container::Xlsx || options.format == Some(Format::Xlsx) {
            if options.format.is_some_and(|f| f != Format::Xlsx) {
                return Err(ReadError::unusable("this is a ZIP archive (an Excel workbook?), not a text file"));
            }
            return Source::open_xlsx(path, size);
        }

        let (encoding, bom) = match &options.encoding {
            Some(label) => {
                let enc = Encoding::for_label(label.trim().as_bytes())
                    .ok_or_else(|| ReadError::unusable(format!("'{label}' is not an encoding this app knows")))?;
                // A BOM still tells where the text starts, whatever the user chose.
                let bom = Encoding::for_bom(&sample).filter(|(e, _)| *e == enc).map_or(0, |(_, n)| n);
                (enc, bom)
            }
            None => sniff::encoding(&sample),
        };
        // The decoded sample, to tell the format and the delimiter.
        let (decoded, _) = encoding.decode_without_bom_handling(&sample[bom..]);
        let sniffed = options.format.unwrap_or_else(|| sniff::format(&decoded));
        let in_place = encoding == UTF_8 || (encoding.is_single_byte() && sniffed == Format::Csv);
        let (text, working_copy, mut start) = if in_place {
            (path.to_path_buf(), None, bom as u64)
        } else {
            let copy = utf8_working_copy(path, encoding)?;
            (copy.to_path_buf(), Some(copy), 0)
        };
        let cell_encoding = (encoding != UTF_8 && in_place).then_some(encoding);
        if sniff::looks_binary(&decoded) {
            return Err(ReadError::unusable(format!(
                "this does not look like a text file in {} (it has binary bytes); if it is text, choose its encoding",
                encoding.name()
            )));
        }
        if decoded.trim().is_empty() {
            return Err(ReadError::unusable("the file has no data (it is empty or only blank lines)"));
        }
        let mut start_line = 1;
        let mut excel_sep = false;
        let mut delimiter = None;
        let format = sniffed;
        if format == Format::Ndjson && options.format.is_none() {
            // NDJSON is one value per line; one object spread over several lines is not.
            let lines = decoded.lines().filter(|l| !l.trim().is_empty()).count();
            if lines > 1
                && decoded.len() < sniff::SAMPLE_BYTES
                && serde_json::from_str::<serde::de::IgnoredAny>(decoded.trim()).is_ok()
            {
                return Err(ReadError::unusable(
                    "this is one JSON object over several lines, not a list of contacts: a token file is a list \
                     ([...]), one contact per line (NDJSON), or Yespo's body ({\"contacts\": [...]})",
                ));
            }
        }
        if format == Format::Csv {
            // Offsets of the `sep=` line are in UTF-8; the working copy is UTF-8, and the line is ASCII.
            let mut d = sniff::delimiter(&decoded);
            if let Some((sep, len)) = sniff::excel_sep_line(&decoded) {
                d = sep;
                start += len as u64;
                start_line = 2;
                excel_sep = true;
                let body = &decoded[len..];
                if options.delimiter.is_none() && body.trim().is_empty() {
                    return Err(ReadError::unusable("the file has only Excel's sep= line and no data"));
                }
            }
            delimiter = Some(options.delimiter.map_or(d as char, |c| c));
            if !delimiter.is_some_and(|c| c.is_ascii() && c != '"' && c != '\n' && c != '\r') {
                return Err(ReadError::unusable(
                    "the delimiter must be one ASCII character other than a quote or a line break",
                ));
            }
        }
        Ok(Source {
            path: path.to_path_buf(),
            size,
            detected: Detected {
                format,
                encoding: Some(encoding.name().to_string()),
                bom: bom > 0,
                delimiter,
                excel_sep_line: excel_sep,
                sheet: None,
                sheets: None,
            },
            text,
            _working_copy: working_copy,
            start,
            start_line,
            sheet_rows: false,
            cell_encoding,
        })
    }

    fn open_xlsx(path: &Path, size: u64) -> Result<Source, ReadError> {
        let temp = tempfile::Builder::new().prefix("yespo-tokens-").suffix(".csv").tempfile().map_err(ReadError::io)?;
        let (file, temp_path) = temp.into_parts();
        let mut out = BufWriter::new(file);
        let copy = xlsx::first_sheet_to_csv(path, &mut out).map_err(ReadError::unusable)?;
        out.flush().map_err(ReadError::io)?;
        if copy.rows == 0 {
            return Err(ReadError::unusable(format!("the sheet \"{}\" is empty", copy.sheet_name)));
        }
        Ok(Source {
            path: path.to_path_buf(),
            size,
            detected: Detected {
                format: Format::Xlsx,
                encoding: None,
                bom: false,
                delimiter: None,
                excel_sep_line: false,
                sheet: Some(copy.sheet_name),
                sheets: Some(copy.sheets),
            },
            text: temp_path.to_path_buf(),
            _working_copy: Some(temp_path),
            start: 0,
            start_line: 1,
            sheet_rows: true,
            cell_encoding: None,
        })
    }

    /// The UTF-8 text, positioned at `offset`.
    pub fn text_at(&self, offset: u64) -> Result<File, ReadError> {
        let mut f = File::open(&self.text).map_err(ReadError::io)?;
        f.seek(SeekFrom::Start(offset)).map_err(ReadError::io)?;
        Ok(f)
    }

    /// The delimiter of the text as read (XLSX working copies are comma-separated).
    pub fn text_delimiter(&self) -> u8 {
        self.detected.delimiter.map_or(b',', |c| c as u8)
    }
}

/// The text as a pass reads it, hashed on the way (xxh3-128): the content fingerprint an upload
/// job keeps, so a resume can tell the file changed without reading it twice.
pub struct HashingReader {
    inner: File,
    hasher: xxhash_rust::xxh3::Xxh3,
}

impl HashingReader {
    /// The text positioned at `offset`. With `whole`, the bytes before it are hashed first, so
    /// the fingerprint covers the whole text (a pass); else only what is read (a page).
    pub fn new(source: &Source, offset: u64, whole: bool) -> Result<HashingReader, ReadError> {
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        if whole && offset > 0 {
            let mut head = Vec::new();
            source.text_at(0)?.take(offset).read_to_end(&mut head).map_err(ReadError::io)?;
            hasher.update(&head);
        }
        Ok(HashingReader { inner: source.text_at(offset)?, hasher })
    }

    /// The fingerprint of everything read so far, e.g. `xxh3-128:5d2f…`.
    pub fn fingerprint(&self) -> String {
        format!("xxh3-128:{:032x}", self.hasher.digest128())
    }
}

impl Read for HashingReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// Decodes the whole file into a temporary UTF-8 copy (the BOM, if any, removed).
fn utf8_working_copy(path: &Path, encoding: &'static Encoding) -> Result<tempfile::TempPath, ReadError> {
    let file = File::open(path).map_err(ReadError::io)?;
    let mut decoder = encoding_rs_io::DecodeReaderBytesBuilder::new()
        .encoding(Some(encoding))
        .bom_override(true)
        .build(std::io::BufReader::with_capacity(1 << 20, file));
    let temp = tempfile::Builder::new().prefix("yespo-tokens-").tempfile().map_err(ReadError::io)?;
    let (out, temp_path) = temp.into_parts();
    let mut out = BufWriter::with_capacity(1 << 20, out);
    std::io::copy(&mut decoder, &mut out).map_err(ReadError::io)?;
    out.flush().map_err(ReadError::io)?;
    Ok(temp_path)
}
