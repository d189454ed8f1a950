//! Which ledger entries an incident's facts come from, so each figure of its record can
//! name the entries behind it and anyone can check them against the chain. A fact counts
//! from the moment replay makes it visible (`domain::replay`: an incident from its start,
//! an update from its own time, a correction or a status set by hand from when it was
//! recorded), so a past view names only the entries behind what it shows.

use crate::domain::change::Change;
use crate::domain::replay::PublicEntry;
use chrono::{DateTime, Utc};

/// One thing an entry put on the record.
#[derive(Clone, Debug, PartialEq)]
pub enum Fact {
    /// The incident itself: its start, impact and crowd signal.
    Opened,
    /// An update (the database's id), with its time, state and tags.
    Update(i64),
    /// A new text for an update.
    Correction(i64),
    /// A component's state, for this incident.
    Status(String),
}

/// A ledger entry behind an incident's record, and what it put there.
#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    pub seq: i64,
    pub recorded_at: DateTime<Utc>,
    pub hash: String,
    pub action: &'static str,
    pub facts: Vec<Fact>,
}

/// The incident an entry is about, if any.
pub fn incident_of(change: &Change) -> Option<&str> {
    match change {
        Change::OpenIncident(new) => Some(&new.id),
        Change::PostUpdate(new) => Some(&new.incident_id),
        Change::CorrectUpdate(fix) => Some(&fix.incident_id),
        Change::SetComponentStatus(set) => set.incident_id.as_deref(),
        _ => None,
    }
}

/// The entries behind `incident`'s record as of `as_of` (None: everything), oldest first.
/// `update_ids` are the database's ids of the incident's updates in insertion order (as
/// `replay::update_ids` gives them): the n-th update an entry creates is the n-th id.
pub fn sources(
    entries: &[PublicEntry],
    incident: &str,
    update_ids: &[i64],
    as_of: Option<DateTime<Utc>>,
) -> Vec<Source> {
    let visible = |at: DateTime<Utc>| as_of.is_none_or(|t| at <= t);
    let mut created = 0;
    let mut next_update = || {
        created += 1;
        update_ids.get(created - 1).copied()
    };
    let mut found = Vec::new();
    for entry in entries {
        if incident_of(&entry.change) != Some(incident) {
            continue;
        }
        let mut facts = Vec::new();
        match &entry.change {
            Change::OpenIncident(new) => {
                if visible(new.started_at) {
                    facts.push(Fact::Opened);
                    facts.extend(
                        new.components
                            .iter()
                            .map(|c| Fact::Status(c.component.clone())),
                    );
                }
                if let Some(first) = &new.first_update {
                    let id = next_update();
                    if let Some(id) = id.filter(|_| visible(first.at)) {
                        facts.push(Fact::Update(id));
                    }
                }
            }
            Change::PostUpdate(new) => {
                let id = next_update();
                if visible(new.at) {
                    facts.extend(id.map(Fact::Update));
                    facts.extend(
                        new.components
                            .iter()
                            .map(|c| Fact::Status(c.component.clone())),
                    );
                }
            }
            Change::CorrectUpdate(fix) if visible(entry.at) => {
                facts.push(Fact::Correction(fix.update_id));
            }
            Change::SetComponentStatus(set) if visible(entry.at) => {
                facts.push(Fact::Status(set.component.clone()));
            }
            _ => {}
        }
        if !facts.is_empty() {
            found.push(Source {
                seq: entry.seq,
                recorded_at: entry.at,
                hash: entry.hash.clone(),
                action: entry.change.action(),
                facts,
            });
        }
    }
    found
}

/// The sequence numbers of the entries that put a fact on the record.
pub fn seqs_of(sources: &[Source], wanted: impl Fn(&Fact) -> bool) -> Vec<i64> {
    sources
        .iter()
        .filter(|s| s.facts.iter().any(&wanted))
        .map(|s| s.seq)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::change::{Correction, FirstUpdate, NewIncident, NewUpdate};
    use crate::domain::state::StatusChange;
    use app::model::{ComponentStatus, Impact, IncidentState, UpdateKind};

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn entry(seq: i64, recorded: &str, change: Change) -> PublicEntry {
        PublicEntry {
            seq,
            at: at(recorded),
            hash: format!("h{seq}"),
            change,
        }
    }

    fn update(incident: &str, when: &str, state: IncidentState) -> Change {
        Change::PostUpdate(NewUpdate {
            incident_id: incident.into(),
            at: at(when),
            state,
            kind: UpdateKind::Update,
            retrospective: false,
            body_ko: "공지".into(),
            body_en: None,
            components: vec![],
            still_affected_confirmed: false,
            notices: vec![],
        })
    }

    /// History recorded in 2026 that describes 2022: each fact counts from its own time,
    /// a correction from when it was recorded; updates get the database's ids in order.
    #[test]
    fn each_fact_names_its_entry_and_a_past_view_only_those_it_shows() {
        let entries = vec![
            entry(
                1,
                "2026-01-01T00:00:00Z",
                Change::OpenIncident(NewIncident {
                    id: "fire".into(),
                    title_ko: "화재".into(),
                    title_en: None,
                    impact: Impact::Critical,
                    started_at: at("2022-10-15T06:29:00Z"),
                    components: vec![StatusChange {
                        component: "kakaotalk/messages".into(),
                        status: ComponentStatus::MajorOutage,
                    }],
                    first_update: Some(FirstUpdate {
                        at: at("2022-10-15T06:50:00Z"),
                        kind: UpdateKind::Update,
                        body_ko: "장애".into(),
                        body_en: None,
                        notices: vec![],
                    }),
                    crowd_signal_at: None,
                    checks_failed_at: None,
                }),
            ),
            entry(
                2,
                "2026-01-01T00:00:01Z",
                update("other", "2022-10-15T07:00:00Z", IncidentState::Identified),
            ),
            entry(
                3,
                "2026-01-01T00:00:02Z",
                update("fire", "2022-10-20T14:00:00Z", IncidentState::Resolved),
            ),
            entry(
                4,
                "2026-02-01T00:00:00Z",
                Change::CorrectUpdate(Correction {
                    incident_id: "fire".into(),
                    update_id: 40,
                    body_ko: "정정".into(),
                    body_en: None,
                }),
            ),
        ];
        let ids = [40, 52];
        let all = sources(&entries, "fire", &ids, None);
        assert_eq!(
            all.iter()
                .map(|s| (s.seq, s.facts.clone()))
                .collect::<Vec<_>>(),
            vec![
                (
                    1,
                    vec![
                        Fact::Opened,
                        Fact::Status("kakaotalk/messages".into()),
                        Fact::Update(40)
                    ]
                ),
                (3, vec![Fact::Update(52)]),
                (4, vec![Fact::Correction(40)]),
            ]
        );
        assert_eq!(all[0].action, "open_incident");
        assert_eq!(seqs_of(&all, |f| *f == Fact::Update(52)), vec![3]);
        // 15:40 KST: the incident, not yet its first notice (15:50).
        let early = sources(&entries, "fire", &ids, Some(at("2022-10-15T06:40:00Z")));
        assert_eq!(early.len(), 1);
        assert!(!early[0].facts.contains(&Fact::Update(40)));
        // A week on: the resolution, but not the correction recorded in 2026.
        let later = sources(&entries, "fire", &ids, Some(at("2022-10-22T00:00:00Z")));
        assert_eq!(later.iter().map(|s| s.seq).collect::<Vec<_>>(), vec![1, 3]);
    }
}
