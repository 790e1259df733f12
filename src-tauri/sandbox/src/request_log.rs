//! The request log: every HTTP request that reaches the sandbox, in order of arrival, so a test can
//! check what the app fetched (a message's remote images, a leaked URL) and what it never did.
//!
//! It is an outer middleware layer of the whole router, so API calls, OAuth, view pages, images
//! and unknown paths are all recorded before anything can answer them. The sandbox's own
//! `/__sandbox/...` endpoints are not: reading the log must not change it.

use serde::Serialize;
use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// Most requests kept; older ones are forgotten first.
pub const MAX_LOGGED_REQUESTS: usize = 100_000;

/// Longest path or query kept, in bytes: a huge URL must not make the log huge.
const MAX_PART_BYTES: usize = 8 * 1024;

/// One request as it arrived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoggedRequest {
    /// 1 for the first request of this sandbox, then one more for each.
    pub seq: u64,
    /// `GET`, `POST`...
    pub method: String,
    /// The path as sent (percent-encoded), e.g. `/img/logo.png`.
    pub path: String,
    /// The raw query string as sent, without `?`; empty when there was none. Not scrubbed: a
    /// view link's `t=` or any token in it is logged as is.
    pub query: String,
    /// When it arrived, in milliseconds since the Unix epoch.
    pub at: u64,
    /// The `User-Agent` header (empty when none): who fetched it, the app's Rust client or a
    /// web view.
    #[serde(rename = "userAgent")]
    pub user_agent: String,
}

#[derive(Default)]
pub struct RequestLog {
    inner: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    last_seq: u64,
    list: VecDeque<LoggedRequest>,
}

impl RequestLog {
    /// Record a request unless it is one of the sandbox's own `/__sandbox/...` calls.
    pub fn record(&self, method: &str, path: &str, query: Option<&str>, user_agent: Option<&str>) {
        if path == "/__sandbox" || path.starts_with("/__sandbox/") {
            return;
        }
        let at = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0);
        let mut entries = self.inner.lock().expect("request log lock");
        entries.last_seq += 1;
        let entry = LoggedRequest {
            seq: entries.last_seq,
            method: method.to_string(),
            path: clip(path),
            query: clip(query.unwrap_or("")),
            at,
            user_agent: clip(user_agent.unwrap_or("")),
        };
        if entries.list.len() >= MAX_LOGGED_REQUESTS {
            entries.list.pop_front();
        }
        entries.list.push_back(entry);
    }

    /// The requests after `seq`, oldest first (all that are kept, for 0).
    pub fn since(&self, seq: u64) -> Vec<LoggedRequest> {
        let entries = self.inner.lock().expect("request log lock");
        // Sequence numbers are consecutive, so the first wanted entry's index is computed.
        let first_kept = entries.list.front().map_or(0, |e| e.seq);
        let skip = seq.saturating_add(1).saturating_sub(first_kept) as usize;
        entries.list.iter().skip(skip).cloned().collect()
    }

    /// The `seq` of the latest request recorded, 0 before the first.
    pub fn last_seq(&self) -> u64 {
        self.inner.lock().expect("request log lock").last_seq
    }
}

fn clip(s: &str) -> String {
    if s.len() <= MAX_PART_BYTES {
        return s.to_string();
    }
    let mut end = MAX_PART_BYTES;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_skips_its_own_endpoints_and_forgets_the_oldest() {
        let log = RequestLog::default();
        assert_eq!(log.last_seq(), 0);
        log.record("GET", "/img/logo.png", None, None);
        log.record("GET", "/__sandbox/requests", Some("since=0"), None);
        log.record("POST", "/api/v1/contact", Some("a=1&t=x"), None);
        assert_eq!(log.last_seq(), 2);
        let all = log.since(0);
        assert_eq!(all.iter().map(|r| r.seq).collect::<Vec<_>>(), [1, 2]);
        assert_eq!((all[1].method.as_str(), all[1].query.as_str()), ("POST", "a=1&t=x"));
        assert_eq!(all[0].query, "");
        assert_eq!(log.since(1).len(), 1);
        assert!(log.since(2).is_empty() && log.since(u64::MAX).is_empty());
        for _ in 0..MAX_LOGGED_REQUESTS {
            log.record("GET", "/x", None, None);
        }
        let kept = log.since(0);
        assert_eq!(kept.len(), MAX_LOGGED_REQUESTS);
        assert_eq!(kept[0].seq, 3);
        assert_eq!(log.since(MAX_LOGGED_REQUESTS as u64)[0].seq, MAX_LOGGED_REQUESTS as u64 + 1);
    }

    #[test]
    fn a_huge_path_is_clipped_on_a_character_boundary() {
        let log = RequestLog::default();
        log.record("GET", &format!("/{}", "é".repeat(10_000)), None, None);
        let path = &log.since(0)[0].path;
        assert!(path.len() <= MAX_PART_BYTES && path.ends_with('é'));
    }
}
