//! Clinic Desk's desktop shell: the Tauri window, the app state and thin IPC commands over clinic-core.

// Lets `all_commands!` name this crate's commands the same way inside and outside it.
extern crate self as clinic_desk;

pub mod arrivals;
pub mod bindings;
pub mod commands;
pub mod error;
pub mod state;
mod sync_runner;
mod webview;

use std::path::PathBuf;
use std::sync::Arc;

use clinic_core::clock::Env;
use clinic_core::keys::OsKeychain;
use clinic_core::store::DataDir;
use tauri::Manager;

pub use error::{IpcError, IpcResult};
pub use state::{AppState, AppStatus};

/// Environment variable that points the app at another data folder (tests, a second clinic).
pub const DATA_DIR_VARIABLE: &str = "CLINIC_DESK_DATA_DIR";

/// The data folder: the variable above if set; otherwise the per-user app data folder, with
/// development builds in a separate sibling folder so trying the app never touches real clinic data.
pub fn data_dir_for(app_data_dir: PathBuf) -> DataDir {
    if let Some(dir) = std::env::var_os(DATA_DIR_VARIABLE) {
        return DataDir::new(dir);
    }
    if cfg!(debug_assertions) {
        let mut name = app_data_dir.file_name().map(|n| n.to_os_string()).unwrap_or_default();
        name.push(".development");
        return DataDir::new(app_data_dir.with_file_name(name));
    }
    DataDir::new(app_data_dir)
}

/// Only the app's own pages may load in the window: no remote content, no navigation away.
fn is_own_page(url: &tauri::Url) -> bool {
    match url.scheme() {
        "tauri" => true,
        "http" | "https" => {
            matches!(url.host_str(), Some("tauri.localhost"))
                || (cfg!(debug_assertions) && url.host_str() == Some("localhost"))
        }
        _ => false,
    }
}

/// How many made-up patients `--demo` loads at first setup.
pub const DEMO_PATIENTS: usize = 300;

/// Starts the desktop app. `--demo` loads made-up patients when the clinic is first set up.
pub fn run() {
    let demo = std::env::args().skip(1).any(|a| a == "--demo");
    let commands = bindings::builder();
    let navigation_guard =
        tauri::plugin::Builder::<tauri::Wry>::new("navigation-guard").on_navigation(|_, url| is_own_page(url)).build();
    tauri::Builder::default()
        .plugin(navigation_guard)
        .plugin(tauri_plugin_dialog::init())
        .invoke_handler(commands.invoke_handler())
        .setup(move |app| {
            let data = data_dir_for(app.path().app_data_dir()?);
            let keys = Arc::new(OsKeychain::for_data_dir(&data));
            let state =
                AppState::new(data, keys, Env::system()).with_demo_patients(if demo { DEMO_PATIENTS } else { 0 });
            let state = Arc::new(state);
            app.manage(state.clone());
            sync_runner::start(state);
            webview::tune(app);
            Ok(())
        })
        .build(tauri::generate_context!("../tauri.conf.json"))
        .unwrap_or_else(|e| {
            eprintln!("Clinic Desk could not start: {e}");
            std::process::exit(1);
        })
        .run(|app, event| {
            if let tauri::RunEvent::Exit = event {
                // Close the database on a normal exit, so SQLite folds the write-ahead log into the file.
                if let Some(state) = app.try_state::<Arc<AppState>>() {
                    let _ = state.set_clinic(None);
                }
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_apps_own_pages_may_load() {
        let ok = |u: &str| is_own_page(&tauri::Url::parse(u).expect("url"));
        assert!(ok("tauri://localhost/index.html"));
        assert!(ok("http://tauri.localhost/"));
        assert!(!ok("https://example.com/"));
        assert!(!ok("file:///etc/passwd"));
        assert!(!ok("javascript:alert(1)"));
    }
}
