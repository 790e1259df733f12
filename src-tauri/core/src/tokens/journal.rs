//! The upload journal: one SQLite database in the app's data folder that lets an upload survive a
//! crash, a kill, a sleeping laptop or a lost network, and keeps the history of every job.
//!
//! `rusqlite` with the bundled SQLite, WAL and `synchronous=FULL` (with NORMAL a commit can roll
//! back after a power loss; writes happen a few times a second, so FULL costs little). The job
//! writes its intent before a request is sent and the session id right after the answer, so on
//! resume a confirmed batch is never sent again and a sent one is first asked about.

use crate::error::AppError;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// A job's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Created, nothing sent yet.
    Planned,
    Running,
    /// Stopped by the user; can be resumed.
    Cancelled,
    /// Every batch confirmed, failed or given up on.
    Finished,
    /// Could not run (no rights, the file changed...).
    Failed,
    /// Stopped by something outside it (the network gave out, the login ended); can be resumed.
    Interrupted,
    /// Given up by the user: not resumed; its report keeps what was sent.
    Discarded,
}

/// A batch's life: `queued` → `sending` (intent written) → `sent` (session id known) →
/// `confirmed` / `failed`, or `unknown` when Yespo never said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum BatchState {
    Queued,
    Sending,
    Sent,
    Confirmed,
    Failed,
    Unknown,
}

/// What happened to a row that was not confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowOutcome {
    /// Refused by the reader's rules.
    Rejected,
    /// Refused by Yespo (`failedContacts`, or an import session that ended in ERROR).
    Failed,
    /// A later row with the same dedupe key won.
    Superseded,
    /// Cancelled or not reached.
    NotSent,
    /// Sent; Yespo never said what became of it.
    Unconfirmed,
}

macro_rules! text_enum {
    ($t:ty { $($v:ident => $s:literal),* $(,)? }) => {
        impl $t {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$v => $s),* }
            }
            fn parse(s: &str) -> Result<Self, AppError> {
                match s {
                    $($s => Ok(Self::$v),)*
                    other => Err(AppError::internal(format!("the journal holds an unknown state '{other}'"))),
                }
            }
        }
    };
}

text_enum!(JobState { Planned => "planned", Running => "running", Cancelled => "cancelled", Finished => "finished", Failed => "failed", Interrupted => "interrupted", Discarded => "discarded" });
text_enum!(BatchState { Queued => "queued", Sending => "sending", Sent => "sent", Confirmed => "confirmed", Failed => "failed", Unknown => "unknown" });
text_enum!(RowOutcome { Rejected => "rejected", Failed => "failed", Superseded => "superseded", NotSent => "not_sent", Unconfirmed => "unconfirmed" });

/// What a job is about: enough to refuse a resume on another file or account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewJob {
    pub account: String,
    pub file_path: String,
    pub file_size: u64,
    pub file_mtime: Option<String>,
    /// A hash of the file's content, computed while it was read.
    pub fingerprint: String,
    /// The mapping and the import settings, as JSON.
    pub mapping: String,
    pub settings: String,
    pub rows: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobRecord {
    pub id: i64,
    pub created_at: String,
    pub updated_at: String,
    pub state: JobState,
    #[serde(flatten)]
    pub job: NewJob,
    /// The outcome counts once known (JSON).
    pub counts: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchRecord {
    pub index: u64,
    pub first_line: u64,
    pub last_line: u64,
    pub contacts: u64,
    pub state: BatchState,
    pub attempts: u32,
    pub session_id: Option<String>,
    pub error: Option<String>,
}

/// A row that was not confirmed: its index among the data rows, its line, what happened, why.
pub type OutcomeRow = (u64, u64, RowOutcome, Option<String>);

/// A confirmed row: its index and the Yespo contact id (when Yespo's mapping gave one).
pub type ConfirmedRow = (u64, Option<i64>);

/// What became of a job's rows. Every row read is counted in exactly one of the outcomes;
/// `unaccounted` is what a job stopped mid-way (a crash) has not said yet, 0 once a run ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Counts {
    pub rows: u64,
    pub confirmed: u64,
    pub rejected: u64,
    pub failed: u64,
    pub superseded: u64,
    pub not_sent: u64,
    pub unconfirmed: u64,
    pub unaccounted: u64,
}

