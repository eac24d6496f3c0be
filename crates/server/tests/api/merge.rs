//! Patient rules through the API: field-level three-way merge, clashes resolved by HLC with review items,
//! possible duplicates, edits of removed records, merges, and resolving review items.

use clinic_protocol::pull::Change;
use clinic_protocol::push::Outcome;
use clinic_protocol::review::{REVIEW_ITEM_ENTITY, ReviewItem, ReviewKind, ReviewStatus};
use serde_json::json;
use uuid::Uuid;

use crate::support::{Desk, TestServer, batch, first_desk, second_desk};

async fn current(server: &TestServer, desk: &Desk, id: Uuid) -> Change {
    let (changes, _) = server.pull_all(&desk.device, 0).await;
    changes.into_iter().find(|c| c.entity_id == id).expect("record pulled")
}

async fn review_item(server: &TestServer, desk: &Desk, id: Uuid) -> ReviewItem {
    let change = current(server, desk, id).await;
    assert_eq!(change.entity, REVIEW_ITEM_ENTITY);
    serde_json::from_value(change.data).expect("a review item")
}

/// Two desks of one clinic and a patient both have at version 1.
async fn two_desks_and_a_patient(server: &mut TestServer) -> (Desk, Desk, Uuid) {
    let mut one = first_desk(server, "Merge").await;
    let two = second_desk(server, &one).await;
    let patient = Uuid::now_v7();
    let m = one.register(patient, "Amina", "Diallo", "1990-02-03");
    server.push(&one.device, &batch(vec![m])).await;
    (one, two, patient)
}

#[tokio::test]
async fn edits_of_different_fields_made_on_the_same_version_combine() {
    let mut server = TestServer::start().await;
    let (mut one, mut two, patient) = two_desks_and_a_patient(&mut server).await;
    let a = {
        let m = one.update(patient, 1, json!({"notes": "allergic to cats"}));
        server.push(&one.device, &batch(vec![m])).await
    };
    assert_eq!(a.results[0].outcome, Outcome::Applied);
    let b = {
        let m = two.update(patient, 1, json!({"email": "amina@example.org"}));
        server.push(&two.device, &batch(vec![m])).await
    };
    assert_eq!(b.results[0].outcome, Outcome::Applied);
    assert_eq!(b.results[0].row_version, Some(3));
    let record = current(&server, &one, patient).await;
    assert_eq!(record.data["patient"]["notes"], "allergic to cats");
    assert_eq!(record.data["patient"]["email"], "amina@example.org");
    assert_eq!(record.data["patient"]["family_name"], "Diallo");
}

#[tokio::test]
async fn a_same_field_clash_keeps_the_later_stamp_and_raises_a_field_conflict() {
    let mut server = TestServer::start().await;
    let (mut one, mut two, patient) = two_desks_and_a_patient(&mut server).await;
    two.hlc_ms = one.hlc_ms + 10_000; // desk two's edit is later
    let late = two.update(patient, 1, json!({"notes": "later"}));
    let early = one.update(patient, 1, json!({"notes": "earlier"}));
    // The later edit arrives first; the earlier one, arriving second, must not win.
    server.push(&two.device, &batch(vec![late])).await;
    let answer = server.push(&one.device, &batch(vec![early.clone()])).await;
    assert_eq!(answer.results[0].outcome, Outcome::AppliedWithConflict);
    assert_eq!(current(&server, &one, patient).await.data["patient"]["notes"], "later");
    let item = review_item(&server, &one, answer.results[0].review_items[0]).await;
    assert_eq!(item.kind, ReviewKind::FieldConflict);
    assert_eq!(item.entity_ids, vec![patient]);
    assert_eq!(item.fields[0].field, "notes");
    assert_eq!((item.fields[0].theirs.clone(), item.fields[0].ours.clone()), (json!("later"), json!("earlier")));
    assert_eq!(item.fields[0].kept, json!("later"));
    assert_eq!(item.mutation_ids, vec![early.mutation_id]);
    assert_eq!(item.status, ReviewStatus::Open);

    // A still later edit on the old base wins the same clash.
    one.hlc_ms = two.hlc_ms + 10_000;
    let answer = {
        let m = one.update(patient, 1, json!({"notes": "latest"}));
        server.push(&one.device, &batch(vec![m])).await
    };
    assert_eq!(answer.results[0].outcome, Outcome::AppliedWithConflict);
    assert_eq!(current(&server, &one, patient).await.data["patient"]["notes"], "latest");
}

