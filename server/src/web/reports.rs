//! The report endpoints: `POST /report/{service}` for the page's form (answered with a
//! redirect to the thank-you page, or a page saying why not), and `POST /api/v1/reports`
//! for scripts and apps (answered in JSON). Both go through the same intake.

use crate::crowd::intake::{Intake, Invalid, Outcome};
use crate::web::kit::client::client_address;
use crate::web::kit::form::FormData;
use crate::web::kit::lang;
use crate::web::kit::reply::{self, refusal_with_link};
use app::model::Lang;
use axum::body::Body;
use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap, Response, StatusCode};
use axum::{Extension, Form};
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use utoipa::ToSchema;

/// A report as `POST /api/v1/reports` takes it (as a form). In the served document this
/// schema lists, per service, the problems and regions config/catalog.toml allows.
#[derive(Deserialize, ToSchema)]
pub struct ReportRequest {
    /// The service's slug.
    pub service: String,
    /// One of the service's problems (its slug).
    pub problem: String,
    /// A region's slug; empty or absent: not said.
    pub region: Option<String>,
}

/// The answer to a report that was taken (201, 202) or was a repeat (200).
#[derive(Serialize, ToSchema)]
pub struct ReportReceipt {
    /// True when this report counts (201, 202); false for a repeat (200).
    pub counted: bool,
    /// True when it waits in this instance's spool for the database (202).
    #[schema(nullable = false)]
    pub spooled: Option<bool>,
    /// Why it was not counted (200).
    #[schema(nullable = false)]
    pub reason: Option<String>,
}

/// The answer to a report that was refused (400, 408, 413, 415, 429, 503): it was not stored.
#[derive(Serialize, ToSchema)]
pub struct ReportRefusal {
    /// Always false.
    pub counted: bool,
    /// Why, in English.
    pub error: String,
    /// Why, in Korean (when the body was refused before it was read: 408, 413).
    #[schema(nullable = false)]
    pub error_ko: Option<String>,
}

pub struct Reports {
    pub intake: Arc<Intake>,
    /// Where the figures are published; the thank-you page waits for them to include
    /// the report it thanks for.
    pub snapshot: Arc<crate::read::snapshot::SnapshotHandle>,
    /// Proxies whose `X-Forwarded-For` is believed (the last address in it).
    pub trusted_proxies: Vec<IpAddr>,
}

/// A report as sent: read like every form (`FormData`): a field sent twice counts once,
/// the first; unknown fields are ignored; any text at all is then checked against the
/// catalog (`Intake::validate`), which names what is wrong.
pub struct ReportForm {
    service: String,
    problem: String,
    region: String,
    lang: String,
}

impl ReportForm {
    pub fn read(pairs: Vec<(String, String)>) -> Self {
        let form = FormData(pairs);
        ReportForm {
            service: form.text("service"),
            problem: form.text("problem"),
            region: form.text("region"),
            lang: form.text("lang"),
        }
    }
}

