//! The staff console's forms fuzzed through HTTP, on both databases: an admin posts
//! hundreds of generated bodies to every console action — fields missing, sent twice,
//! of the wrong type, huge, in any Unicode, with NULs and control characters, malformed
//! percent-escapes and invalid UTF-8, wrong or missing CSRF tokens, unknown ids, other
//! content types — and every answer must be below 500, every refusal must leave the
//! ledger and the public state as they were, and the ledger must still verify.
//!
//! The generator is seeded (`FUZZ_SEED` overrides the seed, `FUZZ_CASES` the number of
//! bodies per action), so a failure names the seed and the body that caused it.

use crate::common;
use crate::on_both_backends;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::browser::*;
use common::TestDb;
use server::domain::change::PUBLIC_ACTIONS;
use server::domain::ledger;
use server::startup::Running;

on_both_backends!(
    console_forms_never_fail_and_refusals_change_nothing,
    a_nul_is_refused_before_any_database_sees_it,
);

/// SplitMix64: small, seedable, the same sequence on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// Any Unicode scalar value, NUL and the control characters often.
    fn char(&mut self) -> char {
        match self.below(6) {
            0 => char::from(self.below(0x20) as u8),
            1 => char::from(0x20 + self.below(0x5F) as u8),
            2 => *self.pick(&[
                '가',
                '힣',
                'é',
                '\u{202E}',
                '\u{FEFF}',
                '\u{7F}',
                '\u{85}',
                '😀',
                '\u{10FFFF}',
                '%',
                '&',
                '=',
                '+',
            ]),
            _ => loop {
                if let Some(c) = char::from_u32(self.below(0x11_0000) as u32) {
                    break c;
                }
            },
        }
    }

    fn text(&mut self, max: usize) -> String {
        let n = self.below(max + 1);
        (0..n).map(|_| self.char()).collect()
    }
}

/// Values of the wrong type, out of range, huge, or otherwise strange.
fn strange_value(rng: &mut Rng) -> String {
    match rng.below(12) {
        0 => String::new(),
        1 => "   ".into(),
        2 => rng.text(40),
        3 => "가".repeat(5_000 + rng.below(35_000)),
        4 => "x".repeat(300),
        5 => format!("{}\0{}", rng.text(5), rng.text(5)),
        6 => rng
            .pick(&[
                "-1",
                "0",
                "1.5",
                "1e9",
                "9223372036854775807",
                "9223372036854775808",
                "-9223372036854775809",
                "NaN",
                "true",
                "null",
                "[]",
                "{}",
            ])
            .to_string(),
        7 => rng
            .pick(&[
                "-262143-01-01T14:59",
                "+262142-12-31T23:59",
                "1969-12-31T23:59",
                "9999-12-31T23:59",
                "2022-02-30T10:00",
                "2022-10-15T15:30:60",
                "2022-10-15",
                "yesterday",
                "２０２２-10-15T15:30",
            ])
            .to_string(),
        8 => rng
            .pick(&[
                "nope",
                "2022-10-15-pangyo-datacenter-fire/../x",
                "a\nb",
                "a/b?c#d",
                "ghost",
                "wh_nope",
                "%00",
            ])
            .to_string(),
        9 => rng
            .pick(&[
                "http://10.0.0.1/x",
                "https://127.0.0.1:9/",
                "ftp://203.0.113.5/",
                "https://user:pw@203.0.113.5/",
                "http://[::1]/",
                "javascript:alert(1)",
            ])
            .to_string(),
        10 => rng
            .pick(&[
                "major_outage",
                "operational",
                "on_fire",
                "resolved",
                "postmortem",
                "admin",
                "regulator",
                "1",
            ])
            .to_string(),
        _ => format!("\u{202E}{}\r\n\t{}", rng.text(8), rng.text(8)),
    }
}

/// Field names: the form's own, others, and strange ones.
fn strange_name(rng: &mut Rng) -> String {
    match rng.below(5) {
        0 => rng.text(12),
        1 => "n".repeat(5_000),
        2 => format!("c.{}", rng.text(10)),
        3 => rng
            .pick(&[
                "c.kakaotalk/teleport",
                "c.",
                "components",
                "intent",
                "lang",
                "still_affected",
                "active",
            ])
            .to_string(),
        _ => format!("x{}", rng.below(1000)),
    }
}

