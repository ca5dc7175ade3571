//! Per-client budgets: a burst of `burst` requests, then `per_minute` a
//! minute, kept by `governor` (GCRA) per IP address.

use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::Quota;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Above this many tracked clients, those back at a full budget are dropped
/// so the map cannot grow without bound under a spray of addresses.
const MAX_TRACKED_CLIENTS: usize = 100_000;

/// The map is measured once every this many checks, not on each one:
/// counting it locks every shard, and a request should not pay for that.
/// Between measurements it grows by at most this many clients.
const CHECKS_PER_SIZE_CHECK: usize = 1024;

pub struct RateLimiter<C: Clock = DefaultClock> {
    limiter: governor::RateLimiter<
        IpAddr,
        DefaultKeyedStateStore<IpAddr>,
        C,
        NoOpMiddleware<C::Instant>,
    >,
    checks: AtomicUsize,
}

impl RateLimiter {
    pub fn new(burst: u32, per_minute: u32) -> RateLimiter {
        RateLimiter::with_clock(burst, per_minute, DefaultClock::default())
    }
}

impl<C: Clock> RateLimiter<C> {
    fn with_clock(burst: u32, per_minute: u32, clock: C) -> RateLimiter<C> {
        let at_least_one = |n: u32| NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::per_minute(at_least_one(per_minute)).allow_burst(at_least_one(burst));
        RateLimiter {
            limiter: governor::RateLimiter::new(quota, Default::default(), clock),
            checks: AtomicUsize::new(0),
        }
    }

    /// Takes one request from `client`'s budget, or says how long until
    /// there is room again (whole seconds, for `Retry-After`).
    pub fn check(&self, client: IpAddr) -> Result<(), Duration> {
        let due = self.checks.fetch_add(1, Ordering::Relaxed) % CHECKS_PER_SIZE_CHECK == 0;
        if due && self.limiter.len() >= MAX_TRACKED_CLIENTS {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&client).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.limiter.clock().now());
            Duration::from_secs(wait.as_secs_f64().ceil() as u64)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use governor::clock::FakeRelativeClock;

    #[test]
    fn a_burst_is_allowed_then_refused_with_a_wait() {
        let clock = FakeRelativeClock::default();
        let limiter = RateLimiter::with_clock(3, 60, clock.clone());
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        for _ in 0..3 {
            assert!(limiter.check(ip).is_ok());
        }
        let wait = limiter.check(ip).unwrap_err();
        assert_eq!(wait, Duration::from_secs(1));
        // One request a second comes back.
        clock.advance(Duration::from_secs(1));
        assert!(limiter.check(ip).is_ok());
        assert!(limiter.check(ip).is_err());
    }

    #[test]
    fn clients_do_not_share_a_budget() {
        let limiter = RateLimiter::with_clock(1, 1, FakeRelativeClock::default());
        assert!(limiter.check("10.0.0.1".parse().unwrap()).is_ok());
        let wait = limiter.check("10.0.0.1".parse().unwrap()).unwrap_err();
        assert_eq!(wait, Duration::from_secs(60));
        assert!(limiter.check("10.0.0.2".parse().unwrap()).is_ok());
    }
}
