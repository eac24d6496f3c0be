//! Patient search benchmark: bulk registration, cold open and a fixed mix of searches over N synthetic
//! patients, on an encrypted (SQLCipher) database and then on a plain SQLite one, so the cost of
//! encryption is visible. Prints its figures and writes them into docs/benchmarks.md. Not a test: nothing
//! here asserts a time.
//!
//! Run with `scripts/bench-search`. Environment: `CLINIC_BENCH_PATIENTS` (default 1,000,000),
//! `CLINIC_BENCH_QUERIES` (default 2,450), `CLINIC_BENCH_BATCH` (default 100,000),
//! `CLINIC_BENCH_DIR` (where the databases go; default the system temp folder),
//! `CLINIC_BENCH_NO_DOCS=1` to leave docs/benchmarks.md alone, `CLINIC_BENCH_SKIP_PLAINTEXT=1` to measure
//! the encrypted database only.

#[path = "patient_search/synthetic.rs"]
mod synthetic;

use std::time::{Duration, Instant};

use clinic_core::Clinic;
use clinic_core::accounts::{self, SessionId};
use clinic_core::clock::Env;
use clinic_core::keys::MemoryKeyStore;
use clinic_core::patients::{self, keys::fold};
use clinic_core::setup::{self, ClinicSettings, DateFormat, FirstAdministrator};
use clinic_core::store::DataDir;
use synthetic::{Rng, patient};

const PASSWORD: &str = "bench pass phrase 1";
const RESULTS_SHOWN: u32 = 20;
const START_MARK: &str = "<!-- patient-search:start -->";
const END_MARK: &str = "<!-- patient-search:end -->";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    NamePrefix,
    NameSubstring,
    Phone,
    PhoneEnd,
    Identifier,
    Mrn,
    DateOfBirth,
}

const KINDS: [Kind; 7] = [
    Kind::NamePrefix,
    Kind::NameSubstring,
    Kind::Phone,
    Kind::PhoneEnd,
    Kind::Identifier,
    Kind::Mrn,
    Kind::DateOfBirth,
];

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::NamePrefix => "name prefix",
            Kind::NameSubstring => "name substring",
            Kind::Phone => "phone (full)",
            Kind::PhoneEnd => "phone (last 4)",
            Kind::Identifier => "national id",
            Kind::Mrn => "MRN",
            Kind::DateOfBirth => "date of birth",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Encrypted,
    Plaintext,
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.replace(['_', ','], "").parse().ok()).unwrap_or(default)
}

/// A window of a name as someone might type it: part of one word, accents dropped half the time.
fn fragment(rng: &mut Rng, name: &str, from_start: bool) -> String {
    let words: Vec<&str> = name.split([' ', '\'']).filter(|w| w.chars().count() >= 3).collect();
    let word: Vec<char> = words.get(rng.below(words.len().max(1))).copied().unwrap_or(name).chars().collect();
    let len = (3 + rng.below(3)).min(word.len());
    let start = if from_start || word.len() <= len { 0 } else { 1 + rng.below(word.len() - len) };
    let typed: String = word[start..start + len].iter().collect();
    if rng.below(2) == 0 { fold(&typed) } else { typed.to_lowercase() }
}

