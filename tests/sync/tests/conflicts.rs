//! Concurrent edits of one patient on two offline desks, through the real server: disjoint fields merge; the
//! same ordinary field keeps the later clock's value and raises a `field_conflict` item; a safety field raises a
//! `safety_field_conflict` item; a resolution made on one desk reaches the other. Both desks end up identical.

use clinic_core::patients::Patient;
use clinic_core::sync::{self, ReviewDecision, ReviewItemKind, ReviewItemStatus, ReviewItemView};
use clinic_sync_tests::{Desk, TestServer, assert_converged, person};

/// Two desks of one clinic, both holding one patient at the same version.
fn shared_patient() -> (TestServer, Desk, Desk, Patient) {
    let server = TestServer::start();
    let d1 = Desk::first(&server, "D01");
    let amina = d1.register(&person("Amina", "Diallo", (1984, 6, 1)));
    d1.sync();
    let d2 = Desk::join(&server, "D02");
    let amina = d1.patient(amina.id);
    assert_eq!(d2.patient(amina.id).row_version, amina.row_version);
    (server, d1, d2, amina)
}

/// Moves a desk's clock on, so its next change is stamped later than anything before.
fn later(desk: &mut Desk, secs: i64) {
    desk.move_clock(secs);
}

/// Syncs until both desks have sent and received everything.
fn settle(d1: &Desk, d2: &Desk) {
    for desk in [d1, d2, d1, d2] {
        desk.sync();
    }
}

fn items_of(desk: &Desk, kind: ReviewItemKind) -> Vec<ReviewItemView> {
    desk.review_items(true).into_iter().filter(|i| i.kind == kind).collect()
}

#[test]
fn edits_of_different_fields_merge_on_both_desks() {
    let (server, d1, mut d2, amina) = shared_patient();
    d1.edit(amina.id, |d| d.notes = "prefers mornings".into());
    later(&mut d2, 60);
    d2.edit(amina.id, |d| d.email = Some("amina@example.org".into()));
    settle(&d1, &d2);
    for desk in [&d1, &d2] {
        let p = desk.patient(amina.id);
        assert_eq!(
            (p.details.notes.as_str(), p.details.email.as_deref()),
            ("prefers mornings", Some("amina@example.org"))
        );
        assert!(desk.review_items(true).is_empty(), "no clash on desk {}: {:?}", desk.code, desk.review_items(true));
    }
    assert_converged(&server, &[&d1, &d2], "disjoint edits");
}

#[test]
fn the_same_ordinary_field_keeps_the_later_edit_and_is_flagged_on_both_desks() {
    let (server, d1, mut d2, amina) = shared_patient();
    d1.edit(amina.id, |d| d.notes = "earlier edit".into());
    later(&mut d2, 3600);
    d2.edit(amina.id, |d| d.notes = "later edit".into());
    // The later edit reaches the server first, the earlier one after it: the later one must still win.
    d2.sync();
    d1.sync();
    d2.sync();
    for desk in [&d1, &d2] {
        assert_eq!(desk.patient(amina.id).details.notes, "later edit", "desk {}", desk.code);
        let items = items_of(desk, ReviewItemKind::FieldConflict);
        assert_eq!(items.len(), 1, "one field_conflict item on desk {}: {items:?}", desk.code);
        assert_eq!(items[0].fields.len(), 1, "{items:?}");
        let clash = &items[0].fields[0];
        assert_eq!((clash.field.as_str(), clash.kept.as_str()), ("notes", "later edit"), "{clash:?}");
        assert!(items_of(desk, ReviewItemKind::SafetyFieldConflict).is_empty());
    }
    assert_converged(&server, &[&d1, &d2], "same ordinary field");
}

