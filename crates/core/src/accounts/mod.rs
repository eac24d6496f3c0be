//! Staff accounts: passwords, sign-in with brute-force protection, sessions that lock when idle.

pub mod login;
pub mod password;
pub(crate) mod sessions;
pub mod staff;

pub use login::{SessionInfo, lock, login, logout, unlock};
pub use sessions::SessionId;
pub use staff::{
    NewStaff, StaffMember, change_own_password, change_role, create_staff, deactivate_staff, list_staff,
    reactivate_staff, reset_password,
};
