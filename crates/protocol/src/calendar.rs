//! The iCalendar (RFC 5545) text of a clinician's appointments — one definition for the desk's `.ics` export and
//! the server's subscription feed — and the feed token's hash both sides compute alike.
//!
//! Decisions (ADR 10, ADR 12): times are local wall-clock times with `TZID=<the clinic's IANA zone>`, and the
//! calendar carries a `VTIMEZONE` with every offset change of the covered range, taken from the time-zone
//! database the caller loaded (jiff), so 09:00 reads 09:00 on both sides of a DST change and every client computes
//! the same instants. The `icalendar` crate builds the events; it cannot write a `VTIMEZONE` (it adds `UID` and
//! `DTSTAMP` to every component, which `VTIMEZONE` must not have), so that block is written here and placed
//! before the events. `UID` is the appointment id; `SEQUENCE` follows the row version (0 for a new booking).
//! Titles are neutral ([`NEUTRAL_TITLE`]) unless the clinic's policy enables patient names. Cancelled
//! appointments are kept with `STATUS:CANCELLED`, so calendars that imported them earlier remove them; every
//! other status is `STATUS:CONFIRMED`. A telemedicine appointment's meeting link is the event's `URL`.
//!
//! Nothing here reads files or the clock: the caller passes the loaded zone and the time of generation.

use chrono::{NaiveDate, NaiveDateTime, Utc};
use icalendar::{Calendar, CalendarDateTime, Component, EventLike, EventStatus, Property};
use jiff::civil::DateTime;
use jiff::tz::{Offset, TimeZone};
use jiff::{SignedDuration, Timestamp};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The title of every event when the clinic does not show patient names.
pub const NEUTRAL_TITLE: &str = "Appointment";

/// The product identifier every calendar carries.
pub const PRODID: &str = "-//Clinic Desk//Scheduling//EN";

/// The subscription feed's path is `FEED_PATH_PREFIX + token + FEED_PATH_SUFFIX`.
pub const FEED_PATH_PREFIX: &str = "/v1/calendar/";
pub const FEED_PATH_SUFFIX: &str = ".ics";

/// The length of a feed token: 32 random bytes in unpadded base64url.
pub const FEED_TOKEN_LEN: usize = 43;

/// The hash the server keeps of a feed token: SHA-256 of its text, lower-case hex (64 characters).
pub fn feed_token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Whether a text has the shape of a feed token (43 characters of the URL-safe base64 alphabet).
pub fn is_feed_token(text: &str) -> bool {
    text.len() == FEED_TOKEN_LEN && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Whether a text is a feed token hash as [`feed_token_hash`] writes it.
pub fn is_feed_token_hash(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// One appointment as a calendar shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEvent {
    pub id: Uuid,
    /// "Family, Given"; shown only when [`CalendarSpec::patient_names`] is on.
    pub patient_name: String,
    pub type_name: String,
    pub cancelled: bool,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// The record's version: 1 when booked, one more per change.
    pub row_version: i64,
    pub meeting_link: Option<String>,
}

/// Everything about a calendar but its events.
#[derive(Debug, Clone)]
pub struct CalendarSpec<'a> {
    /// `X-WR-CALNAME`, e.g. the clinician's name.
    pub name: &'a str,
    /// The clinic's IANA zone name, the events' `TZID`.
    pub zone_name: &'a str,
    /// That zone, loaded by the caller.
    pub zone: &'a TimeZone,
    /// `DTSTAMP` of every event.
    pub generated_at: Timestamp,
    /// The range the calendar covers; its `VTIMEZONE` describes at least this range and every event's times.
    pub from: Timestamp,
    pub to: Timestamp,
    pub patient_names: bool,
}

/// A time outside what a calendar can carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeOutOfRange;

impl std::fmt::Display for TimeOutOfRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a time is outside the range an iCalendar file can carry")
    }
}

impl std::error::Error for TimeOutOfRange {}

/// The event's title under the clinic's policy.
pub fn title(event: &CalendarEvent, patient_names: bool) -> String {
    if patient_names { [&event.patient_name, " (", &event.type_name, ")"].concat() } else { NEUTRAL_TITLE.to_owned() }
}