#[tokio::test]
async fn a_safety_field_clash_raises_a_safety_review_item() {
    let mut server = TestServer::start().await;
    let (mut one, mut two, patient) = two_desks_and_a_patient(&mut server).await;
    {
        let m = one.update(patient, 1, json!({"date_of_birth": "1990-03-02"}));
        server.push(&one.device, &batch(vec![m])).await
    };
    let answer = {
        let m = two.update(patient, 1, json!({"date_of_birth": "1991-02-03", "notes": "x"}));
        server.push(&two.device, &batch(vec![m])).await
    };
    assert_eq!(answer.results[0].outcome, Outcome::AppliedWithConflict);
    assert_eq!(answer.results[0].review_items.len(), 1, "notes merged without clash");
    let item = review_item(&server, &one, answer.results[0].review_items[0]).await;
    assert_eq!(item.kind, ReviewKind::SafetyFieldConflict);
    assert_eq!(item.fields[0].field, "date_of_birth");
    assert_eq!(item.fields[0].base, json!("1990-02-03"));
    let record = current(&server, &one, patient).await;
    assert_eq!(record.data["patient"]["notes"], "x");
}

#[tokio::test]
async fn a_look_alike_registered_elsewhere_is_flagged_as_a_possible_duplicate() {
    let mut server = TestServer::start().await;
    let (_one, mut two, patient) = two_desks_and_a_patient(&mut server).await;
    let twin = Uuid::now_v7();
    let answer = {
        let m = two.register(twin, "AMINA", "Diallo", "1990-02-03");
        server.push(&two.device, &batch(vec![m])).await
    };
    assert_eq!(answer.results[0].outcome, Outcome::AppliedWithConflict);
    let item = review_item(&server, &two, answer.results[0].review_items[0]).await;
    assert_eq!(item.kind, ReviewKind::PossibleDuplicate);
    assert_eq!(item.entity_ids, vec![twin, patient]);

    let other = Uuid::now_v7();
    let answer = {
        let m = two.register(other, "Amina", "Diallo", "1991-02-03");
        server.push(&two.device, &batch(vec![m])).await
    };
    assert_eq!(answer.results[0].outcome, Outcome::Applied, "another date of birth is another person");
}

#[tokio::test]
async fn an_edit_of_a_deleted_record_is_kept_without_bringing_it_back_and_flagged() {
    let mut server = TestServer::start().await;
    let (mut one, mut two, patient) = two_desks_and_a_patient(&mut server).await;
    let delete = one.mutation("patient.delete", "patient", patient, json!({"reason": "test record"}), Some(1));
    assert_eq!(server.push(&one.device, &batch(vec![delete])).await.results[0].outcome, Outcome::Applied);
    let answer = {
        let m = two.update(patient, 1, json!({"notes": "late note"}));
        server.push(&two.device, &batch(vec![m])).await
    };
    assert_eq!(answer.results[0].outcome, Outcome::AppliedWithConflict);
    let item = review_item(&server, &one, answer.results[0].review_items[0]).await;
    assert_eq!(item.kind, ReviewKind::EditOfRemovedRecord);
    let record = current(&server, &one, patient).await;
    assert!(record.deleted_at.is_some(), "still deleted");
    assert_eq!(record.data["delete_reason"], "test record");
    assert_eq!(record.data["patient"]["notes"], "late note");
}

#[tokio::test]
async fn a_merge_points_the_duplicate_at_the_survivor_and_review_items_are_resolved_by_mutation() {
    let mut server = TestServer::start().await;
    let (mut one, mut two, patient) = two_desks_and_a_patient(&mut server).await;
    let twin = Uuid::now_v7();
    let answer = {
        let m = two.register(twin, "Amina", "Diallo", "1990-02-03");
        server.push(&two.device, &batch(vec![m])).await
    };
    let item_id = answer.results[0].review_items[0];

    let args = json!({"merge_id": Uuid::now_v7(), "survivor_id": patient, "reason": "registered twice"});
    let merge = one.mutation("patient.merge", "patient", twin, args, Some(1));
    let resolve = one.mutation(
        "review.resolve",
        REVIEW_ITEM_ENTITY,
        item_id,
        json!({"status": "resolved", "resolution": "merged into the first record"}),
        Some(1),
    );
    let answer = server.push(&one.device, &batch(vec![merge, resolve])).await;
    assert!(answer.results.iter().all(|r| r.outcome == Outcome::Applied), "{answer:?}");
    let merged = current(&server, &two, twin).await;
    assert_eq!(merged.data["merged_into"], json!(patient));
    let item = review_item(&server, &two, item_id).await;
    assert_eq!(item.status, ReviewStatus::Resolved);
    assert_eq!(item.resolved_by, one.author);

    // Merged away, the twin no longer counts as a look-alike.
    let third = Uuid::now_v7();
    let answer = {
        let m = one.register(third, "Amina", "Diallo", "1990-02-03");
        server.push(&one.device, &batch(vec![m])).await
    };
    let item = review_item(&server, &one, answer.results[0].review_items[0]).await;
    assert_eq!(item.entity_ids, vec![third, patient]);
}

