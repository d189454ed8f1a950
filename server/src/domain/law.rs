//! What the law asks after an outage (config/rules.toml): which duties applied to an
//! incident on its dates, when each notice or report was due, and whether an official
//! update (or, for a report to the authorities, an internal note) tagged as fulfilling
//! it came in time with the elements it must carry.

use crate::domain::state::{IncidentRecord, NoticeTag};
use crate::domain::uptime::kst_date;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Law {
    pub provider: Provider,
    /// Element id → its name.
    pub elements: BTreeMap<String, Named>,
    pub rules: Vec<Rule>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    pub name_ko: String,
    pub name_en: String,
    /// When the provider was designated as a large value-added service provider.
    pub designated_on: Option<NaiveDate>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Named {
    pub ko: String,
    pub en: String,
}

/// One version of one duty.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub duty: String,
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
    #[serde(default)]
    pub designated: bool,
    pub name_ko: String,
    pub name_en: String,
    pub basis_ko: String,
    pub basis_en: String,
    pub applies: Applies,
    pub due: Due,
    pub elements: Vec<String>,
    #[serde(default)]
    pub fulfilled_by: Channel,
}

/// What fulfils a duty: a public update (a notice to users), or an internal note (a
/// report to the authorities, which is not published; its time is when it was recorded).
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    #[default]
    Update,
    Note,
}

/// An internal note's tags, for the duties fulfilled by notes.
#[derive(Clone, Debug, PartialEq)]
pub struct TaggedNote {
    /// Its ledger entry.
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub notices: Vec<NoticeTag>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum Applies {
    /// The outage lasted more than this many minutes (the exemption is "up to").
    LongerThan(u32),
    /// The outage lasted this many minutes or more.
    AtLeast(u32),
    /// Whenever that duty applied.
    AfterDuty(String),
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, tag = "after", rename_all = "snake_case")]
pub enum Due {
    /// Within this many minutes of the outage passing its threshold ("without delay": 0).
    Threshold { within_minutes: u32 },
    /// Within this many days of restoration.
    Resolution { within_days: u32 },
}

#[derive(Debug, thiserror::Error)]
pub enum LawError {
    #[error("cannot read the rules {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("the rules {path} are not valid: {source}")]
    Parse {
        path: String,
        source: toml::de::Error,
    },
    #[error("the rules {path} are not valid: {reason}")]
    Invalid { path: String, reason: String },
}

