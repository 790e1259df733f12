//! The full pass: every row checked, counted and remembered compactly, then the rules that need
//! other rows (duplicates, shared tokens), then the summary.
//!
//! Memory is a few bytes per row, never the rows: one byte of flags per row, and for valid rows a
//! 64-bit hash of the dedupe key and of the token with the row's index (16 bytes each, sorted
//! after the pass; about 33 MB for a million rows); every 64th row's position is kept so any row
//! can be read again. Hash collisions are ruled out by re-reading the rows of every group of
//! equal hashes and comparing the real keys (a second pass over those rows only).
//!
//! Files are cut into blocks of whole rows on one thread (JSON elements, CSV records) and parsed
//! and checked on the others; the counts are taken in file order on the calling thread.

use super::check::{carried_names, dedupe_name, Checker, Facts, FieldIds, Plan, RowInput};
use super::contact::Draft;
use super::file::{Blocks, RawRow, RowMeta, TokenFile};
use super::problem::{Problem, ProblemSink, Reason, ReasonSet};
use super::read::json::Chunk;
use super::read::{Detected, ReadError};
use super::settings::{FileSettings, ImportSettings};
use crate::yespo::models::{Contact, DedupeOn};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex};

/// Every 64th row's position is kept (random access reads at most 63 rows to reach a row).
pub const CHECKPOINT_EVERY: u64 = 64;

const INVALID: u8 = 1;
const WARNING: u8 = 2;
/// The row's dedupe key repeats an earlier row's.
const DUPLICATE: u8 = 4;
/// A later row with the same dedupe key wins: this one is not sent.
const SUPERSEDED: u8 = 8;
const SHARED_TOKEN: u8 = 16;

/// How far the pass is, for a progress bar.
#[derive(Debug, Clone, Copy, Default, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    pub rows: u64,
    pub bytes: u64,
    pub total_bytes: u64,
}

/// A group of rows with one dedupe key: which lines, and which one is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct DuplicateGroup {
    pub lines: Vec<u64>,
    pub winner: u64,
}

/// What the pass found, as the CLI prints it and the screen shows it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    #[serde(flatten)]
    pub detected: Detected,
    pub rows: u64,
    pub valid: u64,
    pub invalid: u64,
    /// Rows with at least one warning.
    pub warnings: u64,
    /// Rows whose dedupe key repeats an earlier row's.
    pub duplicates: u64,
    /// Valid rows that will be sent (the last of each group of duplicates).
    pub ready: u64,
    /// Rows per reason (a row with two reasons counts under both).
    pub reasons: BTreeMap<Reason, u64>,
    /// The first groups of duplicates (at most 100), with the line that wins.
    pub duplicate_groups: Vec<DuplicateGroup>,
    /// Columns (or JSON keys) not mapped to anything.
    pub unmapped: Vec<String>,
    pub dedupe_on: String,
    /// The import settings: the file's own (Yespo's body) or the defaults for this file.
    pub settings: ImportSettings,
    /// Notes about the settings (e.g. the file left `contactFields` empty).
    pub notes: Vec<String>,
    /// What must be fixed before an upload may start (e.g. push tokens without a Yespo app id).
    pub blockers: Vec<String>,
}

/// The result of a pass, kept to page through the rows, export problems and build batches.
pub struct Validation {
    pub summary: Summary,
    checker: Checker,
    flags: Vec<u8>,
    checkpoints: Vec<RowMeta>,
    /// Row index → the line of the row that wins over it.
    superseded_by: HashMap<u32, u64>,
    /// Row index → another line with the same token.
    token_shared_with: HashMap<u32, u64>,
    file_settings: FileSettings,
    /// The file's size and modification time when it was checked: pages, the export and the
    /// batches refuse a file changed since (their row indices would point elsewhere).
    checked: (u64, Option<std::time::SystemTime>),
    /// A hash of the text, taken while the pass read it.
    content: String,
}

/// A checked row as the preview and the review table show it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RowView {
    pub index: u64,
    pub line: u64,
    pub valid: bool,
    /// Not sent because a later row with the same key wins (that row's line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub superseded_by: Option<u64>,
    pub problems: Vec<Problem>,
    /// The file's cells (tables and flat JSON objects), in the file's column order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cells: Option<Vec<String>>,
    /// The contact as it would be sent (when the row could be read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
}

