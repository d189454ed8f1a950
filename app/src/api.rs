//! The endpoints the pages load their data from, and the traits the server implements.
//!
//! The public ones read the in-memory snapshot (never the database) and are GET requests,
//! so caches and ETags apply to them too; the console's one is never cached.

use crate::data::public::{
    FilterError, HistoryView, HomeView, IncidentView, ReportPage, ServiceView, SiteInfo,
    SubscribeView,
};
use crate::data::record::{AvailabilityView, RecordView};
#[cfg(feature = "ssr")]
use crate::data::staff::ConsoleBody;
use crate::data::staff::{ConsolePage, ConsoleView};
use crate::model::Lang;
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};

/// What the server side provides to the pages: read-only views of the current snapshot.
#[cfg(feature = "ssr")]
pub trait ReadModel: Send + Sync + 'static {
    fn site(&self) -> SiteInfo;
    fn home(&self, lang: Lang) -> HomeView;
    fn service(&self, slug: &str, lang: Lang) -> Option<ServiceView>;
    fn incident(&self, id: &str, lang: Lang) -> Option<IncidentView>;
    fn history(
        &self,
        service: Option<&str>,
        year: Option<&str>,
        page: Option<&str>,
        lang: Lang,
    ) -> Result<HistoryView, FilterError>;
    /// The report form of a service, with what users report now. None for no such service.
    fn report_page(&self, slug: &str, lang: Lang) -> Option<ReportPage>;
    /// The services one can get email alerts for.
    fn subscribe(&self, lang: Lang) -> SubscribeView;
    /// Availability by month and year, of every service or of one with its components.
    fn availability(
        &self,
        service: Option<&str>,
        year: Option<&str>,
        lang: Lang,
    ) -> Result<AvailabilityView, FilterError>;
}

/// What the server reads from its ledger: the read model as the public could see it at a
/// past moment (`as_of`), and incident records with the ledger entries behind them.
#[cfg(feature = "ssr")]
pub trait PastModel: Send + Sync + 'static {
    /// An incident's record (now, or as of `as_of`): figures, per-component times, the
    /// legal duties' verdicts, each naming the ledger entries it comes from.
    #[allow(clippy::type_complexity)]
    fn record<'a>(
        &'a self,
        id: &'a str,
        lang: Lang,
        as_of: Option<&'a str>,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<Option<RecordView>, FilterError>> + Send + 'a>,
    >;

    #[allow(clippy::type_complexity)]
    fn at<'a>(
        &'a self,
        as_of: &'a str,
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<Output = Result<std::sync::Arc<dyn ReadModel>, FilterError>>
                + Send
                + 'a,
        >,
    >;
}

#[cfg(feature = "ssr")]
#[derive(Clone)]
pub struct PastState(pub std::sync::Arc<dyn PastModel>);

/// The present read model, or the past one `as_of` names (empty: the present).
#[cfg(feature = "ssr")]
async fn model_at(
    as_of: Option<&str>,
) -> Result<Result<std::sync::Arc<dyn ReadModel>, FilterError>, ServerFnError> {
    match as_of.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(Ok(read_model()?)),
        Some(text) => {
            let past = use_context::<PastState>()
                .ok_or_else(|| ServerFnError::new("past views are not available"))?;
            Ok(past.0.at(text).await)
        }
    }
}

/// The read model as a context value, provided by the server for pages and endpoints alike.
#[cfg(feature = "ssr")]
#[derive(Clone)]
pub struct PublicState(pub std::sync::Arc<dyn ReadModel>);

#[cfg(feature = "ssr")]
fn read_model() -> Result<std::sync::Arc<dyn ReadModel>, ServerFnError> {
    use_context::<PublicState>()
        .map(|state| state.0)
        .ok_or_else(|| ServerFnError::new("the public state is not available"))
}

#[server(prefix = "/_status", endpoint = "site", input = GetUrl)]
pub async fn get_site() -> Result<SiteInfo, ServerFnError> {
    Ok(read_model()?.site())
}

#[server(prefix = "/_status", endpoint = "home", input = GetUrl)]
pub async fn get_home(lang: Lang) -> Result<HomeView, ServerFnError> {
    Ok(read_model()?.home(lang))
}

