//! Bandwidth limit (scp's `-l`): a byte budget that refills at the limit,
//! shared by every channel of a command or job. The engine consults it
//! before each piece of data it reads or writes, in pieces of at most
//! [`QUANTUM`]'s worth, so the rate stays under the limit at any moment, not
//! only on average between progress reports.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The most data that goes at once: after an idle period, and per piece.
pub const QUANTUM: Duration = Duration::from_millis(50);
/// The longest nap between two looks at the cancel flag.
const NAP: Duration = Duration::from_millis(50);

#[derive(Debug, Clone)]
pub struct Throttle {
    bucket: Arc<Mutex<Bucket>>,
}

/// Clones share one budget; two throttles are equal when they are the same budget.
impl PartialEq for Throttle {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.bucket, &other.bucket)
    }
}

impl Eq for Throttle {}

#[derive(Debug)]
struct Bucket {
    bytes_per_sec: f64,
    /// When the budget spent so far is paid off.
    paid_until: Instant,
}

/// A bandwidth limit that is not a whole number of Kbit/s of at least 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not a bandwidth limit: give whole Kbit/s, at least 1 (1 Kbit = 1024 bits), as scp's -l")]
pub struct LimitError {
    pub text: String,
}

/// Reads a limit as scp's `-l` takes it (and `cp -l`, the copy dialog, a
/// host's `bandwidth` setting): whole Kbit/s, at least 1.
pub fn parse_kbit(text: &str) -> Result<u64, LimitError> {
    match text.trim().parse::<u64>() {
        Ok(kbit) if kbit >= 1 => Ok(kbit),
        _ => Err(LimitError { text: text.to_owned() }),
    }
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

    /// The limit in Kbit/s (for a remote `scp -l`).
    pub fn kbit(&self) -> u64 {
        (self.bytes_per_sec() * 8.0 / 1024.0).round() as u64
    }

    /// The largest piece to send or receive at once: [`QUANTUM`]'s worth.
    pub fn quantum(&self) -> usize {
        (self.bytes_per_sec() * QUANTUM.as_secs_f64()).clamp(512.0, 1024.0 * 1024.0) as usize
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
        let earliest = now.checked_sub(QUANTUM).unwrap_or(now);
        let start = bucket.paid_until.max(earliest);
        bucket.paid_until = start + Duration::from_secs_f64(bytes as f64 / bucket.bytes_per_sec);
        bucket.paid_until.saturating_duration_since(now + QUANTUM)
    }

    /// Takes `bytes` from the budget and sleeps until they may go, in short
    /// naps that look at `cancelled`. False when cancelled meanwhile.
    pub fn pace(&self, bytes: u64, cancelled: &dyn Fn() -> bool) -> bool {
        let until = Instant::now() + self.reserve(bytes);
        loop {
            if cancelled() {
                return false;
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return true;
            }
            std::thread::sleep(left.min(NAP));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_read_as_scp_reads_them() {
        assert_eq!(parse_kbit("8000"), Ok(8000));
        assert_eq!(parse_kbit(" 1 "), Ok(1));
        for bad in ["0", "-5", "1.5", "8M", ""] {
            assert!(parse_kbit(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn spreads_bytes_over_time_at_the_limit() {
        // 80 Kbit/s = 10240 bytes/s; a quantum is 512 bytes.
        let throttle = Throttle::from_kbit(80);
        assert_eq!(throttle.bytes_per_sec(), 10240.0);
        assert_eq!(throttle.kbit(), 80);
        assert_eq!(throttle.quantum(), 512);
        let now = Instant::now() + Duration::from_secs(1);
        // One quantum goes at once after an idle period...
        assert_eq!(throttle.reserve_at(now, 512), Duration::ZERO);
        // ...then each second's worth waits one more second (less the
        // quantum that may be in flight).
        let wait = throttle.reserve_at(now, 10240);
        assert!((wait.as_secs_f64() - 0.95).abs() < 0.01, "{wait:?}");
        let wait = throttle.reserve_at(now, 10240);
        assert!((wait.as_secs_f64() - 1.95).abs() < 0.01, "{wait:?}");
        // Shared by clones: another session of the job waits behind them.
        let other = throttle.clone();
        assert_eq!(other, throttle);
        let wait = other.reserve_at(now, 5120);
        assert!((wait.as_secs_f64() - 2.45).abs() < 0.01, "{wait:?}");
        assert_ne!(Throttle::from_kbit(80), throttle);
    }

    #[test]
    fn pacing_holds_the_rate_and_stops_on_cancel() {
        // 800 Kbit/s = 102400 bytes/s: 20 pieces of 10 KiB take about 2 s
        // less the one quantum allowed at once.
        let throttle = Throttle::from_kbit(800);
        let start = Instant::now();
        for _ in 0..10 {
            assert!(throttle.pace(10240, &|| false));
        }
        let took = start.elapsed().as_secs_f64();
        assert!((0.85..1.3).contains(&took), "{took}");
        let start = Instant::now();
        assert!(!throttle.pace(10_000_000, &|| start.elapsed() > Duration::from_millis(100)));
        assert!(start.elapsed() < Duration::from_millis(400));
    }
}
