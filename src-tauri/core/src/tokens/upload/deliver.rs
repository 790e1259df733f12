//! One batch's way to Yespo: sent (re-sent through server errors and dropped connections, which
//! is safe: Yespo upserts by the dedupe key), confirmed by polling its import session, settled
//! row by row in the journal.

use super::progress::{BatchChange, Tracker};
use super::{SharedJournal, UploadOptions};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::tokens::journal::{BatchState, ConfirmedRow, Journal, OutcomeRow, RowOutcome};
use crate::tokens::settings::ImportSettings;
use crate::tokens::validate::Batch;
use crate::yespo::models::{Contact, ContactsBulkUpdate, DedupeOn, ImportSessionStatus};
use crate::yespo::YespoClient;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;

/// A row of a sent batch and the key Yespo's import mapping names it by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowKey {
    #[serde(rename = "r")]
    pub row: u64,
    #[serde(rename = "l")]
    pub line: u64,
    #[serde(rename = "k")]
    pub key: Option<String>,
    /// Why Yespo refused the contact when it answered the request (`failedContacts`); kept with
    /// the key so a resume or a re-check reports Yespo's own reason.
    #[serde(rename = "e", default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The key Yespo matches a contact on, and echoes as `dedupeValue`: its `externalCustomerId`
/// when it has one (it wins over `dedupeOn`), else the `dedupeOn` value.
pub fn key_of(c: &Contact, dedupe: DedupeOn, field_id: Option<i64>) -> Option<String> {
    if let Some(x) = &c.external_customer_id {
        return Some(x.clone());
    }
    match dedupe {
        DedupeOn::Email => c.channel("email").map(str::to_string),
        DedupeOn::Sms => c.channel("sms").map(str::to_string),
        DedupeOn::Push => c.channel("mobilepush").map(str::to_string),
        DedupeOn::EmailOrSms => c.channel("sms").or_else(|| c.channel("email")).map(str::to_string),
        DedupeOn::Id => c.id.map(|id| id.to_string()),
        DedupeOn::ExternalCustomerId => None,
        DedupeOn::FieldId => field_id.and_then(|f| c.fields.iter().find(|x| x.id == f)).and_then(|x| x.value.clone()),
    }
}

/// A looser form of a key, for values Yespo may echo normalised (case, a phone's punctuation).
fn loose(key: &str) -> String {
    let t = key.trim();
    let phone_like = !t.is_empty() && t.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if phone_like {
        t.chars().filter(char::is_ascii_digit).collect()
    } else {
        t.to_lowercase()
    }
}

/// Finds a batch's rows by the key Yespo names them by: exactly, else in the looser form (built
/// on the first miss only; Yespo echoes what it was sent).
struct KeyIndex<'a> {
    keys: &'a [RowKey],
    exact: HashMap<&'a str, Vec<usize>>,
    loose: std::cell::OnceCell<HashMap<String, Vec<usize>>>,
}

