//! Bootstrap: a new device downloads every current record page by page from a snapshot, can resume at any page,
//! and after pulling from the snapshot holds exactly the server's final state.

use std::collections::BTreeMap;

use clinic_protocol::bootstrap::BootstrapPage;
use clinic_protocol::pull::{Change, Cursor};
use serde_json::json;
use uuid::Uuid;

use crate::support::{Device, TestServer, batch, first_desk};

async fn page(
    server: &TestServer,
    device: &Device,
    snapshot: Option<Cursor>,
    after: Option<&Change>,
    limit: u32,
) -> BootstrapPage {
    let mut query = vec![("limit", limit.to_string())];
    if let Some(s) = snapshot {
        query.push(("snapshot", s.to_param()));
    }
    if let Some(c) = after {
        query.push(("after_entity", c.entity.clone()));
        query.push(("after_id", c.entity_id.to_string()));
    }
    let answer =
        server.authed(server.http.get(server.url("/v1/bootstrap")), device).query(&query).send().await.expect("sent");
    let status = answer.status();
    let text = answer.text().await.expect("body");
    assert_eq!(status, 200, "{text}");
    serde_json::from_str(&text).expect("page")
}

/// Keeps the newest version of each record.
fn keep(state: &mut BTreeMap<Uuid, Change>, change: Change) {
    match state.get(&change.entity_id) {
        Some(held) if held.row_version >= change.row_version => {}
        _ => {
            state.insert(change.entity_id, change);
        }
    }
}

async fn everything(server: &TestServer, device: &Device) -> BTreeMap<Uuid, Change> {
    let mut state = BTreeMap::new();
    let first = page(server, device, None, None, 1000).await;
    assert!(!first.has_more);
    for c in first.records {
        keep(&mut state, c);
    }
    state
}

#[tokio::test]
async fn a_bootstrap_resumes_at_any_page_and_ends_equal_to_the_server() {
    let mut server = TestServer::start().await;
    let mut desk = first_desk(&mut server, "Bootstrap").await;
    let ids: Vec<Uuid> = (0..7).map(|_| Uuid::now_v7()).collect();
    let ms = ids
        .iter()
        .enumerate()
        .map(|(i, id)| desk.register(*id, &["P", &i.to_string()].concat(), "Boot", "1985-05-05"))
        .collect();
    server.push(&desk.device, &batch(ms)).await;
    let newcomer = server.enroll(desk.device.clinic).await;

    let first = page(&server, &newcomer, None, None, 3).await;
    assert!(first.has_more);
    assert_eq!(first.records.len(), 3);
    let snapshot = first.snapshot;
    let mut state = BTreeMap::new();
    let mut last = first.records.last().cloned();
    first.records.into_iter().for_each(|c| keep(&mut state, c));

    // Meanwhile the clinic carries on: an edit of an already-downloaded record and a new registration.
    let edited = ids[0];
    let added = Uuid::now_v7();
    let edits = vec![
        desk.update(edited, 1, json!({"notes": "after the snapshot"})),
        desk.register(added, "New", "Comer", "2001-01-01"),
    ];
    server.push(&desk.device, &batch(edits)).await;

    let mut pages = 1;
    loop {
        let next = page(&server, &newcomer, Some(snapshot), last.as_ref(), 3).await;
        assert_eq!(next.snapshot, snapshot);
        if pages == 2 {
            // A crash after receiving this page: the device asks again from its last saved record.
            let again = page(&server, &newcomer, Some(snapshot), last.as_ref(), 3).await;
            assert_eq!(
                again.records.iter().map(|c| c.entity_id).collect::<Vec<_>>(),
                next.records.iter().map(|c| c.entity_id).collect::<Vec<_>>()
            );
        }
        pages += 1;
        if let Some(l) = next.records.last() {
            last = Some(l.clone());
        }
        let more = next.has_more;
        next.records.into_iter().for_each(|c| keep(&mut state, c));
        if !more {
            break;
        }
    }
    assert!(pages >= 3);

    let mut after = snapshot.seq;
    loop {
        let pulled = server.pull(&newcomer, after, Some(2)).await;
        after = pulled.next.seq;
        pulled.changes.into_iter().for_each(|c| keep(&mut state, c));
        if !pulled.has_more {
            break;
        }
    }
    let truth = everything(&server, &newcomer).await;
    assert_eq!(state, truth);
    assert_eq!(truth[&edited].data["patient"]["notes"], "after the snapshot");
    assert!(truth.contains_key(&added));
    assert_eq!(truth.len(), 1 + 7 + 1, "staff, patients, newcomer");
}

#[tokio::test]
async fn bootstrap_parameters_are_checked() {
    let mut server = TestServer::start().await;
    let desk = first_desk(&mut server, "Params").await;
    let url = server.url("/v1/bootstrap");
    let cases: [(&[(&str, &str)], u16); 5] = [
        (&[("after_entity", "patient")], 422),
        (
            &[
                ("after_entity", "pa\u{0}t"),
                ("after_id", "00000000-0000-0000-0000-000000000000"),
                ("snapshot", "00000000-0000-0000-0000-000000000000:0"),
            ],
            422,
        ),
        (&[("after_entity", "patient"), ("after_id", "00000000-0000-0000-0000-000000000000")], 422),
        (&[("snapshot", "not-a-cursor")], 400),
        (&[("limit", "0")], 422),
    ];
    for (query, status) in cases {
        let answer = server.authed(server.http.get(&url), &desk.device).query(query).send().await.expect("sent");
        assert_eq!(answer.status().as_u16(), status, "{query:?}");
    }
}
