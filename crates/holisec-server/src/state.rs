//! What every handler shares ([`AppState`]) and the application's settings
//! ([`Config`]).
//!
//! Writes go to the one read-write [`Store`] under a mutex
//! ([`AppState::with_store`]); reads go to a [`ReadPool`] of read-only WAL
//! connections ([`AppState::read`]), so GET requests run side by side and
//! never wait for a write to finish.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use holisec_assess::Questionnaire;
use holisec_model::Ecosystem;
use holisec_store::{ReadPool, Store};
use tokio::sync::Semaphore;
use tower_sessions_rusqlite_store::RusqliteStore;

use crate::{ServerError, throttle};

/// Settings of the application.
#[derive(Debug, Clone)]
pub struct Config {
    /// A session expires after this long without a request.
    pub idle: Duration,
    /// A request taking longer is answered 408.
    pub timeout: Duration,
    /// How failed logins are slowed down.
    pub throttle: throttle::ThrottlePolicy,
    /// A session ends this long after its login, active or not (ASVS 7.3.2).
    pub lifetime: Duration,
    /// How often expired sessions are deleted from the database.
    pub session_sweep: Duration,
    /// [`serve`] keeps sessions in this database ([`AppState::persist_sessions`]);
    /// `None`: in memory.
    pub session_db: Option<std::path::PathBuf>,
    /// A request pushes its session's expiry forward (a write) only when the
    /// last push is this old (at most half of `idle`), so most authenticated
    /// requests write nothing; a session therefore ends between `idle` minus
    /// this and `idle` after its last request.
    pub touch: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            idle: Duration::from_secs(30 * 60),
            timeout: Duration::from_secs(30),
            throttle: throttle::ThrottlePolicy::default(),
            lifetime: Duration::from_secs(12 * 3600),
            session_sweep: Duration::from_secs(60),
            session_db: None,
            touch: Duration::from_secs(60),
        }
    }
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub(crate) store: Arc<Mutex<Store>>,
    /// Read-only connections for GET requests (`None` for an in-memory
    /// database: reads then go to `store`).
    pub(crate) readers: Option<Arc<ReadPool>>,
    /// One permit per reader: a request waits here (asynchronously) rather
    /// than on a blocking thread.
    pub(crate) read_permits: Arc<Semaphore>,
    pub(crate) eco: Arc<Ecosystem>,
    /// How reports name the model: `holisec serve --model`'s file, else
    /// the built-in model's name ([`AppState::with_model_name`]).
    pub(crate) model_name: Arc<str>,
    pub(crate) q: Arc<Questionnaire>,
    pub(crate) throttle: Arc<throttle::Throttle>,
    /// Sessions in the database (`None`: in memory, lost at restart).
    pub(crate) sessions: Option<RusqliteStore>,
    /// [`Config::lifetime`].
    pub(crate) lifetime: Duration,
    /// [`Config::touch`], at most half of [`Config::idle`].
    pub(crate) touch: Duration,
    /// The job runner (its thread ends when the last clone is dropped).
    pub(crate) runner: Arc<crate::jobs::Runner>,
    /// HTTP Basic credentials verified lately (TAXII clients send them on
    /// every request).
    pub(crate) verified: Arc<crate::credentials::VerifiedCache>,
}

/// Read connections: two per core (reads are short and CPU-bound; a second
/// one per core covers a read waiting on the disk), 2 to 16.
fn reader_count() -> usize {
    std::thread::available_parallelism()
        .map_or(2, |n| n.get() * 2)
        .clamp(2, 16)
}

impl AppState {
    /// State over an open store, the model and the questionnaire checked against it.
    ///
    /// A database in a file also gets read-only connections for GET
    /// requests; if they cannot be opened (said on standard error), reads
    /// share the read-write connection.
    pub fn new(store: Store, eco: Ecosystem, q: Questionnaire) -> AppState {
        let readers = if store.path() == std::path::Path::new(":memory:") {
            None
        } else {
            ReadPool::open(store.path(), reader_count())
                .map_err(|e| {
                    eprintln!("holisec serve: reads share the writer's connection: {e}");
                })
                .ok()
                .map(Arc::new)
        };
        let permits = readers.as_ref().map_or(1, |r| r.size());
        let store = Arc::new(Mutex::new(store));
        let eco = Arc::new(eco);
        let q = Arc::new(q);
        AppState {
            runner: Arc::new(crate::jobs::Runner::start(
                Arc::clone(&store),
                Arc::clone(&eco),
                Arc::clone(&q),
            )),
            readers,
            read_permits: Arc::new(Semaphore::new(permits)),
            store,
            eco,
            model_name: Arc::from(holisec_api::model::BUILTIN_NAME),
            q,
            throttle: Arc::new(throttle::Throttle::default()),
            verified: Arc::default(),
            sessions: None,
            lifetime: Config::default().lifetime,
            touch: Config::default().touch,
        }
    }