/// The whole `.ics` text: calendar properties, the `VTIMEZONE`, then one `VEVENT` per appointment.
pub fn render(spec: &CalendarSpec<'_>, events: &[CalendarEvent]) -> Result<String, TimeOutOfRange> {
    let mut calendar = Calendar::empty();
    for (key, value) in [
        ("VERSION", "2.0"),
        ("PRODID", PRODID),
        ("CALSCALE", "GREGORIAN"),
        ("METHOD", "PUBLISH"),
        ("X-WR-CALNAME", spec.name),
        ("X-WR-TIMEZONE", spec.zone_name),
    ] {
        calendar.append_property(Property::new(key, value));
    }
    for e in events {
        let status = if e.cancelled { EventStatus::Cancelled } else { EventStatus::Confirmed };
        let mut event = icalendar::Event::new();
        event
            .uid(&e.id.to_string())
            .summary(&title(e, spec.patient_names))
            .starts(local(spec, e.starts_at)?)
            .ends(local(spec, e.ends_at)?)
            .status(status)
            .timestamp(utc(spec.generated_at)?)
            .created(utc(e.created_at)?)
            .last_modified(utc(e.updated_at)?)
            .sequence(u32::try_from(e.row_version - 1).unwrap_or(0));
        if let Some(link) = e.meeting_link.as_deref().filter(|l| !l.is_empty()) {
            event.url(link);
        }
        calendar.push(event.done());
    }
    let from = events.iter().map(|e| e.starts_at).fold(spec.from, Timestamp::min);
    let to = events.iter().map(|e| e.ends_at).fold(spec.to, Timestamp::max);
    Ok(with_timezone(&calendar.done().to_string(), &vtimezone(spec.zone_name, spec.zone, from, to)))
}

fn utc(at: Timestamp) -> Result<chrono::DateTime<Utc>, TimeOutOfRange> {
    chrono::DateTime::from_timestamp(at.as_second(), 0).ok_or(TimeOutOfRange)
}

fn naive(local: DateTime) -> Result<NaiveDateTime, TimeOutOfRange> {
    NaiveDate::from_ymd_opt(
        i32::from(local.year()),
        local.month().unsigned_abs().into(),
        local.day().unsigned_abs().into(),
    )
    .and_then(|d| {
        d.and_hms_opt(
            local.hour().unsigned_abs().into(),
            local.minute().unsigned_abs().into(),
            local.second().unsigned_abs().into(),
        )
    })
    .ok_or(TimeOutOfRange)
}

/// `DTSTART;TZID=Europe/Paris:20260330T090000`.
fn local(spec: &CalendarSpec<'_>, at: Timestamp) -> Result<CalendarDateTime, TimeOutOfRange> {
    Ok(CalendarDateTime::WithTimezone { date_time: naive(spec.zone.to_datetime(at))?, tzid: spec.zone_name.to_owned() })
}

/// Places the `VTIMEZONE` block before the first component (or before the end of an empty calendar).
fn with_timezone(calendar: &str, vtimezone: &str) -> String {
    let at = calendar.find("BEGIN:VEVENT").or_else(|| calendar.find("END:VCALENDAR")).unwrap_or(calendar.len());
    [&calendar[..at], vtimezone, &calendar[at..]].concat()
}

/// `+0100`, `-0330`, or with seconds when the offset has them (`+001730`).
fn offset_text(offset: Offset) -> String {
    let seconds = offset.seconds();
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.unsigned_abs();
    let mut text = format!("{sign}{:02}{:02}", s / 3600, (s % 3600) / 60);
    if !s.is_multiple_of(60) {
        text.push_str(&format!("{:02}", s % 60));
    }
    text
}

