//! Request rate limits: a token bucket per presented API key (valid or not, so guessing keys is
//! as slow as using one) and one per client IP address. A request over either is a `429`
//! envelope with `retry-after`, which the official SDKs honour.
//!
//! Where the backend shares buckets between processes (PostgreSQL: every node of a deployment
//! counts against the same buckets, so a key gets `rate_per_key` in all whichever node answers)
//! they live in the database; otherwise, and while the database does not answer, in memory (a
//! restart refills them). Hand-written rather than a crate: the keyed limiters available pull
//! in several dependencies for what is a map of two numbers.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use lucid_storage::{BucketRate, RateToken, Storage};

use crate::error::ApiError;
use crate::limits::Rate;

/// Past this many buckets, full ones (clients that have gone quiet) are forgotten.
const PRUNE_AT: usize = 10_000;

/// Whether the backend keeps shared buckets: not known until the first request asks it.
const SHARING_UNKNOWN: u8 = 0;
const SHARING_SHARED: u8 = 1;
const SHARING_LOCAL: u8 = 2;

/// A failed shared take is logged at most this often (a database outage would otherwise log
/// every request).
const WARN_EVERY: Duration = Duration::from_secs(10);
/// After a failed shared take, requests count in memory this long before the database is tried
/// again: during an outage a request (`/healthz` included) must not first wait out the
/// database's connect timeout for its rate check.
const RETRY_SHARED_AFTER: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Holder {
    /// The SHA-256 of a presented key: the secret itself is never kept.
    Key(String),
    Address(IpAddr),
}

impl Holder {
    /// The shared bucket's name (`k:` + the key's hash, `a:` + the address).
    fn bucket_name(&self) -> String {
        match self {
            Holder::Key(hash) => format!("k:{hash}"),
            Holder::Address(address) => format!("a:{address}"),
        }
    }
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
pub(crate) struct RateLimiter {
    key: Rate,
    address: Rate,
    buckets: Mutex<HashMap<Holder, Bucket>>,
    /// `SHARING_*`: whether [`RateLimiter::check_shared`] finds shared buckets.
    sharing: AtomicU8,
    /// Milliseconds after `started` when a failed shared take was last logged (0: never).
    warned_at_ms: AtomicU64,
    /// Milliseconds after `started` when a shared take last failed (0: never).
    failed_at_ms: AtomicU64,
    started: Instant,
}

impl RateLimiter {
    pub(crate) fn new(key: Rate, address: Rate) -> RateLimiter {
        RateLimiter {
            key,
            address,
            buckets: Mutex::new(HashMap::new()),
            sharing: AtomicU8::new(SHARING_UNKNOWN),
            warned_at_ms: AtomicU64::new(0),
            failed_at_ms: AtomicU64::new(0),
            started: Instant::now(),
        }
    }

    /// Both limits are off: nothing to count.
    pub(crate) fn is_off(&self) -> bool {
        self.key.is_off() && self.address.is_off()
    }

    /// Count in memory now, without asking the database: the backend keeps no shared buckets,
    /// or they failed less than [`RETRY_SHARED_AFTER`] ago. [`RateLimiter::check`] is then the
    /// whole story, and no blocking call is needed.
    pub(crate) fn counts_in_memory(&self) -> bool {
        if self.sharing.load(Ordering::Relaxed) == SHARING_LOCAL {
            return true;
        }
        // Shortly after the shared buckets failed, the database is not asked again.
        let failed = self.failed_at_ms.load(Ordering::Relaxed);
        failed != 0 && self.now_ms().saturating_sub(failed) < RETRY_SHARED_AFTER.as_millis() as u64
    }

