//! The sandbox's settings: fixed ones chosen at start, and knobs tests may turn while it runs.

use serde::{Deserialize, Serialize};

/// Settings fixed when the sandbox starts.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Seed of the demo data: the same seed gives the same contacts, segments and messages.
    pub seed: u64,
    /// How many demo contacts to generate.
    pub contacts: usize,
    /// The Callback URL registered for the seeded OAuth apps (compared byte for byte).
    pub callback_url: String,
    /// Show the demo user and password on the login page (demo mode).
    pub show_demo_credentials: bool,
    /// Keep issued OAuth grants (token hashes and expiry, never tokens) in this file, so a login
    /// survives a restart. `None`: all state in memory.
    pub state_file: Option<std::path::PathBuf>,
    pub knobs: Knobs,
}

/// The Callback URL the seeded OAuth apps are registered with: the app's loopback listener.
pub const DEFAULT_CALLBACK_URL: &str = "http://127.0.0.1:53682/callback";

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            port: 0,
            seed: 2026,
            contacts: 20_000,
            callback_url: DEFAULT_CALLBACK_URL.to_string(),
            show_demo_credentials: true,
            state_file: None,
            knobs: Knobs::default(),
        }
    }
}

/// Behaviour that tests change, also while the sandbox runs ([`super::Sandbox::update_knobs`],
/// or `PUT /__sandbox/knobs` on a standalone sandbox).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Knobs {
    /// Added to every API answer.
    pub latency_ms: u64,
    /// Share of API requests (0..=1) answered with a 5xx.
    pub error_rate: f64,
    /// Share of API requests (0..=1) whose connection is dropped mid-answer.
    pub drop_rate: f64,
    /// The next N API requests are answered 429 whatever the rate.
    pub burst_429: u32,
    /// Enforce the published per-method rates.
    pub rate_limits: bool,
    /// `GET contacts` (published: 50/s).
    pub contacts_search_per_sec: u32,
    /// Methods without their own limit (published: 200/s).
    pub default_per_sec: u32,
    /// Event methods (published: 350/s).
    pub events_per_sec: u32,
    /// Message search/get/viewLink (published: 500 per hour by default).
    pub message_reads_per_hour: u32,
    /// Repeating the same single-contact write within this window answers 409 (published: 1 min).
    pub duplicate_window_secs: u64,
    /// OAuth access token lifetime (Yespo default 172800 s).
    pub access_token_ttl_secs: u64,
    /// OAuth refresh token lifetime (Yespo default 2592000 s).
    pub refresh_token_ttl_secs: u64,
    /// Authorization code lifetime.
    pub code_ttl_secs: u64,
    /// Bulk import speed in contacts per second; 0 = as fast as possible.
    pub import_speed: u32,
    /// Make bulk imports end in ERROR.
    pub import_fail: bool,
    /// The next N bulk imports to start end in ERROR (then imports work again).
    pub import_fail_next: u32,
    /// Answer as older Yespo did: one-element lists as bare objects, numbers and booleans as strings.
    pub quirks: bool,
}

impl Default for Knobs {
    fn default() -> Self {
        Knobs {
            latency_ms: 0,
            error_rate: 0.0,
            drop_rate: 0.0,
            burst_429: 0,
            rate_limits: true,
            contacts_search_per_sec: 50,
            default_per_sec: 200,
            events_per_sec: 350,
            message_reads_per_hour: 500,
            duplicate_window_secs: 60,
            access_token_ttl_secs: 172_800,
            refresh_token_ttl_secs: 2_592_000,
            code_ttl_secs: 600,
            import_speed: 2_000,
            import_fail: false,
            import_fail_next: 0,
            quirks: false,
        }
    }
}

/// One command-line flag (`--name value`) that is also an environment variable
/// (`YESPO_SANDBOX_NAME`).
struct Flag {
    name: &'static str,
    help: &'static str,
    /// Whether the flag stands alone (`--quirks`) rather than taking a value.
    switch: bool,
    apply: fn(&mut SandboxConfig, &str) -> Result<(), String>,
}

