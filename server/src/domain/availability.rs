//! Availability over calendar periods (Korea-time months and years), for the regulator's
//! tables: the minutes a component spent in each state, and what they add up to.
//! The weights are those of the 90-day bars (docs/uptime.md): a minute of major outage is
//! a minute down, a minute of partial outage 0.3; degraded performance counts as up.
//! Maintenance is shown apart and never counted as down: the minutes of a maintenance
//! window in which the component was not in an outage. An outage inside a window still
//! counts as down (the recorded state wins), so a window cannot hide an outage.

use crate::domain::state::{ComponentEvent, MaintenanceRecord};
use crate::domain::uptime::day_start;
use app::model::ComponentStatus;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// The minutes of one period, split by state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Minutes {
    /// Of the period, the part that has happened.
    pub elapsed: f64,
    pub major: f64,
    pub partial: f64,
    pub degraded: f64,
    /// Under maintenance and not in an outage.
    pub maintenance: f64,
}

impl Minutes {
    /// Weighted minutes down.
    pub fn down(&self) -> f64 {
        self.major * ComponentStatus::MajorOutage.downtime_weight()
            + self.partial * ComponentStatus::PartialOutage.downtime_weight()
    }

    /// In percent; a period that has not begun is fully available.
    pub fn availability(&self) -> f64 {
        if self.elapsed <= 0.0 {
            100.0
        } else {
            100.0 * (1.0 - self.down() / self.elapsed)
        }
    }

    /// The mean over several components: a service's figure (as on the home page bars).
    pub fn mean(all: &[Minutes]) -> Minutes {
        if all.is_empty() {
            return Minutes::default();
        }
        let n = all.len() as f64;
        let sum = |f: fn(&Minutes) -> f64| all.iter().map(f).sum::<f64>() / n;
        Minutes {
            elapsed: sum(|m| m.elapsed),
            major: sum(|m| m.major),
            partial: sum(|m| m.partial),
            degraded: sum(|m| m.degraded),
            maintenance: sum(|m| m.maintenance),
        }
    }
}

/// The Korea-time month `month` of `year`, as [start, end).
pub fn month_range(year: i32, month: u32) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    Some((day_start(first), day_start(next)))
}

/// The Korea-time year, as [start, end).
pub fn year_range(year: i32) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    Some((
        day_start(NaiveDate::from_ymd_opt(year, 1, 1)?),
        day_start(NaiveDate::from_ymd_opt(year + 1, 1, 1)?),
    ))
}

