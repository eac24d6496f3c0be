//! Pull: keyset pages at the exact boundaries, parameter checks, and commit-order sequencing under concurrent
//! pushes (a puller never misses a change).

use std::collections::HashSet;
use std::sync::Arc;

use clinic_protocol::{ApiError, ApiErrorCode};
use uuid::Uuid;

use crate::support::{Desk, TestServer, batch, first_desk, second_desk};

const PAGE: u32 = 5;

#[tokio::test]
async fn pages_are_right_at_zero_one_and_around_the_page_size() {
    let mut server = TestServer::start().await;
    for n in [0_usize, 1, PAGE as usize - 1, PAGE as usize, PAGE as usize + 1, 2 * PAGE as usize] {
        let mut desk = first_desk(&mut server, &["Pages ", &n.to_string()].concat()).await;
        let (_, start) = server.pull_all(&desk.device, 0).await;
        let ids: Vec<Uuid> = (0..n).map(|_| Uuid::now_v7()).collect();
        let ms = ids
            .iter()
            .enumerate()
            .map(|(i, id)| desk.register(*id, &["G", &i.to_string()].concat(), "F", "2000-01-01"))
            .collect();
        server.push(&desk.device, &batch(ms)).await;

        let mut after = start;
        let mut pages = Vec::new();
        loop {
            let page = server.pull(&desk.device, after, Some(PAGE)).await;
            assert!(page.changes.len() <= PAGE as usize);
            assert_eq!(page.next.seq, page.changes.last().map_or(after, |c| c.seq));
            assert_eq!(page.next.epoch, desk.device.epoch);
            after = page.next.seq;
            pages.push(page.changes.len());
            if !page.has_more {
                break;
            }
        }
        let expected: Vec<usize> = match n {
            0 => vec![0],
            n if n % PAGE as usize == 0 => vec![PAGE as usize; n / PAGE as usize],
            n => {
                let mut v = vec![PAGE as usize; n / PAGE as usize];
                v.push(n % PAGE as usize);
                v
            }
        };
        assert_eq!(pages, expected, "{n} changes");
        let empty = server.pull(&desk.device, after, Some(PAGE)).await;
        assert!(empty.changes.is_empty() && !empty.has_more && empty.next.seq == after);
    }
}

#[tokio::test]
async fn pull_parameters_are_checked() {
    let mut server = TestServer::start().await;
    let desk = first_desk(&mut server, "Params").await;
    for (limit, after) in [(Some(0), 0), (Some(clinic_protocol::MAX_PAGE_SIZE + 1), 0), (None, -1)] {
        let answer = server.pull_raw(&desk.device, desk.device.epoch, after, limit).await;
        assert_eq!(answer.status(), 422);
        let error: ApiError = answer.json().await.expect("error");
        assert_eq!(error.code, ApiErrorCode::Validation);
        assert!(error.field.is_some());
    }
    let answer = server
        .authed(server.http.get(server.url("/v1/pull")), &desk.device)
        .query(&[("epoch", desk.device.epoch.to_string()), ("after", "0".into()), ("colour", "red".into())])
        .send()
        .await
        .expect("sent");
    assert_eq!(answer.status(), 400, "unknown parameters are refused");
    let answer = server.pull_raw(&desk.device, Uuid::now_v7(), 0, None).await;
    assert_eq!(answer.status(), 409);
    let error: ApiError = answer.json().await.expect("error");
    assert_eq!(error.code, ApiErrorCode::EpochChanged);
}

async fn push_many(server: Arc<TestServer>, mut desk: Desk, label: &'static str, count: usize) -> Vec<Uuid> {
    let mut ids = Vec::new();
    for chunk in 0..count / 4 {
        let mut ms = Vec::new();
        for i in 0..4 {
            let id = Uuid::now_v7();
            ids.push(id);
            ms.push(desk.register(id, &[label, &(chunk * 4 + i).to_string()].concat(), label, "1999-09-09"));
        }
        server.push(&desk.device, &batch(ms)).await;
    }
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_pushes_are_sequenced_in_commit_order_and_a_puller_misses_nothing() {
    let mut server = TestServer::start().await;
    let first = first_desk(&mut server, "Concurrent").await;
    let second = second_desk(&server, &first).await;
    let puller = server.enroll(first.device.clinic).await;
    let (_, start) = server.pull_all(&puller, 0).await;
    let server = Arc::new(server);

    let a = tokio::spawn(push_many(server.clone(), first, "Alpha", 40));
    let b = tokio::spawn(push_many(server.clone(), second, "Beta", 40));
    let mut seen = Vec::new();
    let mut after = start;
    while !(a.is_finished() && b.is_finished()) {
        let page = server.pull(&puller, after, Some(7)).await;
        after = page.next.seq;
        seen.extend(page.changes);
    }
    let mut ids = a.await.expect("alpha pushed");
    ids.extend(b.await.expect("beta pushed"));
    let (rest, _) = server.pull_all(&puller, after).await;
    seen.extend(rest);

    let seqs: Vec<i64> = seen.iter().map(|c| c.seq).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "seqs increase: {seqs:?}");
    assert_eq!(seqs, (start + 1..=start + 80).collect::<Vec<_>>(), "no gaps, nothing missed");
    let pulled: HashSet<Uuid> = seen.iter().map(|c| c.entity_id).collect();
    assert_eq!(pulled, ids.into_iter().collect::<HashSet<_>>());
}
