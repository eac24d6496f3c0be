//! Free-slot search benchmark: an encrypted clinic (Europe/Paris, so the range crosses a DST change) with 30
//! clinicians working Monday–Saturday 08:00–13:00 and 14:00–20:00 on a 5-minute slot grid, and 100,000
//! appointments over 13 weeks (about 90 % of working time booked, 4 % cancelled or no-show), then a fixed mix of "next 10 free
//! slots" queries through `slots::find_free_slots`. Prints p50 / p95 / max per kind and writes the figures into
//! docs/benchmarks.md. Not a test: nothing here asserts a time.
//!
//! Run: `cargo bench --locked -p clinic-core --bench free_slots`. Environment: `CLINIC_BENCH_APPOINTMENTS`
//! (default 100,000), `CLINIC_BENCH_CLINICIANS` (30), `CLINIC_BENCH_QUERIES` (800), `CLINIC_BENCH_DIR` (where the
//! database goes), `CLINIC_BENCH_NO_DOCS=1` to leave docs/benchmarks.md alone.

use std::time::{Duration, Instant};

use clinic_core::Clinic;
use clinic_core::accounts::{self, NewStaff, SessionId};
use clinic_core::clock::{Env, ManualClock, to_db_time};
use clinic_core::keys::MemoryKeyStore;
use clinic_core::patients::{self, PatientDraft};
use clinic_core::rbac::Role;
use clinic_core::scheduling::availability::{self, PeriodKind, WorkingPeriod};
use clinic_core::scheduling::clinicians::{self, ClinicianProfile};
use clinic_core::scheduling::slots::{self, SlotQuery};
use clinic_core::scheduling::{TimeOfDay, types};
use clinic_core::setup::{self, ClinicSettings, DateFormat, FirstAdministrator};
use clinic_core::store::DataDir;
use jiff::civil::{Date, Time, date};
use jiff::tz::TimeZone;
use uuid::Uuid;

const PASSWORD: &str = "bench pass phrase 1";
const START_MARK: &str = "<!-- free-slots:start -->";
const END_MARK: &str = "<!-- free-slots:end -->";
const FIRST_DAY: Date = date(2026, 3, 2);
const WEEKS: i64 = 13;
const SPECIALTIES: [&str; 6] =
    ["General practice", "Paediatrics", "Cardiology", "Dermatology", "Physiotherapy", "Nursing"];
const LANGUAGES: [&str; 8] = ["en", "fr", "sw", "ar", "pt", "es", "yo", "zh"];

