//! The availability engine: for a clinician and a local day, the working hours (template work periods and
//! extra sessions, minus breaks), approved leave and clinic closures, as UTC intervals. Booking checks and the
//! free-slot search both ask it, so they can never disagree.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use jiff::civil::Date;
use rusqlite::Connection;
use uuid::Uuid;

use super::availability::{PeriodKind, WorkingPeriod};
use super::record::parse_uuid;
use super::time::{ClinicZone, Interval, LocalDay, db_seconds, normalise, subtract};
use crate::CoreResult;
use crate::clock::to_db_time;

/// Approved leave of one clinician.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LeaveSpan {
    pub interval: Interval,
}

/// Everything that shapes clinicians' hours over a range of time, loaded once per operation.
#[derive(Debug)]
pub(crate) struct Calendar {
    zone: ClinicZone,
    templates: HashMap<Uuid, Vec<WorkingPeriod>>,
    extras: HashMap<Uuid, Vec<Interval>>,
    leave: HashMap<Uuid, Vec<LeaveSpan>>,
    closures: BTreeMap<Date, String>,
}

impl Calendar {
    /// Loads templates, and the extra sessions, approved leave and closures touching `[from, to)`.
    pub fn load(conn: &Connection, zone: &ClinicZone, from: Timestamp, to: Timestamp) -> CoreResult<Calendar> {
        let (from_text, to_text) = (to_db_time(from), to_db_time(to));
        let mut templates = HashMap::new();
        let mut stmt =
            conn.prepare_cached("SELECT clinician_id, periods FROM working_templates WHERE deleted_at IS NULL")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let periods: Vec<WorkingPeriod> = serde_json::from_str(&r.get::<_, String>(1)?)?;
            templates.insert(parse_uuid(&r.get::<_, String>(0)?)?, periods);
        }
        let mut extras: HashMap<Uuid, Vec<Interval>> = HashMap::new();
        let mut stmt = conn.prepare_cached(
            "SELECT clinician_id, starts_at, ends_at FROM extra_sessions
             WHERE deleted_at IS NULL AND starts_at < ?2 AND ends_at > ?1",
        )?;
        let mut rows = stmt.query([&from_text, &to_text])?;
        while let Some(r) = rows.next()? {
            let interval = Interval::new(db_seconds(&r.get::<_, String>(1)?)?, db_seconds(&r.get::<_, String>(2)?)?);
            extras.entry(parse_uuid(&r.get::<_, String>(0)?)?).or_default().push(interval);
        }
        let mut leave: HashMap<Uuid, Vec<LeaveSpan>> = HashMap::new();
        let mut stmt = conn.prepare_cached(
            "SELECT clinician_id, starts_at, ends_at FROM leave_requests
             WHERE status = 'approved' AND deleted_at IS NULL AND starts_at < ?2 AND ends_at > ?1",
        )?;
        let mut rows = stmt.query([&from_text, &to_text])?;
        while let Some(r) = rows.next()? {
            let interval = Interval::new(db_seconds(&r.get::<_, String>(1)?)?, db_seconds(&r.get::<_, String>(2)?)?);
            leave.entry(parse_uuid(&r.get::<_, String>(0)?)?).or_default().push(LeaveSpan { interval });
        }
        for spans in leave.values_mut() {
            spans.sort_by_key(|s| s.interval);
        }
        let (first, last) = (zone.local(from).date(), zone.local(to).date());
        let mut closures = BTreeMap::new();
        let mut stmt = conn.prepare_cached(
            "SELECT day, name FROM clinic_closures WHERE deleted_at IS NULL AND day >= ?1 AND day <= ?2",
        )?;
        let mut rows = stmt.query([first.to_string(), last.to_string()])?;
        while let Some(r) = rows.next()? {
            let day: Date = r.get::<_, String>(0)?.parse().map_err(crate::CoreError::internal)?;
            closures.insert(day, r.get(1)?);
        }
        Ok(Calendar { zone: zone.clone(), templates, extras, leave, closures })
    }

    pub fn zone(&self) -> &ClinicZone {
        &self.zone
    }

    /// Working hours on a local day: template work periods and extra sessions, minus template breaks.
    /// Leave and closures are not taken off (see [`Calendar::open`]).
    pub fn hours(&self, clinician: Uuid, date: Date) -> Vec<Interval> {
        self.hours_on(clinician, &self.zone.local_day(date))
    }

    /// [`Calendar::hours`] on a day already converted (the free-slot sweep asks for every clinician of a day).
    pub fn hours_on(&self, clinician: Uuid, local: &LocalDay) -> Vec<Interval> {
        let weekday = local.date.weekday().to_monday_one_offset();
        let day = Interval::new(local.start, local.end);
        let mut work = Vec::new();
        let mut breaks = Vec::new();
        for p in self.templates.get(&clinician).into_iter().flatten().filter(|p| p.weekday as i8 == weekday) {
            let start = self.zone.instant_on(local, p.start);
            let end = self.zone.instant_on(local, p.end);
            match p.kind {
                PeriodKind::Work => work.push(Interval::new(start, end)),
                PeriodKind::Break => breaks.push(Interval::new(start, end)),
            }
        }
        for extra in self.extras.get(&clinician).into_iter().flatten().filter(|e| e.overlaps(day)) {
            work.push(Interval::new(extra.start.max(day.start), extra.end.min(day.end)));
        }
        subtract(&normalise(work), &normalise(breaks))
    }

    /// Approved leave overlapping `interval`, if any.
    pub fn leave_overlapping(&self, clinician: Uuid, interval: Interval) -> Option<LeaveSpan> {
        self.leave.get(&clinician)?.iter().find(|l| l.interval.overlaps(interval)).copied()
    }

    /// The name of the closure on a local day.
    pub fn closure(&self, date: Date) -> Option<&str> {
        self.closures.get(&date).map(String::as_str)
    }

    /// Bookable time on a local day: working hours minus approved leave; nothing on a closure day.
    pub fn open(&self, clinician: Uuid, date: Date) -> Vec<Interval> {
        self.open_within(clinician, date, self.hours(clinician, date))
    }

    /// [`Calendar::open`] from that day's [`Calendar::hours`], already computed.
    pub fn open_within(&self, clinician: Uuid, date: Date, hours: Vec<Interval>) -> Vec<Interval> {
        if self.closure(date).is_some() {
            return Vec::new();
        }
        match self.leave.get(&clinician) {
            Some(spans) if !hours.is_empty() => {
                subtract(&hours, &normalise(spans.iter().map(|s| s.interval).collect()))
            }
            _ => hours,
        }
    }
}
