//! Export of a list (a contact search, a segment's members, messages, segments) to CSV: read
//! from Yespo page by page through the account's client (its rate limits), written as it comes
//! to a temporary file beside the target, which takes the target's name only when complete. A
//! cancel or a failure leaves no partial file behind.

use super::contacts::{ContactSource, PAGE as CONTACT_PAGE};
use super::messages::{MessageKind, MessageLists};
use super::segments::{SegmentLists, SegmentQuery};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::yespo::models::Contact;
use crate::yespo::YespoClient;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// What to export.
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum ExportSource {
    Contacts(ContactSource),
    Messages { kind: MessageKind, search: String },
    Segments(SegmentQuery),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum ExportState {
    Running,
    Done,
    Cancelled,
    Failed,
}

/// Where an export is: sent at most every 100 ms, and at every change of state.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportProgress {
    pub state: ExportState,
    pub rows: u64,
    /// Rows Yespo said there are, when it said.
    pub total: Option<u64>,
    pub requests: u32,
    pub path: String,
    pub error: Option<AppError>,
}

/// The least time between two progress reports while running.
const REPORT_EVERY: Duration = Duration::from_millis(100);

struct Writer {
    csv: csv::Writer<std::io::BufWriter<tempfile::NamedTempFile>>,
    progress: ExportProgress,
    last_report: Option<Instant>,
}

impl Writer {
    fn row(&mut self, cells: &[String]) -> AppResult<()> {
        self.csv.write_record(cells.iter().map(|c| defuse(c).into_owned())).map_err(write_error)?;
        self.progress.rows += 1;
        Ok(())
    }

    fn report(&mut self, sink: &(dyn Fn(ExportProgress) + Sync), force: bool) {
        if force || self.last_report.is_none_or(|t| t.elapsed() >= REPORT_EVERY) {
            self.last_report = Some(Instant::now());
            sink(self.progress.clone());
        }
    }
}

fn write_error(e: impl std::fmt::Display) -> AppError {
    AppError::internal("The CSV file could not be written").with_details(e.to_string())
}

/// A cell a spreadsheet would run as a formula (`=`, `@`, or `+`/`-` not starting a number)
/// gets a leading apostrophe; phone numbers such as `+380…` stay as they are.
fn defuse(cell: &str) -> std::borrow::Cow<'_, str> {
    let mut chars = cell.chars();
    let risky = match chars.next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some('+' | '-') => !chars.next().is_some_and(|c| c.is_ascii_digit() || c == ' ' || c == '('),
        _ => false,
    };
    if risky {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// Where an export reads from: the account's client and the caches the screens share (a message
/// search already read costs no read again).
pub struct ExportFrom<'a> {
    pub client: &'a YespoClient,
    pub account: &'a str,
    pub messages: &'a MessageLists,
    pub segments: &'a SegmentLists,
}

/// Exports `source` to `out`, reporting to `sink`. Returns the last progress (done, cancelled
/// or failed); only a problem with the target file itself is an `Err`.
pub async fn export(
    from: &ExportFrom<'_>,
    source: &ExportSource,
    out: &Path,
    cancel: &CancellationToken,
    sink: &(dyn Fn(ExportProgress) + Sync),
) -> AppResult<ExportProgress> {
    let dir =
        out.parent().filter(|d| !d.as_os_str().is_empty()).map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
    let temp =
        tempfile::Builder::new().prefix(".yespo-export-").suffix(".part").tempfile_in(&dir).map_err(write_error)?;
    let mut buffered = std::io::BufWriter::new(temp);
    // UTF-8 with a BOM, so Excel reads names in any script.
    buffered.write_all(b"\xef\xbb\xbf").map_err(write_error)?;
    let mut w = Writer {
        csv: csv::WriterBuilder::new().from_writer(buffered),
        progress: ExportProgress {
            state: ExportState::Running,
            rows: 0,
            total: None,
            requests: 0,
            path: out.display().to_string(),
            error: None,
        },
        last_report: None,
    };
    w.report(sink, true);
    let outcome = tokio::select! {
        biased;
        _ = cancel.cancelled() => Err(AppError::new(ErrorCode::Cancelled, "The export was cancelled")),
        r = write_all(from, source, &mut w, cancel, sink) => r,
    };
    let state = match outcome {
        Ok(()) => {
            let file = w.csv.into_inner().map_err(|e| write_error(e.error()))?;
            let file = file.into_inner().map_err(|e| write_error(e.error()))?;
            file.persist(out).map_err(|e| write_error(e.error))?;
            ExportProgress { state: ExportState::Done, ..w.progress }
        }
        // Dropping the writer removes the temporary file.
        Err(e) if e.code == ErrorCode::Cancelled => ExportProgress { state: ExportState::Cancelled, ..w.progress },
        Err(e) => ExportProgress { state: ExportState::Failed, error: Some(e), ..w.progress },
    };
    sink(state.clone());
    Ok(state)
}

