//! Clinic Desk's executable: starts the desktop shell.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    clinic_desk::run();
}
