//! The command line: `tag-service [DATABASE_URL] [--host HOST] [--port PORT]`.
//!
//! The URL may also come from `DATABASE_URL`, the port from `PORT`; the defaults are an
//! SQLite file `tag-service.db` in the current directory and `127.0.0.1:3000`. Port 0 lets
//! the system choose one; the address served is printed either way.

/// The default database: an SQLite file in the current directory.
pub const DEFAULT_DATABASE: &str = "tag-service.db";
/// The default port.
pub const DEFAULT_PORT: u16 = 3000;

pub const USAGE: &str = "\
usage: tag-service [DATABASE_URL] [--host HOST] [--port PORT]

  DATABASE_URL  postgres://..., mysql://... or an SQLite file's path
                (default: $DATABASE_URL, else tag-service.db)
  --host HOST   the address to listen on (default 127.0.0.1)
  --port PORT   the port (default: $PORT, else 3000; 0: any free port)";

/// Where the service keeps its data and where it listens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub database_url: String,
    pub host: String,
    pub port: u16,
}

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Serve(Config),
    Help,
}

impl Command {
    /// Reads the arguments (without the program's name) and the environment's
    /// `DATABASE_URL` and `PORT`. An error is a message for the user, with the usage.
    pub fn parse(
        args: impl IntoIterator<Item = String>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Command, String> {
        let mut url = None;
        let mut host = None;
        let mut port = None;
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((flag, value)) if flag.starts_with("--") => {
                    (flag.to_string(), Some(value.to_string()))
                }
                _ => (arg.clone(), None),
            };
            let mut value = |name: &str| {
                inline
                    .clone()
                    .or_else(|| args.next())
                    .ok_or_else(|| format!("{name} needs a value\n\n{USAGE}"))
            };
            match flag.as_str() {
                "-h" | "--help" => return Ok(Command::Help),
                "--host" => host = Some(value("--host")?),
                "--port" => port = Some(parse_port(&value("--port")?)?),
                other if other.starts_with('-') => {
                    return Err(format!("unknown option `{other}`\n\n{USAGE}"))
                }
                _ if url.is_none() => url = Some(arg),
                _ => return Err(format!("one database URL only (`{arg}`)\n\n{USAGE}")),
            }
        }
        let port = match port {
            Some(port) => port,
            None => match env("PORT") {
                Some(port) => parse_port(&port)?,
                None => DEFAULT_PORT,
            },
        };
        Ok(Command::Serve(Config {
            database_url: url
                .or_else(|| env("DATABASE_URL"))
                .unwrap_or_else(|| DEFAULT_DATABASE.to_string()),
            host: host.unwrap_or_else(|| "127.0.0.1".to_string()),
            port,
        }))
    }
}

fn parse_port(text: &str) -> Result<u16, String> {
    text.parse()
        .map_err(|_| format!("`{text}` is not a port (0 to 65535)\n\n{USAGE}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str], env: &[(&str, &str)]) -> Result<Command, String> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Command::parse(args.iter().map(|a| a.to_string()), |name| {
            env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        })
    }

    fn serve(database_url: &str, port: u16) -> Command {
        Command::Serve(Config {
            database_url: database_url.into(),
            host: "127.0.0.1".into(),
            port,
        })
    }

    #[test]
    fn defaults() {
        assert_eq!(parse(&[], &[]), Ok(serve(DEFAULT_DATABASE, 3000)));
    }

    #[test]
    fn url_and_port_from_arguments_before_the_environment() {
        let env = [("DATABASE_URL", "env.db"), ("PORT", "4000")];
        assert_eq!(parse(&[], &env), Ok(serve("env.db", 4000)));
        assert_eq!(
            parse(&["postgres://db/x", "--port", "5000"], &env),
            Ok(serve("postgres://db/x", 5000))
        );
        assert_eq!(parse(&["--port=0", "a.db"], &[]), Ok(serve("a.db", 0)));
    }

    #[test]
    fn mistakes_are_messages() {
        assert!(parse(&["--port", "x"], &[])
            .unwrap_err()
            .contains("not a port"));
        assert!(parse(&["--port"], &[])
            .unwrap_err()
            .contains("needs a value"));
        assert!(parse(&["--verbose"], &[])
            .unwrap_err()
            .contains("unknown option"));
        assert!(parse(&["a.db", "b.db"], &[])
            .unwrap_err()
            .contains("one database URL"));
        assert!(parse(&[], &[("PORT", "99999")])
            .unwrap_err()
            .contains("not a port"));
        assert_eq!(parse(&["--help"], &[]), Ok(Command::Help));
    }
}
