//! What every handler shares ([`AppState`]) and the application's settings
//! ([`Config`]).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use holisec_assess::Questionnaire;
use holisec_model::Ecosystem;
use holisec_store::Store;
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
        }
    }
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub(crate) store: Arc<Mutex<Store>>,
    pub(crate) eco: Arc<Ecosystem>,
    pub(crate) q: Arc<Questionnaire>,
    pub(crate) throttle: Arc<throttle::Throttle>,
    /// Sessions in the database (`None`: in memory, lost at restart).
    pub(crate) sessions: Option<RusqliteStore>,
    /// [`Config::lifetime`].
    pub(crate) lifetime: Duration,
    /// The job runner (its thread ends when the last clone is dropped).
    pub(crate) runner: Arc<crate::jobs::Runner>,
}

impl AppState {
    /// State over an open store, the model and the questionnaire checked against it.
    pub fn new(store: Store, eco: Ecosystem, q: Questionnaire) -> AppState {
        let store = Arc::new(Mutex::new(store));
        let eco = Arc::new(eco);
        AppState {
            runner: Arc::new(crate::jobs::Runner::start(
                Arc::clone(&store),
                Arc::clone(&eco),
            )),
            store,
            eco,
            q: Arc::new(q),
            throttle: Arc::new(throttle::Throttle::default()),
            sessions: None,
            lifetime: Config::default().lifetime,
        }
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
