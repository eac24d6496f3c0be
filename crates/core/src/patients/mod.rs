//! Patient registry (in progress).
