//! The Kubernetes manifests of `deploy/kubernetes`, as corsair sees them: every ConfigMap's
//! `corsair.toml` passes `corsair lint`; each pod's grace period covers its shutdown; and
//! `corsair serve`, run with a Deployment's own arguments, follows its ConfigMap when it is
//! updated the way the kubelet updates a mounted volume. (`scripts/test-all` validates the
//! manifests themselves against Kubernetes' schemas.)

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::serve_support::*;
use crate::temp_dirs::temp_dir;
use crate::wait;

const DEPLOY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../deploy/kubernetes");

/// Where the manifests mount the ConfigMap, and the file `--config` names in it.
const MOUNTED_CONFIG: &str = "/etc/corsair/corsair.toml";

/// One YAML document of a manifest file.
struct Document {
    file: PathBuf,
    text: String,
}

impl Document {
    /// The value of the top-level `kind`.
    fn kind(&self) -> &str {
        self.text
            .lines()
            .find_map(|line| line.strip_prefix("kind: "))
            .unwrap_or_else(|| panic!("{}: a document without kind", self.file.display()))
    }

    /// The literal block scalar `key: |` (a ConfigMap's file), without its indentation.
    fn block(&self, key: &str) -> Option<String> {
        let mut lines = self.text.lines();
        let head = lines.find(|line| line.trim_end() == format!("{}{key}: |", indent_of(line)))?;
        let outer = indent_of(head).len();
        let body: Vec<&str> = lines
            .take_while(|line| line.trim().is_empty() || indent_of(line).len() > outer)
            .collect();
        let inner = body
            .iter()
            .find(|l| !l.trim().is_empty())
            .map(|l| indent_of(l).len())?;
        let mut text: String = body
            .iter()
            .map(|line| format!("{}\n", line.get(inner..).unwrap_or("")))
            .collect();
        // `|` keeps one final line break.
        text.truncate(text.trim_end().len());
        text.push('\n');
        Some(text)
    }

    /// The `args` of the corsair container (written as one flow sequence, which is JSON).
    fn corsair_args(&self) -> Vec<String> {
        let line = self
            .text
            .lines()
            .find_map(|line| line.trim().strip_prefix("args: "))
            .unwrap_or_else(|| panic!("{}: no args", self.file.display()));
        serde_json::from_str(line).unwrap_or_else(|e| panic!("args {line}: {e}"))
    }

    /// The number after `key: ` on every line that has one.
    fn numbers(&self, key: &str) -> Vec<u64> {
        let prefix = format!("{key}: ");
        self.text
            .lines()
            .filter_map(|line| line.trim().strip_prefix(&prefix))
            .map(|n| n.parse().unwrap_or_else(|e| panic!("{key}: {n}: {e}")))
            .collect()
    }
}

fn indent_of(line: &str) -> &str {
    &line[..line.len() - line.trim_start().len()]
}

/// Every document of every manifest, edge and sidecar.
fn documents() -> Vec<Document> {
    let mut files = Vec::new();
    for variant in ["edge", "sidecar"] {
        for entry in std::fs::read_dir(Path::new(DEPLOY).join(variant)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yaml") {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut documents = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for part in text.split("\n---\n") {
            documents.push(Document {
                file: file.clone(),
                text: part.to_owned(),
            });
        }
    }
    documents
}

/// The `corsair.toml` of the ConfigMap that `variant`'s Deployment mounts.
fn configmap_toml(variant: &str) -> String {
    documents()
        .into_iter()
        .find(|d| d.file.starts_with(Path::new(DEPLOY).join(variant)) && d.kind() == "ConfigMap")
        .and_then(|d| d.block("corsair.toml"))
        .unwrap_or_else(|| panic!("{variant}: no ConfigMap with corsair.toml"))
}

/// A duration of the `[server]` table, written in whole seconds (`"5s"`); 0 when absent.
fn seconds(config: &toml::Table, key: &str) -> u64 {
    match config["server"].get(key) {
        None => 0,
        Some(value) => {
            let text = value.as_str().unwrap();
            text.strip_suffix('s')
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("{key} = {text:?}: write whole seconds here"))
        }
    }
}

