//! Each device's audit chain continues on the server: contiguous entries are kept and acknowledged, resent
//! ones are ignored, a break is detected, recorded and reported while mutations are still applied.

use clinic_protocol::audit::{AuditRecord, GENESIS_HASH, entry_hash};
use clinic_protocol::push::{Outcome, PushRequest};
use uuid::Uuid;

use crate::support::{TestServer, first_desk};

/// The device's chain of `n` entries, as its local trail would hold them.
fn chain(device: Uuid, n: i64) -> Vec<AuditRecord> {
    let mut prev = GENESIS_HASH.to_owned();
    (1..=n)
        .map(|seq| {
            let mut r = AuditRecord {
                device_id: device,
                seq,
                at: "2025-03-01T09:00:00.000Z".into(),
                user_id: None,
                username: Some("admin".into()),
                action: "patient.view".into(),
                entity_type: Some("patient".into()),
                entity_id: Some(Uuid::now_v7()),
                patient_id: None,
                outcome: "success".into(),
                detail: String::new(),
                prev_hash: prev.clone(),
                hash: String::new(),
            };
            r.hash = entry_hash(&prev, &r);
            prev = r.hash.clone();
            r
        })
        .collect()
}

#[tokio::test]
async fn the_chain_continues_across_pushes_and_resends_are_ignored() {
    let mut server = TestServer::start().await;
    let desk = first_desk(&mut server, "Audit").await;
    let entries = chain(desk.device.id, 6);
    let first = server.push(&desk.device, &PushRequest { mutations: vec![], audit: entries[..3].to_vec() }).await;
    assert_eq!((first.audit_acknowledged_seq, first.audit_chain_break.clone()), (3, None));
    // Resending entries the server has, with new ones after them.
    let second = server.push(&desk.device, &PushRequest { mutations: vec![], audit: entries[1..].to_vec() }).await;
    assert_eq!((second.audit_acknowledged_seq, second.audit_chain_break.clone()), (6, None));
    assert_eq!(server.count("audit_records").await, 6);
    // A gap (entries after ones the server lacks) is not a break: the acknowledgement says where to resume.
    let later = chain(desk.device.id, 9);
    let gap = server.push(&desk.device, &PushRequest { mutations: vec![], audit: later[7..].to_vec() }).await;
    assert_eq!((gap.audit_acknowledged_seq, gap.audit_chain_break), (6, None));
    assert_eq!(server.count("audit_chain_breaks").await, 0);
}

#[tokio::test]
async fn a_broken_chain_is_detected_recorded_and_reported_and_mutations_still_apply() {
    let mut server = TestServer::start().await;
    let mut desk = first_desk(&mut server, "Tamper").await;
    let mut entries = chain(desk.device.id, 5);
    server.push(&desk.device, &PushRequest { mutations: vec![], audit: entries[..2].to_vec() }).await;

    // Entry 3 was altered after it was hashed: its hash no longer matches its content.
    entries[2].detail = "edited afterwards".into();
    let m = desk.register(Uuid::now_v7(), "Still", "Applied", "1980-01-01");
    let answer = server.push(&desk.device, &PushRequest { mutations: vec![m], audit: entries[2..].to_vec() }).await;
    assert_eq!(answer.audit_acknowledged_seq, 2);
    let report = answer.audit_chain_break.expect("a break is reported");
    assert!(report.contains("entry 3"), "{report}");
    assert_eq!(answer.results[0].outcome, Outcome::Applied);
    assert_eq!(server.count("audit_records").await, 2, "nothing after the break is kept");
    assert_eq!(server.count("audit_chain_breaks").await, 1);

    // A resent entry that differs from the one held is a break too; the same break is recorded once.
    let mut rewritten = entries[..2].to_vec();
    rewritten[1].action = "patient.delete".into();
    rewritten[1].hash = entry_hash(&rewritten[1].prev_hash.clone(), &rewritten[1]);
    for _ in 0..2 {
        let answer = server.push(&desk.device, &PushRequest { mutations: vec![], audit: rewritten.clone() }).await;
        assert!(answer.audit_chain_break.is_some());
        assert_eq!(answer.audit_acknowledged_seq, 2);
    }
    assert_eq!(server.count("audit_chain_breaks").await, 2);
    for seq in [2_i64, 3] {
        let rows: i64 = server
            .owner
            .query_one("SELECT count(*) FROM audit_chain_breaks WHERE seq = $1", &[&seq])
            .await
            .expect("count")
            .get(0);
        assert_eq!(rows, 1, "one break recorded at entry {seq}");
    }
}
