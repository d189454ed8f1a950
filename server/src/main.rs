use clap::Parser;
use server::domain::{accounts, catalog, change, ledger};
use server::startup::config::{AgentCommand, Cli, Command, LedgerCommand, UserCommand};
use server::{startup, store};
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .init();
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(&cli.config).await,
        Command::Ledger {
            action: LedgerCommand::Verify,
        } => verify_ledger(&cli.config).await,
        Command::User {
            action: UserCommand::Add { role, name },
        } => add_user(&cli.config, &role, &name).await,
        Command::Probe(args) => probe(args).await,
        Command::Agent { action } => agent(&cli.config, action).await,
        Command::ExportStatic { dir, watch } => {
            server::mirror::export_static(&cli.config, &dir, watch)
                .await
                .map(|()| ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: &server::startup::config::Config) -> anyhow::Result<ExitCode> {
    // Listen for SIGTERM from the first moment, so that one sent while the server is still
    // starting (migrating, seeding) stops it cleanly too, instead of killing it.
    let shutdown = shutdown_signal()?;
    let leptos = startup::leptos_options();
    let addr = leptos.site_addr;
    let running = startup::start(config, leptos).await?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!("listening on http://{addr}");
    println!("Status site: http://{addr}/");
    // `running` stays in scope while serving: dropping it stops the background loops.
    let router = running.router.clone();
    let limits = startup::listener::ListenerLimits::from_config(&config.limits);
    let health = running.health.clone();
    let (stopping, mut stopped) = tokio::sync::watch::channel(false);
    let drain = async move {
        shutdown.await;
        tracing::info!("stopping: draining the requests in flight and the live streams");
        health.begin_drain();
        stopping.send_replace(true);
    };
    let server = startup::listener::serve(listener, router, limits, drain);
    // A request that does not finish does not hold the stop up for ever.
    let deadline = async move {
        let _ = stopped.wait_for(|s| *s).await;
        tokio::time::sleep(DRAIN_LIMIT).await;
    };
    tokio::select! {
        () = server => {},
        _ = deadline => tracing::warn!("requests still open after {DRAIN_LIMIT:?}; stopping anyway"),
    }
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// How long a stop waits for the requests in flight.
const DRAIN_LIMIT: std::time::Duration = std::time::Duration::from_secs(10);

/// SIGTERM (what service managers send) or Ctrl-C: finish the requests in flight, then stop.
/// The handlers are installed when this is called; the returned future waits for either.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    Ok(async move {
        #[cfg(unix)]
        let terminate = terminate.recv();
        #[cfg(not(unix))]
        let terminate = std::future::pending::<Option<()>>();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {},
            _ = terminate => {},
        }
    })
}

async fn verify_ledger(config: &server::startup::config::Config) -> anyhow::Result<ExitCode> {
    let store = store::connect(&config.database_url).await?;
    let entries = store.ledger().await?;
    match ledger::verify(&entries) {
        Ok(verified) => {
            println!("OK: {} entries, head {}", verified.count, verified.head);
            Ok(ExitCode::SUCCESS)
        }
        Err(broken) => {
            println!("BROKEN at entry {}: {broken}", broken.seq());
            Ok(ExitCode::from(2))
        }
    }
}

/// `server user add --role admin <name>`: the first administrator, or any account. The
/// password comes from a prompt without echo, or from standard input when it is not a
/// terminal (so scripts can pipe it), never from the command line.
async fn add_user(
    config: &server::startup::config::Config,
    role: &str,
    name: &str,
) -> anyhow::Result<ExitCode> {
    use std::io::IsTerminal;
    let role = app::model::Role::parse(role).ok_or_else(|| {
        anyhow::anyhow!("the role must be admin, comms or regulator, not '{role}'")
    })?;
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!("Password for {name}: "))?;
        let again = rpassword::prompt_password("Again: ")?;
        anyhow::ensure!(first == again, "the two passwords differ");
        first
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_string()
    };
    accounts::check_password(&password)?;
    let catalog = std::sync::Arc::new(catalog::Catalog::load(&config.catalog)?);
    let law = std::sync::Arc::new(server::domain::law::Law::load(&config.rules)?);
    let changes = startup::open_and_seed(config, &catalog, &law).await?;
    let user = change::NewUser {
        name: name.to_string(),
        role,
        password_hash: accounts::hash_password(&password),
    };
    let entry = changes.apply("cli", change::Change::AddUser(user)).await?;
    println!(
        "Added {} ({}); ledger entry {}.",
        name,
        role.as_str(),
        entry.seq
    );
    Ok(ExitCode::SUCCESS)
}

/// `server probe`: the checks, run from here, sent to the site.
async fn probe(args: server::startup::config::ProbeArgs) -> anyhow::Result<ExitCode> {
    use server::checks::remote::{read_key, Remote};
    let site =
        url::Url::parse(&args.site).map_err(|e| anyhow::anyhow!("--site {}: {e}", args.site))?;
    anyhow::ensure!(
        matches!(site.scheme(), "http" | "https"),
        "--site {} is not an http or https address",
        args.site
    );
    let remote = Remote {
        site: args.site.trim_end_matches('/').to_string(),
        agent: args.agent,
        key: read_key(args.key_file.as_deref())?,
        buffer: args.buffer,
        source: args.source_address,
    };
    let stop = shutdown_signal()?;
    tokio::select! {
        result = remote.run() => result?,
        () = stop => tracing::info!("stopped; unsent results stay in the buffer"),
    }
    Ok(ExitCode::SUCCESS)
}

/// `server agent add|list|disable`: the agents allowed to send results.
async fn agent(
    config: &server::startup::config::Config,
    action: AgentCommand,
) -> anyhow::Result<ExitCode> {
    let catalog = std::sync::Arc::new(catalog::Catalog::load(&config.catalog)?);
    let law = std::sync::Arc::new(server::domain::law::Law::load(&config.rules)?);
    let changes = startup::open_and_seed(config, &catalog, &law).await?;
    match action {
        AgentCommand::Add { name } => {
            let key = startup::random_key();
            let agent = change::NewProbeAgent {
                name: name.clone(),
                secret: key.clone(),
            };
            let entry = changes
                .apply("cli", change::Change::AddProbeAgent(agent))
                .await?;
            eprintln!(
                "Registered agent {name} (ledger entry {}). Its key, shown once; keep it in a file only the agent can read:",
                entry.seq
            );
            println!("{key}");
        }
        AgentCommand::List => {
            for a in changes.store().probe_agents().await? {
                println!(
                    "{}\t{}\tlast batch {}\tsince {}",
                    a.name,
                    if a.active { "active" } else { "disabled" },
                    a.last_seq,
                    a.created_at.to_rfc3339()
                );
            }
        }
        AgentCommand::Disable { name } => {
            let off = change::ProbeAgentChange {
                name: name.clone(),
                active: false,
            };
            let entry = changes
                .apply("cli", change::Change::SetProbeAgentActive(off))
                .await?;
            println!(
                "Disabled {name} (ledger entry {}): its key no longer works.",
                entry.seq
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
