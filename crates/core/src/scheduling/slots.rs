//! Free-slot search: the next N free slots of a type's length for a clinician, a specialty or anyone, within
//! dates and a part of the day, optionally for a language. Day by day in growing chunks, it loads the
//! appointments holding time that start in the chunk with one range scan of the `appointments_sweep` index
//! (instants as integers), subtracts them from each clinician's open time (working hours − breaks − leave, none on
//! closures) and walks the free stretches on the clinician's slot grid (anchored at the start of each working
//! period). It stops as soon as N are found.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::Date;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::appointments::store;
use super::clinicians::{self, language_tag};
use super::hours::Calendar;
use super::time::{ClinicZone, Interval, TimeOfDay, days, from_seconds, normalise, subtract};
use super::types::{self, MAX_DURATION_MINUTES};
use crate::accounts::SessionId;
use crate::clock::to_db_time;
use crate::patients::keys::fold;
use crate::rbac::Permission;
use crate::{Clinic, CoreError, CoreResult};

/// What to look for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SlotQuery {
    pub type_id: Uuid,
    /// Length of the slot; the type's default duration when absent.
    #[serde(default)]
    pub duration_minutes: Option<u32>,
    /// One clinician, or (None) anyone matching the other filters.
    #[serde(default)]
    pub clinician_id: Option<Uuid>,
    #[serde(default)]
    pub specialty: Option<String>,
    /// A language the clinician speaks, e.g. `fr`.
    #[serde(default)]
    pub language: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub from_date: Date,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub to_date: Date,
    #[serde(default)]
    pub time_of_day: TimeOfDay,
    /// How many slots (1–100).
    pub limit: u32,
}

/// A free slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FreeSlot {
    pub clinician_id: Uuid,
    pub clinician_name: String,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub starts_at: Timestamp,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub ends_at: Timestamp,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub local_start: jiff::civil::DateTime,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub local_end: jiff::civil::DateTime,
}

/// The next free slots, earliest first (then by clinician name). Never in the past.
pub fn find_free_slots(clinic: &Clinic, session: SessionId, query: &SlotQuery) -> CoreResult<Vec<FreeSlot>> {
    clinic.authorize(session, Permission::AppointmentRead)?;
    if !(1..=100).contains(&query.limit) {
        return Err(CoreError::validation("limit", "Ask for between 1 and 100 slots."));
    }
    if query.to_date < query.from_date {
        return Err(CoreError::validation("to_date", "The last date must be on or after the first date."));
    }
    if query.from_date.duration_until(query.to_date).as_hours() > 24 * 366 {
        return Err(CoreError::validation("to_date", "Search at most a year ahead."));
    }
    let time_of_day = query.time_of_day.validate("time_of_day")?;
    let language =
        query.language.as_deref().filter(|l| !l.trim().is_empty()).map(|l| language_tag("language", l)).transpose()?;
    let specialty = query.specialty.as_deref().map(fold).filter(|s| !s.is_empty());
    let now = clinic.env.clock.now();
    clinic.read(|conn| {
        let zone = ClinicZone::load(conn)?;
        let kind = types::get(conn, query.type_id)?;
        let duration = query.duration_minutes.unwrap_or(kind.duration_minutes);
        if !(5..=MAX_DURATION_MINUTES).contains(&duration) {
            return Err(CoreError::validation(
                "duration_minutes",
                "The length must be between 5 minutes and 12 hours.",
            ));
        }
        let wanted = Filter { clinician: query.clinician_id, specialty, language, time_of_day, duration };
        search(conn, &zone, now, &wanted, query.from_date, query.to_date, query.limit as usize)
    })
}

/// Who and what fits.
#[derive(Debug)]
pub(crate) struct Filter {
    pub clinician: Option<Uuid>,
    /// Folded.
    pub specialty: Option<String>,
    pub language: Option<String>,
    pub time_of_day: TimeOfDay,
    pub duration: u32,
}

struct Candidate {
    id: Uuid,
    id_text: String,
    name: String,
    step: i64,
}

/// Every appointment holding time that starts in `[?1, ?2)` (seconds): a range on the `appointments_sweep`
/// index (its expressions and partial `WHERE` match these terms exactly), never the table.
#[doc(hidden)]
pub const SWEEP_ALL: &str = "SELECT a.clinician_id, unixepoch(a.starts_at), unixepoch(a.ends_at) FROM appointments a
     WHERE unixepoch(a.starts_at) >= ?1 AND unixepoch(a.starts_at) < ?2 AND a.deleted_at IS NULL
       AND a.status IN ('booked', 'arrived', 'in_consultation', 'completed')";
