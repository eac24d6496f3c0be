//! The benchmark's markdown: one table per link (direct, or through the latency proxy), each row a figure, its
//! target and whether the target is met. A missed target is reported, never an error.

use std::fmt::Write as _;
use std::time::Duration;

use super::fleet::FleetFigures;
use super::scenarios::{BootstrapFigures, EmptyPullFigures, PushPullFigures, ResumeFigures};
use super::{ms, percentile, secs, thousands};

/// Everything measured over one link.
#[derive(Debug, Clone)]
pub struct LinkFigures {
    /// `direct` or `50 ms RTT`.
    pub name: String,
    pub bootstrap: BootstrapFigures,
    pub resume: ResumeFigures,
    pub push_pull: PushPullFigures,
    /// Changes per push in the fleet.
    pub fleet_batch: usize,
    pub fleet_changes: usize,
    pub fleet: FleetFigures,
    pub empty: EmptyPullFigures,
}

/// Rows per second a first download must reach (100,000 records in 15 s).
const BOOTSTRAP_ROWS_PER_SECOND: f64 = 100_000.0 / 15.0;
/// Pushing, or pulling and applying, 1,000 changes.
const PUSH_PULL_PER_1000: Duration = Duration::from_millis(500);
const FLEET_MUTATIONS_PER_SECOND: f64 = 2_000.0;
const FLEET_PUSH_P95: Duration = Duration::from_millis(500);
const EMPTY_PULL_P95: Duration = Duration::from_millis(10);

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "**NOT met**" }
}

/// The table for one link.
pub fn table(f: &LinkFigures) -> String {
    let mut out = String::new();
    let row = |out: &mut String, what: String, figure: String, target: String, met: Option<bool>| {
        let result = met.map_or("", verdict);
        let _ = writeln!(out, "| {what} | {figure} | {target} | {result} |");
    };
    let _ = writeln!(out, "**{}**\n", f.name);
    out.push_str("| measurement | figure | target | result |\n| --- | --- | --- | --- |\n");

    let b = &f.bootstrap;
    let rate = b.rows_per_second();
    row(
        &mut out,
        format!("1. first download of {} records to a new desk (pages of {})", thousands(b.records), b.page_size),
        format!(
            "{} = {} rows/s ({} pages; waiting for pages {}, applying {})",
            secs(b.took),
            thousands(rate as u64),
            b.pages,
            secs(b.fetching),
            secs(b.took.saturating_sub(b.fetching))
        ),
        "≤ 15 s for 100,000 (≥ 6,700 rows/s)".into(),
        Some(rate >= BOOTSTRAP_ROWS_PER_SECOND),
    );
    let r = &f.resume;
    row(
        &mut out,
        format!(
            "1b. download killed in page {} of {}, restarted",
            r.killed_in_page,
            r.total.div_ceil(u64::from(r.page_size))
        ),
        format!(
            "{} rows fetched before the kill; after the restart {} pages, {} rows; {} rows fetched twice",
            thousands(r.rows_before),
            r.pages_after,
            thousands(r.rows_after),
            thousands(r.downloaded_again)
        ),
        format!("at most one page ({} rows) again", r.page_size),
        Some(r.downloaded_again <= u64::from(r.page_size)),
    );
    let p = &f.push_pull;
    let budget = PUSH_PULL_PER_1000.mul_f64(p.changes as f64 / 1000.0);
    row(
        &mut out,
        format!("2a. {} changes pushed by one desk (outbox → server)", thousands(p.changes as u64)),
        format!(
            "{} in {} requests (the whole run, pulling them back too: {})",
            secs(p.push_phase),
            p.push_requests,
            secs(p.pusher_run)
        ),
        format!("≤ {}", secs(budget)),
        Some(p.push_phase <= budget),
    );
    row(
        &mut out,
        format!("2b. {} changes pulled and applied by another desk", thousands(p.changes as u64)),
        format!(
            "{} ({} {}; waiting for pages {})",
            secs(p.pull_run),
            p.pull_pages,
            if p.pull_pages == 1 { "page" } else { "pages" },
            secs(p.pull_fetching)
        ),
        format!("≤ {}", secs(budget)),
        Some(p.pull_run <= budget),
    );
    let fl = &f.fleet;
    let throughput = fl.applied as f64 / fl.push_wall.as_secs_f64().max(f64::EPSILON);
    row(
        &mut out,
        format!(
            "3a. {} devices at once, each pushing {} changes ({} per push) and pulling after each push",
            fl.devices, f.fleet_changes, f.fleet_batch
        ),
        format!(
            "{} mutations/s applied ({} in {}; everyone caught up after {}, {} changes pulled)",
            thousands(throughput as u64),
            thousands(fl.applied as u64),
            secs(fl.push_wall),
            secs(fl.wall),
            thousands(fl.pulled as u64)
        ),
        "≥ 2,000 mutations/s".into(),
        Some(throughput >= FLEET_MUTATIONS_PER_SECOND),
    );
    let push_p95 = percentile(&fl.push_latencies, 95.0);
    row(
        &mut out,
        format!("3b. push request latency, p50 / p95 / max ({} requests)", fl.push_latencies.len()),
        format!(
            "{} / {} / {}",
            ms(percentile(&fl.push_latencies, 50.0)),
            ms(push_p95),
            ms(percentile(&fl.push_latencies, 100.0))
        ),
        "p95 ≤ 500 ms".into(),
        Some(push_p95 <= FLEET_PUSH_P95),
    );
    row(
        &mut out,
        format!("3c. pull request latency in the same run, p50 / p95 ({} requests)", fl.pull_latencies.len()),
        format!("{} / {}", ms(percentile(&fl.pull_latencies, 50.0)), ms(percentile(&fl.pull_latencies, 95.0))),
        String::new(),
        None,
    );
    let e = &f.empty;
    let empty_p95 = percentile(&e.requests, 95.0);
    row(
        &mut out,
        format!("4. empty pull, request round trip p50 / p95 ({} requests)", e.requests.len()),
        format!("{} / {}", ms(percentile(&e.requests, 50.0)), ms(empty_p95)),
        "p95 ≤ 10 ms".into(),
        Some(empty_p95 <= EMPTY_PULL_P95),
    );
    row(
        &mut out,
        "4b. the whole sync run of an up-to-date desk, p50 / p95".into(),
        format!("{} / {}", ms(percentile(&e.runs, 50.0)), ms(percentile(&e.runs, 95.0))),
        String::new(),
        None,
    );
    out
}