fn num<T: std::str::FromStr>(value: &str) -> Result<T, String> {
    value.trim().parse().map_err(|_| format!("'{value}' is not a valid number"))
}

fn share(value: &str) -> Result<f64, String> {
    let v: f64 = num(value)?;
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("'{value}' must be between 0 and 1"))
    }
}

fn switch(value: &str) -> Result<bool, String> {
    match value.trim() {
        "" | "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        other => Err(format!("'{other}' is not true or false")),
    }
}

const FLAGS: &[Flag] = &[
    Flag {
        name: "port",
        help: "port on 127.0.0.1 (0 = any free port)",
        switch: false,
        apply: |c, v| {
            c.port = num(v)?;
            Ok(())
        },
    },
    Flag {
        name: "seed",
        help: "seed of the demo data",
        switch: false,
        apply: |c, v| {
            c.seed = num(v)?;
            Ok(())
        },
    },
    Flag {
        name: "contacts",
        help: "number of demo contacts (default 20000)",
        switch: false,
        apply: |c, v| {
            c.contacts = num(v)?;
            Ok(())
        },
    },
    Flag {
        name: "callback-url",
        help: "Callback URL registered for the seeded OAuth apps",
        switch: false,
        apply: |c, v| {
            c.callback_url = v.to_string();
            Ok(())
        },
    },
    Flag {
        name: "hide-demo-credentials",
        help: "do not show the demo user and password on the login page",
        switch: true,
        apply: |c, v| {
            c.show_demo_credentials = !switch(v)?;
            Ok(())
        },
    },
    Flag {
        name: "quirks",
        help: "answer like older Yespo: bare objects for one-element lists, strings for numbers",
        switch: true,
        apply: |c, v| {
            c.knobs.quirks = switch(v)?;
            Ok(())
        },
    },
    Flag {
        name: "latency-ms",
        help: "delay added to every API answer",
        switch: false,
        apply: |c, v| {
            c.knobs.latency_ms = num(v)?;
            Ok(())
        },
    },
    Flag {
        name: "error-rate",
        help: "share of API requests answered with a 5xx (0..1)",
        switch: false,
        apply: |c, v| {
            c.knobs.error_rate = share(v)?;
            Ok(())
        },
    },
    Flag {
        name: "drop-rate",
        help: "share of API requests whose connection is dropped (0..1)",
        switch: false,
        apply: |c, v| {
            c.knobs.drop_rate = share(v)?;
            Ok(())
        },
    },
    Flag {
        name: "burst-429",
        help: "answer the next N API requests with 429",
        switch: false,
        apply: |c, v| {
            c.knobs.burst_429 = num(v)?;
            Ok(())
        },
    },
    Flag {
        name: "no-rate-limits",
        help: "do not enforce the published rate limits",
        switch: true,
        apply: |c, v| {
            c.knobs.rate_limits = !switch(v)?;
            Ok(())
        },
    },
    Flag {
        name: "contacts-search-rps",
        help: "GET contacts limit per second (default 50)",
        switch: false,
        apply: |c, v| {
            c.knobs.contacts_search_per_sec = num(v)?;
            Ok(())
        },
    },
    Flag {
        name: "default-rps",
        help: "default limit per second (default 200)",
        switch: false,
        apply: |c, v| {
            c.knobs.default_per_sec = num(v)?;
            Ok(())
        },
    },
    Flag {
        name: "message-reads-per-hour",
        help: "message read limit per hour (default 500)",
        switch: false,
        apply: |c, v| {
            c.knobs.message_reads_per_hour = num(v)?;
            Ok(())
        },
    },
    Flag {
        name: "access-token-ttl",
        help: "OAuth access token lifetime in seconds (default 172800)",
        switch: false,
        apply: |c, v| {
            c.knobs.access_token_ttl_secs = num(v)?;
            Ok(())
        },
    },
    Flag {
        name: "refresh-token-ttl",
        help: "OAuth refresh token lifetime in seconds (default 2592000)",
        switch: false,
        apply: |c, v| {
            c.knobs.refresh_token_ttl_secs = num(v)?;
            Ok(())
        },
    },
    Flag {
        name: "import-speed",
        help: "bulk import speed in contacts/s (0 = unlimited; default 2000)",
        switch: false,
        apply: |c, v| {
            c.knobs.import_speed = num(v)?;
            Ok(())
        },
    },
];

