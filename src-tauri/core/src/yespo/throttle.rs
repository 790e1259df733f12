//! Client-side rate limits per method family at Yespo's published rates (yespo-api.md §7.1), so
//! a fast-scrolling UI or a big upload never floods the account.

use super::rights::RateFamily;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;
use std::time::Duration;

/// Requests allowed per family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// `GET contacts`.
    pub contacts_search_per_sec: u32,
    /// Every method without a limit of its own.
    pub default_per_sec: u32,
    /// Event methods.
    pub events_per_sec: u32,
    /// Message search, get and viewLink.
    pub message_reads_per_hour: u32,
    /// Wait at most this long for a slot; beyond it, fail with `rate_limited` at once (a UI
    /// should not freeze for minutes when the hourly message budget is spent).
    pub max_wait: Duration,
}

impl RateLimits {
    /// Yespo's published limits, exactly.
    pub fn published() -> Self {
        RateLimits {
            contacts_search_per_sec: 50,
            default_per_sec: 200,
            events_per_sec: 350,
            message_reads_per_hour: 500,
            max_wait: Duration::from_secs(10),
        }
    }
}

impl Default for RateLimits {
    /// 90% of the published limits: pacing at exactly the server's rate still trips it now and
    /// then, because requests reach the server with varying delay (seen against the sandbox: 3
    /// refusals in 120 searches at 50/s, none at 45/s).
    fn default() -> Self {
        let p = Self::published();
        RateLimits {
            contacts_search_per_sec: p.contacts_search_per_sec * 9 / 10,
            default_per_sec: p.default_per_sec * 9 / 10,
            events_per_sec: p.events_per_sec * 9 / 10,
            message_reads_per_hour: p.message_reads_per_hour * 9 / 10,
            max_wait: p.max_wait,
        }
    }
}

/// One account's rate budget: a limiter per method family. Shared by every client of the
/// account ([`super::YespoClientBuilder::shared_throttle`]).
pub struct Throttle {
    contacts_search: DefaultDirectRateLimiter,
    default: DefaultDirectRateLimiter,
    events: DefaultDirectRateLimiter,
    message_reads: DefaultDirectRateLimiter,
    max_wait: Duration,
}

fn per_second(n: u32) -> Quota {
    Quota::per_second(NonZeroU32::new(n.max(1)).expect("at least 1"))
}

impl Throttle {
    /// A fresh budget at `limits`.
    pub fn new(limits: RateLimits) -> Throttle {
        let hourly = NonZeroU32::new(limits.message_reads_per_hour.max(1)).expect("at least 1");
        Throttle {
            contacts_search: RateLimiter::direct(per_second(limits.contacts_search_per_sec)),
            default: RateLimiter::direct(per_second(limits.default_per_sec)),
            events: RateLimiter::direct(per_second(limits.events_per_sec)),
            message_reads: RateLimiter::direct(Quota::per_hour(hourly)),
            max_wait: limits.max_wait,
        }
    }

    fn limiter(&self, family: RateFamily) -> &DefaultDirectRateLimiter {
        match family {
            RateFamily::ContactsSearch => &self.contacts_search,
            RateFamily::MessageReads => &self.message_reads,
            RateFamily::Events => &self.events,
            RateFamily::Default => &self.default,
        }
    }

    /// Take a slot: `Ok(wait)` to sleep `wait` first (zero if free now), or `Err(wait)` when the
    /// wait would exceed the maximum.
    pub fn reserve(&self, family: RateFamily) -> Result<Duration, Duration> {
        let limiter = self.limiter(family);
        match limiter.check() {
            Ok(()) => Ok(Duration::ZERO),
            Err(not_until) => {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                if wait > self.max_wait {
                    Err(wait)
                } else {
                    Ok(wait)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_fills_the_budget_then_waits() {
        let throttle = Throttle::new(RateLimits { contacts_search_per_sec: 5, ..RateLimits::default() });
        for _ in 0..5 {
            assert_eq!(throttle.reserve(RateFamily::ContactsSearch), Ok(Duration::ZERO));
        }
        let wait = throttle.reserve(RateFamily::ContactsSearch).unwrap();
        assert!(wait > Duration::ZERO && wait <= Duration::from_millis(200), "{wait:?}");
        let hourly = Throttle::new(RateLimits { message_reads_per_hour: 1, ..RateLimits::default() });
        assert_eq!(hourly.reserve(RateFamily::MessageReads), Ok(Duration::ZERO));
        assert!(hourly.reserve(RateFamily::MessageReads).is_err(), "an hour's wait is refused, not slept");
    }
}
