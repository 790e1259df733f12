//! The token files open in the app and their uploads: the state that outlives a command, owned
//! here in one place (the app keeps one [`Imports`]). The screen opens a file, changes how it is
//! read and mapped, checks it, pages through its rows, exports the problem rows, asks for the dry
//! run and starts, watches, cancels, resumes, re-checks, discards and deletes upload jobs; each
//! of those is one call here, so the Tauri commands only pass arguments through.
//!
//! Blocking work (reading, checking, exporting) is done by the caller on a blocking thread; the
//! uploads run as tasks on the caller's Tokio runtime and report to one watcher each, which a
//! reloaded window replaces.

use super::file::{validate_file, Choices, TokenFile};
use super::journal::{JobState, Journal};
use super::map::{AccountField, Mapping, MappingStore, Preset, Target};
use super::read::{Detected, ReadOptions};
use super::settings::ImportSettings;
use super::upload::{self, report, DryRun, ProgressSink, RunReport, UploadOptions, UploadProgress, UploadSource};
use super::validate::{self, Progress, RowFilter, RowView, Summary, Validation};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::paths::AppPaths;
use crate::yespo::YespoClient;
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio_util::sync::CancellationToken;

/// Rows checked at once when a file is opened (shown before the full check).
pub const PREVIEW_ROWS: usize = 20;
/// Sample values shown per column on the Columns step.
const SAMPLES: usize = 3;
/// Progress of a check or a resume's reading goes out at most this often.
const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_millis(100);
/// The most rows one page request returns.
pub const MAX_PAGE: usize = 500;

/// One column of a table file as the Columns step shows it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ColumnView {
    pub name: String,
    /// The first distinct values among the preview rows.
    pub samples: Vec<String>,
    #[ts(type = "string | null")]
    pub target: Option<Target>,
}

/// An opened file: what it is, how it is read and mapped, and its first rows.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct FileView {
    pub id: u64,
    pub path: String,
    pub name: String,
    pub size: u64,
    pub detected: Detected,
    /// What the user chose over the detection (`None`: detected).
    pub read_options: ReadOptions,
    /// A table's columns (or flat JSON objects' keys); `None` for Yespo's own contacts.
    pub columns: Option<Vec<ColumnView>>,
    pub mapping: Mapping,
    /// The provider whose export this looks like.
    pub preset: Option<Preset>,
    /// The mapping came from an earlier file with the same header.
    pub mapping_remembered: bool,
    pub dedupe_on: String,
    /// The account's custom fields, when an account was at hand.
    pub account_fields: Vec<AccountField>,
    pub preview: Vec<RowView>,
    /// The full check, once the file was checked with the current choices.
    pub check: Option<CheckView>,
}

/// How many rows each filter of the review table shows.
#[derive(Debug, Clone, Copy, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct FilterCounts {
    pub all: u64,
    pub valid: u64,
    pub invalid: u64,
    pub warnings: u64,
    /// Every row of a group with one dedupe key (the one sent and those it supersedes).
    pub duplicates: u64,
    pub problems: u64,
}

/// A full check: the summary and the filters' counts.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CheckView {
    pub summary: Summary,
    pub counts: FilterCounts,
}

/// What the user changes on the Columns and Settings steps.
#[derive(Debug, Clone, Default, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ChoicesInput {
    pub mapping: Option<Mapping>,
    /// Yespo's `dedupeOn` name (`email`, `push`, `externalCustomerId`...).
    pub dedupe_on: Option<String>,
    pub field_id: Option<i64>,
    /// Keep this mapping for files with the same header.
    #[serde(default)]
    pub remember: bool,
}

/// A page of rows of the review table: the rows and how many match the filter.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RowsPage {
    pub total: u64,
    pub start: u64,
    pub rows: Vec<RowView>,
}

/// What an upload's watcher is told.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum UploadEvent {
    /// A resume reads and checks the file again before it sends.
    Checking {
        job: i64,
        bytes: u64,
        total_bytes: u64,
    },
    Progress(UploadProgress),
    /// The run ended (finished, cancelled or interrupted).
    Ended(RunReport),
    /// The run could not go on (the file changed, the journal failed...).
    Failed {
        job: i64,
        error: AppError,
    },
}

pub type EventSink = Arc<dyn Fn(UploadEvent) + Send + Sync>;

