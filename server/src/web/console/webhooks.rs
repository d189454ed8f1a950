//! Registering webhook endpoints and switching them off (admins). Both are changes with
//! a ledger entry (the signing secret is never in it); the address is checked first, so
//! an endpoint inside the network is refused with the reason (no SSRF).

use super::actions::{refused, settle};
use super::staff::{ManageStaff, StaffPost};
use crate::delivery::webhook;
use crate::domain::change::{Change, NewWebhook, WebhookChange};
use crate::domain::problem::Problem;
use crate::web::kit::secret::random_hex;
use axum::body::Body;
use axum::http::Response;

const BACK: &str = "/admin/webhooks";

pub async fn add_webhook(post: StaffPost<ManageStaff>) -> Response<Body> {
    let StaffPost {
        console,
        session,
        form,
        lang,
        changes,
        me,
        ..
    } = post;
    let services = form.all("services");
    if let Some(unknown) = services
        .iter()
        .find(|s| changes.catalog().service(s).is_none())
    {
        let problem = Problem::new(
            "services",
            format!("알 수 없는 서비스입니다: {unknown}"),
            format!("unknown service: {unknown}"),
        );
        return refused(&session, &form, lang, BACK, &problem).await;
    }
    let allow_private = console.outbox.as_ref().is_some_and(|o| o.allow_private());
    let url = match webhook::check_url(&form.text("url"), allow_private).await {
        Ok(url) => url,
        Err(problem) => return refused(&session, &form, lang, BACK, &problem).await,
    };
    let hook = NewWebhook {
        id: format!("wh_{}", random_hex(8)),
        url: url.to_string(),
        services,
        secret: format!("whsec_{}", random_hex(24)),
    };
    let result = changes
        .apply(&me.name, Change::AddWebhook(hook))
        .await
        .map(|_| ());
    settle(
        &session,
        &form,
        lang,
        result,
        BACK,
        BACK,
        (
            "엔드포인트를 등록했습니다. 서명 비밀키를 수신 쪽에 설정하세요.",
            "The endpoint is registered. Set its signing secret on the receiving side.",
        ),
    )
    .await
}

pub async fn set_webhook_active(post: StaffPost<ManageStaff>) -> Response<Body> {
    let StaffPost {
        session,
        form,
        lang,
        changes,
        me,
        ..
    } = post;
    let change = WebhookChange {
        id: form.text("id"),
        active: form.checked("active"),
    };
    let result = changes
        .apply(&me.name, Change::SetWebhookActive(change))
        .await
        .map(|_| ());
    settle(
        &session,
        &form,
        lang,
        result,
        BACK,
        BACK,
        ("엔드포인트를 바꿨습니다.", "The endpoint is changed."),
    )
    .await
}
