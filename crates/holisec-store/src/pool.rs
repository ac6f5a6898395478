//! [`ReadPool`]: several read-only connections to one database, so reads run
//! in parallel beside the single writer.
//!
//! The database is in WAL mode, where readers never wait for the writer nor
//! for each other: each read sees the last commit made before it started.
//! One [`Store`] is one connection and may not be shared between threads, so
//! a server that reads from many threads at once needs several. The pool
//! holds `size` of them, opened with [`Store::open_existing_read_only`]
//! (they cannot write, whatever a caller does); a caller borrows one for the
//! length of a closure, within one read transaction, and waits while all
//! are busy.

use std::path::Path;
use std::sync::{Condvar, Mutex};

use crate::{Store, StoreError};

/// Read-only connections to one database, lent one at a time.
pub struct ReadPool {
    idle: Mutex<Vec<Store>>,
    returned: Condvar,
    size: usize,
}

impl ReadPool {
    /// Opens `size` (at least 1) read-only connections to the existing
    /// database at `path`, which must be at this build's schema version
    /// (open it read-write with [`Store::open`] first to migrate it).
    pub fn open(path: &Path, size: usize) -> Result<ReadPool, StoreError> {
        let size = size.max(1);
        let idle = (0..size)
            .map(|_| Store::open_existing_read_only(path))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ReadPool {
            idle: Mutex::new(idle),
            returned: Condvar::new(),
            size,
        })
    }

    /// Number of connections.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Runs `f` on an idle connection, waiting (blocking this thread) while
    /// every connection is lent. Call it from a thread that may block.
    pub fn with<T>(&self, f: impl FnOnce(&Store) -> T) -> T {
        let store = {
            // A panic while the list is locked cannot leave it half-changed
            // (a pop or a push), so a poisoned lock is still usable.
            let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
            loop {
                if let Some(s) = idle.pop() {
                    break s;
                }
                idle = self.returned.wait(idle).unwrap_or_else(|p| p.into_inner());
            }
        };
        // One read transaction for all of `f`: its queries see one snapshot
        // (the last commit before its first read), not a write landing
        // between two of them. BEGIN fails only inside a transaction, which
        // `Lent::drop` always ends, so its error cannot happen here.
        let _ = store.conn.execute_batch("BEGIN");
        // Given back even when `f` panics, so the pool never shrinks.
        let lent = Lent {
            pool: self,
            store: Some(store),
        };
        f(lent
            .store
            .as_ref()
            .expect("lent store is present until drop"))
    }
}

/// A borrowed connection, returned to its pool when dropped.
struct Lent<'a> {
    pool: &'a ReadPool,
    store: Option<Store>,
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        if let Some(store) = self.store.take() {
            // Ends the read transaction (read-only: nothing to commit).
            if !store.conn.is_autocommit() {
                let _ = store.conn.execute_batch("ROLLBACK");
            }
            self.pool
                .idle
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(store);
            self.pool.returned.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_see_commits_refuse_writes_and_run_side_by_side() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.db");
        let mut writer = Store::open(&path).unwrap();
        let pool = std::sync::Arc::new(ReadPool::open(&path, 3).unwrap());
        assert_eq!(pool.size(), 3);
        assert!(pool.with(|s| s.organisations().unwrap().is_empty()));
        // A commit of the writer is seen by the next read.
        let a = writer.new_assessment("Mary", "hospital", "1", "t").unwrap();
        assert_eq!(pool.with(|s| s.assessment(a.id).unwrap()), a);
        // A closure reads one snapshot: a commit made meanwhile is seen by
        // the next closure only.
        let seen = pool.with(|s| {
            let before = s.assessments(None).unwrap().len();
            writer.new_assessment("John", "hospital", "1", "t").unwrap();
            (before, s.assessments(None).unwrap().len())
        });
        assert_eq!(seen, (1, 1));
        assert_eq!(pool.with(|s| s.assessments(None).unwrap().len()), 2);
        // Readers cannot write, whatever SQL they are given.
        assert!(
            pool.with(
                |s| s.is_read_only() && s.conn.execute("DELETE FROM assessments", []).is_err()
            )
        );
        // Three threads each hold a connection at the same time (a barrier
        // inside the closure would deadlock if the pool lent fewer at once),
        // and a fourth waits for one of them.
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(3));
        let threads: Vec<_> = (0..4)
            .map(|k| {
                let (pool, barrier) = (pool.clone(), barrier.clone());
                std::thread::spawn(move || {
                    pool.with(|s| {
                        if k < 3 {
                            barrier.wait();
                        }
                        s.assessments(None).unwrap().len()
                    })
                })
            })
            .collect();
        for t in threads {
            assert_eq!(t.join().unwrap(), 2);
        }
        // A panicking reader gives its connection back.
        let p = pool.clone();
        assert!(
            std::thread::spawn(move || p.with(|_| panic!("reader failed")))
                .join()
                .is_err()
        );
        assert!(pool.with(|s| s.organisations().is_ok()));
        assert_eq!(pool.idle.lock().unwrap().len(), 3);
    }

    #[test]
    fn a_missing_or_older_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            ReadPool::open(&dir.path().join("none.db"), 2),
            Err(StoreError::Missing(_))
        ));
        let old = dir.path().join("old.db");
        drop(Store::open_at_version(&old, 1).unwrap());
        assert!(matches!(
            ReadPool::open(&old, 2),
            Err(StoreError::OlderSchema { .. })
        ));
    }
}