impl<'a> KeyIndex<'a> {
    fn new(keys: &'a [RowKey]) -> KeyIndex<'a> {
        let mut exact: HashMap<&str, Vec<usize>> = HashMap::with_capacity(keys.len());
        for (i, k) in keys.iter().enumerate() {
            if let Some(key) = &k.key {
                exact.entry(key.as_str()).or_default().push(i);
            }
        }
        KeyIndex { keys, exact, loose: std::cell::OnceCell::new() }
    }

    fn find(&self, key: &str) -> &[usize] {
        if let Some(rows) = self.exact.get(key) {
            return rows;
        }
        let by_loose = self.loose.get_or_init(|| {
            let mut map: HashMap<String, Vec<usize>> = HashMap::new();
            for (i, k) in self.keys.iter().enumerate() {
                if let Some(key) = &k.key {
                    map.entry(loose(key)).or_default().push(i);
                }
            }
            map
        });
        by_loose.get(&loose(key)).map_or(&[], Vec::as_slice)
    }
}

/// The rows Yespo refused when it answered the request, by position in `keys`, with why.
fn refused(keys: &[RowKey]) -> HashMap<usize, String> {
    keys.iter().enumerate().filter_map(|(i, k)| k.error.clone().map(|e| (i, e))).collect()
}

/// How a finished (or failed) import session settles a batch's rows: its new state, the error,
/// the confirmed rows and the others' outcomes. Rows Yespo refused when it answered the request
/// (`RowKey::error`) fail with its reason.
pub fn settle_status(
    keys: &[RowKey],
    status: &ImportSessionStatus,
) -> (BatchState, Option<String>, Vec<ConfirmedRow>, Vec<OutcomeRow>) {
    let failed = refused(keys);
    let mut outcomes: Vec<OutcomeRow> = failed
        .iter()
        .map(|(i, why)| (keys[*i].row, keys[*i].line, RowOutcome::Failed, Some(format!("Yespo: {why}"))))
        .collect();
    if status.status.as_deref() == Some("ERROR") {
        let why = format!(
            "Yespo's import of this request ended in ERROR{}",
            status.description.as_deref().map(|d| format!(": {d}")).unwrap_or_default()
        );
        outcomes.extend(
            keys.iter()
                .enumerate()
                .filter(|(i, _)| !failed.contains_key(i))
                .map(|(_, k)| (k.row, k.line, RowOutcome::Failed, Some(why.clone()))),
        );
        outcomes.sort_unstable_by_key(|o| o.0);
        return (BatchState::Failed, Some(why), Vec::new(), outcomes);
    }
    let index = KeyIndex::new(keys);
    let mut ids: Vec<Option<Option<i64>>> = vec![None; keys.len()];
    for m in &status.mapping {
        if let Some(value) = &m.dedupe_value {
            for &i in index.find(value) {
                ids[i] = Some(m.contact_id);
            }
        }
    }
    let mut confirmed = Vec::with_capacity(keys.len());
    for (i, k) in keys.iter().enumerate() {
        if failed.contains_key(&i) {
            continue;
        }
        match ids[i] {
            Some(id) => confirmed.push((k.row, id)),
            // Yespo said FINISHED and sent no mapping at all: its word is all there is.
            None if status.mapping.is_empty() => confirmed.push((k.row, None)),
            None => outcomes.push((
                k.row,
                k.line,
                RowOutcome::Failed,
                Some(
                    "Yespo finished the import without this contact (a contact deleted in Yespo is skipped unless \
                     restoreDeleted is on)"
                        .into(),
                ),
            )),
        }
    }
    outcomes.sort_unstable_by_key(|o| o.0);
    (BatchState::Confirmed, None, confirmed, outcomes)
}

/// What polling an import session came to.
enum Poll {
    Done(ImportSessionStatus),
    /// Yespo does not know the session (only trusted on resume: the batch is sent again).
    NotFound,
    /// No final status within the time allowed, or the run stopped: why.
    GaveUp(String),
}

/// The state one run's tasks share.
pub struct Ctx {
    job: i64,
    client: YespoClient,
    journal: SharedJournal,
    settings: ImportSettings,
    options: UploadOptions,
    /// The user's cancel.
    cancel: CancellationToken,
    /// Stops sending: the user's cancel, or an interruption.
    stop: CancellationToken,
    interruption: Mutex<Option<AppError>>,
    send_slots: Arc<Semaphore>,
    pending: Arc<Semaphore>,
    tracker: Arc<Tracker>,
}

impl Ctx {
    pub fn new(
        job: i64,
        client: YespoClient,
        journal: Journal,
        settings: ImportSettings,
        options: UploadOptions,
        cancel: CancellationToken,
        tracker: Arc<Tracker>,
    ) -> Ctx {
        let stop = cancel.child_token();
        Ctx {
            job,
            client,
            journal: Mutex::new(journal),
            send_slots: Arc::new(Semaphore::new(options.concurrency.max(1))),
            pending: Arc::new(Semaphore::new(options.max_pending.max(options.concurrency).max(1))),
            settings,
            options,
            cancel,
            stop,
            interruption: Mutex::new(None),
            tracker,
        }
    }

    pub fn journal(&self) -> MutexGuard<'_, Journal> {
        self.journal.lock().expect("journal lock")
    }

    pub fn cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    pub fn interruption(&self) -> Option<AppError> {
        self.interruption.lock().expect("interruption lock").clone()
    }

    /// Stops the run for a reason outside it (network gone, login ended, rights missing).
    fn interrupt(&self, e: AppError) {
        let mut slot = self.interruption.lock().expect("interruption lock");
        if slot.is_none() {
            tracing::warn!(code = e.code.as_str(), message = %e.message, "upload interrupted");
            *slot = Some(e);
        }
        self.stop.cancel();
    }

