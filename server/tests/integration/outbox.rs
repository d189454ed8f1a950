//! Webhooks and email against real local receivers: a webhook receiver that checks the
//! signature and fails on purpose, and an SMTP sink (no mail leaves the machine). Each
//! delivery is retried after a failure, nothing is lost across a restart, endpoints
//! inside the network are refused, and email is double opt-in with one-click unsubscribe.

use crate::common;
use crate::on_both_backends;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use common::browser::*;
use common::TestDb;
use server::domain::change::{Change, FirstUpdate, NewIncident};
use server::domain::state::StatusChange;
use server::startup::Running;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

// ---------------------------------------------------------------------------------------
// A webhook receiver

#[derive(Clone, Debug)]
struct Received {
    headers: HeaderMap,
    body: String,
    answered: u16,
}

#[derive(Clone, Default)]
struct Receiver {
    received: Arc<Mutex<Vec<Received>>>,
    /// Answers to give, in order; 200 once they run out.
    script: Arc<Mutex<Vec<u16>>>,
}

impl Receiver {
    async fn start(script: Vec<u16>) -> (Receiver, String) {
        let receiver = Receiver {
            received: Arc::default(),
            script: Arc::new(Mutex::new(script)),
        };
        let state = receiver.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: Bytes| {
                let state = state.clone();
                async move {
                    let answered = {
                        let mut script = state.script.lock().unwrap();
                        if script.is_empty() {
                            200
                        } else {
                            script.remove(0)
                        }
                    };
                    state.received.lock().unwrap().push(Received {
                        headers,
                        body: String::from_utf8(body.to_vec()).unwrap(),
                        answered,
                    });
                    StatusCode::from_u16(answered).unwrap()
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (receiver, url)
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    fn answer_always(&self, status: u16) {
        *self.script.lock().unwrap() = vec![status; 10_000];
    }

    fn answer_ok_from_now(&self) {
        self.script.lock().unwrap().clear();
    }
}

async fn eventually<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    for _ in 0..150 {
        if let Some(found) = check() {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

/// Verifies `X-Status-Signature` the way the README tells receivers to.
fn signature_verifies(secret: &str, received: &Received) -> bool {
    use hmac::{Hmac, Mac};
    let header = received.headers["x-status-signature"].to_str().unwrap();
    let (t, v1) = header.split_once(',').unwrap();
    let t = t.strip_prefix("t=").unwrap();
    let v1 = v1.strip_prefix("v1=").unwrap();
    let age = chrono::Utc::now().timestamp() - t.parse::<i64>().unwrap();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{}", received.body).as_bytes());
    mac.verify_slice(&hex::decode(v1).unwrap()).is_ok() && age.abs() < 300
}

fn incident(id: &str, component: &str, title: &str) -> Change {
    let now = chrono::Utc::now();
    Change::OpenIncident(NewIncident {
        id: id.into(),
        title_ko: title.into(),
        title_en: Some(format!("{title} (en)")),
        impact: app::model::Impact::Major,
        started_at: now,
        components: vec![StatusChange {
            component: component.into(),
            status: app::model::ComponentStatus::MajorOutage,
        }],
        first_update: Some(FirstUpdate {
            at: now,
            kind: app::model::UpdateKind::Update,
            body_ko: format!("{title}: 원인을 조사하고 있습니다."),
            body_en: Some("We are investigating.".into()),
            notices: vec![],
        }),
        crowd_signal_at: None,
        checks_failed_at: None,
    })
}

async fn publish(app: &Running, change: Change) -> i64 {
    app.changes
        .as_ref()
        .unwrap()
        .apply("comms", change)
        .await
        .unwrap()
        .seq
}

async fn admin(app: &Running) -> Browser {
    signed_in(app, "admin-kim", app::model::Role::Admin).await
}

async fn register(browser: &mut Browser, url: &str, services: &[&str]) -> Reply {
    let mut fields = vec![("url", url)];
    fields.extend(services.iter().map(|s| ("services", *s)));
    browser.act("/admin/actions/add-webhook", &fields).await
}

on_both_backends!(webhooks_are_signed_retried_after_a_failure_and_logged);

async fn webhooks_are_signed_retried_after_a_failure_and_logged(db: TestDb) {
    let (receiver, url) = Receiver::start(vec![500]).await;
    let app = common::app_with(&db, |c| c.webhook_allow_private = true).await;
    let mut browser = admin(&app).await;
    let reply = register(&mut browser, &url, &["kakaotalk"]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), "/admin/webhooks");
    let store = app.changes.as_ref().unwrap().store().clone();
    let hooks = store.webhooks().await.unwrap();
    assert_eq!(hooks.len(), 1);
    let secret = hooks[0].secret.clone();
    assert!(secret.starts_with("whsec_"));
    let ledger = store.ledger().await.unwrap();
    let added = ledger.last().unwrap();
    assert_eq!(added.action, "add_webhook");
    assert!(added.canonical.contains(&url));
    assert!(
        !added.canonical.contains(&secret),
        "the secret is not in the ledger"
    );

    // Another service's incident is not for this endpoint; KakaoTalk's is.
    publish(
        &app,
        incident("pay-down", "kakaopay/payments", "카카오페이 결제 장애"),
    )
    .await;
    let seq = publish(
        &app,
        incident("talk-down", "kakaotalk/messages", "카카오톡 메시지 장애"),
    )
    .await;

    let received = eventually("a retry after the 500", || {
        let r = receiver.received();
        (r.len() >= 2).then_some(r)
    })
    .await;
    assert_eq!(received[0].answered, 500);
    assert_eq!(received[1].answered, 200);
    for r in &received {
        assert!(signature_verifies(&secret, r), "the signature verifies");
        assert_eq!(r.headers["content-type"], "application/json");
        assert_eq!(r.headers["x-status-event"], "incident.created");
    }
    assert_eq!(
        received[0].headers["x-status-delivery"], received[1].headers["x-status-delivery"],
        "a retry is the same delivery"
    );
    let event: serde_json::Value = serde_json::from_str(&received[1].body).unwrap();
    assert_eq!(event["type"], "incident.created");
    assert_eq!(event["id"], format!("ledger-{seq}"));
    assert_eq!(event["services"], serde_json::json!(["kakaotalk"]));
    assert_eq!(event["incident"]["title"]["ko"], "카카오톡 메시지 장애");
    assert_eq!(event["incident"]["state"], "investigating");
    assert_eq!(event["update"]["body"]["en"], "We are investigating.");
    assert_eq!(event["ledger"]["seq"], seq);
    let entry = store.ledger().await.unwrap();
    let entry = entry.iter().find(|e| e.seq == seq).unwrap();
    assert_eq!(event["ledger"]["hash"], entry.hash.as_str());
    // A tampered body does not verify.
    let mut forged = received[1].clone();
    forged.body = forged.body.replace("카카오톡", "카카오");
    assert!(!signature_verifies(&secret, &forged));

    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(
        receiver
            .received()
            .iter()
            .all(|r| !r.body.contains("카카오페이")),
        "another service's incident was not sent"
    );

    // The delivery log, in the store and on the console page.
    let log = store.deliveries(10).await.unwrap();
    let delivered = log.iter().find(|d| d.channel == "webhook").unwrap();
    assert_eq!(delivered.state, "delivered");
    assert_eq!(delivered.attempts, 2);
    assert_eq!(delivered.last_status, Some(200));
    let page = browser.get("/admin/webhooks").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&url));
    assert!(page.body.contains("전달됨"), "{}", page.body);
    assert!(page.body.contains("incident.created"));

    // Switched off: nothing more is sent to it.
    let id = hooks[0].id.clone();
    let reply = browser
        .act(
            "/admin/actions/webhook-active",
            &[("id", &id), ("active", "0")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let before = receiver.received().len();
    publish(
        &app,
        incident("talk-again", "kakaotalk/messages", "카카오톡 재장애"),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(receiver.received().len(), before);
}

#[test]
fn nothing_is_lost_across_a_restart() {
    common::block_on(async {
        let db = common::sqlite();
        let (receiver, url) = Receiver::start(vec![]).await;
        receiver.answer_always(503);
        let first = common::app_with(&db, |c| c.webhook_allow_private = true).await;
        let mut browser = admin(&first).await;
        register(&mut browser, &url, &[]).await;
        let failing = publish(&first, incident("first", "kakaotalk/messages", "첫 장애")).await;
        eventually("a failed attempt", || {
            (!receiver.received().is_empty()).then_some(())
        })
        .await;
        // The process dies: nothing is sent any more, and a change committed now never
        // reaches this instance's outbox.
        first.outbox.as_ref().unwrap().stop();
        let unsent = publish(&first, incident("second", "kakaomap/map", "두 번째 장애")).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(receiver
            .received()
            .iter()
            .all(|r| !r.body.contains("두 번째")));

        // Started again, with the receiver back: both arrive.
        receiver.answer_ok_from_now();
        let _second = common::app_with(&db, |c| c.webhook_allow_private = true).await;
        for seq in [failing, unsent] {
            eventually(&format!("ledger-{seq} delivered"), || {
                receiver
                    .received()
                    .iter()
                    .find(|r| r.answered == 200 && r.body.contains(&format!("\"ledger-{seq}\"")))
                    .cloned()
            })
            .await;
        }
    });
}

#[test]
fn endpoints_inside_the_network_or_not_http_are_refused_with_the_reason() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        let store = app.changes.as_ref().unwrap().store().clone();
        let mut browser = admin(&app).await;
        let entries = store.ledger().await.unwrap().len();
        for (url, reason) in [
            (
                "http://127.0.0.1:9000/hook",
                "내부·사설 주소(127.0.0.1)로는 보낼 수 없습니다",
            ),
            ("http://169.254.169.254/latest/meta-data", "169.254.169.254"),
            (
                "ftp://example.com/hook",
                "http:// 또는 https:// 주소만 쓸 수 있습니다",
            ),
        ] {
            let reply = register(&mut browser, url, &[]).await;
            assert_eq!(reply.status, StatusCode::SEE_OTHER, "{url}");
            assert_eq!(reply.location(), "/admin/webhooks");
            let page = browser.get("/admin/webhooks").await;
            assert!(page.body.contains(reason), "{url}: {}", page.body);
            assert!(page.body.contains(url), "what was typed is kept");
        }
        let reply = register(
            &mut browser,
            "https://example.com/hook",
            &["no-such-service"],
        )
        .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        assert!(browser
            .get("/admin/webhooks")
            .await
            .body
            .contains("알 수 없는 서비스입니다: no-such-service"));
        assert!(store.webhooks().await.unwrap().is_empty());
        assert_eq!(store.ledger().await.unwrap().len(), entries);

        // Only admins manage webhooks.
        let mut comms = signed_in(&app, "comms-lee", app::model::Role::Comms).await;
        let reply = register(&mut comms, "https://example.com/hook", &[]).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        assert_eq!(
            comms.get("/admin/webhooks").await.status,
            StatusCode::FORBIDDEN
        );
    });
}

// ---------------------------------------------------------------------------------------
// An SMTP sink

#[derive(Clone, Default)]
struct Sink {
    messages: Arc<Mutex<Vec<String>>>,
}

impl Sink {
    async fn start() -> (Sink, String) {
        let sink = Sink::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("smtp://{}", listener.local_addr().unwrap());
        let messages = sink.messages.clone();
        tokio::spawn(async move {
            loop {
                let (socket, _) = listener.accept().await.unwrap();
                let messages = messages.clone();
                tokio::spawn(async move {
                    let (read, mut write) = socket.into_split();
                    let mut lines = BufReader::new(read).lines();
                    write.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                    while let Ok(Some(line)) = lines.next_line().await {
                        let command = line.to_ascii_uppercase();
                        let answer: &[u8] = if command.starts_with("EHLO") {
                            b"250-sink\r\n250 8BITMIME\r\n"
                        } else if command.starts_with("DATA") {
                            write.write_all(b"354 go on\r\n").await.unwrap();
                            let mut message = String::new();
                            while let Ok(Some(line)) = lines.next_line().await {
                                if line == "." {
                                    break;
                                }
                                message.push_str(line.strip_prefix('.').unwrap_or(&line));
                                message.push_str("\r\n");
                            }
                            messages.lock().unwrap().push(message);
                            b"250 stored\r\n"
                        } else if command.starts_with("QUIT") {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            break;
                        } else {
                            b"250 ok\r\n"
                        };
                        if write.write_all(answer).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        (sink, url)
    }

    fn messages(&self) -> Vec<Mail> {
        self.messages
            .lock()
            .unwrap()
            .iter()
            .map(|m| read_mail(m))
            .collect()
    }
}

#[derive(Debug)]
struct Mail {
    to: String,
    subject: String,
    list_unsubscribe: String,
    list_unsubscribe_post: String,
    body: String,
}

/// Reads a message with Python's standard email parser (not ours).
fn read_mail(raw: &str) -> Mail {
    let script = r#"
import sys, json, email, email.policy
m = email.message_from_string(sys.stdin.read(), policy=email.policy.default)
print(json.dumps({"to": str(m["To"]), "subject": str(m["Subject"]),
  "lu": str(m.get("List-Unsubscribe", "")), "lup": str(m.get("List-Unsubscribe-Post", "")),
  "body": m.get_content()}))
"#;
    let mut child = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(raw.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    Mail {
        to: v["to"].as_str().unwrap().into(),
        subject: v["subject"].as_str().unwrap().into(),
        list_unsubscribe: v["lu"].as_str().unwrap().into(),
        list_unsubscribe_post: v["lup"].as_str().unwrap().into(),
        body: v["body"].as_str().unwrap().into(),
    }
}

fn between<'a>(text: &'a str, start: &str, end: char) -> &'a str {
    let from = text.find(start).expect(start) + start.len();
    let rest = &text[from..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

#[test]
fn email_is_double_opt_in_per_service_with_one_click_unsubscribe() {
    common::block_on(async {
        let db = common::sqlite();
        let (sink, smtp) = Sink::start().await;
        let app = common::app_with(&db, |c| {
            c.smtp_url = smtp.clone();
            c.public_url = "https://status.example.com".into();
        })
        .await;
        let store = app.changes.as_ref().unwrap().store().clone();
        let mut visitor = Browser::new(&app);

        let page = visitor.get("/subscribe").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("name=\"email\""));

        // Bad input: a clear reason, nothing stored.
        let reply = visitor
            .post("/subscribe", &[("email", "not-an-address"), ("lang", "ko")])
            .await;
        assert_eq!(reply.location(), "/subscribe?error=email&lang=ko");
        let page = visitor.get(reply.location()).await;
        assert!(page.body.contains("올바른 이메일 주소를 입력하세요"));
        assert_eq!(store.subscriber_counts().await.unwrap(), (0, 0));

        let reply = visitor
            .post(
                "/subscribe",
                &[
                    ("email", " Min.Ji@Example.com "),
                    ("services", "kakaotalk"),
                    ("lang", "ko"),
                ],
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        assert_eq!(reply.location(), "/subscribe?done=sent&lang=ko");
        assert!(visitor
            .get(reply.location())
            .await
            .body
            .contains("확인 메일을 보냈습니다"));
        let confirmation = eventually("the confirmation email", || sink.messages().pop()).await;
        assert_eq!(confirmation.to, "min.ji@example.com");
        assert!(
            confirmation.subject.contains("구독을 확인해 주세요"),
            "{}",
            confirmation.subject
        );
        assert!(
            confirmation.body.contains("카카오톡"),
            "the chosen service is named"
        );
        let link = between(&confirmation.body, "https://status.example.com", '\n')
            .trim()
            .to_string();
        assert!(link.starts_with("/subscribe/confirm?token="), "{link}");
        let token = link
            .trim_start_matches("/subscribe/confirm?token=")
            .to_string();

        // Not confirmed yet: an incident sends nothing.
        publish(
            &app,
            incident("early", "kakaotalk/messages", "확인 전 장애"),
        )
        .await;
        tokio::time::sleep(Duration::from_millis(1200)).await;
        assert_eq!(sink.messages().len(), 1);

        // The link's page has one button; opening it confirms nothing.
        let page = visitor.get(&link).await;
        assert!(page.body.contains("구독 확인"));
        assert!(page.body.contains(&token));
        assert_eq!(store.subscriber_counts().await.unwrap(), (0, 1));
        let reply = visitor
            .post("/subscribe/confirm", &[("token", &token), ("lang", "ko")])
            .await;
        assert_eq!(reply.location(), "/subscribe?done=confirmed&lang=ko");
        assert_eq!(store.subscriber_counts().await.unwrap(), (1, 0));
        let reply = visitor
            .post("/subscribe/confirm", &[("token", &token), ("lang", "ko")])
            .await;
        assert_eq!(
            reply.location(),
            "/subscribe?error=expired&lang=ko",
            "a link works once"
        );

        // Another service's incident is not sent; KakaoTalk's is.
        publish(
            &app,
            incident("pay", "kakaopay/payments", "카카오페이 장애"),
        )
        .await;
        publish(
            &app,
            incident("talk", "kakaotalk/messages", "카카오톡 사진 전송 장애"),
        )
        .await;
        let alert = eventually("the alert", || {
            sink.messages()
                .into_iter()
                .find(|m| m.subject.contains("카카오톡 사진 전송 장애"))
        })
        .await;
        assert_eq!(alert.to, "min.ji@example.com");
        assert!(alert.subject.contains("원인 조사 중"), "{}", alert.subject);
        assert!(alert
            .body
            .contains("카카오톡 사진 전송 장애: 원인을 조사하고 있습니다."));
        assert!(alert
            .body
            .contains("https://status.example.com/incidents/talk"));
        assert!(alert
            .list_unsubscribe
            .starts_with("<https://status.example.com/unsubscribe?id="));
        assert_eq!(alert.list_unsubscribe_post, "List-Unsubscribe=One-Click");
        assert!(sink
            .messages()
            .iter()
            .all(|m| !m.subject.contains("카카오페이")));

        // The link opens a page with one button.
        let id = between(&alert.list_unsubscribe, "unsubscribe?id=", '>').to_string();
        let page = visitor.get(&format!("/unsubscribe?id={id}")).await;
        assert!(page.body.contains("구독 해지"));
        assert!(page.body.contains(&id));

        // One click from the mail client (RFC 8058): gone, address deleted.
        let unsubscribe = alert
            .list_unsubscribe
            .trim_matches(|c| c == '<' || c == '>')
            .trim_start_matches("https://status.example.com")
            .to_string();
        let reply = visitor
            .post(&unsubscribe, &[("List-Unsubscribe", "One-Click")])
            .await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(store.subscriber_counts().await.unwrap(), (0, 0));
        let count = sink.messages().len();
        publish(
            &app,
            incident("after", "kakaotalk/messages", "해지 후 장애"),
        )
        .await;
        tokio::time::sleep(Duration::from_millis(1200)).await;
        assert_eq!(sink.messages().len(), count);
    });
}

#[test]
fn one_click_unsubscribe_also_reads_a_multipart_body() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        let store = app.changes.as_ref().unwrap().store().clone();
        let now = chrono::Utc::now();
        let request = server::store::NewSubscription {
            email: "multi@example.com".into(),
            lang: "en".into(),
            services: vec![],
            id: "a1b2c3".into(),
            confirm_token: "t0k3n".into(),
            at: now,
        };
        store.subscribe(&request, now).await.unwrap();
        store
            .confirm_subscription("t0k3n", now - chrono::TimeDelta::hours(1), now)
            .await
            .unwrap()
            .expect("confirmed");
        let body = "--b\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--b--\r\n";
        let mut client = Browser::new(&app);
        let reply = client
            .send(
                axum::http::Request::post("/unsubscribe?id=a1b2c3")
                    .header("content-type", "multipart/form-data; boundary=b"),
                axum::body::Body::from(body),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.body, "unsubscribed");
        assert!(store.subscriber("a1b2c3").await.unwrap().is_none());
    });
}

#[test]
fn without_smtp_the_page_says_email_is_not_available() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        let mut visitor = Browser::new(&app);
        let page = visitor.get("/subscribe").await;
        assert!(page.body.contains("이메일 발송이 설정되어 있지 않아"));
        assert!(!page.body.contains("name=\"email\""));
        let reply = visitor
            .post("/subscribe", &[("email", "a@example.com"), ("lang", "ko")])
            .await;
        assert_eq!(reply.location(), "/subscribe?error=unavailable&lang=ko");
    });
}

#[test]
fn addresses_never_confirmed_are_deleted_once_their_link_expires() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        let store = app.changes.as_ref().unwrap().store().clone();
        let now = chrono::Utc::now();
        for (email, days_ago) in [("old@example.com", 3), ("new@example.com", 0)] {
            let request = server::store::NewSubscription {
                email: email.into(),
                lang: "ko".into(),
                services: vec![],
                id: format!("id-{email}"),
                confirm_token: format!("token-{email}"),
                at: now - chrono::TimeDelta::days(days_ago),
            };
            store
                .subscribe(&request, now - chrono::TimeDelta::minutes(10))
                .await
                .unwrap();
        }
        assert_eq!(store.subscriber_counts().await.unwrap(), (0, 2));
        let (_, addresses) = store
            .prune_outbox(
                now - chrono::TimeDelta::days(30),
                now - server::delivery::CONFIRM_WITHIN,
            )
            .await
            .unwrap();
        assert_eq!(addresses, 1);
        assert_eq!(store.subscriber_counts().await.unwrap(), (0, 1));
        assert!(store
            .subscriber("id-old@example.com")
            .await
            .unwrap()
            .is_none());
        assert!(store
            .subscriber("id-new@example.com")
            .await
            .unwrap()
            .is_some());
    });
}