/// The zone's definition over `[from, to)`: the observance in force at `from` and every change until `to`.
pub fn vtimezone(zone_name: &str, tz: &TimeZone, from: Timestamp, to: Timestamp) -> String {
    let mut lines = vec!["BEGIN:VTIMEZONE".to_owned(), ["TZID:", zone_name].concat()];
    let mut observance = |at: Timestamp, before: Offset, after: Offset, name: &str, dst: bool| {
        let kind = if dst { "DAYLIGHT" } else { "STANDARD" };
        lines.push(["BEGIN:", kind].concat());
        lines.push(["DTSTART:", &before.to_datetime(at).strftime("%Y%m%dT%H%M%S").to_string()].concat());
        lines.push(["TZOFFSETFROM:", &offset_text(before)].concat());
        lines.push(["TZOFFSETTO:", &offset_text(after)].concat());
        if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-') {
            lines.push(["TZNAME:", name].concat());
        }
        lines.push(["END:", kind].concat());
    };
    let second = SignedDuration::from_secs(1);
    let mut any = false;
    if let Some(t) = tz.preceding(from + second).next() {
        observance(t.timestamp(), tz.to_offset(t.timestamp() - second), t.offset(), t.abbreviation(), t.dst().is_dst());
        any = true;
    }
    for t in tz.following(from).take_while(|t| t.timestamp() < to) {
        observance(t.timestamp(), tz.to_offset(t.timestamp() - second), t.offset(), t.abbreviation(), t.dst().is_dst());
        any = true;
    }
    if !any {
        let offset = tz.to_offset(from);
        observance(Timestamp::UNIX_EPOCH, offset, offset, "", false);
    }
    lines.push("END:VTIMEZONE".to_owned());
    lines.iter().map(|l| [l.as_str(), "\r\n"].concat()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().expect("timestamp")
    }

    fn event(starts: &str, ends: &str) -> CalendarEvent {
        CalendarEvent {
            id: Uuid::from_u128(7),
            patient_name: "Testpatient, Ama".into(),
            type_name: "Consultation".into(),
            cancelled: false,
            starts_at: at(starts),
            ends_at: at(ends),
            created_at: at("2026-03-01T08:00:00Z"),
            updated_at: at("2026-03-02T08:00:00Z"),
            row_version: 3,
            meeting_link: Some("https://meet.example/room-1".into()),
        }
    }

    #[test]
    fn events_are_local_times_with_the_zone_and_a_vtimezone_first() {
        let tz = TimeZone::get("Europe/Paris").expect("the system time-zone database has Europe/Paris");
        let spec = CalendarSpec {
            name: "Dr Diallo",
            zone_name: "Europe/Paris",
            zone: &tz,
            generated_at: at("2026-03-20T10:00:00Z"),
            from: at("2026-03-20T00:00:00Z"),
            to: at("2026-04-05T00:00:00Z"),
            patient_names: false,
        };
        let text = render(&spec, &[event("2026-03-30T07:00:00Z", "2026-03-30T07:30:00Z")]).expect("render");
        assert!(text.contains("\r\nDTSTART;TZID=Europe/Paris:20260330T090000\r\n"), "{text}");
        assert!(text.contains("\r\nSUMMARY:Appointment\r\n"));
        assert!(text.contains("\r\nSEQUENCE:2\r\n"));
        assert!(text.contains("\r\nURL:https://meet.example/room-1\r\n"));
        assert!(text.find("BEGIN:VTIMEZONE") < text.find("BEGIN:VEVENT"));
        assert!(text.contains("BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200"));
        let named = render(
            &CalendarSpec { patient_names: true, ..spec },
            &[event("2026-03-30T07:00:00Z", "2026-03-30T07:30:00Z")],
        )
        .expect("render");
        assert!(named.contains("SUMMARY:Testpatient\\, Ama (Consultation)"), "{named}");
    }

    #[test]
    fn the_feed_token_hash_is_sha256_hex_and_shapes_are_checked() {
        assert_eq!(feed_token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert!(is_feed_token_hash(&feed_token_hash("x")));
        assert!(!is_feed_token_hash("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"));
        assert!(is_feed_token(&"aZ0-_".repeat(9)[..43]));
        assert!(!is_feed_token(&"a".repeat(42)) && !is_feed_token(&["a".repeat(42), "/".into()].concat()));
    }

    #[test]
    fn a_zone_without_changes_has_one_fixed_observance() {
        let tz = TimeZone::fixed(Offset::from_seconds(3 * 3600 + 1800).expect("offset"));
        let text = vtimezone("Asia/Tehran-like", &tz, at("2026-01-01T00:00:00Z"), at("2026-12-31T00:00:00Z"));
        assert!(
            text.contains("BEGIN:STANDARD\r\nDTSTART:19700101T033000\r\nTZOFFSETFROM:+0330\r\nTZOFFSETTO:+0330"),
            "{text}"
        );
    }
}