/// Per row, what the workers hand back to be counted in order.
#[derive(Debug, Clone, Copy)]
struct RowOut {
    meta: RowMeta,
    reasons: ReasonSet,
    key: Option<u64>,
    token: Option<u64>,
    carried: u32,
}

#[derive(Default)]
struct Tally {
    rows: u64,
    reasons: [u64; Reason::ALL.len()],
    flags: Vec<u8>,
    keys: Vec<(u64, u32)>,
    tokens: Vec<(u64, u32)>,
    checkpoints: Vec<RowMeta>,
    carried: u32,
    fields: FieldIds,
}

impl Tally {
    fn add(&mut self, out: RowOut) {
        let index = self.rows;
        if index.is_multiple_of(CHECKPOINT_EVERY) {
            self.checkpoints.push(out.meta);
        }
        self.rows += 1;
        let mut flags = 0;
        for r in out.reasons.iter() {
            self.reasons[r as usize] += 1;
        }
        if out.reasons.invalid() {
            flags |= INVALID;
        } else {
            let row = u32::try_from(index).expect("fewer than 4 billion rows");
            if let Some(k) = out.key {
                self.keys.push((k, row));
            }
            if let Some(t) = out.token {
                self.tokens.push((t, row));
            }
            self.carried |= out.carried;
        }
        if out.reasons.warning() {
            flags |= WARNING;
        }
        self.flags.push(flags);
    }
}

