//! Time and id sources, passed in so tests are deterministic.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use jiff::Timestamp;
use uuid::Uuid;

/// Where "now" comes from.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> Timestamp;
}

/// The real wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that only moves when told to; for tests.
#[derive(Debug)]
pub struct ManualClock {
    millis: AtomicI64,
}

impl ManualClock {
    pub fn new(start: Timestamp) -> Arc<Self> {
        Arc::new(ManualClock { millis: AtomicI64::new(start.as_millisecond()) })
    }

    pub fn advance_secs(&self, secs: i64) {
        self.millis.fetch_add(secs * 1000, Ordering::SeqCst);
    }

    pub fn set(&self, at: Timestamp) {
        self.millis.store(at.as_millisecond(), Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_millisecond(self.millis.load(Ordering::SeqCst)).unwrap_or(Timestamp::UNIX_EPOCH)
    }
}

/// Where new row ids come from: UUIDv7 so ids sort by creation time across devices.
pub trait IdGenerator: Send + Sync + std::fmt::Debug {
    fn new_id(&self) -> Uuid;
}

/// UUIDv7 from the given clock's time and random bits.
#[derive(Debug)]
pub struct UuidV7 {
    clock: Arc<dyn Clock>,
}

impl UuidV7 {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        UuidV7 { clock }
    }
}

impl IdGenerator for UuidV7 {
    fn new_id(&self) -> Uuid {
        let ms = self.clock.now().as_millisecond().max(0) as u64;
        let ts = uuid::Timestamp::from_unix(uuid::NoContext, ms / 1000, ((ms % 1000) * 1_000_000) as u32);
        Uuid::new_v7(ts)
    }
}

/// The clock and id source a [`crate::Clinic`] runs with.
#[derive(Debug, Clone)]
pub struct Env {
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdGenerator>,
}

impl Env {
    /// The real clock and UUIDv7 ids.
    pub fn system() -> Self {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        Env { ids: Arc::new(UuidV7::new(clock.clone())), clock }
    }

    /// A given clock with UUIDv7 ids drawn from it.
    pub fn with_clock(clock: Arc<dyn Clock>) -> Self {
        Env { ids: Arc::new(UuidV7::new(clock.clone())), clock }
    }
}

/// Formats a timestamp the one way it is stored: RFC 3339 UTC with milliseconds, so text order is time order.
pub fn to_db_time(at: Timestamp) -> String {
    at.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Parses a stored timestamp.
pub fn from_db_time(text: &str) -> Result<Timestamp, crate::CoreError> {
    text.parse::<Timestamp>().map_err(crate::CoreError::internal)
}
