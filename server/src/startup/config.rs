//! Configuration: every setting is both a flag and an environment variable.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "server",
    version,
    about = "The status page and outage-report site"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub config: Config,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the site (the default).
    Serve,
    /// Work with the tamper-evident ledger.
    Ledger {
        #[command(subcommand)]
        action: LedgerCommand,
    },
    /// Manage staff accounts.
    User {
        #[command(subcommand)]
        action: UserCommand,
    },
    /// Write the public site as static files into DIR, for any file server (pages in
    /// both languages, English under /en/; API documents, feeds, badges, widget, CSS,
    /// icons, WebAssembly). Only changed files are rewritten.
    ExportStatic {
        dir: PathBuf,
        /// Keep running, and export again within seconds of each change.
        #[arg(long)]
        watch: bool,
    },
    /// Run the automated checks as an agent somewhere else than the site: pull the
    /// check list from the site, probe, and push signed results (buffered on disk while
    /// the site cannot be reached). Needs no database.
    Probe(ProbeArgs),
    /// Manage the probe agents allowed to send results.
    Agent {
        #[command(subcommand)]
        action: AgentCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// Register a probe agent and print its key (shown once; keep it in a file only
    /// the agent can read).
    Add { name: String },
    /// List the agents: name, active or not, the last batch taken.
    List,
    /// Turn an agent off: its key stops working at once.
    Disable { name: String },
}

/// `server probe`: run the checks from here and send the results to the site.
#[derive(Clone, Debug, Args)]
pub struct ProbeArgs {
    /// The site's address, e.g. `https://status.example.com`.
    #[arg(long, env = "STATUS_PROBE_SITE")]
    pub site: String,
    /// This agent's name, as registered (`server agent add NAME`, or the console).
    #[arg(long, env = "STATUS_PROBE_AGENT")]
    pub agent: String,
    /// A file holding the agent's key (its first line). Or `STATUS_PROBE_KEY`.
    #[arg(long, env = "STATUS_PROBE_KEY_FILE")]
    pub key_file: Option<PathBuf>,
    /// The local address probes leave from (on a host with several uplinks: the one to
    /// check through). Default: wherever the system routes them.
    #[arg(long, env = "STATUS_PROBE_SOURCE_ADDRESS")]
    pub source_address: Option<std::net::IpAddr>,
    /// Where results wait while the site cannot be reached (kept across restarts).
    #[arg(long, env = "STATUS_PROBE_BUFFER", default_value = "data/probe-buffer")]
    pub buffer: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a staff account. The password is read from a prompt, or from standard input
    /// when that is not a terminal (never from the command line).
    Add {
        /// admin, comms or regulator.
        #[arg(long)]
        role: String,
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Recompute the hash chain; print the head hash and count, or the first broken entry.
    Verify,
}

#[derive(Clone, Debug, Args)]
pub struct Config {
    /// `sqlite://data/status.db` (embedded, the default) or `postgres://user@host/db`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/status.db",
        global = true
    )]
    pub database_url: String,
    /// The catalog of services and components.
    #[arg(
        long,
        env = "STATUS_CATALOG",
        default_value = "config/catalog.toml",
        global = true
    )]
    pub catalog: PathBuf,
    /// What the law asks after an outage: duties, thresholds, the dates they apply from.
    #[arg(
        long,
        env = "STATUS_RULES",
        default_value = "config/rules.toml",
        global = true
    )]
    pub rules: PathBuf,
    /// History loaded into an empty database on first start; empty to load none.
    #[arg(
        long,
        env = "STATUS_SEED",
        default_value = "seed/kakao-history.toml",
        // `STATUS_SEED=` (empty) or a bare `--seed` means: load none. (A String: clap
        // refuses an empty path.)
        num_args = 0..=1,
        default_missing_value = "",
        global = true
    )]
    pub seed: String,
    /// Where the last state read from the database is kept, to serve while it is down.
    #[arg(
        long,
        env = "STATUS_LAST_STATE",
        default_value = "data/last-state.json",
        global = true
    )]
    pub last_state: PathBuf,
    /// Where crowd reports are kept (fsync'd) while the database does not answer; one
    /// file per instance.
    #[arg(
        long,
        env = "STATUS_SPOOL",
        default_value = "data/reports.spool",
        global = true
    )]
    pub spool: PathBuf,
    /// At most this many reports wait in the spool; beyond, reports are refused (503).
    #[arg(
        long,
        env = "STATUS_SPOOL_CAPACITY",
        default_value_t = 200_000,
        global = true
    )]
    pub spool_capacity: usize,
    /// How often the snapshot is reloaded even when nothing changed here, in seconds.
    #[arg(
        long,
        env = "STATUS_REFRESH_SECONDS",
        default_value_t = 60,
        global = true
    )]
    pub refresh_seconds: u64,
    /// Prepared texts for the staff console.
    #[arg(
        long,
        env = "STATUS_TEMPLATES",
        default_value = "config/templates.toml",
        global = true
    )]
    pub templates: PathBuf,
    /// The address the public reaches the site at, e.g. `https://status.example.com`.
    /// When it is https, the staff session cookie is marked `Secure`.
    #[arg(long, env = "STATUS_PUBLIC_URL", default_value = "", global = true)]
    pub public_url: String,
    /// Proxies (comma-separated addresses) whose `X-Forwarded-For` names the client, for
    /// the per-address limits. Empty: the peer address is the client.
    #[arg(
        long,
        env = "STATUS_TRUSTED_PROXIES",
        value_delimiter = ',',
        global = true
    )]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Raw crowd reports are deleted after this many days (the per-minute counts stay).
    #[arg(
        long,
        env = "STATUS_REPORT_RETENTION_DAYS",
        default_value_t = 30,
        global = true
    )]
    pub report_retention_days: u32,
    /// How often the crowd figures and signal are recomputed, in seconds.
    #[arg(
        long,
        env = "STATUS_CROWD_REFRESH_SECONDS",
        default_value_t = 5,
        global = true
    )]
    pub crowd_refresh_seconds: u64,
    /// Let webhooks call loopback and private addresses (an internal receiver). Off by
    /// default: an endpoint inside the network is refused (no SSRF).
    #[arg(
        long,
        env = "STATUS_WEBHOOK_ALLOW_PRIVATE",
        default_value_t = false,
        action = clap::ArgAction::Set,
        global = true
    )]
    pub webhook_allow_private: bool,
    /// Where email alerts are sent through: `smtp://host:25`, `smtp://host:587?tls=required`,
    /// `smtps://user:pass@host`, or `file:///dir` (messages written as files). Empty: no
    /// email subscriptions.
    #[arg(long, env = "STATUS_SMTP_URL", default_value = "", global = true)]
    pub smtp_url: String,
    /// The sender of email alerts.
    #[arg(
        long,
        env = "STATUS_MAIL_FROM",
        default_value = "Kakao Status <status@localhost>",
        global = true
    )]
    pub mail_from: String,
    /// The wait before a failed delivery is retried, in milliseconds; it doubles after each
    /// failure (at most an hour), for a day.
    #[arg(
        long,
        env = "STATUS_DELIVERY_RETRY_MS",
        default_value_t = 30_000,
        global = true
    )]
    pub delivery_retry_ms: u64,
    /// The automated checks (docs/checks.md). A file that does not exist means no checks;
    /// an invalid one stops the server with its line and the reason. `{site}` in a check's
    /// address stands for the site's own (`STATUS_PUBLIC_URL`, or the listening address).
    #[arg(
        long,
        env = "STATUS_CHECKS",
        default_value = "config/checks.toml",
        global = true
    )]
    pub checks: PathBuf,
    /// Run the checks from inside the server too (the agent named `built-in`), so that a
    /// single instance needs nothing else. With several instances, one agent per
    /// instance reports: each counts in the quorum.
    #[arg(
        long,
        env = "STATUS_BUILTIN_AGENT",
        default_value_t = true,
        action = clap::ArgAction::Set,
        global = true
    )]
    pub builtin_agent: bool,
    #[command(flatten)]
    pub limits: Limits,
}