fn check_raw(
    checker: &Checker,
    raw: RawRow<'_>,
    sink: &mut impl ProblemSink,
    fields: &mut FieldIds,
    with: Option<&mut dyn FnMut(&Draft<'_>)>,
) -> Facts {
    match raw {
        RawRow::Json(bytes) => checker.check(RowInput::Json(bytes), sink, fields, with),
        RawRow::Oversized => checker.check(RowInput::Oversized, sink, fields, with),
        RawRow::Table(row) => {
            let get = |i: usize| row.cell(i);
            checker.check(RowInput::Cells(&get), sink, fields, with)
        }
    }
}

/// Checks every row of `file`. `progress` is called after each block; `cancel` stops the pass.
pub fn validate(
    file: &TokenFile,
    plan: Plan,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<Validation, ReadError> {
    plan.mapping.check().map_err(ReadError::unusable)?;
    // Keys no row could have: say so once, not on every row.
    if plan.dedupe_on == DedupeOn::FieldId && plan.field_id.is_none() {
        return Err(ReadError::unusable("dedupeOn fieldId needs the custom field's id (--field-id)"));
    }
    if plan.dedupe_on == DedupeOn::Id && file.detected().format.is_tabular() {
        return Err(ReadError::unusable(
            "dedupeOn id matches on Yespo's contact ids, which a table's columns do not carry here: choose another key",
        ));
    }
    let checker = Checker::new(plan, file.shape().clone());
    let total_bytes = file.source().size;
    let mut tally = Tally::default();
    let blocks = file.blocks(None)?;
    let (file_settings, content) = parallel(blocks, file, &checker, &mut tally, progress, cancel, total_bytes)?;
    progress(Progress { rows: tally.rows, bytes: total_bytes, total_bytes });
    if tally.rows == 0 {
        return Err(ReadError::unusable(match file.columns() {
            Some(_) if file.detected().format.is_tabular() => "the file has a header row but no data rows",
            _ => "the file has no contacts",
        }));
    }
    finish(file, checker, tally, &file_settings, content)
}

/// A Yespo body's settings keys with their raw JSON values.
type SettingsKeys = Vec<(String, Vec<u8>)>;

/// Splits on one thread, checks on `workers` threads, counts in order on this thread; returns
/// the settings keys and the content fingerprint.
fn parallel(
    mut splitter: Blocks,
    file: &TokenFile,
    checker: &Checker,
    tally: &mut Tally,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
    total_bytes: u64,
) -> Result<(SettingsKeys, String), ReadError> {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 8);
    std::thread::scope(|scope| {
        let (chunk_tx, chunk_rx) = sync_channel::<(u64, Chunk)>(workers * 2);
        let chunk_rx = Arc::new(Mutex::new(chunk_rx));
        let (out_tx, out_rx) = sync_channel::<(u64, Vec<RowOut>, FieldIds)>(workers * 2);
        for _ in 0..workers {
            let chunk_rx = Arc::clone(&chunk_rx);
            let out_tx = out_tx.clone();
            let mut parser = file.field_parser();
            scope.spawn(move || loop {
                let next = chunk_rx.lock().expect("chunk queue").recv();
                let Ok((seq, chunk)) = next else { return };
                let mut fields = FieldIds::default();
                let outs = chunk
                    .elements
                    .iter()
                    .map(|e| {
                        let mut meta = RowMeta { index: 0, line: e.line, offset: e.offset };
                        let mut reasons = ReasonSet::default();
                        let facts = match (&mut parser, e.oversized) {
                            (_, true) => check_raw(checker, RawRow::Oversized, &mut reasons, &mut fields, None),
                            (None, false) => {
                                check_raw(checker, RawRow::Json(chunk.bytes(e)), &mut reasons, &mut fields, None)
                            }
                            (Some(p), false) => {
                                let row = p.parse(chunk.bytes(e), e.offset, e.line);
                                meta.line = row.line;
                                check_raw(checker, RawRow::Table(row), &mut reasons, &mut fields, None)
                            }
                        };
                        RowOut { meta, reasons, key: facts.key, token: facts.token, carried: facts.carried }
                    })
                    .collect();
                if out_tx.send((seq, outs, fields)).is_err() {
                    return;
                }
            });
        }
        drop(out_tx);
        // The splitter runs on its own thread so counting never waits on the disk.
        let splitter_thread = scope.spawn(move || -> Result<(SettingsKeys, String), ReadError> {
            let mut seq = 0;
            while let Some(chunk) = splitter.next_chunk()? {
                if cancel.load(Ordering::Relaxed) {
                    return Err(ReadError::cancelled());
                }
                if chunk_tx.send((seq, chunk)).is_err() {
                    break;
                }
                seq += 1;
            }
            Ok((splitter.settings(), splitter.fingerprint()))
        });
        let mut waiting: BTreeMap<u64, (Vec<RowOut>, FieldIds)> = BTreeMap::new();
        let mut next = 0;
        for (seq, outs, fields) in out_rx.iter() {
            waiting.insert(seq, (outs, fields));
            while let Some((outs, fields)) = waiting.remove(&next) {
                let last_offset = outs.last().map(|o| o.meta.offset);
                for out in outs {
                    tally.add(out);
                }
                tally.fields.merge(&fields);
                next += 1;
                if let Some(bytes) = last_offset {
                    progress(Progress { rows: tally.rows, bytes, total_bytes });
                }
            }
        }
        splitter_thread.join().expect("the splitter thread does not panic")
    })
}

fn finish(
    file: &TokenFile,
    checker: Checker,
    mut tally: Tally,
    file_settings: &[(String, Vec<u8>)],
    content: String,
) -> Result<Validation, ReadError> {
    let mut superseded_by = HashMap::new();
    let mut token_shared_with = HashMap::new();
    let mut groups_out = Vec::new();
    let mut duplicates = 0;

    // Candidate groups: equal hashes. Their rows are read again and compared by the real key.
    let (keys, tokens) = (&mut tally.keys, &mut tally.tokens);
    let (key_groups, token_groups) = std::thread::scope(|scope| {
        let tokens = scope.spawn(|| hash_groups(tokens));
        (hash_groups(keys), tokens.join().expect("sorting does not panic"))
    });
    if !key_groups.is_empty() || !token_groups.is_empty() {
        let mut wanted: Vec<u32> = key_groups.iter().chain(token_groups.iter()).flatten().copied().collect();
        wanted.sort_unstable();
        wanted.dedup();
        let found = read_keys(file, &checker, &tally.checkpoints, &wanted)?;
        for group in &key_groups {
            // Rows with the same real key, in file order.
            let mut by_key: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
            for row in group {
                if let Some((_, Some(key), _)) = found.get(row) {
                    by_key.entry(key.as_str()).or_default().push(*row);
                }
            }
            for rows in by_key.values().filter(|r| r.len() > 1) {
                let mut rows = rows.clone();
                rows.sort_unstable();
                let winner = *rows.last().expect("a group has rows");
                let winner_line = found[&winner].0;
                duplicates += rows.len() as u64 - 1;
                for (i, row) in rows.iter().enumerate() {
                    if i > 0 {
                        tally.flags[*row as usize] |= DUPLICATE;
                    }
                    if *row != winner {
                        tally.flags[*row as usize] |= SUPERSEDED;
                        superseded_by.insert(*row, winner_line);
                    }
                }
                if groups_out.len() < 100 {
                    groups_out
                        .push(DuplicateGroup { lines: rows.iter().map(|r| found[r].0).collect(), winner: winner_line });
                }
            }
        }
        for group in &token_groups {
            let mut by_token: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
            for row in group {
                if let Some((_, _, Some(token))) = found.get(row) {
                    by_token.entry(token.as_str()).or_default().push(*row);
                }
            }
            for rows in by_token.values().filter(|r| r.len() > 1) {
                // Shared by different contacts, not by repeats of one contact.
                let keys: std::collections::BTreeSet<_> = rows.iter().map(|r| found[r].1.as_deref()).collect();
                if keys.len() < 2 {
                    continue;
                }
                for row in rows {
                    let other = rows.iter().find(|o| *o != row).map(|o| found[o].0).unwrap_or_default();
                    token_shared_with.insert(*row, other);
                    let f = &mut tally.flags[*row as usize];
                    if *f & SHARED_TOKEN == 0 {
                        *f |= SHARED_TOKEN;
                        tally.reasons[Reason::SharedToken as usize] += 1;
                        *f |= WARNING;
                    }
                }
            }
        }
    }
    groups_out.sort_by_key(|g| g.lines[0]);
    // Free the hash lists before the summary (they are the pass's biggest allocation).
    tally.keys = Vec::new();
    tally.tokens = Vec::new();

    let invalid = tally.flags.iter().filter(|f| **f & INVALID != 0).count() as u64;
    let warnings = tally.flags.iter().filter(|f| **f & WARNING != 0).count() as u64;
    let superseded = tally.flags.iter().filter(|f| **f & SUPERSEDED != 0).count() as u64;
    let reasons = Reason::ALL
        .iter()
        .filter(|r| tally.reasons[**r as usize] > 0)
        .map(|r| (*r, tally.reasons[*r as usize]))
        .collect();
    let plan = checker.plan();
    let parsed = FileSettings::parse(file_settings);
    let parsed_again = parsed.clone();
    let (settings, notes) =
        ImportSettings::for_file(&parsed, plan, carried_names(tally.carried), tally.fields.0.clone());
    let unmapped = plan.mapping.unmapped().into_iter().map(str::to_string).collect();
    let summary = Summary {
        detected: file.detected().clone(),
        rows: tally.rows,
        valid: tally.rows - invalid,
        invalid,
        warnings,
        duplicates,
        ready: tally.rows - invalid - superseded,
        reasons,
        duplicate_groups: groups_out,
        unmapped,
        dedupe_on: dedupe_name(settings.dedupe_on).to_string(),
        settings,
        notes: parsed.notes.into_iter().chain(notes).collect(),
        blockers: match tally.reasons[Reason::NoAppId as usize] {
            0 => Vec::new(),
            n => vec![format!(
                "{n} rows have a push token without a Yespo app id: give the app id (the UUID of the app in Yespo's \
                 mobile push settings) for this file, or one per platform"
            )],
        },
    };
    Ok(Validation {
        summary,
        checker,
        flags: tally.flags,
        checkpoints: tally.checkpoints,
        superseded_by,
        token_shared_with,
        file_settings: parsed_again,
        checked: fingerprint(file),
        content,
    })
}

fn fingerprint(file: &TokenFile) -> (u64, Option<std::time::SystemTime>) {
    let meta = std::fs::metadata(&file.source().path).ok();
    (meta.as_ref().map_or(0, |m| m.len()), meta.and_then(|m| m.modified().ok()))
}

/// Sorts `(hash, row)` pairs and returns the rows of every hash that occurs more than once.
fn hash_groups(pairs: &mut [(u64, u32)]) -> Vec<Vec<u32>> {
    pairs.sort_unstable();
    pairs.chunk_by(|a, b| a.0 == b.0).filter(|g| g.len() > 1).map(|g| g.iter().map(|p| p.1).collect()).collect()
}

/// Reads the given rows (sorted indices) again: their line, dedupe key and first token.
type KeyRow = (u64, Option<String>, Option<String>);

fn read_keys(
    file: &TokenFile,
    checker: &Checker,
    checkpoints: &[RowMeta],
    rows: &[u32],
) -> Result<HashMap<u32, KeyRow>, ReadError> {
    let mut found = HashMap::with_capacity(rows.len());
    let mut i = 0;
    while i < rows.len() {
        let block = rows[i] as u64 / CHECKPOINT_EVERY;
        let at = checkpoints[block as usize];
        let mut fields = FieldIds::default();
        file.visit(Some((block * CHECKPOINT_EVERY, at)), &mut |meta, raw| {
            if i >= rows.len() || meta.index / CHECKPOINT_EVERY != block {
                return false;
            }
            if meta.index == rows[i] as u64 {
                let mut record = |d: &Draft<'_>| {
                    let key = checker.key_text(d).map(|(kind, k)| format!("{kind}\u{1f}{k}"));
                    let token = d.channel("mobilepush").map(|t| t.trim().to_string());
                    found.insert(rows[i], (meta.line, key, token));
                };
                let mut ignore = ReasonSet::default();
                check_raw(checker, raw, &mut ignore, &mut fields, Some(&mut record));
                i += 1;
            }
            true
        })?;
        // Rows a block did not reach (cannot happen with a consistent file) are skipped.
        while i < rows.len() && rows[i] as u64 / CHECKPOINT_EVERY == block {
            i += 1;
        }
    }
    Ok(found)
}