/// Every console action and a body it accepts (from which the fuzz departs).
fn actions(incident: &str, update: &str) -> Vec<(&'static str, Vec<(String, String)>)> {
    let fields = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    vec![
        (
            "/admin/actions/open-incident",
            fields(&[
                ("title_ko", "퍼징 장애"),
                ("impact", "minor"),
                ("started_at", "2024-01-01T09:00"),
                ("c.kakaotalk/media", "degraded_performance"),
                ("kind", "update"),
                ("body_ko", "확인 중입니다."),
                ("intent", "publish"),
            ]),
        ),
        (
            "/admin/actions/post-update",
            fields(&[
                ("incident", incident),
                ("state", "identified"),
                ("kind", "update"),
                ("body_ko", "원인을 찾았습니다."),
                ("c.kakaotalk/media", "partial_outage"),
            ]),
        ),
        (
            "/admin/actions/correct-update",
            fields(&[
                ("incident", incident),
                ("update", update),
                ("body_ko", "정정합니다."),
            ]),
        ),
        (
            "/admin/actions/component-status",
            fields(&[
                ("component", "kakaomap/search"),
                ("status", "degraded_performance"),
            ]),
        ),
        (
            "/admin/actions/schedule-maintenance",
            fields(&[
                ("title_ko", "점검"),
                ("body_ko", "점검합니다."),
                ("starts_at", "2031-01-01T02:00"),
                ("ends_at", "2031-01-01T04:00"),
                ("components", "kakaotalk/messages"),
            ]),
        ),
        (
            "/admin/actions/add-user",
            fields(&[
                ("name", "fuzz-made"),
                ("role", "comms"),
                ("password", "a long enough password"),
            ]),
        ),
        (
            "/admin/actions/update-user",
            fields(&[
                ("name", "fuzz-comms"),
                ("role", "regulator"),
                ("active", "1"),
            ]),
        ),
        (
            "/admin/actions/add-webhook",
            fields(&[("url", "http://10.0.0.1/hook"), ("services", "kakaotalk")]),
        ),
        (
            "/admin/actions/webhook-active",
            fields(&[("id", "wh_nope"), ("active", "1")]),
        ),
        ("/admin/actions/signout", vec![]),
    ]
}

/// How the CSRF token is sent.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Csrf {
    Right,
    Missing,
    Wrong,
    /// A wrong one first, the right one second (the first counts).
    WrongFirst,
    /// The right one first, a wrong one second.
    RightFirst,
}

/// A generated request: its body, content type, and whether its CSRF token is right.
struct Case {
    body: Vec<u8>,
    content_type: Option<&'static str>,
    csrf: Csrf,
    described: String,
}

