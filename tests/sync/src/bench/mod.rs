//! The sync performance benchmark's parts (`benches/sync.rs`, run by `scripts/bench-sync`): synthetic patients,
//! a transport that times and counts calls, a joining desk, the measured scenarios, the fleet of concurrent
//! devices, and the markdown report with each target met or not. Nothing here asserts a time.

pub mod desk;
pub mod fleet;
pub mod metered;
pub mod report;
pub mod scenarios;
pub mod synthetic;

use std::time::Duration;

/// A size from the environment (e.g. `CLINIC_BENCH_PATIENTS`), or the default.
pub fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(text) => text.trim().replace('_', "").parse().unwrap_or_else(|_| panic!("{name} must be a whole number")),
        Err(_) => default,
    }
}

/// The `p`-th percentile (0–100) of some durations, nearest rank; zero when there are none.
pub fn percentile(times: &[Duration], p: f64) -> Duration {
    if times.is_empty() {
        return Duration::ZERO;
    }
    let mut sorted = times.to_vec();
    sorted.sort_unstable();
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// The load average (1, 5, 15 minutes) now, as `/proc/loadavg` gives it.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// Milliseconds with one decimal.
pub fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// Seconds with two decimals.
pub fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

/// A whole number with thousands separators (`100,000`).
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