impl Validation {
    /// The settings keys of a Yespo body, as found in the file.
    pub fn file_settings(&self) -> &FileSettings {
        &self.file_settings
    }

    pub fn rows(&self) -> u64 {
        self.flags.len() as u64
    }

    /// The plan the rows were checked with (mapping, dedupe key, account fields).
    pub fn plan(&self) -> &Plan {
        self.checker.plan()
    }

    /// A hash of the file's text (`xxh3-128:…`), taken while the pass read it.
    pub fn content_fingerprint(&self) -> &str {
        &self.content
    }

    /// An error if the file changed since it was checked.
    fn unchanged(&self, file: &TokenFile) -> Result<(), ReadError> {
        if fingerprint(file) == self.checked {
            Ok(())
        } else {
            Err(ReadError::unusable("the file changed after it was checked: check it again"))
        }
    }

    fn flags_of(&self, index: u64) -> u8 {
        // A row past the checked ones (cannot happen while the file is unchanged) is not sent.
        self.flags.get(index as usize).copied().unwrap_or(INVALID)
    }

    /// Rows `start..start + count` with their problems, cells and contact.
    pub fn page(&self, file: &TokenFile, start: u64, count: usize) -> Result<Vec<RowView>, ReadError> {
        if start >= self.rows() || count == 0 {
            return Ok(Vec::new());
        }
        self.unchanged(file)?;
        let block = start / CHECKPOINT_EVERY;
        let at = self.checkpoints[block as usize];
        let mut out = Vec::with_capacity(count);
        let result = file.visit(Some((block * CHECKPOINT_EVERY, at)), &mut |meta, raw| {
            if meta.index < start {
                return true;
            }
            out.push(view(&self.checker, meta, raw, Some(self)));
            out.len() < count
        });
        // The rows read before a failure (the file changed under us) are still worth showing.
        match result {
            Err(e) if out.is_empty() => Err(e),
            _ => Ok(out),
        }
    }

