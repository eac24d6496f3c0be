//! Tauri code generation, reading the app config from the repository root.
fn main() {
    tauri_build::try_build(tauri_build::Attributes::new().config_path("../tauri.conf.json")).expect("tauri build step");
}
