//! A headless Chromium driven over WebDriver: starts `chromedriver` on a free port, connects
//! fantoccini with Chromium's options, and stops both when dropped.
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

const INSTALL_HINT: &str = "run infra/test, which installs chromium and chromium-driver";

/// The chromedriver process; killed (by its own handle) when dropped.
pub struct Chromedriver {
    child: Child,
    pub url: String,
    pub log: PathBuf,
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn binary(env: &str, default: &str) -> PathBuf {
    let path = std::env::var_os(env).map(PathBuf::from).unwrap_or_else(|| PathBuf::from(default));
    assert!(path.is_file(), "{} not found (set {env} to override): {INSTALL_HINT}", path.display());
    path
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free local port");
    listener.local_addr().expect("local addr").port()
}

impl Chromedriver {
    /// Starts chromedriver and waits until it reports ready.
    pub async fn start(log_dir: &Path) -> Chromedriver {
        let bin = binary("DOTMAC_CHROMEDRIVER", "/usr/bin/chromedriver");
        let log = log_dir.join("chromedriver.log");
        let file = std::fs::File::create(&log).expect("chromedriver log file");
        let port = free_port();
        let child = Command::new(&bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::from(file.try_clone().expect("log handle")))
            .stderr(Stdio::from(file))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}; {INSTALL_HINT}", bin.display()));
        let driver = Chromedriver { child, url: format!("http://127.0.0.1:{port}"), log };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let ready = client.get(format!("{}/status", driver.url)).send().await;
            if let Ok(reply) = ready {
                let status: serde_json::Value = reply.json().await.unwrap_or_default();
                if status["value"]["ready"] == true {
                    return driver;
                }
            }
            assert!(Instant::now() < deadline, "chromedriver did not get ready in 20 s; log: {}", driver.log_text());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// A new headless Chromium session with a profile of its own in `profile`.
    pub async fn browser(&self, profile: &Path) -> Client {
        let chromium = binary("DOTMAC_CHROMIUM", "/usr/bin/chromium");
        let args = [
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            format!("--user-data-dir={}", profile.display()),
            "--window-size=1280,900".into(),
        ];
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": chromium.display().to_string(), "args": args},
        });
        let serde_json::Value::Object(capabilities) = capabilities else { unreachable!("an object literal") };
        // WebDriver on loopback is plain HTTP: no TLS connector needed.
        ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .unwrap_or_else(|e| panic!("cannot start Chromium through chromedriver: {e}; log: {}", self.log_text()))
    }
}