/// A job as the history and the resume banner show it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct JobView {
    #[serde(flatten)]
    pub summary: report::JobSummary,
    pub file_name: String,
    /// Running in this app now.
    pub running: bool,
}

struct OpenFile {
    path: PathBuf,
    read_options: ReadOptions,
    file: Arc<TokenFile>,
    choices: Choices,
    remembered: bool,
    preview: Vec<RowView>,
    checked: Option<Checked>,
    /// Set to stop the check that is running, if one is.
    cancel_check: Arc<AtomicBool>,
    /// Moves with every change of how the file is read or mapped: a check started before a
    /// change is not kept.
    generation: u64,
}

impl OpenFile {
    /// How the file is read or mapped changed: its check is void, and a running one stops.
    fn changed(&mut self) {
        self.checked = None;
        self.generation += 1;
        self.cancel_check.store(true, Ordering::SeqCst);
    }
}

struct Checked {
    validation: Arc<Validation>,
    counts: FilterCounts,
    /// Row indices per filter, built when first asked for.
    filtered: HashMap<RowFilter, Arc<Vec<u64>>>,
}

struct Upload {
    cancel: CancellationToken,
    latest: Mutex<Option<UploadEvent>>,
    watcher: Mutex<Option<EventSink>>,
    ended: AtomicBool,
}

impl Upload {
    fn emit(&self, event: UploadEvent) {
        if matches!(event, UploadEvent::Ended(_) | UploadEvent::Failed { .. }) {
            self.ended.store(true, Ordering::SeqCst);
        }
        *lock(&self.latest) = Some(event.clone());
        let watcher = lock(&self.watcher).clone();
        if let Some(watcher) = watcher {
            watcher(event);
        }
    }
}

#[derive(Default)]
struct State {
    next_file: u64,
    files: HashMap<u64, Arc<Mutex<OpenFile>>>,
    uploads: HashMap<i64, Arc<Upload>>,
}

/// The open files and the uploads of this app.
pub struct Imports {
    journal_path: PathBuf,
    mappings: MappingStore,
    state: Mutex<State>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding one of these leaves plain data behind; carry on with it.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string())
}

fn not_open(id: u64) -> AppError {
    AppError::not_found(format!("File {id} is not open (it was closed or the app restarted): open it again"))
}

fn not_checked() -> AppError {
    AppError::validation("The file has not been checked with these choices yet")
}

impl Imports {
    pub fn new(journal_path: PathBuf, mappings: MappingStore) -> Imports {
        Imports { journal_path, mappings, state: Mutex::new(State::default()) }
    }

    /// The app's journal and remembered mappings, in its profile.
    pub fn in_profile(paths: &AppPaths) -> Imports {
        Imports::new(paths.data_dir.join("uploads.sqlite"), MappingStore::in_profile(paths))
    }

    pub fn journal_path(&self) -> &Path {
        &self.journal_path
    }

    fn journal(&self) -> AppResult<Journal> {
        Journal::open(&self.journal_path)
    }

    fn file(&self, id: u64) -> AppResult<Arc<Mutex<OpenFile>>> {
        lock(&self.state).files.get(&id).cloned().ok_or_else(|| not_open(id))
    }

    /// Opens and sniffs a file and checks its first rows (blocking; quick whatever the size).
    /// `account_fields` are the active account's custom fields, when there is one.
    pub fn open(
        &self,
        path: &Path,
        read_options: ReadOptions,
        account_fields: Option<Vec<AccountField>>,
    ) -> AppResult<FileView> {
        let file = TokenFile::open(path, &read_options)?;
        let mut choices = Choices { account_fields, ..Choices::default() };
        let mut remembered = false;
        if let Some(columns) = file.columns() {
            if let Some(mapping) = self.mappings.get(columns) {
                choices.mapping = Some(mapping);
                remembered = true;
            }
        }
        let preview = validate::preview(&file, file.plan(&choices), PREVIEW_ROWS)?;
        let open = OpenFile {
            path: path.to_path_buf(),
            read_options,
            file: Arc::new(file),
            choices,
            remembered,
            preview,
            checked: None,
            cancel_check: Arc::default(),
            generation: 0,
        };
        let id = {
            let mut state = lock(&self.state);
            state.next_file += 1;
            let id = state.next_file;
            state.files.insert(id, Arc::new(Mutex::new(open)));
            id
        };
        self.view(id)
    }

