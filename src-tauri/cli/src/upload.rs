//! `tokens upload`, `tokens history` and `tokens status`: the upload job of the app's core, with
//! the app's journal (a job started here can be seen and resumed in the app, and the other way).
//!
//! Exit codes of `tokens upload`: 0 every row sent was confirmed (and none was rejected), 1 some
//! rows were rejected, failed, not confirmed or not sent (a cancel), 2 the job could not run (no
//! account, no rights, blockers, an unusable or changed file, an interruption).

use crate::output;
use crate::{open, read_options, Failure, FileArgs};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{json, Value};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;
use yespo_core::login::{AccountStore, KeychainStore, LoginEnv, Sessions};
use yespo_core::paths::{AppPaths, APP_IDENTIFIER};
use yespo_core::tokens::journal::{Counts, JobRecord, JobState, Journal};
use yespo_core::tokens::map::AccountField;
use yespo_core::tokens::upload::{self, report, ProgressSink, UploadOptions, UploadProgress, UploadSource};
use yespo_core::tokens::{self, TokenFile};
use yespo_core::yespo::{Auth, YespoClient};
use yespo_core::{AppError, Secret};

/// The environment variable a script gives the API key in (never on the command line).
pub const API_KEY_ENV: &str = "YESPO_API_KEY";

#[derive(Args)]
pub struct AccountArgs {
    /// One of the app's accounts (by name or id), with its keychain entries.
    #[arg(long, value_name = "NAME", conflicts_with = "api_url")]
    account: Option<String>,
    /// An account's API address (e.g. https://yespo.io/api), with the API key in YESPO_API_KEY.
    #[arg(long, value_name = "URL")]
    api_url: Option<String>,
}

#[derive(Args)]
pub struct UploadArgs {
    #[command(flatten)]
    file: FileArgs,
    #[command(flatten)]
    account: AccountArgs,
    /// Say what the upload would do (and check the account's rights); send nothing.
    #[arg(long)]
    dry_run: bool,
    /// Finish the unfinished upload of this file (after a crash, a kill or Ctrl-C).
    #[arg(long)]
    resume: bool,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=16))]
    concurrency: u16,
    /// Write every row that was not confirmed to this CSV (the file's columns plus `line`,
    /// `outcome` and `reason`).
    #[arg(long, value_name = "OUT.csv")]
    report: Option<PathBuf>,
}

