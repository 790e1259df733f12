//! Drives the real app window: starts `tauri-driver` (which starts WebKitWebDriver, which starts
//! the app binary) on ports of its own, with a fresh profile folder, and connects `fantoccini`.
//!
//! A missing driver or display is a test failure, never a skip: CI must prove the window works.

#![allow(dead_code)] // each test binary uses a different part of the harness

pub mod demo;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The app under test: the one cargo built, or the installed package's with
/// `YESPO_ADMIN_APP_BINARY` (tests/package/install-test.sh).
pub fn app_binary() -> String {
    std::env::var("YESPO_ADMIN_APP_BINARY").unwrap_or_else(|_| env!("CARGO_BIN_EXE_yespo-admin").to_string())
}
/// Generous: on 2 busy cores a cold WebKit start can take a while.
pub const UI_TIMEOUT: Duration = Duration::from_secs(60);

/// One running app, its driver and its profile folder.
pub struct App {
    pub client: Client,
    /// The profile folder; owned (and deleted at the end) unless the launch reused one.
    pub profile: Profile,
    driver: DriverProcess,
}

pub enum Profile {
    Owned(tempfile::TempDir),
    Borrowed(PathBuf),
}

impl Profile {
    pub fn path(&self) -> &Path {
        match self {
            Profile::Owned(dir) => dir.path(),
            Profile::Borrowed(path) => path,
        }
    }
}

/// E2E tests that log in need the test keychain (`./dev test` sets it up).
pub fn require_keychain() {
    if std::env::var_os("YESPO_ADMIN_TEST_KEYCHAIN").is_none() {
        panic!("this test needs the test keychain: run it with ./dev test");
    }
}

/// The environment the app starts with: the test's own, plus `set`, minus `remove`.
#[derive(Default)]
pub struct Launch<'a> {
    pub set: Vec<(&'a str, &'a str)>,
    /// Command-line arguments for the app, e.g. `--demo`.
    pub args: Vec<&'a str>,
    /// Reuse this profile folder (a restart); `None` makes a fresh one.
    pub profile: Option<&'a Path>,
}

impl App {
    pub async fn launch(launch: Launch<'_>) -> App {
        require_display();
        let profile = match launch.profile {
            Some(path) => Profile::Borrowed(path.to_path_buf()),
            None => Profile::Owned(tempfile::Builder::new().prefix("yespo-e2e-").tempdir().expect("temp profile")),
        };
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("tauri:options".into(), json!({ "application": app_binary(), "args": launch.args }));
        let mut attempt = 1;
        let (driver, client) = loop {
            let driver = DriverProcess::start(profile.path(), &launch);
            let connected = ClientBuilder::rustls()
                .expect("rustls client")
                .capabilities(capabilities.clone())
                .connect(&format!("http://127.0.0.1:{}", driver.port))
                .await;
            match connected {
                Ok(client) => break (driver, client),
                // A port picked free was taken (by a test running beside this one) before the
                // driver could listen on it: start again on other ports.
                Err(_) if attempt < 3 && driver.log_text().contains("can not listen") => attempt += 1,
                Err(error) => panic!("no WebDriver session: {error}\n{}", driver.log_text()),
            }
        };
        let app = App { client, profile, driver };
        app.wait_ready().await;
        app
    }

    /// Go to an area of the sidebar (e.g. `about`) and wait for its screen.
    pub async fn open(&self, area: &str) {
        self.wait_for(&format!(".nav-item[data-area='{area}']")).await.click().await.expect("click the area");
        self.wait_for(&format!(".nav-item.active[data-area='{area}']")).await;
    }

    /// The shell sets `data-ready` once the first screen and the status bar have loaded.
    pub async fn wait_ready(&self) {
        self.wait_for("#app[data-ready='true']").await;
    }