    /// Reads an open file again with other options (format, encoding, delimiter); the mapping
    /// is kept when the columns are the same.
    pub fn reread(&self, id: u64, read_options: ReadOptions) -> AppResult<FileView> {
        let entry = self.file(id)?;
        let (path, old_columns, choices) = {
            let f = lock(&entry);
            (f.path.clone(), f.file.columns().map(<[String]>::to_vec), f.choices.clone())
        };
        let file = TokenFile::open(&path, &read_options)?;
        let mut choices = choices;
        let other_columns = file.columns().map(<[String]>::to_vec) != old_columns;
        if other_columns {
            choices.mapping = file.columns().and_then(|c| self.mappings.get(c));
        }
        let preview = validate::preview(&file, file.plan(&choices), PREVIEW_ROWS)?;
        {
            let mut f = lock(&entry);
            f.read_options = read_options;
            if other_columns {
                f.remembered = choices.mapping.is_some();
            }
            f.file = Arc::new(file);
            f.choices = choices;
            f.preview = preview;
            f.changed();
        }
        self.view(id)
    }

    /// Changes the mapping or the dedupe key; the file must be checked again afterwards.
    pub fn choose(&self, id: u64, input: ChoicesInput) -> AppResult<FileView> {
        let entry = self.file(id)?;
        {
            let mut f = lock(&entry);
            if let Some(mapping) = input.mapping {
                mapping.check().map_err(AppError::validation)?;
                if input.remember {
                    if let Some(columns) = f.file.columns() {
                        self.mappings
                            .save(columns, &mapping)
                            .map_err(|e| AppError::internal(format!("The mapping could not be remembered: {e}")))?;
                    }
                }
                f.choices.mapping = Some(mapping);
            }
            if let Some(name) = input.dedupe_on {
                let dedupe = super::check::parse_dedupe(&name)
                    .ok_or_else(|| AppError::validation(format!("'{name}' is not one of Yespo's dedupeOn keys")))?;
                f.choices.dedupe_on = Some(dedupe);
            }
            if input.field_id.is_some() {
                f.choices.field_id = input.field_id;
            }
            f.preview = validate::preview(&f.file, f.file.plan(&f.choices), PREVIEW_ROWS)?;
            f.changed();
        }
        self.view(id)
    }