    /// Indices of the rows that match a filter (for the review screen's counters).
    pub fn indices(&self, filter: RowFilter) -> Vec<u64> {
        self.flags.iter().enumerate().filter(|(_, f)| filter.matches(**f)).map(|(i, _)| i as u64).collect()
    }

    /// Writes the invalid rows (and, if asked, the rows with warnings) to a CSV in the file's own
    /// columns plus `line` and `problem`, for fixing in Excel and dropping again. Returns the
    /// number of rows written.
    pub fn export_problems(
        &self,
        file: &TokenFile,
        out: &std::path::Path,
        with_warnings: bool,
    ) -> Result<u64, ReadError> {
        let mask = if with_warnings { INVALID | WARNING } else { INVALID };
        self.export_rows(file, out, &["line", "problem"], &mut |index| self.flags_of(index) & mask != 0, &mut |v| {
            let problems: Vec<&str> = v
                .problems
                .iter()
                .filter(|p| with_warnings || p.severity == super::problem::Severity::Invalid)
                .map(|p| p.message.as_str())
                .collect();
            vec![v.line.to_string(), problems.join("; ")]
        })
    }

    /// Writes the rows `wanted` picks (by index) to a CSV in the file's own columns (a JSON row
    /// whole in one `contact` column) plus the `extra` columns, UTF-8 with a BOM so Excel reads
    /// it. Returns the number of rows written.
    pub fn export_rows(
        &self,
        file: &TokenFile,
        out: &std::path::Path,
        extra_headers: &[&str],
        wanted: &mut dyn FnMut(u64) -> bool,
        extra: &mut dyn FnMut(&RowView) -> Vec<String>,
    ) -> Result<u64, ReadError> {
        self.unchanged(file)?;
        let delimiter = file.source().text_delimiter();
        let write = std::fs::File::create(out).map_err(ReadError::io)?;
        let mut w = std::io::BufWriter::new(write);
        std::io::Write::write_all(&mut w, b"\xef\xbb\xbf").map_err(ReadError::io)?;
        let mut csv = csv::WriterBuilder::new().delimiter(delimiter).flexible(true).from_writer(w);
        let mut header: Vec<String> = match file.columns() {
            Some(c) => c.to_vec(),
            None => vec!["contact".into()],
        };
        header.extend(extra_headers.iter().map(|h| h.to_string()));
        csv.write_record(&header).map_err(|e| ReadError::io(e.into()))?;
        let mut written = 0;
        let mut failure = None;
        file.visit(None, &mut |meta, raw| {
            if !wanted(meta.index) {
                return true;
            }
            let cells = match (&raw, file.columns()) {
                (RawRow::Json(bytes), None) => vec![String::from_utf8_lossy(bytes).into_owned()],
                _ => Vec::new(),
            };
            let v = view(&self.checker, meta, raw, Some(self));
            let mut record = v.cells.clone().unwrap_or(cells);
            if let Some(columns) = file.columns() {
                record.resize(columns.len(), String::new());
            }
            record.extend(extra(&v));
            if let Err(e) = csv.write_record(&record) {
                failure = Some(ReadError::io(e.into()));
                return false;
            }
            written += 1;
            true
        })?;
        if let Some(e) = failure {
            return Err(e);
        }
        csv.flush().map_err(ReadError::io)?;
        Ok(written)
    }

