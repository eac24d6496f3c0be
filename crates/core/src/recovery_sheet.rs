//! The printable recovery sheet (PDF) for the database recovery key (in progress).