/// SplitMix64, seedable and dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.replace(['_', ','], "").parse().ok()).unwrap_or(default)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// p50, p95, max in milliseconds.
fn stats(times: &[Duration]) -> (f64, f64, f64) {
    let mut v: Vec<f64> = times.iter().copied().map(ms).collect();
    v.sort_by(f64::total_cmp);
    let at = |p: f64| v[((p * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1];
    (at(0.50), at(0.95), v.last().copied().unwrap_or(0.0))
}

fn hm(h: i8, m: i8) -> Time {
    Time::constant(h, m, 0, 0)
}

/// Monday to Saturday, 08:00–13:00 and 14:00–20:00.
fn template() -> Vec<WorkingPeriod> {
    (1..=6)
        .flat_map(|weekday| {
            [(hm(8, 0), hm(13, 0)), (hm(14, 0), hm(20, 0))].map(|(start, end)| WorkingPeriod {
                weekday,
                start,
                end,
                kind: PeriodKind::Work,
            })
        })
        .collect()
}

struct Clinicians {
    ids: Vec<Uuid>,
}

fn set_up(clinic: &Clinic, count: usize) -> (SessionId, Clinicians, Uuid, Uuid) {
    let settings = ClinicSettings {
        name: "Benchmark Clinic".into(),
        code: "MAIN".into(),
        address: String::new(),
        time_zone: "Europe/Paris".into(),
        currency: "EUR".into(),
        invoice_prefix: "BEN".into(),
        date_format: DateFormat::DayMonthYear,
        idle_lock_minutes: 480,
    };
    let admin =
        FirstAdministrator { username: "bench".into(), display_name: "Bench".into(), password: PASSWORD.into() };
    setup::initialize(clinic, &settings, &admin).expect("setup");
    let session = accounts::login(clinic, "bench", PASSWORD).expect("login").session_id;
    let mut rng = Rng(11);
    let mut ids = Vec::new();
    for i in 0..count {
        let role = if i % 5 == 4 { Role::Nurse } else { Role::Doctor };
        let new = NewStaff {
            username: format!("clinician{i:02}"),
            display_name: format!("Clinician {i:02}"),
            role,
            password: PASSWORD.into(),
        };
        let id = accounts::create_staff(clinic, session, &new).expect("staff").id;
        let mut languages = vec![LANGUAGES[i % 2].to_owned()];
        languages.push(LANGUAGES[2 + rng.below(6) as usize].to_owned());
        let profile =
            ClinicianProfile { specialty: SPECIALTIES[i % SPECIALTIES.len()].into(), languages, slot_minutes: 5 };
        clinicians::set_clinician_profile(clinic, session, id, &profile).expect("profile");
        availability::set_weekly_template(clinic, session, id, &template()).expect("template");
        ids.push(id);
    }
    let starters = types::create_starter_types(clinic, session).expect("types");
    let by = |name: &str| starters.iter().find(|t| t.name == name).expect(name).id;
    (session, Clinicians { ids }, by("Consultation"), by("Procedure"))
}

/// Writes the appointments straight into the table in one transaction (the booking path's rules and audit are
/// not what is measured here), filling each clinician-day in order with 10/15/30-minute appointments and
/// spreading the remaining minutes as gaps.
fn seed_appointments(clinic: &Clinic, who: &Clinicians, patients: &[Uuid], type_id: Uuid, total: u64) -> u64 {
    let tz = TimeZone::get("Europe/Paris").expect("zone");
    let days: Vec<Date> = (0..WEEKS * 7)
        .filter_map(|d| FIRST_DAY.checked_add(jiff::Span::new().days(d)).ok())
        .filter(|d| d.weekday().to_monday_one_offset() <= 6)
        .collect();
    let slots = (who.ids.len() * days.len()) as u64;
    let mut rng = Rng(42);
    let stamp = to_db_time(tz.to_ambiguous_timestamp(FIRST_DAY.to_datetime(hm(0, 0))).compatible().expect("t"));
    let mut written = 0u64;
    // Appointments that did not fit in one clinician-day move to the next.
    let mut carry = 0u64;
    clinic
        .with_connection_for_tests(|c| {
            c.execute_batch("BEGIN IMMEDIATE").expect("begin");
            let mut insert = c
                .prepare(
                    "INSERT INTO appointments (id, patient_id, clinician_id, type_id, starts_at, ends_at, status,
                         status_changed_at, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?8)",
                )
                .expect("prepare");
            for (k, (clinician, day)) in who.ids.iter().flat_map(|c| days.iter().map(move |d| (c, d))).enumerate() {
                let quota = total / slots + u64::from((k as u64) < total % slots) + carry;
                carry = 0;
                let durations: Vec<i64> =
                    (0..quota).map(|_| [10, 10, 15, 15, 10, 10, 15, 15, 30, 15][rng.below(10) as usize]).collect();
                let spare = (660 - durations.iter().sum::<i64>()).max(0);
                let mut gaps = vec![0i64; durations.len() + 1];
                let places = gaps.len() as u64;
                for _ in 0..spare / 5 {
                    gaps[rng.below(places) as usize] += 5;
                }
                let mut minute = 8 * 60;
                for (i, length) in durations.iter().enumerate() {
                    minute += gaps[i];
                    if minute < 13 * 60 && minute + length > 13 * 60 {
                        minute = 14 * 60;
                    } else if (13 * 60..14 * 60).contains(&minute) {
                        minute += 60;
                    }
                    if minute + length > 20 * 60 {
                        carry += (durations.len() - i) as u64;
                        break;
                    }
                    let start = day.to_datetime(hm((minute / 60) as i8, (minute % 60) as i8));
                    let starts = tz.to_ambiguous_timestamp(start).compatible().expect("start");
                    let ends = starts + jiff::SignedDuration::from_mins(*length);
                    let status = match rng.below(100) {
                        0..=2 => "cancelled",
                        3 => "no_show",
                        _ => "booked",
                    };
                    let id = Uuid::from_u64_pair(rng.next(), rng.next());
                    let patient = patients[rng.below(patients.len() as u64) as usize];
                    insert
                        .execute(rusqlite::params![
                            id.to_string(),
                            patient.to_string(),
                            clinician.to_string(),
                            type_id.to_string(),
                            to_db_time(starts),
                            to_db_time(ends),
                            status,
                            stamp,
                        ])
                        .expect("insert");
                    written += 1;
                    minute += length;
                }
            }
            drop(insert);
            c.execute_batch("COMMIT").expect("commit");
        })
        .expect("conn");
    written
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Anyone,
    OneClinician,
    Specialty,
    Language,
    Evening,
    Procedure,
    LongOne,
    LongAnyone,
}

const KINDS: [Kind; 8] = [
    Kind::Anyone,
    Kind::OneClinician,
    Kind::Specialty,
    Kind::Language,
    Kind::Evening,
    Kind::Procedure,
    Kind::LongOne,
    Kind::LongAnyone,
];

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Anyone => "any clinician",
            Kind::OneClinician => "one clinician",
            Kind::Specialty => "a specialty",
            Kind::Language => "a language",
            Kind::Evening => "any clinician, evenings",
            Kind::Procedure => "30-minute procedure, any clinician",
            Kind::LongOne => "45 minutes, one clinician (rarely free)",
            Kind::LongAnyone => "60 minutes, any clinician (rarely free)",
        }
    }
}

