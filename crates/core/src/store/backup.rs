//! Encrypted backups of the whole database and restoring them (in progress).
