//! Telemedicine and the policy: meeting links from the configured provider, the recording-consent gate (refused
//! and audited without consent, allowed after it), and that a booking's row, audit entry and outbox row are one
//! transaction — when the outbox cannot be written, the appointment is not there either.

mod common;
mod scheduling_support;

use clinic_core::ErrorCode;
use clinic_core::scheduling::policy::{self, SchedulingPolicy};
use clinic_core::scheduling::{BookOutcome, appointments, telemedicine};
use scheduling_support::Desk;

fn with_provider(d: &Desk) {
    let p =
        SchedulingPolicy { telemedicine_base_url: " https://meet.example.org/clinic/ ".into(), ..Default::default() };
    let saved = policy::update_policy(&d.t.clinic, d.t.admin, &p).expect("policy");
    assert_eq!(saved.telemedicine_base_url, "https://meet.example.org/clinic");
    assert_eq!(d.last_outbox().0, "scheduling.policy");
}

#[test]
fn telemedicine_needs_a_provider_and_gets_an_unguessable_link() {
    let d = Desk::new();
    let draft = d.draft(0, d.diallo, &d.telemedicine, "2026-03-09T11:00");
    let e = appointments::book(&d.t.clinic, d.reception, &draft, false).expect_err("no provider");
    assert_eq!(e.field.as_deref(), Some("type_id"));
    for bad in ["http://meet.example.org", "meet.example.org", "https://x.org/a?b=c"] {
        let p = SchedulingPolicy { telemedicine_base_url: bad.into(), ..Default::default() };
        let e = policy::update_policy(&d.t.clinic, d.t.admin, &p).expect_err(bad);
        assert_eq!(e.field.as_deref(), Some("telemedicine_base_url"));
    }
    assert_eq!(
        policy::update_policy(&d.t.clinic, d.reception, &SchedulingPolicy::default()).expect_err("reception").code,
        ErrorCode::Forbidden
    );
    with_provider(&d);
    let BookOutcome::Booked(a) = appointments::book(&d.t.clinic, d.reception, &draft, false).expect("book") else {
        panic!()
    };
    let BookOutcome::Booked(b) =
        appointments::book(&d.t.clinic, d.reception, &d.draft(1, d.diallo, &d.telemedicine, "2026-03-09T11:15"), false)
            .expect("book")
    else {
        panic!()
    };
    let link = a.meeting_link.clone().expect("link");
    let room = link.strip_prefix("https://meet.example.org/clinic/").expect("provider prefix");
    assert_eq!(room.len(), 26, "128 random bits in base32");
    assert!(room.chars().all(|c| c.is_ascii_lowercase() || ('2'..='7').contains(&c)));
    assert_ne!(a.meeting_link, b.meeting_link);
    assert_eq!(d.last_outbox().2["meeting_link"], b.meeting_link.clone().expect("link").as_str());
}

#[test]
fn a_recorded_session_needs_consent_and_the_refusal_is_audited() {
    let d = Desk::new();
    with_provider(&d);
    let BookOutcome::Booked(a) =
        appointments::book(&d.t.clinic, d.reception, &d.draft(0, d.diallo, &d.telemedicine, "2026-03-09T11:00"), false)
            .expect("book")
    else {
        panic!()
    };
    let e = telemedicine::start_recorded_session(&d.t.clinic, d.diallo_session, a.id).expect_err("no consent");
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::Validation, Some("recording_consent")));
    let refusal = d.audit("telemedicine_recording").pop().expect("refusal audited");
    assert_eq!(
        (refusal.0.as_str(), refusal.1.as_str(), refusal.4.as_str()),
        ("diallo", "denied", "no recording consent")
    );
    assert_eq!(refusal.3.as_deref(), Some(d.patients[0].to_string().as_str()));

    let consented = telemedicine::set_recording_consent(&d.t.clinic, d.reception, a.id, true).expect("consent");
    assert!(consented.recording_consent);
    let rita = d.t.clinic.touch(d.reception).expect("me").staff_id;
    assert_eq!(consented.consent_recorded_by, Some(rita));
    assert_eq!(consented.consent_recorded_at.map(|t| t.to_string()).as_deref(), Some("2026-03-02T08:00:00Z"));
    assert_eq!(d.last_outbox().0, "appointment.consent");
    assert_eq!(d.audit("appointment_consent").pop().expect("audited").4, "given");

    let session = telemedicine::start_recorded_session(&d.t.clinic, d.diallo_session, a.id).expect("allowed");
    assert_eq!(Some(session.meeting_link), a.meeting_link);
    assert_eq!(d.audit("telemedicine_recording").pop().expect("audited").1, "success");

    telemedicine::set_recording_consent(&d.t.clinic, d.reception, a.id, false).expect("withdrawn");
    assert!(telemedicine::start_recorded_session(&d.t.clinic, d.diallo_session, a.id).is_err());

    let plain = d.book(1, d.diallo, &d.consultation, "2026-03-09T12:00");
    let e =
        telemedicine::set_recording_consent(&d.t.clinic, d.reception, plain.id, true).expect_err("not telemedicine");
    assert_eq!(e.field.as_deref(), Some("appointment_id"));
    let billing = d.t.sign_in_as(clinic_core::rbac::Role::BillingClerk);
    assert_eq!(
        telemedicine::start_recorded_session(&d.t.clinic, billing, a.id).expect_err("billing").code,
        ErrorCode::Forbidden
    );
}

#[test]
fn a_booking_and_its_outbox_row_commit_together_or_not_at_all() {
    let d = Desk::new();
    let before = d.footprint();
    d.t.clinic
        .with_connection_for_tests(|c| {
            c.execute_batch(
                "CREATE TEMP TRIGGER outbox_down BEFORE INSERT ON main.outbox BEGIN SELECT RAISE(ABORT, 'outbox down'); END;",
            )
        })
        .expect("conn")
        .expect("trigger");
    let draft = d.draft(0, d.diallo, &d.consultation, "2026-03-09T09:00");
    let e = appointments::book(&d.t.clinic, d.reception, &draft, false).expect_err("the outbox refuses");
    assert_eq!(e.code, ErrorCode::Internal);
    assert_eq!(d.footprint(), before, "no appointment, no audit entry without its outbox row");
    d.t.clinic.with_connection_for_tests(|c| c.execute_batch("DROP TRIGGER outbox_down")).expect("conn").expect("drop");
    d.book(0, d.diallo, &d.consultation, "2026-03-09T09:00");
    assert_eq!(d.footprint()[..3], [before[0] + 1, before[1] + 1, before[2] + 1]);
}
