//! One file per route.

mod availability;
pub mod console;
mod errors;
mod history;
mod home;
mod incident;
mod record;
mod report;
mod service;
mod subscribe;

pub use availability::AvailabilityPage;
pub use errors::{BadRequest, LoadError, NotFound};
pub use history::HistoryPage;
pub use home::HomePage;
pub use incident::IncidentPage;
pub use record::RecordPage;
pub use report::{ReportServicePage, ReportThanksPage};
pub use service::ServicePage;
pub use subscribe::{ConfirmSubscriptionPage, SubscribePage, UnsubscribePage};

/// Sets the HTTP status of the server-rendered response (a no-op in the browser).
pub(crate) fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(status) = http::StatusCode::from_u16(code) {
            response.set_status(status);
        }
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}