impl Counts {
    /// The outcomes, added up.
    pub fn accounted(&self) -> u64 {
        self.confirmed + self.rejected + self.failed + self.superseded + self.not_sent + self.unconfirmed
    }
}

pub struct Journal {
    conn: Connection,
}

fn db_error(e: rusqlite::Error) -> AppError {
    AppError::internal(format!("the upload journal could not be used: {e}"))
}

/// UTC to the second (`2026-12-01T10:00:00Z`), as the history shows it.
fn now() -> String {
    crate::clock::now_text()
}

const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    state TEXT NOT NULL,
    account TEXT NOT NULL,
    file_path TEXT NOT NULL,
    file_size INTEGER NOT NULL,
    file_mtime TEXT,
    fingerprint TEXT NOT NULL,
    mapping TEXT NOT NULL,
    settings TEXT NOT NULL,
    rows INTEGER NOT NULL,
    counts TEXT
);
CREATE TABLE IF NOT EXISTS batches (
    job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    first_line INTEGER NOT NULL,
    last_line INTEGER NOT NULL,
    contacts INTEGER NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    session_id TEXT,
    error TEXT,
    updated_at TEXT NOT NULL,
    -- While a batch waits for Yespo's confirmation: its rows as JSON [[row, line, key], ...], so
    -- a resume or a re-check can confirm them without the file.
    keys TEXT,
    PRIMARY KEY (job_id, idx)
);
CREATE TABLE IF NOT EXISTS confirmed (
    job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    row INTEGER NOT NULL,
    contact_id INTEGER,
    PRIMARY KEY (job_id, row)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outcomes (
    job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    row INTEGER NOT NULL,
    line INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT,
    PRIMARY KEY (job_id, row)
);
";

impl Journal {
    /// Opens (or creates) the journal at `path`.
    pub fn open(path: &Path) -> Result<Journal, AppError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| AppError::internal(format!("could not create {}: {e}", dir.display())))?;
        }
        let conn = Connection::open(path).map_err(db_error)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(db_error)?;
        conn.pragma_update(None, "synchronous", "FULL").map_err(db_error)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(db_error)?;
        // Another process (the app and the CLI share the journal) may hold the write lock briefly.
        conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(db_error)?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(db_error)?;
        if version > SCHEMA_VERSION {
            return Err(AppError::internal(format!(
                "the upload journal {} was written by a newer version of Yespo Admin",
                path.display()
            )));
        }
        conn.execute_batch(SCHEMA).map_err(db_error)?;
        conn.pragma_update(None, "user_version", SCHEMA_VERSION).map_err(db_error)?;
        Ok(Journal { conn })
    }

    /// The journal of the app's profile: `uploads.sqlite` in its data folder.
    pub fn in_profile(paths: &crate::paths::AppPaths) -> Result<Journal, AppError> {
        Journal::open(&paths.data_dir.join("uploads.sqlite"))
    }

    pub fn create_job(&self, job: &NewJob) -> Result<i64, AppError> {
        let t = now();
        self.conn
            .execute(
                "INSERT INTO jobs (created_at, updated_at, state, account, file_path, file_size, file_mtime,
                                   fingerprint, mapping, settings, rows)
                 VALUES (?1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    t,
                    JobState::Planned.as_str(),
                    job.account,
                    job.file_path,
                    job.file_size as i64,
                    job.file_mtime,
                    job.fingerprint,
                    job.mapping,
                    job.settings,
                    job.rows as i64
                ],
            )
            .map_err(db_error)?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn set_job_state(&self, job: i64, state: JobState, counts: Option<&str>) -> Result<(), AppError> {
        self.conn
            .execute(
                "UPDATE jobs SET state = ?2, updated_at = ?3, counts = COALESCE(?4, counts) WHERE id = ?1",
                params![job, state.as_str(), now(), counts],
            )
            .map_err(db_error)?;
        Ok(())
    }

    /// Plans a batch (before anything about it is sent); planning it again changes nothing.
    pub fn plan_batch(
        &self,
        job: i64,
        index: u64,
        first_line: u64,
        last_line: u64,
        contacts: u64,
    ) -> Result<(), AppError> {
        self.conn
            .execute(
                "INSERT OR IGNORE INTO batches (job_id, idx, first_line, last_line, contacts, state, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    job,
                    index as i64,
                    first_line as i64,
                    last_line as i64,
                    contacts as i64,
                    BatchState::Queued.as_str(),
                    now()
                ],
            )
            .map_err(db_error)?;
        Ok(())
    }

    /// The intent, written before the request goes out: returns the attempt's number.
    pub fn batch_sending(&self, job: i64, index: u64) -> Result<u32, AppError> {
        self.conn
            .execute(
                "UPDATE batches SET state = ?3, attempts = attempts + 1, updated_at = ?4 WHERE job_id = ?1 AND idx = ?2",
                params![job, index as i64, BatchState::Sending.as_str(), now()],
            )
            .map_err(db_error)?;
        self.conn
            .query_row("SELECT attempts FROM batches WHERE job_id = ?1 AND idx = ?2", params![job, index as i64], |r| {
                r.get(0)
            })
            .map_err(db_error)
    }

    /// A batch's new state (with Yespo's session id once known, and the error if any).
    pub fn set_batch(
        &self,
        job: i64,
        index: u64,
        state: BatchState,
        session_id: Option<&str>,
        error: Option<&str>,
    ) -> Result<(), AppError> {
        self.conn
            .execute(
                "UPDATE batches SET state = ?3, session_id = COALESCE(?4, session_id), error = ?5, updated_at = ?6
                 WHERE job_id = ?1 AND idx = ?2",
                params![job, index as i64, state.as_str(), session_id, error, now()],
            )
            .map_err(db_error)?;
        Ok(())
    }

    /// Records what happened to rows that were not confirmed (the last word on a row wins).
    pub fn record_outcomes(
        &mut self,
        job: i64,
        rows: &[(u64, u64, RowOutcome, Option<String>)],
    ) -> Result<(), AppError> {
        let tx = self.conn.transaction().map_err(db_error)?;
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO outcomes (job_id, row, line, outcome, reason) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (job_id, row) DO UPDATE SET outcome = excluded.outcome, reason = excluded.reason",
                )
                .map_err(db_error)?;
            for (row, line, outcome, reason) in rows {
                insert.execute(params![job, *row as i64, *line as i64, outcome.as_str(), reason]).map_err(db_error)?;
            }
        }
        tx.commit().map_err(db_error)
    }

    /// A batch Yespo accepted: its session id, and its rows' keys until they are confirmed.
    pub fn batch_sent(&self, job: i64, index: u64, session_id: &str, keys: &str) -> Result<(), AppError> {
        self.conn
            .execute(
                "UPDATE batches SET state = ?3, session_id = ?4, keys = ?5, error = NULL, updated_at = ?6
                 WHERE job_id = ?1 AND idx = ?2",
                params![job, index as i64, BatchState::Sent.as_str(), session_id, keys, now()],
            )
            .map_err(db_error)?;
        Ok(())
    }

    /// The rows' keys of a batch waiting for confirmation.
    pub fn batch_keys(&self, job: i64, index: u64) -> Result<Option<String>, AppError> {
        self.conn
            .query_row("SELECT keys FROM batches WHERE job_id = ?1 AND idx = ?2", params![job, index as i64], |r| {
                r.get(0)
            })
            .optional()
            .map_err(db_error)
            .map(Option::flatten)
    }

    /// The last word on a batch, in one transaction: its state, its confirmed rows (whose other
    /// outcomes go) and its other rows' outcomes (whose confirmations go). The keys are dropped
    /// once the batch is settled for good (not `unknown`).
    pub fn settle_batch(
        &mut self,
        job: i64,
        index: u64,
        state: BatchState,
        error: Option<&str>,
        confirmed: &[ConfirmedRow],
        outcomes: &[OutcomeRow],
    ) -> Result<(), AppError> {
        let tx = self.conn.transaction().map_err(db_error)?;
        {
            // A confirmed row's earlier words (not sent, unconfirmed, failed) go, in one sweep: a
            // batch's rows are a range, in which only rejected and superseded rows are not its own.
            if let (Some(first), Some(last)) =
                (confirmed.iter().map(|c| c.0).min(), confirmed.iter().map(|c| c.0).max())
            {
                tx.execute(
                    "DELETE FROM outcomes WHERE job_id = ?1 AND row BETWEEN ?2 AND ?3
                       AND outcome IN ('not_sent', 'unconfirmed', 'failed')",
                    params![job, first as i64, last as i64],
                )
                .map_err(db_error)?;
            }
            let mut confirm = tx
                .prepare_cached("INSERT OR REPLACE INTO confirmed (job_id, row, contact_id) VALUES (?1, ?2, ?3)")
                .map_err(db_error)?;
            for (row, contact) in confirmed {
                confirm.execute(params![job, *row as i64, contact]).map_err(db_error)?;
            }
            let mut say = tx
                .prepare_cached(
                    "INSERT INTO outcomes (job_id, row, line, outcome, reason) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (job_id, row) DO UPDATE SET outcome = excluded.outcome, reason = excluded.reason",
                )
                .map_err(db_error)?;
            let mut unconfirm =
                tx.prepare_cached("DELETE FROM confirmed WHERE job_id = ?1 AND row = ?2").map_err(db_error)?;
            for (row, line, outcome, reason) in outcomes {
                say.execute(params![job, *row as i64, *line as i64, outcome.as_str(), reason]).map_err(db_error)?;
                unconfirm.execute(params![job, *row as i64]).map_err(db_error)?;
            }
            tx.execute(
                "UPDATE batches SET state = ?3, error = ?4, updated_at = ?5,
                        keys = CASE WHEN ?3 = 'unknown' THEN keys ELSE NULL END
                 WHERE job_id = ?1 AND idx = ?2",
                params![job, index as i64, state.as_str(), error, now()],
            )
            .map_err(db_error)?;
        }
        tx.commit().map_err(db_error)
    }

    /// What became of the job's rows so far.
    pub fn counts(&self, job: i64) -> Result<Counts, AppError> {
        let rows: i64 =
            self.conn.query_row("SELECT rows FROM jobs WHERE id = ?1", params![job], |r| r.get(0)).map_err(db_error)?;
        let confirmed: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM confirmed WHERE job_id = ?1", params![job], |r| r.get(0))
            .map_err(db_error)?;
        let mut counts = Counts { rows: rows as u64, confirmed: confirmed as u64, ..Counts::default() };
        let mut stmt = self
            .conn
            .prepare("SELECT outcome, COUNT(*) FROM outcomes WHERE job_id = ?1 GROUP BY outcome")
            .map_err(db_error)?;
        let per =
            stmt.query_map(params![job], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))).map_err(db_error)?;
        for item in per {
            let (outcome, n) = item.map_err(db_error)?;
            let n = n as u64;
            match RowOutcome::parse(&outcome)? {
                RowOutcome::Rejected => counts.rejected = n,
                RowOutcome::Failed => counts.failed = n,
                RowOutcome::Superseded => counts.superseded = n,
                RowOutcome::NotSent => counts.not_sent = n,
                RowOutcome::Unconfirmed => counts.unconfirmed = n,
            }
        }
        counts.unaccounted = counts.rows.saturating_sub(counts.accounted());
        Ok(counts)
    }

    /// Confirmed and failed rows among rows `first..=last` (a settled batch, on resume).
    pub fn range_counts(&self, job: i64, first: u64, last: u64) -> Result<(u64, u64), AppError> {
        self.conn
            .query_row(
                "SELECT (SELECT COUNT(*) FROM confirmed WHERE job_id = ?1 AND row BETWEEN ?2 AND ?3),
                        (SELECT COUNT(*) FROM outcomes WHERE job_id = ?1 AND row BETWEEN ?2 AND ?3 AND outcome = 'failed')",
                params![job, first as i64, last as i64],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64)),
            )
            .map_err(db_error)
    }

    /// The Yespo contact ids of the confirmed rows, in row order.
    pub fn confirmed(&self, job: i64) -> Result<Vec<ConfirmedRow>, AppError> {
        let mut stmt = self
            .conn
            .prepare("SELECT row, contact_id FROM confirmed WHERE job_id = ?1 ORDER BY row")
            .map_err(db_error)?;
        let rows = stmt
            .query_map(params![job], |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, Option<i64>>(1)?)))
            .map_err(db_error)?;
        rows.map(|r| r.map_err(db_error)).collect()
    }

    /// A row confirmed after all (a re-sent batch): its earlier outcome goes.
    pub fn clear_outcomes(&self, job: i64, first_row: u64, last_row: u64) -> Result<(), AppError> {
        self.conn
            .execute(
                "DELETE FROM outcomes WHERE job_id = ?1 AND row BETWEEN ?2 AND ?3 AND outcome IN ('unconfirmed', 'not_sent')",
                params![job, first_row as i64, last_row as i64],
            )
            .map_err(db_error)?;
        Ok(())
    }

    pub fn job(&self, job: i64) -> Result<Option<JobRecord>, AppError> {
        self.conn
            .query_row(&format!("{JOB_SELECT} WHERE id = ?1"), params![job], job_from_row)
            .optional()
            .map_err(db_error)?
            .transpose()
    }

    /// Jobs that were neither finished nor failed (a crash, a kill, a cancel): offered for resume.
    pub fn unfinished(&self) -> Result<Vec<JobRecord>, AppError> {
        self.jobs(&format!(
            "{JOB_SELECT} WHERE state IN ('planned', 'running', 'cancelled', 'interrupted') ORDER BY id DESC"
        ))
    }

    /// Every job, newest first.
    pub fn history(&self) -> Result<Vec<JobRecord>, AppError> {
        self.jobs(&format!("{JOB_SELECT} ORDER BY id DESC"))
    }

    fn jobs(&self, sql: &str) -> Result<Vec<JobRecord>, AppError> {
        let mut stmt = self.conn.prepare(sql).map_err(db_error)?;
        let rows = stmt.query_map([], job_from_row).map_err(db_error)?;
        rows.map(|r| r.map_err(db_error).and_then(|j| j)).collect()
    }

    pub fn batches(&self, job: i64) -> Result<Vec<BatchRecord>, AppError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT idx, first_line, last_line, contacts, state, attempts, session_id, error
                 FROM batches WHERE job_id = ?1 ORDER BY idx",
            )
            .map_err(db_error)?;
        let rows = stmt
            .query_map(params![job], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, u32>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, Option<String>>(7)?,
                ))
            })
            .map_err(db_error)?;
        rows.map(|r| {
            let (index, first_line, last_line, contacts, state, attempts, session_id, error) = r.map_err(db_error)?;
            Ok(BatchRecord {
                index: index as u64,
                first_line: first_line as u64,
                last_line: last_line as u64,
                contacts: contacts as u64,
                state: BatchState::parse(&state)?,
                attempts,
                session_id,
                error,
            })
        })
        .collect()
    }

    /// The rows that were not confirmed, in row order.
    pub fn outcomes(&self, job: i64) -> Result<Vec<OutcomeRow>, AppError> {
        let mut stmt = self
            .conn
            .prepare("SELECT row, line, outcome, reason FROM outcomes WHERE job_id = ?1 ORDER BY row")
            .map_err(db_error)?;
        let rows = stmt
            .query_map(params![job], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?, r.get::<_, Option<String>>(3)?))
            })
            .map_err(db_error)?;
        rows.map(|r| {
            let (row, line, outcome, reason) = r.map_err(db_error)?;
            Ok((row as u64, line as u64, RowOutcome::parse(&outcome)?, reason))
        })
        .collect()
    }

    /// Deletes a job with its batches and outcomes.
    pub fn delete_job(&self, job: i64) -> Result<bool, AppError> {
        let n = self.conn.execute("DELETE FROM jobs WHERE id = ?1", params![job]).map_err(db_error)?;
        Ok(n > 0)
    }
}