fn encode_pairs(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn generate(rng: &mut Rng, base: &[(String, String)], token: &str, sign_out: bool) -> Case {
    let mut pairs = base.to_vec();
    let mut described = Vec::new();
    for _ in 0..1 + rng.below(3) {
        match rng.below(6) {
            0 if !pairs.is_empty() => {
                let i = rng.below(pairs.len());
                described.push(format!("drop {}", pairs[i].0));
                pairs.remove(i);
            }
            1 if !pairs.is_empty() => {
                let i = rng.below(pairs.len());
                pairs[i].1 = strange_value(rng);
                described.push(format!("strange {}", pairs[i].0));
            }
            2 if !pairs.is_empty() => {
                let i = rng.below(pairs.len());
                let twice = (pairs[i].0.clone(), strange_value(rng));
                described.push(format!("twice {}", twice.0));
                let at = rng.below(pairs.len() + 1);
                pairs.insert(at, twice);
            }
            3 => {
                pairs.push((strange_name(rng), strange_value(rng)));
                described.push("extra field".into());
            }
            4 if !pairs.is_empty() => {
                let i = rng.below(pairs.len());
                pairs[i].0 = strange_name(rng);
                described.push("renamed field".into());
            }
            _ => described.push("as is".into()),
        }
    }
    // Sign-out with the right token would end the fuzzing session: only wrong ones.
    let csrf = if sign_out {
        *rng.pick(&[Csrf::Missing, Csrf::Wrong, Csrf::WrongFirst])
    } else {
        match rng.below(10) {
            0 => Csrf::Missing,
            1 => Csrf::Wrong,
            2 => Csrf::WrongFirst,
            3 => Csrf::RightFirst,
            _ => Csrf::Right,
        }
    };
    let wrong = "0".repeat(64);
    let mut with_token: Vec<(String, String)> = match csrf {
        Csrf::Right => vec![("csrf".into(), token.into())],
        Csrf::Missing => vec![],
        Csrf::Wrong => vec![("csrf".into(), wrong)],
        Csrf::WrongFirst => vec![("csrf".into(), wrong), ("csrf".into(), token.into())],
        Csrf::RightFirst => vec![("csrf".into(), token.into()), ("csrf".into(), wrong)],
    };
    with_token.extend(pairs);
    let mut body = encode_pairs(&with_token).into_bytes();
    // Now and then, bytes no form encoder would send.
    if rng.chance(15) {
        let raw: &[&[u8]] = &[
            b"&%",
            b"&title_ko=%zz%",
            b"&body_ko=%E0%A4",
            b"&%FF%FE=%C3%28",
            b"&&&==&",
            b"&body_ko=\xff\xfe\x00",
            b"&=",
            b"&x",
        ];
        body.extend_from_slice(rng.pick(raw));
        described.push("raw bytes".into());
    }
    let content_type = match rng.below(40) {
        0 => None,
        1 => Some("text/plain"),
        2 => Some("multipart/form-data; boundary=x"),
        3 => Some("application/json"),
        _ => Some("application/x-www-form-urlencoded"),
    };
    if content_type != Some("application/x-www-form-urlencoded") {
        described.push(format!("content type {content_type:?}"));
    }
    Case {
        body,
        content_type,
        csrf,
        described: described.join(", "),
    }
}

/// What must not change when input is refused: the ledger and the public state.
async fn state_of(app: &Running) -> (Vec<ledger::LedgerEntry>, server::domain::state::StoredState) {
    let store = app.changes.clone().unwrap().store().clone();
    let entries = store.ledger().await.unwrap();
    let mut state = store.load().await.unwrap();
    // The time of the last change is the ledger's, checked through it.
    state.last_change = None;
    (entries, state)
}

async fn console_forms_never_fail_and_refusals_change_nothing(db: TestDb) {
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x4B41_4B41_4F20_2022);
    let cases: usize = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(24);
    let mut rng = Rng(seed);
    let app = common::app(&db).await;
    add_user(&app, "fuzz-comms", app::model::Role::Comms).await;
    let mut admin = signed_in(&app, "fuzz-admin", app::model::Role::Admin).await;
    let token = admin.csrf("/admin/signin").await;

    // An open incident and one of its updates, for the actions that name them.
    let open = admin
        .act(
            "/admin/actions/open-incident",
            &[
                ("title_ko", "퍼징 대상"),
                ("impact", "major"),
                ("started_at", "2024-01-01T09:00"),
                ("c.kakaotalk/media", "major_outage"),
                ("kind", "update"),
                ("body_ko", "확인 중입니다."),
            ],
        )
        .await;
    assert_eq!(open.status, StatusCode::SEE_OTHER, "{}", open.body);
    let incident = open
        .location()
        .trim_start_matches("/admin/incidents/")
        .to_string();
    let state = app.changes.clone().unwrap().store().load().await.unwrap();
    let update = state
        .incidents()
        .iter()
        .find(|i| i.id == incident)
        .unwrap()
        .updates[0]
        .id
        .to_string();

    let (mut entries, mut public) = state_of(&app).await;
    let mut tally = std::collections::BTreeMap::<u16, usize>::new();
    for (action, base) in actions(&incident, &update) {
        for n in 0..cases {
            let case = generate(&mut rng, &base, &token, action.ends_with("signout"));
            let mut request = Request::post(action);
            if let Some(content_type) = case.content_type {
                request = request.header(header::CONTENT_TYPE, content_type);
            }
            let reply = admin.send(request, Body::from(case.body.clone())).await;
            let status = reply.status;
            *tally.entry(status.as_u16()).or_default() += 1;
            let what = format!(
                "seed {seed}, {action} case {n} ({}; csrf {:?}): {} bytes starting {:?}",
                case.described,
                case.csrf,
                case.body.len(),
                String::from_utf8_lossy(&case.body[..case.body.len().min(300)])
            );
            assert!(status.as_u16() < 500, "{status} for {what}: {}", reply.body);
            let (after, after_public) = state_of(&app).await;
            let added = &after[entries.len()..];
            if status.is_client_error() || !matches!(case.csrf, Csrf::Right | Csrf::RightFirst) {
                assert!(
                    added.is_empty(),
                    "{status}, yet the ledger grew, for {what}"
                );
            }
            let public_added = added
                .iter()
                .any(|e| PUBLIC_ACTIONS.contains(&e.action.as_str()));
            if !public_added {
                assert!(
                    after_public == public,
                    "the public state changed without a public ledger entry, for {what}"
                );
            }
            (entries, public) = (after, after_public);
        }
    }
    eprintln!("console fuzz, seed {seed}, {cases} bodies per action: answers {tally:?}");

    // The admin is still signed in and still an admin; the ledger still verifies.
    assert_eq!(admin.get("/admin/users").await.status, StatusCode::OK);
    let entries = app.changes.clone().unwrap().store().ledger().await.unwrap();
    ledger::verify(&entries).expect("the ledger verifies after the fuzz");

    // Signing in, from a browser of its own: wrong passwords, strange names, NULs.
    let mut stranger = Browser::new(&app);
    let stranger_token = stranger.csrf("/admin/signin").await;
    let base = vec![
        ("name".to_string(), "fuzz-admin".to_string()),
        ("password".to_string(), "not the password".to_string()),
    ];
    for n in 0..cases {
        let case = generate(&mut rng, &base, &stranger_token, false);
        let mut request = Request::post("/admin/actions/signin");
        if let Some(content_type) = case.content_type {
            request = request.header(header::CONTENT_TYPE, content_type);
        }
        let reply = stranger.send(request, Body::from(case.body.clone())).await;
        let what = format!(
            "seed {seed}, sign-in case {n} ({}; csrf {:?})",
            case.described, case.csrf
        );
        assert!(
            reply.status.as_u16() < 500,
            "{} for {what}: {}",
            reply.status,
            reply.body
        );
        assert_ne!(
            reply.location(),
            "/admin",
            "a wrong password signed in, for {what}"
        );
        let (_, after_public) = state_of(&app).await;
        assert!(
            after_public == public,
            "a sign-in changed the public state, for {what}"
        );
    }
}

