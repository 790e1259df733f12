//! An opened token file: what it is, its columns or row shape, and a way to visit its rows from
//! the start or from a checkpoint (the preview's random access and every later pass use it).

use super::check::{json_shape, Shape};
use super::map::{self, AccountField, Mapping};
use super::read::json::{JsonShape, Splitter};
use super::read::table::{TablePosition, TableReader};
use super::read::{Detected, ReadError, ReadOptions, Source};
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
const SHAPE_SAMPLE: usize = 100;

pub struct TokenFile {
    source: Source,
    shape: Shape,
}

impl TokenFile {
    pub fn open(path: &Path, options: &ReadOptions) -> Result<TokenFile, ReadError> {
        let source = Source::open(path, options)?;
        let shape = if source.detected.format.is_tabular() {
            let (_, columns) = TableReader::open(&source)?;
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
        Ok(TokenFile { source, shape })
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
        let s = &self.source;
        match s.detected.format.json_shape() {
            None => {
                let mut reader = match from {
                    None => TableReader::open(s)?.0,
                    Some((_, at)) => TableReader::at(s, TablePosition { offset: at.offset, line: at.line })?,
                };
                let mut index = from.map_or(0, |(i, _)| i);
                while let Some(row) = reader.next_row()? {
                    let meta = RowMeta { index, line: row.line, offset: row.offset };
                    index += 1;
                    if !f(meta, RawRow::Table(row)) {
                        break;
                    }
                }
            }
            Some(json) => {
                let mut splitter = match from {
                    None => Splitter::new(s.text_at(s.start)?, json, s.start, s.start_line),
                    Some((_, at)) => Splitter::at_element(s.text_at(at.offset)?, json, at.offset, at.line),
                };
                let mut index = from.map_or(0, |(i, _)| i);
                'chunks: loop {
                    // From a checkpoint, the document's end is not re-checked: a page stops at
                    // the rows it needs, and the full pass has already judged the structure.
                    let chunk = match splitter.next_chunk() {
                        Ok(Some(c)) => c,
                        Ok(None) => break,
                        Err(e) if from.is_some() => {
                            let _ = e;
                            break;
                        }
                        Err(e) => return Err(e),
                    };
                    for e in &chunk.elements {
                        let meta = RowMeta { index, line: e.line, offset: e.offset };
                        index += 1;
                        let raw = if e.oversized { RawRow::Oversized } else { RawRow::Json(chunk.bytes(e)) };
                        if !f(meta, raw) {
                            break 'chunks;
                        }
                    }
                }
            }
        }
        Ok(())
    }
}
