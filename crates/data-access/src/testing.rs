//! A fresh, migrated database per test, dropped when the test ends.
//!
//! `TEST_DATABASE_URL` picks the server: unset means a SQLite file in the temp folder;
//! `mysql://root@127.0.0.1:3306` or `postgres://postgres@127.0.0.1:5432/postgres` make a new
//! database on that server for each test, so tests run in parallel without sharing rows.
//! Setup failures panic: this is test support and a broken setup must stop the test.
#![allow(clippy::expect_used, clippy::panic)]

use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend};
use std::path::PathBuf;
use uuid::Uuid;

#[derive(Debug)]
enum Location {
    SqliteFile(PathBuf),
    Server {
        admin_url: String,
        name: String,
        backend: DbBackend,
    },
}

/// A database that exists for one test.
#[derive(Debug)]
pub struct TestDatabase {
    /// The URL to give the code under test.
    pub url: String,
    /// A connection for the test's own checks.
    pub db: DatabaseConnection,
    location: Location,
}

impl TestDatabase {
    /// Creates and migrates a database on the server `TEST_DATABASE_URL` names (SQLite when
    /// unset).
    pub async fn create() -> Self {
        let name = format!("trove_t_{}", Uuid::new_v4().simple());
        let (url, location) = match std::env::var("TEST_DATABASE_URL") {
            Ok(server) if !server.is_empty() && !server.starts_with("sqlite") => {
                let backend = if server.starts_with("postgres") {
                    DbBackend::Postgres
                } else {
                    DbBackend::MySql
                };
                let admin = Database::connect(server.as_str())
                    .await
                    .expect("TEST_DATABASE_URL must point at a running database server");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create the test database");
                admin.close().await.ok();
                (
                    format!("{}/{name}", server_root(&server)),
                    Location::Server {
                        admin_url: server,
                        name,
                        backend,
                    },
                )
            }
            _ => {
                let path = std::env::temp_dir().join(format!("{name}.db"));
                (
                    format!("sqlite://{}?mode=rwc", path.display()),
                    Location::SqliteFile(path),
                )
            }
        };
        let db = Database::connect(url.as_str())
            .await
            .expect("connect to the test database");
        crate::migrate(&db)
            .await
            .expect("migrate the test database");
        Self { url, db, location }
    }

    pub fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }
}

async fn drop_database(admin_url: String, statement: String) -> Result<(), String> {
    let admin = Database::connect(admin_url.as_str())
        .await
        .map_err(|error| error.to_string())?;
    let dropped = admin.execute_unprepared(&statement).await.map(drop);
    admin.close().await.ok();
    dropped.map_err(|error| error.to_string())
}

/// `scheme://user@host:port` without any path or query.
fn server_root(url: &str) -> &str {
    let authority_start = url.find("://").map_or(0, |index| index + 3);
    match url[authority_start..].find(['/', '?']) {
        Some(end) => &url[..authority_start + end],
        None => url,
    }
}