async fn write_all(
    from: &ExportFrom<'_>,
    source: &ExportSource,
    w: &mut Writer,
    cancel: &CancellationToken,
    sink: &(dyn Fn(ExportProgress) + Sync),
) -> AppResult<()> {
    match source {
        ExportSource::Contacts(contacts) => write_contacts(from.client, contacts, w, cancel, sink).await,
        ExportSource::Messages { kind, search } => {
            w.csv
                .write_record(["id", "type", "name", "subject_or_text", "from", "tags", "language", "languages"])
                .map_err(write_error)?;
            let kind_text = match kind {
                MessageKind::Email => "email",
                MessageKind::Sms => "sms",
                MessageKind::Push => "mobilepush",
            };
            let mut start = 0u64;
            loop {
                let page =
                    from.messages.rows(from.client, from.account, *kind, search, start, super::messages::PAGE).await?;
                w.progress.requests += 1;
                w.progress.total = page.total;
                for r in &page.rows {
                    w.row(&[
                        r.id.to_string(),
                        kind_text.into(),
                        r.name.clone().unwrap_or_default(),
                        r.summary.clone().unwrap_or_default(),
                        r.from.clone().unwrap_or_default(),
                        r.tags.join("; "),
                        r.language.clone().unwrap_or_default(),
                        r.languages.join("; "),
                    ])?;
                }
                w.report(sink, false);
                if page.last || cancel.is_cancelled() {
                    return Ok(());
                }
                start += page.rows.len() as u64;
            }
        }
        ExportSource::Segments(query) => {
            let list = from.segments.list(from.client, from.account, query).await?;
            w.progress.requests += 1;
            w.progress.total = Some(list.rows.len() as u64);
            w.csv.write_record(["id", "name", "type"]).map_err(write_error)?;
            for s in &list.rows {
                w.row(&[s.id.to_string(), s.name.clone(), s.kind_text.clone().unwrap_or_default()])?;
            }
            Ok(())
        }
    }
}

async fn write_contacts(
    client: &YespoClient,
    source: &ContactSource,
    w: &mut Writer,
    cancel: &CancellationToken,
    sink: &(dyn Fn(ExportProgress) + Sync),
) -> AppResult<()> {
    // The account's custom fields become columns by name (a field's id when it has none).
    let fields = client
        .address_books()
        .await
        .map(|b| crate::tokens::map::AccountField::from_address_books(&b))
        .unwrap_or_default();
    w.progress.requests += 1;
    let mut header: Vec<String> = [
        "id",
        "externalCustomerId",
        "firstName",
        "lastName",
        "email",
        "sms",
        "languageCode",
        "timeZone",
        "mobilepushDevices",
        "mobilepushAppIds",
        "webpushSubscriptions",
        "segments",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header.extend(
        fields.iter().map(|f| format!("field:{}", if f.name.is_empty() { f.id.to_string() } else { f.name.clone() })),
    );
    w.csv.write_record(&header).map_err(write_error)?;
    // An unfiltered search is ordered by contact id: Yespo's default order (the last update)
    // would move contacts between pages if one changed during the export.
    let source = match source {
        ContactSource::Search(q) if q.search() == Default::default() => None,
        other => Some(other),
    };
    let mut start = 1;
    loop {
        if cancel.is_cancelled() {
            return Err(AppError::new(ErrorCode::Cancelled, "The export was cancelled"));
        }
        let page = match source {
            None => {
                let all = crate::yespo::ContactSearch { sort_by_id: true, ..Default::default() };
                client.search_contacts(&all, start, CONTACT_PAGE).await?
            }
            Some(s) => s.fetch(client, start, CONTACT_PAGE).await?,
        };
        w.progress.requests += 1;
        if page.total.is_some() {
            w.progress.total = page.total;
        }
        for c in &page.items {
            w.row(&contact_cells(c, &fields))?;
        }
        w.report(sink, false);
        if page.items.len() < CONTACT_PAGE {
            return Ok(());
        }
        start += page.items.len();
    }
}

fn contact_cells(c: &Contact, fields: &[crate::tokens::map::AccountField]) -> Vec<String> {
    let of = |kind: &'static str| c.channels.iter().filter(move |ch| ch.kind.as_deref() == Some(kind));
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut app_ids: Vec<String> =
        of("mobilepush").filter_map(|ch| ch.device.as_ref().and_then(|d| d.app_id.clone())).collect();
    app_ids.dedup();
    let mut cells = vec![
        c.id.map(|id| id.to_string()).unwrap_or_default(),
        text(&c.external_customer_id),
        text(&c.first_name),
        text(&c.last_name),
        c.channel("email").unwrap_or_default().to_string(),
        c.channel("sms").unwrap_or_default().to_string(),
        text(&c.language_code),
        text(&c.time_zone),
        of("mobilepush").count().to_string(),
        app_ids.join("; "),
        of("webpush").count().to_string(),
        c.groups.iter().filter_map(|g| g.name.clone()).collect::<Vec<_>>().join("; "),
    ];
    cells.extend(
        fields.iter().map(|f| c.fields.iter().find(|v| v.id == f.id).and_then(|v| v.value.clone()).unwrap_or_default()),
    );
    cells
}

#[cfg(test)]
mod tests {
    use super::defuse;

    #[test]
    fn formulas_are_defused_and_phone_numbers_kept() {
        assert_eq!(defuse("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defuse("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(defuse("-cmd|' /C calc'!A0"), "'-cmd|' /C calc'!A0");
        assert_eq!(defuse("+380671234567"), "+380671234567");
        assert_eq!(defuse("-12.5"), "-12.5");
        assert_eq!(defuse("Anna"), "Anna");
        assert_eq!(defuse(""), "");
    }
}