    /// The file as the screen shows it now.
    pub fn view(&self, id: u64) -> AppResult<FileView> {
        let entry = self.file(id)?;
        let f = lock(&entry);
        let plan = f.file.plan(&f.choices);
        let columns = f.file.columns().map(|names| {
            names
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    let mut samples: Vec<String> = Vec::new();
                    for row in &f.preview {
                        let Some(value) = row.cells.as_ref().and_then(|c| c.get(i)) else { continue };
                        if !value.trim().is_empty() && !samples.contains(value) && samples.len() < SAMPLES {
                            samples.push(value.clone());
                        }
                    }
                    ColumnView { name: name.clone(), samples, target: plan.mapping.target_of(name) }
                })
                .collect()
        });
        let check = f.checked.as_ref().map(|c| CheckView { summary: c.validation.summary.clone(), counts: c.counts });
        Ok(FileView {
            id,
            path: f.path.display().to_string(),
            name: file_name(&f.path),
            size: f.file.source().size,
            detected: f.file.detected().clone(),
            read_options: f.read_options.clone(),
            columns,
            preset: plan.mapping.preset,
            mapping: plan.mapping.clone(),
            mapping_remembered: f.remembered,
            dedupe_on: super::check::dedupe_name(plan.dedupe_on).to_string(),
            account_fields: f.choices.account_fields.clone().unwrap_or_default(),
            preview: f.preview.clone(),
            check,
        })
    }

    /// Checks every row with the current choices (blocking); progress at most 10 times a
    /// second. [`Imports::cancel_check`] or a change of the choices stops it.
    pub fn check(&self, id: u64, progress: &mut dyn FnMut(Progress)) -> AppResult<CheckView> {
        let entry = self.file(id)?;
        let (file, choices, generation, cancel) = {
            let mut f = lock(&entry);
            f.cancel_check = Arc::default();
            (f.file.clone(), f.choices.clone(), f.generation, f.cancel_check.clone())
        };
        let mut last: Option<std::time::Instant> = None;
        let mut throttled = |p: Progress| {
            if last.is_none_or(|t| t.elapsed() >= PROGRESS_EVERY) {
                last = Some(std::time::Instant::now());
                progress(p);
            }
        };
        let validation = validate_file(&file, &choices, &mut throttled, &cancel)?;
        let count = |filter| validation.indices(filter).len() as u64;
        let counts = FilterCounts {
            all: validation.rows(),
            valid: count(RowFilter::Valid),
            invalid: count(RowFilter::Invalid),
            warnings: count(RowFilter::Warnings),
            duplicates: count(RowFilter::Duplicates),
            problems: count(RowFilter::Problems),
        };
        let view = CheckView { summary: validation.summary.clone(), counts };
        let mut f = lock(&entry);
        // The choices may have changed while the check ran: keep it only if they did not.
        if f.generation == generation {
            f.checked = Some(Checked { validation: Arc::new(validation), counts, filtered: HashMap::new() });
            Ok(view)
        } else {
            Err(AppError::new(ErrorCode::Cancelled, "The choices changed while the file was checked"))
        }
    }

    /// Stops the check of a file that is running.
    pub fn cancel_check(&self, id: u64) -> AppResult<()> {
        let entry = self.file(id)?;
        lock(&entry).cancel_check.store(true, Ordering::SeqCst);
        Ok(())
    }

    fn checked(&self, id: u64) -> AppResult<(Arc<TokenFile>, Arc<Validation>, ReadOptions)> {
        let entry = self.file(id)?;
        let f = lock(&entry);
        let checked = f.checked.as_ref().ok_or_else(not_checked)?;
        Ok((f.file.clone(), checked.validation.clone(), f.read_options.clone()))
    }

    /// Rows `start..start + count` of those matching `filter` (blocking).
    pub fn rows(&self, id: u64, filter: RowFilter, start: u64, count: usize) -> AppResult<RowsPage> {
        let count = count.min(MAX_PAGE);
        let (file, validation, _) = self.checked(id)?;
        if filter == RowFilter::All {
            let rows = validation.page(&file, start, count)?;
            return Ok(RowsPage { total: validation.rows(), start, rows });
        }
        let indices = {
            let entry = self.file(id)?;
            let mut f = lock(&entry);
            let checked = f.checked.as_mut().ok_or_else(not_checked)?;
            checked.filtered.entry(filter).or_insert_with(|| Arc::new(checked.validation.indices(filter))).clone()
        };
        let from = (start as usize).min(indices.len());
        let wanted = &indices[from..(from + count).min(indices.len())];
        let mut rows = Vec::with_capacity(wanted.len());
        // Runs of consecutive rows are read with one page each.
        let mut i = 0;
        while i < wanted.len() {
            let mut j = i + 1;
            while j < wanted.len() && wanted[j] == wanted[j - 1] + 1 {
                j += 1;
            }
            rows.extend(validation.page(&file, wanted[i], j - i)?);
            i = j;
        }
        Ok(RowsPage { total: indices.len() as u64, start, rows })
    }

    /// Writes the invalid rows (with warnings, if asked) to `out` as CSV (blocking).
    pub fn export_problems(&self, id: u64, out: &Path, with_warnings: bool) -> AppResult<u64> {
        let (file, validation, _) = self.checked(id)?;
        Ok(validation.export_problems(&file, out, with_warnings)?)
    }

    /// A name to offer in the save dialog for the problem rows of a file.
    pub fn problems_file_name(&self, id: u64) -> AppResult<String> {
        let entry = self.file(id)?;
        let f = lock(&entry);
        let stem = f.path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "tokens".into());
        Ok(format!("{stem}-problems.csv"))
    }

    /// The settings an upload of the file starts from (the file's own or the defaults).
    pub fn settings(&self, id: u64) -> AppResult<ImportSettings> {
        let (_, validation, _) = self.checked(id)?;
        Ok(validation.summary.settings.clone())
    }

    fn settings_for(validation: &Validation, settings: Option<ImportSettings>) -> AppResult<ImportSettings> {
        let settings = settings.unwrap_or_else(|| validation.summary.settings.clone());
        if settings.dedupe_on != validation.plan().dedupe_on {
            return Err(AppError::validation(
                "The rows were checked with another dedupeOn: check the file again with this one",
            ));
        }
        Ok(settings)
    }

    /// What an upload would do, and (with a client) whether the account may do it.
    pub async fn dry_run(
        &self,
        id: u64,
        settings: Option<ImportSettings>,
        client: Option<&YespoClient>,
    ) -> AppResult<DryRun> {
        let (_, validation, _) = self.checked(id)?;
        let settings = Self::settings_for(&validation, settings)?;
        let mut dry = upload::dry_run(&validation, &settings);
        dry.rights = Some(match client {
            Some(client) => match upload::check_rights(client, settings.dedupe_on).await {
                Ok(seen) => seen,
                Err(e) => {
                    dry.blockers.push(e.message.clone());
                    format!("refused: {}", e.message)
                }
            },
            None => "not checked: no account is logged in".to_string(),
        });
        Ok(dry)
    }

    /// Creates a job for the checked file and starts sending it; returns the job's number.
    /// Refused when the dry run has blockers or the account may not import contacts.
    pub async fn start_upload(
        self: &Arc<Self>,
        id: u64,
        settings: Option<ImportSettings>,
        account: &str,
        client: YespoClient,
        options: UploadOptions,
    ) -> AppResult<i64> {
        let (file, validation, read_options) = self.checked(id)?;
        let settings = Self::settings_for(&validation, settings)?;
        let dry = upload::dry_run(&validation, &settings);
        if !dry.blockers.is_empty() {
            return Err(AppError::validation(format!("Not uploaded: {}", dry.blockers.join("; "))));
        }
        upload::check_rights(&client, settings.dedupe_on).await?;
        let source = UploadSource { file, validation, read_options };
        let job = upload::create_job(&self.journal()?, &source, &settings, account)?;
        let run = self.register(job)?;
        let imports = self.clone();
        tokio::spawn(async move { imports.run(job, run, client, source, options).await });
        Ok(job)
    }

    fn register(&self, job: i64) -> AppResult<Arc<Upload>> {
        let mut state = lock(&self.state);
        if state.uploads.get(&job).is_some_and(|u| !u.ended.load(Ordering::SeqCst)) {
            return Err(AppError::validation(format!("Job {job} is already running")));
        }
        let run = Arc::new(Upload {
            cancel: CancellationToken::new(),
            latest: Mutex::new(None),
            watcher: Mutex::new(None),
            ended: AtomicBool::new(false),
        });
        state.uploads.insert(job, run.clone());
        Ok(run)
    }

    async fn run(&self, job: i64, run: Arc<Upload>, client: YespoClient, source: UploadSource, options: UploadOptions) {
        let sink: ProgressSink = {
            let run = run.clone();
            Arc::new(move |p: UploadProgress| run.emit(UploadEvent::Progress(p)))
        };
        let result = upload::run(&self.journal_path, job, client, source, options, sink, run.cancel.clone()).await;
        match result {
            Ok(report) => {
                tracing::info!(job, state = report.state.as_str(), "upload ended");
                run.emit(UploadEvent::Ended(report));
            }
            Err(error) => {
                tracing::warn!(job, code = %error.code, message = %error.message, "upload stopped");
                run.emit(UploadEvent::Failed { job, error });
            }
        }
    }

    /// Resumes an unfinished job of `account`: its file is read and checked again (refused if
    /// it changed), then what is left is sent.
    pub async fn resume(
        self: &Arc<Self>,
        job: i64,
        account: &str,
        client: YespoClient,
        options: UploadOptions,
    ) -> AppResult<()> {
        let record = self.journal()?.job(job)?.ok_or_else(|| AppError::not_found(format!("No upload job {job}")))?;
        upload::may_resume(&record, account)?;
        let run = self.register(job)?;
        let imports = self.clone();
        tokio::spawn(async move {
            let total_bytes = record.job.file_size;
            let reading = run.clone();
            let reopened = tokio::task::spawn_blocking(move || {
                let mut last = std::time::Instant::now();
                upload::reopen(&record, &mut |p: Progress| {
                    if last.elapsed() >= PROGRESS_EVERY {
                        last = std::time::Instant::now();
                        reading.emit(UploadEvent::Checking { job, bytes: p.bytes, total_bytes });
                    }
                })
            })
            .await
            .unwrap_or_else(|e| Err(AppError::internal(format!("The file could not be read again: {e}"))));
            match reopened {
                Ok(source) => imports.run(job, run, client, source, options).await,
                Err(error) => run.emit(UploadEvent::Failed { job, error }),
            }
        });
        Ok(())
    }

    /// Sends an upload's events to `sink` from now on (the last one at once); replaces the
    /// previous watcher. `false` if the job is not running in this app.
    pub fn watch(&self, job: i64, sink: EventSink) -> bool {
        let Some(run) = lock(&self.state).uploads.get(&job).cloned() else { return false };
        *lock(&run.watcher) = Some(sink.clone());
        if let Some(latest) = lock(&run.latest).clone() {
            sink(latest);
        }
        true
    }

    /// Stops sending (requests in flight finish and are recorded); the job can be resumed.
    pub fn cancel(&self, job: i64) -> AppResult<()> {
        let run = lock(&self.state).uploads.get(&job).cloned();
        match run {
            Some(run) if !run.ended.load(Ordering::SeqCst) => {
                run.cancel.cancel();
                Ok(())
            }
            _ => Err(AppError::not_found(format!("Job {job} is not running"))),
        }
    }

    /// Cancels every running upload and waits (at most `wait`) for them to record where they
    /// stopped: before the app quits.
    pub async fn cancel_all(&self, wait: std::time::Duration) {
        let runs: Vec<Arc<Upload>> = lock(&self.state).uploads.values().cloned().collect();
        for run in &runs {
            run.cancel.cancel();
        }
        let deadline = tokio::time::Instant::now() + wait;
        while runs.iter().any(|r| !r.ended.load(Ordering::SeqCst)) && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// Whether an upload is running in this app.
    pub fn any_running(&self) -> bool {
        lock(&self.state).uploads.values().any(|u| !u.ended.load(Ordering::SeqCst))
    }

    fn running(&self) -> Vec<i64> {
        let state = lock(&self.state);
        state.uploads.iter().filter(|(_, u)| !u.ended.load(Ordering::SeqCst)).map(|(j, _)| *j).collect()
    }

    fn job_view(&self, journal: &Journal, job: i64, running: &[i64]) -> AppResult<JobView> {
        let summary = report::summary(journal, job)?;
        Ok(JobView { file_name: file_name(Path::new(&summary.file)), running: running.contains(&job), summary })
    }

    /// Every job, newest first.
    pub fn history(&self) -> AppResult<Vec<JobView>> {
        let journal = self.journal()?;
        let running = self.running();
        journal.history()?.iter().map(|r| self.job_view(&journal, r.id, &running)).collect()
    }

    /// One job.
    pub fn job(&self, job: i64) -> AppResult<JobView> {
        self.job_view(&self.journal()?, job, &self.running())
    }

    /// Jobs left unfinished (a crash, a kill, a cancel) and not running now: offered for resume.
    pub fn unfinished(&self) -> AppResult<Vec<JobView>> {
        let journal = self.journal()?;
        let running = self.running();
        journal
            .unfinished()?
            .iter()
            .filter(|r| !running.contains(&r.id))
            .map(|r| self.job_view(&journal, r.id, &running))
            .collect()
    }

    /// Asks Yespo again about a job's "check later" sessions.
    pub async fn recheck(&self, job: i64, client: &YespoClient) -> AppResult<JobView> {
        upload::recheck(&self.journal_path, job, client).await?;
        self.job(job)
    }

    fn refuse_running(&self, job: i64) -> AppResult<()> {
        if self.running().contains(&job) {
            return Err(AppError::validation(format!("Job {job} is running: cancel it first")));
        }
        Ok(())
    }

    /// Gives up an unfinished job: nothing more is sent; what was sent keeps its outcome and,
    /// when the file can still be read and the job's account is at hand (`client`), the rows
    /// never sent are recorded as not sent, so the report adds up. The job is then `discarded`
    /// and no longer offered for resume.
    pub async fn discard(&self, job: i64, client: Option<YespoClient>) -> AppResult<JobView> {
        self.refuse_running(job)?;
        let record = self.journal()?.job(job)?.ok_or_else(|| AppError::not_found(format!("No upload job {job}")))?;
        if matches!(record.state, JobState::Finished | JobState::Failed | JobState::Discarded) {
            return Err(AppError::validation(format!("Job {job} is {}: nothing to discard", record.state.as_str())));
        }
        if let Some(client) = client {
            let reopened = tokio::task::spawn_blocking(move || upload::reopen(&record, &mut |_| {})).await;
            if let Ok(Ok(source)) = reopened {
                // A run cancelled before it starts sends nothing and records every row left.
                let cancel = CancellationToken::new();
                cancel.cancel();
                let quiet: ProgressSink = Arc::new(|_| {});
                upload::run(&self.journal_path, job, client, source, UploadOptions::default(), quiet, cancel).await?;
            }
        }
        self.journal()?.set_job_state(job, JobState::Discarded, None)?;
        self.job(job)
    }

    /// The account a job uploads to (an app account's id, or a key's label from the CLI).
    pub fn job_account(&self, job: i64) -> AppResult<String> {
        let record = self.journal()?.job(job)?.ok_or_else(|| AppError::not_found(format!("No upload job {job}")))?;
        Ok(record.job.account)
    }

    /// Deletes a job with its batches and row outcomes.
    pub fn delete(&self, job: i64) -> AppResult<()> {
        self.refuse_running(job)?;
        if !self.journal()?.delete_job(job)? {
            return Err(AppError::not_found(format!("No upload job {job}")));
        }
        lock(&self.state).uploads.remove(&job);
        Ok(())
    }

    /// Writes a job's report (every row that was not confirmed, with its outcome and reason) to
    /// `out` (blocking). The file's own columns when it is unchanged, else the journal's lines.
    pub fn export_report(&self, job: i64, out: &Path) -> AppResult<u64> {
        let journal = self.journal()?;
        let record = journal.job(job)?.ok_or_else(|| AppError::not_found(format!("No upload job {job}")))?;
        match upload::reopen(&record, &mut |_| {}) {
            Ok(source) => report::write_csv(&journal, job, &source, out),
            Err(_) => report::write_csv_from_journal(&journal, job, out),
        }
    }

    /// A name to offer in the save dialog for a job's report.
    pub fn report_file_name(&self, job: i64) -> AppResult<String> {
        let record = self.journal()?.job(job)?.ok_or_else(|| AppError::not_found(format!("No upload job {job}")))?;
        let path = PathBuf::from(&record.job.file_path);
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "tokens".into());
        Ok(format!("{stem}-report-job-{job}.csv"))
    }

    /// Forgets an open file.
    pub fn close(&self, id: u64) {
        lock(&self.state).files.remove(&id);
    }

    /// The files [`Imports::forget_all`] removes: the journal (with SQLite's side files) and the
    /// remembered mappings.
    pub fn files(&self) -> Vec<PathBuf> {
        let journal = self.journal_path.display().to_string();
        vec![
            self.journal_path.clone(),
            PathBuf::from(format!("{journal}-wal")),
            PathBuf::from(format!("{journal}-shm")),
            self.mappings.path().to_path_buf(),
        ]
    }

    /// Forgets the upload history and the remembered mappings, and closes the open files.
    /// Refused while an upload runs: it would write to the journal again.
    pub fn forget_all(&self) -> AppResult<()> {
        if self.any_running() {
            return Err(AppError::validation("An upload is running: cancel it first, then forget everything"));
        }
        {
            let mut state = lock(&self.state);
            state.files.clear();
            state.uploads.clear();
        }
        for path in self.files() {
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(
                        AppError::internal(format!("Cannot remove {}", path.display())).with_details(e.to_string())
                    )
                }
            }
        }
        Ok(())
    }
}

