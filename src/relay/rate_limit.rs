//! Per-client token buckets: a burst of `capacity` requests, refilled at
//! `per_minute` tokens a minute.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct RateLimiter {
    capacity: f64,
    refill_per_sec: f64,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Above this many tracked clients, full (idle) buckets are dropped so the
/// map cannot grow without bound under a spray of addresses.
const MAX_TRACKED_CLIENTS: usize = 100_000;

impl RateLimiter {
    pub fn new(capacity: u32, per_minute: u32) -> RateLimiter {
        RateLimiter {
            capacity: f64::from(capacity.max(1)),
            refill_per_sec: f64::from(per_minute.max(1)) / 60.0,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `client`, or says how long until one is free.
    pub fn check(&self, client: IpAddr) -> Result<(), Duration> {
        self.check_at(client, Instant::now())
    }

    fn check_at(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= MAX_TRACKED_CLIENTS {
            let (capacity, rate) = (self.capacity, self.refill_per_sec);
            buckets.retain(|_, b| {
                b.tokens + now.duration_since(b.updated).as_secs_f64() * rate < capacity
            });
        }
        let bucket = buckets.entry(client).or_insert(Bucket {
            tokens: self.capacity,
            updated: now,
        });
        let elapsed = now.duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.refill_per_sec).min(self.capacity);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - bucket.tokens) / self.refill_per_sec;
            Err(Duration::from_secs_f64(wait.ceil()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_allowed_then_refused_with_a_wait() {
        let limiter = RateLimiter::new(3, 60);
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check_at(ip, t0).is_ok());
        }
        let wait = limiter.check_at(ip, t0).unwrap_err();
        assert_eq!(wait, Duration::from_secs(1));
        // One token a second comes back.
        assert!(limiter.check_at(ip, t0 + Duration::from_secs(1)).is_ok());
    }

    #[test]
    fn clients_do_not_share_a_bucket() {
        let limiter = RateLimiter::new(1, 1);
        let t0 = Instant::now();
        assert!(limiter.check_at("10.0.0.1".parse().unwrap(), t0).is_ok());
        assert!(limiter.check_at("10.0.0.1".parse().unwrap(), t0).is_err());
        assert!(limiter.check_at("10.0.0.2".parse().unwrap(), t0).is_ok());
    }
}
