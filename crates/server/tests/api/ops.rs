//! Operations endpoints: health (with the database up and down), Prometheus metrics, and the OpenAPI document
//! served and committed (a drift fails here).

use std::sync::Arc;

use clinic_server::clock::SystemClock;
use clinic_server::limits::Admission;
use clinic_server::{AppState, db, openapi, router};
use serde_json::Value;
use uuid::Uuid;

use crate::support::{TestServer, batch, first_desk};

#[tokio::test]
async fn health_says_ok_when_the_database_answers() {
    let server = TestServer::start().await;
    let answer = server.http.get(server.url("/v1/health")).send().await.expect("sent");
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.json::<Value>().await.expect("json"), serde_json::json!({"status": "ok"}));
}

#[tokio::test]
async fn health_says_unavailable_when_the_database_does_not_answer() {
    // A pool aimed at a port where nothing listens.
    let unreachable = db::parse_config("postgres://clinic_app@127.0.0.1:9/none").expect("config");
    let state = AppState::new(db::pool(unreachable, 1).expect("pool"), Arc::new(SystemClock));
    let app = router::router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    let answer = reqwest::get(["http://", &address.to_string(), "/v1/health"].concat()).await.expect("sent");
    assert_eq!(answer.status(), 503);
    assert_eq!(answer.json::<Value>().await.expect("json")["status"], "unavailable");
}

#[tokio::test]
async fn a_server_with_no_room_asks_sync_to_come_back_and_still_answers_health() {
    let unreachable = db::parse_config("postgres://clinic_app@127.0.0.1:9/none").expect("config");
    let state = AppState::new(db::pool(unreachable, 1).expect("pool"), Arc::new(SystemClock))
        .with_admission(Admission::new(0, std::time::Duration::from_millis(20), std::time::Duration::from_secs(5)));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = ["http://", &listener.local_addr().expect("address").to_string()].concat();
    tokio::spawn(async move { axum::serve(listener, router::router(state)).await });
    let http = reqwest::Client::new();
    let answer = http.get([base.as_str(), "/v1/pull"].concat()).send().await.expect("sent");
    assert_eq!(answer.status(), 429);
    assert_eq!(answer.headers()["retry-after"], "5");
    let body: Value = answer.json().await.expect("json");
    assert_eq!(body["code"], "throttled");
    assert!(body["message"].as_str().expect("message").contains("nothing was changed"), "{body}");
    let answer = http.post([base.as_str(), "/v1/push"].concat()).body("{}").send().await.expect("sent");
    assert_eq!(answer.status(), 429);
    // Health is outside the gate: it reports the database, not the queue.
    let answer = http.get([base.as_str(), "/v1/health"].concat()).send().await.expect("sent");
    assert_eq!(answer.status(), 503);
    assert_eq!(answer.json::<Value>().await.expect("json")["status"], "unavailable");
}

#[tokio::test]
async fn metrics_count_requests_and_outcomes() {
    let mut server = TestServer::start().await;
    let mut desk = first_desk(&mut server, "Metrics").await;
    // A desk whose clock runs ten minutes fast: applied, and reported as skew.
    desk.hlc_ms += 10 * 60 * 1000;
    let m = desk.register(Uuid::now_v7(), "M", "N", "1990-01-01");
    let answer = server.push(&desk.device, &batch(vec![m.clone()])).await;
    assert_eq!(answer.results[0].outcome, clinic_protocol::push::Outcome::Applied);
    assert!(answer.server_hlc > m.hlc, "the server's clock moves past what it has seen");
    let answer = server.http.get(server.url("/v1/metrics")).send().await.expect("sent");
    assert_eq!(answer.status(), 200);
    assert!(answer.headers()["content-type"].to_str().expect("text").starts_with("application/openmetrics-text"));
    let text = answer.text().await.expect("text");
    assert!(text.contains("clinic_server_mutations_total{outcome=\"applied\"} 2"), "{text}");
    assert!(
        text.contains("clinic_server_http_requests_total{route=\"/v1/push\",method=\"POST\",status=\"200\"} 2"),
        "{text}"
    );
    assert!(text.contains("clinic_server_hlc_skew_reports_total 1"), "{text}");
    assert!(text.contains("clinic_server_http_request_seconds_bucket"));
    assert!(text.contains("clinic_server_db_pool_connections"));
}

#[tokio::test]
async fn the_served_and_committed_openapi_documents_match_the_code() {
    let committed_path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");
    let generated = openapi::document();
    let committed = std::fs::read_to_string(committed_path).unwrap_or_default();
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(committed_path, &generated).expect("write openapi.json");
    } else {
        assert!(
            committed == generated,
            "crates/server/openapi.json is out of date: run `UPDATE_OPENAPI=1 cargo test -p clinic-server --test api openapi` \
             (or `cargo run -p clinic-server -- openapi > crates/server/openapi.json`) and commit it"
        );
    }
    let server = TestServer::start().await;
    let served: Value =
        server.http.get(server.url("/v1/openapi.json")).send().await.expect("sent").json().await.expect("json");
    let expected: Value = serde_json::from_str(&generated).expect("json");
    assert_eq!(served, expected);
    for path in ["/v1/enroll", "/v1/push", "/v1/pull", "/v1/bootstrap", "/v1/health", "/v1/metrics", "/v1/openapi.json"]
    {
        assert!(expected["paths"].get(path).is_some(), "{path} documented");
    }
}