impl TestDatabase {
    /// What a test left unsettled in the job queue: every dead job and, with `due`, every
    /// pending job whose time has come. Each as `kind: last error or status`.
    pub async fn unsettled_jobs(&self, due: bool) -> Result<Vec<String>, sea_orm::DbErr> {
        use crate::entities::job;
        use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};
        use trove_domain::job::JobStatus;
        let mut unsettled = Condition::any().add(job::Column::Status.eq(JobStatus::Dead));
        if due {
            unsettled = unsettled.add(
                Condition::all()
                    .add(job::Column::Status.eq(JobStatus::Pending))
                    .add(job::Column::RunAt.lte(crate::jobs::now())),
            );
        }
        let rows = job::Entity::find().filter(unsettled).all(&self.db).await?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let why = row.last_error.unwrap_or_else(|| row.status.to_string());
                format!("{}: {why}", row.kind)
            })
            .collect())
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.location {
            Location::SqliteFile(path) => {
                for suffix in ["", "-wal", "-shm", "-journal"] {
                    let mut file = path.clone().into_os_string();
                    file.push(suffix);
                    let _ = std::fs::remove_file(file);
                }
            }
            Location::Server {
                admin_url,
                name,
                backend,
            } => {
                let statement = match backend {
                    DbBackend::Postgres => format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                    _ => format!("DROP DATABASE IF EXISTS {name}"),
                };
                let cleanup = drop_database(admin_url.clone(), statement);
                let dropped = match tokio::runtime::Handle::try_current() {
                    // The connection drivers run on the test's runtime, so cleanup must
                    // not block it: a multi-thread runtime lends this thread out meanwhile.
                    Ok(handle) => match handle.runtime_flavor() {
                        tokio::runtime::RuntimeFlavor::MultiThread => {
                            tokio::task::block_in_place(|| handle.block_on(cleanup))
                        }
                        _ => panic!(
                            "TestDatabase on a server needs #[tokio::test(flavor = \"multi_thread\")]"
                        ),
                    },
                    Err(_) => tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .map_err(|error| error.to_string())
                        .and_then(|runtime| runtime.block_on(cleanup)),
                };
                if let Err(error) = dropped {
                    eprintln!("could not drop test database {name}: {error}");
                }
            }
        }
    }
}

/// The SMTP sink `.ci/run` starts (`.ci/smtp_sink.py`), as tests that check delivered
/// mail see it: it writes each message it accepts to `<recipient>-<random>.eml`.
pub mod smtp_sink {
    use std::path::{Path, PathBuf};

    /// The sink's `host:port` and folder from `TEST_SMTP_ADDR`/`TEST_SMTP_DIR`; `None`
    /// when either is unset (the test skips).
    pub fn from_env() -> Option<(String, PathBuf)> {
        let address = std::env::var("TEST_SMTP_ADDR")
            .ok()
            .filter(|a| !a.is_empty())?;
        let dir = std::env::var("TEST_SMTP_DIR")
            .ok()
            .filter(|d| !d.is_empty())?;
        Some((address, PathBuf::from(dir)))
    }

    /// The messages the sink holds for `address`, as written.
    pub fn mails_to(dir: &Path, address: &str) -> Vec<String> {
        std::fs::read_dir(dir)
            .expect("the SMTP sink's folder")
            .filter_map(Result::ok)
            .filter(|entry| {
                let name = entry.file_name().to_string_lossy().into_owned();
                name.starts_with(address) && name.ends_with(".eml")
            })
            .filter_map(|entry| std::fs::read_to_string(entry.path()).ok())
            .collect()
    }
}