/// One clinician's (`?1`) appointments holding time that start in `[?2, ?3)` (stored text): `appointments_clinician`.
#[doc(hidden)]
pub const SWEEP_ONE: &str = "SELECT a.clinician_id, unixepoch(a.starts_at), unixepoch(a.ends_at) FROM appointments a
     WHERE a.clinician_id = ?1 AND a.starts_at >= ?2 AND a.starts_at < ?3 AND a.deleted_at IS NULL
       AND a.status IN ('booked', 'arrived', 'in_consultation', 'completed')";

/// The sweep. `from`/`to` are local days, both included; slots start at `now` or later.
pub(crate) fn search(
    conn: &Connection,
    zone: &ClinicZone,
    now: Timestamp,
    filter: &Filter,
    from: Date,
    to: Date,
    limit: usize,
) -> CoreResult<Vec<FreeSlot>> {
    let candidates: Vec<Candidate> = clinicians::all(conn)?
        .into_iter()
        .filter(|(c, key)| {
            c.active
                && filter.clinician.is_none_or(|id| id == c.staff_id)
                && filter.specialty.as_ref().is_none_or(|s| s == key)
                && filter.language.as_ref().is_none_or(|l| c.languages.contains(l))
        })
        .map(|(c, _)| Candidate {
            id: c.staff_id,
            id_text: c.staff_id.to_string(),
            name: c.display_name,
            step: i64::from(c.slot_minutes) * 60,
        })
        .collect();
    let first = from.max(zone.today(now));
    if candidates.is_empty() || first > to {
        return Ok(Vec::new());
    }
    let by_id: HashMap<&[u8], usize, BuildIdHasher> =
        candidates.iter().enumerate().map(|(i, c)| (c.id_text.as_bytes(), i)).collect();
    let cal = Calendar::load(conn, zone, zone.day_bounds(first).0, zone.day_bounds(to).1)?;
    let duration = i64::from(filter.duration) * 60;
    let lookback = i64::from(MAX_DURATION_MINUTES) * 60;
    let (now_s, one) = (now.as_second(), filter.clinician.map(|c| c.to_string()));
    let mut stmt = conn.prepare_cached(if one.is_some() { SWEEP_ONE } else { SWEEP_ALL })?;
    let mut found: Vec<FreeSlot> = Vec::with_capacity(limit);
    let mut busy: Vec<Vec<Interval>> = vec![Vec::new(); candidates.len()];
    let (mut day, mut chunk) = (first, 1i64);
    while day <= to {
        let chunk_last = day.checked_add(jiff::Span::new().days(chunk - 1)).unwrap_or(to).min(to);
        let lo = zone.day_bounds(day).0.as_second() - lookback;
        let hi = zone.day_bounds(chunk_last).1;
        busy.iter_mut().for_each(Vec::clear);
        let mut rows = match &one {
            Some(id) => stmt.query(rusqlite::params![id, to_db_time(from_seconds(lo)), to_db_time(hi)])?,
            None => stmt.query(rusqlite::params![lo, hi.as_second()])?,
        };
        while let Some(r) = rows.next()? {
            let clinician = r.get_ref(0)?.as_bytes().map_err(CoreError::internal)?;
            if let Some(&i) = by_id.get(clinician) {
                busy[i].push(Interval::new(r.get(1)?, r.get(2)?));
            }
        }
        drop(rows);
        for list in &mut busy {
            *list = normalise(std::mem::take(list));
        }
        for slot_day in days(day, chunk_last) {
            if cal.closure(slot_day).is_some() {
                continue;
            }
            let local = zone.local_day(slot_day);
            let (day_start, day_end) = (local.start, local.end);
            let before = found.len();
            for (i, c) in candidates.iter().enumerate() {
                let hours = cal.hours_on(c.id, &local);
                if hours.is_empty() {
                    continue;
                }
                // The chunk's appointments that touch this day (sorted and merged, so two binary searches).
                let list = &busy[i];
                let touching =
                    &list[list.partition_point(|b| b.end <= day_start)..list.partition_point(|b| b.start < day_end)];
                let free = subtract(&cal.open_within(c.id, slot_day, hours.clone()), touching);
                // Walk the free stretches, each on the grid of the working period that holds it: the cost follows
                // the number of free stretches and slots, not the length of the day.
                let mut period = hours.iter().peekable();
                for stretch in free.iter().filter(|f| f.end - f.start >= duration) {
                    while period.next_if(|p| p.end <= stretch.start).is_some() {}
                    let Some(anchor) = period.peek().map(|p| p.start) else { break };
                    let from = stretch.start.max(now_s);
                    let mut start = anchor + (from - anchor + c.step - 1).div_euclid(c.step) * c.step;
                    while start + duration <= stretch.end {
                        if filter.time_of_day == TimeOfDay::Any
                            || filter.time_of_day.contains(zone.local_seconds(start).time())
                        {
                            found.push(slot_of(zone, c, Interval::new(start, start + duration)));
                        }
                        start += c.step;
                    }
                }
            }
            found[before..].sort_by(|a, b| (a.starts_at, &a.clinician_name).cmp(&(b.starts_at, &b.clinician_name)));
            if found.len() >= limit {
                found.truncate(limit);
                return Ok(found);
            }
        }
        day = match chunk_last.tomorrow() {
            Ok(next) => next,
            Err(_) => break,
        };
        chunk = (chunk * 2).min(16);
    }
    Ok(found)
}

