//! The token pipeline's sending half: a checked token file uploaded to Yespo in requests of at
//! most 3000 contacts, every row accounted for, resumable after a crash.
//!
//! A job is created in the [`journal`](super::journal) with what it is about (file, content
//! fingerprint, mapping, settings, account), then run: the checked file is read again into
//! batches on a thread of its own; each batch is sent (`POST contacts`, a bounded number in
//! flight) and confirmed by polling its import session (`GET importstatus`) while the next ones
//! go out. The journal gets each batch's intent before its request, its session id right after
//! the answer, and each row's outcome as it is known, so a run that stops anywhere can be
//! resumed: confirmed batches are never sent again, sent ones are asked about first.
//!
//! Every row ends in one outcome: confirmed, rejected (by the reader), failed (at Yespo),
//! superseded (a later duplicate won), not sent, or unconfirmed; the counts add up to the rows
//! read, which the run checks before it says it is done.

mod deliver;
pub mod dry_run;
pub mod progress;
pub mod report;

pub use dry_run::{check_rights, dry_run, DryRun};
pub use progress::{BatchChange, ProgressSink, UploadProgress};

use super::file::{validate_file, Choices, TokenFile};
use super::journal::{BatchRecord, BatchState, Counts, JobRecord, JobState, Journal, NewJob, RowOutcome};
use super::map::{AccountField, Mapping};
use super::read::ReadOptions;
use super::settings::ImportSettings;
use super::validate::{Batch, Progress, Validation};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::yespo::models::DedupeOn;
use crate::yespo::{YespoClient, MAX_CONTACTS_PER_REQUEST};
use deliver::Ctx;
use progress::Tracker;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// How a run sends and waits.
#[derive(Debug, Clone)]
pub struct UploadOptions {
    /// Requests in flight at once (default 2).
    pub concurrency: usize,
    /// Batches sent and waiting for their confirmation at once (bounds memory).
    pub max_pending: usize,
    /// First wait between two status polls of an import session; then ×1.5 up to `poll_max`.
    pub poll_first: Duration,
    pub poll_max: Duration,
    /// An import session whose status is still unknown after this is "check later".
    pub unknown_after: Duration,
    /// Attempts of one request through server errors and dropped connections before the run
    /// stops as interrupted (resumable).
    pub send_attempts: u32,
    /// Backoff between those attempts: doubling from `retry_first` up to `retry_max`.
    pub retry_first: Duration,
    pub retry_max: Duration,
}

impl Default for UploadOptions {
    fn default() -> Self {
        UploadOptions {
            concurrency: 2,
            max_pending: 16,
            poll_first: Duration::from_millis(250),
            poll_max: Duration::from_secs(10),
            unknown_after: Duration::from_secs(15 * 60),
            send_attempts: 8,
            retry_first: Duration::from_millis(500),
            retry_max: Duration::from_secs(30),
        }
    }
}

/// What it takes to read a job's file again exactly as it was checked: kept with the job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Recipe {
    pub read_options: ReadOptions,
    pub mapping: Mapping,
    pub dedupe_on: DedupeOn,
    pub field_id: Option<i64>,
    pub account_fields: Option<Vec<AccountField>>,
}

impl Recipe {
    pub fn of(validation: &Validation, read_options: &ReadOptions) -> Recipe {
        let plan = validation.plan();
        let mut account_fields: Option<Vec<AccountField>> =
            plan.account_fields.as_ref().map(|f| f.values().cloned().collect());
        if let Some(f) = account_fields.as_mut() {
            f.sort_by_key(|f| f.id);
        }
        Recipe {
            read_options: read_options.clone(),
            mapping: plan.mapping.clone(),
            dedupe_on: plan.dedupe_on,
            field_id: plan.field_id,
            account_fields,
        }
    }

    /// The choices that check the file again with the same plan.
    pub fn choices(&self) -> Choices {
        Choices {
            mapping: Some(self.mapping.clone()),
            dedupe_on: Some(self.dedupe_on),
            field_id: self.field_id,
            app_id: None,
            account_fields: self.account_fields.clone(),
        }
    }
}