    /// A place among the batches in memory (sending or waiting for confirmation).
    pub async fn pending_slot(&self) -> OwnedSemaphorePermit {
        self.pending.clone().acquire_owned().await.expect("the semaphore is never closed")
    }

    /// A request slot. Taken before a batch's task starts, so at most `concurrency` batches hold
    /// their contacts at once (the reader waits meanwhile), whatever the number pending.
    pub async fn send_slot(&self) -> OwnedSemaphorePermit {
        self.send_slots.clone().acquire_owned().await.expect("the semaphore is never closed")
    }

    /// Records the rows a batch carries that are not sent (rejected, superseded).
    pub fn set_aside(&self, batch: &Batch) -> AppResult<()> {
        if batch.skipped.is_empty() {
            return Ok(());
        }
        let rows: Vec<OutcomeRow> = batch
            .skipped
            .iter()
            .map(|s| {
                let outcome = if s.superseded { RowOutcome::Superseded } else { RowOutcome::Rejected };
                (s.row, s.line, outcome, Some(s.reason.clone()))
            })
            .collect();
        self.journal().record_outcomes(self.job, &rows)?;
        let superseded = batch.skipped.iter().filter(|s| s.superseded).count() as u64;
        Tracker::add(&self.tracker.superseded, superseded);
        Tracker::add(&self.tracker.rejected, batch.skipped.len() as u64 - superseded);
        Tracker::add(&self.tracker.read, batch.skipped.len() as u64);
        Ok(())
    }

    /// A batch settled by an earlier run: its counts, for the progress.
    pub fn count_settled(&self, batch: &Batch) -> AppResult<()> {
        let (first, last) = (batch.rows[0], *batch.rows.last().expect("a batch has rows"));
        let (confirmed, failed) = self.journal().range_counts(self.job, first, last)?;
        Tracker::add(&self.tracker.sent, batch.rows.len() as u64);
        Tracker::add(&self.tracker.confirmed, confirmed);
        Tracker::add(&self.tracker.confirmed_before, confirmed);
        Tracker::add(&self.tracker.failed, failed);
        Ok(())
    }

    fn request(&self, contacts: Vec<Contact>) -> ContactsBulkUpdate {
        let s = &self.settings;
        let mut r = ContactsBulkUpdate::new(contacts, s.dedupe_on);
        r.field_id = if s.dedupe_on == DedupeOn::FieldId { s.field_id } else { None };
        if !s.update_all_fields {
            r.contact_fields = Some(s.contact_fields.clone());
            // An empty list: no custom field is touched (leaving it out would update them all).
            r.custom_fields_ids = Some(s.custom_fields_ids.clone());
        } else if !s.custom_fields_ids.is_empty() {
            r.custom_fields_ids = Some(s.custom_fields_ids.clone());
        }
        r.group_names = s.group_names.clone();
        r.group_names_exclude = s.group_names_exclude.clone();
        r.restore_deleted = Some(s.restore_deleted);
        r.event_key_for_new_contacts = s.event_key_for_new_contacts.clone();
        r
    }

    /// The rows' keys a sent batch left in the journal, if readable.
    fn kept_keys(&self, index: u64) -> Option<Vec<RowKey>> {
        let text = self.journal().batch_keys(self.job, index).ok()??;
        serde_json::from_str(&text).ok()
    }

    fn change(&self, index: u64, state: BatchState, contacts: usize) {
        self.tracker.batch(BatchChange { index, state, contacts: contacts as u64 });
    }

