//! Bandwidth limit shared by all transfers of a job (scp's `-l`): a byte
//! budget that refills at the limit. Senders ask how long to wait before
//! sending a chunk; the chunks of all sessions draw on the same budget.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Data allowed to go at once after an idle period.
const BURST: Duration = Duration::from_millis(250);

#[derive(Debug, Clone)]
pub struct Throttle {
    bucket: Arc<Mutex<Bucket>>,
}

#[derive(Debug)]
struct Bucket {
    bytes_per_sec: f64,
    /// When the budget spent so far is paid off.
    paid_until: Instant,
}

impl Throttle {
    /// A limit in Kbit/s as scp counts them (1 Kbit = 1024 bits).
    pub fn from_kbit(kbit: u64) -> Self {
        let bytes_per_sec = (kbit.max(1) * 1024) as f64 / 8.0;
        Self { bucket: Arc::new(Mutex::new(Bucket { bytes_per_sec, paid_until: Instant::now() })) }
    }

    pub fn bytes_per_sec(&self) -> f64 {
        self.bucket.lock().map(|b| b.bytes_per_sec).unwrap_or(f64::MAX)
    }

    /// Takes `bytes` from the budget; the caller waits the returned time
    /// before sending them.
    pub fn reserve(&self, bytes: u64) -> Duration {
        self.reserve_at(Instant::now(), bytes)
    }

    fn reserve_at(&self, now: Instant, bytes: u64) -> Duration {
        let Ok(mut bucket) = self.bucket.lock() else {
            return Duration::ZERO;
        };
        let earliest = now.checked_sub(BURST).unwrap_or(now);
        let start = bucket.paid_until.max(earliest);
        bucket.paid_until = start + Duration::from_secs_f64(bytes as f64 / bucket.bytes_per_sec);
        bucket.paid_until.saturating_duration_since(now + BURST)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreads_bytes_over_time_at_the_limit() {
        // 80 Kbit/s = 10240 bytes/s.
        let throttle = Throttle::from_kbit(80);
        assert_eq!(throttle.bytes_per_sec(), 10240.0);
        let now = Instant::now();
        // The burst goes at once...
        assert_eq!(throttle.reserve_at(now, 2560), Duration::ZERO);
        // ...then each second's worth waits one more second.
        let wait = throttle.reserve_at(now, 10240);
        assert!((wait.as_secs_f64() - 1.0).abs() < 0.01, "{wait:?}");
        let wait = throttle.reserve_at(now, 10240);
        assert!((wait.as_secs_f64() - 2.0).abs() < 0.01, "{wait:?}");
        // Shared by clones: another session of the job waits behind them.
        let wait = throttle.clone().reserve_at(now, 5120);
        assert!((wait.as_secs_f64() - 2.5).abs() < 0.01, "{wait:?}");
    }
}
