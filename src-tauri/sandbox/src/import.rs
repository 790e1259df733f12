//! Bulk import (`POST contacts` + `GET importstatus/{id}`): requests are checked at once, then
//! applied asynchronously by one background worker, STARTED → IMPORTING → FINISHED (or ERROR),
//! at the configured speed.

use super::http::now_iso8601;
use super::model::Contact;
use super::store::{Dedupe, UpdateScope};
use super::Shared;
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;

/// One accepted bulk request, waiting to be applied.
pub struct ImportJob {
    pub session_id: String,
    pub contacts: Vec<Contact>,
    pub dedupe: Dedupe,
    pub scope: UpdateScope,
    pub group_names: Vec<String>,
    pub group_names_exclude: Vec<String>,
    pub restore_deleted: bool,
}

#[derive(Debug, Clone)]
pub struct SessionStatus {
    pub status: &'static str,
    pub timestamp: String,
    pub description: Option<String>,
    pub mapping: Vec<(String, i64)>,
}

impl SessionStatus {
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "status": self.status,
            "timestamp": self.timestamp,
            "mapping": self.mapping.iter().map(|(k, id)| json!({"dedupeValue": k, "contactId": id})).collect::<Vec<_>>(),
        });
        if let Some(d) = &self.description {
            v["description"] = json!(d);
        }
        v
    }
}

/// A bulk request as it arrived (for tests that count what was sent, e.g. twice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkRequest {
    pub session_id: String,
    /// Contacts in the request, accepted or not.
    pub contacts: usize,
    /// The first contact's `externalCustomerId`, else its dedupe value: names the batch.
    pub first_key: Option<String>,
}

#[derive(Default)]
pub struct Imports {
    pub sessions: Mutex<HashMap<String, SessionStatus>>,
    pub log: Mutex<Vec<BulkRequest>>,
    queue: Mutex<VecDeque<ImportJob>>,
    wake: Arc<Notify>,
}

impl Imports {
    pub fn enqueue(&self, job: ImportJob) {
        self.sessions.lock().expect("sessions lock").insert(
            job.session_id.clone(),
            SessionStatus { status: "STARTED", timestamp: now_iso8601(), description: None, mapping: Vec::new() },
        );
        self.queue.lock().expect("queue lock").push_back(job);
        self.wake.notify_one();
    }

    /// Write the import sessions (by id) and the bulk requests received to `out`, for
    /// [`Sandbox::data_fingerprint`](crate::Sandbox::data_fingerprint). A session's status and
    /// timestamp move on while its import runs.
    pub fn write_data(&self, out: &mut impl std::fmt::Write) -> std::fmt::Result {
        let sessions = self.sessions.lock().expect("sessions lock");
        let sorted: std::collections::BTreeMap<_, _> = sessions.iter().collect();
        write!(out, "import_sessions={sorted:?};")?;
        drop(sessions);
        write!(out, "bulk_requests={:?};", self.log.lock().expect("log lock"))
    }

    fn set(&self, id: &str, change: impl FnOnce(&mut SessionStatus)) {
        if let Some(s) = self.sessions.lock().expect("sessions lock").get_mut(id) {
            change(s);
            s.timestamp = now_iso8601();
        }
    }
}

/// Contacts applied per lock of the store, so API reads interleave with a big import.
const CHUNK: usize = 250;

pub fn spawn_worker(shared: Arc<Shared>) {
    let weak = Arc::downgrade(&shared);
    drop(shared);
    tokio::spawn(async move {
        loop {
            let Some(shared) = weak.upgrade() else { return };
            let job = shared.imports.queue.lock().expect("queue lock").pop_front();
            match job {
                Some(job) => run_job(&shared, job).await,
                None => {
                    let wake = shared.imports.wake.clone();
                    drop(shared);
                    // Wake up now and then to notice the sandbox is gone. A job queued between
                    // the check and here left a permit, so nothing is missed.
                    let _ = tokio::time::timeout(Duration::from_millis(500), wake.notified()).await;
                }
            }
        }
    });
}

async fn run_job(shared: &Shared, job: ImportJob) {
    let id = job.session_id.clone();
    shared.imports.set(&id, |s| s.status = "IMPORTING");
    let fail_this = shared.knobs().import_fail || {
        let mut k = shared.knobs.write().expect("knobs lock");
        let next = k.import_fail_next > 0;
        k.import_fail_next = k.import_fail_next.saturating_sub(1);
        next
    };
    if fail_this {
        tokio::time::sleep(Duration::from_millis(50)).await;
        shared.imports.set(&id, |s| {
            s.status = "ERROR";
            s.description = Some("Import failed: the sandbox was told to fail imports (import_fail knobs)".into());
        });
        return;
    }
    let mut mapping = Vec::with_capacity(job.contacts.len());
    for chunk in job.contacts.chunks(CHUNK) {
        let speed = shared.knobs().import_speed;
        {
            let mut store = shared.store.write().expect("store lock");
            let groups: Vec<i64> = job.group_names.iter().map(|n| store.static_segment(n)).collect();
            let excluded: Vec<i64> = job.group_names_exclude.iter().filter_map(|n| store.segment_by_name(n)).collect();
            for incoming in chunk {
                let key =
                    incoming.external_customer_id.clone().or_else(|| job.dedupe.value_of(incoming)).unwrap_or_default();
                let id = match job.dedupe.find(&store, incoming) {
                    Some(existing) => {
                        let mut stored = store.contacts[&existing].clone();
                        if stored.deleted && !job.restore_deleted {
                            // Deleted contacts stay deleted unless restoreDeleted is set.
                            continue;
                        }
                        stored.deleted = false;
                        job.scope.merge(&mut stored, incoming, Some(job.dedupe));
                        store.save(stored);
                        existing
                    }
                    None => {
                        let mut created = incoming.clone();
                        created.id = store.new_contact_id();
                        let id = created.id;
                        store.save(created);
                        id
                    }
                };
                for g in &groups {
                    if let Some(super::model::SegmentRule::Static(m)) = store.segments.get_mut(g).map(|s| &mut s.rule) {
                        m.insert(id);
                    }
                }
                for g in &excluded {
                    if let Some(super::model::SegmentRule::Static(m)) = store.segments.get_mut(g).map(|s| &mut s.rule) {
                        m.remove(&id);
                    }
                }
                mapping.push((key, id));
            }
        }
        if speed > 0 {
            tokio::time::sleep(Duration::from_secs_f64(chunk.len() as f64 / speed as f64)).await;
        } else {
            tokio::task::yield_now().await;
        }
    }
    shared.imports.set(&id, |s| {
        s.status = "FINISHED";
        s.mapping = mapping;
    });
}
