//! Round trip through the real server: what one desk did offline (registrations, edits, a deletion) reaches a
//! desk that joins later exactly as it is, the joined desk's staff sign in with the first desk's passwords, and
//! the joined desk's own changes come back to the first desk.

use clinic_core::accounts;
use clinic_core::patients::{self, Phone, PhoneKind};
use clinic_sync_tests::{ADMIN_PASSWORD, ADMIN_USERNAME, Desk, TestServer, assert_converged, person};

fn found(desk: &Desk, query: &str) -> Vec<String> {
    let hits = patients::search(desk.clinic(), desk.admin, query, 50).expect("search");
    hits.into_iter().map(|s| s.mrn).collect()
}

#[test]
fn a_joined_desk_holds_what_the_first_desk_did_offline_and_its_own_edits_come_back() {
    let server = TestServer::start();
    let d1 = Desk::first(&server, "D01");

    // Offline on the first desk: nothing has been sent yet.
    let amina = d1.register(&person("Amina", "Diallo", (1984, 6, 1)));
    let bruno = d1.register(&person("Bruno", "Costa", (1990, 1, 15)));
    let chloe = d1.register(&person("Chloé", "Martin", (1975, 11, 30)));
    d1.edit(amina.id, |d| d.notes = "prefers mornings".into());
    d1.edit(amina.id, |d| d.email = Some("amina@example.org".into()));
    d1.delete(chloe.id);
    let report = d1.sync();
    assert_eq!((report.rejected, report.pending), (0, 0), "{report:?}");
    assert_eq!(server.patients().len(), 3, "the server holds the three patients");

    let d2 = Desk::join(&server, "D02");
    assert_converged(&server, &[&d1, &d2], "after the join");
    for id in [amina.id, bruno.id, chloe.id] {
        let (here, there) = (d1.patient(id), d2.patient(id));
        assert_eq!(
            (&here.mrn, &here.details, here.row_version, here.deleted_at.is_some()),
            (&there.mrn, &there.details, there.row_version, there.deleted_at.is_some()),
            "patient {id} is the same on both desks"
        );
    }
    let amina_there = d2.patient(amina.id);
    assert_eq!(amina_there.details.notes, "prefers mornings");
    assert_eq!(amina_there.details.email.as_deref(), Some("amina@example.org"));
    assert_eq!(found(&d2, "diallo"), vec![amina.mrn.clone()], "the joined desk finds the patient by name");
    assert!(found(&d2, "martin").is_empty(), "a deleted patient is not found on the joined desk");
    assert!(d2.patient(chloe.id).deleted_at.is_some(), "the deletion came along");

    // The joined desk's administrator is the first desk's, with the same password.
    assert!(accounts::login(d2.clinic(), ADMIN_USERNAME, ADMIN_PASSWORD).is_ok());
    assert!(accounts::login(d2.clinic(), ADMIN_USERNAME, "not the password").is_err());

    // The joined desk's changes reach the first desk.
    let phone = Phone { kind: PhoneKind::Home, number: "+33 4 78 00 00 00".into() };
    d2.edit(bruno.id, |d| d.phones = vec![phone.clone()]);
    let dora = d2.register(&person("Dora", "Evans", (2001, 2, 3)));
    assert!(dora.mrn.starts_with("MAIN-D02-"), "the joined desk numbers records with its own code: {}", dora.mrn);
    d2.sync();
    d1.sync();
    assert_eq!(d1.patient(bruno.id).details.phones, vec![phone]);
    assert_eq!(d1.patient(dora.id).mrn, dora.mrn);
    assert_eq!(found(&d1, "evans"), vec![dora.mrn.clone()]);
    assert_converged(&server, &[&d1, &d2], "after the joined desk's changes");
    assert_eq!((d1.pending(), d2.pending()), (0, 0));
}
