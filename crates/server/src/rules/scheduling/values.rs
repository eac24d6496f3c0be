//! The value types scheduling arguments carry, read strictly: instants (RFC 3339, kept in UTC and written back
//! the way chrono and jiff serialise them), local dates and local wall-clock times, and the checks on them.

use chrono::{DateTime, NaiveDate, NaiveTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::FieldError;

/// An instant, sent as RFC 3339 (any offset) and kept in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Instant(pub DateTime<Utc>);

impl Serialize for Instant {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    }
}

impl<'de> Deserialize<'de> for Instant {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Instant, D::Error> {
        let text = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|at| Instant(at.with_timezone(&Utc)))
            .map_err(|_| serde::de::Error::custom("expected an RFC 3339 time, e.g. 2026-03-09T08:00:00Z"))
    }
}

/// A local calendar date written `YYYY-MM-DD`, kept as written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub(crate) struct Day(String);

impl Day {
    fn date(&self) -> NaiveDate {
        NaiveDate::parse_from_str(&self.0, "%Y-%m-%d").unwrap_or_default()
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Day, D::Error> {
        let text = String::deserialize(d)?;
        if text.len() != 10 || NaiveDate::parse_from_str(&text, "%Y-%m-%d").is_err() {
            return Err(serde::de::Error::custom("expected a date written YYYY-MM-DD"));
        }
        Ok(Day(text))
    }
}

/// A local wall-clock time (`HH:MM`, `HH:MM:SS` or with a fraction), kept as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub(crate) struct ClockTime(String);

impl ClockTime {
    pub fn time(&self) -> NaiveTime {
        parse_time(&self.0).unwrap_or_default()
    }
}

fn parse_time(text: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(text, "%H:%M:%S%.f").or_else(|_| NaiveTime::parse_from_str(text, "%H:%M")).ok()
}

impl<'de> Deserialize<'de> for ClockTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ClockTime, D::Error> {
        let text = String::deserialize(d)?;
        if text.len() > 18 || parse_time(&text).is_none() {
            return Err(serde::de::Error::custom("expected a time of day written HH:MM:SS, e.g. 09:30:00"));
        }
        Ok(ClockTime(text))
    }
}

/// `[start, end)` must be a real interval of at most `max_minutes` (and at least `min_minutes`).
pub(crate) fn interval(
    start: Instant,
    end: Instant,
    min_minutes: i64,
    max_minutes: i64,
    what: &str,
) -> Result<(), FieldError> {
    if end <= start {
        return Err(FieldError::new("args.ends_at", ["The end of the ", what, " must be after its start."].concat()));
    }
    let minutes = (end.0 - start.0).num_minutes();
    if minutes < min_minutes || minutes > max_minutes {
        let message = [
            "The ",
            what,
            " must last between ",
            &min_minutes.to_string(),
            " and ",
            &max_minutes.to_string(),
            " minutes.",
        ]
        .concat();
        return Err(FieldError::new("args.ends_at", message));
    }
    Ok(())
}

/// `to` must not be before `from`.
pub(crate) fn date_range(from: &Day, to: &Day) -> Result<(), FieldError> {
    if to.date() < from.date() {
        return Err(FieldError::new("args.to_date", "The last date must be on or after the first date."));
    }
    Ok(())
}

/// An `https://` address without spaces, `?` or `#` (a telemedicine provider or meeting link), or empty.
pub(crate) fn https_address(field: &str, text: &str, max: usize) -> Result<(), FieldError> {
    super::super::text(field, text, max, false)?;
    let valid = text.is_empty()
        || (text.starts_with("https://")
            && text.len() > "https://".len()
            && !text.chars().any(|c| c.is_whitespace() || c.is_control() || c == '#'));
    if !valid {
        return Err(FieldError::new(field, "Use an address starting with https://, without spaces."));
    }
    Ok(())
}

/// A language tag as core writes it: two or three lower-case letters, then optional `-` parts.
pub(crate) fn language_tag(field: &str, tag: &str) -> Result<(), FieldError> {
    let mut parts = tag.split('-');
    let first_ok =
        parts.next().is_some_and(|p| (2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_lowercase()));
    let rest_ok = parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if !first_ok || !rest_ok || tag.len() > 35 {
        return Err(FieldError::new(field, "Write languages as short codes, e.g. en, fr, sw or pt-br."));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_are_read_in_any_offset_and_written_in_utc_like_jiff() {
        let at: Instant = serde_json::from_value(serde_json::json!("2026-03-09T09:00:00+01:00")).expect("parses");
        assert_eq!(serde_json::to_value(at).expect("json"), serde_json::json!("2026-03-09T08:00:00Z"));
        assert!(serde_json::from_value::<Instant>(serde_json::json!("2026-03-09 08:00")).is_err());
    }

    #[test]
    fn days_and_times_are_checked_and_kept_as_written() {
        assert!(serde_json::from_value::<Day>(serde_json::json!("2026-02-30")).is_err());
        let t: ClockTime = serde_json::from_value(serde_json::json!("09:30:00")).expect("time");
        assert_eq!(t.time(), NaiveTime::from_hms_opt(9, 30, 0).expect("valid"));
        assert!(serde_json::from_value::<ClockTime>(serde_json::json!("25:00")).is_err());
    }
}