impl SandboxConfig {
    /// Settings from environment variables (`YESPO_SANDBOX_PORT`, ...) overridden by flags
    /// (`--port 8080`, `--quirks`, `--error-rate=0.3`). `Ok(None)` means `--help` was asked for.
    pub fn from_args_and_env(
        args: impl IntoIterator<Item = String>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<SandboxConfig>, String> {
        let mut config = SandboxConfig::default();
        for flag in FLAGS {
            let var = format!("YESPO_SANDBOX_{}", flag.name.replace('-', "_").to_uppercase());
            if let Some(value) = env(&var) {
                (flag.apply)(&mut config, &value).map_err(|e| format!("{var}: {e}"))?;
            }
        }
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            if arg == "--help" || arg == "-h" {
                return Ok(None);
            }
            let Some(body) = arg.strip_prefix("--") else {
                return Err(format!("unexpected argument '{arg}' (see --help)"));
            };
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            let flag =
                FLAGS.iter().find(|f| f.name == name).ok_or_else(|| format!("unknown flag --{name} (see --help)"))?;
            let value = match (inline, flag.switch) {
                (Some(v), _) => v,
                (None, true) => String::new(),
                (None, false) => args.next().ok_or_else(|| format!("--{name} needs a value"))?,
            };
            (flag.apply)(&mut config, &value).map_err(|e| format!("--{name}: {e}"))?;
        }
        Ok(Some(config))
    }

    /// The `--help` text.
    pub fn help() -> String {
        let mut out = String::from(
            "yespo-sandbox: a local emulator of the Yespo API and OAuth server, bound to 127.0.0.1.\n\
             Its first line on stdout is one JSON object: base_url, demo user, OAuth apps and API keys.\n\n\
             Flags (each also an environment variable YESPO_SANDBOX_<NAME>, e.g. YESPO_SANDBOX_PORT):\n",
        );
        for flag in FLAGS {
            let arg = if flag.switch { String::new() } else { " <value>".to_string() };
            out.push_str(&format!("  --{}{}\n      {}\n", flag.name, arg, flag.help));
        }
        out.push_str("\nWhile it runs, GET/PUT /__sandbox/knobs reads or changes the knobs as JSON.\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str], env: &[(&str, &str)]) -> Result<Option<SandboxConfig>, String> {
        let env: Vec<(String, String)> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        SandboxConfig::from_args_and_env(args.iter().map(|s| s.to_string()), |k| {
            env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn flags_override_env_and_switches_stand_alone() {
        let c = parse(
            &["--port", "8080", "--quirks", "--error-rate=0.3"],
            &[("YESPO_SANDBOX_PORT", "9"), ("YESPO_SANDBOX_IMPORT_SPEED", "0")],
        )
        .unwrap()
        .unwrap();
        assert_eq!(c.port, 8080);
        assert!(c.knobs.quirks);
        assert_eq!(c.knobs.error_rate, 0.3);
        assert_eq!(c.knobs.import_speed, 0);
    }

    #[test]
    fn bad_input_is_explained() {
        assert!(parse(&["--port", "x"], &[]).unwrap_err().contains("--port"));
        assert!(parse(&["--error-rate", "2"], &[]).unwrap_err().contains("between 0 and 1"));
        assert!(parse(&["--nope"], &[]).unwrap_err().contains("unknown flag"));
        assert!(parse(&["--seed"], &[]).unwrap_err().contains("needs a value"));
        assert!(parse(&["--help"], &[]).unwrap().is_none());
    }
}
