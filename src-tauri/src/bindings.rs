//! Every IPC command, registered once: for Tauri's invoke handler and for the generated TypeScript
//! bindings in ui/src/bindings.ts (a test fails when the committed file differs from what this makes).

use specta_typescript::Typescript;
use tauri_specta::Builder;

/// Where the generated bindings live, relative to this crate.
pub const BINDINGS_PATH: &str = "../ui/src/bindings.ts";

/// Every command, for a given runtime (`tauri::Wry` in the app, `tauri::test::MockRuntime` in tests).
/// A macro because the file commands are generic over the runtime and the list must name it.
#[macro_export]
macro_rules! all_commands {
    ($runtime:path) => {
        ::tauri_specta::collect_commands![
            clinic_desk::commands::app::app_status,
            clinic_desk::commands::app::setup_clinic,
            clinic_desk::commands::app::unlock_with_recovery_key,
            clinic_desk::commands::app::join_clinic,
            clinic_desk::commands::app::continue_join,
            clinic_desk::commands::session::login,
            clinic_desk::commands::session::logout,
            clinic_desk::commands::session::lock_session,
            clinic_desk::commands::session::unlock_session,
            clinic_desk::commands::session::touch_session,
            clinic_desk::commands::session::change_own_password,
            clinic_desk::commands::staff::list_staff,
            clinic_desk::commands::staff::create_staff,
            clinic_desk::commands::staff::change_staff_role,
            clinic_desk::commands::staff::deactivate_staff,
            clinic_desk::commands::staff::reactivate_staff,
            clinic_desk::commands::staff::reset_staff_password,
            clinic_desk::commands::settings::get_settings,
            clinic_desk::commands::settings::update_settings,
            clinic_desk::commands::audit::list_audit,
            clinic_desk::commands::audit::verify_audit,
            clinic_desk::commands::patients::search_patients,
            clinic_desk::commands::patients::check_duplicates,
            clinic_desk::commands::patients::register_patient,
            clinic_desk::commands::patients::get_patient,
            clinic_desk::commands::patients::update_patient,
            clinic_desk::commands::patients::delete_patient,
            clinic_desk::commands::patients::merge_patients,
            clinic_desk::commands::arrivals::check_arrivals,
            clinic_desk::commands::sync::sync_status,
            clinic_desk::commands::sync::sync_now,
            clinic_desk::commands::sync::enroll_device,
            clinic_desk::commands::sync::list_review_items,
            clinic_desk::commands::sync::resolve_review_item,
            clinic_desk::commands::sync::list_rejected_changes,
            clinic_desk::commands::sync::retry_rejected_change,
            clinic_desk::commands::sync::discard_rejected_change,
            clinic_desk::commands::scheduling::appointments::book_appointment,
            clinic_desk::commands::scheduling::appointments::book_appointment_series,
            clinic_desk::commands::scheduling::appointments::reschedule_appointment,
            clinic_desk::commands::scheduling::appointments::get_appointment,
            clinic_desk::commands::scheduling::appointments::check_in_appointment,
            clinic_desk::commands::scheduling::appointments::start_consultation,
            clinic_desk::commands::scheduling::appointments::complete_appointment,
            clinic_desk::commands::scheduling::appointments::mark_no_show,
            clinic_desk::commands::scheduling::appointments::cancel_appointment,
            clinic_desk::commands::scheduling::appointments::set_recording_consent,
            clinic_desk::commands::scheduling::appointments::start_recorded_session,
            clinic_desk::commands::scheduling::views::schedule_day,
            clinic_desk::commands::scheduling::views::schedule_week,
            clinic_desk::commands::scheduling::views::schedule_month,
            clinic_desk::commands::scheduling::views::waiting_room,
            clinic_desk::commands::scheduling::views::my_day,
            clinic_desk::commands::scheduling::views::patient_appointments,
            clinic_desk::commands::scheduling::views::find_free_slots,
            clinic_desk::commands::scheduling::views::appointment_alternatives,
            clinic_desk::commands::scheduling::views::list_clinicians,
            clinic_desk::commands::scheduling::views::scheduling_policy,
            clinic_desk::commands::scheduling::setup::list_appointment_types,
            clinic_desk::commands::scheduling::setup::create_appointment_type,
            clinic_desk::commands::scheduling::setup::create_starter_appointment_types,
            clinic_desk::commands::scheduling::setup::update_appointment_type,
            clinic_desk::commands::scheduling::setup::set_appointment_type_active,
            clinic_desk::commands::scheduling::setup::set_clinician_profile,
            clinic_desk::commands::scheduling::setup::update_scheduling_policy,
            clinic_desk::commands::scheduling::availability::get_weekly_template,
            clinic_desk::commands::scheduling::availability::set_weekly_template,
            clinic_desk::commands::scheduling::availability::list_extra_sessions,
            clinic_desk::commands::scheduling::availability::add_extra_session,
            clinic_desk::commands::scheduling::availability::remove_extra_session,
            clinic_desk::commands::scheduling::availability::list_closures,
            clinic_desk::commands::scheduling::availability::add_closure,
            clinic_desk::commands::scheduling::availability::remove_closure,
            clinic_desk::commands::scheduling::availability::request_leave,
            clinic_desk::commands::scheduling::availability::approve_leave,
            clinic_desk::commands::scheduling::availability::reject_leave,
            clinic_desk::commands::scheduling::availability::list_leave,
            clinic_desk::commands::scheduling::availability::affected_by_leave,
            clinic_desk::commands::scheduling::waitlist::list_waitlist,
            clinic_desk::commands::scheduling::waitlist::add_to_waitlist,
            clinic_desk::commands::scheduling::waitlist::remove_from_waitlist,
            clinic_desk::commands::scheduling::waitlist::skip_waitlist_offer,
            clinic_desk::commands::scheduling::waitlist::book_from_waitlist,
            clinic_desk::commands::scheduling::calendar::export_calendar::<$runtime>,
            clinic_desk::commands::scheduling::feeds::issue_calendar_feed,
            clinic_desk::commands::scheduling::feeds::calendar_feed_link,
            clinic_desk::commands::scheduling::feeds::revoke_calendar_feed,
            clinic_desk::commands::scheduling::feeds::list_calendar_feeds,
            clinic_desk::commands::files::create_backup::<$runtime>,
            clinic_desk::commands::files::restore_backup::<$runtime>,
            clinic_desk::commands::files::export_recovery_sheet::<$runtime>,
            clinic_desk::commands::files::export_audit_csv::<$runtime>,
        ]
    };
}

/// The command registry of the app.
pub fn builder() -> Builder<tauri::Wry> {
    Builder::<tauri::Wry>::new().commands(all_commands!(tauri::Wry))
}

/// The TypeScript exporter settings. 64-bit counters in core are marked `number` where they cross
/// (row versions, sequence numbers and counts stay far below 2^53).
pub fn typescript() -> Typescript {
    Typescript::default().header("// Generated from the Rust commands by `cargo run -p clinic-desk --bin export-bindings`. Do not edit.\n// @ts-nocheck\n")
}

/// Writes the bindings to `path`.
pub fn export_to(path: &std::path::Path) -> Result<(), String> {
    builder().export(typescript(), path).map_err(|e| e.to_string())
}
