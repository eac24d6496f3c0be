//! A server restored from a backup gets a new epoch: every desk re-pushes what it holds and downloads everything
//! again. A change made just before the new epoch and one made just after are both kept, on every desk.

use clinic_sync_tests::{Desk, TestServer, assert_converged, person};

#[test]
fn after_a_new_epoch_desks_resend_and_download_again_and_nothing_is_lost() {
    let server = TestServer::start();
    let d1 = Desk::first(&server, "D01");
    let amina = d1.register(&person("Amina", "Diallo", (1984, 6, 1)));
    d1.sync();
    let d2 = Desk::join(&server, "D02");

    // Just before the restore: an edit on D02 reaches the server; one on D01 is still waiting.
    d2.edit(amina.id, |d| d.notes = "before the restore".into());
    d2.sync();
    let waiting = d1.register(&person("Bruno", "Costa", (1990, 1, 15)));
    let (applied_before, _) = server.applied_and_seq();

    let old_versions = server.patients();
    server.new_epoch();

    // Just after: both desks change something before they next sync.
    d2.edit(amina.id, |d| d.email = Some("amina@example.org".into()));
    let after = d1.register(&person("Chloé", "Martin", (1975, 11, 30)));

    let first = d1.sync();
    assert!(first.epoch_changed, "D01 noticed the new epoch: {first:?}");
    assert!(first.duplicates >= 1, "D01's earlier changes were sent again and recognised: {first:?}");
    let second = d2.sync();
    assert!(second.epoch_changed, "D02 noticed the new epoch: {second:?}");
    d1.sync();
    d2.sync();

    for desk in [&d1, &d2] {
        let p = desk.patient(amina.id);
        assert_eq!(p.details.notes, "before the restore", "desk {}", desk.code);
        assert_eq!(p.details.email.as_deref(), Some("amina@example.org"), "desk {}", desk.code);
        assert!(desk.patients().contains_key(&waiting.id), "desk {}: the change waiting at the restore", desk.code);
        assert!(desk.patients().contains_key(&after.id), "desk {}: the change made after it", desk.code);
        desk.assert_healthy("after the new epoch");
    }
    // What the server held already was recognised, not applied a second time.
    for (id, before) in old_versions {
        let now = &server.patients()[&id];
        assert!(now.row_version <= before.row_version + 1, "patient {id} was not changed again by the re-push");
    }
    let (applied_after, _) = server.applied_and_seq();
    assert_eq!(applied_after - applied_before, 3, "only the three new changes were applied (Bruno, Chloé, email)");
    assert_converged(&server, &[&d1, &d2], "after the new epoch");
}
