//! Enrollment: one-time codes that expire, revoked devices told so, re-enrollment, credentials and headers.

use clinic_protocol::{ApiError, ApiErrorCode};
use clinic_server::admin;
use clinic_server::clock::Clock;
use uuid::Uuid;

use crate::support::TestServer;

async fn error_of(answer: reqwest::Response) -> (u16, ApiError) {
    let status = answer.status().as_u16();
    (status, answer.json().await.expect("an ApiError body"))
}

#[tokio::test]
async fn a_code_enrolls_once_and_only_before_it_expires() {
    let mut server = TestServer::start().await;
    let (tenant, clinic) = server.tenant("Riverside").await;
    let code = server.code(clinic, 24).await;

    let first = server.enroll_raw(&code.to_lowercase(), Uuid::now_v7()).await;
    assert_eq!(first.status(), 200);
    let enrolled: clinic_protocol::enroll::EnrollResponse = first.json().await.expect("body");
    assert_eq!((enrolled.tenant_id, enrolled.clinic_id), (tenant, clinic));
    assert_eq!(enrolled.clinic_name, "Riverside main");

    let (status, error) = error_of(server.enroll_raw(&code, Uuid::now_v7()).await).await;
    assert_eq!((status, error.code), (403, ApiErrorCode::EnrollmentCodeInvalid));

    let (status, error) = error_of(server.enroll_raw("AAAA-BBBB-CCCC-DDDD", Uuid::now_v7()).await).await;
    assert_eq!((status, error.code), (403, ApiErrorCode::EnrollmentCodeInvalid));

    let expiring = server.code(clinic, 1).await;
    server.clock.advance_secs(3601);
    let (status, error) = error_of(server.enroll_raw(&expiring, Uuid::now_v7()).await).await;
    assert_eq!((status, error.code), (403, ApiErrorCode::EnrollmentCodeInvalid));
}

#[tokio::test]
async fn a_revoked_device_is_refused_and_told_so_until_enrolled_again() {
    let mut server = TestServer::start().await;
    let (_, clinic) = server.tenant("Hillside").await;
    let device = server.enroll(clinic).await;
    assert_eq!(server.pull_raw(&device, device.epoch, 0, None).await.status(), 200);

    let now = server.clock.now();
    assert!(admin::revoke_device(&server.owner, device.id, now).await.expect("revoke"));
    let (status, error) = error_of(server.pull_raw(&device, device.epoch, 0, None).await).await;
    assert_eq!((status, error.code), (403, ApiErrorCode::DeviceRevoked));
    assert!(error.message.contains("administrator revoked"), "{}", error.message);
    assert!(error.message.contains("enroll"), "{}", error.message);

    // A wrong secret for a revoked device is just unauthenticated: only the device learns it was revoked.
    let mut forged = device.clone();
    forged.credential = [device.id.to_string().as_str(), ".", &"A".repeat(43)].concat();
    let (status, error) = error_of(server.pull_raw(&forged, device.epoch, 0, None).await).await;
    assert_eq!((status, error.code), (401, ApiErrorCode::Unauthenticated));

    let code = server.code(clinic, 24).await;
    let again = server.enroll_raw(&code, device.id).await;
    assert_eq!(again.status(), 200);
    let again: clinic_protocol::enroll::EnrollResponse = again.json().await.expect("body");
    assert_ne!(again.credential, device.credential);
    let (status, _) = error_of(server.pull_raw(&device, device.epoch, 0, None).await).await;
    assert_eq!(status, 401, "the old credential no longer works");
    let renewed = crate::support::Device { credential: again.credential, ..device.clone() };
    assert_eq!(server.pull_raw(&renewed, device.epoch, 0, None).await.status(), 200);
    let listed = admin::list_devices(&server.owner, clinic).await.expect("list");
    assert_eq!(listed.len(), 1);
    assert!(listed[0].revoked_at.is_none());
    assert!(listed[0].last_seen_at.is_some());
}

#[tokio::test]
async fn a_device_id_of_another_tenant_cannot_be_enrolled_here() {
    let mut server = TestServer::start().await;
    let (_, clinic_a) = server.tenant("A").await;
    let (_, clinic_b) = server.tenant("B").await;
    let device = server.enroll(clinic_a).await;
    let code_b = server.code(clinic_b, 24).await;
    let (status, error) = error_of(server.enroll_raw(&code_b, device.id).await).await;
    assert_eq!((status, error.code, error.field.as_deref()), (422, ApiErrorCode::Validation, Some("device_id")));
    // The code was not spent.
    assert_eq!(server.enroll_raw(&code_b, Uuid::now_v7()).await.status(), 200);
}