/// Hashes a clinician id by its last eight bytes (random bits of a UUIDv7, so well spread), FNV-1a: the sweep looks
/// up every appointment it reads, and SipHash over 36 bytes was a measurable part of a full 3-month sweep.
#[derive(Debug, Default, Clone, Copy)]
struct BuildIdHasher;

impl std::hash::BuildHasher for BuildIdHasher {
    type Hasher = IdHasher;
    fn build_hasher(&self) -> IdHasher {
        IdHasher(0xcbf2_9ce4_8422_2325)
    }
}

#[derive(Debug)]
struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in &bytes[bytes.len().saturating_sub(8)..] {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

fn slot_of(zone: &ClinicZone, c: &Candidate, slot: Interval) -> FreeSlot {
    let (starts_at, ends_at) = (from_seconds(slot.start), from_seconds(slot.end));
    FreeSlot {
        clinician_id: c.id,
        clinician_name: c.name.clone(),
        starts_at,
        ends_at,
        local_start: zone.local(starts_at),
        local_end: zone.local(ends_at),
    }
}

/// Where an appointment could go instead (after leave or a closure): free slots of its length with clinicians of
/// the same specialty (anyone when the clinician has none), from its day, over the next 30 days.
pub fn alternatives(
    clinic: &Clinic,
    session: SessionId,
    appointment_id: Uuid,
    limit: u32,
) -> CoreResult<Vec<FreeSlot>> {
    clinic.authorize(session, Permission::AppointmentRead)?;
    let now = clinic.env.clock.now();
    clinic.read(|conn| {
        let zone = ClinicZone::load(conn)?;
        let appointment = store::get(conn, &zone, appointment_id)?;
        let specialty = clinicians::all(conn)?
            .into_iter()
            .find(|(c, _)| c.staff_id == appointment.clinician_id)
            .map(|(_, key)| key)
            .filter(|k| !k.is_empty());
        let length = appointment.ends_at.duration_since(appointment.starts_at).as_mins();
        let filter = Filter {
            clinician: None,
            specialty,
            language: None,
            time_of_day: TimeOfDay::Any,
            duration: u32::try_from(length).unwrap_or(15),
        };
        let from = appointment.local_start.date().max(zone.today(now));
        let to = from.checked_add(jiff::Span::new().days(30)).map_err(CoreError::internal)?;
        search(conn, &zone, now, &filter, from, to, limit.clamp(1, 100) as usize)
    })
}

#[cfg(test)]
mod tests {
    use super::{SWEEP_ALL, SWEEP_ONE};
    use crate::store::{LATEST_SCHEMA_VERSION, apply_migrations};

    fn plan(conn: &rusqlite::Connection, sql: &str, params: impl rusqlite::Params) -> String {
        let mut stmt = conn.prepare(&["EXPLAIN QUERY PLAN ", sql].concat()).expect("plan");
        let rows: Vec<String> =
            stmt.query_map(params, |r| r.get(3)).expect("rows").collect::<Result<_, _>>().expect("plan");
        rows.join("; ")
    }

    #[test]
    fn the_sweep_reads_its_indexes_not_the_table() {
        let mut conn = rusqlite::Connection::open_in_memory().expect("memory");
        apply_migrations(&mut conn, LATEST_SCHEMA_VERSION).expect("schema");
        let all = plan(&conn, SWEEP_ALL, rusqlite::params![0, 1]);
        assert!(all.contains("INDEX appointments_sweep (<expr>>? AND <expr><?)"), "{all}");
        let one = plan(&conn, SWEEP_ONE, rusqlite::params!["c", "a", "b"]);
        assert!(one.contains("INDEX appointments_clinician (clinician_id=? AND starts_at>? AND starts_at<?)"), "{one}");
    }
}
