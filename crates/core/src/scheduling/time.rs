//! Clinic time: local wall-clock times ↔ UTC instants in the clinic's zone (with the DST policy), local days,
//! time-of-day windows, and the interval arithmetic (seconds since the epoch) the availability engine uses.

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{SignedDuration, Timestamp};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::setup::settings_internal;
use crate::{CoreError, CoreResult};

/// The clinic's time zone, loaded from its settings.
#[derive(Debug, Clone)]
pub(crate) struct ClinicZone {
    tz: TimeZone,
    name: String,
}

impl ClinicZone {
    pub fn load(conn: &Connection) -> CoreResult<ClinicZone> {
        ClinicZone::named(&settings_internal(conn)?.time_zone)
    }

    pub fn named(name: &str) -> CoreResult<ClinicZone> {
        let tz = TimeZone::get(name).map_err(CoreError::internal)?;
        Ok(ClinicZone { tz, name: name.to_owned() })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn tz(&self) -> &TimeZone {
        &self.tz
    }

    /// The instant of a local time someone typed. A time in a skipped hour (clocks go forward) does not exist
    /// and is refused on `field`; a time in a repeated hour (clocks go back) is its first occurrence (ADR 10).
    pub fn instant(&self, field: &str, local: DateTime) -> CoreResult<Timestamp> {
        let ambiguous = self.tz.to_ambiguous_timestamp(local);
        match ambiguous.offset() {
            AmbiguousOffset::Gap { before, after } => {
                let skipped_from = local.time().strftime("%H:%M").to_string();
                let change = (after.seconds() - before.seconds()) / 60;
                Err(CoreError::validation(
                    field,
                    [
                        "There is no ",
                        &skipped_from,
                        " on ",
                        &day_label(local.date()),
                        " in ",
                        &self.name,
                        ": the clocks go forward ",
                        &change.to_string(),
                        " minutes that night. Choose a time before or after the change.",
                    ]
                    .concat(),
                ))
            }
            AmbiguousOffset::Fold { .. } => ambiguous.earlier().map_err(CoreError::internal),
            AmbiguousOffset::Unambiguous { .. } => ambiguous.compatible().map_err(CoreError::internal),
        }
    }

    /// The instant of a template time on a given day, never refused: a boundary in a skipped hour moves to
    /// the instant the clocks jump to, one in a repeated hour is its first occurrence.
    pub fn instant_lenient(&self, local: DateTime) -> Timestamp {
        let ambiguous = self.tz.to_ambiguous_timestamp(local);
        let earlier = matches!(ambiguous.offset(), AmbiguousOffset::Fold { .. });
        let found = if earlier { ambiguous.earlier() } else { ambiguous.compatible() };
        found.unwrap_or(Timestamp::UNIX_EPOCH)
    }

    pub fn local(&self, at: Timestamp) -> DateTime {
        self.tz.to_datetime(at)
    }

    pub fn local_seconds(&self, seconds: i64) -> DateTime {
        self.local(Timestamp::from_second(seconds).unwrap_or(Timestamp::UNIX_EPOCH))
    }

    /// `[start of the day, start of the next day)` as instants (a DST day is 23 or 25 hours long).
    pub fn day_bounds(&self, date: Date) -> (Timestamp, Timestamp) {
        let start = self.instant_lenient(date.to_datetime(Time::midnight()));
        let next = date.tomorrow().unwrap_or(date);
        (start, self.instant_lenient(next.to_datetime(Time::midnight())))
    }

    /// One local day, ready for converting its wall-clock times quickly.
    pub fn local_day(&self, date: Date) -> LocalDay {
        let (start, end) = self.day_bounds(date);
        let same = self.tz.to_offset(start) == self.tz.to_offset(end - SignedDuration::from_secs(1));
        LocalDay { date, start: start.as_second(), end: end.as_second(), uniform: same }
    }

    /// The instant of a wall-clock time on a local day, as [`ClinicZone::instant_lenient`] gives it.
    pub fn instant_on(&self, day: &LocalDay, time: Time) -> i64 {
        if day.uniform {
            let since_midnight =
                i64::from(time.hour()) * 3600 + i64::from(time.minute()) * 60 + i64::from(time.second());
            day.start + since_midnight
        } else {
            self.instant_lenient(day.date.to_datetime(time)).as_second()
        }
    }

    pub fn today(&self, now: Timestamp) -> Date {
        self.local(now).date()
    }

    /// `09:00`, in the clinic's zone.
    pub fn hm(&self, at: Timestamp) -> String {
        self.local(at).strftime("%H:%M").to_string()
    }
}

/// A local day: its date, its bounds in seconds, and whether one offset holds all day (no DST change), in which
/// case a wall-clock time is simply that many seconds after the start.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LocalDay {
    pub date: Date,
    pub start: i64,
    pub end: i64,
    uniform: bool,
}

/// `Monday 30 March 2026`.
pub(crate) fn day_label(date: Date) -> String {
    date.strftime("%A %-d %B %Y").to_string()
}

/// The days from `from` to `to`, both included.
pub(crate) fn days(from: Date, to: Date) -> impl Iterator<Item = Date> {
    let mut next = Some(from);
    std::iter::from_fn(move || {
        let day = next.filter(|d| *d <= to)?;
        next = day.tomorrow().ok();
        Some(day)
    })
}