/// A checked file, ready to be sent.
#[derive(Clone)]
pub struct UploadSource {
    pub file: Arc<TokenFile>,
    pub validation: Arc<Validation>,
    pub read_options: ReadOptions,
}

/// What a run ended with.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RunReport {
    pub job: i64,
    pub state: JobState,
    #[serde(flatten)]
    pub counts: Counts,
    /// Requests this run made (re-sends included).
    pub requests: u64,
    pub batches: u64,
    pub elapsed_secs: f64,
    /// Why the run stopped early (interrupted), if it did.
    pub error: Option<AppError>,
}

fn mtime_text(path: &Path) -> Option<String> {
    let modified = std::fs::metadata(path).ok()?.modified().ok()?;
    let t: time::OffsetDateTime = modified.into();
    t.format(&time::format_description::well_known::Rfc3339).ok()
}

/// Writes a new job for `source` to the journal, before anything is sent.
pub fn create_job(
    journal: &Journal,
    source: &UploadSource,
    settings: &ImportSettings,
    account: &str,
) -> AppResult<i64> {
    let path = absolute(&source.file.source().path);
    let recipe = Recipe::of(&source.validation, &source.read_options);
    let job = NewJob {
        account: account.to_string(),
        file_path: path.to_string_lossy().into_owned(),
        file_size: std::fs::metadata(&path).map(|m| m.len()).unwrap_or(source.file.source().size),
        file_mtime: mtime_text(&path),
        fingerprint: source.validation.content_fingerprint().to_string(),
        mapping: serde_json::to_string(&recipe).map_err(|e| AppError::internal(e.to_string()))?,
        settings: serde_json::to_string(settings).map_err(|e| AppError::internal(e.to_string()))?,
        rows: source.validation.rows(),
    };
    journal.create_job(&job)
}

/// The file path as the journal keeps it (absolute, so the CLI and the app agree).
pub fn absolute(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()))
}

/// The settings and recipe a job was created with.
pub fn job_setup(job: &JobRecord) -> AppResult<(Recipe, ImportSettings)> {
    let bad = |e: serde_json::Error| AppError::internal(format!("job {} has unreadable settings: {e}", job.id));
    Ok((serde_json::from_str(&job.job.mapping).map_err(bad)?, serde_json::from_str(&job.job.settings).map_err(bad)?))
}

/// Whether a job may be resumed by `account` on the file as it is now: refused (validation) if
/// the job is over, the account differs, or the file is gone or changed. Cheap: reads no rows.
pub fn may_resume(job: &JobRecord, account: &str) -> AppResult<()> {
    if matches!(job.state, JobState::Finished | JobState::Failed | JobState::Discarded) {
        return Err(AppError::validation(format!(
            "Job {} is {}: there is nothing to resume.",
            job.id,
            job.state.as_str()
        )));
    }
    if job.job.account != account {
        return Err(AppError::validation(format!(
            "Job {} uploads to the account '{}', not '{}': resume it with that account.",
            job.id, job.job.account, account
        )));
    }
    let size = std::fs::metadata(&job.job.file_path).map(|m| m.len()).map_err(|e| {
        AppError::validation(format!("Job {}'s file {} cannot be read: {e}", job.id, job.job.file_path))
    })?;
    if size != job.job.file_size {
        return Err(changed(job));
    }
    Ok(())
}

fn changed(job: &JobRecord) -> AppError {
    AppError::validation(format!(
        "The file {} changed since job {} started (its content differs), so the rows cannot be matched to what \
         was sent: resume refused. Start a new upload of the file; contacts already sent are updated, not duplicated.",
        job.job.file_path, job.id
    ))
}

/// After the file was checked again with the job's recipe: refused if its content changed.
pub fn same_content(job: &JobRecord, validation: &Validation) -> AppResult<()> {
    if validation.content_fingerprint() != job.job.fingerprint || validation.rows() != job.job.rows {
        return Err(changed(job));
    }
    Ok(())
}

