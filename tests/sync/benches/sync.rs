//! Sync performance benchmark (`scripts/bench-sync`): the real server on a fresh PostgreSQL database, real
//! encrypted desks over HTTP. Seeds the server with N patients pushed by one desk, then measures, directly and
//! through a loopback proxy adding 50 ms of round trip: a new desk's first download, a download killed half-way
//! and resumed, 1,000 changes pushed and pulled, 50 devices syncing at once, and empty pulls. Prints one
//! markdown table per link with each target met or not, and writes them into docs/benchmarks.md at full size.
//!
//! Environment: CLINIC_BENCH_PATIENTS (100000), CLINIC_BENCH_CHANGES (1000), CLINIC_BENCH_DEVICES (50),
//! CLINIC_BENCH_DEVICE_CHANGES (100), CLINIC_BENCH_DEVICE_BATCH (10), CLINIC_BENCH_PAGE (500, the app's page size),
//! CLINIC_BENCH_EMPTY_PULLS (200), CLINIC_BENCH_RTT_MS (50), CLINIC_BENCH_NO_DOCS=1 to leave the docs alone.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use clinic_sync_tests::TestServer;
use clinic_sync_tests::bench::report::{self, LinkFigures};
use clinic_sync_tests::bench::scenarios::{self, BootstrapFigures};
use clinic_sync_tests::bench::{env_number, fleet, load_average, secs, thousands};
use clinic_sync_tests::proxy::LatencyProxy;

const DOCS_START: &str = "<!-- sync:start -->";
const DOCS_END: &str = "<!-- sync:end -->";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sizes {
    patients: u64,
    changes: usize,
    devices: usize,
    device_changes: usize,
    device_batch: usize,
    page: u32,
    empty_pulls: usize,
    rtt_ms: u64,
}

const FULL: Sizes = Sizes {
    patients: 100_000,
    changes: 1_000,
    devices: 50,
    device_changes: 100,
    device_batch: 10,
    page: clinic_protocol::MAX_PAGE_SIZE,
    empty_pulls: 200,
    rtt_ms: 50,
};

fn sizes() -> Sizes {
    let number = |name: &str, default: usize| usize::try_from(env_number(name, default as u64)).expect("a size");
    Sizes {
        patients: env_number("CLINIC_BENCH_PATIENTS", FULL.patients),
        changes: number("CLINIC_BENCH_CHANGES", FULL.changes),
        devices: number("CLINIC_BENCH_DEVICES", FULL.devices),
        device_changes: number("CLINIC_BENCH_DEVICE_CHANGES", FULL.device_changes),
        device_batch: number("CLINIC_BENCH_DEVICE_BATCH", FULL.device_batch),
        page: u32::try_from(env_number("CLINIC_BENCH_PAGE", u64::from(FULL.page))).expect("a page size"),
        empty_pulls: number("CLINIC_BENCH_EMPTY_PULLS", FULL.empty_pulls),
        rtt_ms: env_number("CLINIC_BENCH_RTT_MS", FULL.rtt_ms),
    }
}

fn say(text: &str) {
    eprintln!("[bench-sync] {text}");
}

fn bootstrap_line(name: &str, b: &BootstrapFigures) -> String {
    format!("{name}: {} records in {} ({} rows/s)", b.records, secs(b.took), thousands(b.rows_per_second() as u64))
}

