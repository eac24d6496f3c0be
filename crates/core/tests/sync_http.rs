//! The real HTTP transport against a one-shot local HTTP server: the headers every request carries, answers
//! read into the protocol types, error bodies into `ApiError`, and "offline" told apart from an answer.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

use clinic_core::keys::SyncCredential;
use clinic_core::store::LATEST_SCHEMA_VERSION;
use clinic_core::sync::{HttpTransport, Remote, ServerUrl, SyncTransport, TransportError};
use clinic_protocol::ApiErrorCode;
use clinic_protocol::bootstrap::BootstrapQuery;
use clinic_protocol::pull::{Cursor, PullQuery};
use uuid::Uuid;

/// Serves one request with `status` and `body`; returns the server's address and the request it received.
fn one_shot(status: &str, body: &str) -> (ServerUrl, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url =
        ServerUrl::parse(&format!("http://127.0.0.1:{}", listener.local_addr().expect("addr").port())).expect("url");
    let (tx, rx) = mpsc::channel();
    let answer = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().expect("accept");
        let mut reader = BufReader::new(stream);
        let mut head = String::new();
        let mut length = 0;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).expect("line");
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse().expect("length");
            }
            head.push_str(&line);
            if line == "\r\n" {
                break;
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).expect("body");
        head.push_str(&String::from_utf8_lossy(&body));
        reader.get_mut().write_all(answer.as_bytes()).expect("answer");
        tx.send(head).expect("send");
    });
    (url, rx)
}

fn pull_query() -> PullQuery {
    PullQuery { epoch: Uuid::from_u128(7), after: 41, limit: Some(100) }
}

#[test]
fn requests_carry_the_versions_and_the_credential_and_answers_are_read() {
    let epoch = Uuid::from_u128(7);
    let body = format!(
        r#"{{"changes":[],"next":{{"epoch":"{epoch}","seq":41}},"has_more":false,"server_hlc":"000000000000001-00000-server"}}"#
    );
    let (url, request) = one_shot("200 OK", &body);
    let credential = SyncCredential::new("device-secret");
    let page =
        HttpTransport::new().pull(&Remote { server: &url, credential: &credential }, &pull_query()).expect("page");
    assert_eq!(page.next, Cursor { epoch, seq: 41 });
    let request = request.recv_timeout(Duration::from_secs(5)).expect("request").to_ascii_lowercase();
    assert!(request.starts_with(&format!("get /v1/pull?epoch={epoch}&after=41&limit=100 http/1.1")), "{request}");
    assert!(request.contains("clinic-protocol-version: 1\r\n"), "{request}");
    assert!(request.contains(&format!("clinic-schema-version: {LATEST_SCHEMA_VERSION}\r\n")), "{request}");
    assert!(request.contains("authorization: bearer device-secret\r\n"), "{request}");
}

#[test]
fn the_bootstrap_snapshot_travels_as_one_query_value() {
    let epoch = Uuid::from_u128(9);
    let body = format!(r#"{{"snapshot":{{"epoch":"{epoch}","seq":5}},"records":[],"has_more":false}}"#);
    let (url, request) = one_shot("200 OK", &body);
    let credential = SyncCredential::new("device-secret");
    let query = BootstrapQuery {
        snapshot: Some(Cursor { epoch, seq: 5 }),
        after_entity: Some("patient".into()),
        after_id: Some(Uuid::from_u128(3)),
        limit: Some(2),
    };
    HttpTransport::new().bootstrap(&Remote { server: &url, credential: &credential }, &query).expect("page");
    let request = request.recv_timeout(Duration::from_secs(5)).expect("request");
    let first_line = request.lines().next().expect("line");
    assert!(first_line.contains(&format!("snapshot={epoch}%3A5")), "{first_line}");
    assert!(first_line.contains("after_entity=patient&after_id=00000000-0000-0000-0000-000000000003&limit=2"));
}

#[test]
fn error_answers_are_read_and_offline_is_told_apart() {
    let credential = SyncCredential::new("device-secret");
    let (url, _) = one_shot("403 Forbidden", r#"{"code":"device_revoked","message":"This computer was revoked."}"#);
    let err =
        HttpTransport::new().pull(&Remote { server: &url, credential: &credential }, &pull_query()).expect_err("403");
    assert_eq!(err.api_code(), Some(ApiErrorCode::DeviceRevoked));
    assert!(!err.is_offline());

    let (url, _) = one_shot("502 Bad Gateway", "<html>proxy error</html>");
    let err =
        HttpTransport::new().pull(&Remote { server: &url, credential: &credential }, &pull_query()).expect_err("502");
    assert_eq!(err.api_code(), Some(ApiErrorCode::Unavailable), "a proxy's page still means unavailable");

    let (url, _) = one_shot("200 OK", "not json");
    let err =
        HttpTransport::new().pull(&Remote { server: &url, credential: &credential }, &pull_query()).expect_err("junk");
    assert!(matches!(err, TransportError::BadAnswer(_)), "{err:?}");

    // Nothing listens on a port just released: offline.
    let port = TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let url = ServerUrl::parse(&format!("http://127.0.0.1:{port}")).expect("url");
    let err =
        HttpTransport::new().pull(&Remote { server: &url, credential: &credential }, &pull_query()).expect_err("down");
    assert!(err.is_offline(), "{err:?}");

    // A server that accepts but never answers: a timeout, also offline.
    let silent = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url =
        ServerUrl::parse(&format!("http://127.0.0.1:{}", silent.local_addr().expect("addr").port())).expect("url");
    let transport = HttpTransport::with_timeouts(Duration::from_secs(2), Duration::from_millis(300));
    let err = transport.pull(&Remote { server: &url, credential: &credential }, &pull_query()).expect_err("silent");
    assert_eq!(err, TransportError::Timeout);
}
