//! Automated checks end to end: real probes by `server probe` agents running as separate
//! processes against servers this test starts, results signed and pushed to the real
//! site over TCP, verdicts by the quorum rule, an agent cut off from its targets set
//! aside, results buffered while the site cannot be reached and sent once it is back;
//! and what the site refuses from the network.

use crate::common;

use axum::body::{to_bytes, Body};
use axum::http::{header, Request, StatusCode};
use server::checks::wire::{sign, CheckResult, ResultBatch, AGENT_HEADER, SIGNATURE_HEADER};
use server::domain::checks::Outcome;
use server::startup::listener::{self, ListenerLimits};
use server::startup::Running;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;

/// The address an agent "cut off from its targets" probes from: the targets drop it.
const CUT_OFF: &str = "127.0.0.2";

const OK: u8 = 0;
const FAIL: u8 = 1;

/// An HTTP target: answers 200 "ok", or 500, as the test says; drops connections that
/// come from the cut-off address (that agent's network "is down").
async fn target(mode: Arc<AtomicU8>) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, peer)) = listener.accept().await {
            if peer.ip() == CUT_OFF.parse::<IpAddr>().unwrap() {
                drop(socket);
                continue;
            }
            let mode = mode.clone();
            tokio::spawn(async move {
                let mut head = [0u8; 2048];
                let _ = socket.read(&mut head).await;
                let answer = match mode.load(Ordering::SeqCst) {
                    OK => "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
                    _ => "HTTP/1.1 500 Internal Server Error\r\ncontent-length: 4\r\nconnection: close\r\n\r\nfail",
                };
                let _ = socket.write_all(answer.as_bytes()).await;
            });
        }
    });
    addr
}

/// The app's router on a real port, through a relay the test can cut.
async fn serve(app: &Running) -> (SocketAddr, common::proxy::Relay) {
    let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = tcp.local_addr().unwrap();
    let router = app.router.clone();
    tokio::spawn(async move {
        listener::serve(
            tcp,
            router,
            ListenerLimits {
                max_connections: 1_000,
                header_timeout: Duration::from_secs(5),
            },
            std::future::pending::<()>(),
        )
        .await
    });
    let relay = common::proxy::Relay::start(address).await;
    (address, relay)
}

struct Agent(Child);

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn agent(site: SocketAddr, name: &str, key: &str, dir: &Path, source: Option<&str>) -> Agent {
    let key_file = dir.join(format!("{name}.key"));
    std::fs::write(&key_file, key).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_server"));
    command
        .arg("probe")
        .args(["--site", &format!("http://{site}")])
        .args(["--agent", name])
        .arg("--key-file")
        .arg(&key_file)
        .arg("--buffer")
        .arg(dir.join(format!("{name}-buffer")))
        .env("RUST_LOG", "warn")
        .env_remove("STATUS_PROBE_KEY")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(source) = source {
        command.args(["--source-address", source]);
    }
    Agent(command.spawn().expect("the server binary runs"))
}