#[test]
fn every_configmaps_configuration_passes_lint() {
    let dir = temp_dir("kubernetes-lint");
    let mut linted = 0;
    for document in documents().iter().filter(|d| d.kind() == "ConfigMap") {
        let toml = document
            .block("corsair.toml")
            .unwrap_or_else(|| panic!("{}: no corsair.toml", document.file.display()));
        let file = dir.join(format!("{linted}.toml"));
        std::fs::write(&file, &toml).unwrap();
        let mut lint = Command::new(env!("CARGO_BIN_EXE_corsair"));
        lint.arg("lint").arg(&file);
        for (key, _) in std::env::vars() {
            if key.starts_with("CORS") {
                lint.env_remove(key);
            }
        }
        let output = lint.output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success() && stdout.contains("no problems found"),
            "{}:\n{stdout}{}",
            document.file.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        linted += 1;
    }
    assert_eq!(linted, 2, "the edge and the sidecar ConfigMaps");
}

#[test]
fn every_pod_mounts_its_configuration_as_a_watched_directory() {
    for document in documents().iter().filter(|d| d.kind() == "Deployment") {
        let file = document.file.display();
        // A subPath mount is never updated (kubernetes#50345).
        assert!(!document.text.contains("subPath:"), "{file}");
        assert!(
            document.text.contains("mountPath: /etc/corsair\n"),
            "{file}"
        );
        let args = document.corsair_args();
        let config = args.iter().position(|a| a == "--config");
        assert_eq!(
            config.map(|i| args[i + 1].as_str()),
            Some(MOUNTED_CONFIG),
            "{file}"
        );
        assert!(args.iter().any(|a| a == "--watch"), "{file}");
    }
}

/// The kubelet kills what is still running when terminationGracePeriodSeconds is over,
/// counted from the start of the preStop hooks: they, shutdown_delay and shutdown_grace must
/// fit in it, with time to spare for the process to exit.
#[test]
fn every_pods_grace_period_covers_its_shutdown() {
    for variant in ["edge", "sidecar"] {
        let config: toml::Table = configmap_toml(variant).parse().unwrap();
        let deployment = documents()
            .into_iter()
            .find(|d| {
                d.file.starts_with(Path::new(DEPLOY).join(variant)) && d.kind() == "Deployment"
            })
            .unwrap();
        let [period] = deployment.numbers("terminationGracePeriodSeconds")[..] else {
            panic!("{variant}: one terminationGracePeriodSeconds");
        };
        let pre_stop: u64 = deployment.numbers("seconds").iter().sum();
        assert!(pre_stop > 0, "{variant}: a preStop sleep");
        let shutdown =
            pre_stop + seconds(&config, "shutdown_delay") + seconds(&config, "shutdown_grace");
        assert!(
            shutdown + 5 <= period,
            "{variant}: preStop {pre_stop}s + shutdown_delay + shutdown_grace = {shutdown}s leaves \
             no margin in terminationGracePeriodSeconds {period}"
        );
    }
}

/// The kubelet's layout of a ConfigMap volume: each version in a timestamped directory,
/// `..data` a symlink to the current one, and each key a symlink through `..data`.
struct ConfigMapVolume {
    dir: PathBuf,
    current: PathBuf,
    versions: usize,
}

impl ConfigMapVolume {
    fn new(dir: &Path, toml: &str) -> ConfigMapVolume {
        let current = Self::write_version(dir, 1, toml);
        symlink(current.file_name().unwrap(), dir.join("..data")).unwrap();
        symlink("..data/corsair.toml", dir.join("corsair.toml")).unwrap();
        ConfigMapVolume {
            dir: dir.to_owned(),
            current,
            versions: 1,
        }
    }

    fn write_version(dir: &Path, n: usize, toml: &str) -> PathBuf {
        let version = dir.join(format!("..2026_12_07_10_{n:02}_00.{n:09}"));
        std::fs::create_dir(&version).unwrap();
        std::fs::write(version.join("corsair.toml"), toml).unwrap();
        version
    }

