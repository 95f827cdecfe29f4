//! A PostgreSQL cluster of one test's own, which the test may stop and start: the shared server
//! must keep serving every other test.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct PrivateCluster {
    data_dir: PathBuf,
    bin: PathBuf,
    pub port: u16,
}

fn pg_bin() -> PathBuf {
    if let Ok(dir) = std::env::var("PG_BIN") {
        return PathBuf::from(dir);
    }
    let mut candidates: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL server binaries (/usr/lib/postgresql); scripts/test installs them")
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists())
        .collect();
    candidates.sort();
    candidates.pop().expect("an initdb under /usr/lib/postgresql/*/bin")
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Runs a PostgreSQL binary as `postgres` when we are root (they refuse to run as root).
fn run(bin: &Path, program: &str, args: &[&str]) -> std::process::Output {
    let path = bin.join(program);
    let mut command = if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(&path);
        c
    } else {
        Command::new(&path)
    };
    command.args(args).output().unwrap_or_else(|e| panic!("run {program}: {e}"))
}

impl PrivateCluster {
    /// initdb + start, with a `chihoi` database owned by the trusted superuser `postgres`.
    pub fn start_new() -> PrivateCluster {
        let bin = pg_bin();
        let data_dir = std::env::temp_dir().join(format!("chihoi-pg-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&data_dir).expect("create cluster directory");
        if is_root() {
            let status = Command::new("chown").args(["postgres:postgres"]).arg(&data_dir).status().expect("chown");
            assert!(status.success(), "chown cluster directory to postgres");
        }
        let data = data_dir.to_string_lossy().into_owned();
        let out =
            run(&bin, "initdb", &["-D", &data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]);
        assert!(out.status.success(), "initdb: {}", String::from_utf8_lossy(&out.stderr));
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port();
        let conf = format!(
            "listen_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{data}'\nfsync = off\nmax_connections = 50\n"
        );
        // Root may write into the postgres-owned directory; the file keeps its owner.
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(data_dir.join("postgresql.conf"))
            .expect("open postgresql.conf");
        std::io::Write::write_all(&mut file, conf.as_bytes()).expect("configure the private cluster");
        let cluster = PrivateCluster { data_dir, bin, port };
        cluster.start();
        let out = run(
            &cluster.bin,
            "psql",
            &[
                "-h",
                &data,
                "-p",
                &port.to_string(),
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-qc",
                "CREATE DATABASE chihoi",
            ],
        );
        assert!(out.status.success(), "create database: {}", String::from_utf8_lossy(&out.stderr));
        cluster
    }

    /// A hot standby streaming from `primary` (pg_basebackup -R), on a port of its own.
    pub fn replica_of(primary: &PrivateCluster) -> PrivateCluster {
        let bin = primary.bin.clone();
        let data_dir = std::env::temp_dir().join(format!("chihoi-pg-{}", uuid::Uuid::now_v7().simple()));
        let data = data_dir.to_string_lossy().into_owned();
        let source = primary.data_dir.to_string_lossy().into_owned();
        let out = run(
            &bin,
            "pg_basebackup",
            &[
                "-h",
                &source,
                "-p",
                &primary.port.to_string(),
                "-U",
                "postgres",
                "-D",
                &data,
                "-R",
                "-X",
                "stream",
                "-c",
                "fast",
            ],
        );
        assert!(out.status.success(), "pg_basebackup: {}", String::from_utf8_lossy(&out.stderr));
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port();
        // Later lines win: the copied configuration's port and socket directory are replaced.
        let conf = format!("port = {port}\nunix_socket_directories = '{data}'\nhot_standby = on\n");
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(data_dir.join("postgresql.conf"))
            .expect("open the replica's postgresql.conf");
        std::io::Write::write_all(&mut file, conf.as_bytes()).expect("configure the replica");
        let replica = PrivateCluster { data_dir, bin, port };
        replica.start();
        replica
    }

    /// Runs one SQL statement as the superuser; returns its unaligned output.
    pub fn sql(&self, statement: &str) -> String {
        let data = self.data_dir.to_string_lossy().into_owned();
        let port = self.port.to_string();
        let out =
            run(&self.bin, "psql", &["-h", &data, "-p", &port, "-U", "postgres", "-d", "chihoi", "-Atqc", statement]);
        assert!(out.status.success(), "psql: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/chihoi", self.port)
    }

    pub fn start(&self) {
        let data = self.data_dir.to_string_lossy();
        let log = format!("{data}/server.log");
        let out = run(&self.bin, "pg_ctl", &["-D", &data, "-l", &log, "-w", "-t", "60", "start"]);
        assert!(out.status.success(), "pg_ctl start: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// Stops the server the way a crash or an operator would: at once, dropping connections.
    pub fn stop(&self) {
        let data = self.data_dir.to_string_lossy();
        let out = run(&self.bin, "pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"]);
        assert!(out.status.success(), "pg_ctl stop: {}", String::from_utf8_lossy(&out.stderr));
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        let data = self.data_dir.to_string_lossy().into_owned();
        let _ = run(&self.bin, "pg_ctl", &["-D", &data, "-m", "immediate", "stop"]);
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}