async fn eventually(within: Duration, what: &str, mut check: impl FnMut() -> bool) {
    let start = Instant::now();
    while !check() {
        assert!(start.elapsed() < within, "{what}: not within {within:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn page(app: &Running, uri: &str) -> String {
    let _rendering = common::ROUTE_DISCOVERY.read().await;
    let request = Request::get(uri)
        .header(header::ACCEPT_LANGUAGE, "ko")
        .body(Body::empty())
        .unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    String::from_utf8_lossy(&body).into_owned()
}

fn checks_file(dir: &Path, target: SocketAddr, control: SocketAddr) -> std::path::PathBuf {
    let path = dir.join("checks.toml");
    std::fs::write(
        &path,
        format!(
            r#"
[defaults]
interval_seconds = 5
timeout_seconds = 2
failure_threshold = 2
success_threshold = 2
disagreement_grace_seconds = 0

[[checks]]
id = "talk-api"
component = "kakaotalk/messages"
name_ko = "메시지 API"
name_en = "Messages API"
kind = "http"
url = "http://{target}/"
body_contains = "ok"

[[checks]]
id = "nightly-batch"
component = "kakaopay/payments"
kind = "heartbeat"
token = "test-token-0123456789abcdef"
missing_beats = 1

[[controls]]
id = "control"
kind = "http"
url = "http://{control}/"
"#
        ),
    )
    .unwrap();
    path
}

/// Registers an agent as `server agent add` does: a ledger change.
async fn register(app: &Running, name: &str, key: &str) {
    use server::domain::change::{Change, NewProbeAgent};
    let agent = NewProbeAgent {
        name: name.into(),
        secret: key.into(),
    };
    app.changes
        .as_ref()
        .unwrap()
        .apply("test", Change::AddProbeAgent(agent))
        .await
        .unwrap();
}

fn check_of(app: &Running, id: &str) -> Option<server::read::checks::CheckStatus> {
    app.snapshot
        .checks()
        .checks
        .iter()
        .find(|c| c.id == id)
        .cloned()
}

#[test]
fn agents_in_three_places_agree_before_a_feature_is_called_failing() {
    common::block_on(async {
        let db = common::sqlite();
        let mode = Arc::new(AtomicU8::new(OK));
        let target_addr = target(mode.clone()).await;
        let control_addr = target(Arc::new(AtomicU8::new(OK))).await;
        let file = checks_file(db.dir.path(), target_addr, control_addr);
        let app = common::app_with(&db, |config| {
            config.checks = file;
            config.builtin_agent = false;
        })
        .await;
        let store = app.changes.as_ref().unwrap().store().clone();
        for name in ["seoul-1", "busan-1", "cut-off"] {
            register(&app, name, &format!("key-of-{name}")).await;
        }
        let (_, relay) = serve(&app).await;
        let dir = db.dir.path();
        let _a = agent(relay.addr, "seoul-1", "key-of-seoul-1", dir, None);
        let mut b = agent(relay.addr, "busan-1", "key-of-busan-1", dir, None);
        let _c = agent(relay.addr, "cut-off", "key-of-cut-off", dir, Some(CUT_OFF));

        // Two agents see it up; the third cannot reach anything, its control target
        // included: it is set aside, not counted as a failure.
        eventually(
            Duration::from_secs(40),
            "up by two agents, one set aside",
            || {
                check_of(&app, "talk-api").is_some_and(|c| {
                    c.verdict == app::model::CheckVerdict::Up
                        && c.agents_reporting == 2
                        && c.agents_set_aside == 1
                })
            },
        )
        .await;
        let service = page(&app, "/services/kakaotalk").await;
        assert!(
            service.contains("자동 점검"),
            "the checks are on the service page"
        );
        assert!(!service.contains("자동 점검에서 문제가 감지되었습니다"));

        // The target fails for everyone: failing only after two results in a row in a
        // quorum (2 of the 2 counted agents).
        let broke = chrono::Utc::now();
        mode.store(FAIL, Ordering::SeqCst);
        eventually(Duration::from_secs(30), "failing by quorum", || {
            check_of(&app, "talk-api")
                .is_some_and(|c| c.verdict == app::model::CheckVerdict::Failing)
        })
        .await;
        let failing = check_of(&app, "talk-api").unwrap();
        assert!(failing.detail.contains("status 500"), "{}", failing.detail);
        assert!(
            failing.since.unwrap() - broke >= chrono::Duration::seconds(4),
            "one failed result is not enough: failing at {:?}, broken at {broke}",
            failing.since
        );
        // Officially operational: the public page says so plainly, and the API agrees.
        eventually(Duration::from_secs(5), "the banner", || {
            !app.snapshot
                .checks()
                .alerts(&app.snapshot.load(), app::model::Lang::Ko)
                .is_empty()
        })
        .await;
        let service = page(&app, "/services/kakaotalk").await;
        assert!(service.contains("자동 점검에서 문제가 감지되었습니다 — 공식 확인 전"));
        let home = page(&app, "/").await;
        assert!(home.contains("자동 점검에서 문제가 감지되었습니다"));
        let api = page(&app, "/api/v1/services/kakaotalk/checks").await;
        let api: serde_json::Value = serde_json::from_str(&api).unwrap();
        assert_eq!(api["features"][0]["verdict"], "failing");
        assert_eq!(api["features"][0]["official"], "operational");
        assert!(api["features"][0]["disagreement_since"].is_string());
        let changes = store
            .verdict_changes(broke - chrono::Duration::minutes(1))
            .await
            .unwrap();
        assert!(changes
            .iter()
            .any(|c| c.check == "talk-api" && c.verdict == "failing"));

        // One agent stops and comes back: nothing of what it probed meanwhile is lost
        // while the site cannot be reached by anyone.
        relay.cut();
        let cut_at = chrono::Utc::now();
        tokio::time::sleep(Duration::from_secs(11)).await;
        let _ = b.0.kill();
        let _ = b.0.wait();
        relay.restore();
        let restored_at = chrono::Utc::now();
        b = agent(relay.addr, "busan-1", "key-of-busan-1", dir, None);
        // It recovers: two successes in a row in a quorum.
        mode.store(OK, Ordering::SeqCst);
        eventually(Duration::from_secs(40), "recovered", || {
            check_of(&app, "talk-api").is_some_and(|c| c.verdict == app::model::CheckVerdict::Up)
        })
        .await;
        let mut probed_while_cut = std::collections::HashMap::<String, usize>::new();
        let mut seen = std::collections::HashSet::new();
        for stored in store.check_results_after(0, 100_000).await.unwrap() {
            let r = &stored.result;
            assert!(
                seen.insert((stored.agent.clone(), r.check.clone(), r.at)),
                "a result stored twice: {} {} {}",
                stored.agent,
                r.check,
                r.at
            );
            if r.check == "talk-api" && r.at > cut_at && r.at < restored_at {
                *probed_while_cut.entry(stored.agent.clone()).or_default() += 1;
            }
        }
        for name in ["seoul-1", "busan-1"] {
            assert!(
                probed_while_cut.get(name).copied().unwrap_or(0) >= 2,
                "{name}'s results from while the site was cut off arrived: {probed_while_cut:?}"
            );
        }
        drop(b);

        // The heartbeat: no beat within its interval is failing; a beat brings it back.
        let beat = |token: &str| {
            Request::post("/api/v1/heartbeats/nightly-batch")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap()
        };
        let refused = app.router.clone().oneshot(beat("wrong")).await.unwrap();
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
        eventually(Duration::from_secs(5), "missing beats are failing", || {
            check_of(&app, "nightly-batch")
                .is_some_and(|c| c.verdict == app::model::CheckVerdict::Failing)
        })
        .await;
        let taken = app
            .router
            .clone()
            .oneshot(beat("test-token-0123456789abcdef"))
            .await
            .unwrap();
        assert_eq!(taken.status(), StatusCode::ACCEPTED);
        eventually(Duration::from_secs(5), "a beat is up", || {
            check_of(&app, "nightly-batch")
                .is_some_and(|c| c.verdict == app::model::CheckVerdict::Up)
        })
        .await;
    })
}

async fn push(app: &Running, agent: &str, key: &str, body: &[u8]) -> (StatusCode, String) {
    let request = Request::post("/api/v1/probe/results")
        .header(AGENT_HEADER, agent)
        .header(SIGNATURE_HEADER, sign(key.as_bytes(), body))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_vec()))
        .unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn batch(agent: &str, seq: u64, at: chrono::DateTime<chrono::Utc>) -> Vec<u8> {
    serde_json::to_vec(&ResultBatch {
        agent: agent.into(),
        seq,
        results: vec![CheckResult {
            check: "talk-api".into(),
            at,
            outcome: Outcome::Up,
            latency_ms: 12,
            detail: String::new(),
        }],
    })
    .unwrap()
}

#[test]
fn pushed_results_that_are_not_right_are_refused_and_nothing_is_stored() {
    common::block_on(async {
        let db = common::sqlite();
        let file = checks_file(
            db.dir.path(),
            "127.0.0.1:9".parse().unwrap(),
            "127.0.0.1:9".parse().unwrap(),
        );
        let app = common::app_with(&db, |config| {
            config.checks = file;
            config.builtin_agent = false;
        })
        .await;
        let store = app.changes.as_ref().unwrap().store().clone();
        register(&app, "seoul-1", "secret").await;
        let now = chrono::Utc::now();
        let stored = || async { store.check_results_after(0, 1000).await.unwrap().len() };

        let (status, body) = push(&app, "seoul-1", "secret", &batch("seoul-1", 1, now)).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        assert_eq!(stored().await, 1);

        let cases: Vec<(&str, &str, Vec<u8>, StatusCode, &str)> = vec![
            (
                "replayed",
                "secret",
                batch("seoul-1", 1, now),
                StatusCode::CONFLICT,
                "replayed",
            ),
            (
                "an older seq",
                "secret",
                batch("seoul-1", 0, now),
                StatusCode::BAD_REQUEST,
                "malformed",
            ),
            (
                "wrong key",
                "not-the-key",
                batch("seoul-1", 2, now),
                StatusCode::UNAUTHORIZED,
                "bad_signature",
            ),
            (
                "from the future",
                "secret",
                batch("seoul-1", 3, now + chrono::Duration::minutes(10)),
                StatusCode::UNPROCESSABLE_ENTITY,
                "from_the_future",
            ),
            (
                "not JSON",
                "secret",
                b"{\"agent\": ".to_vec(),
                StatusCode::BAD_REQUEST,
                "malformed",
            ),
            (
                "an unknown field",
                "secret",
                br#"{"agent":"seoul-1","seq":4,"results":[],"extra":1}"#.to_vec(),
                StatusCode::BAD_REQUEST,
                "malformed",
            ),
            (
                "an unknown check",
                "secret",
                String::from_utf8(batch("seoul-1", 5, now))
                    .unwrap()
                    .replace("talk-api", "no-such-check")
                    .into_bytes(),
                StatusCode::BAD_REQUEST,
                "no check",
            ),
        ];
        for (what, key, body, expected, reason) in cases {
            let (status, text) = push(&app, "seoul-1", key, &body).await;
            assert_eq!(status, expected, "{what}: {text}");
            assert!(text.contains(reason), "{what}: {text}");
        }
        let (status, text) = push(&app, "nobody", "secret", &batch("nobody", 9, now)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{text}");
        assert!(text.contains("unknown_agent"));
        let oversized = vec![b' '; server::checks::ingest::MAX_BATCH_BYTES + 1];
        let (status, _) = push(&app, "seoul-1", "secret", &oversized).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(stored().await, 1, "nothing refused was stored");

        // The refusals are counted for operators.
        let metrics = page(&app, "/metrics").await;
        assert!(
            metrics.contains("status_check_batches_refused_total{reason=\"replayed\"}"),
            "{metrics}"
        );
    })
}

#[test]
fn a_check_list_that_is_not_right_stops_the_server_with_its_line_and_reason() {
    common::block_on(async {
        let db = common::sqlite();
        let path = db.dir.path().join("checks.toml");
        std::fs::write(
            &path,
            "[[checks]]\nid = \"a\"\ncomponent = \"kakaotalk/messages\"\nkind = \"http\"\nurl = \"http://127.0.0.1/\"\ninterval_seconds = 2\n",
        )
        .unwrap();
        let mut config = common::config(&db);
        config.checks = path;
        let error = match server::startup::start(&config, common::leptos_options(&db)).await {
            Ok(_) => panic!("started with an interval under 5 s"),
            Err(error) => format!("{error:#}"),
        };
        assert!(error.contains("checks.toml:6"), "{error}");
        assert!(error.contains("5 s"), "{error}");
    })
}

/// Admins register agents in the console (a ledger entry without the key); the key shown
/// there works at once, and stops working when the agent is turned off. Comms cannot.
#[test]
fn admins_register_and_turn_off_agents_in_the_console() {
    use app::model::Role;
    use common::browser::signed_in;
    common::block_on(async {
        let db = common::sqlite();
        let file = checks_file(
            db.dir.path(),
            "127.0.0.1:9".parse().unwrap(),
            "127.0.0.1:9".parse().unwrap(),
        );
        let app = common::app_with(&db, |config| {
            config.checks = file;
            config.builtin_agent = false;
        })
        .await;
        let mut admin = signed_in(&app, "admin-kim", Role::Admin).await;
        let csrf = admin.csrf("/admin/agents").await;
        let reply = admin
            .act(
                "/admin/actions/add-agent",
                &[("csrf", &csrf), ("name", "Seoul 1")],
            )
            .await;
        assert_eq!(reply.location(), "/admin/agents");
        let page = admin.get("/admin/agents").await.body;
        assert!(
            page.contains("영문 소문자·숫자·하이픈(-) 1~64자입니다"),
            "a bad name is refused with the reason"
        );
        admin
            .act(
                "/admin/actions/add-agent",
                &[("csrf", &csrf), ("name", "seoul-1")],
            )
            .await;
        let store = app.changes.as_ref().unwrap().store().clone();
        let agents = store.probe_agents().await.unwrap();
        assert_eq!(agents.len(), 1);
        let key = agents[0].secret.clone();
        let page = admin.get("/admin/agents").await.body;
        assert!(page.contains(&key), "the key is on the agents page");
        let ledger = store.ledger().await.unwrap();
        let entry = ledger.last().unwrap();
        assert_eq!(entry.action, "add_probe_agent");
        assert!(
            !entry.canonical.contains(&key),
            "the key is not in the ledger"
        );

        let now = chrono::Utc::now();
        let (status, _) = push(&app, "seoul-1", &key, &batch("seoul-1", 1, now)).await;
        assert_eq!(status, StatusCode::ACCEPTED);
        admin
            .act(
                "/admin/actions/agent-active",
                &[("csrf", &csrf), ("name", "seoul-1"), ("active", "0")],
            )
            .await;
        // The key cache is read again at once for a name it does not hold… and within
        // seconds for one it does: wait for it.
        let start = Instant::now();
        loop {
            let (status, _) = push(&app, "seoul-1", &key, &batch("seoul-1", 2, now)).await;
            if status == StatusCode::UNAUTHORIZED {
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "still taken: {status}"
            );
            tokio::time::sleep(Duration::from_millis(500)).await;
        }

        let mut comms = signed_in(&app, "comms-lee", Role::Comms).await;
        let csrf = comms.csrf("/admin").await;
        let reply = comms
            .act(
                "/admin/actions/add-agent",
                &[("csrf", &csrf), ("name", "busan-1")],
            )
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        assert_eq!(store.probe_agents().await.unwrap().len(), 1);
    })
}

/// As `run.sh` starts it: the agent inside the server registers itself (through the
/// ledger, under a name the ledger takes) and its results arrive with nothing else set up.
#[test]
fn the_agent_inside_the_server_needs_nothing_else() {
    common::block_on(async {
        let db = common::sqlite();
        let target_addr = target(Arc::new(AtomicU8::new(OK))).await;
        let file = checks_file(db.dir.path(), target_addr, target_addr);
        let app = common::app_with(&db, |config| {
            config.checks = file;
            config.builtin_agent = true;
        })
        .await;
        let store = app.changes.as_ref().unwrap().store().clone();
        let agents = store.probe_agents().await.unwrap();
        assert_eq!(agents.len(), 1, "{agents:?}");
        assert!(
            agents[0].name.starts_with("built-in-"),
            "{}",
            agents[0].name
        );
        let ledger = store.ledger().await.unwrap();
        assert!(ledger
            .iter()
            .any(|e| e.action == "add_probe_agent" && e.actor == "system"));
        eventually(
            Duration::from_secs(15),
            "the built-in agent's verdict",
            || {
                check_of(&app, "talk-api").is_some_and(|c| {
                    c.verdict == app::model::CheckVerdict::Up && c.agents_reporting == 1
                })
            },
        )
        .await;
    })
}
