//! Versions and epochs: old clients may still push but are told to update before pulling; a server restored
//! from a backup gets a new epoch, refuses old cursors and tells pushers.

use clinic_protocol::push::Outcome;
use clinic_protocol::{ApiError, ApiErrorCode, HEADER_PROTOCOL_VERSION, HEADER_SCHEMA_VERSION};
use clinic_server::admin;
use clinic_server::clock::Clock;
use uuid::Uuid;

use crate::support::{TestServer, batch, first_desk};

#[tokio::test]
async fn an_old_client_is_told_to_update_for_pull_but_its_pushes_are_accepted() {
    let mut server = TestServer::start().await;
    let mut desk = first_desk(&mut server, "Old").await;
    let credential = desk.device.credential.clone();
    let old = |b: reqwest::RequestBuilder| {
        b.bearer_auth(&credential).header(HEADER_PROTOCOL_VERSION, "0").header(HEADER_SCHEMA_VERSION, "1")
    };
    let pull = old(server.http.get(server.url("/v1/pull")))
        .query(&[("epoch", desk.device.epoch.to_string()), ("after", "0".into())])
        .send()
        .await
        .expect("sent");
    assert_eq!(pull.status(), 426);
    let error: ApiError = pull.json().await.expect("error");
    assert_eq!(error.code, ApiErrorCode::PleaseUpdate);
    let bootstrap = old(server.http.get(server.url("/v1/bootstrap"))).send().await.expect("sent");
    assert_eq!(bootstrap.status(), 426);

    let body = batch(vec![desk.register(Uuid::now_v7(), "Offline", "Work", "1970-01-01")]);
    let push = old(server.http.post(server.url("/v1/push"))).json(&body).send().await.expect("sent");
    assert_eq!(push.status(), 200);
    let answer: clinic_protocol::push::PushResponse = push.json().await.expect("answer");
    assert_eq!(answer.results[0].outcome, Outcome::Applied);
}

#[tokio::test]
async fn a_new_epoch_refuses_old_cursors_and_is_announced_to_pushers() {
    let mut server = TestServer::start().await;
    let mut desk = first_desk(&mut server, "Restore").await;
    let first = server.pull(&desk.device, 0, None).await;
    let snapshot: clinic_protocol::bootstrap::BootstrapPage = server
        .authed(server.http.get(server.url("/v1/bootstrap")), &desk.device)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("page");

    let epoch = admin::new_epoch(&server.owner, server.clock.now()).await.expect("new epoch");
    assert_ne!(epoch, desk.device.epoch);
    let answer = server.pull_raw(&desk.device, desk.device.epoch, first.next.seq, None).await;
    assert_eq!(answer.status(), 409);
    let error: ApiError = answer.json().await.expect("error");
    assert_eq!(error.code, ApiErrorCode::EpochChanged);
    let resumed = server
        .authed(server.http.get(server.url("/v1/bootstrap")), &desk.device)
        .query(&[("snapshot", snapshot.snapshot.to_param())])
        .send()
        .await
        .expect("sent");
    assert_eq!(resumed.status(), 409);

    let m = desk.register(Uuid::now_v7(), "After", "Restore", "1970-01-01");
    let answer = server.push(&desk.device, &batch(vec![m])).await;
    assert_eq!(answer.epoch, epoch);
    desk.device.epoch = epoch;
    let again = server.pull(&desk.device, 0, None).await;
    assert_eq!(again.next.epoch, epoch);
}