/// One push whose mutations read what earlier ones of the same push wrote: edits on versions made in the push,
/// look-alikes registered in it (before and after a change of another kind), and a deletion that stops a record
/// counting as a look-alike. A replay of the whole push changes nothing.
#[tokio::test]
async fn later_mutations_of_a_push_see_what_earlier_ones_wrote() {
    let mut server = TestServer::start().await;
    let mut desk = first_desk(&mut server, "Batch").await;
    let [a, b, c, d] = [Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7()];
    let mutations = vec![
        desk.register(a, "Amina", "Diallo", "1990-02-03"),
        desk.update(a, 1, json!({"notes": "first visit"})),
        // Made on version 1 while the push already holds version 2: merged field by field with it.
        desk.update(a, 1, json!({"email": "amina@example.org"})),
        desk.register(b, "AMINA", "diallo", "1990-02-03"),
        desk.create_staff("batch-nurse").1,
        desk.register(c, "Amina", "Diallo", "1990-02-03"),
        desk.mutation("patient.delete", "patient", a, json!({"reason": "registered twice"}), Some(3)),
        desk.register(d, "Amina", "Diallo", "1990-02-03"),
    ];
    let request = batch(mutations);
    let answer = server.push(&desk.device, &request).await;
    let outcomes: Vec<Outcome> = answer.results.iter().map(|r| r.outcome).collect();
    use Outcome::{Applied, AppliedWithConflict};
    assert_eq!(
        outcomes,
        [Applied, Applied, Applied, AppliedWithConflict, Applied, AppliedWithConflict, Applied, AppliedWithConflict],
        "{:?}",
        answer.results
    );
    let versions: Vec<Option<i64>> = answer.results.iter().map(|r| r.row_version).collect();
    assert_eq!(versions, [Some(1), Some(2), Some(3), Some(1), Some(1), Some(1), Some(4), Some(1)]);

    assert_eq!(look_alikes(&server, &desk, &answer.results[3]).await, [a], "b looks like a, registered earlier");
    assert_eq!(look_alikes(&server, &desk, &answer.results[5]).await, [a, b], "c: both, after the staff change");
    assert_eq!(look_alikes(&server, &desk, &answer.results[7]).await, [b, c], "a was deleted: only b and c for d");

    let record = current(&server, &desk, a).await;
    assert_eq!(record.row_version, 4);
    assert_eq!(record.data["patient"]["notes"], "first visit");
    assert_eq!(record.data["patient"]["email"], "amina@example.org");
    assert_eq!(record.data["delete_reason"], "registered twice");
    assert!(record.deleted_at.is_some());

    let counts = [server.count("entities").await, server.count("entity_versions").await];
    let replay = server.push(&desk.device, &request).await;
    assert!(replay.results.iter().all(|r| r.outcome == Outcome::Duplicate), "{:?}", replay.results);
    assert_eq!(replay.results[7].review_items, answer.results[7].review_items);
    assert_eq!([server.count("entities").await, server.count("entity_versions").await], counts);
}

/// The records a registration's possible-duplicate items name besides the new record, in id order.
async fn look_alikes(server: &TestServer, desk: &Desk, result: &clinic_protocol::push::MutationResult) -> Vec<Uuid> {
    let mut others = Vec::new();
    for id in &result.review_items {
        let item = review_item(server, desk, *id).await;
        assert_eq!(item.kind, ReviewKind::PossibleDuplicate);
        others.push(item.entity_ids[1]);
    }
    others.sort();
    others
}
