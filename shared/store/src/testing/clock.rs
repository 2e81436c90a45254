//! A clock tests set and move by hand.
use std::sync::atomic::{AtomicI64, Ordering};

use domain::time::Timestamp;
use crate::ports::clock::Clock;

#[derive(Debug)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn at(t: Timestamp) -> Self {
        ManualClock(AtomicI64::new(t.unix()))
    }

    /// Starts at the real time, so items written with real TTLs behave as in production.
    pub fn starting_now() -> Self {
        ManualClock::at(Timestamp::from_system(std::time::SystemTime::now()))
    }

    pub fn advance(&self, seconds: i64) {
        self.0.fetch_add(seconds, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_unix(self.0.load(Ordering::SeqCst))
    }
}
