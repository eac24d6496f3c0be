//! Calendar subscription links on an encrypted desk: who may make and stop them, what is audited, what the outbox
//! carries to the server (only the token's hash), and that making a new link stops the previous one.

mod common;
mod scheduling_support;

use clinic_core::ErrorCode;
use clinic_core::scheduling::feeds;
use clinic_protocol::calendar::feed_token_hash;
use scheduling_support::Desk;
use uuid::Uuid;

const SERVER: &str = "https://sync.clinic.example";

/// A scheduling desk that has joined a clinic server (its address is what links point to).
fn joined() -> Desk {
    let d = Desk::new();
    d.t.clinic
        .with_connection_for_tests(|c| c.execute("UPDATE sync_state SET server_url = ?1", [SERVER]))
        .expect("conn")
        .expect("server address");
    d
}

/// The token at the end of a link, checked for shape.
fn token_of(url: &str) -> &str {
    let token = url
        .strip_prefix([SERVER, "/v1/calendar/"].concat().as_str())
        .and_then(|rest| rest.strip_suffix(".ics"))
        .unwrap_or_else(|| panic!("{url} is the server's calendar address"));
    assert!(clinic_protocol::calendar::is_feed_token(token), "{token}: 43 URL-safe characters");
    token
}

fn stored_tokens(d: &Desk) -> Vec<Option<String>> {
    d.t.clinic
        .with_connection_for_tests(|c| {
            c.prepare("SELECT token FROM calendar_feeds ORDER BY issued_at, id")
                .expect("prepare")
                .query_map([], |r| r.get(0))
                .expect("query")
                .collect::<Result<Vec<_>, _>>()
                .expect("rows")
        })
        .expect("conn")
}

fn staff_id(d: &Desk, username: &str) -> Uuid {
    let id = d.t.clinic.with_connection_for_tests(|c| {
        c.query_row("SELECT id FROM staff WHERE username = ?1", [username], |r| r.get::<_, String>(0))
    });
    Uuid::parse_str(&id.expect("conn").expect(username)).expect("uuid")
}

#[test]
fn a_doctor_makes_a_link_the_outbox_carries_only_its_hash_and_a_new_one_revokes_it() {
    let d = joined();
    let first = feeds::issue(&d.t.clinic, d.diallo_session, d.diallo).expect("a doctor makes their own link");
    let first_token = token_of(&first.url).to_owned();
    assert_eq!((first.feed.clinician_id, first.feed.issued_by, first.feed.revoked_at), (d.diallo, d.diallo, None));

    let (name, entity_id, args, base) = d.last_outbox();
    assert_eq!((name.as_str(), entity_id, base), ("calendar_feed.issue", d.diallo.to_string(), None));
    assert_eq!(args, serde_json::json!({ "clinician_id": d.diallo, "token_hash": feed_token_hash(&first_token) }));
    let outbox_text =
        d.count_with("SELECT count(*) FROM outbox WHERE instr(args, ?1) > 0 OR instr(name, ?1) > 0", &first_token);
    assert_eq!(outbox_text, 0, "the token itself never goes to the server");
    let in_audit = d.count_with("SELECT count(*) FROM audit_log WHERE instr(detail, ?1) > 0", &first_token);
    assert_eq!(in_audit, 0, "nor into the audit trail");

    let shown = feeds::current_link(&d.t.clinic, d.diallo_session, d.diallo).expect("read").expect("a live link");
    assert_eq!(shown, first, "the same link is shown again");

    d.t.clock.advance_secs(60);
    let second = feeds::issue(&d.t.clinic, d.t.admin, d.diallo).expect("an administrator makes a new one");
    let second_token = token_of(&second.url);
    assert_ne!(second_token, first_token);
    assert_eq!(stored_tokens(&d), [None, Some(second_token.to_owned())], "the replaced link keeps no token");
    let admin = staff_id(&d, "admin");
    let listed = feeds::list(&d.t.clinic, d.t.admin).expect("list");
    assert_eq!(listed.len(), 2);
    assert_eq!((listed[0].id, listed[0].revoked_at), (second.feed.id, None), "newest first");
    assert_eq!((listed[1].id, listed[1].revoked_by), (first.feed.id, Some(admin)));
    assert!(listed[1].revoked_at.is_some());

    let audit = d.audit("calendar_feed_issue");
    assert_eq!(audit.len(), 2);
    assert_eq!(
        (audit[0].0.as_str(), audit[0].1.as_str(), audit[0].2.clone()),
        ("diallo", "success", Some(d.diallo.to_string()))
    );
    assert_eq!((audit[1].0.as_str(), audit[1].4.as_str()), ("admin", "replaced the previous link"));
}

