//! `yespo-admin-cli`: the token pipeline from a terminal or a script, without a window.
//!
//! Exit codes of `tokens validate`: 0 every row is valid (warnings allowed), 1 some rows are
//! invalid, 2 the file is unusable (empty, unreadable, not a token file, structurally broken).
//! `tokens upload` (see [`upload`]): 0 every row sent was confirmed, 1 some rows were not, 2 the
//! job could not run. With `--json`, stdout is exactly one JSON object.

#[macro_use]
mod output;
mod upload;

use clap::{Args, Parser, Subcommand};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use yespo_core::paths::{AppPaths, APP_IDENTIFIER};
use yespo_core::tokens::map::MappingStore;
use yespo_core::tokens::{self, check::parse_dedupe, Choices, Mapping, ReadErrorKind, ReadOptions, TokenFile};

#[derive(Parser)]
#[command(name = "yespo-admin-cli", version, about = "Yespo Admin from the command line")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Mobile-push token files.
    #[command(subcommand)]
    Tokens(TokensCommand),
}

#[derive(Subcommand)]
enum TokensCommand {
    /// Read a token file and check every row; exit 0 when all rows are valid, 1 when some are
    /// invalid, 2 when the file cannot be used.
    Validate(ValidateArgs),
    /// Show the first rows of a token file, parsed and checked (no full pass).
    Preview(PreviewArgs),
    /// Upload a token file to a Yespo account: every row checked, sent in requests of at most
    /// 3000 contacts, confirmed through Yespo's import status; resumable. Exit 0 when every row
    /// sent was confirmed, 1 when some rows were rejected, failed or not confirmed, 2 when the
    /// job could not run.
    Upload(upload::UploadArgs),
    /// The uploads made from this profile (the app's and the command line's), newest first.
    History(upload::HistoryArgs),
    /// One upload: its counts and batches; asks Yespo again about imports never confirmed.
    Status(upload::StatusArgs),
}

#[derive(Args)]
pub(crate) struct FileArgs {
    /// The token file (Yespo JSON, a JSON array, NDJSON, CSV/TSV in any encoding, XLSX).
    pub(crate) file: PathBuf,
    /// The column mapping as JSON (from the app or an earlier `--json` run's `mapping`).
    #[arg(long, value_name = "MAP.json")]
    mapping: Option<PathBuf>,
    /// The file's encoding, when the detected one is wrong (utf-8, windows-1251, utf-16le…).
    #[arg(long, value_name = "NAME")]
    encoding: Option<String>,
    /// The CSV delimiter, when the detected one is wrong (`;`, `,`, `tab`, `|`).
    #[arg(long, value_name = "C")]
    delimiter: Option<String>,
    /// The format, when the detected one is wrong (yespo-json, json-array, ndjson, csv, xlsx).
    #[arg(long, value_name = "FORMAT")]
    format: Option<String>,
    /// What Yespo matches contacts on (email, sms, push, email_or_sms, id, externalCustomerId,
    /// fieldId); default: the file's own, else the push token.
    #[arg(long, value_name = "KEY")]
    dedupe_on: Option<String>,
    /// The custom field id for `--dedupe-on fieldId`.
    #[arg(long, value_name = "ID")]
    field_id: Option<i64>,
    /// The Yespo app id (a UUID) for push tokens the file gives without one.
    #[arg(long, value_name = "UUID")]
    app_id: Option<String>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub(crate) json: bool,
    /// Remember the mapping used for files with these columns (in the app's data folder; the app
    /// and later runs use it when no `--mapping` is given).
    #[arg(long)]
    save_mapping: bool,
}

#[derive(Args)]
struct ValidateArgs {
    #[command(flatten)]
    file: FileArgs,
    /// Write the invalid rows to this CSV (the file's columns plus `line` and `problem`).
    #[arg(long, value_name = "OUT.csv")]
    problems: Option<PathBuf>,
}

#[derive(Args)]
struct PreviewArgs {
    #[command(flatten)]
    file: FileArgs,
    /// How many rows.
    #[arg(long, default_value_t = 20)]
    rows: usize,
}

/// A failure before or during the pass: the message, and whether the file itself is the cause.
pub(crate) struct Failure {
    pub(crate) message: String,
    detected: Option<tokens::Detected>,
}

fn main() -> ExitCode {
    flat_memory();
    let cli = Cli::parse();
    match cli.command {
        Command::Tokens(TokensCommand::Validate(args)) => validate(args),
        Command::Tokens(TokensCommand::Preview(args)) => preview(args),
        Command::Tokens(TokensCommand::Upload(args)) => upload::upload(args),
        Command::Tokens(TokensCommand::History(args)) => upload::history(args),
        Command::Tokens(TokensCommand::Status(args)) => upload::status(args),
    }
}

/// glibc raises its mmap threshold each time a big block (a 1.5 MB request body, a 1 MB read
/// block) is freed, after which such blocks come from the heap and fragment it: an upload of a
/// million rows then peaks near 200 MB instead of 66 MB. A fixed threshold (which also turns
/// the raising off) keeps big blocks in their own mappings, returned to the system when freed.
fn flat_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tunable of the C allocator, before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

