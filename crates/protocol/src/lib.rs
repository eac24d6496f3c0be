//! Sync wire types shared by the desktop client and the clinic server (filled in by the sync work).