fn user_agent(headers: &HeaderMap) -> &str {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

fn invalid_text(invalid: &Invalid) -> (&'static str, &'static str) {
    match invalid {
        Invalid::Service => (
            "그런 서비스는 없습니다. 목록에서 고르세요.",
            "There is no such service. Pick one from the list.",
        ),
        Invalid::Problem => (
            "문제를 목록에서 하나 고르세요.",
            "Pick one problem from the list.",
        ),
        Invalid::Region => (
            "지역을 목록에서 고르거나 비워 두세요.",
            "Pick a region from the list, or leave it empty.",
        ),
    }
}

/// The page's form. Answers 303 to `/report/{service}/thanks?result=counted|repeat`.
pub async fn report_form(
    State(reports): State<Arc<Reports>>,
    Path(service): Path<String>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response<Body> {
    let form = ReportForm::read(pairs);
    let lang = lang::chosen_or_headers(Lang::parse(&form.lang), &headers);
    let href = format!("/services/{service}?lang={lang}");
    let back = |code: StatusCode, title: (&str, &str), text: (&str, &str)| {
        refusal_with_link(
            code,
            lang,
            title,
            text,
            &href,
            ("서비스 상태로 돌아가기", "Back to the service status"),
        )
    };
    if let Err(invalid) = reports
        .intake
        .validate(&service, &form.problem, &form.region)
    {
        return back(
            StatusCode::BAD_REQUEST,
            ("제보를 받지 못했습니다", "The report was not taken"),
            invalid_text(&invalid),
        );
    }
    let address = client_address(
        peer.map(|p| p.0 .0.ip()),
        &headers,
        &reports.trusted_proxies,
    );
    let outcome = reports
        .intake
        .submit(
            &service,
            &form.problem,
            &form.region,
            address,
            user_agent(&headers),
        )
        .await;
    let result = match outcome {
        Outcome::Counted => {
            // So that the count on the thank-you page includes this report (up to 1.5 s).
            let stored_at = chrono::Utc::now();
            let within = std::time::Duration::from_millis(1500);
            (reports.snapshot)
                .wait_until(within, |s| s.crowd().as_of >= stored_at)
                .await;
            "counted"
        }
        Outcome::Spooled => "saved",
        Outcome::Repeat => "repeat",
        Outcome::Limited(wait) => {
            let seconds = wait.as_secs().max(1);
            let mut page = back(
                StatusCode::TOO_MANY_REQUESTS,
                ("잠시 후 다시 제보해 주세요", "Please report again in a moment"),
                (
                    &format!("이 주소에서 제보가 너무 많이 들어왔습니다. {seconds}초 뒤에 다시 시도하세요."),
                    &format!("Too many reports came from this address. Try again in {seconds} seconds."),
                ),
            );
            page.headers_mut()
                .insert(header::RETRY_AFTER, seconds.into());
            return page;
        }
        Outcome::SpoolFull => {
            let mut page = back(
                StatusCode::SERVICE_UNAVAILABLE,
                (
                    "지금은 제보를 받을 수 없습니다",
                    "Reports cannot be taken right now",
                ),
                (SPOOL_FULL.0, SPOOL_FULL.1),
            );
            page.headers_mut().insert(header::RETRY_AFTER, 60.into());
            return page;
        }
        Outcome::Busy => {
            let mut page = back(
                StatusCode::SERVICE_UNAVAILABLE,
                ("지금은 제보를 받을 수 없습니다", "Reports cannot be taken right now"),
                ("제보가 몰려 저장하지 못했습니다. 몇 초 뒤에 다시 보내 주세요.", "Too many reports at once; yours was not stored. Please send it again in a few seconds."),
            );
            page.headers_mut().insert(header::RETRY_AFTER, 5.into());
            return page;
        }
    };
    let lang_param = if form.lang.is_empty() {
        String::new()
    } else {
        format!("&lang={lang}")
    };
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(
            header::LOCATION,
            format!("/report/{service}/thanks?result={result}{lang_param}"),
        )
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::empty())
        .expect("valid response")
}

const SPOOL_FULL: (&str, &str) = (
    "데이터베이스가 응답하지 않고, 그동안 제보를 보관하는 공간도 가득 찼습니다. 제보는 저장되지 않았습니다. 1분쯤 뒤에 다시 보내 주세요.",
    "The database is not answering and the space that keeps reports meanwhile is full. Your report was not stored. Please send it again in a minute.",
);

fn json(status: StatusCode, body: serde_json::Value) -> Response<Body> {
    reply::json(status, &body)
}

/// For scripts and apps: `service`, `problem`, optional `region`, as a form. 201 when
/// counted (stored), 202 when kept in this instance's spool while the database does not
/// answer (stored once it is back), 200 when a repeat, 400 / 415 / 429 / 503 with a reason.
#[utoipa::path(post, path = "/api/v1/reports", tag = "v1",
    request_body(content = ReportRequest, content_type = "application/x-www-form-urlencoded",
        description = "service=kakaotalk&problem=send&region=seoul (region optional); the choices are in config/catalog.toml"),
    responses(
        (status = 201, description = "Counted: stored before this answer", body = ReportReceipt),
        (status = 202, description = "Accepted while the database does not answer: written to this instance's disk before this answer, and stored (once) when the database is back", body = ReportReceipt),
        (status = 200, description = "Already counted: one report per client per service every 15 minutes", body = ReportReceipt),
        (status = 400, description = "An unknown service, problem or region, or a body that is not a form", body = ReportRefusal),
        (status = 408, description = "The body did not arrive in time; nothing was stored", body = ReportRefusal),
        (status = 413, description = "A body over 16 KB; nothing was stored", body = ReportRefusal),
        (status = 415, description = "Not sent as application/x-www-form-urlencoded", body = ReportRefusal),
        (status = 429, description = "Too many reports from this address (a burst of 10, then one every 10 s); not stored", body = ReportRefusal,
            headers(("Retry-After" = u64, description = "Seconds until this address may report again"))),
        (status = 503, description = "Busy, or the database is not answering and the spool is full: not stored; try again after Retry-After", body = ReportRefusal,
            headers(("Retry-After" = u64, description = "Seconds to wait before sending it again")))))]
