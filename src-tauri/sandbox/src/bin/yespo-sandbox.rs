//! `yespo-sandbox`: run the Yespo sandbox standalone.
//!
//! `cargo run --bin yespo-sandbox -- --port 8080` (or `--port 0` for any free port). The first
//! line on stdout is one JSON object with the base URL and the sandbox's credentials; logs go to
//! stderr. Stops on Ctrl-C or SIGTERM.

use std::io::Write;
use yespo_sandbox::{Sandbox, SandboxConfig};

fn main() {
    let config = match SandboxConfig::from_args_and_env(std::env::args().skip(1), |k| std::env::var(k).ok()) {
        Ok(Some(config)) => config,
        Ok(None) => {
            print!("{}", SandboxConfig::help());
            return;
        }
        Err(message) => {
            eprintln!("yespo-sandbox: {message}");
            std::process::exit(2);
        }
    };
    let filter = std::env::var("YESPO_SANDBOX_LOG").unwrap_or_else(|_| "info".into());
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime");
    runtime.block_on(async move {
        let sandbox = match Sandbox::start(config).await {
            Ok(s) => s,
            Err(error) => {
                eprintln!("yespo-sandbox: cannot listen: {error}");
                std::process::exit(1);
            }
        };
        let line = serde_json::to_string(&sandbox.info()).expect("the sandbox info serialises");
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{line}");
        let _ = stdout.flush();
        drop(stdout);
        shutdown_signal().await;
        tracing::info!("Yespo sandbox stopping");
        sandbox.stop();
    });
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("a SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}