fn main() {
    // `cargo bench` passes `--bench`; this program takes no arguments of its own.
    let s = sizes();
    let load_before = load_average();
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(str::trim)
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    say(&format!("{s:?}; load average {load_before}"));

    let server = TestServer::start();
    let started = Instant::now();
    say(&format!("seeding {} patients", s.patients));
    let (seed_desk, seed) = scenarios::seed(&server, s.patients, 50_000);
    say(&format!(
        "seeded: registered in {}, pushed in {} ({} requests, {} waiting for answers), the seeding desk's whole run {}",
        secs(seed.register),
        secs(seed.push_phase),
        secs(seed.push_waiting),
        seed.push_requests,
        secs(seed.sync_run)
    ));
    let target: SocketAddr = server.url.trim_start_matches("http://").parse().expect("server address");
    let proxy = LatencyProxy::start(target, Duration::from_millis(s.rtt_ms) / 2);
    let rtt_name = format!("{} ms RTT", s.rtt_ms);
    let links: [(String, Option<&str>); 2] = [("direct".into(), None), (rtt_name, Some(proxy.url.as_str()))];

    // Downloads first, so both links download the same records.
    let mut downloads = Vec::new();
    for (i, (name, via)) in links.iter().enumerate() {
        let (desk, figures) = scenarios::bootstrap(&server, &format!("B{i}"), *via, s.page);
        say(&bootstrap_line(name, &figures));
        downloads.push((desk, figures));
    }
    let mut resumes = Vec::new();
    for (i, (name, via)) in links.iter().enumerate() {
        let figures = scenarios::resume(&server, &format!("R{i}"), *via, s.page);
        say(&format!("{name}: resumed download: {figures:?}"));
        resumes.push(figures);
    }
    let ids = seed_desk.active_ids();
    let mut push_pulls = Vec::new();
    for (i, (name, via)) in links.iter().enumerate() {
        let half = s.changes.div_ceil(2).max(1);
        let edits = &ids[(i * half).min(ids.len() - 1)..];
        let first_new = s.patients + (i * s.changes) as u64;
        let figures = scenarios::push_then_pull(&seed_desk, edits, first_new, &downloads[i].0, *via, s.changes);
        say(&format!("{name}: {figures:?}"));
        push_pulls.push(figures);
    }
    let author = *server.records("staff").keys().next().expect("the administrator's staff record");
    let mut fleets = Vec::new();
    for (series, (name, via)) in links.iter().enumerate() {
        let devices = fleet::enroll(&server, s.devices);
        let plan = fleet::FleetPlan {
            url: via.unwrap_or(&server.url).to_owned(),
            changes: s.device_changes,
            batch: s.device_batch,
            author,
            now_ms: u64::try_from(server.clock_millis()).unwrap_or(0),
            series,
        };
        let figures = fleet::run(devices, &plan);
        say(&format!(
            "{name}: fleet applied {} in {}, caught up after {}",
            figures.applied,
            secs(figures.push_wall),
            secs(figures.wall)
        ));
        fleets.push(figures);
    }
    let mut empties = Vec::new();
    for (i, (_, via)) in links.iter().enumerate() {
        empties.push(scenarios::empty_pulls(&downloads[i].0, *via, s.empty_pulls));
    }
    let load_after = load_average();

    let mut text = format!(
        "Run on {} UTC: {} patients seeded, pages of {}, {} changes pushed and pulled, {} devices × {} changes \
         ({} per push); {} cores (`nproc`), {cpu}; release build; server and PostgreSQL on this host. Load average \
         (1, 5, 15 min) at the start and the end: {load_before} → {load_after}. Seeding (not measured below): \
         `register_many` {}, pushed by one desk in {} ({} requests, {} of it waiting for the server).\n\n",
        jiff::Timestamp::now().strftime("%Y-%m-%d %H:%M"),
        thousands(s.patients),
        s.page,
        thousands(s.changes as u64),
        s.devices,
        s.device_changes,
        s.device_batch,
        cores,
        secs(seed.register),
        secs(seed.push_phase),
        seed.push_requests,
        secs(seed.push_waiting),
    );
    for (i, (name, _)) in links.iter().enumerate() {
        let figures = LinkFigures {
            name: name.clone(),
            bootstrap: downloads[i].1.clone(),
            resume: resumes[i].clone(),
            push_pull: push_pulls[i].clone(),
            fleet_batch: s.device_batch,
            fleet_changes: s.device_changes,
            fleet: fleets[i].clone(),
            empty: empties[i].clone(),
        };
        text.push_str(&report::table(&figures));
        text.push('\n');
    }
    println!("{text}");
    say(&format!("done in {}", secs(started.elapsed())));
    if s == FULL && std::env::var_os("CLINIC_BENCH_NO_DOCS").is_none() {
        write_docs(text.trim_end());
    }
}

/// Replaces the figures between the sync markers of docs/benchmarks.md.
fn write_docs(text: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/benchmarks.md");
    let Ok(doc) = std::fs::read_to_string(&path) else {
        say("docs/benchmarks.md not found; figures not written");
        return;
    };
    let (Some(start), Some(end)) = (doc.find(DOCS_START), doc.find(DOCS_END)) else {
        say("docs/benchmarks.md has no sync markers; figures not written");
        return;
    };
    let updated = [&doc[..start + DOCS_START.len()], "\n", text, "\n", &doc[end..]].concat();
    std::fs::write(&path, updated).expect("write docs/benchmarks.md");
    say("figures written to docs/benchmarks.md");
}
