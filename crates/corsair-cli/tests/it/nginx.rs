//! A real nginx for the tests: one server on a free loopback port, in a directory of its own,
//! whose only `location /` has the given body; stopped when dropped.
//!
//! Needs `nginx` (Debian's package; `scripts/test-all` installs it); without it the test fails
//! and says how to install it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::temp_dirs::temp_dir;

/// A running nginx.
pub struct Nginx {
    dir: PathBuf,
    /// Where it listens.
    pub addr: SocketAddr,
}

impl Nginx {
    /// Starts nginx (its files in a new temporary directory named after `name`) with `location`
    /// as the body of its only `location /`, and waits until it listens.
    pub fn start(name: &str, location: &str) -> Nginx {
        let dir = temp_dir(name);
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map(|addr| addr.port())
            .expect("a free loopback port");
        let d = dir.display();
        let config = format!(
            "worker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
             events {{ worker_connections 64; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
             \x20 fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
             \x20 server {{\n    listen 127.0.0.1:{port};\n    location / {{\n{location}\n    }}\n  }}\n}}\n"
        );
        let path = dir.join("nginx.conf");
        std::fs::write(&path, config).unwrap();
        let status = Command::new(binary())
            .arg("-c")
            .arg(&path)
            .arg("-p")
            .arg(&dir)
            .status()
            .unwrap();
        assert!(status.success(), "nginx did not start: {}", error_log(&dir));
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let started = Instant::now();
        while std::net::TcpStream::connect(addr).is_err() {
            assert!(
                started.elapsed() < crate::wait::DEADLINE,
                "nginx does not listen: {}",
                error_log(&dir)
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        Nginx { dir, addr }
    }

    /// An nginx whose location has `directives` and answers `200 []` as JSON: an API without
    /// CORS, to which a test adds CORS directives.
    pub fn json_api(name: &str, directives: &str) -> Nginx {
        Nginx::start(
            name,
            &format!("{directives}\n      default_type application/json;\n      return 200 '[]';"),
        )
    }

    /// `http://ADDR/path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(self.dir.join("nginx.pid")) {
            let _ = Command::new("kill").arg(pid.trim()).status();
        }
    }
}

fn binary() -> PathBuf {
    ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .expect("nginx is missing: install it with `apt-get install -y nginx`")
}

fn error_log(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("error.log")).unwrap_or_default()
}