#[test]
fn a_safety_field_clash_is_flagged_on_both_desks_and_its_resolution_travels() {
    let (server, d1, mut d2, amina) = shared_patient();
    d1.edit(amina.id, |d| d.date_of_birth = Some(jiff::civil::date(1984, 6, 2)));
    later(&mut d2, 60);
    d2.edit(amina.id, |d| d.date_of_birth = Some(jiff::civil::date(1984, 1, 6)));
    settle(&d1, &d2);
    let on_d1 = items_of(&d1, ReviewItemKind::SafetyFieldConflict);
    let on_d2 = items_of(&d2, ReviewItemKind::SafetyFieldConflict);
    assert_eq!(on_d1.len(), 1, "one safety item on D01: {on_d1:?}");
    assert_eq!(on_d2.iter().map(|i| i.id).collect::<Vec<_>>(), vec![on_d1[0].id], "the same item on D02");
    assert_eq!(on_d1[0].fields.iter().map(|f| f.field.as_str()).collect::<Vec<_>>(), vec!["date_of_birth"]);
    assert_eq!(on_d1[0].status, ReviewItemStatus::Open);
    let dob = d1.patient(amina.id).details.date_of_birth;
    assert_eq!(dob, d2.patient(amina.id).details.date_of_birth, "both desks keep the same date of birth");
    assert_eq!(dob, Some(jiff::civil::date(1984, 1, 6)), "the later edit's value is kept until a person decides");

    sync::resolve_review_item(d1.clinic(), d1.admin, on_d1[0].id, ReviewDecision::Resolved, "checked the ID card")
        .expect("resolve");
    settle(&d1, &d2);
    let there = d2.review_items(true).into_iter().find(|i| i.id == on_d1[0].id).expect("still listed on D02");
    assert_eq!(there.status, ReviewItemStatus::Resolved, "the resolution reached D02: {there:?}");
    assert_eq!(there.resolution.as_deref(), Some("checked the ID card"));
    assert!(d2.review_items(false).is_empty(), "nothing left open on D02");
    assert_converged(&server, &[&d1, &d2], "safety field");
}

/// D01 edits the patient twice offline (an unrelated field, then the notes) while D02's edit of the notes
/// reaches the server first, stamped later. D01's second edit was made on D01's first edit, not on D02's: the
/// notes were changed on both desks from the same value, so the later stamp (D02's) must win and the clash must
/// be flagged, however many edits D01 made before it.
#[test]
fn a_clash_is_still_seen_when_the_desk_edited_the_record_twice_offline() {
    let (server, d1, mut d2, amina) = shared_patient();
    d1.edit(amina.id, |d| d.email = Some("amina@example.org".into()));
    d1.edit(amina.id, |d| d.notes = "from D01, earlier".into());
    later(&mut d2, 3600);
    d2.edit(amina.id, |d| d.notes = "from D02, later".into());
    d2.sync();
    d1.sync();
    d2.sync();
    for desk in [&d1, &d2] {
        let p = desk.patient(amina.id);
        assert_eq!(p.details.email.as_deref(), Some("amina@example.org"), "desk {}", desk.code);
        assert_eq!(p.details.notes, "from D02, later", "desk {}: the later edit of the notes wins", desk.code);
        let items = items_of(desk, ReviewItemKind::FieldConflict);
        assert_eq!(items.len(), 1, "desk {}: the clash on the notes is flagged: {items:?}", desk.code);
    }
    assert_converged(&server, &[&d1, &d2], "two offline edits");
}

/// D01 edits the notes twice offline while D02 changes an unrelated field: D01's second edit only continues its
/// first, so nothing clashes and D01's last value stays.
#[test]
fn two_offline_edits_of_one_field_on_one_desk_are_no_clash() {
    let (server, d1, d2, amina) = shared_patient();
    d2.edit(amina.id, |d| d.email = Some("amina@example.org".into()));
    d2.sync();
    d1.edit(amina.id, |d| d.notes = "first draft".into());
    d1.edit(amina.id, |d| d.notes = "second draft".into());
    settle(&d1, &d2);
    for desk in [&d1, &d2] {
        let p = desk.patient(amina.id);
        assert_eq!((p.details.notes.as_str(), p.details.email.as_deref()), ("second draft", Some("amina@example.org")));
        assert!(desk.review_items(true).is_empty(), "desk {}: no clash: {:?}", desk.code, desk.review_items(true));
    }
    assert_converged(&server, &[&d1, &d2], "one desk's two edits");
}
