//! The audit hash chain: h_i = SHA-256(h_{i-1} ‖ canonical entry), and its verification.

use rusqlite::Connection;

use super::query::{AuditEntry, read_entry};
use crate::CoreResult;

pub use clinic_protocol::audit::GENESIS_HASH;

/// The hash of an entry given its predecessor's hash, as the clinic server computes it too.
pub fn entry_hash(prev_hash: &str, entry: &AuditEntry) -> String {
    clinic_protocol::audit::entry_hash(prev_hash, &entry.to_record())
}

/// Where and how a chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChainBreak {
    pub device_id: String,
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub seq: i64,
    pub problem: String,
}

/// The result of checking every device's chain.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChainReport {
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub entries_checked: u64,
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub devices: u64,
    pub breaks: Vec<ChainBreak>,
}

impl ChainReport {
    pub fn is_intact(&self) -> bool {
        self.breaks.is_empty()
    }
}

/// Recomputes every chain from its genesis. Detects edited entries (hash mismatch), deleted or
/// inserted ones (sequence gap, broken link, or a chain no longer ending at its recorded head),
/// and reordering (link to the wrong predecessor).
pub fn verify_audit_chain(conn: &Connection) -> CoreResult<ChainReport> {
    let mut report = ChainReport::default();
    let mut stmt = conn.prepare(
        "SELECT device_id, seq, at, user_id, username, action, entity_type, entity_id, patient_id,
                outcome, detail, prev_hash, hash
         FROM audit_log ORDER BY device_id, seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut last_seen: std::collections::BTreeMap<String, (i64, String)> = Default::default();
    let mut current_device: Option<String> = None;
    let mut expected_seq = 1i64;
    let mut expected_prev = GENESIS_HASH.to_owned();
    while let Some(row) = rows.next()? {
        let device: String = row.get(0)?;
        if current_device.as_deref() != Some(device.as_str()) {
            current_device = Some(device.clone());
            report.devices += 1;
            expected_seq = 1;
            expected_prev = GENESIS_HASH.to_owned();
        }
        report.entries_checked += 1;
        let mut fail = |seq: i64, problem: &str| {
            report.breaks.push(ChainBreak { device_id: device.clone(), seq, problem: problem.to_owned() });
        };
        let entry = match read_entry(row) {
            Ok(entry) => entry,
            Err(_) => {
                fail(row.get(1).unwrap_or(-1), "entry is unreadable");
                continue;
            }
        };
        if entry.seq != expected_seq {
            fail(entry.seq, &format!("expected entry {expected_seq} here: entries are missing, added or out of order"));
        }
        if entry.prev_hash != expected_prev {
            fail(entry.seq, "does not link to the entry before it");
        }
        if entry_hash(&entry.prev_hash, &entry) != entry.hash {
            fail(entry.seq, "content does not match its hash: the entry was altered");
        }
        expected_seq = entry.seq + 1;
        expected_prev = entry.hash.clone();
        last_seen.insert(device.clone(), (entry.seq, entry.hash.clone()));
    }
    check_heads(conn, &last_seen, &mut report)?;
    Ok(report)
}

/// Each chain must end where its recorded head says: entries removed from (or added at) the end show here.
fn check_heads(
    conn: &Connection,
    last_seen: &std::collections::BTreeMap<String, (i64, String)>,
    report: &mut ChainReport,
) -> CoreResult<()> {
    let mut stmt = conn.prepare("SELECT device_id, seq, hash FROM audit_head ORDER BY device_id")?;
    let heads = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    for (device, seq, hash) in &heads {
        match last_seen.get(device) {
            Some((last_seq, last_hash)) if last_seq == seq && last_hash == hash => {}
            Some((last_seq, _)) => report.breaks.push(ChainBreak {
                device_id: device.clone(),
                seq: *last_seq,
                problem: format!("the chain should end at entry {seq}: entries at the end were removed or added"),
            }),
            None => report.breaks.push(ChainBreak {
                device_id: device.clone(),
                seq: *seq,
                problem: "all entries of this device are missing".to_owned(),
            }),
        }
    }
    for device in last_seen.keys().filter(|d| !heads.iter().any(|(h, _, _)| h == *d)) {
        report.breaks.push(ChainBreak {
            device_id: device.clone(),
            seq: 0,
            problem: "the chain's recorded end is missing".to_owned(),
        });
    }
    Ok(())
}
