//! `/incidents/{id}/record.json` and `.csv`: one incident's record, and
//! `/history.csv` / `/history.json`: the filtered history, one row per incident.

use super::{ledger_columns, refusal, Records, LEDGER_HEADER};
use crate::read::snapshot::Snapshot;
use crate::web::kit::{csv, lang, reply};
use app::data::public::FilterError;
use app::data::record::{MilestoneKind, RecordView};
use app::format::machine;
use app::model::Lang;
use app::text::public::state_label;
use app::text::record::{milestone_label, standing_label};
use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{Response, StatusCode};
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

fn not_found(id: &str) -> Response<Body> {
    reply::json(
        StatusCode::NOT_FOUND,
        &json!({
            "error": format!("There is no incident '{}'.", id.chars().take(64).collect::<String>()),
            "error_ko": format!("'{}' 장애는 없습니다.", id.chars().take(64).collect::<String>()),
        }),
    )
}

/// `{id}` arrives with its extension: `2022-10-15-fire.json`.
fn split(file: &str) -> Option<(&str, &str)> {
    file.rsplit_once('.')
}

#[derive(Deserialize)]
pub struct AsOf {
    as_of: Option<String>,
}

pub async fn record(
    State(records): State<Arc<Records>>,
    Path((id, file)): Path<(String, String)>,
    Query(at): Query<AsOf>,
    request: Request,
) -> Response<Body> {
    let lang = lang::of_request(&request);
    let Some(("record", ext)) = split(&file) else {
        return not_found(&id);
    };
    let record = match records.past.record(&id, lang, at.as_of.as_deref()).await {
        Ok(Some(record)) => record,
        Ok(None) => return not_found(&id),
        Err(error) => return refusal(&error),
    };
    match ext {
        "json" => reply::json_with_cache(StatusCode::OK, &record, "no-cache"),
        "csv" => csv::response(
            csv::document(&RECORD_HEADER, record_rows(&record, lang)),
            &format!("incident-{id}.csv"),
        ),
        _ => not_found(&id),
    }
}

const RECORD_HEADER: [&str; 11] = [
    "section",
    "at",
    "subject",
    "value",
    "detail",
    "update_id",
    "retrospective",
    "source_entries",
    "as_of",
    "ledger_seq",
    "ledger_head_hash",
];