/// What one client may hold or take: connections, time to send a request, live streams.
#[derive(Debug, Clone, Args)]
pub struct Limits {
    /// At most this many connections are open at once; beyond, new ones wait in the
    /// kernel's queue until one closes. Raised to what the process may open.
    #[arg(
        long,
        env = "STATUS_MAX_CONNECTIONS",
        default_value_t = 10_000,
        global = true
    )]
    pub max_connections: usize,
    /// A request's head must arrive within this many seconds of the connection waiting
    /// for it (also how long an idle keep-alive connection stays open).
    #[arg(
        long,
        env = "STATUS_HEADER_TIMEOUT_SECONDS",
        default_value_t = 10,
        global = true
    )]
    pub header_timeout_seconds: u64,
    /// A request's body must arrive within this many seconds (408 otherwise).
    #[arg(
        long,
        env = "STATUS_BODY_TIMEOUT_SECONDS",
        default_value_t = 10,
        global = true
    )]
    pub body_timeout_seconds: u64,
    /// How many live streams (`/api/v1/events`) one client address may hold open.
    #[arg(
        long,
        env = "STATUS_LIVE_STREAMS_PER_ADDRESS",
        default_value_t = 100,
        global = true
    )]
    pub live_streams_per_address: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 10_000,
            header_timeout_seconds: 10,
            body_timeout_seconds: 10,
            live_streams_per_address: 100,
        }
    }
}

impl Config {
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// The address links in emails and webhook bodies start with.
    pub fn base_url(&self) -> String {
        if self.public_url.is_empty() {
            let addr = std::env::var("LEPTOS_SITE_ADDR").unwrap_or("127.0.0.1:3000".into());
            format!("http://{addr}")
        } else {
            self.public_url.trim_end_matches('/').to_string()
        }
    }
}