#[test]
fn revoking_forgets_the_token_and_still_tells_the_server_when_no_link_was_made_here() {
    let d = joined();
    feeds::issue(&d.t.clinic, d.diallo_session, d.diallo).expect("issue");
    feeds::revoke(&d.t.clinic, d.diallo_session, d.diallo).expect("revoke own");
    assert_eq!(feeds::current_link(&d.t.clinic, d.diallo_session, d.diallo).expect("read"), None);
    assert_eq!(stored_tokens(&d), [None]);
    let (name, entity_id, args, _) = d.last_outbox();
    assert_eq!((name.as_str(), entity_id), ("calendar_feed.revoke", d.diallo.to_string()));
    assert_eq!(args, serde_json::json!({ "clinician_id": d.diallo }));

    // A link made on another desk is unknown here; revoking still queues the change that stops it on the server.
    feeds::revoke(&d.t.clinic, d.t.admin, d.okafor).expect("revoke for another clinician as administrator");
    assert_eq!(d.last_outbox().1, d.okafor.to_string());
    let audit = d.audit("calendar_feed_revoke");
    assert_eq!(
        audit.iter().map(|a| (a.0.as_str(), a.4.as_str())).collect::<Vec<_>>(),
        [("diallo", ""), ("admin", "no link made on this desk")]
    );
}

#[test]
fn only_administrators_manage_other_clinicians_links_and_refusals_change_nothing() {
    let d = joined();
    let before = d.footprint();
    let links = || d.count("SELECT count(*) FROM calendar_feeds");

    let refused = feeds::issue(&d.t.clinic, d.diallo_session, d.okafor).expect_err("not for a colleague");
    assert_eq!(refused.code, ErrorCode::Forbidden);
    let refused = feeds::revoke(&d.t.clinic, d.diallo_session, d.okafor).expect_err("nor revoke theirs");
    assert_eq!(refused.code, ErrorCode::Forbidden);
    let refused = feeds::current_link(&d.t.clinic, d.diallo_session, d.okafor).expect_err("nor read theirs");
    assert_eq!(refused.code, ErrorCode::Forbidden);
    let refused = feeds::issue(&d.t.clinic, d.reception, d.diallo).expect_err("reception is not a clinician");
    assert_eq!(refused.code, ErrorCode::Forbidden);
    let rita = staff_id(&d, "rita");
    let refused = feeds::issue(&d.t.clinic, d.reception, rita).expect_err("a receptionist has no calendar");
    assert_eq!((refused.code, refused.field.as_deref()), (ErrorCode::Validation, Some("clinician_id")));
    let refused = feeds::issue(&d.t.clinic, d.t.admin, Uuid::now_v7()).expect_err("unknown clinician");
    assert_eq!((refused.code, refused.field.as_deref()), (ErrorCode::Validation, Some("clinician_id")));
    assert_eq!((d.footprint(), links()), (before, 0), "nothing written, nothing queued");
    assert_eq!(d.audit("access_denied").iter().filter(|a| a.4 == "calendar link of another clinician").count(), 4);

    let nurse = d.session_of("chen");
    feeds::issue(&d.t.clinic, nurse, d.nurse).expect("a nurse for herself");
    assert_eq!(feeds::list(&d.t.clinic, d.diallo_session).expect("list"), [], "a doctor sees only their own");
    assert_eq!(feeds::list(&d.t.clinic, d.reception).expect("list"), []);
    assert_eq!(feeds::list(&d.t.clinic, nurse).expect("list").len(), 1);
}

#[test]
fn a_desk_without_a_clinic_server_cannot_make_a_link() {
    let d = Desk::new();
    let before = d.footprint();
    let refused = feeds::issue(&d.t.clinic, d.diallo_session, d.diallo).expect_err("no server to serve it");
    assert_eq!(refused.code, ErrorCode::Unavailable);
    assert!(refused.message.contains("Join the clinic server"), "{}", refused.message);
    assert_eq!(d.footprint(), before);
    assert_eq!(d.count("SELECT count(*) FROM calendar_feeds"), 0);
}
