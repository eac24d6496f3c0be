//! Regenerates ui/src/bindings.ts from the Rust command registry.
fn main() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(clinic_desk::bindings::BINDINGS_PATH);
    if let Err(e) = clinic_desk::bindings::export_to(&path) {
        eprintln!("export-bindings: {e}");
        std::process::exit(1);
    }
    println!("wrote {}", path.display());
}