/// PostgreSQL cannot store a NUL in text: before the console refused it, an update with
/// one was a database error, answered 503 "the database cannot be reached" (and a
/// sign-in name with one, the same). Now: 400, naming the field, on both databases.
async fn a_nul_is_refused_before_any_database_sees_it(db: TestDb) {
    use server::domain::change::{Change, NewUpdate};
    let app = common::app(&db).await;
    let mut admin = signed_in(&app, "nul-admin", app::model::Role::Admin).await;
    let fire = "2022-10-15-pangyo-datacenter-fire";
    let changes = app.changes.clone().unwrap();
    let before = changes.store().ledger().await.unwrap().len();
    let reply = admin
        .act(
            "/admin/actions/post-update",
            &[
                ("incident", fire),
                ("state", "resolved"),
                ("kind", "postmortem"),
                ("body_ko", "사후\0분석"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert!(reply.body.contains("'body_ko'"), "{}", reply.body);
    let mut stranger = Browser::new(&app);
    let reply = stranger.sign_in("nul\0admin", PASSWORD).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert_eq!(changes.store().ledger().await.unwrap().len(), before);

    // Why: the same change, past the form, is one PostgreSQL refuses to store.
    let direct = changes
        .apply(
            "nul-admin",
            Change::PostUpdate(NewUpdate {
                incident_id: fire.into(),
                at: chrono::Utc::now(),
                state: app::model::IncidentState::Resolved,
                kind: app::model::UpdateKind::Postmortem,
                retrospective: false,
                body_ko: "사후\0분석".into(),
                body_en: None,
                components: vec![],
                still_affected_confirmed: false,
                notices: vec![],
            }),
        )
        .await;
    if changes.store().backend() == "postgres" {
        assert!(
            matches!(
                direct,
                Err(server::write::changes::ChangeError::Store(
                    server::store::StoreError::Database(_)
                ))
            ),
            "{direct:?}"
        );
    }
}
