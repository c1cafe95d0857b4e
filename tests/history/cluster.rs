//! A throwaway PostgreSQL cluster from Debian's `postgresql` package: `initdb` into a temporary
//! folder, its own port on 127.0.0.1 (and its socket in that folder), TLS with a self-signed
//! certificate made here, password authentication. Run as the `postgres` user when the tests
//! run as root. Stopped when dropped, and by a watchdog when the test process ends any other
//! way (a shared cluster lives in a static, which is never dropped).
//!
//! The binaries missing is a failure, never a skip: CI installs them (`.ci/run`).

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

pub const PASSWORD: &str = "pg-Secret-41";

pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    pub port: u16,
    as_postgres: bool,
}

/// The newest `/usr/lib/postgresql/<version>/bin` that has `initdb` and `pg_ctl`.
fn binaries() -> PathBuf {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            (bin.join("initdb").exists() && bin.join("pg_ctl").exists()).then_some((version, bin))
        })
        .collect();
    found.sort();
    match found.pop() {
        Some((_, bin)) => bin,
        None => panic!(
            "the PostgreSQL tests need a PostgreSQL server: no initdb/pg_ctl under \
             /usr/lib/postgresql/*/bin. Install Debian's package: apt-get install postgresql \
             (CI's .ci/run does)"
        ),
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn check(what: &str, cmd: &mut Command) {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Cluster {
    /// A new cluster, started.
    pub fn start() -> Self {
        let bin = binaries();
        let as_postgres = is_root();
        let dir = std::env::temp_dir().join(format!(
            "smdr-pg-{}-{}",
            std::process::id(),
            fastrand::u64(..)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let port = free_port();
        let c = Self {
            dir,
            bin,
            port,
            as_postgres,
        };
        c.watchdog();
        std::fs::write(c.dir.join("pwfile"), PASSWORD).unwrap();
        // A self-signed certificate for TLS (EC: quick to make), valid for localhost.
        check(
            "openssl req",
            Command::new("openssl")
                .args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
                .args(["ec_paramgen_curve:prime256v1", "-nodes", "-days", "2"])
                .args(["-subj", "/CN=localhost"])
                .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
                .arg("-keyout")
                .arg(c.dir.join("server.key"))
                .arg("-out")
                .arg(c.dir.join("server.crt")),
        );
        if as_postgres {
            check(
                "chown",
                Command::new("chown").arg("-R").arg("postgres:").arg(&c.dir),
            );
        }
        check(
            "chmod",
            Command::new("chmod")
                .arg("600")
                .arg(c.dir.join("server.key")),
        );
        let data = c.data();
        check(
            "initdb",
            c.command("initdb")
                .arg("-D")
                .arg(&data)
                .args(["-U", "postgres", "--auth=scram-sha-256", "--no-locale"])
                .args(["-E", "UTF8", "--no-sync"])
                .arg(format!("--pwfile={}", c.dir.join("pwfile").display())),
        );
        let conf = format!(
            "\nlisten_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{dir}'\n\
             fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 40\n\
             ssl = on\nssl_cert_file = '{dir}/server.crt'\nssl_key_file = '{dir}/server.key'\n",
            dir = c.dir.display()
        );
        let mut text = std::fs::read_to_string(data.join("postgresql.conf")).unwrap();
        text.push_str(&conf);
        std::fs::write(data.join("postgresql.conf"), text).unwrap();
        c.start_again();
        c
    }

    /// The cluster the tests of this binary share (started once).
    pub fn shared() -> &'static Cluster {
        static SHARED: OnceLock<Cluster> = OnceLock::new();
        SHARED.get_or_init(Cluster::start)
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// The server's process id (the benchmark counts its processes' CPU time).
    #[allow(dead_code)]
    pub fn server_pid(&self) -> Option<u32> {
        let text = std::fs::read_to_string(self.data().join("postmaster.pid")).ok()?;
        text.lines().next()?.trim().parse().ok()
    }

    /// The self-signed certificate the server presents.
    pub fn cert(&self) -> PathBuf {
        self.dir.join("server.crt")
    }

    /// A server binary, as the `postgres` user when we are root (the server refuses root).
    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    fn pg_ctl(&self, args: &[&str]) -> Command {
        let mut c = self.command("pg_ctl");
        c.arg("-D").arg(self.data()).args(args);
        c
    }

    pub fn start_again(&self) {
        check(
            "pg_ctl start",
            self.pg_ctl(&["-w", "-t", "60", "start", "-l"])
                .arg(self.dir.join("server.log"))
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        );
    }

    pub fn stop(&self) {
        check(
            "pg_ctl stop",
            &mut self.pg_ctl(&["-w", "-m", "fast", "stop"]),
        );
    }

    /// Stops the server and removes its folder once this process has ended, however it ends.
    fn watchdog(&self) {
        let ctl = self.bin.join("pg_ctl");
        let stop = if self.as_postgres {
            format!(
                "runuser -u postgres -- {} -D {} -m immediate stop",
                ctl.display(),
                self.data().display()
            )
        } else {
            format!(
                "{} -D {} -m immediate stop",
                ctl.display(),
                self.data().display()
            )
        };
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf {dir}",
            pid = std::process::id(),
            dir = self.dir.display()
        );
        // Outlives this process on purpose: it is what stops the server after the end.
        #[allow(clippy::zombie_processes)]
        Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
    }

    /// `postgres://postgres:…@127.0.0.1:PORT/DB?PARAMS`.
    pub fn url(&self, db: &str, params: &str) -> String {
        let q = if params.is_empty() {
            String::new()
        } else {
            format!("?{params}")
        };
        format!(
            "postgres://postgres:{PASSWORD}@127.0.0.1:{}/{db}{q}",
            self.port
        )
    }

    /// A new, empty database for one test.
    pub fn database(&self, name: &str) -> String {
        let mut client =
            postgres::Client::connect(&self.url("postgres", "sslmode=disable"), postgres::NoTls)
                .unwrap();
        client
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
            .unwrap();
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        self.url(name, "sslmode=disable")
    }

    /// Runs SQL on a database as the superuser.
    pub fn sql(&self, db: &str, sql: &str) -> Vec<postgres::Row> {
        let mut client =
            postgres::Client::connect(&self.url(db, "sslmode=disable"), postgres::NoTls).unwrap();
        client.query(sql, &[]).unwrap()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self
            .pg_ctl(&["-w", "-m", "immediate", "stop"])
            .stdin(Stdio::null())
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
