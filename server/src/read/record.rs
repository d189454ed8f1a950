//! An incident's record for the regulator: its milestones, time to acknowledge and to
//! resolve, each affected component's minutes in each state, and the verdict of every
//! legal duty (`domain::law`) on it.

use super::localized::localized;
use super::snapshot::Snapshot;
use crate::domain::availability::component_minutes;
use crate::domain::law::{Channel, TaggedNote, Verdict};
use crate::domain::provenance::{seqs_of, Fact, Source};
use crate::domain::state::{ComponentEvent, IncidentRecord, UpdateRecord};
use app::api::ReadModel;
use app::data::record::*;
use app::model::{IncidentState, Lang, UpdateKind};
use chrono::{DateTime, Utc};

impl Snapshot {
    /// The record, with each figure naming the ledger entries behind it where `sources`
    /// (`domain::provenance::sources` of this incident) are given, and the duties fulfilled
    /// by internal notes judged where its `notes` are (staff and regulators only).
    pub fn record_view(
        &self,
        id: &str,
        lang: Lang,
        sources: Option<&[Source]>,
        notes: Option<&[TaggedNote]>,
    ) -> Option<RecordView> {
        let incident = self.state.incident(id)?;
        let view = self.incident(id, lang)?;
        let now = self.built_at;
        let traced = sources.unwrap_or_default();
        let opened = || seqs_of(traced, |f| *f == Fact::Opened);
        let update = |u: Option<&UpdateRecord>| {
            u.map_or_else(Vec::new, |u| seqs_of(traced, |f| *f == Fact::Update(u.id)))
        };
        let first_notice = incident.updates.iter().find(|u| !u.retrospective);
        // Time to acknowledge starts at the first sign of trouble: first impact, the crowd
        // signal or the automated checks failing, whichever came first.
        let first_sign = [incident.crowd_signal_at, incident.checks_failed_at]
            .into_iter()
            .flatten()
            .fold(incident.started_at, DateTime::min);
        let resolution = incident.resolved_at.and_then(|at| {
            incident
                .updates
                .iter()
                .find(|u| u.at == at && u.state == IncidentState::Resolved)
        });
        let apology = incident
            .updates
            .iter()
            .find(|u| u.kind == UpdateKind::Apology);
        let compensation = incident
            .updates
            .iter()
            .find(|u| u.notices.iter().any(|t| t.duty == "compensation_notice"));
        let duties = self
            .law
            .evaluate(incident, notes, now)
            .iter()
            .map(|v| self.duty_view(v, now, lang, traced))
            .collect();
        let mut milestones = milestones(incident);
        for m in &mut milestones {
            m.sources = match m.update_id {
                Some(id) => seqs_of(traced, |f| *f == Fact::Update(id)),
                None => opened(),
            };
        }
        let joined = |mut a: Vec<i64>, b: Vec<i64>| {
            a.extend(b);
            a.sort_unstable();
            a.dedup();
            a
        };
        Some(RecordView {
            page_name: self.page_name(lang),
            milestones,
            time_to_acknowledge: first_notice.map(|u| (u.at - first_sign).num_minutes().max(0)),
            time_to_resolve: incident
                .resolved_at
                .map(|at| (at - incident.started_at).num_minutes()),
            figure_sources: FigureSources {
                time_to_acknowledge: first_notice
                    .map_or_else(Vec::new, |u| joined(opened(), update(Some(u)))),
                time_to_resolve: resolution
                    .map_or_else(Vec::new, |u| joined(opened(), update(Some(u)))),
                apology: update(apology),
                compensation_notice: update(compensation),
            },
            first_notice_at: first_notice.map(|u| u.at),
            apology_at: apology.map(|u| u.at),
            compensation_notice_at: compensation.map(|u| u.at),
            components: self.component_times(incident, now, lang, traced),
            duties,
            compiled_afterwards: incident.updates.iter().any(|u| u.retrospective),
            ledger_entries: sources.map(|all| all.iter().map(entry_ref).collect()),
            crowd_peak: None,
            crowd_counts_read: false,
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
                self.duty_view(&verdict, day, lang, &[])
            })
            .collect()
    }

    fn component_times(
        &self,
        incident: &IncidentRecord,
        now: DateTime<Utc>,
        lang: Lang,
        traced: &[Source],
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
                    .events()
                    .iter()
                    .map(|e| &**e)
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
                    sources: seqs_of(traced, |f| *f == Fact::Status(id.to_string())),
                }
            })
            .collect()
    }

    fn duty_view(
        &self,
        verdict: &Verdict,
        now: DateTime<Utc>,
        lang: Lang,
        traced: &[Source],
    ) -> DutyView {
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
                    note_seq: f.note_seq,
                    sources: match f.update_id {
                        Some(id) => seqs_of(traced, |fact| *fact == Fact::Update(id)),
                        None => f.note_seq.into_iter().collect(),
                    },
                })
                .collect(),
            required: verdict
                .rule
                .map(|r| r.elements.iter().map(element).collect())
                .unwrap_or_default(),
            required_ids: verdict.rule.map(|r| r.elements.clone()).unwrap_or_default(),
            missing: verdict.missing.iter().map(element).collect(),
            by_note: rule.is_some_and(|r| r.fulfilled_by == Channel::Note),
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
        sources: vec![],
    }];
    if let Some(at) = incident.crowd_signal_at {
        all.push(Milestone {
            at,
            kind: MilestoneKind::CrowdSignal,
            update_id: None,
            retrospective: false,
            sources: vec![],
        });
    }
    if let Some(at) = incident.checks_failed_at {
        all.push(Milestone {
            at,
            kind: MilestoneKind::ChecksFailed,
            update_id: None,
            retrospective: false,
            sources: vec![],
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
            sources: vec![],
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

fn entry_ref(source: &Source) -> LedgerEntryRef {
    LedgerEntryRef {
        seq: source.seq,
        recorded_at: source.recorded_at,
        action: source.action.to_string(),
        hash: source.hash.clone(),
        facts: source
            .facts
            .iter()
            .map(|f| match f {
                Fact::Opened => SourceFact::Opened,
                Fact::Update(id) => SourceFact::Update { update_id: *id },
                Fact::Correction(id) => SourceFact::Correction { update_id: *id },
                Fact::Status(component) => SourceFact::Status {
                    component: component.clone(),
                },
            })
            .collect(),
    }
}