/// The fixed query mix: the same queries, in the same order, for both databases.
fn queries(n: u64, count: u64) -> Vec<(Kind, String)> {
    let mut rng = Rng::new(7);
    (0..count)
        .map(|q| {
            let kind = KINDS[(q % KINDS.len() as u64) as usize];
            let i = rng.next() % n;
            let p = patient(i);
            let d = &p.draft;
            let text = match kind {
                Kind::NamePrefix if rng.below(3) == 0 => {
                    format!("{} {}", fragment(&mut rng, &d.family_name, true), fragment(&mut rng, &d.given_name, true))
                }
                Kind::NamePrefix => fragment(&mut rng, &d.family_name, true),
                Kind::NameSubstring => {
                    let name = if rng.below(2) == 0 { &d.family_name } else { &d.given_name };
                    fragment(&mut rng, name, false)
                }
                Kind::Phone => {
                    let digits = &p.phone_digits;
                    let cut = digits.len() - 9;
                    format!(
                        "+{} {} {} {}",
                        &digits[..cut],
                        &digits[cut..cut + 3],
                        &digits[cut + 3..cut + 6],
                        &digits[cut + 6..]
                    )
                }
                Kind::PhoneEnd => p.phone_digits[p.phone_digits.len() - 4..].to_owned(),
                Kind::Identifier => p.national_id.to_lowercase().replace('-', ""),
                Kind::Mrn => format!("MAIN-D01-{:06}", i + 1),
                Kind::DateOfBirth => d.date_of_birth.map(|b| b.strftime("%d/%m/%Y").to_string()).unwrap_or_default(),
            };
            (kind, text)
        })
        .collect()
}

#[derive(Debug, Clone, Copy, Default)]
struct Stats {
    count: usize,
    p50: f64,
    p95: f64,
    p99: f64,
    max: f64,
}

fn stats(times: &[Duration]) -> Stats {
    let mut ms: Vec<f64> = times.iter().map(|t| t.as_secs_f64() * 1000.0).collect();
    ms.sort_by(f64::total_cmp);
    let at = |p: f64| ms[((p * ms.len() as f64).ceil() as usize).clamp(1, ms.len()) - 1];
    Stats { count: ms.len(), p50: at(0.50), p95: at(0.95), p99: at(0.99), max: *ms.last().unwrap_or(&0.0) }
}

/// CPU seconds (user + system) this process has used so far (Linux; 0 elsewhere).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0 // utime and stime, in USER_HZ (100 on Linux)
}

