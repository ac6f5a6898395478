//! Exit statuses and the one place errors become text on stderr.
//!
//! `0` success, `1` the command failed for a reason outside the input (I/O,
//! environment), `2` the input was invalid (bad model file, bad flag value).

use std::process::ExitCode;

/// Why a command stopped.
#[derive(Debug)]
pub enum CliError {
    /// The user's input is wrong: exit status 2.
    Invalid(anyhow::Error),
    /// Something outside the input failed: exit status 1.
    Failed(anyhow::Error),
    /// Diagnostics were already printed; exit with this status.
    Reported(u8),
}

/// Result of a command.
pub type CliResult<T = ()> = Result<T, CliError>;

impl From<anyhow::Error> for CliError {
    fn from(err: anyhow::Error) -> Self {
        CliError::Failed(err)
    }
}

impl From<std::io::Error> for CliError {
    fn from(err: std::io::Error) -> Self {
        CliError::Failed(err.into())
    }
}

/// Shorthand for an invalid-input error with a message.
pub fn invalid(message: impl std::fmt::Display) -> CliError {
    CliError::Invalid(anyhow::anyhow!("{message}"))
}

impl CliError {
    /// Prints the error (if not yet printed) and returns the exit status.
    pub fn report(self) -> ExitCode {
        let (err, code) = match self {
            CliError::Reported(code) => return ExitCode::from(code),
            CliError::Invalid(err) => (err, 2),
            CliError::Failed(err) => (err, 1),
        };
        // A closed pipe (`holisec show | head`) is not a failure.
        if err.chain().any(|cause| {
            cause
                .downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
        }) {
            return ExitCode::SUCCESS;
        }
        // Messages quote file names and content: nothing in them may drive the terminal.
        eprintln!("error: {}", crate::terminal::prose(&format!("{err:#}")));
        ExitCode::from(code)
    }
}