    /// Sends batch `index` (or, with `session`, first asks Yespo about the session an earlier
    /// run got for it) and settles its rows.
    pub async fn deliver(
        self: Arc<Self>,
        index: u64,
        batch: Batch,
        session: Option<String>,
        _permit: OwnedSemaphorePermit,
        mut send_slot: Option<OwnedSemaphorePermit>,
    ) -> AppResult<()> {
        let n = batch.contacts.len();
        let mut keys: Vec<RowKey> = batch
            .contacts
            .iter()
            .zip(batch.rows.iter().zip(&batch.lines))
            .map(|(c, (row, line))| RowKey {
                row: *row,
                line: *line,
                key: key_of(c, self.settings.dedupe_on, self.settings.field_id),
                error: None,
            })
            .collect();
        if let Some(session) = session {
            // The keys the earlier run kept carry the contacts Yespo refused when it answered.
            if let Some(kept) = self.kept_keys(index).filter(|k| k.len() == keys.len()) {
                keys = kept;
            }
            Tracker::add(&self.tracker.sent, n as u64);
            match self.poll(&session, true).await {
                Poll::Done(status) => return self.settle(index, &keys, &status),
                Poll::GaveUp(why) => return self.settle_unknown(index, &keys, &session, &why),
                // Yespo does not know it: the request never arrived. Send it.
                Poll::NotFound => Tracker::sub(&self.tracker.sent, n as u64),
            }
        }
        let mut request = self.request(batch.contacts);
        let mut errors = 0u32;
        loop {
            if self.stop.is_cancelled() {
                return self.settle_not_sent(index, &keys);
            }
            let permit = match send_slot.take() {
                Some(p) => p,
                None => tokio::select! {
                    p = self.send_slot() => p,
                    _ = self.stop.cancelled() => return self.settle_not_sent(index, &keys),
                },
            };
            let attempt = self.journal().batch_sending(self.job, index)?;
            self.change(index, BatchState::Sending, n);
            Tracker::add(&self.tracker.in_flight, 1);
            Tracker::add(&self.tracker.requests, 1);
            let answer = self.client.add_contacts(&request).await;
            Tracker::sub(&self.tracker.in_flight, 1);
            drop(permit);
            match answer {
                Ok(answer) => {
                    let mut refused: Vec<(usize, String)> = Vec::new();
                    if !answer.failed_contacts.is_empty() {
                        let index_of = KeyIndex::new(&keys);
                        for f in &answer.failed_contacts {
                            let why = f.error.clone().unwrap_or_else(|| "refused without a reason".into());
                            let key = key_of(&f.contact, self.settings.dedupe_on, self.settings.field_id);
                            match key.as_deref().map(|k| index_of.find(k)).filter(|rows| !rows.is_empty()) {
                                Some(rows) => refused.extend(rows.iter().map(|i| (*i, why.clone()))),
                                None => tracing::warn!("Yespo refused a contact this batch cannot name; its row is settled by the import's mapping"),
                            }
                        }
                    }
                    for (i, why) in refused {
                        keys[i].error = Some(why);
                    }
                    let Some(session) = answer.async_session_id.filter(|s| !s.trim().is_empty()) else {
                        let why = answer
                            .error_message
                            .filter(|m| !m.trim().is_empty())
                            .unwrap_or_else(|| "Yespo accepted the request but started no import session".into());
                        let status = ImportSessionStatus {
                            status: Some("ERROR".into()),
                            description: Some(why),
                            ..ImportSessionStatus::default()
                        };
                        return self.settle(index, &keys, &status);
                    };
                    // The contacts are no longer needed: free them while the import runs.
                    request.contacts = Vec::new();
                    let keys_json = serde_json::to_string(&keys).map_err(|e| AppError::internal(e.to_string()))?;
                    self.journal().batch_sent(self.job, index, &session, &keys_json)?;
                    Tracker::add(&self.tracker.sent, n as u64);
                    self.change(index, BatchState::Sent, n);
                    return match self.poll(&session, false).await {
                        Poll::Done(status) => self.settle(index, &keys, &status),
                        Poll::GaveUp(why) => self.settle_unknown(index, &keys, &session, &why),
                        Poll::NotFound => {
                            self.settle_unknown(index, &keys, &session, "Yespo does not know the import session")
                        }
                    };
                }
                Err(e) if stops_the_job(&e) => {
                    self.interrupt(e);
                    return self.settle_not_sent(index, &keys);
                }
                Err(e) if transient(&e) => {
                    errors += 1;
                    tracing::info!(batch = index, attempt, code = e.code.as_str(), "a batch will be sent again");
                    self.journal().set_batch(self.job, index, BatchState::Queued, None, Some(&e.message))?;
                    if errors >= self.options.send_attempts {
                        self.interrupt(e);
                        return self.settle_not_sent(index, &keys);
                    }
                    let wait = self
                        .options
                        .retry_first
                        .saturating_mul(1 << (errors - 1).min(16))
                        .min(self.options.retry_max)
                        .max(Duration::from_secs(e.retry_after_secs.unwrap_or(0)));
                    tokio::select! {
                        _ = tokio::time::sleep(wait) => {}
                        _ = self.stop.cancelled() => {}
                    }
                }
                // Yespo refused the request as a whole (400...): its reason goes to every row.
                Err(e) => {
                    let status = ImportSessionStatus {
                        status: Some("ERROR".into()),
                        description: Some(format!("the request was refused: {}", e.message)),
                        ..ImportSessionStatus::default()
                    };
                    return self.settle(index, &keys, &status);
                }
            }
        }
    }