fn query(kind: Kind, rng: &mut Rng, who: &Clinicians, consultation: Uuid, procedure: Uuid) -> SlotQuery {
    let from = FIRST_DAY.checked_add(jiff::Span::new().days(rng.below(84) as i64)).expect("day");
    let mut q = SlotQuery {
        type_id: consultation,
        duration_minutes: None,
        clinician_id: None,
        specialty: None,
        language: None,
        from_date: from,
        to_date: FIRST_DAY.checked_add(jiff::Span::new().days(WEEKS * 7 - 1)).expect("end"),
        time_of_day: TimeOfDay::Any,
        limit: 10,
    };
    match kind {
        Kind::Anyone => {}
        Kind::OneClinician => q.clinician_id = Some(who.ids[rng.below(who.ids.len() as u64) as usize]),
        Kind::Specialty => q.specialty = Some(SPECIALTIES[rng.below(6) as usize].to_owned()),
        Kind::Language => q.language = Some(LANGUAGES[2 + rng.below(6) as usize].to_owned()),
        Kind::Evening => q.time_of_day = TimeOfDay::Evening,
        Kind::Procedure => q.type_id = procedure,
        Kind::LongOne => {
            q.clinician_id = Some(who.ids[rng.below(who.ids.len() as u64) as usize]);
            q.duration_minutes = Some(45);
        }
        Kind::LongAnyone => q.duration_minutes = Some(60),
    }
    q
}

fn write_docs(text: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/benchmarks.md");
    let current = std::fs::read_to_string(&path).unwrap_or_else(|_| "# Benchmarks\n".to_owned());
    let block = [START_MARK, "\n", text, END_MARK].concat();
    let updated = match (current.find(START_MARK), current.find(END_MARK)) {
        (Some(start), Some(end)) if end > start => {
            [&current[..start], block.as_str(), &current[end + END_MARK.len()..]].concat()
        }
        _ => [current.trim_end(), "\n\n## Scheduling\n\n", &block, "\n"].concat(),
    };
    std::fs::write(&path, updated).expect("write docs/benchmarks.md");
    eprintln!("figures written to {}", path.display());
}

