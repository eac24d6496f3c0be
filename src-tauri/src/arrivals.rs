//! Telling a clinician that their patient has arrived: the UI asks every few seconds; patients checked in since
//! the last answer (here, or at reception's computer and brought by sync) become a desktop notification and come
//! back for the in-app message. The notification is neutral (time and type, no name), since notification centres
//! keep history on screen; where the computer has no notification service it is skipped with a log line.

use std::collections::HashSet;
use std::sync::Mutex;

use clinic_core::accounts::SessionId;
use clinic_core::scheduling::AppointmentStatus;
use clinic_core::scheduling::views::{self, AppointmentCard};
use clinic_core::{Clinic, CoreResult};

/// Where notifications go: the OS's notification service, or a recorder in tests.
pub trait Notifier: Send + Sync + std::fmt::Debug {
    fn notify(&self, title: &str, body: &str) -> Result<(), String>;
}

/// The desktop's notification service (freedesktop D-Bus on Linux, Notification Center on macOS, toasts on Windows).
#[derive(Debug, Default)]
pub struct DesktopNotifier;

impl Notifier for DesktopNotifier {
    fn notify(&self, title: &str, body: &str) -> Result<(), String> {
        notify_rust::Notification::new()
            .appname("Clinic Desk")
            .summary(title)
            .body(body)
            .show()
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// The arrivals already told, for the signed-in session.
#[derive(Debug, Default)]
pub struct ArrivalWatch {
    told: Mutex<Option<(SessionId, HashSet<uuid::Uuid>)>>,
}

impl ArrivalWatch {
    /// The signed-in clinician's patients checked in today and not told before. The first look of a session
    /// only takes note: those patients are already on the "My day" list in front of the clinician.
    pub fn new_arrivals(&self, clinic: &Clinic, session: SessionId) -> CoreResult<Vec<AppointmentCard>> {
        let arrived: Vec<AppointmentCard> =
            views::my_day(clinic, session)?.into_iter().filter(|c| c.status == AppointmentStatus::Arrived).collect();
        let mut told = self.told.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match told.as_mut() {
            Some((known, ids)) if *known == session => {
                Ok(arrived.into_iter().filter(|card| ids.insert(card.id)).collect())
            }
            _ => {
                *told = Some((session, arrived.iter().map(|c| c.id).collect()));
                Ok(Vec::new())
            }
        }
    }
}

/// The notification's text for one arrival: "Your 10:30 patient has arrived" and the appointment type.
pub fn notification_text(card: &AppointmentCard) -> (String, String) {
    let time = card.local_start.strftime("%H:%M").to_string();
    (["Your ", &time, " patient has arrived"].concat(), [card.type_name.as_str(), " · Clinic Desk"].concat())
}

/// Notifies each arrival; a computer without a notification service logs once per arrival and goes on.
pub fn notify_all(notifier: &dyn Notifier, arrivals: &[AppointmentCard]) {
    for card in arrivals {
        let (title, body) = notification_text(card);
        if let Err(e) = notifier.notify(&title, &body) {
            eprintln!("Clinic Desk: no desktop notification for an arrival (no notification service?): {e}");
        }
    }
}