/// A TCP forwarder in front of a server (database, queue), to cut, freeze and restore the
/// connection the way an outage or a network partition does.
pub mod tcp_proxy {
    use std::net::SocketAddr;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};
    use tokio::sync::{Mutex, watch};
    use tokio::task::JoinSet;

    #[derive(Debug)]
    pub struct TcpProxy {
        pub port: u16,
        open: Arc<AtomicBool>,
        frozen: watch::Sender<bool>,
        connections: Arc<Mutex<JoinSet<()>>>,
    }

    impl TcpProxy {
        pub async fn start(target: SocketAddr) -> Self {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("tcp proxy");
            let port = listener.local_addr().expect("tcp proxy").port();
            let open = Arc::new(AtomicBool::new(true));
            let (frozen, _) = watch::channel(false);
            let connections = Arc::new(Mutex::new(JoinSet::new()));
            let (accepting, tasks, freezes) = (open.clone(), connections.clone(), frozen.clone());
            tokio::spawn(async move {
                while let Ok((inbound, _)) = listener.accept().await {
                    if !accepting.load(Ordering::SeqCst) {
                        drop(inbound);
                        continue;
                    }
                    let freezes = freezes.clone();
                    tasks.lock().await.spawn(async move {
                        if let Ok(outbound) = TcpStream::connect(target).await {
                            let (from_client, to_client) = inbound.into_split();
                            let (from_server, to_server) = outbound.into_split();
                            tokio::select! {
                                () = pipe(from_client, to_server, freezes.subscribe()) => {}
                                () = pipe(from_server, to_client, freezes.subscribe()) => {}
                            }
                        }
                    });
                }
            });
            Self {
                port,
                open,
                frozen,
                connections,
            }
        }

        /// A proxy in front of the server of a MySQL/PostgreSQL `url`, and that URL
        /// through the proxy; `None` for SQLite, which has no network to cut.
        pub async fn in_front_of(url: &str) -> Option<(Self, String)> {
            if url.starts_with("sqlite") {
                return None;
            }
            let authority_start = url
                .find('@')
                .map(|at| at + 1)
                .or_else(|| url.find("://").map(|i| i + 3))?;
            let authority_end = url[authority_start..]
                .find('/')
                .map(|end| authority_start + end)?;
            let authority = &url[authority_start..authority_end];
            let target = tokio::net::lookup_host(authority).await.ok()?.next()?;
            let proxy = Self::start(target).await;
            let proxied = format!(
                "{}127.0.0.1:{}{}",
                &url[..authority_start],
                proxy.port,
                &url[authority_end..]
            );
            Some((proxy, proxied))
        }

        /// Drops every open connection and refuses new ones.
        pub async fn cut(&self) {
            self.open.store(false, Ordering::SeqCst);
            self.connections.lock().await.abort_all();
        }

        /// A partition: connections stay open but nothing passes either way (what is sent
        /// meanwhile arrives after `restore`), and new connections are refused.
        pub fn freeze(&self) {
            self.open.store(false, Ordering::SeqCst);
            self.frozen.send_replace(true);
        }

        pub fn restore(&self) {
            self.frozen.send_replace(false);
            self.open.store(true, Ordering::SeqCst);
        }
    }

    /// Copies `from` to `to`, holding bytes back while frozen.
    async fn pipe(
        mut from: tokio::net::tcp::OwnedReadHalf,
        mut to: tokio::net::tcp::OwnedWriteHalf,
        mut frozen: watch::Receiver<bool>,
    ) {
        let mut buffer = vec![0u8; 16 * 1024];
        loop {
            let read = match from.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(read) => read,
            };
            if frozen.wait_for(|frozen| !frozen).await.is_err() {
                return;
            }
            if to.write_all(&buffer[..read]).await.is_err() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::server_root;
    use super::tcp_proxy::TcpProxy;
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A server that greets first (as MySQL does), then echoes.
    async fn greeting_echo_server() -> std::net::SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                tokio::spawn(async move {
                    stream.write_all(b"hello").await.unwrap();
                    let mut buffer = [0u8; 64];
                    while let Ok(read) = stream.read(&mut buffer).await {
                        if read == 0 || stream.write_all(&buffer[..read]).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        address
    }

    #[tokio::test]
    async fn the_proxy_forwards_freezes_and_restores() {
        let proxy = TcpProxy::start(greeting_echo_server().await).await;
        let mut client = tokio::net::TcpStream::connect(("127.0.0.1", proxy.port))
            .await
            .unwrap();
        let mut greeting = [0u8; 5];
        client.read_exact(&mut greeting).await.unwrap();
        assert_eq!(&greeting, b"hello");
        client.write_all(b"ping").await.unwrap();
        let mut echo = [0u8; 4];
        client.read_exact(&mut echo).await.unwrap();
        assert_eq!(&echo, b"ping");

        proxy.freeze();
        client.write_all(b"held").await.unwrap();
        let held = tokio::time::timeout(Duration::from_millis(300), client.read(&mut echo)).await;
        assert!(held.is_err(), "nothing passes while frozen");
        proxy.restore();
        client.read_exact(&mut echo).await.unwrap();
        assert_eq!(&echo, b"held", "what was held arrives after the partition");
    }

    #[test]
    fn server_root_strips_database_and_query() {
        assert_eq!(
            server_root("mysql://root@127.0.0.1:3306"),
            "mysql://root@127.0.0.1:3306"
        );
        assert_eq!(
            server_root("mysql://root@127.0.0.1:3306/test"),
            "mysql://root@127.0.0.1:3306"
        );
        assert_eq!(
            server_root("postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"),
            "postgres://postgres@127.0.0.1:5432"
        );
    }
}
