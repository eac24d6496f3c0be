//! Hybrid logical clock: wall time in milliseconds plus a counter, so a device's stamps always increase
//! even when its clock is set back, and stamps from different devices compare sensibly.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One HLC stamp. Ordered by wall time, then counter, then node (a device id's text), so ties are broken
/// the same way everywhere. Written as `<wall_ms, 15 digits>-<counter, 5 digits>-<node>`, which sorts
/// as text in the same order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hlc {
    pub wall_ms: u64,
    pub counter: u32,
    pub node: String,
}

/// The largest counter the text form holds (5 digits); one more moves the stamp to the next millisecond.
pub const MAX_COUNTER: u32 = 99_999;

/// How far ahead of the receiver's own clock a remote stamp may be before it is reported as skew.
pub const MAX_SKEW_MS: u64 = 5 * 60 * 1000;

impl Hlc {
    /// The zero stamp of a node, before anything happened.
    pub fn zero(node: &str) -> Hlc {
        Hlc { wall_ms: 0, counter: 0, node: node.to_owned() }
    }

    /// The next stamp for a local event, given the last stamp this node issued and its wall clock now.
    pub fn tick(&self, now_ms: u64) -> Hlc {
        if now_ms > self.wall_ms {
            Hlc { wall_ms: now_ms, counter: 0, node: self.node.clone() }
        } else {
            Hlc::carried(self.wall_ms, self.counter.saturating_add(1), &self.node)
        }
    }

    /// The next stamp after seeing a remote stamp, so later local events order after it.
    pub fn receive(&self, remote: &Hlc, now_ms: u64) -> Hlc {
        let wall_ms = now_ms.max(self.wall_ms).max(remote.wall_ms);
        let counter = if wall_ms == self.wall_ms && wall_ms == remote.wall_ms {
            self.counter.max(remote.counter).saturating_add(1)
        } else if wall_ms == self.wall_ms {
            self.counter.saturating_add(1)
        } else if wall_ms == remote.wall_ms {
            remote.counter.saturating_add(1)
        } else {
            0
        };
        Hlc::carried(wall_ms, counter, &self.node)
    }

    /// A stamp whose counter past [`MAX_COUNTER`] carries into the next millisecond, so the text form always
    /// parses and order is kept.
    fn carried(wall_ms: u64, counter: u32, node: &str) -> Hlc {
        if counter > MAX_COUNTER {
            Hlc { wall_ms: wall_ms + 1, counter: 0, node: node.to_owned() }
        } else {
            Hlc { wall_ms, counter, node: node.to_owned() }
        }
    }

    /// How far this stamp's wall time is ahead of `now_ms`, when more than [`MAX_SKEW_MS`].
    pub fn skew_ahead_of(&self, now_ms: u64) -> Option<u64> {
        let ahead = self.wall_ms.saturating_sub(now_ms);
        (ahead > MAX_SKEW_MS).then_some(ahead)
    }
}

impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:015}-{:05}-{}", self.wall_ms, self.counter, self.node)
    }
}

/// In the OpenAPI document a stamp is its text form.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Hlc {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some("^[0-9]{15}-[0-9]{5}-.{1,64}$"))
            .description(Some("Hybrid logical clock stamp: <wall ms, 15 digits>-<counter, 5 digits>-<node>"))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Hlc {}

/// Why a text is not an HLC stamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HlcParseError;

impl fmt::Display for HlcParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a hybrid logical clock stamp (expected <15 digits>-<5 digits>-<node>)")
    }
}

impl std::error::Error for HlcParseError {}

impl FromStr for Hlc {
    type Err = HlcParseError;

    fn from_str(s: &str) -> Result<Hlc, HlcParseError> {
        let mut parts = s.splitn(3, '-');
        let (Some(wall), Some(counter), Some(node)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(HlcParseError);
        };
        if wall.len() != 15 || counter.len() != 5 || node.is_empty() || node.len() > 64 {
            return Err(HlcParseError);
        }
        let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(wall) || !all_digits(counter) {
            return Err(HlcParseError);
        }
        Ok(Hlc {
            wall_ms: wall.parse().map_err(|_| HlcParseError)?,
            counter: counter.parse().map_err(|_| HlcParseError)?,
            node: node.to_owned(),
        })
    }
}

impl Serialize for Hlc {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Hlc {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Hlc, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clock_set_back_still_moves_forward() {
        let a = Hlc::zero("a").tick(1_000);
        let b = a.tick(500);
        assert!(b > a);
        assert_eq!((b.wall_ms, b.counter), (1_000, 1));
    }

    #[test]
    fn receiving_a_later_stamp_orders_later_events_after_it() {
        let local = Hlc::zero("a").tick(1_000);
        let remote = Hlc::zero("b").tick(9_000);
        let next = local.receive(&remote, 1_001);
        assert!(next > remote);
        assert_eq!(next.node, "a");
    }

    #[test]
    fn text_form_round_trips_and_sorts_like_the_stamps() {
        let early = Hlc { wall_ms: 99, counter: 7, node: "dev".into() };
        let late = Hlc { wall_ms: 1_700_000_000_000, counter: 0, node: "dev".into() };
        assert_eq!(early.to_string().parse::<Hlc>(), Ok(early.clone()));
        assert!(early.to_string() < late.to_string());
        assert!("12-00001-x".parse::<Hlc>().is_err());
        assert!("000000000000012-0000a-x".parse::<Hlc>().is_err());
    }

    #[test]
    fn a_full_counter_carries_into_the_next_millisecond() {
        let full = Hlc { wall_ms: 5_000, counter: MAX_COUNTER, node: "a".into() };
        let next = full.tick(1_000);
        assert!(next > full);
        assert_eq!((next.wall_ms, next.counter), (5_001, 0));
        assert_eq!(next.to_string().parse::<Hlc>(), Ok(next.clone()));
        let received = Hlc::zero("b").receive(&full, 1_000);
        assert!(received > full);
        assert_eq!(received.to_string().parse::<Hlc>(), Ok(received));
    }

    #[test]
    fn skew_is_reported_only_beyond_the_limit() {
        let stamp = Hlc { wall_ms: 10 * 60 * 1000, counter: 0, node: "x".into() };
        assert_eq!(stamp.skew_ahead_of(9 * 60 * 1000), None);
        assert_eq!(stamp.skew_ahead_of(0), Some(10 * 60 * 1000));
    }
}
