//! Request rate limits: a token bucket per presented API key (valid or not, so guessing keys is
//! as slow as using one) and one per client IP address. A request over either is a `429`
//! envelope with `retry-after`, which the official SDKs honour.
//!
//! Buckets live in memory (a restart refills them). Hand-written rather than a crate: the keyed
//! limiters available pull in several dependencies for what is a map of two numbers.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::ApiError;
use crate::limits::Rate;

/// Past this many buckets, full ones (clients that have gone quiet) are forgotten.
const PRUNE_AT: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Holder {
    /// The SHA-256 of a presented key: the secret itself is never kept.
    Key(String),
    Address(IpAddr),
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    /// Refills for the time since the last look; takes a token, or says how long until one.
    fn take(&mut self, rate: Rate, now: Instant) -> Result<(), Duration> {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * rate.per_second).min(rate.burst);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64(
                (1.0 - self.tokens) / rate.per_second,
            ))
        }
    }

    fn is_full(&self, rate: Rate, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens + elapsed * rate.per_second >= rate.burst
    }
}

/// The buckets of one server.
pub struct RateLimiter {
    key: Rate,
    address: Rate,
    buckets: Mutex<HashMap<Holder, Bucket>>,
}

impl RateLimiter {
    pub fn new(key: Rate, address: Rate) -> RateLimiter {
        RateLimiter {
            key,
            address,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token from the address's bucket and the key's; a `429` naming the limit and
    /// its config key when either is empty.
    pub fn check(&self, key: Option<&str>, address: Option<IpAddr>) -> Result<(), ApiError> {
        let now = Instant::now();
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if buckets.len() > PRUNE_AT {
            let (key_rate, address_rate) = (self.key, self.address);
            buckets.retain(|holder, bucket| match holder {
                Holder::Key(_) => !bucket.is_full(key_rate, now),
                Holder::Address(_) => !bucket.is_full(address_rate, now),
            });
        }
        let mut take = |holder: Holder, rate: Rate| {
            buckets
                .entry(holder)
                .or_insert(Bucket {
                    tokens: rate.burst,
                    at: now,
                })
                .take(rate, now)
        };
        if let Some(address) = address
            && !self.address.is_off()
            && let Err(wait) = take(Holder::Address(address), self.address)
        {
            return Err(ApiError::rate_limited(
                format!(
                    "too many requests from {address}: at most {} a second, bursts of {} \
                     ([server] rate_per_address, burst_per_address); retry after the \
                     retry-after header's seconds",
                    self.address.per_second, self.address.burst
                ),
                wait,
            ));
        }
        if let Some(key) = key
            && !self.key.is_off()
            && let Err(wait) = take(
                Holder::Key(lucid_storage::ids::sha256_hex(key.as_bytes())),
                self.key,
            )
        {
            return Err(ApiError::rate_limited(
                format!(
                    "too many requests with this API key: at most {} a second, bursts of {} \
                     ([server] rate_per_key, burst_per_key); retry after the retry-after \
                     header's seconds",
                    self.key.per_second, self.key.burst
                ),
                wait,
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_refills_at_its_rate_up_to_its_burst() {
        let rate = Rate {
            per_second: 10.0,
            burst: 2.0,
        };
        let start = Instant::now();
        let mut bucket = Bucket {
            tokens: 2.0,
            at: start,
        };
        assert!(bucket.take(rate, start).is_ok());
        assert!(bucket.take(rate, start).is_ok());
        let wait = bucket.take(rate, start).expect_err("empty");
        assert!((wait.as_secs_f64() - 0.1).abs() < 1e-6, "{wait:?}");
        // 50 ms later: half a token, still refused; 100 ms: one.
        assert!(
            bucket
                .take(rate, start + Duration::from_millis(50))
                .is_err()
        );
        assert!(
            bucket
                .take(rate, start + Duration::from_millis(100))
                .is_ok()
        );
        // A long pause refills only up to the burst.
        let later = start + Duration::from_secs(60);
        assert!(bucket.is_full(rate, later));
        assert!(bucket.take(rate, later).is_ok());
        assert!(bucket.take(rate, later).is_ok());
        assert!(bucket.take(rate, later).is_err());
    }

    #[test]
    fn keys_and_addresses_have_their_own_buckets() {
        let one = Rate {
            per_second: 0.001,
            burst: 1.0,
        };
        let limiter = RateLimiter::new(one, Rate::OFF);
        assert!(limiter.check(Some("k1"), None).is_ok());
        let error = limiter.check(Some("k1"), None).expect_err("second");
        assert_eq!(error.status.as_u16(), 429);
        assert!(error.retry_after.is_some_and(|s| s >= 1));
        assert!(limiter.check(Some("k2"), None).is_ok(), "another key");
        assert!(limiter.check(None, None).is_ok(), "no key, no bucket");
        let address: IpAddr = [127, 0, 0, 1].into();
        let limiter = RateLimiter::new(Rate::OFF, one);
        assert!(limiter.check(Some("k1"), Some(address)).is_ok());
        assert!(limiter.check(Some("k2"), Some(address)).is_err());
    }
}
