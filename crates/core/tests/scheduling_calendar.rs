//! What the desk and the doctors see: day, week and month views, the waiting room, "my day", a patient's
//! appointments — and the iCalendar export, parsed back and checked field by field across a DST change.
//! Set `CLINIC_ICS_OUT=/path/file.ics` to keep the exported calendar for an independent parser.

mod common;
mod scheduling_support;

use clinic_core::scheduling::policy::{self, SchedulingPolicy};
use clinic_core::scheduling::views;
use clinic_core::scheduling::{AppointmentStatus, appointments, ical};
use icalendar::Component;
use jiff::civil::date;
use scheduling_support::{Desk, at};

#[test]
fn the_exported_calendar_parses_back_with_local_times_across_the_dst_change() {
    let d = Desk::new();
    let friday = d.book(0, d.diallo, &d.consultation, "2026-03-27T09:00");
    let monday = d.book(1, d.diallo, &d.procedure, "2026-03-30T09:00");
    let cancelled = d.book(2, d.diallo, &d.consultation, "2026-03-30T10:00");
    appointments::cancel(&d.t.clinic, d.reception, cancelled.id, "unwell").expect("cancel");
    d.book(3, d.okafor, &d.consultation, "2026-03-30T09:00"); // another clinician: not exported

    let text =
        ical::export_calendar(&d.t.clinic, d.reception, d.diallo, date(2026, 3, 23), date(2026, 4, 5)).expect("export");
    if let Ok(path) = std::env::var("CLINIC_ICS_OUT") {
        std::fs::write(&path, &text).expect("write the .ics for the independent check");
    }
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n"));
    assert!(text.contains("\r\nX-WR-TIMEZONE:Europe/Paris\r\n"));
    assert!(!text.contains("Testpatient"), "neutral titles by default");

    let parsed: icalendar::Calendar = text.parse().expect("the icalendar crate's parser reads it back");
    let events: Vec<&icalendar::Event> = parsed.events().collect();
    assert_eq!(events.len(), 3);
    let by_uid = |id: uuid::Uuid| {
        *events.iter().find(|e| e.get_uid() == Some(id.to_string().as_str())).expect("UID = appointment id")
    };
    for (appointment, start, end) in
        [(&friday, "20260327T090000", "20260327T091500"), (&monday, "20260330T090000", "20260330T093000")]
    {
        let event = by_uid(appointment.id);
        let dtstart = event.properties().get("DTSTART").expect("DTSTART");
        assert_eq!(dtstart.value(), start, "09:00 local on both sides of the change");
        assert_eq!(dtstart.params().get("TZID").map(|p| p.value()), Some("Europe/Paris"));
        assert_eq!(event.properties().get("DTEND").expect("DTEND").value(), end);
        assert_eq!(event.get_summary(), Some("Appointment"));
        assert_eq!(event.get_status(), Some(icalendar::EventStatus::Confirmed));
    }
    assert_eq!(by_uid(cancelled.id).get_status(), Some(icalendar::EventStatus::Cancelled), "kept, marked cancelled");
    assert_eq!(by_uid(cancelled.id).property_value("SEQUENCE"), Some("1"), "changed once since booking");

    // The time zone definition gives the offsets on both sides of 29 March 2026 02:00.
    let vtimezone = &text[text.find("BEGIN:VTIMEZONE").expect("VTIMEZONE")..text.find("END:VTIMEZONE").expect("end")];
    assert!(vtimezone.contains("TZID:Europe/Paris\r\n"));
    assert!(vtimezone.contains(
        "BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nEND:DAYLIGHT"
    ));
    assert!(vtimezone.contains("BEGIN:STANDARD\r\nDTSTART:20251026T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100"));
    assert!(!vtimezone.contains("UID:") && !vtimezone.contains("DTSTAMP:"), "VTIMEZONE carries neither");
    assert_eq!(d.audit("calendar_export").last().expect("audited").4, "3 events");

    policy::update_policy(
        &d.t.clinic,
        d.t.admin,
        &SchedulingPolicy { calendar_patient_names: true, ..Default::default() },
    )
    .expect("names on");
    let named = ical::export_calendar(&d.t.clinic, d.reception, d.diallo, date(2026, 3, 27), date(2026, 3, 27))
        .expect("export");
    let parsed: icalendar::Calendar = named.parse().expect("parse");
    assert_eq!(parsed.events().next().and_then(|e| e.get_summary()), Some("Testpatient, Ama (Consultation)"));
}