#[derive(Args)]
pub struct HistoryArgs {
    /// Delete this job (with its batches and row outcomes) first; may be repeated.
    #[arg(long, value_name = "JOB")]
    delete: Vec<i64>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct StatusArgs {
    /// The job's number (from `tokens upload` or `tokens history`).
    job: i64,
    #[command(flatten)]
    account: AccountArgs,
    /// Write every row that was not confirmed to this CSV (the file must be unchanged).
    #[arg(long, value_name = "OUT.csv")]
    report: Option<PathBuf>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// The outcome of a command that could not run: exit 2 with the message (JSON with `--json`).
fn cannot_run(json: bool, job: Option<i64>, message: &str) -> ExitCode {
    if json {
        let out = json!({
            "job": job, "rows": 0, "confirmed": 0, "rejected": 0, "failed": 0, "superseded": 0,
            "not_sent": 0, "unconfirmed": 0, "requests": 0, "error": message,
        });
        say!("{out}");
    } else {
        eprintln!("error: {message}");
    }
    ExitCode::from(2)
}

fn profile() -> Result<AppPaths, String> {
    AppPaths::resolve(APP_IDENTIFIER).ok_or_else(|| "the app's folders cannot be found (no home folder)".to_string())
}

fn journal(paths: &AppPaths) -> Result<Journal, String> {
    Journal::in_profile(paths).map_err(|e| e.message)
}

fn journal_path(paths: &AppPaths) -> PathBuf {
    paths.data_dir.join("uploads.sqlite")
}

/// An account's client, the label its jobs are kept under (an app account's id; for a key, the
/// API address and the organisation, so a key of another account does not resume a job), and
/// for an app account the sessions registry that refreshes its login while the client is used.
struct Connection {
    client: YespoClient,
    account: String,
    _sessions: Option<Sessions>,
}

async fn connect(args: &AccountArgs, paths: &AppPaths) -> Result<Option<Connection>, AppError> {
    if let Some(url) = &args.api_url {
        let key = std::env::var(API_KEY_ENV).ok().map(|k| k.trim().to_string()).filter(|k| !k.is_empty());
        let key = key.ok_or_else(|| {
            AppError::validation(format!("--api-url needs the API key in the environment variable {API_KEY_ENV}"))
        })?;
        let client = YespoClient::builder(url, Auth::ApiKey(Secret::new(key))).build()?;
        let info = client.account_info().await?;
        let org = info.organisation_name.unwrap_or_default();
        let account = format!("api-key:{}:{org}", url.trim_end_matches('/'));
        return Ok(Some(Connection { client, account, _sessions: None }));
    }
    let Some(name) = &args.account else { return Ok(None) };
    let env = LoginEnv::new(AccountStore::new(&paths.config_dir), Arc::new(KeychainStore::default()))?;
    let accounts = env.accounts.load()?.accounts;
    let account = accounts
        .iter()
        .find(|a| a.id == *name)
        .or_else(|| accounts.iter().find(|a| a.name == *name))
        .ok_or_else(|| {
            let names: Vec<&str> = accounts.iter().map(|a| a.name.as_str()).collect();
            AppError::validation(format!("No account named '{name}' (the app has: {})", names.join(", ")))
        })?
        .clone();
    let sessions = Sessions::new(env);
    let client = sessions.client(&account.id).await?;
    Ok(Some(Connection { client, account: account.id, _sessions: Some(sessions) }))
}

fn bar(visible: bool, ready: u64) -> ProgressBar {
    if !visible {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(ready);
    bar.set_style(ProgressStyle::with_template("{bar:30} {pos}/{len} confirmed  {msg}").expect("a valid template"));
    bar
}

fn progress_sink(bar: ProgressBar) -> ProgressSink {
    Arc::new(move |p: UploadProgress| {
        bar.set_position(p.confirmed);
        let eta = p.eta_secs.map(|s| format!(", {}m{:02}s left", s / 60, s % 60)).unwrap_or_default();
        bar.set_message(format!(
            "sent {}  failed {}  in flight {}  {:.0} rows/s{eta}",
            p.sent, p.failed, p.in_flight, p.rate
        ));
    })
}

fn counts_json(c: &Counts) -> Value {
    json!({
        "rows": c.rows, "confirmed": c.confirmed, "rejected": c.rejected, "failed": c.failed,
        "superseded": c.superseded, "not_sent": c.not_sent, "unconfirmed": c.unconfirmed,
    })
}

/// The outcome counts as the text output shows them.
fn outcomes_text(c: &Counts) -> String {
    format!(
        "confirmed {}, rejected {}, failed {}, superseded {}, not sent {}, unconfirmed {}",
        c.confirmed, c.rejected, c.failed, c.superseded, c.not_sent, c.unconfirmed
    )
}

fn resume_hint(file: &Path, account: &AccountArgs) -> String {
    let who = match (&account.account, &account.api_url) {
        (Some(name), _) => format!(" --account '{name}'"),
        (_, Some(url)) => format!(" --api-url {url}"),
        _ => String::new(),
    };
    format!("yespo-admin-cli tokens upload '{}'{who} --resume", file.display())
}

pub fn upload(args: UploadArgs) -> ExitCode {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a tokio runtime");
    runtime.block_on(upload_async(args))
}

async fn upload_async(args: UploadArgs) -> ExitCode {
    let json = args.file.json;
    let paths = match profile() {
        Ok(p) => p,
        Err(e) => return cannot_run(json, None, &e),
    };
    if args.account.account.is_none() && args.account.api_url.is_none() && !args.dry_run {
        return cannot_run(
            json,
            None,
            &format!(
                "say which account: --account NAME (one of the app's), or --api-url URL with the key in {API_KEY_ENV}"
            ),
        );
    }
    let connected = match connect(&args.account, &paths).await {
        Ok(c) => c,
        Err(e) => return cannot_run(json, None, &e.message),
    };
    let journal_file = journal_path(&paths);
    let journal = match journal(&paths) {
        Ok(j) => j,
        Err(e) => return cannot_run(json, None, &e),
    };
    let watching = !json && std::io::stderr().is_terminal();
    let absolute = upload::absolute(&args.file.file);

    // What to send: a job to resume, or the file checked now.
    let (job, source, settings) = if args.resume {
        let Some(Connection { account, .. }) = &connected else {
            return cannot_run(json, None, "--resume needs the account the upload was started with");
        };
        let found: Option<JobRecord> = match journal.unfinished() {
            Ok(jobs) => jobs.into_iter().find(|j| Path::new(&j.job.file_path) == absolute),
            Err(e) => return cannot_run(json, None, &e.message),
        };
        let Some(record) = found else {
            return cannot_run(json, None, &format!("No unfinished upload of {} to resume", absolute.display()));
        };
        if let Err(e) = upload::may_resume(&record, account) {
            return cannot_run(json, Some(record.id), &e.message);
        }
        let settings = match upload::job_setup(&record) {
            Ok((_, settings)) => settings,
            Err(e) => return cannot_run(json, Some(record.id), &e.message),
        };
        let bar = output::progress_bar(watching, record.job.file_size);
        let reopened = upload::reopen(&record, &mut |p| bar.set_position(p.bytes));
        bar.finish_and_clear();
        let source = match reopened {
            Ok(s) => s,
            Err(e) => return cannot_run(json, Some(record.id), &e.message),
        };
        if !json {
            eprintln!("resuming job {} ({} rows)", record.id, record.job.rows);
        }
        (Some(record.id), source, settings)
    } else {
        let (file, mut choices) = match open(&args.file) {
            Ok(x) => x,
            Err(Failure { message, .. }) => return cannot_run(json, None, &message),
        };
        // The account's custom fields: columns match them by name, values are checked by type.
        if let Some(Connection { client, .. }) = &connected {
            if let Ok(books) = client.address_books().await {
                choices.account_fields = Some(AccountField::from_address_books(&books));
            }
        }
        let validation = match check(&file, &choices, watching) {
            Ok(v) => v,
            Err(e) => return cannot_run(json, None, &e),
        };
        let options = read_options(&args.file).unwrap_or_default();
        let settings = validation.summary.settings.clone();
        (None, UploadSource { file: Arc::new(file), validation: Arc::new(validation), read_options: options }, settings)
    };

    // Before anything is sent: the dry run and the rights check.
    let mut dry = upload::dry_run(&source.validation, &settings);
    let rights = match &connected {
        Some(c) => upload::check_rights(&c.client, settings.dedupe_on).await.map(Some),
        None => Ok(None),
    };
    dry.rights = match &rights {
        Ok(Some(seen)) => Some(seen.clone()),
        Ok(None) => Some("not checked: no account given".into()),
        Err(e) => Some(format!("refused: {}", e.message)),
    };
    if args.dry_run {
        output::dry_run(json, &dry);
        return if rights.is_err() || !dry.blockers.is_empty() { ExitCode::from(2) } else { ExitCode::SUCCESS };
    }
    if let Err(e) = rights {
        return cannot_run(json, job, &e.message);
    }
    if !dry.blockers.is_empty() {
        return cannot_run(json, job, &format!("not uploaded: {}", dry.blockers.join("; ")));
    }
    let Connection { client, account, _sessions } = connected.expect("checked above");
    let job = match job {
        Some(j) => j,
        None => {
            if let Ok(jobs) = journal.unfinished() {
                if let Some(old) = jobs.iter().find(|j| Path::new(&j.job.file_path) == absolute) {
                    eprintln!(
                        "note: job {} of this file is unfinished; this starts a new upload (add --resume to finish that one)",
                        old.id
                    );
                }
            }
            match upload::create_job(&journal, &source, &settings, &account) {
                Ok(j) => j,
                Err(e) => return cannot_run(json, None, &e.message),
            }
        }
    };
    if !json {
        eprintln!(
            "job {job}: {} contacts in {} requests to {} ({} rows rejected here, {} superseded)",
            dry.contacts, dry.requests, account, dry.rejected, dry.superseded
        );
    }

    // Ctrl-C cancels: nothing more is sent; requests in flight finish and are recorded.
    let cancel = CancellationToken::new();
    let ctrl_c = {
        let cancel = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("\ncancelling: no more requests; those in flight finish (Ctrl-C again to quit at once)");
                cancel.cancel();
                if tokio::signal::ctrl_c().await.is_ok() {
                    std::process::exit(130);
                }
            }
        })
    };
    let progress = bar(watching, dry.contacts);
    let options = UploadOptions { concurrency: args.concurrency as usize, ..UploadOptions::default() };
    let run = upload::run(
        &journal_file,
        job,
        client,
        source.clone(),
        options,
        progress_sink(progress.clone()),
        cancel.clone(),
    )
    .await;
    progress.finish_and_clear();
    ctrl_c.abort();
    let report = match run {
        Ok(r) => r,
        Err(e) => return cannot_run(json, Some(job), &e.message),
    };
    let mut written = None;
    if let Some(out) = &args.report {
        match report::write_csv(&journal, job, &source, out) {
            Ok(n) => written = Some(n),
            Err(e) => eprintln!("could not write the report {}: {}", out.display(), e.message),
        }
    }
    let resume = matches!(report.state, JobState::Cancelled | JobState::Interrupted)
        .then(|| resume_hint(&args.file.file, &args.account));
    let c = &report.counts;
    if json {
        let mut out = counts_json(c);
        let o = out.as_object_mut().expect("an object");
        o.insert("job".into(), json!(job));
        o.insert("state".into(), json!(report.state));
        o.insert("requests".into(), json!(report.requests));
        o.insert("error".into(), json!(report.error.as_ref().map(|e| e.message.clone())));
        o.insert("elapsedSecs".into(), json!(report.elapsed_secs));
        if let (Some(path), Some(n)) = (&args.report, written) {
            o.insert("report".into(), json!(path));
            o.insert("reportRows".into(), json!(n));
        }
        if let Some(hint) = &resume {
            o.insert("resume".into(), json!(hint));
        }
        say!("{out}");
    } else {
        say!(
            "job {job} {}: {} rows — {} ({} requests, {:.1} s)",
            report.state.as_str(),
            c.rows,
            outcomes_text(c),
            report.requests,
            report.elapsed_secs
        );
        if let Some(e) = &report.error {
            say!("stopped: {}", e.message);
        }
        if c.unconfirmed > 0 {
            say!(
                "Yespo has not confirmed {} rows yet: check later with `yespo-admin-cli tokens status {job}`",
                c.unconfirmed
            );
        }
        if let (Some(path), Some(n)) = (&args.report, written) {
            say!("{n} rows not confirmed written to {}", path.display());
        }
        if let Some(hint) = &resume {
            say!("to finish it: {hint}");
        }
    }
    match report.state {
        JobState::Interrupted | JobState::Failed => ExitCode::from(2),
        _ if c.rejected + c.failed + c.unconfirmed + c.not_sent > 0 => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    }
}

