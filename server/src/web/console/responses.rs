//! The console's own answers: the form state kept across a redirect (flash), and the
//! refusals that are pages of their own (403, 503). Redirects and refusal pages in
//! general are `web::kit::reply`.

use crate::web::kit::reply::refusal_with_link;
use app::data::staff::Flash;
use app::model::Lang;
use axum::body::Body;
use axum::http::{Response, StatusCode};
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

/// A form holding what cannot be stored (`FormData::unstorable`): refused whole, with
/// the field named.
pub fn unstorable(lang: Lang, problem: &crate::domain::problem::Problem) -> Response<Body> {
    refusal(
        StatusCode::BAD_REQUEST,
        lang,
        (
            "보낼 수 없는 문자가 있습니다",
            "The form holds characters that cannot be sent",
        ),
        (&problem.ko, &problem.en),
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