#[tokio::test]
async fn credentials_and_version_headers_are_required() {
    let mut server = TestServer::start().await;
    let (_, clinic) = server.tenant("C").await;
    let device = server.enroll(clinic).await;
    let url = server.url("/v1/pull?epoch=00000000-0000-0000-0000-000000000000&after=0");

    let bare = server.http.get(&url).send().await.expect("sent");
    let (status, error) = error_of(bare).await;
    assert_eq!((status, error.field.as_deref()), (400, Some(clinic_protocol::HEADER_PROTOCOL_VERSION)));

    let no_schema =
        server.http.get(&url).header(clinic_protocol::HEADER_PROTOCOL_VERSION, "1").send().await.expect("sent");
    let (status, error) = error_of(no_schema).await;
    assert_eq!((status, error.field.as_deref()), (400, Some(clinic_protocol::HEADER_SCHEMA_VERSION)));

    for credential in ["", "nonsense", "Basic abc"] {
        let answer = server
            .http
            .get(&url)
            .header("authorization", credential)
            .header(clinic_protocol::HEADER_PROTOCOL_VERSION, "1")
            .header(clinic_protocol::HEADER_SCHEMA_VERSION, "3")
            .send()
            .await
            .expect("sent");
        let (status, error) = error_of(answer).await;
        assert_eq!((status, error.code), (401, ApiErrorCode::Unauthenticated), "{credential}");
    }
    let unknown = crate::support::Device {
        credential: clinic_server::credential::issue(Uuid::now_v7()).expect("random").credential,
        ..device
    };
    let (status, error) = error_of(server.pull_raw(&unknown, unknown.epoch, 0, None).await).await;
    assert_eq!((status, error.code), (401, ApiErrorCode::Unauthenticated));
}

#[tokio::test]
async fn a_device_code_is_one_computers_within_a_clinic_and_a_refusal_keeps_the_enrollment_code() {
    let mut server = TestServer::start().await;
    let (_, clinic) = server.tenant("Codes").await;
    let (_, other_clinic) = server.tenant("Elsewhere").await;
    let body = |code: &str, device: Uuid, device_code: &str| serde_json::json!({ "code": code, "device_name": "Reception", "device_id": device, "device_code": device_code });
    let first = Uuid::now_v7();
    let code = server.code(clinic, 24).await;
    assert_eq!(server.enroll_body(&body(&code, first, "R1")).await.status(), 200);

    // A second computer of the same clinic choosing R1 is refused, and its code stays usable.
    let second = Uuid::now_v7();
    let code = server.code(clinic, 24).await;
    let (status, error) = error_of(server.enroll_body(&body(&code, second, "R1")).await).await;
    assert_eq!((status, error.code, error.field.as_deref()), (422, ApiErrorCode::Validation, Some("device_code")));
    assert!(error.message.contains("already uses the device code R1"), "{}", error.message);
    assert!(error.message.contains("enrollment code can still be used"), "{}", error.message);
    assert_eq!(server.enroll_body(&body(&code, second, "R2")).await.status(), 200, "same code, other device code");

    // The first computer enrolling again keeps its code; another clinic may use R1.
    let code = server.code(clinic, 24).await;
    assert_eq!(server.enroll_body(&body(&code, first, "R1")).await.status(), 200);
    let code = server.code(other_clinic, 24).await;
    assert_eq!(server.enroll_body(&body(&code, Uuid::now_v7(), "R1")).await.status(), 200);

    let devices = admin::list_devices(&server.owner, clinic).await.expect("devices");
    let mut codes: Vec<Option<String>> = devices.iter().map(|d| d.code.clone()).collect();
    codes.sort();
    assert_eq!(codes, vec![Some("R1".to_owned()), Some("R2".to_owned())]);

    let code = server.code(clinic, 24).await;
    let (status, error) = error_of(server.enroll_body(&body(&code, Uuid::now_v7(), "r 1")).await).await;
    assert_eq!((status, error.field.as_deref()), (422, Some("device_code")));
}
