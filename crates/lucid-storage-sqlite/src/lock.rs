//! The database lock of a server. `lucid serve` holds an exclusive OS advisory lock (`flock` on
//! Unix, `LockFileEx` on Windows, through `std::fs::File::try_lock`) on `<database>.lock` for
//! its whole life, so a second server on the same file refuses to start instead of marking
//! the first one's running dreams as crashed. The operating system drops the lock when the
//! process ends, however it ends (kill -9 included), so a lock file left behind never blocks a
//! start. Other commands (`lucid keys create`, the CLI clients) do not take it: SQLite already
//! serialises their writes.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use lucid_storage::{Result, StorageError};

/// The lock, held until dropped.
#[derive(Debug)]
pub struct DatabaseLock {
    _file: File,
    path: PathBuf,
}

/// Another process holds the lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldElsewhere {
    /// The lock file.
    pub path: PathBuf,
    /// What the holder wrote in it (`pid N`), if anything.
    pub holder: Option<String>,
}

impl DatabaseLock {
    /// The lock file of a database: its path with `.lock` appended (`lucid.db.lock`).
    pub fn path_for(database: &Path) -> PathBuf {
        let mut name = database.file_name().unwrap_or_default().to_os_string();
        name.push(".lock");
        database.with_file_name(name)
    }

    /// Takes the lock if no other process holds it.
    pub fn try_acquire(
        database: &Path,
    ) -> Result<std::result::Result<DatabaseLock, HeldElsewhere>> {
        let path = Self::path_for(database);
        let mut file = open(&path)?;
        match file.try_lock() {
            Ok(()) => Ok(Ok(Self::claim(file, path)?)),
            Err(TryLockError::WouldBlock) => {
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                let holder = Some(text.trim().to_string()).filter(|t| !t.is_empty());
                Ok(Err(HeldElsewhere { path, holder }))
            }
            Err(TryLockError::Error(error)) => Err(io_error(&path, &error)),
        }
    }

    /// Waits until the lock is free, then takes it (a server taking over waits for the old one
    /// to stop). Blocks the calling thread.
    pub fn acquire_blocking(database: &Path) -> Result<DatabaseLock> {
        let path = Self::path_for(database);
        let file = open(&path)?;
        file.lock().map_err(|error| io_error(&path, &error))?;
        Self::claim(file, path)
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Records who holds the lock, for the message a refused server prints.
    fn claim(mut file: File, path: PathBuf) -> Result<DatabaseLock> {
        let written = file
            .set_len(0)
            .and_then(|()| file.seek(SeekFrom::Start(0)))
            .and_then(|_| writeln!(file, "pid {}", std::process::id()))
            .and_then(|()| file.flush());
        written.map_err(|error| io_error(&path, &error))?;
        Ok(DatabaseLock { _file: file, path })
    }
}

fn open(path: &Path) -> Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|error| io_error(path, &error))
}

fn io_error(path: &Path, error: &std::io::Error) -> StorageError {
    StorageError::Backend(format!("lock file {}: {error}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time_and_released_on_drop() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("lucid.db");
        assert_eq!(
            DatabaseLock::path_for(&db),
            dir.path().join("lucid.db.lock")
        );
        let first = DatabaseLock::try_acquire(&db)
            .expect("io")
            .expect("free at first");
        let refused = DatabaseLock::try_acquire(&db)
            .expect("io")
            .expect_err("held by the first");
        assert_eq!(
            refused.holder.as_deref(),
            Some(format!("pid {}", std::process::id()).as_str())
        );
        drop(first);
        let again = DatabaseLock::try_acquire(&db).expect("io");
        assert!(again.is_ok(), "released when dropped");
    }
}