    /// Calls `f` with each batch of ready contacts (valid, not superseded), at most `size` per
    /// batch, in file order; stops when `f` returns `false`. The rows not sent come with the
    /// batches, each with why (`Batch::skipped`): before a batch's contacts or, when many pile up,
    /// in a batch of their own without contacts; the rows at the end in a last such batch.
    pub fn for_each_batch(
        &self,
        file: &TokenFile,
        size: usize,
        f: &mut dyn FnMut(Batch) -> bool,
    ) -> Result<(), ReadError> {
        /// Skipped rows held at most before they go out on their own.
        const SKIPPED_AT_ONCE: usize = 4096;
        self.unchanged(file)?;
        let size = size.clamp(1, crate::yespo::MAX_CONTACTS_PER_REQUEST);
        let mut batch = Batch::default();
        let mut go_on = true;
        let mut fields = FieldIds::default();
        file.visit(None, &mut |meta, raw| {
            let flags = self.flags_of(meta.index);
            if flags & INVALID != 0 {
                let v = view(&self.checker, meta, raw, Some(self));
                let reasons: Vec<&str> = v
                    .problems
                    .iter()
                    .filter(|p| p.severity == super::problem::Severity::Invalid)
                    .map(|p| p.message.as_str())
                    .collect();
                batch.skipped.push(Skipped {
                    row: meta.index,
                    line: meta.line,
                    superseded: false,
                    reason: reasons.join("; "),
                });
            } else if flags & SUPERSEDED != 0 {
                let winner = self.superseded_by.get(&(meta.index as u32)).copied().unwrap_or_default();
                batch.skipped.push(Skipped {
                    row: meta.index,
                    line: meta.line,
                    superseded: true,
                    reason: format!("line {winner} has the same {} and is sent instead", self.summary.dedupe_on),
                });
            } else {
                let mut contact = None;
                let mut ignore = ReasonSet::default();
                check_raw(
                    &self.checker,
                    raw,
                    &mut ignore,
                    &mut fields,
                    Some(&mut |d: &Draft<'_>| contact = Some(d.to_contact())),
                );
                match contact {
                    Some(c) => {
                        batch.contacts.push(c);
                        batch.lines.push(meta.line);
                        batch.rows.push(meta.index);
                    }
                    // A valid row always reads again (the file is unchanged); if not, say so.
                    None => batch.skipped.push(Skipped {
                        row: meta.index,
                        line: meta.line,
                        superseded: false,
                        reason: "the row could not be read again".into(),
                    }),
                }
            }
            if batch.contacts.len() == size {
                go_on = f(std::mem::take(&mut batch));
            } else if batch.skipped.len() >= SKIPPED_AT_ONCE {
                let skipped = std::mem::take(&mut batch.skipped);
                go_on = f(Batch { skipped, ..Batch::default() });
            }
            go_on
        })?;
        if go_on && !(batch.contacts.is_empty() && batch.skipped.is_empty()) {
            f(batch);
        }
        Ok(())
    }
}

/// Ready contacts with the file line and row index of each, and the rows not sent before them.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    pub contacts: Vec<Contact>,
    pub lines: Vec<u64>,
    pub rows: Vec<u64>,
    pub skipped: Vec<Skipped>,
}