/// Bytes this process has written to storage so far (Linux; 0 elsewhere).
fn bytes_written() -> u64 {
    let io = std::fs::read_to_string("/proc/self/io").unwrap_or_default();
    io.lines().find_map(|l| l.strip_prefix("write_bytes: ")).and_then(|v| v.trim().parse().ok()).unwrap_or(0)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

#[derive(Debug, Default)]
struct Figures {
    registration: Duration,
    registration_cpu: f64,
    registration_written_mb: f64,
    size_mb: f64,
    open: Duration,
    first_search: Duration,
    per_kind: Vec<(Kind, Stats, usize)>,
    overall: Stats,
}

fn settings() -> ClinicSettings {
    ClinicSettings {
        name: "Benchmark Clinic".into(),
        code: "MAIN".into(),
        address: String::new(),
        time_zone: "Africa/Nairobi".into(),
        currency: "KES".into(),
        invoice_prefix: "BEN".into(),
        date_format: DateFormat::DayMonthYear,
        idle_lock_minutes: 480,
    }
}

fn open(mode: Mode, data: &DataDir, keys: &MemoryKeyStore) -> Clinic {
    match mode {
        Mode::Encrypted => Clinic::unlock(data, keys, Env::system()).expect("unlock"),
        Mode::Plaintext => Clinic::open_plaintext_for_benchmark(data, Env::system()).expect("open plaintext"),
    }
}

fn sign_in(clinic: &Clinic) -> SessionId {
    accounts::login(clinic, "bench", PASSWORD).expect("login").session_id
}

fn run(mode: Mode, n: u64, batch: u64, workload: &[(Kind, String)], root: &std::path::Path) -> Figures {
    let folder = tempfile::Builder::new().prefix("clinic-bench-").tempdir_in(root).expect("temp dir");
    let data = DataDir::new(folder.path().join("data"));
    let keys = MemoryKeyStore::default();
    let clinic = match mode {
        Mode::Encrypted => Clinic::create(&data, &keys, Env::system(), "D01").expect("create").0,
        Mode::Plaintext => Clinic::create_plaintext_for_benchmark(&data, Env::system(), "D01").expect("create"),
    };
    let admin =
        FirstAdministrator { username: "bench".into(), display_name: "Bench".into(), password: PASSWORD.into() };
    setup::initialize(&clinic, &settings(), &admin).expect("setup");
    let session = sign_in(&clinic);
    let mut figures = Figures::default();
    let mut done = 0;
    let (cpu_before, written_before) = (cpu_seconds(), bytes_written());
    while done < n {
        let drafts: Vec<_> = (done..(done + batch).min(n)).map(|i| patient(i).draft).collect();
        let started = Instant::now();
        patients::register_many(&clinic, session, &drafts).expect("register_many");
        figures.registration += started.elapsed();
        done += drafts.len() as u64;
        if done % (batch * 2) == 0 || done == n {
            let rate = done as f64 / figures.registration.as_secs_f64();
            eprintln!("  {mode:?}: {done} registered, {:.1} s, {rate:.0}/s", figures.registration.as_secs_f64());
        }
    }
    drop(clinic); // closing checkpoints the log into the database file
    figures.registration_cpu = cpu_seconds() - cpu_before;
    figures.registration_written_mb = (bytes_written() - written_before) as f64 / 1_048_576.0;
    figures.size_mb =
        data.db_files().iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len() as f64 / 1_048_576.0).sum();

    // Cold open: a new connection with an empty page cache (the operating system's file cache is warm).
    let started = Instant::now();
    let clinic = open(mode, &data, &keys);
    figures.open = started.elapsed();
    let session = sign_in(&clinic); // deliberately slow password hashing: not part of the open time
    let started = Instant::now();
    let first = patients::search(&clinic, session, &workload[0].1, RESULTS_SHOWN).expect("first search");
    figures.first_search = started.elapsed();
    assert!(!first.is_empty(), "the first query finds its patient");

    let mut times: Vec<(Kind, Duration, bool)> = Vec::with_capacity(workload.len());
    for (kind, text) in workload {
        let started = Instant::now();
        let found = patients::search(&clinic, session, text, RESULTS_SHOWN).expect("search");
        times.push((*kind, started.elapsed(), found.is_empty()));
    }
    for kind in KINDS {
        let of_kind: Vec<Duration> = times.iter().filter(|t| t.0 == kind).map(|t| t.1).collect();
        let empty = times.iter().filter(|t| t.0 == kind && t.2).count();
        figures.per_kind.push((kind, stats(&of_kind), empty));
    }
    figures.overall = stats(&times.iter().map(|t| t.1).collect::<Vec<_>>());
    figures
}