    /// Milliseconds since this limiter was made, at least 1 (0 means "never" in the atomics).
    fn now_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis())
            .unwrap_or(u64::MAX)
            .max(1)
    }

    /// Takes a token from the address's bucket and the key's, in this server's memory; a `429`
    /// naming the limit and its config key when either is empty.
    pub(crate) fn check(&self, key: Option<&str>, address: Option<IpAddr>) -> Result<(), ApiError> {
        self.check_with(key, address, |holder, rate| {
            self.take_in_memory(holder, rate)
        })
    }

    /// As [`RateLimiter::check`], counted in the backend's shared buckets when it keeps them
    /// (every node then counts alike); in memory when it does not, or when the database does
    /// not answer (a limiter is no reason to refuse service). Blocks: call it off the async
    /// threads.
    pub(crate) fn check_shared(
        &self,
        storage: &dyn Storage,
        key: Option<&str>,
        address: Option<IpAddr>,
    ) -> Result<(), ApiError> {
        self.check_taking(
            |holder, rate| storage.take_rate_token(holder, rate),
            key,
            address,
        )
    }

    /// [`RateLimiter::check_shared`] with the shared take given (tests give a failing one).
    fn check_taking(
        &self,
        take_shared: impl Fn(&str, BucketRate) -> lucid_storage::Result<Option<RateToken>>,
        key: Option<&str>,
        address: Option<IpAddr>,
    ) -> Result<(), ApiError> {
        self.check_with(key, address, |holder, rate| {
            if self.counts_in_memory() {
                return self.take_in_memory(holder, rate);
            }
            let bucket_rate = BucketRate {
                per_second: rate.per_second,
                burst: rate.burst,
            };
            match take_shared(&holder.bucket_name(), bucket_rate) {
                Ok(Some(RateToken::Taken)) => {
                    self.sharing.store(SHARING_SHARED, Ordering::Relaxed);
                    Ok(())
                }
                Ok(Some(RateToken::Wait(wait))) => {
                    self.sharing.store(SHARING_SHARED, Ordering::Relaxed);
                    Err(wait)
                }
                Ok(None) => {
                    self.sharing.store(SHARING_LOCAL, Ordering::Relaxed);
                    self.take_in_memory(holder, rate)
                }
                Err(error) => {
                    self.failed_at_ms.store(self.now_ms(), Ordering::Relaxed);
                    self.warn_now_and_then(&error);
                    self.take_in_memory(holder, rate)
                }
            }
        })
    }

    fn warn_now_and_then(&self, error: &lucid_storage::StorageError) {
        let now_ms = self.now_ms();
        let last = self.warned_at_ms.load(Ordering::Relaxed);
        let due = last == 0 || now_ms.saturating_sub(last) >= WARN_EVERY.as_millis() as u64;
        if due
            && self
                .warned_at_ms
                .compare_exchange(last, now_ms, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            tracing::warn!(%error, "cannot reach the shared rate buckets; counting on this node meanwhile");
        }
    }

    fn take_in_memory(&self, holder: Holder, rate: Rate) -> Result<(), Duration> {
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
        buckets
            .entry(holder)
            .or_insert(Bucket {
                tokens: rate.burst,
                at: now,
            })
            .take(rate, now)
    }

    /// Takes from the address's bucket, then the key's, with `take`; the `429` of the first
    /// that is empty.
    fn check_with(
        &self,
        key: Option<&str>,
        address: Option<IpAddr>,
        mut take: impl FnMut(Holder, Rate) -> Result<(), Duration>,
    ) -> Result<(), ApiError> {
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

    /// A database that does not answer: the request is counted in memory, and the database is
    /// not asked again until the retry delay has passed (a request must not wait out the
    /// connect timeout on every call during an outage).
    #[test]
    fn a_failing_shared_bucket_falls_back_to_memory_for_a_while() {
        let limiter = RateLimiter::new(
            Rate {
                per_second: 0.001,
                burst: 1.0,
            },
            Rate::OFF,
        );
        let asked = std::sync::atomic::AtomicUsize::new(0);
        let failing = |_: &str, _: BucketRate| {
            asked.fetch_add(1, Ordering::Relaxed);
            Err(lucid_storage::StorageError::Backend(
                "connection refused".into(),
            ))
        };
        assert!(!limiter.counts_in_memory(), "nothing known yet");
        assert!(limiter.check_taking(failing, Some("k1"), None).is_ok());
        assert_eq!(asked.load(Ordering::Relaxed), 1);
        assert!(limiter.counts_in_memory(), "in memory after a failure");
        // The in-memory bucket holds: the second request with the key is refused.
        assert!(limiter.check_taking(failing, Some("k1"), None).is_err());
        assert_eq!(
            asked.load(Ordering::Relaxed),
            1,
            "the database was not asked again"
        );
        // A backend that shares buckets is asked, and its answer stands.
        let shared = RateLimiter::new(
            Rate {
                per_second: 0.001,
                burst: 1.0,
            },
            Rate::OFF,
        );
        let wait = |_: &str, _: BucketRate| Ok(Some(RateToken::Wait(Duration::from_secs(7))));
        let error = shared
            .check_taking(wait, Some("k1"), None)
            .expect_err("the shared bucket is empty");
        assert_eq!(error.retry_after, Some(7));
        assert!(!shared.counts_in_memory());
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