impl Law {
    pub fn load(path: &Path) -> Result<Law, LawError> {
        let text = std::fs::read_to_string(path).map_err(|source| LawError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Law::parse(&text, &path.display().to_string())
    }

    /// Parses and checks the rules; `path` names the file in errors (toml's errors give
    /// the line and column).
    pub fn parse(text: &str, path: &str) -> Result<Law, LawError> {
        let law: Law = toml::from_str(text).map_err(|source| LawError::Parse {
            path: path.to_string(),
            source,
        })?;
        law.check().map_err(|reason| LawError::Invalid {
            path: path.to_string(),
            reason,
        })?;
        Ok(law)
    }

    /// The rules of this repository (config/rules.toml), for tests and the default.
    pub fn bundled() -> Law {
        Law::parse(
            include_str!("../../../config/rules.toml"),
            "config/rules.toml",
        )
        .expect("the bundled rules are valid")
    }

    fn check(&self) -> Result<(), String> {
        for (i, rule) in self.rules.iter().enumerate() {
            let at = format!("rule {} ({})", i + 1, rule.duty);
            if !crate::domain::catalog::is_slug(&rule.duty.replace('_', "-")) {
                return Err(format!(
                    "{at}: a duty id is lowercase letters, digits and _"
                ));
            }
            if rule.until.is_some_and(|until| until <= rule.from) {
                return Err(format!("{at}: `until` must be after `from`"));
            }
            for element in &rule.elements {
                if !self.elements.contains_key(element) {
                    return Err(format!("{at}: unknown element '{element}'"));
                }
            }
            if let Applies::AfterDuty(duty) = &rule.applies {
                if duty == &rule.duty || !self.rules.iter().any(|r| &r.duty == duty) {
                    return Err(format!("{at}: `after_duty` names no other duty ('{duty}')"));
                }
            }
            if let Applies::LongerThan(0) = rule.applies {
                return Err(format!("{at}: a threshold of 0 minutes applies to nothing"));
            }
            if rule.designated && self.provider.designated_on.is_none() {
                return Err(format!(
                    "{at}: a duty of designated providers needs [provider].designated_on"
                ));
            }
            for other in &self.rules[i + 1..] {
                if other.duty == rule.duty && overlaps(rule, other) {
                    return Err(format!(
                        "{at}: two versions of '{}' are in force on the same day",
                        rule.duty
                    ));
                }
            }
        }
        Ok(())
    }

    /// The duties in the order the file names them first.
    pub fn duties(&self) -> Vec<&str> {
        let mut duties: Vec<&str> = Vec::new();
        for rule in &self.rules {
            if !duties.contains(&rule.duty.as_str()) {
                duties.push(&rule.duty);
            }
        }
        duties
    }

    /// The version of `duty` in force on `day` (for this provider), if any.
    pub fn in_force(&self, duty: &str, day: NaiveDate) -> Option<&Rule> {
        self.rules
            .iter()
            .filter(|r| r.duty == duty)
            .find(|r| r.effective_from(&self.provider) <= day && r.until.is_none_or(|u| day < u))
    }

    pub fn element(&self, id: &str) -> Option<&Named> {
        self.elements.get(id)
    }

    /// Whether an update (or a note) may carry this tag: a known duty fulfilled that
    /// way, and elements of it. The reason why not, in Korean and in English.
    pub fn check_tag(&self, tag: &NoticeTag, on: Channel) -> Result<(), (String, String)> {
        let duty = &tag.duty;
        let versions: Vec<&Rule> = self.rules.iter().filter(|r| &r.duty == duty).collect();
        if versions.is_empty() {
            return Err((
                format!("규칙에 없는 의무 '{duty}'"),
                format!("unknown duty '{duty}'"),
            ));
        }
        if !versions.iter().any(|r| r.fulfilled_by == on) {
            return Err(match on {
                Channel::Update => (
                    format!("'{duty}'는 공개 업데이트가 아니라 내부 메모로 기록합니다"),
                    format!("'{duty}' is recorded with an internal note, not a public update"),
                ),
                Channel::Note => (
                    format!("'{duty}'는 내부 메모가 아니라 공개 업데이트로 이행합니다"),
                    format!("'{duty}' is fulfilled by a public update, not a note"),
                ),
            });
        }
        for element in &tag.elements {
            if !versions.iter().any(|r| r.elements.contains(element)) {
                return Err((
                    format!("'{element}'은(는) '{duty}'의 요소가 아닙니다"),
                    format!("'{element}' is not an element of '{duty}'"),
                ));
            }
        }
        Ok(())
    }

    /// Every duty's verdict on an incident, as of `now`. `notes` are the incident's
    /// internal notes; without them (a public view) a duty fulfilled by notes that
    /// applied is `Internal`, not judged.
    pub fn evaluate(
        &self,
        incident: &IncidentRecord,
        notes: Option<&[TaggedNote]>,
        now: DateTime<Utc>,
    ) -> Vec<Verdict<'_>> {
        let day = kst_date(incident.started_at);
        let end = incident.resolved_at.unwrap_or(now);
        let mut verdicts: Vec<Verdict> = Vec::new();
        for duty in self.duties() {
            let Some(rule) = self.in_force(duty, day) else {
                verdicts.push(Verdict {
                    duty: duty.to_string(),
                    rule: None,
                    standing: Standing::NotInForce,
                    due_at: None,
                    fulfilled_by: vec![],
                    missing: vec![],
                });
                continue;
            };
            let threshold = match &rule.applies {
                Applies::LongerThan(m) | Applies::AtLeast(m) => Some(*m),
                Applies::AfterDuty(_) => None,
            };
            // Whether the duty applies: None while it cannot be known yet.
            let applies: Option<bool> = match &rule.applies {
                Applies::LongerThan(m) => over(incident, end, *m, false),
                Applies::AtLeast(m) => over(incident, end, *m, true),
                Applies::AfterDuty(other) => match verdicts.iter().find(|v| &v.duty == other) {
                    Some(v) => v.standing.applies(),
                    None => Some(false),
                },
            };
            let due_at = match rule.due {
                Due::Threshold { within_minutes } => threshold.map(|m| {
                    incident.started_at
                        + TimeDelta::minutes(i64::from(m) + i64::from(within_minutes))
                }),
                Due::Resolution { within_days } => incident
                    .resolved_at
                    .map(|at| at + TimeDelta::days(i64::from(within_days))),
            };
            let fulfilment = |update_id, note_seq, at: DateTime<Utc>, tag: &NoticeTag| Fulfilment {
                update_id,
                note_seq,
                at,
                in_time: due_at.is_none_or(|due| at <= due),
                elements: tag.elements.clone(),
            };
            let mut fulfilled_by: Vec<Fulfilment> = match rule.fulfilled_by {
                Channel::Update => incident
                    .updates
                    .iter()
                    .flat_map(|u| {
                        u.notices
                            .iter()
                            .filter(|t| t.duty == duty)
                            .map(move |t| fulfilment(Some(u.id), None, u.at, t))
                    })
                    .collect(),
                Channel::Note => notes
                    .unwrap_or_default()
                    .iter()
                    .flat_map(|n| {
                        n.notices
                            .iter()
                            .filter(|t| t.duty == duty)
                            .map(move |t| fulfilment(None, Some(n.seq), n.at, t))
                    })
                    .collect(),
            };
            fulfilled_by.sort_by_key(|f| f.at);
            let carried: Vec<&String> = fulfilled_by.iter().flat_map(|f| &f.elements).collect();
            let missing = rule
                .elements
                .iter()
                .filter(|e| !carried.contains(e))
                .cloned()
                .collect();
            let first = fulfilled_by.first().map(|f| f.at);
            let standing = match (applies, due_at, first) {
                (Some(false), _, _) => Standing::BelowThreshold,
                (None, _, Some(_)) | (Some(true), None, Some(_)) => Standing::Met,
                (None, _, None) | (Some(true), None, None) => Standing::NotYet,
                (Some(true), Some(due), Some(at)) if at <= due => Standing::Met,
                (Some(true), Some(_), Some(_)) => Standing::Late,
                (Some(true), Some(due), None) if now <= due => Standing::Open,
                (Some(true), Some(_), None) => Standing::Overdue,
            };
            let unread = rule.fulfilled_by == Channel::Note && notes.is_none();
            let standing = match standing {
                Standing::Open | Standing::Overdue if unread => Standing::Internal,
                other => other,
            };
            verdicts.push(Verdict {
                duty: duty.to_string(),
                rule: Some(rule),
                standing,
                due_at,
                fulfilled_by,
                missing,
            });
        }
        verdicts
    }
}