fn report(n: u64, queries: usize, batch: u64, load: &str, encrypted: &Figures, plaintext: &Figures) -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let mut out = String::new();
    out.push_str(&format!(
        "Run on {} UTC: N = {n} patients registered in batches of {batch}, {queries} queries ({} per kind), \
         {cores} cores (`nproc`), {cpu}; release build; 20 results per search. Load average (1, 5, 15 min) at \
         the start and the end: {load}: the machine was shared, so wall-clock times include waiting for a core; \
         the CPU time of the registration is shown too.\n\n",
        jiff::Timestamp::now().strftime("%Y-%m-%d %H:%M"),
        queries / KINDS.len()
    ));
    out.push_str("| | encrypted (SQLCipher) | plain SQLite | target (encrypted) |\n| --- | ---: | ---: | ---: |\n");
    let secs = |f: &Figures| f.registration.as_secs_f64();
    let rate = |f: &Figures| n as f64 / f.registration.as_secs_f64();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    out.push_str(&format!(
        "| bulk registration (`register_many`) | {:.1} s ({:.0}/s) | {:.1} s ({:.0}/s) | ≤ 120 s for 1,000,000 |\n",
        secs(encrypted),
        rate(encrypted),
        secs(plaintext),
        rate(plaintext)
    ));
    out.push_str(&format!(
        "| registration CPU time (user + system) | {:.1} s | {:.1} s | |\n",
        encrypted.registration_cpu, plaintext.registration_cpu
    ));
    out.push_str(&format!(
        "| written to disk while registering (log + database) | {:.0} MB | {:.0} MB | |\n",
        encrypted.registration_written_mb, plaintext.registration_written_mb
    ));
    out.push_str(&format!("| database size | {:.0} MB | {:.0} MB | |\n", encrypted.size_mb, plaintext.size_mb));
    out.push_str(&format!(
        "| cold open (unlock, migrations check) | {:.1} ms | {:.1} ms | |\n| first search after open | {:.1} ms | {:.1} ms | |\n\
         | cold open + first search | {:.1} ms | {:.1} ms | ≤ 200 ms |\n",
        ms(encrypted.open),
        ms(plaintext.open),
        ms(encrypted.first_search),
        ms(plaintext.first_search),
        ms(encrypted.open + encrypted.first_search),
        ms(plaintext.open + plaintext.first_search)
    ));
    out.push_str(&format!(
        "| search p95 / p99 (all kinds) | {:.2} / {:.2} ms | {:.2} / {:.2} ms | ≤ 10 / ≤ 25 ms |\n\n",
        encrypted.overall.p95, encrypted.overall.p99, plaintext.overall.p95, plaintext.overall.p99
    ));
    out.push_str(
        "Search latency in ms (p50 / p95 / p99 / max); \"no result\" counts queries that found nothing.\n\n\
         | query kind | encrypted | plain SQLite | no result |\n| --- | ---: | ---: | ---: |\n",
    );
    let cell = |s: &Stats| format!("{:.2} / {:.2} / {:.2} / {:.2}", s.p50, s.p95, s.p99, s.max);
    for (i, (kind, e, empty)) in encrypted.per_kind.iter().enumerate() {
        let p = plaintext.per_kind.get(i).map(|k| k.1).unwrap_or_default();
        let p = &p;
        out.push_str(&format!("| {} | {} | {} | {empty} of {} |\n", kind.label(), cell(e), cell(p), e.count));
    }
    out.push_str(&format!("| **all** | {} | {} | |\n", cell(&encrypted.overall), cell(&plaintext.overall)));
    out
}

fn write_docs(text: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/benchmarks.md");
    let current = std::fs::read_to_string(&path).unwrap_or_else(|_| "# Benchmarks\n".to_owned());
    let block = format!("{START_MARK}\n{text}{END_MARK}");
    let updated = match (current.find(START_MARK), current.find(END_MARK)) {
        (Some(start), Some(end)) if end > start => {
            format!("{}{block}{}", &current[..start], &current[end + END_MARK.len()..])
        }
        _ => format!("{}\n## Patient search\n\n{block}\n", current.trim_end()),
    };
    std::fs::write(&path, updated).expect("write docs/benchmarks.md");
    eprintln!("figures written to {}", path.display());
}

fn main() {
    let n = env_number("CLINIC_BENCH_PATIENTS", 1_000_000).max(1);
    let count = env_number("CLINIC_BENCH_QUERIES", 2_450).max(KINDS.len() as u64);
    let batch = env_number("CLINIC_BENCH_BATCH", 100_000).max(1);
    let root = std::env::var_os("CLINIC_BENCH_DIR").map_or_else(std::env::temp_dir, Into::into);
    let workload = queries(n, count);
    let load_start = load_average();
    eprintln!("patient search benchmark: {n} patients, {} queries, databases under {}", workload.len(), root.display());
    let encrypted = run(Mode::Encrypted, n, batch, &workload, &root);
    let plaintext = if std::env::var("CLINIC_BENCH_SKIP_PLAINTEXT").is_ok() {
        Figures::default()
    } else {
        run(Mode::Plaintext, n, batch, &workload, &root)
    };
    let load = format!("{load_start} → {}", load_average());
    let text = report(n, workload.len(), batch, &load, &encrypted, &plaintext);
    println!("{text}");
    if std::env::var("CLINIC_BENCH_NO_DOCS").is_err() {
        write_docs(&text);
    }
}
