//! A browser of one for HTTP tests of the console: keeps the session cookie, posts forms
//! with the session's CSRF token, signs in.
#![allow(dead_code)]

use axum::body::{to_bytes, Body};
use axum::http::{header, Request, StatusCode};
use axum::Router;
use server::domain::change::{Change, NewUser};
use server::startup::Running;
use tower::ServiceExt;

pub const PASSWORD: &str = "correct horse battery";

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// A browser of one: keeps the session cookie between requests.
pub struct Browser {
    pub router: Router,
    pub cookie: Option<String>,
}

impl Browser {
    pub fn new(app: &Running) -> Self {
        Browser {
            router: app.router.clone(),
            cookie: None,
        }
    }

    pub async fn send(&mut self, request: axum::http::request::Builder, body: Body) -> Reply {
        let _rendering = super::ROUTE_DISCOVERY.read().await;
        let mut request = request
            .header(header::ACCEPT_LANGUAGE, "ko-KR")
            .header(header::ACCEPT, "text/html,application/xhtml+xml");
        if let Some(cookie) = &self.cookie {
            request = request.header(header::COOKIE, cookie);
        }
        let response = self
            .router
            .clone()
            .oneshot(request.body(body).unwrap())
            .await
            .unwrap();
        if let Some(set) = response.headers().get(header::SET_COOKIE) {
            let pair = set.to_str().unwrap().split(';').next().unwrap().to_string();
            // An expired cookie (sign-out) clears it.
            self.cookie = (!set.to_str().unwrap().contains("Max-Age=0")).then_some(pair);
        }
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&mut self, uri: &str) -> Reply {
        self.send(Request::get(uri), Body::empty()).await
    }

    pub async fn post(&mut self, uri: &str, fields: &[(&str, &str)]) -> Reply {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        self.send(
            Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded"),
            Body::from(body),
        )
        .await
    }

    /// The CSRF token of the current session, as a page carries it.
    pub async fn csrf(&mut self, page: &str) -> String {
        let body = self.get(page).await.body;
        let start = body
            .find("name=\"csrf\" value=\"")
            .expect("a form with a CSRF token")
            + 19;
        body[start..start + 64].to_string()
    }

    /// Posts a console form with this session's token.
    pub async fn act(&mut self, uri: &str, fields: &[(&str, &str)]) -> Reply {
        let csrf = self.csrf("/admin/signin").await;
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post(uri, &all).await
    }

    pub async fn sign_in(&mut self, name: &str, password: &str) -> Reply {
        self.act(
            "/admin/actions/signin",
            &[("name", name), ("password", password)],
        )
        .await
    }
}

pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub async fn add_user(app: &Running, name: &str, role: app::model::Role) {
    let changes = app.changes.clone().unwrap();
    changes
        .apply(
            "test",
            Change::AddUser(NewUser {
                name: name.into(),
                role,
                password_hash: server::domain::accounts::hash_password(PASSWORD),
            }),
        )
        .await
        .unwrap();
}

pub async fn signed_in(app: &Running, name: &str, role: app::model::Role) -> Browser {
    add_user(app, name, role).await;
    let mut browser = Browser::new(app);
    let reply = browser.sign_in(name, PASSWORD).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), "/admin");
    browser
}