/// The full pass, with a bar when a person is watching.
fn check(file: &TokenFile, choices: &tokens::Choices, watching: bool) -> Result<tokens::Validation, String> {
    let bar = output::progress_bar(watching, file.source().size);
    let result = tokens::validate_file(file, choices, &mut |p| bar.set_position(p.bytes), &AtomicBool::new(false));
    bar.finish_and_clear();
    result.map_err(|e| e.message)
}

pub fn history(args: HistoryArgs) -> ExitCode {
    let jobs = profile().and_then(|p| journal(&p)).and_then(|j| {
        for job in &args.delete {
            if !j.delete_job(*job).map_err(|e| e.message)? {
                return Err(format!("No upload job {job}"));
            }
        }
        let records = j.history().map_err(|e| e.message)?;
        records
            .into_iter()
            .map(|r| report::summary(&j, r.id).map_err(|e| e.message))
            .collect::<Result<Vec<_>, String>>()
    });
    let jobs = match jobs {
        Ok(j) => j,
        Err(e) => return cannot_run(args.json, None, &e),
    };
    if args.json {
        say!("{}", json!({ "jobs": jobs }));
        return ExitCode::SUCCESS;
    }
    if jobs.is_empty() {
        say!("no uploads yet");
    }
    for j in &jobs {
        say!(
            "{:>4}  {}  {:<11} {:>8} rows  confirmed {:>8}  not confirmed {:>6}  {}  ({})",
            j.job,
            j.created_at,
            j.state.as_str(),
            j.counts.rows,
            j.counts.confirmed,
            j.counts.rows - j.counts.confirmed,
            j.file,
            j.account
        );
    }
    ExitCode::SUCCESS
}