    pub async fn wait_for(&self, css: &str) -> Element {
        let deadline = Instant::now() + UI_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.client.wait().at_most(left).for_element(Locator::Css(css)).await {
                Ok(element) => return element,
                // The screen was redrawn between finding the node and taking its handle: the
                // element is there, look again.
                Err(error) if format!("{error:?}").to_lowercase().contains("stale") && !left.is_zero() => {}
                Err(error) => {
                    let shot =
                        self.screenshot(&format!("failed-{}", css.replace(|c: char| !c.is_alphanumeric(), "-"))).await;
                    panic!("`{css}` did not appear: {error} (the window: {})", shot.display())
                }
            }
        }
    }

    /// The element's text; read again if the screen redrew it in between.
    pub async fn text(&self, css: &str) -> String {
        for _ in 0..20 {
            match self.wait_for(css).await.text().await {
                Ok(text) => return text,
                Err(error) if format!("{error:?}").to_lowercase().contains("stale") => continue,
                Err(error) => panic!("text of `{css}`: {error}"),
            }
        }
        panic!("text of `{css}`: the element kept being redrawn")
    }

    /// Runs `body` as an async script; `done` is the callback that returns its value.
    pub async fn run_async_script(&self, body: &str) -> serde_json::Value {
        let script = format!("const done = arguments[arguments.length - 1];\n{body}");
        self.client.execute_async(&script, vec![]).await.expect("async script")
    }

    /// Calls a command the way the page does (`window.__TAURI__.core.invoke`): its value, or
    /// the error the page would get.
    pub async fn invoke(&self, command: &str, args: serde_json::Value) -> Result<serde_json::Value, serde_json::Value> {
        let script = format!(
            "window.__TAURI__.core.invoke({}, {args}).then((ok) => done({{ ok: ok ?? null }}), (err) => done({{ err }}));",
            serde_json::Value::from(command)
        );
        let answer = self.run_async_script(&script).await;
        match answer.get("err") {
            Some(err) => Err(err.clone()),
            None => Ok(answer["ok"].clone()),
        }
    }

    /// Polls `script` (an expression) until it is truthy; its value.
    pub async fn wait_until(&self, what: &str, script: &str) -> serde_json::Value {
        let deadline = Instant::now() + UI_TIMEOUT * 3;
        loop {
            let value = match self.client.execute(&format!("return ({script});"), vec![]).await {
                Ok(value) => value,
                // A node the script returned was redrawn before WebDriver could hand it over:
                // not there yet, look again.
                Err(error) if format!("{error:?}").to_lowercase().contains("stale") => serde_json::Value::Null,
                Err(error) => panic!("{what}: the script failed: {error}"),
            };
            if !(value.is_null() || value == false || value == 0 || value == "") {
                return value;
            }
            if Instant::now() >= deadline {
                let shot =
                    self.screenshot(&format!("failed-{}", what.replace(|c: char| !c.is_alphanumeric(), "-"))).await;
                panic!("{what}: not within {:?} (the window: {})", UI_TIMEOUT * 3, shot.display());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// A key pressed on the keyboard (WebDriver actions: it goes where the focus is), e.g.
    /// `Key::Enter.into()`.
    pub async fn press(&self, key: char) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let keys =
            KeyActions::new("keyboard".into()).then(KeyAction::Down { value: key }).then(KeyAction::Up { value: key });
        self.client.perform_actions(keys).await.unwrap();
    }

    /// `key` pressed while `modifier` is held, e.g. Ctrl+K.
    pub async fn chord(&self, modifier: char, key: char) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let keys = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: modifier })
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key })
            .then(KeyAction::Up { value: modifier });
        self.client.perform_actions(keys).await.unwrap();
    }

    /// Saves a PNG under `target/e2e/`, after two animation frames so the pixels match the DOM.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        self.run_async_script("requestAnimationFrame(() => requestAnimationFrame(() => done(true)));").await;
        let png = self.client.screenshot().await.expect("screenshot");
        assert!(png.starts_with(b"\x89PNG"), "the screenshot is not a PNG");
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        eprintln!("screenshot: {}", path.display());
        path
    }

    pub fn log_dir(&self) -> PathBuf {
        self.profile.path().join("logs")
    }

    /// Everything the app wrote to its log folder so far.
    pub fn app_log_text(&self) -> String {
        let mut text = String::new();
        if let Ok(entries) = std::fs::read_dir(self.log_dir()) {
            for entry in entries.flatten() {
                text.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
            }
        }
        text
    }

    /// Ends the session (which closes the app) and stops the driver.
    pub async fn quit(self) {
        let App { client, profile, driver } = self;
        if let Err(error) = client.close().await {
            eprintln!("closing the WebDriver session: {error}");
        }
        drop(driver);
        drop(profile);
    }
}

/// `target/e2e/`, next to Cargo's own temp folder for tests.
pub fn screenshot_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap().join("e2e")
}

fn require_display() {
    let has = |name| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    assert!(
        has("DISPLAY") || has("WAYLAND_DISPLAY"),
        "E2E tests need a display: run them with `./dev test` (which uses xvfb-run when there is none)"
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn find_tauri_driver() -> PathBuf {
    if let Some(path) = std::env::var_os("TAURI_DRIVER") {
        return PathBuf::from(path);
    }
    let mut candidates: Vec<PathBuf> =
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()).map(|d| d.join("tauri-driver")).collect();
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        candidates.push(Path::new(&home).join("bin/tauri-driver"));
    }
    if let Some(home) = std::env::var_os("HOME") {
        candidates.push(Path::new(&home).join(".cargo/bin/tauri-driver"));
    }
    candidates.into_iter().find(|path| path.is_file()).unwrap_or_else(|| {
        panic!("tauri-driver not found: `cargo install tauri-driver --locked --version '^2'` (./dev test does this)")
    })
}

struct DriverProcess {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl DriverProcess {
    fn start(profile: &Path, launch: &Launch<'_>) -> DriverProcess {
        let (port, native_port) = (free_port(), free_port());
        let log = profile.join("tauri-driver.log");
        let log_file = std::fs::File::create(&log).unwrap();
        let mut command = Command::new(find_tauri_driver());
        command
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            // The app inherits the driver's environment: this is how the test picks its profile.
            .env("YESPO_ADMIN_HOME", profile)
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().unwrap())
            .stderr(log_file);
        for (name, value) in &launch.set {
            command.env(name, value);
        }
        let child = command.spawn().expect("start tauri-driver");
        let mut driver = DriverProcess { child, port, log };
        driver.wait_listening(port);
        // tauri-driver listens at once but forwards to WebKitWebDriver, which starts a moment
        // later: a session request before that fails with "tcp connect error".
        driver.wait_listening(native_port);
        driver
    }

    fn wait_listening(&mut self, port: u16) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("tauri-driver exited ({status}) before listening:\n{}", self.log_text());
            }
            assert!(Instant::now() < deadline, "tauri-driver is not listening:\n{}", self.log_text());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for DriverProcess {
    // SIGTERM, not SIGKILL: a killed tauri-driver orphans WebKitWebDriver (tauri-on-linux.md).
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
