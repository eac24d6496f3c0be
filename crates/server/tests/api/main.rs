//! clinic-server against a real PostgreSQL: each test gets its own database and a real server on port 0.
//! Run under `scripts/with-postgres` (it provides CLINIC_TEST_PG_ADMIN_URL); without it the tests fail.

mod audit;
mod bad_input;
mod bootstrap;
mod enroll;
mod epoch;
mod isolation;
mod merge;
mod ops;
mod pull;
mod push;
mod support;
