//! The printable recovery sheet: one A4 PDF page with the database recovery key and what to do with it.
//!
//! Built with printpdf's standard fonts (Helvetica and Courier, WinAnsi text: a clinic name with
//! characters outside Western European scripts prints them as `?`). The file is written once, with
//! owner-only permissions on Unix, and never over an existing file.

use std::io::Write;
use std::path::Path;

use jiff::Timestamp;
use printpdf::{BuiltinFont, Mm, Op, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, TextItem};

use crate::accounts::SessionId;
use crate::audit::{AuditAction, AuditOutcome};
use crate::keys::{KeyStore, RecoveryKey};
use crate::rbac::Permission;
use crate::{Clinic, CoreError, CoreResult, ErrorCode};

/// The sheet's title, also the PDF's document title.
pub const TITLE: &str = "Clinic Desk \u{2014} database recovery key";

const GROUPS_PER_LINE: usize = 4;
const WRAP_AT: usize = 88;

const KEY_ALPHABET: &str = "Capital letters A to Z and digits 2 to 7 only: there is no zero and no one.";

const INSTRUCTIONS: &[&str] = &[
    "Keep this sheet somewhere safe and private, such as a locked drawer or a safe, and not next to the \
     computer. Do not photograph it, email it or keep a copy on the computer.",
    "Anyone with this key and the database file can read the clinic's records.",
    "You need this key when the computer's keychain no longer holds the database key: after a new user \
     account, a repair or reinstallation, or when moving the clinic's data to another computer. It also opens \
     backups made with the database key.",
    "To use it: start Clinic Desk, choose 'Open with recovery key', and type the key exactly as printed. \
     Capital or small letters, spaces and dashes do not matter; a mistyped key is refused, never accepted by mistake.",
    "If this sheet is lost or someone else may have seen it, tell your administrator.",
];

/// Writes the recovery sheet for `recovery` to `out` (a new file; an existing one is never replaced).
pub fn write_recovery_sheet(
    clinic_name: &str,
    recovery: &RecoveryKey,
    created: Timestamp,
    out: &Path,
) -> CoreResult<()> {
    let bytes = render(clinic_name, recovery, created)?;
    write_private_file(out, &bytes)
}

/// Writes the recovery sheet of this clinic's database, with the key taken from the keychain and checked
/// against the database. Administrators only; audited.
pub fn export_recovery_sheet(clinic: &Clinic, session: SessionId, keys: &dyn KeyStore, out: &Path) -> CoreResult<()> {
    let actor = clinic.authorize(session, Permission::BackupRestore)?;
    let result = (|| {
        let key = keys.load()?.ok_or_else(|| {
            CoreError::new(
                ErrorCode::KeyRejected,
                "The database key is not in this computer's keychain, so no recovery sheet can be made from it. \
                 Open the database with the recovery key first.",
            )
        })?;
        if !clinic.is_database_key(&key)? {
            return Err(CoreError::new(
                ErrorCode::KeyRejected,
                "The key in this computer's keychain does not open this clinic database, so no recovery sheet \
                 was made. Open the database with the recovery key first.",
            ));
        }
        let name = clinic.read(crate::setup::settings_internal)?.name;
        write_recovery_sheet(&name, &RecoveryKey::from_database_key(&key), clinic.env.clock.now(), out)
    })();
    let (outcome, detail) = match &result {
        Ok(()) => (AuditOutcome::Success, String::new()),
        Err(e) => (AuditOutcome::Failure, format!("error={:?}", e.code)),
    };
    clinic.audit_alone(&actor.event(AuditAction::RecoverySheetExport, outcome).detail(&detail))?;
    result
}

/// The PDF bytes of the sheet.
fn render(clinic_name: &str, recovery: &RecoveryKey, created: Timestamp) -> CoreResult<Vec<u8>> {
    let mut page = Page::default();
    page.line(BuiltinFont::HelveticaBold, 20.0, 14.0, TITLE);
    page.line(BuiltinFont::Helvetica, 14.0, 4.0, clinic_name.trim());
    page.line(BuiltinFont::Helvetica, 11.0, 12.0, &format!("Created {}", created.strftime("%Y-%m-%d %H:%M UTC")));
    page.line(BuiltinFont::HelveticaBold, 12.0, 10.0, "Recovery key");
    let groups: Vec<&str> = recovery.as_str().split('-').collect();
    for chunk in groups.chunks(GROUPS_PER_LINE) {
        page.line(BuiltinFont::CourierBold, 24.0, 6.0, &chunk.join("-"));
    }
    page.line(BuiltinFont::Helvetica, 10.0, 14.0, KEY_ALPHABET);
    for paragraph in INSTRUCTIONS {
        for line in wrap(paragraph, WRAP_AT) {
            page.line(BuiltinFont::Helvetica, 11.0, 1.0, &line);
        }
        page.gap(5.0);
    }
    let when = printpdf::OffsetDateTime::from_unix_timestamp(created.as_second()).map_err(CoreError::internal)?;
    let mut doc = PdfDocument::new(TITLE);
    doc.metadata.info.creation_date = when;
    doc.metadata.info.modification_date = when;
    doc.metadata.info.metadata_date = when;
    doc.metadata.info.creator = "Clinic Desk".to_owned();
    doc.metadata.info.producer = "Clinic Desk".to_owned();
    let page = PdfPage::new(Mm(210.0), Mm(297.0), page.ops);
    Ok(doc.with_pages(vec![page]).save(&PdfSaveOptions::default(), &mut Vec::new()))
}

/// Lines of text laid out from the top of an A4 page, 25 mm from the left edge.
struct Page {
    ops: Vec<Op>,
    /// Baseline of the next line, in points from the bottom of the page.
    y: f32,
}

impl Default for Page {
    fn default() -> Self {
        Page { ops: Vec::new(), y: Pt::from(Mm(297.0 - 30.0)).0 }
    }
}

impl Page {
    /// One line of text at `size` points, followed by `after` extra points of space.
    fn line(&mut self, font: BuiltinFont, size: f32, after: f32, text: &str) {
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFont { font: PdfFontHandle::Builtin(font), size: Pt(size) },
            Op::SetTextCursor { pos: Point { x: Mm(25.0).into(), y: Pt(self.y) } },
            Op::ShowText { items: vec![TextItem::Text(text.to_owned())] },
            Op::EndTextSection,
        ]);
        self.y -= size * 1.3 + after;
    }

    fn gap(&mut self, points: f32) {
        self.y -= points;
    }
}

/// Breaks a paragraph into lines of at most `width` characters at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        if !current.is_empty() && current.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

/// Creates `out` (never over an existing file), readable only by its owner on Unix.
fn write_private_file(out: &Path, bytes: &[u8]) -> CoreResult<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(out).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            let mut err = CoreError::new(
                ErrorCode::Conflict,
                "A file with this name already exists there; it was left untouched. Choose another name.",
            );
            err.field = Some("out".to_owned());
            err
        } else {
            CoreError::unavailable(
                "The recovery sheet could not be written there. Check the folder exists and is writable.",
            )
            .with_source(e)
        }
    })?;
    if let Err(e) = file.write_all(bytes).and_then(|()| file.sync_all()) {
        drop(file);
        let _ = std::fs::remove_file(out);
        return Err(CoreError::unavailable(
            "The recovery sheet could not be written: the disk may be full or removed.",
        )
        .with_source(e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wraps_at_spaces_without_losing_words() {
        let lines = wrap("one two three four five six", 9);
        assert_eq!(lines, ["one two", "three", "four five", "six"]);
        assert!(lines.iter().all(|l| l.chars().count() <= 9));
    }
}
