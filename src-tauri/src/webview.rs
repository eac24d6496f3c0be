//! Web view tuning for a forms application: keeps WebKitGTK's memory down on Linux (no GPU compositing,
//! no WebGL or Web Audio, the smallest cache model); nothing to do on Windows and macOS.

use tauri::{Manager, Runtime};

/// Applies the settings to the main window's web view, if there is one.
pub fn tune<R: Runtime>(app: &tauri::App<R>) {
    let Some(window) = app.get_webview_window("main") else { return };
    if let Err(e) = window.with_webview(tune_platform_webview) {
        eprintln!("Clinic Desk could not tune the web view: {e}");
    }
}

#[cfg(target_os = "linux")]
fn tune_platform_webview(webview: tauri::webview::PlatformWebview) {
    use webkit2gtk::{CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt};
    let view = webview.inner();
    if let Some(settings) = WebViewExt::settings(&view) {
        // Accelerated compositing keeps a tiled backing store per layer; under software OpenGL (no GPU,
        // virtual machines, remote desktops) that is the largest single cost of the web process.
        settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        settings.set_enable_webgl(false);
        settings.set_enable_webaudio(false);
        // One page that never navigates: nothing to gain from keeping pages for back/forward.
        settings.set_enable_page_cache(false);
    }
    if let Some(context) = view.context() {
        // The app's pages come from the binary; no need for a browser-sized memory cache.
        context.set_cache_model(CacheModel::DocumentViewer);
    }
}

#[cfg(not(target_os = "linux"))]
fn tune_platform_webview(_webview: tauri::webview::PlatformWebview) {}
