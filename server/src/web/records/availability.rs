//! `/availability.csv` and `/availability.json`: the figures of `/availability`, every
//! month and the year, per service and per component, with the minutes behind them.

use super::{refusal, Records};
use crate::web::kit::{csv, lang, reply};
use app::data::public::FilterError;
use app::data::record::{AvailabilityView, MinutesView};
use app::model::Lang;
use axum::body::Body;
use axum::extract::{Query, Request, State};
use axum::http::{Response, StatusCode};
use serde::Deserialize;
use std::sync::Arc;

#[derive(Deserialize)]
pub struct Filters {
    service: Option<String>,
    year: Option<String>,
    as_of: Option<String>,
}

async fn view(
    records: &Records,
    filters: &Filters,
    lang: Lang,
) -> Result<AvailabilityView, FilterError> {
    records
        .at(filters.as_of.as_deref())
        .await?
        .availability_view(filters.service.as_deref(), filters.year.as_deref(), lang)
}

pub async fn json(
    State(records): State<Arc<Records>>,
    Query(filters): Query<Filters>,
    request: Request,
) -> Response<Body> {
    match view(&records, &filters, lang::of_request(&request)).await {
        Ok(view) => reply::json_with_cache(StatusCode::OK, &view, "no-cache"),
        Err(error) => refusal(&error),
    }
}

pub const CSV_HEADER: [&str; 16] = [
    "year",
    "month",
    "service",
    "service_name",
    "component",
    "component_name",
    "elapsed_min",
    "major_outage_min",
    "partial_outage_min",
    "degraded_min",
    "maintenance_min",
    "weighted_down_min",
    "availability_percent",
    "as_of",
    "ledger_seq",
    "ledger_head_hash",
];

pub async fn csv(
    State(records): State<Arc<Records>>,
    Query(filters): Query<Filters>,
    request: Request,
) -> Response<Body> {
    let view = match view(&records, &filters, lang::of_request(&request)).await {
        Ok(view) => view,
        Err(error) => return refusal(&error),
    };
    let as_of = app::format::machine(view.as_of);
    let (seq, hash) = match &view.ledger {
        Some(mark) => (mark.seq.to_string(), mark.head_hash.clone()),
        None => (String::new(), String::new()),
    };
    let mut rows = Vec::new();
    for service in &view.services {
        let figures = std::iter::once((&service.service, ""))
            .chain(service.components.iter().map(|c| (c, c.slug.as_str())));
        for (f, component) in figures {
            let component_name = if component.is_empty() { "" } else { &f.name };
            let periods = f
                .months
                .iter()
                .enumerate()
                .map(|(i, m)| ((i + 1).to_string(), m))
                .chain(std::iter::once((String::new(), &f.year)));
            for (month, m) in periods {
                if m.elapsed <= 0.0 {
                    continue;
                }
                rows.push(row(
                    view.year,
                    month,
                    (&service.service.slug, &service.service.name),
                    (component, component_name),
                    m,
                    [&as_of, &seq, &hash],
                ));
            }
        }
    }
    let file = match &view.service {
        Some(slug) => format!("availability-{}-{slug}.csv", view.year),
        None => format!("availability-{}.csv", view.year),
    };
    csv::response(csv::document(&CSV_HEADER, rows), &file)
}

fn row(
    year: i32,
    month: String,
    (service, service_name): (&str, &str),
    (component, component_name): (&str, &str),
    m: &MinutesView,
    [as_of, seq, hash]: [&str; 3],
) -> Vec<String> {
    vec![
        year.to_string(),
        month,
        service.to_string(),
        service_name.to_string(),
        component.to_string(),
        component_name.to_string(),
        format!("{:.1}", m.elapsed),
        format!("{:.1}", m.major),
        format!("{:.1}", m.partial),
        format!("{:.1}", m.degraded),
        format!("{:.1}", m.maintenance),
        format!("{:.1}", m.down),
        format!("{:.4}", m.availability),
        as_of.to_string(),
        seq.to_string(),
        hash.to_string(),
    ]
}