/// A job's file checked again with the job's recipe, as a resume or a full report needs it;
/// refused if its content changed since the job started.
pub fn reopen(job: &JobRecord, progress: &mut dyn FnMut(Progress)) -> AppResult<UploadSource> {
    let (recipe, _) = job_setup(job)?;
    let file = TokenFile::open(Path::new(&job.job.file_path), &recipe.read_options)?;
    let validation = validate_file(&file, &recipe.choices(), progress, &AtomicBool::new(false))?;
    same_content(job, &validation)?;
    Ok(UploadSource { file: Arc::new(file), validation: Arc::new(validation), read_options: recipe.read_options })
}

/// Runs (or resumes) `job`: sends what is left, confirms what was sent, records every row.
/// Stops sending when `cancel` fires; requests in flight finish and are recorded.
pub async fn run(
    journal_path: &Path,
    job: i64,
    client: YespoClient,
    source: UploadSource,
    options: UploadOptions,
    on_progress: ProgressSink,
    cancel: CancellationToken,
) -> AppResult<RunReport> {
    let started = Instant::now();
    let _running = RunLock::take(journal_path, job)?;
    let journal = Journal::open(journal_path)?;
    let record = journal.job(job)?.ok_or_else(|| AppError::not_found(format!("No upload job {job}")))?;
    let (_, settings) = job_setup(&record)?;
    same_content(&record, &source.validation)?;
    let prior: HashMap<u64, BatchRecord> = journal.batches(job)?.into_iter().map(|b| (b.index, b)).collect();
    journal.set_job_state(job, JobState::Running, None)?;

    let summary = &source.validation.summary;
    let tracker = Arc::new(Tracker::new(job, summary.rows, summary.ready, on_progress));
    tracker.set_state(JobState::Running);
    let ctx = Arc::new(Ctx::new(job, client, journal, settings, options, cancel, tracker.clone()));

    // The batches are read on a thread of their own, one ahead.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Batch, AppError>>(1);
    let reader = {
        let (file, validation) = (source.file.clone(), source.validation.clone());
        std::thread::spawn(move || {
            let result =
                validation.for_each_batch(&file, MAX_CONTACTS_PER_REQUEST, &mut |b| tx.blocking_send(Ok(b)).is_ok());
            if let Err(e) = result {
                let _ = tx.blocking_send(Err(e.into()));
            }
        })
    };

    let mut tasks = tokio::task::JoinSet::new();
    let mut index = 0u64;
    let mut read_error = None;
    while let Some(item) = rx.recv().await {
        let batch = match item {
            Ok(b) => b,
            Err(e) => {
                read_error = Some(e);
                break;
            }
        };
        ctx.set_aside(&batch)?;
        if batch.contacts.is_empty() {
            continue;
        }
        let i = index;
        index += 1;
        let (first, last) = (batch.lines[0], *batch.lines.last().expect("a batch has rows"));
        ctx.journal().plan_batch(job, i, first, last, batch.contacts.len() as u64)?;
        Tracker::add(&tracker.read, batch.rows.len() as u64);
        match prior.get(&i).map(|b| (b.state, b.session_id.clone())) {
            Some((BatchState::Confirmed | BatchState::Failed, _)) => {
                // Settled in an earlier run: never sent again.
                ctx.count_settled(&batch)?;
                continue;
            }
            Some((BatchState::Sent | BatchState::Unknown, Some(session))) => {
                let permit = ctx.pending_slot().await;
                let ctx = ctx.clone();
                tasks.spawn(async move { ctx.deliver(i, batch, Some(session), permit, None).await });
            }
            _ => {
                let permit = ctx.pending_slot().await;
                let send = ctx.send_slot().await;
                let ctx = ctx.clone();
                tasks.spawn(async move { ctx.deliver(i, batch, None, permit, Some(send)).await });
            }
        }
        tracker.tick();
        // Collect finished tasks as we go so their errors surface early.
        while let Some(done) = tasks.try_join_next() {
            done.map_err(|e| AppError::internal(format!("an upload task failed: {e}")))??;
        }
    }
    drop(rx);
    while let Some(done) = tasks.join_next().await {
        done.map_err(|e| AppError::internal(format!("an upload task failed: {e}")))??;
    }
    let _ = reader.join();

    let read_failed = read_error.is_some();
    let interrupted = read_error.or_else(|| ctx.interruption());
    let state = if interrupted.is_some() {
        JobState::Interrupted
    } else if ctx.cancelled() {
        JobState::Cancelled
    } else {
        JobState::Finished
    };
    // Every ending but a failed read has said one word for each row: check that it has.
    let counts = ctx.journal().counts(job)?;
    if !read_failed && (counts.accounted() != counts.rows || counts.unaccounted != 0) {
        let e = AppError::internal("An upload lost track of some rows; its report is incomplete.")
            .with_details(format!("{counts:?}"));
        ctx.journal().set_job_state(job, JobState::Failed, Some(&counts_json(&counts)))?;
        debug_assert!(false, "rows unaccounted for: {counts:?}");
        return Err(e);
    }
    ctx.journal().set_job_state(job, state, Some(&counts_json(&counts)))?;
    tracker.set_state(state);
    Ok(RunReport {
        job,
        state,
        counts,
        requests: Tracker::get(&tracker.requests),
        batches: index,
        elapsed_secs: started.elapsed().as_secs_f64(),
        error: interrupted,
    })
}