pub fn status(args: StatusArgs) -> ExitCode {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime");
    runtime.block_on(status_async(args))
}

async fn status_async(args: StatusArgs) -> ExitCode {
    let json = args.json;
    let paths = match profile() {
        Ok(p) => p,
        Err(e) => return cannot_run(json, Some(args.job), &e),
    };
    let journal = match journal(&paths) {
        Ok(j) => j,
        Err(e) => return cannot_run(json, Some(args.job), &e),
    };
    let mut summary = match report::summary(&journal, args.job) {
        Ok(s) => s,
        Err(e) => return cannot_run(json, Some(args.job), &e.message),
    };
    // Sessions never confirmed: ask Yespo again when an account is given.
    if !summary.check_later.is_empty() {
        match connect(&args.account, &paths).await {
            Ok(Some(c)) => {
                if let Err(e) = upload::recheck(&journal_path(&paths), args.job, &c.client).await {
                    eprintln!("could not check again: {}", e.message);
                }
                summary = report::summary(&journal, args.job).unwrap_or(summary);
            }
            Ok(None) => eprintln!(
                "{} import sessions were never confirmed: add --account or --api-url to ask Yespo again",
                summary.check_later.len()
            ),
            Err(e) => eprintln!("could not check again: {}", e.message),
        }
    }
    let mut written = None;
    if let Some(out) = &args.report {
        let full = report_for(&journal, args.job, out).or_else(|why| {
            eprintln!("the report has lines, outcomes and reasons only: {why}");
            report::write_csv_from_journal(&journal, args.job, out).map_err(|e| e.message)
        });
        match full {
            Ok(n) => written = Some(n),
            Err(e) => return cannot_run(json, Some(args.job), &e),
        }
    }
    if json {
        let mut out = serde_json::to_value(&summary).expect("a summary serialises");
        let o = out.as_object_mut().expect("an object");
        o.insert("not_sent".into(), json!(summary.counts.not_sent));
        o.insert("error".into(), Value::Null);
        if let Some(n) = written {
            o.insert("reportRows".into(), json!(n));
        }
        say!("{out}");
    } else {
        let c = &summary.counts;
        say!("job {}: {} ({} → {})", summary.job, summary.state.as_str(), summary.file, summary.account);
        say!("started {}, last change {}", summary.created_at, summary.updated_at);
        say!(
            "rows {}: {}{}",
            c.rows,
            outcomes_text(c),
            if c.unaccounted > 0 { format!(", not yet known {}", c.unaccounted) } else { String::new() }
        );
        let b = &summary.batches;
        say!(
            "requests {} in {} batches: confirmed {}, failed {}, check later {}, waiting {}",
            summary.requests,
            b.total,
            b.confirmed,
            b.failed,
            b.unknown,
            b.queued + b.sending + b.sent
        );
        if let (Some(path), Some(n)) = (&args.report, written) {
            say!("{n} rows not confirmed written to {}", path.display());
        }
    }
    ExitCode::SUCCESS
}

/// The report CSV of a job, from its file read again with the job's recipe.
fn report_for(journal: &Journal, job: i64, out: &Path) -> Result<u64, String> {
    let record = journal.job(job).map_err(|e| e.message)?.ok_or_else(|| format!("No upload job {job}"))?;
    let source = upload::reopen(&record, &mut |_| {}).map_err(|e| e.message)?;
    report::write_csv(journal, job, &source, out).map_err(|e| e.message)
}