/// How long opening a file waits for the account's custom fields.
const FIELDS_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// The account's custom fields (columns match them by name; values are checked by type), or
/// `None` when Yespo cannot answer within a few seconds: the file then opens without them
/// rather than waiting on the network.
pub async fn account_fields(client: &YespoClient) -> Option<Vec<AccountField>> {
    match tokio::time::timeout(FIELDS_WAIT, client.address_books()).await {
        Ok(Ok(books)) => Some(AccountField::from_address_books(&books)),
        Ok(Err(error)) => {
            tracing::info!(code = %error.code, "the account's custom fields could not be read");
            None
        }
        Err(_) => {
            tracing::info!("the account's custom fields did not come in time; the file opens without them");
            None
        }
    }
}

/// A target the Columns step offers, with what it updates in Yespo.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TargetView {
    #[ts(type = "string")]
    pub target: Target,
    /// The standard field `contactFields` names for it.
    pub contact_field: Option<&'static str>,
}

/// What the Columns and Settings steps offer.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Targets {
    /// Every standard target, in the order the Columns step lists them.
    pub targets: Vec<TargetView>,
    /// The standard fields an upload may update (`contactFields`).
    pub contact_fields: Vec<&'static str>,
}

pub fn targets() -> Targets {
    Targets {
        targets: Target::STANDARD.iter().map(|t| TargetView { target: *t, contact_field: t.contact_field() }).collect(),
        contact_fields: super::check::CONTACT_FIELDS.to_vec(),
    }
}
