//! The same person registered on two offline desks: after sync both desks list one `possible_duplicate` item
//! naming both records; merging them and resolving the item on one desk reaches the other.

use clinic_core::patients;
use clinic_core::sync::{self, ReviewDecision, ReviewItemKind, ReviewItemStatus};
use clinic_sync_tests::{Desk, TestServer, assert_converged, person};

#[test]
fn one_person_registered_on_two_offline_desks_is_flagged_merged_and_resolved_everywhere() {
    let server = TestServer::start();
    let d1 = Desk::first(&server, "D01");
    d1.sync();
    let d2 = Desk::join(&server, "D02");

    let here = d1.register(&person("Fatou", "Ndiaye", (1992, 4, 5)));
    let there = d2.register(&person("Fatou", "Ndiaye", (1992, 4, 5)));
    assert_ne!(here.mrn, there.mrn);
    for desk in [&d1, &d2, &d1] {
        desk.sync();
    }
    let mut ids = vec![here.id, there.id];
    ids.sort();
    for desk in [&d1, &d2] {
        let items: Vec<_> =
            desk.review_items(false).into_iter().filter(|i| i.kind == ReviewItemKind::PossibleDuplicate).collect();
        assert_eq!(items.len(), 1, "desk {}: one possible duplicate: {items:?}", desk.code);
        let mut named: Vec<_> = items[0].records.iter().map(|r| r.id).collect();
        named.sort();
        assert_eq!(named, ids, "desk {}: the item names both records", desk.code);
        assert!(items[0].records.iter().all(|r| r.mrn.is_some()), "both records are on desk {}", desk.code);
    }
    assert_converged(&server, &[&d1, &d2], "both registrations");

    let item = d1.review_items(false).into_iter().find(|i| i.kind == ReviewItemKind::PossibleDuplicate).expect("item");
    patients::merge(d1.clinic(), d1.admin, here.id, there.id, "same person, registered on two desks").expect("merge");
    sync::resolve_review_item(d1.clinic(), d1.admin, item.id, ReviewDecision::Resolved, "merged the two records")
        .expect("resolve");
    for desk in [&d1, &d2, &d1] {
        desk.sync();
    }
    for desk in [&d1, &d2] {
        assert_eq!(desk.patient(there.id).merged_into, Some(here.id), "desk {}: the duplicate is merged", desk.code);
        let listed = desk.review_items(true).into_iter().find(|i| i.id == item.id).expect("item listed");
        assert_eq!(listed.status, ReviewItemStatus::Resolved, "desk {}: {listed:?}", desk.code);
        assert!(desk.review_items(false).is_empty(), "desk {}: nothing left open", desk.code);
        let history = "SELECT count(*) FROM patient_merges WHERE reason = 'same person, registered on two desks'";
        assert_eq!(desk.count(history), 1, "desk {}: the merge and its reason are in the history once", desk.code);
        let found = patients::search(desk.clinic(), desk.admin, "ndiaye", 10).expect("search");
        assert_eq!(found.iter().map(|s| s.id).collect::<Vec<_>>(), vec![here.id], "desk {}", desk.code);
    }
    assert_converged(&server, &[&d1, &d2], "after the merge");
}
