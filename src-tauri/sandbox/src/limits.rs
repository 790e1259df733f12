//! Yespo's published limits: per-method request rates (429) and the one-minute guard against
//! repeating the same single-contact write (409).
//!
//! Limits count per sandbox account, not per key: Yespo does not say which (yespo-api.md §7.1),
//! and per account is the stricter reading.

use super::config::Knobs;
use super::rights::RateFamily;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// A generic cell rate limiter per family: up to `limit` requests per `window`, smoothly.
#[derive(Default)]
pub struct RateLimiter {
    /// Theoretical arrival time per family.
    tat: HashMap<RateFamily, Instant>,
}

impl RateLimiter {
    /// `Ok(())` if the request may go ahead, else how long to wait.
    pub fn check(&mut self, family: RateFamily, knobs: &Knobs, now: Instant) -> Result<(), Duration> {
        let (limit, window) = match family {
            RateFamily::ContactsSearch => (knobs.contacts_search_per_sec, Duration::from_secs(1)),
            RateFamily::MessageReads => (knobs.message_reads_per_hour, Duration::from_secs(3600)),
            RateFamily::Events => (knobs.events_per_sec, Duration::from_secs(1)),
            RateFamily::Default => (knobs.default_per_sec, Duration::from_secs(1)),
        };
        if limit == 0 {
            return Err(window);
        }
        let interval = window / limit;
        let tat = self.tat.get(&family).copied().unwrap_or(now).max(now);
        // Allow a burst of `limit` within the window.
        let allow_at = tat.checked_sub(window - interval).unwrap_or(now);
        if allow_at > now {
            return Err(allow_at - now);
        }
        self.tat.insert(family, tat + interval);
        Ok(())
    }

    pub fn reset(&mut self) {
        self.tat.clear();
    }
}

/// Remembers recent single-contact writes to answer 409 for an identical repeat.
#[derive(Default)]
pub struct DuplicateGuard {
    seen: HashMap<u64, Instant>,
}

impl DuplicateGuard {
    /// True if the same request (`fingerprint`) was seen within `window`; records it either way.
    pub fn is_repeat(&mut self, fingerprint: u64, window: Duration, now: Instant) -> bool {
        self.seen.retain(|_, at| now.duration_since(*at) < window);
        let repeat = self.seen.contains_key(&fingerprint);
        self.seen.insert(fingerprint, now);
        repeat
    }
}

/// A stable fingerprint of a request: caller, method, path and body.
pub fn fingerprint(parts: &[&[u8]]) -> u64 {
    // FNV-1a: stable and fast; collisions only risk a spurious 409 in a sandbox.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.iter().chain(std::iter::once(&0xFFu8)) {
            h ^= *b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01B3);
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_the_published_rate_then_refuses_with_a_wait() {
        let knobs = Knobs::default();
        let mut limiter = RateLimiter::default();
        let now = Instant::now();
        for i in 0..50 {
            assert!(limiter.check(RateFamily::ContactsSearch, &knobs, now).is_ok(), "request {i}");
        }
        let wait = limiter.check(RateFamily::ContactsSearch, &knobs, now).unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_millis(20), "{wait:?}");
        // Other families have their own budget.
        assert!(limiter.check(RateFamily::Default, &knobs, now).is_ok());
        // After a second the budget is back.
        let later = now + Duration::from_secs(1);
        for _ in 0..50 {
            assert!(limiter.check(RateFamily::ContactsSearch, &knobs, later).is_ok());
        }
    }

    #[test]
    fn message_reads_are_per_hour() {
        let knobs = Knobs { message_reads_per_hour: 3, ..Knobs::default() };
        let mut limiter = RateLimiter::default();
        let now = Instant::now();
        for _ in 0..3 {
            limiter.check(RateFamily::MessageReads, &knobs, now).unwrap();
        }
        let wait = limiter.check(RateFamily::MessageReads, &knobs, now).unwrap_err();
        assert!(wait > Duration::from_secs(60), "{wait:?}");
    }

    #[test]
    fn duplicate_guard_expires() {
        let mut guard = DuplicateGuard::default();
        let now = Instant::now();
        let fp = fingerprint(&[b"POST", b"/contact", b"{}"]);
        assert!(!guard.is_repeat(fp, Duration::from_secs(60), now));
        assert!(guard.is_repeat(fp, Duration::from_secs(60), now + Duration::from_secs(30)));
        assert!(!guard.is_repeat(fp, Duration::from_secs(60), now + Duration::from_secs(120)));
        assert_ne!(fp, fingerprint(&[b"POST", b"/contact", b"{ }"]));
    }
}
