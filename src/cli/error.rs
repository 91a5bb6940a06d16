//! What stops a command: a usage error (exit 2) or a failure (exit 3).

use std::fmt;

/// Why a command did not run to the end.
#[derive(Debug)]
pub(crate) enum CliError {
    /// The command line is incomplete (no database URL): clap's message, exit 2.
    Usage(clap::Error),
    /// The database URL names no database this binary can open (an unknown scheme, a backend
    /// feature that is off, a missing SQLite file).
    Url(String),
    /// The database did not accept the connection.
    Connect {
        backend: &'static str,
        error: diesel::ConnectionError,
    },
    /// The framework refused or failed (a database error, a migration, a refused delete).
    Library(crate::Error),
    /// The report could not be written.
    Output(std::io::Error),
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Usage(e) => write!(f, "{}", e.render()),
            CliError::Url(message) => f.write_str(message),
            CliError::Connect { backend, error } => {
                write!(f, "cannot connect to the {backend} database: {error}")
            }
            CliError::Library(e) => write!(f, "{e}"),
            CliError::Output(e) => write!(f, "cannot write the output: {e}"),
        }
    }
}

impl From<crate::Error> for CliError {
    fn from(e: crate::Error) -> Self {
        CliError::Library(e)
    }
}