/// A row that is not sent: invalid (`superseded` false) or beaten by a later duplicate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub row: u64,
    pub line: u64,
    pub superseded: bool,
    pub reason: String,
}

/// The batches as an iterator, read on a thread of their own (two batches ahead).
pub fn batches(file: Arc<TokenFile>, validation: Arc<Validation>, size: usize) -> Receiver<Result<Batch, ReadError>> {
    let (tx, rx) = sync_channel(2);
    std::thread::spawn(move || {
        let result = validation.for_each_batch(&file, size, &mut |b| tx.send(Ok(b)).is_ok());
        if let Err(e) = result {
            let _ = tx.send(Err(e));
        }
    });
    rx
}

/// The review screen's filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum RowFilter {
    All,
    Valid,
    Invalid,
    Warnings,
    Duplicates,
    /// Invalid or with warnings.
    Problems,
}

impl RowFilter {
    fn matches(self, f: u8) -> bool {
        match self {
            RowFilter::All => true,
            RowFilter::Valid => f & INVALID == 0,
            RowFilter::Invalid => f & INVALID != 0,
            RowFilter::Warnings => f & WARNING != 0,
            RowFilter::Duplicates => f & (DUPLICATE | SUPERSEDED) != 0,
            RowFilter::Problems => f & (INVALID | WARNING) != 0,
        }
    }
}

/// A row checked on its own, plus what the pass knows about it (duplicates, shared tokens).
fn view(checker: &Checker, meta: RowMeta, raw: RawRow<'_>, pass: Option<&Validation>) -> RowView {
    let cells = match &raw {
        RawRow::Table(row) => Some(row.texts()),
        RawRow::Json(bytes) => {
            match (checker.shape(), serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(bytes)) {
                (super::check::Shape::Columns(columns), Ok(object)) => Some(
                    columns
                        .iter()
                        .map(|c| match object.get(c) {
                            None | Some(serde_json::Value::Null) => String::new(),
                            Some(serde_json::Value::String(s)) => s.clone(),
                            Some(other) => other.to_string(),
                        })
                        .collect(),
                ),
                _ => None,
            }
        }
        RawRow::Oversized => None,
    };
    let mut problems: Vec<Problem> = Vec::new();
    let mut contact = None;
    let mut fields = FieldIds::default();
    check_raw(checker, raw, &mut problems, &mut fields, Some(&mut |d: &Draft<'_>| contact = Some(d.to_contact())));
    let mut superseded_by = None;
    if let Some(pass) = pass {
        let row = meta.index as u32;
        superseded_by = pass.superseded_by.get(&row).copied();
        if let Some(other) = pass.token_shared_with.get(&row) {
            problems.add(Reason::SharedToken, "pushToken", || {
                format!("the same push token is on line {other}, for another contact")
            });
        }
    }
    let valid = !problems.iter().any(|p| p.severity == super::problem::Severity::Invalid);
    RowView { index: meta.index, line: meta.line, valid, superseded_by, problems, cells, contact }
}

/// The first `n` rows checked on their own (no pass needed): the preview shown at once.
pub fn preview(file: &TokenFile, plan: Plan, n: usize) -> Result<Vec<RowView>, ReadError> {
    let checker = Checker::new(plan, file.shape().clone());
    let mut out = Vec::with_capacity(n);
    if n == 0 {
        return Ok(out);
    }
    file.visit(None, &mut |meta, raw| {
        out.push(view(&checker, meta, raw, None));
        out.len() < n
    })
    .or_else(|e| if out.is_empty() { Err(e) } else { Ok(()) })?;
    Ok(out)
}
