//! Push: applied once, replays answered from the record without changing anything, stateful rejections kept.

use clinic_protocol::push::Outcome;
use serde_json::json;
use uuid::Uuid;

use crate::support::{Desk, TestServer, batch, first_desk, second_desk};

#[tokio::test]
async fn a_mutation_is_applied_once_and_a_replay_changes_nothing() {
    let mut server = TestServer::start().await;
    let mut desk = first_desk(&mut server, "Push").await;
    let patient = Uuid::now_v7();
    let register = desk.register(patient, "Amina", "Diallo", "1990-02-03");
    let first = server.push(&desk.device, &batch(vec![register.clone()])).await;
    assert_eq!(first.results.len(), 1);
    assert_eq!(first.results[0].outcome, Outcome::Applied);
    assert_eq!(first.results[0].row_version, Some(1));
    assert_eq!(first.epoch, desk.device.epoch);
    assert!(first.server_hlc >= register.hlc);

    let (changes, seq) = server.pull_all(&desk.device, 0).await;
    let stored = changes.iter().find(|c| c.entity_id == patient).expect("pulled");
    assert_eq!(stored.data["patient"]["family_name"], "Diallo");
    assert_eq!(stored.data["mrn"], "MAIN-D01-000001");
    assert_eq!(stored.origin_device, Some(desk.device.id));
    assert_eq!(stored.origin_mutation, Some(register.mutation_id));
    assert_eq!(stored.updated_by, desk.author);

    let versions_before = server.count("entity_versions").await;
    let replay = server.push(&desk.device, &batch(vec![register.clone()])).await;
    assert_eq!(replay.results[0].outcome, Outcome::Duplicate);
    assert_eq!(replay.results[0].first_outcome, Some(Outcome::Applied));
    assert_eq!(replay.results[0].row_version, Some(1));
    assert_eq!(server.count("entity_versions").await, versions_before);
    let (after_replay, _) = server.pull_all(&desk.device, seq).await;
    assert!(after_replay.is_empty(), "a replay made no change: {after_replay:?}");
}

#[tokio::test]
async fn a_change_to_a_record_the_server_lacks_is_rejected_and_the_rejection_is_kept() {
    let mut server = TestServer::start().await;
    let mut desk = first_desk(&mut server, "Reject").await;
    let missing = Uuid::now_v7();
    let update = desk.update(missing, 1, json!({"notes": "hello"}));
    let registered = Uuid::now_v7();
    let register = desk.register(registered, "Ken", "Ito", "1980-01-01");
    let answer = server.push(&desk.device, &batch(vec![update.clone(), register])).await;
    assert_eq!(answer.results[0].outcome, Outcome::Rejected);
    assert!(answer.results[0].reason.as_deref().is_some_and(|r| r.contains("not on the clinic server")));
    assert_eq!(answer.results[1].outcome, Outcome::Applied, "the rest of the push is applied");

    let replay = server.push(&desk.device, &batch(vec![update])).await;
    assert_eq!(replay.results[0].outcome, Outcome::Duplicate);
    assert_eq!(replay.results[0].first_outcome, Some(Outcome::Rejected));
    assert!(replay.results[0].reason.is_some());
}

#[tokio::test]
async fn staff_clinic_settings_and_review_decisions_sync_as_records() {
    let mut server = TestServer::start().await;
    let mut desk = first_desk(&mut server, "Records").await;
    let admin = desk.author.expect("an author");
    let (nurse, create) = desk.create_staff("nurse.one");
    let settings = json!({
        "name": "Records clinic", "code": "REC", "address": "1 Main St", "time_zone": "Europe/Paris",
        "currency": "EUR", "invoice_prefix": "REC", "date_format": "DMY", "idle_lock_minutes": 15
    });
    let clinic_id = Uuid::now_v7();
    let settings = desk.mutation("clinic.settings", "clinic", clinic_id, settings, None);
    let deactivate = desk.mutation("staff.update", "staff", nurse, json!({"active": false, "role": "nurse"}), Some(1));
    let answer = server.push(&desk.device, &batch(vec![create, settings, deactivate])).await;
    assert!(answer.results.iter().all(|r| r.outcome == Outcome::Applied), "{answer:?}");

    let (changes, _) = server.pull_all(&desk.device, 0).await;
    let staff = changes.iter().find(|c| c.entity_id == nurse).expect("staff pulled");
    assert_eq!(staff.data["member"]["active"], false);
    assert_eq!(staff.data["member"]["role"], "nurse");
    assert_eq!(staff.data["member"]["username"], "nurse.one");
    assert!(staff.data["password_hash"].is_string());
    let clinic = changes.iter().find(|c| c.entity_id == clinic_id).expect("clinic pulled");
    assert_eq!(clinic.data["time_zone"], "Europe/Paris");

    // The deactivated member can no longer author changes.
    desk.author = Some(nurse);
    let m = desk.register(Uuid::now_v7(), "A", "B", "2000-01-01");
    let refused = server.push_raw(&desk.device, &serde_json::to_value(batch(vec![m])).expect("json")).await;
    assert_eq!(refused.status(), 422);
    desk.author = Some(admin);
}