fn counts_json(counts: &Counts) -> String {
    serde_json::to_string(counts).unwrap_or_default()
}

/// Asks Yespo again about the batches of a job whose import status was never known ("check
/// later"), once each, and records what it says. Returns the job's counts afterwards.
pub async fn recheck(journal_path: &Path, job: i64, client: &YespoClient) -> AppResult<Counts> {
    let mut journal = Journal::open(journal_path)?;
    let record = journal.job(job)?.ok_or_else(|| AppError::not_found(format!("No upload job {job}")))?;
    for batch in journal.batches(job)?.into_iter().filter(|b| b.state == BatchState::Unknown) {
        let (Some(session), Some(keys)) = (batch.session_id.clone(), journal.batch_keys(job, batch.index)?) else {
            continue;
        };
        let keys: Vec<deliver::RowKey> = serde_json::from_str(&keys)
            .map_err(|e| AppError::internal(format!("batch {} has unreadable keys: {e}", batch.index)))?;
        match client.import_status(&session).await {
            Ok(status) if status.is_done() => {
                let (state, error, confirmed, outcomes) = deliver::settle_status(&keys, &status);
                journal.settle_batch(job, batch.index, state, error.as_deref(), &confirmed, &outcomes)?;
            }
            Ok(_) => {}
            Err(e) if e.code == ErrorCode::NotFound => {
                let why = format!(
                    "Yespo no longer knows import session {session}: whether these rows were imported is unknown"
                );
                let outcomes: Vec<_> = keys
                    .iter()
                    .map(|k| match &k.error {
                        Some(e) => (k.row, k.line, RowOutcome::Failed, Some(format!("Yespo: {e}"))),
                        None => (k.row, k.line, RowOutcome::Unconfirmed, Some(why.clone())),
                    })
                    .collect();
                journal.settle_batch(job, batch.index, BatchState::Unknown, Some(&why), &[], &outcomes)?;
            }
            Err(e) => return Err(e),
        }
    }
    let counts = journal.counts(job)?;
    journal.set_job_state(job, record.state, Some(&counts_json(&counts)))?;
    Ok(counts)
}

/// One run of a job at a time, across processes (the app and the CLI share the journal): an OS
/// file lock next to the journal, let go when the run ends or its process dies, even by SIGKILL.
struct RunLock {
    file: std::fs::File,
    path: PathBuf,
}

impl RunLock {
    fn take(journal_path: &Path, job: i64) -> AppResult<RunLock> {
        let path = journal_path.with_extension(format!("job-{job}.lock"));
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| AppError::internal(format!("could not open {}: {e}", path.display())))?;
        match file.try_lock() {
            Ok(()) => Ok(RunLock { file, path }),
            Err(std::fs::TryLockError::WouldBlock) => Err(AppError::validation(format!(
                "Job {job} is being uploaded right now (by the app or another command): wait for it or cancel it there."
            ))),
            Err(std::fs::TryLockError::Error(e)) => {
                Err(AppError::internal(format!("could not lock {}: {e}", path.display())))
            }
        }
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

/// A shared journal for the tasks of one run (rusqlite connections are not shared across
/// threads; its writes take a few milliseconds each).
pub(crate) type SharedJournal = Mutex<Journal>;
