//! Shared set-up for the scheduling tests: a clinic in Europe/Paris with two doctors and a nurse (profiles and
//! Monday–Friday 09:00–13:00 + 14:00–17:00 templates), the starter appointment types, a receptionist and patients.
#![allow(dead_code)]

use clinic_core::accounts::{self, NewStaff, SessionId};
use clinic_core::patients::{self, PatientDraft, RegisterOutcome};
use clinic_core::rbac::Role;
use clinic_core::scheduling::availability::{self, PeriodKind, WorkingPeriod};
use clinic_core::scheduling::clinicians::{self, ClinicianProfile};
use clinic_core::scheduling::{
    Appointment, AppointmentType, BookOutcome, BookingDraft, SpecialNeeds, appointments, types,
};
use clinic_core::setup;
use jiff::civil::{DateTime, Time};
use uuid::Uuid;

use crate::common::{ADMIN_PASSWORD, STAFF_PASSWORD, TEMPORARY_PASSWORD, TestClinic, first_sign_in};

/// One audit entry as the tests read it: (username, outcome, entity id, patient id, detail).
pub type AuditRow = (String, String, Option<String>, Option<String>, String);

/// A clinic ready to schedule.
pub struct Desk {
    pub t: TestClinic,
    pub reception: SessionId,
    /// Dr Awa Diallo: general practice, French and English.
    pub diallo: Uuid,
    pub diallo_session: SessionId,
    /// Dr Bea Okafor: paediatrics, English and Yoruba.
    pub okafor: Uuid,
    /// Nurse Chen Li: nursing, English and Chinese.
    pub nurse: Uuid,
    pub consultation: AppointmentType,
    pub follow_up: AppointmentType,
    pub procedure: AppointmentType,
    pub telemedicine: AppointmentType,
    pub patients: Vec<Uuid>,
    usernames: Vec<(String, Role)>,
}