#[tokio::test]
async fn a_change_its_author_may_not_make_is_rejected_with_the_reason_and_their_own_password_is_theirs() {
    let mut server = TestServer::start().await;
    let mut desk = first_desk(&mut server, "Roles").await;
    let admin = desk.author;
    let (clerk, mut create) = desk.create_staff("billing-clerk");
    create.args["member"]["role"] = json!("billing_clerk");
    assert_eq!(server.push(&desk.device, &batch(vec![create])).await.results[0].outcome, Outcome::Applied);

    desk.author = Some(clerk);
    let register = desk.register(Uuid::now_v7(), "Amina", "Diallo", "1990-02-03");
    let promote = desk.mutation("staff.update", "staff", clerk, json!({ "role": "administrator" }), Some(1));
    let own_password =
        desk.mutation("staff.update", "staff", clerk, json!({ "password_hash": "$argon2id$v=19$new" }), Some(1));
    let patients_before = server.count("entities").await;
    let answer = server.push(&desk.device, &batch(vec![register, promote, own_password])).await;
    let outcomes: Vec<Outcome> = answer.results.iter().map(|r| r.outcome).collect();
    assert_eq!(outcomes, vec![Outcome::Rejected, Outcome::Rejected, Outcome::Applied]);
    let reason = answer.results[0].reason.as_deref().expect("a reason");
    assert!(reason.contains("role: billing clerk") && reason.contains("may not make it"), "{reason}");
    assert_eq!(server.count("entities").await, patients_before, "nothing new was stored");

    // The administrator may do both.
    desk.author = admin;
    let register = desk.register(Uuid::now_v7(), "Bruno", "Costa", "1991-03-04");
    let promote = desk.mutation("staff.update", "staff", clerk, json!({ "role": "receptionist" }), Some(2));
    let answer = server.push(&desk.device, &batch(vec![register, promote])).await;
    assert!(answer.results.iter().all(|r| r.outcome == Outcome::Applied), "{answer:?}");
}

/// Pushes of several devices of one clinic arriving at once are applied together where they can be: every change
/// exactly once, numbered without gaps or repeats, and a device's second identical push answered as a replay.
#[tokio::test]
async fn pushes_arriving_together_are_each_applied_once() {
    let mut server = TestServer::start().await;
    let first = first_desk(&mut server, "Together").await;
    let mut desks: Vec<Desk> = Vec::new();
    for _ in 0..4 {
        desks.push(second_desk(&server, &first).await);
    }
    let (_, before) = server.pull_all(&first.device, 0).await;
    let requests: Vec<_> = desks
        .iter_mut()
        .enumerate()
        .map(|(k, desk)| {
            let given = format!("Patient{k}");
            batch((0..3).map(|i| desk.register(Uuid::now_v7(), &given, &format!("Family{i}"), "1980-01-01")).collect())
        })
        .collect();
    let (a, b, c, d, again) = tokio::join!(
        server.push(&desks[0].device, &requests[0]),
        server.push(&desks[1].device, &requests[1]),
        server.push(&desks[2].device, &requests[2]),
        server.push(&desks[3].device, &requests[3]),
        server.push(&desks[3].device, &requests[3]),
    );
    for answer in [&a, &b, &c] {
        assert!(answer.results.iter().all(|r| r.outcome == Outcome::Applied), "{:?}", answer.results);
    }
    // The same push sent twice by one device: one of the two applied it, the other answers from the record.
    let (applied, replayed) = if d.results[0].outcome == Outcome::Applied { (&d, &again) } else { (&again, &d) };
    assert!(applied.results.iter().all(|r| r.outcome == Outcome::Applied), "{:?}", applied.results);
    assert!(replayed.results.iter().all(|r| r.outcome == Outcome::Duplicate), "{:?}", replayed.results);

    let (changes, _) = server.pull_all(&first.device, before).await;
    assert_eq!(changes.len(), 12, "four devices' three registrations, once each");
    let seqs: Vec<i64> = changes.iter().map(|c| c.seq).collect();
    assert_eq!(seqs, (before + 1..=before + 12).collect::<Vec<_>>(), "numbered in order, without gaps or repeats");
    let mut ids: Vec<Uuid> = changes.iter().map(|c| c.entity_id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 12);
}