const JOB_SELECT: &str = "SELECT id, created_at, updated_at, state, account, file_path, file_size, file_mtime,
                                 fingerprint, mapping, settings, rows, counts FROM jobs";

fn job_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<JobRecord, AppError>> {
    let state: String = r.get(3)?;
    let record = JobRecord {
        id: r.get(0)?,
        created_at: r.get(1)?,
        updated_at: r.get(2)?,
        state: JobState::Planned,
        job: NewJob {
            account: r.get(4)?,
            file_path: r.get(5)?,
            file_size: r.get::<_, i64>(6)? as u64,
            file_mtime: r.get(7)?,
            fingerprint: r.get(8)?,
            mapping: r.get(9)?,
            settings: r.get(10)?,
            rows: r.get::<_, i64>(11)? as u64,
        },
        counts: r.get(12)?,
    };
    Ok(JobState::parse(&state).map(|state| JobRecord { state, ..record }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job() -> NewJob {
        NewJob {
            account: "demo".into(),
            file_path: "/tmp/tokens.csv".into(),
            file_size: 1234,
            file_mtime: Some("2026-12-01T10:00:00Z".into()),
            fingerprint: "abc".into(),
            mapping: "{}".into(),
            settings: "{}".into(),
            rows: 7000,
        }
    }

    #[test]
    fn a_job_its_batches_and_outcomes_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data/uploads.sqlite");
        let id = {
            let mut j = Journal::open(&path).unwrap();
            let id = j.create_job(&job()).unwrap();
            j.set_job_state(id, JobState::Running, None).unwrap();
            for (i, (first, last)) in [(2, 3001), (3002, 6001), (6002, 7001)].into_iter().enumerate() {
                j.plan_batch(id, i as u64, first, last, last - first + 1).unwrap();
            }
            j.plan_batch(id, 0, 9, 9, 9).unwrap(); // again: no change
            assert_eq!(j.batch_sending(id, 0).unwrap(), 1);
            j.set_batch(id, 0, BatchState::Sent, Some("s-1"), None).unwrap();
            j.set_batch(id, 0, BatchState::Confirmed, None, None).unwrap();
            assert_eq!(j.batch_sending(id, 1).unwrap(), 1);
            assert_eq!(j.batch_sending(id, 1).unwrap(), 2);
            j.record_outcomes(id, &[(5, 7, RowOutcome::Rejected, Some("bad email".into()))]).unwrap();
            j.record_outcomes(id, &[(4000, 4002, RowOutcome::Unconfirmed, None)]).unwrap();
            j.record_outcomes(id, &[(4000, 4002, RowOutcome::Failed, Some("Yespo: invalid".into()))]).unwrap();
            id
        };
        // As after a crash: a new process opens the same journal.
        let j = Journal::open(&path).unwrap();
        let unfinished = j.unfinished().unwrap();
        assert_eq!(unfinished.len(), 1);
        assert_eq!(unfinished[0].state, JobState::Running);
        assert_eq!(unfinished[0].job, job());
        let batches = j.batches(id).unwrap();
        assert_eq!(batches.len(), 3);
        assert_eq!((batches[0].state, batches[0].session_id.as_deref()), (BatchState::Confirmed, Some("s-1")));
        assert_eq!((batches[0].first_line, batches[0].contacts), (2, 3000));
        assert_eq!((batches[1].state, batches[1].attempts), (BatchState::Sending, 2));
        assert_eq!(batches[2].state, BatchState::Queued);
        let outcomes = j.outcomes(id).unwrap();
        assert_eq!(outcomes.len(), 2);
        assert_eq!(outcomes[1], (4000, 4002, RowOutcome::Failed, Some("Yespo: invalid".into())));
        j.set_job_state(id, JobState::Finished, Some("{\"confirmed\":6998}")).unwrap();
        assert!(j.unfinished().unwrap().is_empty());
        let history = j.history().unwrap();
        assert_eq!(history[0].counts.as_deref(), Some("{\"confirmed\":6998}"));
        assert!(j.delete_job(id).unwrap());
        assert!(j.batches(id).unwrap().is_empty(), "batches go with their job");
        assert!(j.outcomes(id).unwrap().is_empty());
    }

    #[test]
    fn settling_moves_rows_between_confirmed_and_the_other_outcomes_and_the_counts_add_up() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(&dir.path().join("uploads.sqlite")).unwrap();
        let id = j.create_job(&NewJob { rows: 5, ..job() }).unwrap();
        j.plan_batch(id, 0, 2, 6, 5).unwrap();
        j.batch_sent(id, 0, "s-1", "[]").unwrap();
        assert_eq!(j.batch_keys(id, 0).unwrap().as_deref(), Some("[]"));
        let unconfirmed: Vec<OutcomeRow> = (0..5).map(|r| (r, r + 2, RowOutcome::Unconfirmed, None)).collect();
        j.settle_batch(id, 0, BatchState::Unknown, Some("later"), &[], &unconfirmed).unwrap();
        assert!(j.batch_keys(id, 0).unwrap().is_some(), "an unknown batch keeps its keys for a re-check");
        let counts = j.counts(id).unwrap();
        assert_eq!((counts.unconfirmed, counts.unaccounted), (5, 0));
        // The re-check: four confirmed, one failed; the earlier words on those rows go.
        j.settle_batch(
            id,
            0,
            BatchState::Confirmed,
            None,
            &[(0, Some(10)), (1, Some(11)), (2, None), (3, Some(13))],
            &[(4, 6, RowOutcome::Failed, Some("no".into()))],
        )
        .unwrap();
        let counts = j.counts(id).unwrap();
        assert_eq!((counts.confirmed, counts.failed, counts.unconfirmed), (4, 1, 0));
        assert_eq!(counts.accounted(), counts.rows);
        assert_eq!(j.range_counts(id, 0, 4).unwrap(), (4, 1));
        assert_eq!(j.confirmed(id).unwrap()[1], (1, Some(11)));
        assert!(j.batch_keys(id, 0).unwrap().is_none(), "a settled batch drops its keys");
    }

    #[test]
    fn the_journal_is_durable_and_shared() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("uploads.sqlite");
        let a = Journal::open(&path).unwrap();
        let b = Journal::open(&path).unwrap();
        let mode: String = a.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        let sync: i64 = a.conn.query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
        assert_eq!((mode.as_str(), sync), ("wal", 2), "WAL with synchronous=FULL");
        let id = a.create_job(&job()).unwrap();
        assert_eq!(b.job(id).unwrap().map(|j| j.job.account), Some("demo".to_string()), "the CLI sees the app's job");
    }
}
