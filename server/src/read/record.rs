//! An incident's record for the regulator: its milestones, time to acknowledge and to
//! resolve, each affected component's minutes in each state, and the verdict of every
//! legal duty (`domain::law`) on it.

use super::localized::localized;
use super::snapshot::Snapshot;
use crate::domain::availability::component_minutes;
use crate::domain::law::Verdict;
use crate::domain::state::{ComponentEvent, IncidentRecord};
use app::api::ReadModel;
use app::data::record::*;
use app::model::{IncidentState, Lang, UpdateKind};
use chrono::{DateTime, Utc};

impl Snapshot {
    pub fn record_view(&self, id: &str, lang: Lang) -> Option<RecordView> {
        let incident = self.state.incidents.iter().find(|i| i.id == id)?;
        let view = self.incident(id, lang)?;
        let now = self.built_at;
        let first_notice = incident.updates.iter().find(|u| !u.retrospective);
        let first_sign = incident
            .crowd_signal_at
            .map_or(incident.started_at, |s| s.min(incident.started_at));
        let duties = self
            .law
            .evaluate(incident, now)
            .iter()
            .map(|v| self.duty_view(v, now, lang))
            .collect();
        Some(RecordView {
            page_name: self.page_name(lang),
            milestones: milestones(incident),
            time_to_acknowledge: first_notice.map(|u| (u.at - first_sign).num_minutes().max(0)),
            time_to_resolve: incident
                .resolved_at
                .map(|at| (at - incident.started_at).num_minutes()),
            first_notice_at: first_notice.map(|u| u.at),
            apology_at: incident
                .updates
                .iter()
                .find(|u| u.kind == UpdateKind::Apology)
                .map(|u| u.at),
            compensation_notice_at: incident
                .updates
                .iter()
                .find(|u| u.notices.iter().any(|t| t.duty == "compensation_notice"))
                .map(|u| u.at),
            components: self.component_times(incident, now, lang),
            duties,
            compiled_afterwards: incident.updates.iter().any(|u| u.retrospective),
            incident: view,
            as_of: now,
            past: self.past.is_some(),
            ledger: self.ledger_mark(),
        })
    }

    /// The duties in force on `day`'s date, as choices for tagging an update (nothing
    /// judged yet).
    pub fn duties_in_force(&self, day: DateTime<Utc>, lang: Lang) -> Vec<DutyView> {
        let date = crate::domain::uptime::kst_date(day);
        self.law
            .duties()
            .into_iter()
            .filter_map(|duty| self.law.in_force(duty, date))
            .map(|rule| {
                let verdict = Verdict {
                    duty: rule.duty.clone(),
                    rule: Some(rule),
                    standing: crate::domain::law::Standing::NotYet,
                    due_at: None,
                    fulfilled_by: vec![],
                    missing: vec![],
                };
                self.duty_view(&verdict, day, lang)
            })
            .collect()
    }

    fn component_times(
        &self,
        incident: &IncidentRecord,
        now: DateTime<Utc>,
        lang: Lang,
    ) -> Vec<ComponentTimes> {
        let until = incident.resolved_at.unwrap_or(now);
        self.in_catalog_order(&incident.components)
            .into_iter()
            .map(|c| c.component.as_str())
            .map(|id| {
                // Only this incident's own changes: another incident on the same
                // component is its own record.
                let events: Vec<&ComponentEvent> = self
                    .state
                    .events
                    .iter()
                    .filter(|e| e.component == id && e.incident_id.as_deref() == Some(&incident.id))
                    .collect();
                let m = component_minutes(&events, &[], incident.started_at, until);
                let (service, component) = self.component_name(id, lang);
                ComponentTimes {
                    id: id.to_string(),
                    service,
                    component,
                    major: m.major,
                    partial: m.partial,
                    degraded: m.degraded,
                    operational: m.elapsed - m.major - m.partial - m.degraded,
                }
            })
            .collect()
    }

    fn duty_view(&self, verdict: &Verdict, now: DateTime<Utc>, lang: Lang) -> DutyView {
        let law = &self.law;
        let rule = verdict
            .rule
            .or_else(|| law.rules.iter().find(|r| r.duty == verdict.duty));
        let element = |id: &String| match law.element(id) {
            Some(named) => localized(lang, &named.ko, Some(&named.en)).text,
            None => id.clone(),
        };
        DutyView {
            duty: verdict.duty.clone(),
            name: rule.map_or(verdict.duty.clone(), |r| {
                localized(lang, &r.name_ko, Some(&r.name_en)).text
            }),
            basis: rule.map_or(String::new(), |r| {
                localized(lang, &r.basis_ko, Some(&r.basis_en)).text
            }),
            standing: verdict.standing.as_str().to_string(),
            due_at: verdict.due_at,
            remaining_minutes: verdict.due_at.map(|due| (due - now).num_minutes()),
            fulfilled_by: verdict
                .fulfilled_by
                .iter()
                .map(|f| FulfilmentView {
                    update_id: f.update_id,
                    at: f.at,
                    in_time: f.in_time,
                    elements: f.elements.iter().map(element).collect(),
                })
                .collect(),
            required: verdict
                .rule
                .map(|r| r.elements.iter().map(element).collect())
                .unwrap_or_default(),
            required_ids: verdict.rule.map(|r| r.elements.clone()).unwrap_or_default(),
            missing: verdict.missing.iter().map(element).collect(),
        }
    }
}

/// First impact, the crowd signal, the first notice, each change of state, apologies and
/// the resolution, in time order.
fn milestones(incident: &IncidentRecord) -> Vec<Milestone> {
    let mut all = vec![Milestone {
        at: incident.started_at,
        kind: MilestoneKind::FirstImpact,
        update_id: None,
        retrospective: false,
    }];
    if let Some(at) = incident.crowd_signal_at {
        all.push(Milestone {
            at,
            kind: MilestoneKind::CrowdSignal,
            update_id: None,
            retrospective: false,
        });
    }
    let mut noticed = false;
    let mut state = None;
    for u in &incident.updates {
        let mark = |kind| Milestone {
            at: u.at,
            kind,
            update_id: Some(u.id),
            retrospective: u.retrospective,
        };
        if !noticed && !u.retrospective {
            noticed = true;
            all.push(mark(MilestoneKind::FirstNotice));
        }
        if u.kind == UpdateKind::Apology {
            all.push(mark(MilestoneKind::Apology));
        }
        if u.kind != UpdateKind::Postmortem && state != Some(u.state) {
            state = Some(u.state);
            all.push(mark(if u.state == IncidentState::Resolved {
                MilestoneKind::Resolved
            } else {
                MilestoneKind::StateChange(u.state)
            }));
        }
    }
    all.sort_by_key(|m| m.at);
    all
}
