//! The regulator's downloads: the availability tables (and, per incident, its record) as
//! CSV and JSON, each carrying the moment it counts up to and the ledger point the state
//! reflects, so it can be checked against the chain later (scripts/verify-export.py).

pub mod availability;
pub mod incident;

use crate::read::past::PastViews;
use crate::read::snapshot::Snapshot;
use crate::web::kit::reply;
use app::data::public::FilterError;
use app::data::record::LedgerMark;
use app::model::Lang;
use app::text::public::filter_error_text;
use axum::body::Body;
use axum::http::{Response, StatusCode};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// What the downloads are computed from: the present snapshot, or a past one
/// (`PastViews::snapshot_at`).
pub struct Records {
    past: Arc<PastViews>,
}

impl Records {
    /// The snapshot `as_of` names (none or empty: the present).
    async fn at(&self, as_of: Option<&str>) -> Result<Arc<Snapshot>, FilterError> {
        self.past.snapshot_at(as_of).await
    }
}

pub fn router(past: Arc<PastViews>) -> Router {
    Router::new()
        .route("/availability.csv", get(availability::csv))
        .route("/availability.json", get(availability::json))
        .route("/history.csv", get(incident::history_csv))
        .route("/history.json", get(incident::history_json))
        .route("/incidents/{id}/{file}", get(incident::record))
        .with_state(Arc::new(Records { past }))
}

/// The columns every CSV export ends with.
pub const LEDGER_HEADER: [&str; 3] = ["as_of", "ledger_seq", "ledger_head_hash"];

pub fn ledger_columns(as_of: DateTime<Utc>, ledger: Option<&LedgerMark>) -> [String; 3] {
    match ledger {
        Some(mark) => [
            app::format::machine(as_of),
            mark.seq.to_string(),
            mark.head_hash.clone(),
        ],
        None => [app::format::machine(as_of), String::new(), String::new()],
    }
}

/// A refused filter, as the API refuses: both languages, nothing else.
pub fn refusal(error: &FilterError) -> Response<Body> {
    reply::json(
        StatusCode::BAD_REQUEST,
        &serde_json::json!({
            "error": filter_error_text(Lang::En, error),
            "error_ko": filter_error_text(Lang::Ko, error),
        }),
    )
}
