// What the examples that run on any backend share, included by each with `#[path]`:
//
// - `per_backend!("story.rs")`: the story, plain Rust against a `Conn` alias, compiled once
//   per enabled backend (`on_sqlite`, `on_postgres`, `on_mysql`), since Diesel code with
//   operators (`.eq`, `.and`...) cannot be generic over an abstract backend;
// - `main_by_url!("file.db", run)`: `main`, which calls `on_<backend>::run(&mut conn)` on the
//   database of the URL given as the first argument or in `DATABASE_URL` (a `postgres://` or
//   `mysql://` URL needs the backend's feature), else on an SQLite file made fresh.

// `gm2m.rs` stamps its story per backend with a macro of its own.
#[allow(unused_macros)]
macro_rules! per_backend {
    ($file:literal) => {
        #[cfg(feature = "sqlite")]
        mod on_sqlite {
            pub type Conn = diesel::SqliteConnection;
            include!($file);
        }
        #[cfg(feature = "postgres")]
        mod on_postgres {
            pub type Conn = diesel::PgConnection;
            include!($file);
        }
        #[cfg(feature = "mysql")]
        mod on_mysql {
            pub type Conn = diesel::MysqlConnection;
            include!($file);
        }
    };
}

macro_rules! main_by_url {
    ($default:literal, $run:ident) => {
        fn main() -> Result<(), Box<dyn std::error::Error>> {
            #[allow(unused_imports)]
            use diesel::Connection;
            let url = std::env::args()
                .nth(1)
                .or_else(|| std::env::var("DATABASE_URL").ok())
                .unwrap_or_else(|| $default.to_string());
            if url.starts_with("postgres://") || url.starts_with("postgresql://") {
                #[cfg(feature = "postgres")]
                return on_postgres::$run(&mut diesel::PgConnection::establish(&url)?);
                #[cfg(not(feature = "postgres"))]
                return Err("this is a PostgreSQL URL: run with `--features postgres`".into());
            }
            if url.starts_with("mysql://") {
                #[cfg(feature = "mysql")]
                return on_mysql::$run(&mut diesel::MysqlConnection::establish(&url)?);
                #[cfg(not(feature = "mysql"))]
                return Err("this is a MySQL URL: run with `--features mysql`".into());
            }
            #[cfg(feature = "sqlite")]
            {
                // A fresh file each run.
                let _ = std::fs::remove_file(&url);
                let conn = &mut diesel::SqliteConnection::establish(&url)?;
                // Busy timeout, foreign keys, WAL: what SQLite needs beside other writers.
                contenttypes::sqlite::configure(conn)?;
                on_sqlite::$run(conn)
            }
            #[cfg(not(feature = "sqlite"))]
            Err("SQLite support is off: run with `--features sqlite` or give a server URL".into())
        }
    };
}
