//! A job's report: a CSV of every row that was not confirmed (the file's own columns plus
//! `line`, `outcome`, `reason`), and a JSON summary from the journal.

use super::UploadSource;
use crate::error::{AppError, AppResult};
use crate::tokens::journal::{BatchState, Counts, JobState, Journal};
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;

#[derive(Debug, Clone, Default, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct BatchCounts {
    pub total: u64,
    pub queued: u64,
    pub sending: u64,
    pub sent: u64,
    pub confirmed: u64,
    pub failed: u64,
    pub unknown: u64,
}

/// A job as the history and `tokens status` show it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct JobSummary {
    pub job: i64,
    pub state: JobState,
    pub created_at: String,
    pub updated_at: String,
    pub file: String,
    pub account: String,
    #[serde(flatten)]
    pub counts: Counts,
    pub batches: BatchCounts,
    /// Requests sent, re-sends included.
    pub requests: u64,
    /// Import sessions whose status was never known: re-check them later.
    pub check_later: Vec<String>,
}

pub fn summary(journal: &Journal, job: i64) -> AppResult<JobSummary> {
    let record = journal.job(job)?.ok_or_else(|| AppError::not_found(format!("No upload job {job}")))?;
    let mut batches = BatchCounts::default();
    let mut requests = 0;
    let mut check_later = Vec::new();
    for b in journal.batches(job)? {
        batches.total += 1;
        requests += b.attempts as u64;
        match b.state {
            BatchState::Queued => batches.queued += 1,
            BatchState::Sending => batches.sending += 1,
            BatchState::Sent => batches.sent += 1,
            BatchState::Confirmed => batches.confirmed += 1,
            BatchState::Failed => batches.failed += 1,
            BatchState::Unknown => {
                batches.unknown += 1;
                check_later.extend(b.session_id);
            }
        }
    }
    Ok(JobSummary {
        job,
        state: record.state,
        created_at: record.created_at,
        updated_at: record.updated_at,
        file: record.job.file_path,
        account: record.job.account,
        counts: journal.counts(job)?,
        batches,
        requests,
        check_later,
    })
}

/// Writes the CSV of every row of `job` that was not confirmed; returns the rows written.
pub fn write_csv(journal: &Journal, job: i64, source: &UploadSource, out: &Path) -> AppResult<u64> {
    let outcomes: HashMap<u64, (String, String)> = journal
        .outcomes(job)?
        .into_iter()
        .map(|(row, _, outcome, reason)| (row, (outcome.as_str().to_string(), reason.unwrap_or_default())))
        .collect();
    let written = source.validation.export_rows(
        &source.file,
        out,
        &["line", "outcome", "reason"],
        &mut |index| outcomes.contains_key(&index),
        &mut |v| {
            let (outcome, reason) = outcomes.get(&v.index).cloned().unwrap_or_default();
            vec![v.line.to_string(), outcome, reason]
        },
    )?;
    Ok(written)
}

/// The same report without the file (gone, or changed since): each row not confirmed with its
/// line, outcome and reason only. Returns the rows written.
pub fn write_csv_from_journal(journal: &Journal, job: i64, out: &Path) -> AppResult<u64> {
    let io = |e: std::io::Error| AppError::internal(format!("could not write {}: {e}", out.display()));
    let mut w = std::io::BufWriter::new(std::fs::File::create(out).map_err(io)?);
    std::io::Write::write_all(&mut w, b"\xef\xbb\xbf").map_err(io)?;
    let mut csv = csv::Writer::from_writer(w);
    let csv_error = |e: csv::Error| AppError::internal(format!("could not write {}: {e}", out.display()));
    csv.write_record(["line", "outcome", "reason"]).map_err(csv_error)?;
    let mut written = 0;
    for (_, line, outcome, reason) in journal.outcomes(job)? {
        csv.write_record([line.to_string(), outcome.as_str().to_string(), reason.unwrap_or_default()])
            .map_err(csv_error)?;
        written += 1;
    }
    csv.flush().map_err(io)?;
    Ok(written)
}
