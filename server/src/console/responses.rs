//! Answers of the form posts: redirects (after a change, or back to a form with what was
//! typed), and the few refusals that are pages of their own (403, 429, 503).

use app::console::Flash;
use app::model::Lang;
use axum::body::Body;
use axum::http::{header, Response, StatusCode};
use tower_sessions::Session;

const FLASH: &str = "flash";

pub async fn set_flash(session: &Session, flash: Flash) {
    if let Err(error) = session.insert(FLASH, flash).await {
        tracing::error!(%error, "storing a form's state in the session");
    }
}

pub async fn take_flash(session: &Session) -> Flash {
    session
        .remove::<Flash>(FLASH)
        .await
        .ok()
        .flatten()
        .unwrap_or_default()
}

/// 303 to a console page, in the language the form was sent in.
pub fn see_other(path: &str, lang: Option<Lang>) -> Response<Body> {
    let location = match lang {
        Some(lang) if path.contains('?') => format!("{path}&lang={lang}"),
        Some(lang) => format!("{path}?lang={lang}"),
        None => path.to_string(),
    };
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, location)
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::empty())
        .expect("valid response")
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A refusal as a small page of its own, in the reader's language, with a way back to
/// the console.
pub fn refusal(
    status: StatusCode,
    lang: Lang,
    title: (&str, &str),
    text: (&str, &str),
) -> Response<Body> {
    let back = format!("/admin?lang={lang}");
    refusal_with_link(
        status,
        lang,
        title,
        text,
        &back,
        ("운영 콘솔로 돌아가기", "Back to the staff console"),
    )
}

/// The same, with a way back of the caller's choosing.
pub fn refusal_with_link(
    status: StatusCode,
    lang: Lang,
    title: (&str, &str),
    text: (&str, &str),
    href: &str,
    link: (&str, &str),
) -> Response<Body> {
    let (title, text, link) = match lang {
        Lang::Ko => (title.0, text.0, link.0),
        Lang::En => (title.1, text.1, link.1),
    };
    let html = format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\"><title>{title}</title>\
         <link rel=\"stylesheet\" href=\"/pkg/status.css\"></head><body>\
         <main id=\"main\" class=\"wrap\"><section class=\"error-page\"><h1>{title}</h1><p>{text}</p>\
         <p><a href=\"{href}\">{link}</a></p></section></main></body></html>",
        title = escape(title),
        text = escape(text),
        href = escape(href),
        link = escape(link),
    );
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from(html))
        .expect("valid response")
}

pub fn unavailable(lang: Lang) -> Response<Body> {
    refusal(
        StatusCode::SERVICE_UNAVAILABLE,
        lang,
        ("콘솔을 쓸 수 없습니다", "The console is unavailable"),
        (
            "데이터베이스에 연결할 수 없습니다. 아무것도 바뀌지 않았습니다. 공개 페이지는 마지막 상태로 계속 제공됩니다.",
            "The database cannot be reached. Nothing was changed. The public pages keep serving the last known state.",
        ),
    )
}

pub fn stale_form(lang: Lang) -> Response<Body> {
    refusal(
        StatusCode::FORBIDDEN,
        lang,
        ("양식이 만료되었습니다", "This form has expired"),
        (
            "보안 토큰이 맞지 않아 아무것도 바꾸지 않았습니다. 페이지를 새로 고친 뒤 다시 보내 주세요.",
            "Its security token does not match this session, so nothing was changed. Reload the page and send it again.",
        ),
    )
}

pub fn forbidden(lang: Lang) -> Response<Body> {
    refusal(
        StatusCode::FORBIDDEN,
        lang,
        ("권한이 없습니다", "Not allowed"),
        (
            "이 계정의 역할로는 할 수 없는 일입니다. 아무것도 바뀌지 않았습니다.",
            "Your role cannot do this. Nothing was changed.",
        ),
    )
}
