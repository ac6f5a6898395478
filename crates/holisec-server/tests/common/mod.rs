//! What the test binaries that drive a real server share.

use std::net::SocketAddr;
use std::sync::mpsc;

use holisec_server::{AppState, Config};
use holisec_store::Store;

/// Starts the application over `store` (with the built-in model and
/// questionnaire) on `127.0.0.1:0` on its own runtime thread; its address.
pub fn start_server(store: Store) -> SocketAddr {
    let eco = holisec_api::model::builtin().value.ecosystem;
    let q = holisec_api::assess::builtin_questionnaire(&eco)
        .unwrap()
        .value;
    let state = AppState::new(store, eco, q);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        holisec_server::serve_blocking(
            state,
            Config::default(),
            "127.0.0.1:0".parse().unwrap(),
            move |addr| tx.send(addr).unwrap(),
        )
        .unwrap();
    });
    rx.recv().unwrap()
}