    /// Polls an import session with backoff until it is FINISHED or ERROR, the time allowed runs
    /// out, or the run stops (then one last look).
    async fn poll(&self, session: &str, trust_not_found: bool) -> Poll {
        let deadline = Instant::now() + self.options.unknown_after;
        let mut wait = self.options.poll_first;
        let mut last: String;
        loop {
            let stopping = self.stop.is_cancelled();
            match self.client.import_status(session).await {
                Ok(status) if status.is_done() => return Poll::Done(status),
                Ok(status) => last = format!("still {}", status.status.as_deref().unwrap_or("without a status")),
                Err(e) if e.code == ErrorCode::NotFound && trust_not_found => return Poll::NotFound,
                Err(e) if stops_the_job(&e) => {
                    let why = e.message.clone();
                    self.interrupt(e);
                    return Poll::GaveUp(why);
                }
                Err(e) => last = e.message,
            }
            if stopping {
                return Poll::GaveUp(format!("the upload stopped before Yespo finished the import ({last})"));
            }
            if Instant::now() >= deadline {
                return Poll::GaveUp(format!(
                    "Yespo had not finished the import after {} min ({last})",
                    self.options.unknown_after.as_secs().div_ceil(60)
                ));
            }
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = self.stop.cancelled() => {}
            }
            wait = wait.mul_f64(1.5).min(self.options.poll_max);
        }
    }

    fn settle(&self, index: u64, keys: &[RowKey], status: &ImportSessionStatus) -> AppResult<()> {
        let (state, error, confirmed, outcomes) = settle_status(keys, status);
        self.journal().settle_batch(self.job, index, state, error.as_deref(), &confirmed, &outcomes)?;
        Tracker::add(&self.tracker.confirmed, confirmed.len() as u64);
        Tracker::add(&self.tracker.failed, outcomes.len() as u64);
        self.change(index, state, keys.len());
        Ok(())
    }

    fn settle_unknown(&self, index: u64, keys: &[RowKey], session: &str, why: &str) -> AppResult<()> {
        let failed = refused(keys);
        let text = format!("sent in import session {session}; {why}: check again later from the history");
        let outcomes: Vec<OutcomeRow> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| match failed.get(&i) {
                Some(reason) => (k.row, k.line, RowOutcome::Failed, Some(format!("Yespo: {reason}"))),
                None => (k.row, k.line, RowOutcome::Unconfirmed, Some(text.clone())),
            })
            .collect();
        self.journal().settle_batch(self.job, index, BatchState::Unknown, Some(why), &[], &outcomes)?;
        Tracker::add(&self.tracker.failed, failed.len() as u64);
        Tracker::add(&self.tracker.unconfirmed, (keys.len() - failed.len()) as u64);
        self.change(index, BatchState::Unknown, keys.len());
        Ok(())
    }

    fn settle_not_sent(&self, index: u64, keys: &[RowKey]) -> AppResult<()> {
        let why = match self.interruption() {
            Some(e) => format!("not sent: the upload stopped ({})", e.message),
            None => "not sent: the upload was cancelled".to_string(),
        };
        let outcomes: Vec<OutcomeRow> =
            keys.iter().map(|k| (k.row, k.line, RowOutcome::NotSent, Some(why.clone()))).collect();
        self.journal().settle_batch(self.job, index, BatchState::Queued, Some(&why), &[], &outcomes)?;
        Tracker::add(&self.tracker.not_sent, keys.len() as u64);
        self.change(index, BatchState::Queued, keys.len());
        Ok(())
    }
}

/// Worth sending again: the server failed, the connection dropped, the answer was unreadable,
/// or Yespo kept refusing for rate after the client's own retries.
fn transient(e: &AppError) -> bool {
    matches!(e.code, ErrorCode::Network | ErrorCode::RateLimited | ErrorCode::Internal)
}