/// The minutes of one component in [from, until), `until` already cut at now.
/// `events` are that component's state changes, oldest first; operational before the first.
pub fn component_minutes(
    events: &[&ComponentEvent],
    maintenances: &[&MaintenanceRecord],
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Minutes {
    let mut minutes = Minutes::default();
    if until <= from {
        return minutes;
    }
    minutes.elapsed = seconds(from, until) / 60.0;
    // Every moment inside the period at which the state or the maintenance may change.
    let mut edges: Vec<DateTime<Utc>> = vec![from, until];
    edges.extend(
        events
            .iter()
            .map(|e| e.at)
            .filter(|at| from < *at && *at < until),
    );
    for m in maintenances {
        for at in [m.starts_at, m.ends_at] {
            if from < at && at < until {
                edges.push(at);
            }
        }
    }
    edges.sort_unstable();
    edges.dedup();
    let mut next_event = 0;
    let mut status = ComponentStatus::Operational;
    for pair in edges.windows(2) {
        let (start, end) = (pair[0], pair[1]);
        while next_event < events.len() && events[next_event].at <= start {
            status = events[next_event].status;
            next_event += 1;
        }
        let length = seconds(start, end) / 60.0;
        match status {
            ComponentStatus::MajorOutage => minutes.major += length,
            ComponentStatus::PartialOutage => minutes.partial += length,
            _ => {
                if status == ComponentStatus::DegradedPerformance {
                    minutes.degraded += length;
                }
                if maintenances
                    .iter()
                    .any(|m| m.starts_at <= start && end <= m.ends_at)
                {
                    minutes.maintenance += length;
                }
            }
        }
    }
    minutes
}

fn seconds(from: DateTime<Utc>, until: DateTime<Utc>) -> f64 {
    (until - from).num_seconds() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(at: &str, status: ComponentStatus, incident: &str) -> ComponentEvent {
        ComponentEvent {
            id: 0,
            component: "kakaotalk/messages".into(),
            status,
            at: at.parse().unwrap(),
            incident_id: Some(incident.into()),
        }
    }

    fn window(from: &str, until: &str) -> MaintenanceRecord {
        MaintenanceRecord {
            id: "m".into(),
            title_ko: "점검".into(),
            title_en: None,
            body_ko: "점검".into(),
            body_en: None,
            starts_at: from.parse().unwrap(),
            ends_at: until.parse().unwrap(),
            components: vec!["kakaotalk/messages".into()],
        }
    }

    fn month(year: i32, month: u32) -> (DateTime<Utc>, DateTime<Utc>) {
        month_range(year, month).unwrap()
    }

    #[test]
    fn a_month_is_a_korea_time_month() {
        let (from, until) = month(2022, 10);
        assert_eq!(
            from,
            "2022-09-30T15:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert_eq!(
            until,
            "2022-10-31T15:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        let (from, until) = month(2022, 12);
        assert_eq!(until, year_range(2023).unwrap().0);
        assert_eq!(
            from,
            "2022-11-30T15:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
    }

    #[test]
    fn an_outage_across_midnight_and_a_month_boundary_is_split_between_the_months() {
        // 23:00 on 31 October to 01:30 on 1 November, KST: 60 minutes in October,
        // 90 in November.
        let down = event(
            "2022-10-31T23:00:00+09:00",
            ComponentStatus::MajorOutage,
            "a",
        );
        let up = event(
            "2022-11-01T01:30:00+09:00",
            ComponentStatus::Operational,
            "a",
        );
        let (from, until) = month(2022, 10);
        let october = component_minutes(&[&down, &up], &[], from, until);
        assert_eq!(october.elapsed, 31.0 * 1440.0);
        assert_eq!(october.major, 60.0);
        assert_eq!(october.down(), 60.0);
        // 1 − 60 / 44,640
        assert!((october.availability() - 99.865_591_397_849_46).abs() < 1e-9);
        let (from, until) = month(2022, 11);
        let november = component_minutes(&[&down, &up], &[], from, until);
        assert_eq!(november.elapsed, 30.0 * 1440.0);
        assert_eq!(november.major, 90.0);
        // 1 − 90 / 43,200
        assert!((november.availability() - 99.791_666_666_666_67).abs() < 1e-9);
    }

    #[test]
    fn overlapping_incidents_count_each_minute_once_in_its_latest_recorded_state() {
        // Incident a: major from 10:00; incident b: partial from 10:30 (the component's
        // latest recorded state); a resolves at 11:00 and sets it operational while b
        // runs; b sets it partial again at 11:20 and resolves at 12:00.
        let events = [
            event(
                "2022-03-01T10:00:00+09:00",
                ComponentStatus::MajorOutage,
                "a",
            ),
            event(
                "2022-03-01T10:30:00+09:00",
                ComponentStatus::PartialOutage,
                "b",
            ),
            event(
                "2022-03-01T11:00:00+09:00",
                ComponentStatus::Operational,
                "a",
            ),
            event(
                "2022-03-01T11:20:00+09:00",
                ComponentStatus::PartialOutage,
                "b",
            ),
            event(
                "2022-03-01T12:00:00+09:00",
                ComponentStatus::Operational,
                "b",
            ),
        ];
        let refs: Vec<&ComponentEvent> = events.iter().collect();
        let (from, until) = month(2022, 3);
        let m = component_minutes(&refs, &[], from, until);
        assert_eq!(m.major, 30.0);
        assert_eq!(m.partial, 30.0 + 40.0);
        // 30 + 0.3 × 70 = 51 weighted minutes.
        assert!((m.down() - 51.0).abs() < 1e-9);
    }

    #[test]
    fn maintenance_inside_an_outage_does_not_hide_the_outage() {
        // A window 02:00–06:00; the component is down 03:00–04:00 inside it and degraded
        // 05:00–07:00 (degraded counts as up; its maintenance part is maintenance).
        let events = [
            event(
                "2022-05-10T03:00:00+09:00",
                ComponentStatus::MajorOutage,
                "a",
            ),
            event(
                "2022-05-10T04:00:00+09:00",
                ComponentStatus::Operational,
                "a",
            ),
            event(
                "2022-05-10T05:00:00+09:00",
                ComponentStatus::DegradedPerformance,
                "b",
            ),
            event(
                "2022-05-10T07:00:00+09:00",
                ComponentStatus::Operational,
                "b",
            ),
        ];
        let refs: Vec<&ComponentEvent> = events.iter().collect();
        let w = window("2022-05-10T02:00:00+09:00", "2022-05-10T06:00:00+09:00");
        let (from, until) = month(2022, 5);
        let m = component_minutes(&refs, &[&w], from, until);
        assert_eq!(m.major, 60.0);
        assert_eq!(m.maintenance, 180.0);
        assert_eq!(m.degraded, 120.0);
        assert_eq!(m.down(), 60.0);
    }

    #[test]
    fn a_period_cut_at_now_counts_only_what_has_happened() {
        let down = event(
            "2026-11-02T00:00:00+09:00",
            ComponentStatus::PartialOutage,
            "a",
        );
        let (from, _) = month(2026, 11);
        let now: DateTime<Utc> = "2026-11-03T00:00:00+09:00".parse().unwrap();
        let m = component_minutes(&[&down], &[], from, now);
        assert_eq!(m.elapsed, 2.0 * 1440.0);
        assert_eq!(m.partial, 1440.0);
        // 1 − 0.3 × 1440 / 2880 = 85 %.
        assert!((m.availability() - 85.0).abs() < 1e-9);
        assert_eq!(
            component_minutes(&[&down], &[], now, from),
            Minutes::default()
        );
    }

    #[test]
    fn a_service_is_the_mean_of_its_components() {
        let a = Minutes {
            elapsed: 1000.0,
            major: 100.0,
            ..Minutes::default()
        };
        let b = Minutes {
            elapsed: 1000.0,
            ..Minutes::default()
        };
        let mean = Minutes::mean(&[a, b]);
        assert_eq!(mean.major, 50.0);
        assert!((mean.availability() - 95.0).abs() < 1e-9);
    }
}
