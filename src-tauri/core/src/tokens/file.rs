//! An opened token file: what it is, its columns or row shape, and a way to visit its rows from
//! the start or from a checkpoint (the preview's random access and every later pass use it).

use super::check::{json_shape, parse_dedupe, Plan, Shape};
use super::map::{self, AccountField, Mapping, Target};
use super::read::json::{Chunk, JsonShape, Splitter, BLOCK_BYTES, PAGE_BLOCK_BYTES};
use super::read::table::{read_header, FieldParser, RecordSplitter};
use super::read::{Detected, HashingReader, ReadError, ReadOptions, Source};
use super::settings::default_dedupe;
use crate::yespo::models::DedupeOn;
use std::path::Path;

/// Where a row is: what the visitor gets with each row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowMeta {
    /// 0-based among the data rows (no header, no blank lines).
    pub index: u64,
    /// The file's line (or the sheet's row) where the row starts.
    pub line: u64,
    /// Byte offset in the UTF-8 text.
    pub offset: u64,
}

/// A row's raw form, handed to the visitor.
pub enum RawRow<'a> {
    Table(super::read::table::TableRow<'a>),
    Json(&'a [u8]),
    Oversized,
}

/// How many JSON elements are looked at to tell Yespo contacts from flat objects.
const SHAPE_SAMPLE: usize = 1000;

pub struct TokenFile {
    source: Source,
    shape: Shape,
    /// Where the first data row can start (after a table's header): offset and line.
    data_start: (u64, u64),
}

/// The rows of a file, a block at a time (JSON elements or table records).
pub enum Blocks {
    Json(Splitter<HashingReader>),
    Table(RecordSplitter<HashingReader>),
}

impl Blocks {
    pub fn next_chunk(&mut self) -> Result<Option<Chunk>, ReadError> {
        match self {
            Blocks::Json(s) => s.next_chunk(),
            Blocks::Table(s) => s.next_chunk(),
        }
    }

    /// A Yespo body's settings keys (after the last block).
    pub fn settings(&self) -> Vec<(String, Vec<u8>)> {
        match self {
            Blocks::Json(s) => s.settings().to_vec(),
            Blocks::Table(_) => Vec::new(),
        }
    }

    /// The content fingerprint of the text read so far (the whole text after the last block of
    /// a pass from the first row).
    pub fn fingerprint(&self) -> String {
        match self {
            Blocks::Json(s) => s.source().fingerprint(),
            Blocks::Table(s) => s.source().fingerprint(),
        }
    }
}

impl TokenFile {
    pub fn open(path: &Path, options: &ReadOptions) -> Result<TokenFile, ReadError> {
        let source = Source::open(path, options)?;
        let mut data_start = (source.start, source.start_line);
        let shape = if source.detected.format.is_tabular() {
            let (columns, offset, line) = read_header(&source)?;
            data_start = (offset, line);
            Shape::Columns(columns)
        } else {
            let json = source.detected.format.json_shape().expect("a JSON format");
            if json == JsonShape::YespoBody {
                Shape::Native
            } else {
                let mut samples: Vec<Vec<u8>> = Vec::new();
                let mut splitter = Splitter::new(source.text_at(source.start)?, json, source.start, source.start_line);
                while samples.len() < SHAPE_SAMPLE {
                    // A structural error further on is reported by the full pass, with its line.
                    let Ok(Some(chunk)) = splitter.next_chunk() else { break };
                    samples.extend(
                        chunk.elements.iter().take(SHAPE_SAMPLE - samples.len()).map(|e| chunk.bytes(e).to_vec()),
                    );
                }
                let refs: Vec<&[u8]> = samples.iter().map(Vec::as_slice).collect();
                json_shape(&refs)
            }
        };
        Ok(TokenFile { source, shape, data_start })
    }

    /// The rows from the first one (a pass: big blocks) or from a checkpoint (a page: small ones).
    pub fn blocks(&self, from: Option<RowMeta>) -> Result<Blocks, ReadError> {
        let s = &self.source;
        Ok(match s.detected.format.json_shape() {
            None => {
                let (offset, line, block) = match from {
                    None => (self.data_start.0, self.data_start.1, BLOCK_BYTES),
                    Some(at) => (at.offset, at.line, PAGE_BLOCK_BYTES),
                };
                // An XLSX copy's lines are sheet rows; the splitter counts the copy's own.
                let text = HashingReader::new(s, offset, from.is_none())?;
                Blocks::Table(RecordSplitter::new(text, s.text_delimiter(), offset, line, block))
            }
            Some(json) => Blocks::Json(match from {
                None => Splitter::new(HashingReader::new(s, s.start, true)?, json, s.start, s.start_line),
                Some(at) => Splitter::at_element(HashingReader::new(s, at.offset, false)?, json, at.offset, at.line),
            }),
        })
    }

    /// A parser for table records (one per thread), `None` for JSON files.
    pub fn field_parser(&self) -> Option<FieldParser> {
        self.source.detected.format.is_tabular().then(|| FieldParser::new(&self.source))
    }

    pub fn detected(&self) -> &Detected {
        &self.source.detected
    }

    pub fn source(&self) -> &Source {
        &self.source
    }

    pub fn shape(&self) -> &Shape {
        &self.shape
    }

    /// The columns to map (a table's header, or the keys of flat JSON objects).
    pub fn columns(&self) -> Option<&[String]> {
        match &self.shape {
            Shape::Columns(c) => Some(c),
            Shape::Native => None,
        }
    }

    /// The mapping these columns get without questions (a provider preset, synonyms, the
    /// account's custom fields); Yespo's own contacts need none.
    pub fn suggested_mapping(&self, fields: &[AccountField]) -> Mapping {
        match &self.shape {
            Shape::Columns(columns) => map::suggest(columns, fields),
            Shape::Native => Mapping::default(),
        }
    }

    /// Visits rows in order from `from` (`None`: the first row), until `f` returns `false`.
    pub fn visit(
        &self,
        from: Option<(u64, RowMeta)>,
        f: &mut dyn FnMut(RowMeta, RawRow<'_>) -> bool,
    ) -> Result<(), ReadError> {
        let mut blocks = self.blocks(from.map(|(_, at)| at))?;
        let mut parser = self.field_parser();
        let mut index = from.map_or(0, |(i, _)| i);
        'chunks: loop {
            // From a checkpoint the end of the document is not judged again: a page stops at the
            // rows it needs, and the full pass has already reported any structural error.
            let chunk = match blocks.next_chunk() {
                Ok(Some(c)) => c,
                Ok(None) => break,
                Err(_) if from.is_some() => break,
                Err(e) => return Err(e),
            };
            for e in &chunk.elements {
                let meta = RowMeta { index, line: e.line, offset: e.offset };
                index += 1;
                let go_on = match (&mut parser, e.oversized) {
                    (_, true) => f(meta, RawRow::Oversized),
                    (None, false) => f(meta, RawRow::Json(chunk.bytes(e))),
                    (Some(p), false) => {
                        let row = p.parse(chunk.bytes(e), e.offset, e.line);
                        let meta = RowMeta { line: row.line, ..meta };
                        f(meta, RawRow::Table(row))
                    }
                };
                if !go_on {
                    break 'chunks;
                }
            }
        }
        Ok(())
    }
}

/// What the user (or a script) chose for a file; everything left `None` is decided from the file.
#[derive(Debug, Clone, Default)]
pub struct Choices {
    pub mapping: Option<Mapping>,
    pub dedupe_on: Option<DedupeOn>,
    pub field_id: Option<i64>,
    /// A Yespo app id for push tokens without one (overrides the mapping's).
    pub app_id: Option<String>,
    /// The account's custom fields (`AccountField::from_address_books`), when an account is at
    /// hand: columns match them by name, and field ids and values are checked against them.
    pub account_fields: Option<Vec<AccountField>>,
}

impl TokenFile {
    /// The plan for a pass: the user's choices, else the file's own settings, else defaults.
    pub fn plan(&self, choices: &Choices) -> Plan {
        let fields = choices.account_fields.as_deref().unwrap_or_default();
        let mut mapping = choices.mapping.clone().unwrap_or_else(|| self.suggested_mapping(fields));
        if let Some(app) = &choices.app_id {
            mapping.app_id = Some(app.clone());
        }
        let hint = self.settings_hint();
        let targets: Vec<Target> = mapping.columns.iter().filter_map(|c| c.target).collect();
        let dedupe_on =
            choices.dedupe_on.or(hint.0).unwrap_or_else(|| default_dedupe(&targets, self.shape == Shape::Native));
        Plan {
            mapping,
            dedupe_on,
            field_id: choices.field_id.or(hint.1),
            account_fields: choices.account_fields.as_ref().map(|f| f.iter().map(|f| (f.id, f.clone())).collect()),
        }
    }

    /// A Yespo body's `dedupeOn` and `fieldId` before the pass (which needs the key from its
    /// first row): looked up in the document's first and last 64 KB, where the settings keys
    /// are (before or after the contacts). The pass reads every setting and [`validate_file`]
    /// runs again in the rare case the guess was wrong.
    pub fn settings_hint(&self) -> (Option<DedupeOn>, Option<i64>) {
        if self.source.detected.format != super::read::Format::YespoJson {
            return (None, None);
        }
        let size = self.source.size;
        let mut text = Vec::new();
        let read = |offset: u64, out: &mut Vec<u8>| -> Option<()> {
            let mut f = self.source.text_at(offset).ok()?;
            std::io::Read::read_to_end(&mut std::io::Read::take(&mut f, 64 * 1024), out).ok()?;
            Some(())
        };
        read(self.source.start, &mut text);
        if size > 128 * 1024 {
            text.extend_from_slice(b"\n");
            read(size - 64 * 1024, &mut text);
        }
        let text = String::from_utf8_lossy(&text);
        let value_after = |key: &str| -> Option<String> {
            let at = text.rfind(key)? + key.len();
            let rest = text[at..].trim_start().strip_prefix(':')?.trim_start();
            let end = rest.find([',', '}', '\n']).unwrap_or(rest.len());
            Some(rest[..end].trim().trim_matches('"').to_string())
        };
        let dedupe = value_after("\"dedupeOn\"").and_then(|v| parse_dedupe(&v));
        let field = value_after("\"fieldId\"").and_then(|v| v.parse().ok());
        (dedupe, field)
    }
}

/// A full pass with the plan for `choices`; if a Yespo body's settings (read in full by the pass)
/// name another `dedupeOn` than the plan guessed and the user chose none, the pass runs again
/// with the file's.
pub fn validate_file(
    file: &TokenFile,
    choices: &Choices,
    progress: &mut dyn FnMut(super::validate::Progress),
    cancel: &std::sync::atomic::AtomicBool,
) -> Result<super::validate::Validation, ReadError> {
    let plan = file.plan(choices);
    let first = super::validate::validate(file, plan.clone(), progress, cancel)?;
    if choices.dedupe_on.is_none() {
        if let Some(own) = first.file_settings().dedupe_on {
            if own != plan.dedupe_on {
                let mut again = plan;
                again.dedupe_on = own;
                return super::validate::validate(file, again, progress, cancel);
            }
        }
    }
    Ok(first)
}
