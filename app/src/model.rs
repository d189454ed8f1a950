//! Domain values shared by the server and the browser: statuses, impacts, languages.
//! The value sets are Atlassian Statuspage's, so that existing tools understand them.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The state of one component. Ordered from best to worst, so `max()` gives the worst.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComponentStatus {
    Operational,
    UnderMaintenance,
    DegradedPerformance,
    PartialOutage,
    MajorOutage,
}

impl ComponentStatus {
    pub const ALL: [ComponentStatus; 5] = [
        Self::Operational,
        Self::UnderMaintenance,
        Self::DegradedPerformance,
        Self::PartialOutage,
        Self::MajorOutage,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Operational => "operational",
            Self::UnderMaintenance => "under_maintenance",
            Self::DegradedPerformance => "degraded_performance",
            Self::PartialOutage => "partial_outage",
            Self::MajorOutage => "major_outage",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// How much of a minute in this state counts as downtime. Statuspage's convention:
    /// a major outage is full downtime, a partial outage 30 %, degraded performance and
    /// maintenance none. Documented in docs/uptime.md.
    pub fn downtime_weight(self) -> f64 {
        match self {
            Self::MajorOutage => 1.0,
            Self::PartialOutage => 0.3,
            _ => 0.0,
        }
    }
}

/// What the automated checks measure about a feature — never an official status.
/// Ordered from "nothing to say" to worst, so `max()` gives the worst.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum CheckVerdict {
    /// No agent reported recently.
    #[default]
    Unknown,
    Up,
    /// Answers, but slower than the check's limit.
    Degraded,
    Failing,
}

impl CheckVerdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::Up => "up",
            Self::Degraded => "degraded",
            Self::Failing => "failing",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Impact {
    None,
    Minor,
    Major,
    Critical,
}

impl Impact {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Minor => "minor",
            Self::Major => "major",
            Self::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::None, Self::Minor, Self::Major, Self::Critical]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentState {
    Investigating,
    Identified,
    Monitoring,
    Resolved,
}

impl IncidentState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Investigating => "investigating",
            Self::Identified => "identified",
            Self::Monitoring => "monitoring",
            Self::Resolved => "resolved",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Investigating,
            Self::Identified,
            Self::Monitoring,
            Self::Resolved,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

/// What an update is: a routine update, an official apology, or a postmortem.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UpdateKind {
    Update,
    Apology,
    Postmortem,
}

impl UpdateKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Update => "update",
            Self::Apology => "apology",
            Self::Postmortem => "postmortem",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Update, Self::Apology, Self::Postmortem]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// What a staff account may do. The server checks it on every request; the console
/// only hides what a role cannot do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including staff accounts.
    Admin,
    /// Incidents, updates, maintenance and component status.
    Comms,
    /// Reads everything staff can see, and the ledger; changes nothing.
    Regulator,
}

impl Role {
    pub const ALL: [Role; 3] = [Self::Admin, Self::Comms, Self::Regulator];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Comms => "comms",
            Self::Regulator => "regulator",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Incidents, updates, maintenance, component status.
    pub fn can_publish(self) -> bool {
        matches!(self, Self::Admin | Self::Comms)
    }

    pub fn can_manage_staff(self) -> bool {
        self == Self::Admin
    }

    pub fn can_read_ledger(self) -> bool {
        matches!(self, Self::Admin | Self::Regulator)
    }
}

/// The reader's language. Korean is the default; English is one tap away.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Ko,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Self::Ko => "ko",
            Self::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ko" => Some(Self::Ko),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    pub fn other(self) -> Self {
        match self {
            Self::Ko => Self::En,
            Self::En => Self::Ko,
        }
    }

    /// Picks the language from an `Accept-Language` header: the highest-weighted of
    /// Korean and English wins, Korean when neither is named (or on a tie).
    pub fn negotiate(accept_language: Option<&str>) -> Self {
        let Some(header) = accept_language else {
            return Self::Ko;
        };
        let (mut ko, mut en) = (-1.0f32, -1.0f32);
        for part in header.split(',') {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            match primary {
                "ko" => ko = ko.max(q),
                "en" => en = en.max(q),
                _ => {}
            }
        }
        if en > ko && en > 0.0 {
            Self::En
        } else {
            Self::Ko
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worst_status_is_the_maximum() {
        let worst = [
            ComponentStatus::Operational,
            ComponentStatus::MajorOutage,
            ComponentStatus::DegradedPerformance,
        ]
        .into_iter()
        .max();
        assert_eq!(worst, Some(ComponentStatus::MajorOutage));
        assert!(ComponentStatus::UnderMaintenance < ComponentStatus::DegradedPerformance);
    }

    #[test]
    fn accept_language_prefers_the_higher_weight() {
        assert_eq!(Lang::negotiate(None), Lang::Ko);
        assert_eq!(Lang::negotiate(Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(Lang::negotiate(Some("ko-KR,ko;q=0.9,en;q=0.8")), Lang::Ko);
        assert_eq!(Lang::negotiate(Some("en;q=0.5,ko;q=0.7")), Lang::Ko);
        assert_eq!(Lang::negotiate(Some("fr-FR,en;q=0.3")), Lang::En);
        assert_eq!(Lang::negotiate(Some("fr-FR")), Lang::Ko);
        assert_eq!(Lang::negotiate(Some("en;q=0")), Lang::Ko);
    }

    #[test]
    fn values_round_trip_through_their_names() {
        for s in ComponentStatus::ALL {
            assert_eq!(ComponentStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(ComponentStatus::parse("broken"), None);
        assert_eq!(Impact::parse("critical"), Some(Impact::Critical));
        assert_eq!(
            IncidentState::parse("resolved"),
            Some(IncidentState::Resolved)
        );
        assert_eq!(UpdateKind::parse("apology"), Some(UpdateKind::Apology));
    }
}