pub fn at(text: &str) -> DateTime {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

pub fn time(text: &str) -> Time {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// Monday to Friday, 09:00–13:00 and 14:00–17:00.
pub fn office_hours() -> Vec<WorkingPeriod> {
    (1..=5)
        .flat_map(|weekday| {
            [("09:00", "13:00"), ("14:00", "17:00")].map(|(s, e)| WorkingPeriod {
                weekday,
                start: time(s),
                end: time(e),
                kind: PeriodKind::Work,
            })
        })
        .collect()
}

impl Desk {
    pub fn new() -> Desk {
        let t = TestClinic::new();
        let mut settings = crate::common::settings();
        settings.idle_lock_minutes = 480;
        setup::update_settings(&t.clinic, t.admin, &settings).expect("idle lock");
        let mut usernames = Vec::new();
        let mut staff = |username: &str, name: &str, role: Role| -> (Uuid, SessionId) {
            let new = NewStaff {
                username: username.into(),
                display_name: name.into(),
                role,
                password: TEMPORARY_PASSWORD.into(),
            };
            let member = accounts::create_staff(&t.clinic, t.admin, &new).expect("staff");
            usernames.push((username.to_owned(), role));
            (member.id, first_sign_in(&t.clinic, username))
        };
        let (_, reception) = staff("rita", "Rita Reception", Role::Receptionist);
        let (diallo, diallo_session) = staff("diallo", "Awa Diallo", Role::Doctor);
        let (okafor, _) = staff("okafor", "Bea Okafor", Role::Doctor);
        let (nurse, _) = staff("chen", "Chen Li", Role::Nurse);
        for (id, specialty, languages) in [
            (diallo, "General practice", vec!["fr", "en"]),
            (okafor, "Paediatrics", vec!["en", "yo"]),
            (nurse, "Nursing", vec!["en", "zh"]),
        ] {
            let profile = ClinicianProfile {
                specialty: specialty.into(),
                languages: languages.into_iter().map(String::from).collect(),
                slot_minutes: 15,
            };
            clinicians::set_clinician_profile(&t.clinic, t.admin, id, &profile).expect("profile");
            availability::set_weekly_template(&t.clinic, t.admin, id, &office_hours()).expect("template");
        }
        let starters = types::create_starter_types(&t.clinic, t.admin).expect("starter types");
        let by_name = |name: &str| starters.iter().find(|s| s.name == name).cloned().expect(name);
        let patients = ["Ama", "Bruno", "Chiara", "Dmitri", "Emeka", "Fatou"]
            .iter()
            .map(|given| {
                let draft = PatientDraft {
                    given_name: (*given).into(),
                    family_name: "Testpatient".into(),
                    date_of_birth: Some(jiff::civil::date(1985, 5, 17)),
                    ..PatientDraft::default()
                };
                match patients::register(&t.clinic, t.admin, &draft, true).expect("patient") {
                    RegisterOutcome::Registered(p) => p.id,
                    RegisterOutcome::PossibleDuplicates(_) => panic!("confirmed"),
                }
            })
            .collect();
        Desk {
            consultation: by_name("Consultation"),
            follow_up: by_name("Follow-up"),
            procedure: by_name("Procedure"),
            telemedicine: by_name("Telemedicine"),
            t,
            reception,
            diallo,
            diallo_session,
            okafor,
            nurse,
            patients,
            usernames,
        }
    }

    pub fn draft(&self, patient: usize, clinician: Uuid, kind: &AppointmentType, start: &str) -> BookingDraft {
        BookingDraft {
            patient_id: self.patients[patient],
            clinician_id: clinician,
            type_id: kind.id,
            start: at(start),
            duration_minutes: None,
            special_needs: SpecialNeeds::default(),
        }
    }

    /// Books as reception and expects it to be booked.
    pub fn book(&self, patient: usize, clinician: Uuid, kind: &AppointmentType, start: &str) -> Appointment {
        let draft = self.draft(patient, clinician, kind, start);
        match appointments::book(&self.t.clinic, self.reception, &draft, false) {
            Ok(BookOutcome::Booked(a)) => a,
            other => panic!("booking {start} should succeed: {other:?}"),
        }
    }

    /// Sets the clock and signs everyone in again (sessions lock after a long jump).
    pub fn jump_to(&mut self, instant: &str) {
        self.t.clock.set(instant.parse().expect("instant"));
        self.t.admin = accounts::login(&self.t.clinic, "admin", ADMIN_PASSWORD).expect("admin").session_id;
        self.reception = accounts::login(&self.t.clinic, "rita", STAFF_PASSWORD).expect("rita").session_id;
        self.diallo_session = accounts::login(&self.t.clinic, "diallo", STAFF_PASSWORD).expect("diallo").session_id;
    }

    /// Signs in one of the set-up staff by user name.
    pub fn session_of(&self, username: &str) -> SessionId {
        accounts::login(&self.t.clinic, username, STAFF_PASSWORD).expect("login").session_id
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.t.clinic.with_connection_for_tests(|c| c.query_row(sql, [], |r| r.get(0))).expect("conn").expect(sql)
    }

    /// A count over rows holding `needle`, the text bound as the query's one parameter.
    pub fn count_with(&self, sql: &str, needle: &str) -> i64 {
        self.t.clinic.with_connection_for_tests(|c| c.query_row(sql, [needle], |r| r.get(0))).expect("conn").expect(sql)
    }

    /// Rows every scheduling write touches: appointments (and their versions), outbox, audit, waitlist.
    pub fn footprint(&self) -> [i64; 5] {
        [
            self.count("SELECT count(*) FROM appointments"),
            self.count("SELECT coalesce(sum(row_version), 0) FROM appointments"),
            self.count("SELECT count(*) FROM outbox"),
            self.count("SELECT count(*) FROM audit_log WHERE action <> 'access_denied'"),
            self.count("SELECT coalesce(sum(row_version), 0) FROM waitlist_entries"),
        ]
    }

    /// The newest outbox row: name, entity id, args, base row version.
    pub fn last_outbox(&self) -> (String, String, serde_json::Value, Option<i64>) {
        self.t
            .clinic
            .with_connection_for_tests(|c| {
                c.query_row(
                    "SELECT name, entity_id, args, base_row_version FROM outbox ORDER BY device_seq DESC LIMIT 1",
                    [],
                    |r| {
                        let args: String = r.get(2)?;
                        Ok((r.get(0)?, r.get(1)?, serde_json::from_str(&args).expect("json"), r.get(3)?))
                    },
                )
            })
            .expect("conn")
            .expect("outbox row")
    }

    /// Audit entries of one action: (username, outcome, entity id, patient id, detail), oldest first.
    pub fn audit(&self, action: &str) -> Vec<AuditRow> {
        self.t
            .clinic
            .with_connection_for_tests(|c| {
                let mut stmt = c
                    .prepare(
                        "SELECT coalesce(username, ''), outcome, entity_id, patient_id, detail FROM audit_log
                         WHERE action = ?1 ORDER BY at, seq",
                    )
                    .expect("prepare");
                stmt.query_map([action], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
                    .expect("query")
                    .collect::<Result<Vec<_>, _>>()
                    .expect("rows")
            })
            .expect("conn")
    }
}
