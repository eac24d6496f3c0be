//! This device's hybrid logical clock, persisted in `sync_state.hlc` so it keeps moving forward across
//! restarts and clock changes. Every outbox mutation is stamped with the next reading in its own transaction;
//! stamps seen from the server move it past them. A remote stamp far ahead of this computer's clock is
//! reported as skew and otherwise treated like any other: nothing is reordered or dropped.

use clinic_protocol::hlc::Hlc;
use rusqlite::{Connection, params};

use crate::clock::to_db_time;
use crate::{CoreError, CoreResult};

/// The counter's text form has five digits; past this the wall time is moved on by a millisecond instead, so
/// a clock set back for a long busy stretch still yields well-formed, increasing stamps.
const MAX_COUNTER: u32 = 99_999;

fn millis(at: jiff::Timestamp) -> u64 {
    u64::try_from(at.as_millisecond()).unwrap_or(0)
}

fn well_formed(stamp: Hlc) -> Hlc {
    if stamp.counter > MAX_COUNTER {
        Hlc { wall_ms: stamp.wall_ms.saturating_add(1), counter: 0, node: stamp.node }
    } else {
        stamp
    }
}

/// The last stamp issued or received here (the zero stamp of this device before any).
pub(crate) fn current(conn: &Connection) -> CoreResult<Hlc> {
    let (node, stored): (String, Option<String>) = conn
        .prepare_cached("SELECT d.id, s.hlc FROM device d, sync_state s")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(|e| CoreError::internal(format!("device or sync state row missing: {e}")))?;
    Ok(match stored.and_then(|text| text.parse::<Hlc>().ok()) {
        Some(last) => Hlc { node, ..last },
        None => Hlc::zero(&node),
    })
}

fn save(conn: &Connection, stamp: &Hlc) -> CoreResult<()> {
    conn.prepare_cached("UPDATE sync_state SET hlc = ?1")?.execute([stamp.to_string()])?;
    Ok(())
}

/// The next stamp for a local change at `at` (this computer's clock), saved in the caller's transaction.
pub(crate) fn stamp_local(conn: &Connection, at: jiff::Timestamp) -> CoreResult<Hlc> {
    let next = well_formed(current(conn)?.tick(millis(at)));
    save(conn, &next)?;
    Ok(next)
}

/// Moves the clock past a stamp from elsewhere. Returns how far ahead of this computer's clock the stamp
/// was, when beyond the allowed skew, and records that for the sync status.
pub(crate) fn observe_remote(conn: &Connection, remote: &Hlc, now: jiff::Timestamp) -> CoreResult<Option<u64>> {
    let next = well_formed(current(conn)?.receive(remote, millis(now)));
    save(conn, &next)?;
    let skew = remote.skew_ahead_of(millis(now));
    if let Some(ahead) = skew {
        record_skew(conn, Some(ahead), now)?;
    }
    Ok(skew)
}

/// Records (or, with `None`, clears) the clock skew shown in the sync status.
pub(crate) fn record_skew(conn: &Connection, ahead_ms: Option<u64>, now: jiff::Timestamp) -> CoreResult<()> {
    let ahead = ahead_ms.map(|a| i64::try_from(a).unwrap_or(i64::MAX));
    conn.prepare_cached("UPDATE sync_state SET clock_skew_ms = ?1, clock_skew_seen_at = ?2")?
        .execute(params![ahead, ahead.map(|_| to_db_time(now))])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_counter_moves_the_wall_time_on() {
        let busy = Hlc { wall_ms: 10, counter: MAX_COUNTER, node: "d".into() };
        let next = well_formed(busy.tick(5));
        assert_eq!((next.wall_ms, next.counter), (11, 0));
        assert!(next > busy);
        assert!(next.to_string().parse::<Hlc>().is_ok());
    }
}
