//! The worker pool of the commands that take `--threads`.

use crate::error::{CliError, CliResult};

/// A rayon pool of `threads` workers (every core when `None`). The engines
/// split work in fixed chunks, so the size never changes their output.
pub fn worker_pool(threads: Option<usize>) -> CliResult<rayon::ThreadPool> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(t) = threads {
        builder = builder.num_threads(t);
    }
    builder
        .build()
        .map_err(|e| CliError::Failed(anyhow::anyhow!("cannot start worker threads: {e}")))
}