pub async fn report_api(
    State(reports): State<Arc<Reports>>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response<Body> {
    let pairs = match form {
        Ok(Form(pairs)) => pairs,
        Err(rejection) => {
            // 415 when not sent as a form, 413 when too large, 400 when unreadable.
            let status = match rejection.status() {
                StatusCode::UNPROCESSABLE_ENTITY => StatusCode::BAD_REQUEST,
                status => status,
            };
            return json(
                status,
                serde_json::json!({ "counted": false, "error": rejection.body_text() }),
            );
        }
    };
    let form = ReportForm::read(pairs);
    if let Err(invalid) = reports
        .intake
        .validate(&form.service, &form.problem, &form.region)
    {
        return json(
            StatusCode::BAD_REQUEST,
            serde_json::json!({ "counted": false, "error": invalid_text(&invalid).1 }),
        );
    }
    let address = client_address(
        peer.map(|p| p.0 .0.ip()),
        &headers,
        &reports.trusted_proxies,
    );
    match reports
        .intake
        .submit(
            &form.service,
            &form.problem,
            &form.region,
            address,
            user_agent(&headers),
        )
        .await
    {
        Outcome::Counted => json(StatusCode::CREATED, serde_json::json!({ "counted": true })),
        Outcome::Spooled => json(
            StatusCode::ACCEPTED,
            serde_json::json!({ "counted": true, "spooled": true }),
        ),
        Outcome::SpoolFull => {
            let mut reply = json(
                StatusCode::SERVICE_UNAVAILABLE,
                serde_json::json!({ "counted": false, "error": SPOOL_FULL.1 }),
            );
            reply.headers_mut().insert(header::RETRY_AFTER, 60.into());
            reply
        }
        Outcome::Repeat => json(
            StatusCode::OK,
            serde_json::json!({ "counted": false, "reason": "already counted: one report per service every 15 minutes" }),
        ),
        Outcome::Limited(wait) => {
            let mut reply = json(
                StatusCode::TOO_MANY_REQUESTS,
                serde_json::json!({ "counted": false, "error": "too many reports from this address" }),
            );
            reply
                .headers_mut()
                .insert(header::RETRY_AFTER, wait.as_secs().max(1).into());
            reply
        }
        Outcome::Busy => {
            let mut reply = json(
                StatusCode::SERVICE_UNAVAILABLE,
                serde_json::json!({ "counted": false, "error": "busy; not stored; try again" }),
            );
            reply.headers_mut().insert(header::RETRY_AFTER, 5.into());
            reply
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_field_sent_twice_counts_once() {
        // Before: `problem=send&problem=login` was answered 422 in
        // plain English by the form extractor ("duplicate field"), not as a report.
        let form = ReportForm::read(vec![
            ("service".into(), "kakaotalk".into()),
            ("problem".into(), "send".into()),
            ("problem".into(), "login".into()),
        ]);
        assert_eq!(
            (form.service.as_str(), form.problem.as_str()),
            ("kakaotalk", "send")
        );
        assert_eq!(form.region, "");
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 256,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// Any body a client can send decodes to a report form (the first of each field,
        /// trimmed); nothing is refused before the catalog check names what is wrong.
        #[test]
        fn any_body_is_read(body in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..200),
            "((service|problem|region|lang|x)=[a-z%0-9가+]{0,12}&?){0,8}".prop_map(String::into_bytes),
        ]) {
            let pairs: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
            let form = ReportForm::read(pairs.clone());
            let first = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
            prop_assert_eq!(form.service, first("service"));
            prop_assert_eq!(form.problem, first("problem"));
            prop_assert_eq!(form.region, first("region"));
            prop_assert_eq!(form.lang, first("lang"));
        }
    }
}
