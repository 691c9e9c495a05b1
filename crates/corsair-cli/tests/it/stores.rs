//! Real Redis and PostgreSQL servers for the origin-source tests: each started on a free
//! loopback port in a temporary directory, from Debian's `redis-server` and `postgresql`
//! packages, and stopped by PID (PostgreSQL by `pg_ctl`, as the `postgres` user when the tests
//! run as root, since it refuses to run as root).

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A port nobody listens on now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// Waits until something accepts connections on `port`.
fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    while TcpStream::connect_timeout(&addr, Duration::from_millis(100)).is_err() {
        assert!(
            Instant::now() < deadline,
            "{what} did not start on port {port}"
        );
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// A `redis-server` on a loopback port, with nothing on disk.
pub struct Redis {
    child: Option<Child>,
    pub port: u16,
    password: Option<String>,
    dir: PathBuf,
}

impl Redis {
    /// Starts one.
    pub fn start(dir: &Path) -> Redis {
        Redis::start_with_password(dir, None)
    }

    /// Starts one that requires `password` (`requirepass`).
    pub fn start_with_password(dir: &Path, password: Option<&str>) -> Redis {
        let mut redis = Redis {
            child: None,
            port: free_port(),
            password: password.map(str::to_owned),
            dir: dir.to_owned(),
        };
        redis.run();
        redis
    }

    fn run(&mut self) {
        let mut command = Command::new("redis-server");
        command
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(password) = &self.password {
            command.args(["--requirepass", password]);
        }
        self.child = Some(command.spawn().expect(
            "redis-server runs (apt-get install redis-server; ./scripts/test-all installs it)",
        ));
        wait_for_port(self.port, "redis-server");
    }

    /// `redis://127.0.0.1:PORT/0`, without the password.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// The URL with the password, if it has one.
    pub fn url_with_password(&self) -> String {
        match &self.password {
            Some(password) => format!("redis://:{password}@127.0.0.1:{}/0", self.port),
            None => self.url(),
        }
    }

    /// Kills the server (SIGKILL): its data is gone.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port, empty.
    pub fn restart(&mut self) {
        self.kill();
        self.run();
    }

    /// A connection for the test's own commands.
    pub async fn connection(&self) -> redis::aio::MultiplexedConnection {
        redis::Client::open(self.url_with_password())
            .unwrap()
            .get_multiplexed_async_connection()
            .await
            .expect("the test connects to its redis-server")
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A PostgreSQL cluster in a temporary directory, trusting local connections.
pub struct Postgres {
    pub port: u16,
    dir: PathBuf,
    running: bool,
}

/// The directory of PostgreSQL's binaries (`/usr/lib/postgresql/15/bin` on Debian 12).
fn postgres_bin() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect(
            "PostgreSQL is installed (apt-get install postgresql; ./scripts/test-all installs it)",
        )
        .filter_map(|entry| entry.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("postgres").exists())
        .collect();
    versions.sort_by_key(|bin| {
        bin.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    versions
        .pop()
        .expect("a PostgreSQL version with its binaries")
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.starts_with(b"0"))
}

/// Runs a PostgreSQL binary with `args`, as the `postgres` user when the tests run as root.
fn as_postgres(program: &str, args: &[String]) -> std::process::Output {
    let program = postgres_bin().join(program);
    let mut command = if is_root() {
        let mut line = shell_quote(&program.to_string_lossy());
        for arg in args {
            line.push(' ');
            line.push_str(&shell_quote(arg));
        }
        let mut su = Command::new("su");
        su.args(["postgres", "-s", "/bin/sh", "-c", &line]);
        su
    } else {
        let mut direct = Command::new(program);
        direct.args(args);
        direct
    };
    command
        .stdin(Stdio::null())
        .output()
        .expect("PostgreSQL's tools run")
}

fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

impl Postgres {
    /// Creates a cluster in `dir` and starts it.
    pub fn start(dir: &Path) -> Postgres {
        let dir = dir.join("postgres");
        std::fs::create_dir_all(&dir).unwrap();
        if is_root() {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir)
                .status()
                .unwrap();
            assert!(
                status.success(),
                "chown the cluster's directory to postgres"
            );
            // The postgres user must be able to reach the directory.
            let mut parent = dir.parent();
            while let Some(p) = parent {
                let _ = Command::new("chmod").arg("o+x").arg(p).status();
                parent = p.parent();
            }
        }
        let data = dir.join("data").to_string_lossy().into_owned();
        let init = as_postgres(
            "initdb",
            &[
                "-D".into(),
                data,
                "-A".into(),
                "trust".into(),
                "-U".into(),
                "postgres".into(),
            ],
        );
        assert!(
            init.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&init.stderr)
        );
        let mut postgres = Postgres {
            port: free_port(),
            dir,
            running: false,
        };
        postgres.run();
        postgres
    }

    fn data(&self) -> String {
        self.dir.join("data").to_string_lossy().into_owned()
    }

    fn run(&mut self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("log").to_string_lossy().into_owned();
        let out = as_postgres(
            "pg_ctl",
            &[
                "-D".into(),
                self.data(),
                "-o".into(),
                options,
                "-l".into(),
                log,
                "-w".into(),
                "start".into(),
            ],
        );
        assert!(
            out.status.success(),
            "pg_ctl start failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        self.running = true;
        wait_for_port(self.port, "postgres");
    }

    /// `postgresql://postgres@127.0.0.1:PORT/postgres`.
    pub fn url(&self) -> String {
        format!("postgresql://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// From now on, TCP connections of every user but `postgres` (the test's own) need their
    /// password (`scram-sha-256`); the server reloads its `pg_hba.conf`.
    pub async fn require_passwords(&self) {
        let hba = "local all all trust\n\
                   host all postgres 127.0.0.1/32 trust\n\
                   host all all 127.0.0.1/32 scram-sha-256\n";
        let path = self.dir.join("data").join("pg_hba.conf");
        std::fs::write(&path, hba).unwrap();
        if is_root() {
            let _ = Command::new("chown")
                .arg("postgres:postgres")
                .arg(&path)
                .status();
        }
        let out = as_postgres("pg_ctl", &["-D".into(), self.data(), "reload".into()]);
        assert!(
            out.status.success(),
            "pg_ctl reload failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // The postmaster reads the file again on the signal pg_ctl sends, a moment later: from
        // then on, a user other than `postgres` is asked for a password (even one that does not
        // exist, which it would be told before).
        let probe = format!("postgresql://probe@127.0.0.1:{}/postgres", self.port);
        let asked = crate::wait::until(async || {
            let refused = tokio_postgres::connect(&probe, tokio_postgres::NoTls).await;
            // The driver's error says "invalid configuration", its cause "password missing".
            refused.is_err_and(|e| {
                std::error::Error::source(&e).is_some_and(|c| c.to_string().contains("password"))
            })
        })
        .await;
        assert!(asked, "PostgreSQL never asked for a password");
    }

    /// Stops it at once (`pg_ctl -m immediate`: like a crash, without a clean shutdown).
    pub fn kill(&mut self) {
        if self.running {
            let _ = as_postgres(
                "pg_ctl",
                &[
                    "-D".into(),
                    self.data(),
                    "-m".into(),
                    "immediate".into(),
                    "-w".into(),
                    "stop".into(),
                ],
            );
            self.running = false;
        }
    }

    /// Starts it again on the same port (its data kept).
    pub fn restart(&mut self) {
        self.kill();
        self.run();
    }

    /// A client for the test's own statements.
    pub async fn client(&self) -> tokio_postgres::Client {
        let (client, connection) = tokio_postgres::connect(&self.url(), tokio_postgres::NoTls)
            .await
            .expect("the test connects to its postgres");
        tokio::spawn(connection);
        client
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
