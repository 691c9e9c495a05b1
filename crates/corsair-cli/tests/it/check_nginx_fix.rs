//! The doctor's nginx advice, applied to a real nginx: for a server without CORS, `corsair check
//! --json` says what to add; pasted into the location, it turns the verdict into "allowed".
//!
//! Needs `nginx` (Debian's package; `.ci/run` installs it); without it the test fails and says
//! how to install it.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::temp_dirs::temp_dir;

const PAGE: &str = "http://localhost:8080";

/// An nginx serving one location on a port of its own; stopped when dropped.
struct Nginx {
    dir: PathBuf,
    port: u16,
}

impl Nginx {
    /// Starts nginx with `directives` in its only location, which answers `200` with JSON.
    fn start(name: &str, directives: &str) -> Nginx {
        let binary = nginx_binary();
        let dir = temp_dir(&format!("nginx-fix-{name}"));
        let port = free_port();
        let d = dir.display();
        let config = format!(
            "worker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
             events {{ worker_connections 64; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
             \x20 fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
             \x20 server {{\n    listen 127.0.0.1:{port};\n    location / {{\n{directives}\n\
             \x20     default_type application/json;\n      return 200 '[]';\n    }}\n  }}\n}}\n"
        );
        let path = dir.join("nginx.conf");
        std::fs::write(&path, config).unwrap();
        let status = Command::new(&binary)
            .arg("-c")
            .arg(&path)
            .arg("-p")
            .arg(&dir)
            .status()
            .unwrap();
        assert!(status.success(), "nginx did not start: {}", error_log(&dir));
        let nginx = Nginx { dir, port };
        nginx.wait_until_listening();
        nginx
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/api/items", self.port)
    }

    fn wait_until_listening(&self) {
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("nginx does not listen: {}", error_log(&self.dir));
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(self.dir.join("nginx.pid")) {
            let _ = Command::new("kill").arg(pid.trim()).status();
        }
    }
}

fn nginx_binary() -> PathBuf {
    let found = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.is_file());
    found.expect("nginx is missing: install it with `apt-get install -y nginx`")
}

fn error_log(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("error.log")).unwrap_or_default()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn check(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corsair"))
        .args(["check", url, "--origin", PAGE, "--json"])
        .args(args)
        .output()
        .unwrap()
}

fn verdict(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

#[test]
fn the_nginx_fix_makes_the_request_pass_in_real_nginx() {
    let requests: [(&str, &[&str]); 4] = [
        ("get", &[]),
        ("get-credentials", &["--credentials"]),
        (
            "put-json",
            &["--method", "PUT", "-H", "Content-Type: application/json"],
        ),
        (
            "delete-token-credentials",
            &["--method", "DELETE", "-H", "X-Token: 1", "--credentials"],
        ),
    ];
    let bare = Nginx::start("bare", "");
    for (name, args) in requests {
        let before = check(&bare.url(), args);
        assert_eq!(
            before.status.code(),
            Some(1),
            "{name}: blocked without CORS"
        );
        let before = verdict(&before);
        let snippet = before["advice"][0]["nginx"]
            .as_str()
            .unwrap_or_else(|| panic!("{name}: no nginx advice in {before:#}"));
        let fixed = Nginx::start(name, snippet);
        let after = check(&fixed.url(), args);
        let after_json = verdict(&after);
        assert_eq!(
            after.status.code(),
            Some(0),
            "{name}: still blocked with\n{snippet}\n{after_json:#}"
        );
        assert_eq!(after_json["verdict"], "allowed", "{name}");
        assert_eq!(
            after_json["warnings"].as_array().map(Vec::len),
            Some(usize::from(args.contains(&"--credentials"))),
            "{name}: the fix brings no warning of its own (credentials across sites always get one): {after_json:#}"
        );
    }
}