impl Rule {
    /// The first day it binds this provider.
    pub fn effective_from(&self, provider: &Provider) -> NaiveDate {
        match (self.designated, provider.designated_on) {
            (true, Some(designated)) => self.from.max(designated),
            _ => self.from,
        }
    }
}

fn overlaps(a: &Rule, b: &Rule) -> bool {
    let a_until = a.until.unwrap_or(NaiveDate::MAX);
    let b_until = b.until.unwrap_or(NaiveDate::MAX);
    a.from < b_until && b.from < a_until
}

/// Whether the outage passed `minutes` (None: ongoing and not yet, so not known).
fn over(
    incident: &IncidentRecord,
    end: DateTime<Utc>,
    minutes: u32,
    inclusive: bool,
) -> Option<bool> {
    let threshold = TimeDelta::minutes(i64::from(minutes));
    let lasted = end - incident.started_at;
    let passed = if inclusive {
        lasted >= threshold
    } else {
        lasted > threshold
    };
    if passed || incident.resolved_at.is_some() {
        Some(passed)
    } else {
        None
    }
}

#[derive(Clone, Debug)]
pub struct Verdict<'a> {
    pub duty: String,
    /// The version in force on the incident's first day; None if none was.
    pub rule: Option<&'a Rule>,
    pub standing: Standing,
    pub due_at: Option<DateTime<Utc>>,
    /// The updates tagged as fulfilling it, oldest first.
    pub fulfilled_by: Vec<Fulfilment>,
    /// Required elements no tagged update carried.
    pub missing: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Fulfilment {
    /// The update tagged, or the note (its ledger entry).
    pub update_id: Option<i64>,
    pub note_seq: Option<i64>,
    pub at: DateTime<Utc>,
    pub in_time: bool,
    pub elements: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// No version of the duty was in force on the incident's first day.
    NotInForce,
    /// The outage did not pass the threshold: the duty did not apply.
    BelowThreshold,
    /// Not known yet: the outage runs and has not passed the threshold, or the due time
    /// depends on a restoration still to come.
    NotYet,
    /// Due, not yet fulfilled, the due time still ahead.
    Open,
    /// Due time passed with no update tagged as fulfilling it.
    Overdue,
    Met,
    Late,
    /// It applied, and it is fulfilled by internal notes this view does not read.
    Internal,
}