#[server(prefix = "/_status", endpoint = "service", input = GetUrl)]
pub async fn get_service(slug: String, lang: Lang) -> Result<Option<ServiceView>, ServerFnError> {
    Ok(read_model()?.service(&slug, lang))
}

#[server(prefix = "/_status", endpoint = "incident", input = GetUrl)]
pub async fn get_incident(
    id: String,
    lang: Lang,
    as_of: Option<String>,
) -> Result<Result<Option<IncidentView>, FilterError>, ServerFnError> {
    Ok(model_at(as_of.as_deref())
        .await?
        .map(|m| m.incident(&id, lang)))
}

#[server(prefix = "/_status", endpoint = "availability", input = GetUrl)]
pub async fn get_availability(
    service: Option<String>,
    year: Option<String>,
    lang: Lang,
    as_of: Option<String>,
) -> Result<Result<AvailabilityView, FilterError>, ServerFnError> {
    Ok(model_at(as_of.as_deref())
        .await?
        .and_then(|m| m.availability(service.as_deref(), year.as_deref(), lang)))
}

#[server(prefix = "/_status", endpoint = "record", input = GetUrl)]
pub async fn get_record(
    id: String,
    lang: Lang,
    as_of: Option<String>,
) -> Result<Result<Option<RecordView>, FilterError>, ServerFnError> {
    let past = use_context::<PastState>()
        .ok_or_else(|| ServerFnError::new("records are not available"))?;
    Ok(past.0.record(&id, lang, as_of.as_deref()).await)
}

#[server(prefix = "/_status", endpoint = "history", input = GetUrl)]
pub async fn get_history(
    service: Option<String>,
    year: Option<String>,
    page: Option<String>,
    lang: Lang,
    as_of: Option<String>,
) -> Result<Result<HistoryView, FilterError>, ServerFnError> {
    Ok(model_at(as_of.as_deref())
        .await?
        .and_then(|m| m.history(service.as_deref(), year.as_deref(), page.as_deref(), lang)))
}

/// `page` ("form" or "thanks") only gives the thank-you page's request an address of its
/// own: a browser may answer a repeated GET from its cache for a few seconds
/// (stale-while-revalidate), and the thank-you page must count the report just sent.
#[server(prefix = "/_status", endpoint = "report", input = GetUrl)]
pub async fn get_report_page(
    slug: String,
    lang: Lang,
    page: String,
) -> Result<Option<ReportPage>, ServerFnError> {
    let _ = page;
    Ok(read_model()?.report_page(&slug, lang))
}

#[server(prefix = "/_status", endpoint = "subscribe", input = GetUrl)]
pub async fn get_subscribe(lang: Lang) -> Result<SubscribeView, ServerFnError> {
    Ok(read_model()?.subscribe(lang))
}

/// The server's side of the console pages.
#[cfg(feature = "ssr")]
pub trait ConsoleModel: Send + Sync + 'static {
    fn view(
        &self,
        request: http::request::Parts,
        page: ConsolePage,
        lang: Lang,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ConsoleView> + Send>>;
}

#[cfg(feature = "ssr")]
#[derive(Clone)]
pub struct ConsoleState(pub std::sync::Arc<dyn ConsoleModel>);

#[server(prefix = "/_console", endpoint = "view", input = Json)]
pub async fn get_console(page: ConsolePage, lang: Lang) -> Result<ConsoleView, ServerFnError> {
    let model = use_context::<ConsoleState>()
        .ok_or_else(|| ServerFnError::new("the console is not available"))?;
    let request =
        use_context::<http::request::Parts>().ok_or_else(|| ServerFnError::new("no request"))?;
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(
            http::header::CACHE_CONTROL,
            http::HeaderValue::from_static("no-store"),
        );
    }
    let view = model.0.view(request, page, lang).await;
    if view.body == ConsoleBody::NeedSignIn {
        let to = if lang == Lang::default() {
            "/admin/signin".to_string()
        } else {
            format!("/admin/signin?lang={lang}")
        };
        leptos_axum::redirect(&to);
    }
    Ok(view)
}