    /// Names the model as reports print it (`holisec serve --model FILE`
    /// passes the file's name; the built-in model's name otherwise).
    pub fn with_model_name(mut self, name: impl Into<String>) -> AppState {
        self.model_name = Arc::from(name.into());
        self
    }

    /// Keeps sessions in the `sessions` table of the database at `db` (its
    /// own connection), so they survive a restart; without it they are in
    /// memory. The table comes from the store's migrations.
    pub async fn persist_sessions(mut self, db: &std::path::Path) -> Result<AppState, ServerError> {
        let conn = tower_sessions_rusqlite_store::tokio_rusqlite::Connection::open(db)
            .await
            .map_err(|e| ServerError::Internal(format!("session store: {e}")))?;
        conn.call(|c| c.busy_timeout(holisec_store::BUSY_TIMEOUT))
            .await
            .map_err(|e| ServerError::Internal(format!("session store: {e}")))?;
        let store = RusqliteStore::new(conn)
            .with_table_name("sessions")
            .map_err(ServerError::Internal)?;
        self.sessions = Some(store);
        Ok(self)
    }

    /// Runs `f` on a read-only connection on a blocking thread, within one
    /// read transaction (a consistent snapshot of the last commit). For GET
    /// requests; writes go through [`AppState::with_store`].
    pub(crate) async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, ServerError> + Send + 'static,
    ) -> Result<T, ServerError> {
        let Some(pool) = self.readers.clone() else {
            return self.with_store(move |s| f(s)).await;
        };
        // At most one blocking task per connection: the others wait here.
        let _permit = self
            .read_permits
            .acquire()
            .await
            .map_err(|_| ServerError::Internal("the read pool is closed".into()))?;
        tokio::task::spawn_blocking(move || pool.with(f))
            .await
            .map_err(|e| ServerError::Internal(format!("read task failed: {e}")))?
    }

    /// Runs `f` on the store on a blocking thread.
    pub(crate) async fn with_store<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, ServerError> + Send + 'static,
    ) -> Result<T, ServerError> {
        let store = Arc::clone(&self.store);
        tokio::task::spawn_blocking(move || {
            let mut guard = store
                .lock()
                .map_err(|_| ServerError::Internal("the store's lock is poisoned".into()))?;
            f(&mut guard)
        })
        .await
        .map_err(|e| ServerError::Internal(format!("store task failed: {e}")))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(path: &std::path::Path) -> AppState {
        let mut s = Store::open(path).unwrap();
        s.new_assessment("St Mary", "hospital", "1.0", "t").unwrap();
        let eco = holisec_api::model::builtin().value.ecosystem;
        let q = holisec_api::assess::builtin_questionnaire(&eco)
            .unwrap()
            .value;
        AppState::new(s, eco, q)
    }

    #[tokio::test]
    async fn reads_run_while_the_writer_is_held() {
        let dir = tempfile::tempdir().unwrap();
        let state = state(&dir.path().join("h.db"));
        assert!(state.readers.as_ref().is_some_and(|r| r.size() >= 2));
        // Hold the writer (as a long write would): reads still answer. Were
        // they on the writer's connection, this would wait forever; the
        // timeout only turns that hang into a failure.
        let (locked, is_locked) = std::sync::mpsc::channel();
        let (release, released) = std::sync::mpsc::channel::<()>();
        let store = Arc::clone(&state.store);
        let holder = std::thread::spawn(move || {
            let _writer = store.lock().unwrap();
            locked.send(()).unwrap();
            let _ = released.recv();
        });
        is_locked.recv().unwrap();
        let reads = (0..8).map(|_| {
            let state = state.clone();
            async move { state.read(|s| Ok(s.assessments(None)?.len())).await }
        });
        let all = tokio::time::timeout(Duration::from_secs(60), futures_join_all(reads.collect()))
            .await
            .expect("reads waited for the writer");
        assert!(all.into_iter().all(|n| n.unwrap() == 1));
        release.send(()).unwrap();
        holder.join().unwrap();
    }

    #[tokio::test]
    async fn an_in_memory_store_reads_through_the_writer() {
        let s = Store::open_in_memory().unwrap();
        let eco = holisec_api::model::builtin().value.ecosystem;
        let q = holisec_api::assess::builtin_questionnaire(&eco)
            .unwrap()
            .value;
        let state = AppState::new(s, eco, q);
        assert!(state.readers.is_none());
        assert_eq!(
            state.read(|s| Ok(s.schema_version()?)).await.unwrap(),
            holisec_store::SCHEMA_VERSION
        );
    }

    /// Awaits every future (spawned, so they run at once).
    async fn futures_join_all<T: Send + 'static>(
        futures: Vec<impl std::future::Future<Output = T> + Send + 'static>,
    ) -> Vec<T> {
        let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
        let mut out = Vec::new();
        for h in handles {
            out.push(h.await.unwrap());
        }
        out
    }
}
