//! The local platform clock: the machine's time plus an offset that `POST /dev/clock` moves
//! forward. The offset is kept in a file beside the store so a restart does not rewind time
//! (tokens, trials and retention periods computed before the restart stay consistent).
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use domain::time::Timestamp;
use store::ports::clock::{Clock, SystemClock};

#[derive(Debug)]
pub struct EmbeddedClock {
    offset: Mutex<i64>,
    file: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum ClockError {
    #[error("the clock only moves forward")]
    Backwards,
    #[error("clock file {0}: {1}")]
    Io(String, std::io::Error),
}

impl EmbeddedClock {
    /// Loads the offset from `file` (none yet means no offset).
    pub fn open(file: &Path) -> Result<Self, ClockError> {
        let offset = match std::fs::read_to_string(file) {
            Ok(s) => s.trim().parse::<i64>().unwrap_or(0),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
            Err(e) => return Err(ClockError::Io(file.display().to_string(), e)),
        };
        Ok(EmbeddedClock { offset: Mutex::new(offset), file: Some(file.to_path_buf()) })
    }

    /// A clock that keeps its offset in memory only.
    pub fn in_memory() -> Self {
        EmbeddedClock { offset: Mutex::new(0), file: None }
    }

    /// Moves the platform forward by `seconds` and persists the new offset.
    pub fn advance(&self, seconds: i64) -> Result<Timestamp, ClockError> {
        if seconds < 0 {
            return Err(ClockError::Backwards);
        }
        let mut offset = self.offset.lock().unwrap_or_else(|p| p.into_inner());
        let next = offset.saturating_add(seconds);
        if let Some(file) = &self.file {
            // Write-then-rename so a crash leaves either the old or the new offset.
            let tmp = file.with_extension("tmp");
            std::fs::write(&tmp, next.to_string()).map_err(|e| ClockError::Io(tmp.display().to_string(), e))?;
            std::fs::rename(&tmp, file).map_err(|e| ClockError::Io(file.display().to_string(), e))?;
        }
        *offset = next;
        Ok(SystemClock.now().plus_seconds(next))
    }
}

impl Clock for EmbeddedClock {
    fn now(&self) -> Timestamp {
        let offset = *self.offset.lock().unwrap_or_else(|p| p.into_inner());
        SystemClock.now().plus_seconds(offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_advanced_clock_stays_advanced_after_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("clock");
        let clock = EmbeddedClock::open(&file).unwrap();
        let before = clock.now();
        clock.advance(86_400).unwrap();
        let reopened = EmbeddedClock::open(&file).unwrap();
        assert!(reopened.now().unix() >= before.unix() + 86_400);
    }

    #[test]
    fn the_clock_never_moves_back() {
        let clock = EmbeddedClock::in_memory();
        assert!(matches!(clock.advance(-1), Err(ClockError::Backwards)));
    }
}