/// A part of the day, in the clinic's local time: a slot belongs to it when it *starts* inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TimeOfDay {
    #[default]
    Any,
    /// Before 12:00.
    Morning,
    /// 12:00 to 17:00.
    Afternoon,
    /// From 17:00.
    Evening,
    /// From `from` (included) to `to` (excluded).
    Window {
        #[cfg_attr(feature = "specta", specta(type = String))]
        from: Time,
        #[cfg_attr(feature = "specta", specta(type = String))]
        to: Time,
    },
}

impl TimeOfDay {
    /// Whether a slot starting at this local time belongs to this part of the day.
    pub fn contains(self, start: Time) -> bool {
        let noon = Time::constant(12, 0, 0, 0);
        let five = Time::constant(17, 0, 0, 0);
        match self {
            TimeOfDay::Any => true,
            TimeOfDay::Morning => start < noon,
            TimeOfDay::Afternoon => start >= noon && start < five,
            TimeOfDay::Evening => start >= five,
            TimeOfDay::Window { from, to } => start >= from && start < to,
        }
    }

    pub(crate) fn validate(self, field: &str) -> CoreResult<TimeOfDay> {
        if let TimeOfDay::Window { from, to } = self
            && from >= to
        {
            return Err(CoreError::validation(field, "The end of the time window must be after its start."));
        }
        Ok(self)
    }
}

/// A half-open interval `[start, end)` in seconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Interval {
    pub start: i64,
    pub end: i64,
}

impl Interval {
    pub fn new(start: i64, end: i64) -> Interval {
        Interval { start, end }
    }

    pub fn of(start: Timestamp, end: Timestamp) -> Interval {
        Interval { start: start.as_second(), end: end.as_second() }
    }

    pub fn overlaps(self, other: Interval) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// Sorts and merges overlapping or touching intervals; drops empty ones.
pub(crate) fn normalise(mut v: Vec<Interval>) -> Vec<Interval> {
    v.retain(|i| i.start < i.end);
    v.sort_unstable();
    let mut out: Vec<Interval> = Vec::with_capacity(v.len());
    for i in v {
        match out.last_mut() {
            Some(last) if i.start <= last.end => last.end = last.end.max(i.end),
            _ => out.push(i),
        }
    }
    out
}

/// `a − b`, both normalised; the result is normalised.
pub(crate) fn subtract(a: &[Interval], b: &[Interval]) -> Vec<Interval> {
    let mut out = Vec::with_capacity(a.len() + 1);
    let mut j = 0;
    for &piece in a {
        let mut start = piece.start;
        while j < b.len() && b[j].end <= start {
            j += 1;
        }
        let mut k = j;
        while k < b.len() && b[k].start < piece.end {
            if b[k].start > start {
                out.push(Interval::new(start, b[k].start));
            }
            start = start.max(b[k].end);
            k += 1;
        }
        if start < piece.end {
            out.push(Interval::new(start, piece.end));
        }
    }
    out
}

/// Whether `x` lies entirely inside one interval of the normalised `a`.
pub(crate) fn covers(a: &[Interval], x: Interval) -> bool {
    a.iter().any(|i| i.start <= x.start && x.end <= i.end)
}

/// Seconds since the epoch of a stored instant (`YYYY-MM-DDTHH:MM:SS.sssZ`), parsed without allocation: the
/// free-slot sweep reads thousands of them per query.
pub(crate) fn db_seconds(text: &str) -> CoreResult<i64> {
    let b = text.as_bytes();
    let ok = b.len() >= 20 && b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && b[13] == b':' && b[16] == b':';
    let num = |from: usize, to: usize| -> Option<i64> {
        b.get(from..to)?.iter().try_fold(0i64, |n, c| c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0')))
    };
    let parts = (num(0, 4), num(5, 7), num(8, 10), num(11, 13), num(14, 16), num(17, 19));
    let (Some(y), Some(m), Some(d), Some(hh), Some(mm), Some(ss)) = parts else {
        return Err(CoreError::internal("a stored time is not in the stored format"));
    };
    if !ok {
        return Err(CoreError::internal("a stored time is not in the stored format"));
    }
    Ok(days_from_civil(y, m, d) * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub(crate) fn from_seconds(seconds: i64) -> Timestamp {
    Timestamp::from_second(seconds).unwrap_or(Timestamp::UNIX_EPOCH)
}

pub(crate) fn minutes(n: u32) -> SignedDuration {
    SignedDuration::from_mins(i64::from(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_times_parse_like_jiff() {
        for text in ["1970-01-01T00:00:00.000Z", "2026-03-29T01:30:00.000Z", "2024-02-29T23:59:59.999Z"] {
            let jiff: Timestamp = text.parse().expect("parse");
            assert_eq!(db_seconds(text).expect("fast parse"), jiff.as_second(), "{text}");
        }
        assert!(db_seconds("not a time").is_err());
    }

    #[test]
    fn subtract_cuts_holes() {
        let a = normalise(vec![Interval::new(0, 100), Interval::new(200, 300)]);
        let b = normalise(vec![Interval::new(10, 20), Interval::new(90, 210), Interval::new(250, 400)]);
        assert_eq!(subtract(&a, &b), vec![Interval::new(0, 10), Interval::new(20, 90), Interval::new(210, 250)]);
        assert!(covers(&a, Interval::new(200, 300)) && !covers(&a, Interval::new(90, 110)));
    }
}
