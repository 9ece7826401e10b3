//! Transfer rate, smoothed, and the time left at that rate.

use std::time::{Duration, Instant};

/// Time constant of the exponential smoothing: a change of speed shows
/// fully after a few seconds, while one slow read does not make the ETA jump.
const TAU_SECS: f64 = 3.0;
/// Samples closer than this are merged, so that bursts of progress updates do
/// not produce absurd instant rates.
const MIN_INTERVAL: Duration = Duration::from_millis(200);

#[derive(Debug, Clone, Default)]
pub struct RateMeter {
    last: Option<(Instant, u64)>,
    rate: Option<f64>,
}

impl RateMeter {
    /// Records that `bytes` were done in total at `now`.
    pub fn sample(&mut self, now: Instant, bytes: u64) {
        let Some((then, before)) = self.last else {
            self.last = Some((now, bytes));
            return;
        };
        let elapsed = now.saturating_duration_since(then);
        if bytes < before {
            // Progress went back (an interrupted file restarts): new baseline.
            self.last = Some((now, bytes));
            return;
        }
        if elapsed < MIN_INTERVAL {
            return;
        }
        let dt = elapsed.as_secs_f64();
        let instant = (bytes - before) as f64 / dt;
        let alpha = 1.0 - (-dt / TAU_SECS).exp();
        self.rate = Some(match self.rate {
            None => instant,
            Some(rate) => rate + alpha * (instant - rate),
        });
        self.last = Some((now, bytes));
    }

    /// Bytes per second, once there are two samples.
    pub fn rate(&self) -> f64 {
        self.rate.unwrap_or(0.0)
    }

    pub fn reset(&mut self) {
        *self = Self::default();
    }

    /// Time to move `remaining` bytes at the smoothed rate.
    pub fn eta(&self, remaining: u64) -> Option<Duration> {
        eta(self.rate(), remaining)
    }
}

pub(super) fn eta(rate: f64, remaining: u64) -> Option<Duration> {
    if remaining == 0 {
        return Some(Duration::ZERO);
    }
    if rate < 1.0 {
        return None;
    }
    Some(Duration::from_secs_f64((remaining as f64 / rate).min(1e9)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smooths_towards_the_current_speed() {
        let start = Instant::now();
        let mut meter = RateMeter::default();
        meter.sample(start, 0);
        assert_eq!(meter.rate(), 0.0);
        for i in 1..=10u64 {
            meter.sample(start + Duration::from_secs(i), i * 1000);
        }
        assert!((meter.rate() - 1000.0).abs() < 1.0, "{}", meter.rate());
        // The speed doubles: the estimate moves towards it without jumping.
        meter.sample(start + Duration::from_secs(11), 12_000);
        assert!(meter.rate() > 1000.0 && meter.rate() < 2000.0, "{}", meter.rate());
        assert_eq!(meter.eta(0), Some(Duration::ZERO));
        let eta = meter.eta(10_000).unwrap_or_default().as_secs_f64();
        assert!(eta > 5.0 && eta < 10.0, "{eta}");
    }

    #[test]
    fn ignores_too_close_samples_and_restarts_on_going_back() {
        let start = Instant::now();
        let mut meter = RateMeter::default();
        meter.sample(start, 0);
        meter.sample(start + Duration::from_millis(10), 1_000_000);
        assert_eq!(meter.rate(), 0.0);
        meter.sample(start + Duration::from_secs(1), 1000);
        assert!((meter.rate() - 1000.0).abs() < 1.0, "{}", meter.rate());
        // An interrupted file restarts: the drop is not a negative rate.
        meter.sample(start + Duration::from_secs(2), 500);
        meter.sample(start + Duration::from_secs(3), 1500);
        assert!((meter.rate() - 1000.0).abs() < 1.0, "{}", meter.rate());
        assert_eq!(RateMeter::default().eta(5), None);
    }
}
