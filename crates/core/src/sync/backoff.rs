//! When to try again: the shell's timer syncs every [`SYNC_INTERVAL`] while things work, and after failures
//! waits 5 s, 10 s, 20 s … up to 5 minutes, a little less at random so desks do not retry in step.

use std::time::Duration;

/// The regular interval between automatic syncs.
pub const SYNC_INTERVAL: Duration = Duration::from_secs(60);
/// The wait after the first failure.
pub const FIRST_RETRY_DELAY: Duration = Duration::from_secs(5);
/// The longest wait between attempts.
pub const MAX_RETRY_DELAY: Duration = Duration::from_secs(5 * 60);

/// The wait before the next attempt after `consecutive_failures` failed runs (0: the regular interval).
/// `jitter` in `[0, 1]` (from [`random_jitter`], or fixed in tests) takes up to a fifth off the wait.
pub fn retry_delay(consecutive_failures: u32, jitter: f64) -> Duration {
    if consecutive_failures == 0 {
        return SYNC_INTERVAL;
    }
    let doublings = (consecutive_failures - 1).min(16);
    let full = FIRST_RETRY_DELAY.saturating_mul(1 << doublings).min(MAX_RETRY_DELAY);
    let jitter = if jitter.is_finite() { jitter.clamp(0.0, 1.0) } else { 0.0 };
    full.mul_f64(1.0 - 0.2 * jitter)
}

/// A random jitter for [`retry_delay`] from the operating system's random source (0 if it is unavailable).
pub fn random_jitter() -> f64 {
    let mut bytes = [0u8; 4];
    match getrandom::fill(&mut bytes) {
        Ok(()) => f64::from(u32::from_le_bytes(bytes)) / f64::from(u32::MAX),
        Err(_) => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_from_five_seconds_up_to_five_minutes() {
        let secs = |n| retry_delay(n, 0.0).as_secs();
        assert_eq!(retry_delay(0, 0.7), SYNC_INTERVAL);
        assert_eq!([secs(1), secs(2), secs(3), secs(4), secs(5), secs(6), secs(7)], [5, 10, 20, 40, 80, 160, 300]);
        assert_eq!(secs(50), 300);
        assert_eq!(secs(u32::MAX), 300);
    }

    #[test]
    fn jitter_only_shortens_the_wait_by_at_most_a_fifth() {
        assert_eq!(retry_delay(1, 1.0), Duration::from_secs(4));
        assert_eq!(retry_delay(7, 0.5), Duration::from_secs(270));
        assert_eq!(retry_delay(7, f64::NAN), MAX_RETRY_DELAY);
        assert_eq!(retry_delay(7, 9.0), Duration::from_secs(240));
        let random = random_jitter();
        assert!((0.0..=1.0).contains(&random));
    }
}