pub(crate) fn read_options(args: &FileArgs) -> Result<ReadOptions, String> {
    let delimiter = match args.delimiter.as_deref() {
        None => None,
        Some("tab" | "\\t" | "\t") => Some('\t'),
        Some(d) if d.chars().count() == 1 => d.chars().next(),
        Some(d) => return Err(format!("--delimiter '{d}': give one character (or 'tab')")),
    };
    let format = match args.format.as_deref() {
        None => None,
        Some(f) => Some(
            tokens::Format::parse(f)
                .ok_or_else(|| format!("--format '{f}': one of yespo-json, json-array, ndjson, csv, xlsx"))?,
        ),
    };
    Ok(ReadOptions { format, encoding: args.encoding.clone(), delimiter })
}

fn choices(args: &FileArgs) -> Result<Choices, String> {
    let mapping = match &args.mapping {
        None => None,
        Some(path) => {
            let bytes = std::fs::read(path).map_err(|e| format!("--mapping {}: {e}", path.display()))?;
            Some(
                serde_json::from_slice::<Mapping>(&bytes)
                    .map_err(|e| format!("--mapping {}: not a mapping: {e}", path.display()))?,
            )
        }
    };
    let dedupe_on = match args.dedupe_on.as_deref() {
        None => None,
        Some("mobilepush") => return Err("--dedupe-on mobilepush: Yespo's API spells it 'push'".into()),
        Some(k) => Some(parse_dedupe(k).ok_or_else(|| {
            format!("--dedupe-on '{k}': one of email, sms, push, email_or_sms, id, externalCustomerId, fieldId")
        })?),
    };
    if let Some(app) = &args.app_id {
        if !tokens::rules::looks_like_uuid(app) {
            return Err(format!("--app-id '{app}' is not a Yespo app id (a UUID)"));
        }
    }
    Ok(Choices { mapping, dedupe_on, field_id: args.field_id, app_id: args.app_id.clone(), account_fields: None })
}

pub(crate) fn open(args: &FileArgs) -> Result<(TokenFile, Choices), Failure> {
    let options = read_options(args).map_err(|message| Failure { message, detected: None })?;
    let mut choices = choices(args).map_err(|message| Failure { message, detected: None })?;
    let file = TokenFile::open(&args.file, &options).map_err(|e| Failure { message: e.message, detected: None })?;
    // A mapping remembered for these columns (by the app or `--save-mapping`) unless one is given.
    let store = AppPaths::resolve(APP_IDENTIFIER).map(|p| MappingStore::in_profile(&p));
    if let (None, Some(store), Some(columns)) = (&choices.mapping, &store, file.columns()) {
        choices.mapping = store.get(columns);
    }
    if args.save_mapping {
        if let (Some(store), Some(columns)) = (&store, file.columns()) {
            let mapping = file.plan(&choices).mapping;
            store.save(columns, &mapping).map_err(|e| Failure {
                message: format!("could not save the mapping: {e}"),
                detected: Some(file.detected().clone()),
            })?;
        }
    }
    Ok((file, choices))
}

fn validate(args: ValidateArgs) -> ExitCode {
    let json = args.file.json;
    let (file, choices) = match open(&args.file) {
        Ok(x) => x,
        Err(f) => return output::unusable(json, f.message, f.detected),
    };
    let bar =
        output::progress_bar(std::io::stdout().is_terminal() && std::io::stderr().is_terminal(), file.source().size);
    let cancel = AtomicBool::new(false);
    let result = tokens::validate_file(&file, &choices, &mut |p| bar.set_position(p.bytes), &cancel);
    bar.finish_and_clear();
    let validation = match result {
        Ok(v) => v,
        Err(e) if e.kind == ReadErrorKind::Unusable => {
            return output::unusable(json, e.message, Some(file.detected().clone()))
        }
        Err(e) => return output::unusable(json, e.message, Some(file.detected().clone())),
    };
    let mut problems_written = None;
    if let Some(out) = &args.problems {
        match validation.export_problems(&file, out, false) {
            Ok(n) => problems_written = Some(n),
            Err(e) => {
                eprintln!("could not write {}: {}", out.display(), e.message);
                return ExitCode::from(2);
            }
        }
    }
    let plan = file.plan(&choices);
    output::summary(
        json,
        &validation.summary,
        &plan.mapping,
        file.columns(),
        args.problems.as_deref(),
        problems_written,
    );
    if validation.summary.invalid > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn preview(args: PreviewArgs) -> ExitCode {
    let json = args.file.json;
    let (file, choices) = match open(&args.file) {
        Ok(x) => x,
        Err(f) => return output::unusable(json, f.message, f.detected),
    };
    let plan = file.plan(&choices);
    match tokens::preview(&file, plan, args.rows) {
        Ok(rows) => {
            output::rows(json, file.detected(), file.columns(), &rows);
            ExitCode::SUCCESS
        }
        Err(e) => output::unusable(json, e.message, Some(file.detected().clone())),
    }
}
