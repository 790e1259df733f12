//! Progress of an upload, for the screen (a Tauri channel) and the CLI (a bar): live counters,
//! sent at most 10 times a second, plus every change of a batch's or the job's state.

use crate::tokens::journal::{BatchState, JobState};
use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Counter updates closer together than this are dropped (state changes always go out).
pub const MIN_INTERVAL: Duration = Duration::from_millis(100);

/// A batch that changed state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct BatchChange {
    pub index: u64,
    pub state: BatchState,
    pub contacts: u64,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct UploadProgress {
    pub job: i64,
    pub state: JobState,
    /// Rows in the file.
    pub rows: u64,
    /// Rows read into batches (or set aside) so far.
    pub read: u64,
    /// Rows that will be sent in all (valid, not superseded).
    pub ready: u64,
    /// Rows in requests Yespo accepted.
    pub sent: u64,
    pub confirmed: u64,
    pub failed: u64,
    pub rejected: u64,
    pub superseded: u64,
    pub not_sent: u64,
    pub unconfirmed: u64,
    pub in_flight: u64,
    /// Requests made by this run (re-sends included).
    pub requests: u64,
    /// Rows confirmed per second in this run.
    pub rate: f64,
    pub eta_secs: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch: Option<BatchChange>,
}

pub type ProgressSink = Arc<dyn Fn(UploadProgress) + Send + Sync>;

/// The live counters of one run, shared by its tasks.
pub struct Tracker {
    job: i64,
    rows: u64,
    ready: u64,
    started: Instant,
    pub read: AtomicU64,
    pub sent: AtomicU64,
    pub confirmed: AtomicU64,
    /// Confirmed before this run (a resume): not part of the rate.
    pub confirmed_before: AtomicU64,
    pub failed: AtomicU64,
    pub rejected: AtomicU64,
    pub superseded: AtomicU64,
    pub not_sent: AtomicU64,
    pub unconfirmed: AtomicU64,
    pub in_flight: AtomicU64,
    pub requests: AtomicU64,
    state: Mutex<(JobState, Option<Instant>)>,
    sink: ProgressSink,
}

impl Tracker {
    pub fn new(job: i64, rows: u64, ready: u64, sink: ProgressSink) -> Tracker {
        let zero = || AtomicU64::new(0);
        Tracker {
            job,
            rows,
            ready,
            started: Instant::now(),
            read: zero(),
            sent: zero(),
            confirmed: zero(),
            confirmed_before: zero(),
            failed: zero(),
            rejected: zero(),
            superseded: zero(),
            not_sent: zero(),
            unconfirmed: zero(),
            in_flight: zero(),
            requests: zero(),
            state: Mutex::new((JobState::Running, None)),
            sink,
        }
    }

    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub fn sub(counter: &AtomicU64, n: u64) {
        counter.fetch_sub(n, Ordering::Relaxed);
    }

    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }

    /// Counters changed: report them unless the last report was under 100 ms ago.
    pub fn tick(&self) {
        self.emit(None, false);
    }

    /// A batch changed state: always reported.
    pub fn batch(&self, change: BatchChange) {
        self.emit(Some(change), true);
    }

    /// The job changed state: always reported.
    pub fn set_state(&self, state: JobState) {
        self.state.lock().expect("progress lock").0 = state;
        self.emit(None, true);
    }

    pub fn snapshot(&self, batch: Option<BatchChange>) -> UploadProgress {
        let g = Self::get;
        let confirmed = g(&self.confirmed);
        let this_run = confirmed.saturating_sub(g(&self.confirmed_before));
        let elapsed = self.started.elapsed().as_secs_f64();
        let rate = if elapsed > 0.0 { this_run as f64 / elapsed } else { 0.0 };
        let left = self.ready.saturating_sub(confirmed + g(&self.failed) + g(&self.unconfirmed) + g(&self.not_sent));
        let eta_secs = (rate > 0.0).then(|| (left as f64 / rate).ceil() as u64);
        UploadProgress {
            job: self.job,
            state: self.state.lock().expect("progress lock").0,
            rows: self.rows,
            read: g(&self.read),
            ready: self.ready,
            sent: g(&self.sent),
            confirmed,
            failed: g(&self.failed),
            rejected: g(&self.rejected),
            superseded: g(&self.superseded),
            not_sent: g(&self.not_sent),
            unconfirmed: g(&self.unconfirmed),
            in_flight: g(&self.in_flight),
            requests: g(&self.requests),
            rate,
            eta_secs,
            batch,
        }
    }

    fn emit(&self, batch: Option<BatchChange>, always: bool) {
        {
            let mut state = self.state.lock().expect("progress lock");
            let now = Instant::now();
            if !always && state.1.is_some_and(|last| now.duration_since(last) < MIN_INTERVAL) {
                return;
            }
            state.1 = Some(now);
        }
        (self.sink)(self.snapshot(batch));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counter_updates_are_throttled_and_state_changes_are_not() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = {
            let seen = seen.clone();
            Arc::new(move |p: UploadProgress| seen.lock().unwrap().push(p)) as ProgressSink
        };
        let t = Tracker::new(1, 10, 10, sink);
        for _ in 0..1000 {
            Tracker::add(&t.confirmed, 1);
            t.tick();
        }
        assert_eq!(seen.lock().unwrap().len(), 1, "a burst of ticks within 100 ms reports once");
        t.batch(BatchChange { index: 0, state: BatchState::Confirmed, contacts: 10 });
        t.set_state(JobState::Finished);
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 3);
        assert_eq!(seen[2].state, JobState::Finished);
        assert_eq!(seen[1].batch.map(|b| b.state), Some(BatchState::Confirmed));
    }
}
