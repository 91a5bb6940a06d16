//! `cargo run -p tag-service [-- DATABASE_URL] [--port PORT]`: see `config.rs` and the
//! crate's README.

use std::io::Write;
use std::process::ExitCode;

use tag_service::{config, Command};

#[tokio::main]
async fn main() -> ExitCode {
    match Command::parse(std::env::args().skip(1), |name| std::env::var(name).ok()) {
        Ok(Command::Help) => {
            // Output closed early (`| head`) is not an error of ours.
            let _ = writeln!(std::io::stdout(), "{}", config::USAGE);
            ExitCode::SUCCESS
        }
        Ok(Command::Serve(config)) => match tag_service::run(config).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                let _ = writeln!(std::io::stderr(), "tag-service: {e}");
                ExitCode::FAILURE
            }
        },
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "tag-service: {message}");
            ExitCode::from(2)
        }
    }
}