/// Nothing more can be sent until the user acts: the login ended, the rights are missing.
fn stops_the_job(e: &AppError) -> bool {
    matches!(
        e.code,
        ErrorCode::Forbidden
            | ErrorCode::AuthRequired
            | ErrorCode::AuthExpired
            | ErrorCode::KeychainUnavailable
            | ErrorCode::Cancelled
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yespo::models::DedupeMapping;

    fn keys() -> Vec<RowKey> {
        [(0, 2, "ext-1"), (1, 3, "+380 (50) 123-45-67"), (4, 6, "Anna@Example.com"), (5, 7, "ext-4")]
            .into_iter()
            .map(|(row, line, key)| RowKey { row, line, key: Some(key.into()), error: None })
            .collect()
    }

    fn mapping(pairs: &[(&str, i64)]) -> Vec<DedupeMapping> {
        pairs.iter().map(|(v, id)| DedupeMapping { dedupe_value: Some(v.to_string()), contact_id: Some(*id) }).collect()
    }

    #[test]
    fn a_finished_import_confirms_rows_by_the_key_yespo_echoes_even_normalised() {
        let status = ImportSessionStatus {
            status: Some("FINISHED".into()),
            mapping: mapping(&[("ext-1", 11), ("380501234567", 12), ("anna@example.com", 13)]),
            ..ImportSessionStatus::default()
        };
        let mut keys = keys();
        keys[3].error = Some("bad device".into());
        // The refusal survives the journal (a resume or a re-check reads the keys back).
        let keys: Vec<RowKey> = serde_json::from_str(&serde_json::to_string(&keys).unwrap()).unwrap();
        let (state, error, confirmed, outcomes) = settle_status(&keys, &status);
        assert_eq!((state, error), (BatchState::Confirmed, None));
        assert_eq!(confirmed, vec![(0, Some(11)), (1, Some(12)), (4, Some(13))]);
        assert_eq!(outcomes, vec![(5, 7, RowOutcome::Failed, Some("Yespo: bad device".into()))]);
    }

    #[test]
    fn a_row_missing_from_the_mapping_failed_and_no_mapping_at_all_is_taken_at_its_word() {
        let partial = ImportSessionStatus {
            status: Some("FINISHED".into()),
            mapping: mapping(&[("ext-1", 11)]),
            ..ImportSessionStatus::default()
        };
        let (_, _, confirmed, outcomes) = settle_status(&keys(), &partial);
        assert_eq!(confirmed.len(), 1);
        assert_eq!(outcomes.len(), 3);
        assert!(outcomes
            .iter()
            .all(|o| o.2 == RowOutcome::Failed && o.3.as_deref().unwrap().contains("without this contact")));
        let bare = ImportSessionStatus { status: Some("FINISHED".into()), ..ImportSessionStatus::default() };
        let (_, _, confirmed, outcomes) = settle_status(&keys(), &bare);
        assert_eq!((confirmed.len(), outcomes.len()), (4, 0));
        assert!(confirmed.iter().all(|c| c.1.is_none()));
    }

    #[test]
    fn an_import_in_error_fails_every_row_with_yespos_description() {
        let status = ImportSessionStatus {
            status: Some("ERROR".into()),
            description: Some("disk full".into()),
            ..ImportSessionStatus::default()
        };
        let (state, error, confirmed, outcomes) = settle_status(&keys(), &status);
        assert_eq!(state, BatchState::Failed);
        assert!(error.unwrap().contains("disk full"));
        assert!(confirmed.is_empty());
        assert_eq!(outcomes.iter().map(|o| o.0).collect::<Vec<_>>(), vec![0, 1, 4, 5]);
    }

    #[test]
    fn the_key_is_the_external_id_first_then_the_dedupe_value() {
        let mut c = Contact::default();
        c.channels.push(crate::yespo::models::Channel {
            kind: Some("mobilepush".into()),
            value: Some("tok".into()),
            ..Default::default()
        });
        assert_eq!(key_of(&c, DedupeOn::Push, None).as_deref(), Some("tok"));
        assert_eq!(key_of(&c, DedupeOn::Email, None), None);
        c.external_customer_id = Some("x-1".into());
        assert_eq!(key_of(&c, DedupeOn::Push, None).as_deref(), Some("x-1"));
    }
}