#[test]
fn day_week_and_month_views() {
    let d = Desk::new();
    let a = d.book(0, d.diallo, &d.consultation, "2026-03-09T09:00");
    let b = d.book(1, d.okafor, &d.procedure, "2026-03-09T10:00");
    let c = d.book(2, d.diallo, &d.follow_up, "2026-03-11T14:00");
    appointments::cancel(&d.t.clinic, d.reception, c.id, "duplicate").expect("cancel");
    d.book(3, d.diallo, &d.consultation, "2026-03-31T09:00");

    let day = views::day_view(&d.t.clinic, d.reception, date(2026, 3, 9)).expect("day");
    assert_eq!(
        day.columns.iter().map(|c| c.clinician_name.as_str()).collect::<Vec<_>>(),
        ["Awa Diallo", "Bea Okafor", "Chen Li"]
    );
    let diallo = &day.columns[0];
    assert_eq!(
        diallo.open.iter().map(|p| (p.start, p.end)).collect::<Vec<_>>(),
        [(at("2026-03-09T09:00"), at("2026-03-09T13:00")), (at("2026-03-09T14:00"), at("2026-03-09T17:00"))]
    );
    assert_eq!(diallo.appointments.iter().map(|c| c.id).collect::<Vec<_>>(), [a.id]);
    let card = &day.columns[1].appointments[0];
    assert_eq!(
        (card.id, card.colour.as_str(), card.type_name.as_str()),
        (b.id, d.procedure.colour.as_str(), "Procedure")
    );
    assert_eq!((card.status, card.patient_name.as_str()), (AppointmentStatus::Booked, "Testpatient, Bruno"));

    let week = views::week_view(&d.t.clinic, d.diallo_session, d.diallo, date(2026, 3, 11)).expect("week");
    assert_eq!(
        week.iter().map(|w| w.date).collect::<Vec<_>>(),
        jiff::civil::date(2026, 3, 9).series(jiff::Span::new().days(1)).take(7).collect::<Vec<_>>()
    );
    assert_eq!(week[2].appointments[0].status, AppointmentStatus::Cancelled, "cancelled ones are shown");
    assert!(week[5].open.is_empty() && week[6].open.is_empty(), "no weekend hours");

    let month = views::month_overview(&d.t.clinic, d.reception, 2026, 3, None).expect("month");
    assert_eq!(month.len(), 31);
    assert_eq!((month[8].appointments, month[10].cancelled, month[30].appointments), (2, 1, 1));
    let diallo_only = views::month_overview(&d.t.clinic, d.reception, 2026, 3, Some(d.diallo)).expect("month");
    assert_eq!(diallo_only[8].appointments, 1);
}

#[test]
fn the_waiting_room_my_day_and_a_patients_appointments() {
    let mut d = Desk::new();
    let early = d.book(0, d.diallo, &d.consultation, "2026-03-02T10:00");
    let late = d.book(1, d.okafor, &d.consultation, "2026-03-02T10:15");
    let past_visit = d.book(0, d.okafor, &d.follow_up, "2026-03-02T09:30");
    let future = d.book(0, d.diallo, &d.consultation, "2026-03-16T09:00");
    d.jump_to("2026-03-02T08:40:00Z");
    appointments::check_in(&d.t.clinic, d.reception, late.id).expect("late patient arrives first");
    d.t.clock.advance_secs(5 * 60);
    appointments::check_in(&d.t.clinic, d.reception, early.id).expect("then the early one");
    d.t.clock.advance_secs(7 * 60);
    let room = views::waiting_room(&d.t.clinic, d.reception).expect("room");
    assert_eq!(
        room.iter().map(|w| (w.appointment.id, w.waiting_minutes)).collect::<Vec<_>>(),
        [(late.id, 12), (early.id, 7)]
    );
    appointments::start_consultation(&d.t.clinic, d.reception, late.id).expect("called in");
    assert_eq!(views::waiting_room(&d.t.clinic, d.reception).expect("room").len(), 1);

    let mine = views::my_day(&d.t.clinic, d.diallo_session).expect("my day");
    assert_eq!(mine.iter().map(|c| c.id).collect::<Vec<_>>(), [early.id]);

    d.jump_to("2026-03-02T10:00:00Z");
    let theirs = views::patient_appointments(&d.t.clinic, d.reception, d.patients[0]).expect("patient page");
    assert_eq!(theirs.upcoming.iter().map(|c| c.id).collect::<Vec<_>>(), [future.id]);
    assert_eq!(theirs.past.iter().map(|c| c.id).collect::<Vec<_>>(), [early.id, past_visit.id], "latest first");
}