fn main() {
    let total = env_number("CLINIC_BENCH_APPOINTMENTS", 100_000);
    let count = env_number("CLINIC_BENCH_CLINICIANS", 30).max(1) as usize;
    let queries = env_number("CLINIC_BENCH_QUERIES", 800).max(KINDS.len() as u64) as usize;
    let root = std::env::var_os("CLINIC_BENCH_DIR").map_or_else(std::env::temp_dir, Into::into);
    let folder = tempfile::Builder::new().prefix("clinic-slots-").tempdir_in(&root).expect("temp dir");
    let data = DataDir::new(folder.path().join("data"));
    let keys = MemoryKeyStore::default();
    // "Now" is 07:00 local on the first Monday, before anyone starts work.
    let clock = ManualClock::new("2026-03-02T06:00:00Z".parse().expect("now"));
    let (clinic, _) = Clinic::create(&data, &keys, Env::with_clock(clock.clone()), "D01").expect("create");
    let started = Instant::now();
    let (session, who, consultation, procedure) = set_up(&clinic, count);
    let drafts: Vec<PatientDraft> = (0..2000)
        .map(|i| PatientDraft {
            given_name: format!("Given{i}"),
            family_name: format!("Family{}", i % 97),
            ..PatientDraft::default()
        })
        .collect();
    patients::register_many(&clinic, session, &drafts).expect("patients");
    let patient_ids: Vec<Uuid> = clinic
        .with_connection_for_tests(|c| {
            let mut stmt = c.prepare("SELECT id FROM patients").expect("prepare");
            stmt.query_map([], |r| r.get::<_, String>(0))
                .expect("query")
                .map(|id| Uuid::parse_str(&id.expect("row")).expect("uuid"))
                .collect()
        })
        .expect("conn");
    let written = seed_appointments(&clinic, &who, &patient_ids, consultation, total);
    let fill: f64 = clinic
        .with_connection_for_tests(|c| {
            c.query_row(
                "SELECT sum(unixepoch(ends_at) - unixepoch(starts_at)) / 60.0 FROM appointments
                 WHERE status NOT IN ('cancelled', 'no_show')",
                [],
                |r| r.get::<_, f64>(0),
            )
            .expect("minutes")
        })
        .expect("conn")
        * 100.0
        / (count as f64 * (WEEKS * 6) as f64 * 660.0);
    let seeded = started.elapsed();
    drop(clinic);

    let clinic = Clinic::unlock(&data, &keys, Env::with_clock(clock.clone())).expect("reopen");
    let session = accounts::login(&clinic, "bench", PASSWORD).expect("login").session_id;
    let plan: Vec<String> = clinic
        .with_connection_for_tests(|c| {
            let mut stmt = c.prepare(&["EXPLAIN QUERY PLAN ", slots::SWEEP_ALL].concat()).expect("plan");
            stmt.query_map(rusqlite::params![0, 1], |r| r.get::<_, String>(3))
                .expect("rows")
                .collect::<Result<_, _>>()
                .expect("plan rows")
        })
        .expect("conn");
    let mut rng = Rng(7);
    let mut times: Vec<(Kind, Duration, usize)> = Vec::with_capacity(queries);
    let mut ahead: Vec<i64> = Vec::with_capacity(queries);
    for i in 0..queries {
        let kind = KINDS[i % KINDS.len()];
        let q = query(kind, &mut rng, &who, consultation, procedure);
        let t = Instant::now();
        let found = slots::find_free_slots(&clinic, session, &q).expect("search");
        let wall = t.elapsed();
        let days = found.last().map_or(0, |s| q.from_date.duration_until(s.local_start.date()).as_hours() / 24);
        if ms(wall) > 20.0 {
            eprintln!("slow query {i} ({}): {:.1} ms, 10th slot {days} days ahead", kind.label(), ms(wall));
        }
        times.push((kind, wall, found.len()));
        ahead.push(days);
    }
    let first = ms(times[0].1);
    ahead.sort_unstable();
    let (ahead_p50, ahead_max) = (ahead[ahead.len() / 2], ahead.last().copied().unwrap_or(0));
    let all: Vec<Duration> = times.iter().map(|(_, d, _)| *d).collect();
    let (p50, p95, max) = stats(&all);
    let mut text = format!(
        "Run on {}: {written} appointments ({count} clinicians, {WEEKS} weeks starting {FIRST_DAY}, Monday–Saturday \
         08:00–13:00 and 14:00–20:00, {fill:.0} % of working time booked, 4 % cancelled or no-show; Europe/Paris, \
         so the range crosses the March DST change), encrypted database, release build, {} queries for the next \
         10 free slots, each starting on a random day. Seeding took {:.1} s. Load average: {}.\n\n\
         Plan of the sweep's range query: `{}`.\n\n\
         | query | p50 ms | p95 ms | max ms | slots found (mean) |\n| --- | ---: | ---: | ---: | ---: |\n",
        jiff::Timestamp::now().strftime("%Y-%m-%d %H:%M UTC"),
        times.len(),
        seeded.as_secs_f64(),
        std::fs::read_to_string("/proc/loadavg")
            .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
            .unwrap_or_default(),
        plan.join("; "),
    );
    for kind in KINDS {
        let mine: Vec<&(Kind, Duration, usize)> = times.iter().filter(|(k, _, _)| *k == kind).collect();
        let (a, b, c) = stats(&mine.iter().map(|(_, d, _)| *d).collect::<Vec<_>>());
        let mean = mine.iter().map(|(_, _, n)| *n as f64).sum::<f64>() / mine.len().max(1) as f64;
        text.push_str(&format!("| {} | {a:.2} | {b:.2} | {c:.2} | {mean:.1} |\n", kind.label()));
    }
    text.push_str(&format!("| **all** | **{p50:.2}** | **{p95:.2}** | **{max:.2}** | |\n"));
    text.push_str(&format!(
        "\nThe first query after opening the database took {first:.2} ms. The 10th slot was a median of \
         {ahead_p50} and at most {ahead_max} days after the first day asked for.\n"
    ));
    text.push_str("\nTarget: ≤ 20 ms for the next 10 free slots.\n");
    println!("{text}");
    if std::env::var("CLINIC_BENCH_NO_DOCS").is_err() {
        write_docs(&text);
    }
}