    /// An update as the kubelet writes it: the new version's directory, a new symlink
    /// `..data_tmp` to it renamed over `..data` (one atomic step), then the old directory goes.
    fn update(&mut self, toml: &str) {
        self.versions += 1;
        let next = Self::write_version(&self.dir, self.versions, toml);
        symlink(next.file_name().unwrap(), self.dir.join("..data_tmp")).unwrap();
        std::fs::rename(self.dir.join("..data_tmp"), self.dir.join("..data")).unwrap();
        std::fs::remove_dir_all(&self.current).unwrap();
        self.current = next;
    }
}

/// What `/policy` says of the running policy: its version, and what loaded it.
async fn running_policy(admin: &str) -> (String, String) {
    let answer = send(&client(), "GET", &format!("{admin}/policy"), &[], "").await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let policy: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    (
        policy["version"].as_str().unwrap().to_owned(),
        policy["loaded_by"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_follows_its_configmap_updated_as_the_kubelet_does() {
    const TENANT: &str = "https://tenant.example";
    let upstream = Upstream::start().await;
    let dir = temp_dir("kubelet");
    let first = configmap_toml("sidecar");
    let second = first.replacen(
        "allowed_origins = [",
        &format!("allowed_origins = [\"{TENANT}\", "),
        1,
    );
    assert_ne!(first, second, "the sidecar's ConfigMap has allowed_origins");
    let mut volume = ConfigMapVolume::new(&dir, &first);

    // The sidecar Deployment's own arguments, with the volume where it is mounted, the test's
    // upstream and a free admin port (Corsair::start picks the proxy's).
    let deployment = documents()
        .into_iter()
        .find(|d| d.file.ends_with("sidecar/deployment.yaml"))
        .unwrap();
    let config = dir.join("corsair.toml").to_str().unwrap().to_owned();
    let upstream_url = format!("http://{}", upstream.addr);
    let manifest_args = deployment.corsair_args();
    assert_eq!(manifest_args[0], "serve");
    let mut args: Vec<&str> = manifest_args[1..]
        .iter()
        .map(|a| {
            if a == MOUNTED_CONFIG {
                config.as_str()
            } else {
                a.as_str()
            }
        })
        .collect();
    args.extend(["--upstream", &upstream_url, "--admin-listen", "127.0.0.1:0"]);
    let corsair = Corsair::start(&dir, &args);
    let line = corsair.wait_for_log("admin endpoints").await;
    let admin: String = line
        .split("http://")
        .nth(1)
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_ascii_digit() || ".:".contains(*c))
                .collect()
        })
        .unwrap_or_else(|| panic!("no admin address in {line:?}"));
    let admin = format!("http://{admin}");

    let client = client();
    let allowed = async |origin: &str| {
        let answer = send(
            &client,
            "GET",
            &corsair.url("/x"),
            &[("origin", origin)],
            "",
        )
        .await;
        answer.header("access-control-allow-origin") == Some(origin)
    };
    let (started, loaded_by) = running_policy(&admin).await;
    assert_eq!(loaded_by, "start");
    assert!(!allowed(TENANT).await);

    // The tenant is added: a new version of the volume, seen through the swapped ..data.
    volume.update(&second);
    let mut seen = None;
    let changed = wait::until(async || {
        let (version, by) = running_policy(&admin).await;
        let done = version != started && by == "file changed";
        seen = Some((version, by));
        done
    })
    .await;
    assert!(
        changed,
        "the update was never loaded: {seen:?} {:#?}",
        corsair.log()
    );
    assert!(allowed(TENANT).await, "{:#?}", corsair.log());
    assert!(allowed("https://app.example.com").await);

    // Taken out again by the next update: the first policy, and its version, come back.
    volume.update(&first);
    let back = wait::until(async || running_policy(&admin).await.0 == started).await;
    assert!(
        back,
        "the second update was never loaded: {:#?}",
        corsair.log()
    );
    assert!(!allowed(TENANT).await);
    assert!(
        !corsair
            .log()
            .iter()
            .any(|l| l.contains("ERROR") || l.contains("invalid")),
        "{:#?}",
        corsair.log()
    );
}