impl Standing {
    /// Whether the duty applied (None: not known yet).
    pub fn applies(self) -> Option<bool> {
        match self {
            Standing::NotInForce | Standing::BelowThreshold => Some(false),
            Standing::NotYet => None,
            Standing::Open
            | Standing::Overdue
            | Standing::Met
            | Standing::Late
            | Standing::Internal => Some(true),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Standing::NotInForce => "not_in_force",
            Standing::BelowThreshold => "below_threshold",
            Standing::NotYet => "not_yet",
            Standing::Open => "open",
            Standing::Overdue => "overdue",
            Standing::Met => "met",
            Standing::Late => "late",
            Standing::Internal => "internal",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::state::UpdateRecord;
    use app::model::{Impact, IncidentState, UpdateKind};

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn incident(start: &str, minutes: Option<i64>) -> IncidentRecord {
        let started_at = at(start);
        IncidentRecord {
            id: "x".into(),
            title_ko: "장애".into(),
            title_en: None,
            impact: Impact::Major,
            state: if minutes.is_some() {
                IncidentState::Resolved
            } else {
                IncidentState::Investigating
            },
            started_at,
            resolved_at: minutes.map(|m| started_at + TimeDelta::minutes(m)),
            components: vec![],
            updates: vec![],
            crowd_signal_at: None,
            checks_failed_at: None,
        }
    }

    fn tagged(incident: &mut IncidentRecord, after_minutes: i64, duty: &str, elements: &[&str]) {
        let id = incident.updates.len() as i64 + 1;
        incident.updates.push(UpdateRecord {
            id,
            at: incident.started_at + TimeDelta::minutes(after_minutes),
            state: IncidentState::Identified,
            kind: UpdateKind::Update,
            retrospective: false,
            body_ko: "공지".into(),
            body_en: None,
            changes: vec![],
            edited_at: None,
            notices: vec![NoticeTag {
                duty: duty.into(),
                elements: elements.iter().map(|e| e.to_string()).collect(),
            }],
        });
    }

    fn standing(law: &Law, incident: &IncidentRecord, duty: &str, now: &str) -> Standing {
        law.evaluate(incident, Some(&[]), at(now))
            .into_iter()
            .find(|v| v.duty == duty)
            .unwrap()
            .standing
    }

    const LATER: &str = "2030-01-01T00:00:00Z";

    #[test]
    fn the_notice_threshold_is_4_hours_before_28_march_2025_and_2_hours_from_then() {
        let law = Law::bundled();
        // 27 March 2025, 23:00 KST: the 4-hour rule. 4 h exactly is exempt; 4 h 1 min not.
        let before = "2025-03-27T23:00:00+09:00";
        assert_eq!(
            standing(&law, &incident(before, Some(240)), "user_notice", LATER),
            Standing::BelowThreshold
        );
        assert_eq!(
            standing(&law, &incident(before, Some(241)), "user_notice", LATER),
            Standing::Overdue
        );
        // 3 hours: under the old rule, exempt; on 28 March 2025 (KST), due.
        assert_eq!(
            standing(&law, &incident(before, Some(180)), "user_notice", LATER),
            Standing::BelowThreshold
        );
        let after = "2025-03-28T00:00:00+09:00";
        assert_eq!(
            standing(&law, &incident(after, Some(180)), "user_notice", LATER),
            Standing::Overdue
        );
        assert_eq!(
            standing(&law, &incident(after, Some(120)), "user_notice", LATER),
            Standing::BelowThreshold
        );
        assert_eq!(
            standing(&law, &incident(after, Some(121)), "user_notice", LATER),
            Standing::Overdue
        );
    }

    #[test]
    fn the_ministry_report_binds_from_the_designation_at_10_minutes_or_more() {
        let law = Law::bundled();
        // Before the rule (4 July 2023) and before Kakao's designation (28 July 2023).
        for start in ["2023-07-03T12:00:00+09:00", "2023-07-27T12:00:00+09:00"] {
            assert_eq!(
                standing(&law, &incident(start, Some(60)), "ministry_report", LATER),
                Standing::NotInForce,
                "{start}"
            );
        }
        let start = "2023-07-28T12:00:00+09:00";
        assert_eq!(
            standing(&law, &incident(start, Some(9)), "ministry_report", LATER),
            Standing::BelowThreshold
        );
        assert_eq!(
            standing(&law, &incident(start, Some(10)), "ministry_report", LATER),
            Standing::Overdue
        );
    }

    #[test]
    fn the_ministry_report_is_judged_from_tagged_notes_and_only_where_notes_are_read() {
        let law = Law::bundled();
        let outage = incident("2024-05-01T10:00:00+09:00", Some(30));
        let ministry = |notes: Option<&[TaggedNote]>| {
            law.evaluate(&outage, notes, at(LATER))
                .into_iter()
                .find(|v| v.duty == "ministry_report")
                .unwrap()
        };
        // A public view reads no notes: it says the report is internal, not "overdue".
        assert_eq!(ministry(None).standing, Standing::Internal);
        assert_eq!(ministry(Some(&[])).standing, Standing::Overdue);
        let note = |minutes: i64| TaggedNote {
            seq: 7,
            at: outage.started_at + TimeDelta::minutes(minutes),
            notices: vec![NoticeTag {
                duty: "ministry_report".into(),
                elements: vec!["report".into()],
            }],
        };
        let met = ministry(Some(&[note(9)]));
        assert_eq!(met.standing, Standing::Met);
        assert_eq!(met.fulfilled_by[0].note_seq, Some(7));
        assert!(met.missing.is_empty());
        assert_eq!(ministry(Some(&[note(11)])).standing, Standing::Late);
        // A public update cannot carry the report, nor a note the notice to users.
        let report = NoticeTag {
            duty: "ministry_report".into(),
            elements: vec!["report".into()],
        };
        assert!(law.check_tag(&report, Channel::Update).is_err());
        assert!(law.check_tag(&report, Channel::Note).is_ok());
        let notice = NoticeTag {
            duty: "user_notice".into(),
            elements: vec!["fact".into()],
        };
        assert!(law.check_tag(&notice, Channel::Note).is_err());
        assert!(law.check_tag(&notice, Channel::Update).is_ok());
    }

    #[test]
    fn a_notice_in_time_is_met_and_one_after_the_due_time_is_late() {
        let law = Law::bundled();
        let start = "2024-05-01T10:00:00+09:00";
        let mut early = incident(start, Some(300));
        tagged(&mut early, 30, "user_notice", &["fact", "response"]);
        let v = law.evaluate(&early, None, at(LATER));
        let notice = v.iter().find(|v| v.duty == "user_notice").unwrap();
        assert_eq!(notice.standing, Standing::Met);
        assert_eq!(notice.due_at, Some(at(start) + TimeDelta::minutes(240)));
        assert_eq!(
            notice.missing,
            vec!["cause".to_string(), "contact".to_string()]
        );
        let mut late = incident(start, Some(300));
        tagged(
            &mut late,
            241,
            "user_notice",
            &["fact", "cause", "response", "contact"],
        );
        let v = law.evaluate(&late, None, at(LATER));
        let notice = v.iter().find(|v| v.duty == "user_notice").unwrap();
        assert_eq!(notice.standing, Standing::Late);
        assert!(notice.missing.is_empty());
        assert!(!notice.fulfilled_by[0].in_time);
    }

    #[test]
    fn the_compensation_notice_is_due_30_days_after_restoration_when_the_notice_was() {
        let law = Law::bundled();
        let start = "2024-05-01T10:00:00+09:00";
        let long = incident(start, Some(300));
        let restored = long.resolved_at.unwrap();
        let v = law.evaluate(&long, None, restored + TimeDelta::days(29));
        let compensation = v.iter().find(|v| v.duty == "compensation_notice").unwrap();
        assert_eq!(compensation.standing, Standing::Open);
        assert_eq!(compensation.due_at, Some(restored + TimeDelta::days(30)));
        assert_eq!(
            standing(&law, &long, "compensation_notice", LATER),
            Standing::Overdue
        );
        let short = incident(start, Some(60));
        assert_eq!(
            standing(&law, &short, "compensation_notice", LATER),
            Standing::BelowThreshold
        );
    }

    #[test]
    fn while_an_outage_runs_the_notice_is_not_yet_due_then_open_then_overdue() {
        let law = Law::bundled();
        let running = incident("2024-05-01T10:00:00+09:00", None);
        let started = running.started_at;
        let after = |m: i64| (started + TimeDelta::minutes(m)).to_rfc3339();
        assert_eq!(
            standing(&law, &running, "user_notice", &after(60)),
            Standing::NotYet
        );
        // Due "without delay" once past 4 hours: overdue at once with no notice.
        assert_eq!(
            standing(&law, &running, "user_notice", &after(241)),
            Standing::Overdue
        );
        assert_eq!(
            standing(&law, &running, "compensation_notice", &after(241)),
            Standing::NotYet
        );
    }

    #[test]
    fn rules_that_cannot_be_right_are_refused_with_the_reason() {
        let good = include_str!("../../../config/rules.toml");
        for (change, reason) in [
            (
                good.replace("within_days = 30", "within_dayz = 30"),
                "within_dayz",
            ),
            (
                good.replace("\"contact\"]", "\"contakt\"]"),
                "unknown element 'contakt'",
            ),
            (
                good.replace("until = \"2025-03-28\"", "until = \"2018-01-01\""),
                "`until`",
            ),
            (
                good.replace("until = \"2025-03-28\"", "until = \"2025-04-28\""),
                "same day",
            ),
            (
                good.replace("longer_than = 120", "longer_than = 0"),
                "0 minutes",
            ),
        ] {
            let error = Law::parse(&change, "rules.toml").unwrap_err().to_string();
            assert!(error.contains(reason), "{error}");
            assert!(error.contains("rules.toml"), "{error}");
        }
    }
}