fn record_rows(record: &RecordView, lang: Lang) -> Vec<Vec<String>> {
    let ledger = ledger_columns(record.as_of, record.ledger.as_ref());
    let mut rows: Vec<[String; 8]> = Vec::new();
    // The ledger entries a row comes from, as the `ledger_entry` rows number them.
    let seqs = |sources: &[i64]| {
        sources
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    };
    let at = |t: Option<chrono::DateTime<chrono::Utc>>| t.map(machine).unwrap_or_default();
    let summary = &record.incident.summary;
    rows.push([
        "incident".into(),
        machine(summary.started_at),
        summary.id.clone(),
        summary.title.text.clone(),
        format!(
            "impact={}; state={}",
            summary.impact.as_str(),
            summary.state.as_str()
        ),
        String::new(),
        String::new(),
        String::new(),
    ]);
    let figures = &record.figure_sources;
    for (name, minutes, sources) in [
        (
            "time_to_acknowledge_min",
            record.time_to_acknowledge,
            &figures.time_to_acknowledge,
        ),
        (
            "time_to_resolve_min",
            record.time_to_resolve,
            &figures.time_to_resolve,
        ),
    ] {
        rows.push([
            "figure".into(),
            String::new(),
            name.into(),
            minutes.map(|m| m.to_string()).unwrap_or_default(),
            String::new(),
            String::new(),
            String::new(),
            seqs(sources),
        ]);
    }
    if record.crowd_counts_read {
        let (at, value, detail) = match &record.crowd_peak {
            Some(peak) => (
                machine(peak.minute),
                peak.reports.to_string(),
                peak.services
                    .iter()
                    .map(|(name, at, count)| format!("{name} {count} @ {}", machine(*at)))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            None => (String::new(), "0".into(), String::new()),
        };
        rows.push([
            "figure".into(),
            at,
            "peak_crowd_reports_per_min".into(),
            value,
            detail,
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    for m in &record.milestones {
        let subject = match &m.kind {
            MilestoneKind::StateChange(state) => format!("state_change:{}", state.as_str()),
            other => serde_json::to_value(other).expect("serialises")["type"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        };
        rows.push([
            "milestone".into(),
            machine(m.at),
            subject,
            milestone_label(lang, &m.kind),
            String::new(),
            m.update_id.map(|u| u.to_string()).unwrap_or_default(),
            m.retrospective.to_string(),
            seqs(&m.sources),
        ]);
    }
    for c in &record.components {
        rows.push([
            "component_minutes".into(),
            String::new(),
            c.id.clone(),
            format!("{} · {}", c.service, c.component),
            format!(
                "major={:.1}; partial={:.1}; degraded={:.1}; operational={:.1}",
                c.major, c.partial, c.degraded, c.operational
            ),
            String::new(),
            String::new(),
            seqs(&c.sources),
        ]);
    }
    for d in &record.duties {
        let fulfilled: Vec<String> = d
            .fulfilled_by
            .iter()
            .map(|f| {
                format!(
                    "#{} {} ({})",
                    f.update_id.unwrap_or_default(),
                    machine(f.at),
                    if f.in_time { "in time" } else { "late" }
                )
            })
            .collect();
        rows.push([
            "duty".into(),
            at(d.due_at),
            format!("{}:{}", d.duty, d.standing),
            standing_label(lang, &d.standing).into(),
            format!(
                "{} | fulfilled by: {} | missing: {}",
                d.name,
                fulfilled.join(", "),
                d.missing.join(", ")
            ),
            String::new(),
            String::new(),
            seqs(
                &d.fulfilled_by
                    .iter()
                    .flat_map(|f| f.sources.iter().copied())
                    .collect::<Vec<_>>(),
            ),
        ]);
    }
    for u in record.incident.updates.iter().rev() {
        rows.push([
            "statement".into(),
            machine(u.at),
            format!("{}:{}", u.kind.as_str(), u.state.as_str()),
            state_label(lang, u.state).into(),
            u.body.text.clone(),
            u.id.to_string(),
            u.retrospective.to_string(),
            String::new(),
        ]);
    }
    for e in record.ledger_entries.iter().flatten() {
        rows.push([
            "ledger_entry".into(),
            machine(e.recorded_at),
            e.seq.to_string(),
            e.hash.clone(),
            e.action.clone(),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    rows.into_iter()
        .map(|row| row.into_iter().chain(ledger.iter().cloned()).collect())
        .collect()
}

#[derive(Deserialize)]
pub struct HistoryFilters {
    service: Option<String>,
    year: Option<String>,
    as_of: Option<String>,
}

/// The records a history export holds, the moment they count up to, and the ledger point.
type HistoryExport = (
    Vec<RecordView>,
    chrono::DateTime<chrono::Utc>,
    Option<app::data::record::LedgerMark>,
);

/// Every incident the history page's filters match (all pages), newest first.
async fn history(
    records: &Records,
    filters: &HistoryFilters,
    lang: Lang,
) -> Result<HistoryExport, FilterError> {
    let s: Arc<Snapshot> = records.at(filters.as_of.as_deref()).await?;
    let (_, _, matching) =
        s.history_matching(filters.service.as_deref(), filters.year.as_deref())?;
    let records: Vec<RecordView> = matching
        .iter()
        .rev()
        .filter_map(|i| s.record_view(&i.id, lang, None, None))
        .collect();
    let ledger = s.ledger_mark();
    Ok((records, s.built_at, ledger))
}

pub async fn history_json(
    State(records): State<Arc<Records>>,
    Query(filters): Query<HistoryFilters>,
    request: Request,
) -> Response<Body> {
    match history(&records, &filters, lang::of_request(&request)).await {
        Ok((records, as_of, ledger)) => reply::json_with_cache(
            StatusCode::OK,
            &json!({ "as_of": as_of, "ledger": ledger, "incidents": records }),
            "no-cache",
        ),
        Err(error) => refusal(&error),
    }
}

const HISTORY_HEADER: [&str; 14] = [
    "id",
    "title",
    "impact",
    "state",
    "services",
    "started_at",
    "first_notice_at",
    "resolved_at",
    "time_to_acknowledge_min",
    "time_to_resolve_min",
    "apology_at",
    "compensation_notice_at",
    "user_notice",
    "compiled_afterwards",
];

pub async fn history_csv(
    State(records): State<Arc<Records>>,
    Query(filters): Query<HistoryFilters>,
    request: Request,
) -> Response<Body> {
    let lang = lang::of_request(&request);
    let (found, as_of, ledger) = match history(&records, &filters, lang).await {
        Ok(found) => found,
        Err(error) => return refusal(&error),
    };
    let ledger = ledger_columns(as_of, ledger.as_ref());
    let at = |t: Option<chrono::DateTime<chrono::Utc>>| t.map(machine).unwrap_or_default();
    let rows = found.iter().map(|r| {
        let s = &r.incident.summary;
        let notice = r
            .duties
            .iter()
            .find(|d| d.duty == "user_notice")
            .map(|d| d.standing.clone())
            .unwrap_or_default();
        vec![
            s.id.clone(),
            s.title.text.clone(),
            s.impact.as_str().into(),
            s.state.as_str().into(),
            s.services
                .iter()
                .map(|v| v.name.clone())
                .collect::<Vec<_>>()
                .join(", "),
            machine(s.started_at),
            at(r.first_notice_at),
            at(s.resolved_at),
            r.time_to_acknowledge
                .map(|m| m.to_string())
                .unwrap_or_default(),
            r.time_to_resolve.map(|m| m.to_string()).unwrap_or_default(),
            at(r.apology_at),
            at(r.compensation_notice_at),
            notice,
            r.compiled_afterwards.to_string(),
        ]
        .into_iter()
        .chain(ledger.iter().cloned())
        .collect::<Vec<String>>()
    });
    let header: Vec<&str> = HISTORY_HEADER
        .iter()
        .chain(LEDGER_HEADER.iter())
        .copied()
        .collect();
    csv::response(csv::document(&header, rows), "history.csv")
}
