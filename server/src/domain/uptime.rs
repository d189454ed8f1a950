//! Daily availability of a component, from its state changes. Days are Korea-time days.
//! A minute of major outage counts as a minute down, a minute of partial outage as 0.3
//! (Statuspage's convention); degraded performance and maintenance count as up.
//! See docs/uptime.md.

use crate::domain::state::{ComponentEvent, MaintenanceRecord};
use app::format::kst;
use app::model::ComponentStatus;
use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};

pub const DAYS: u64 = 90;

/// One day of one component, before localisation.
#[derive(Clone, Debug, PartialEq)]
pub struct Day {
    pub date: NaiveDate,
    pub worst: ComponentStatus,
    /// Weighted downtime, in seconds.
    pub down_seconds: f64,
    /// Length of the day that has happened so far, in seconds (less than a day for today).
    pub seconds: f64,
}

impl Day {
    pub fn availability(&self) -> f64 {
        if self.seconds <= 0.0 {
            100.0
        } else {
            100.0 * (1.0 - self.down_seconds / self.seconds)
        }
    }
}

pub fn kst_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&kst()).date_naive()
}

pub fn day_start(date: NaiveDate) -> DateTime<Utc> {
    kst()
        .from_local_datetime(&date.and_hms_opt(0, 0, 0).expect("midnight"))
        .single()
        .expect("KST has no gaps")
        .with_timezone(&Utc)
}

/// When a year starts, Korea time (the end of time for a year chrono cannot hold).
pub fn year_start(year: i32) -> DateTime<Utc> {
    match NaiveDate::from_ymd_opt(year, 1, 1) {
        Some(day) => day_start(day),
        None => DateTime::<Utc>::MAX_UTC,
    }
}

/// The span of a year, Korea time, as `[from, until)`; all time when None.
pub fn year_span(year: Option<i32>) -> (DateTime<Utc>, DateTime<Utc>) {
    match year {
        None => (DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC),
        Some(y) => (year_start(y), year_start(y.saturating_add(1))),
    }
}

/// When the first of the `DAYS` days ending with the day of `now` starts.
pub fn window_start(now: DateTime<Utc>) -> DateTime<Utc> {
    day_start(
        kst_date(now)
            .checked_sub_days(Days::new(DAYS - 1))
            .expect("date in range"),
    )
}

/// The `DAYS` days ending with the day of `now`, oldest first, for one component.
/// `events` are that component's state changes, oldest first.
pub fn component_days(
    events: &[&ComponentEvent],
    maintenances: &[&MaintenanceRecord],
    now: DateTime<Utc>,
) -> Vec<Day> {
    let today = kst_date(now);
    let first = today
        .checked_sub_days(Days::new(DAYS - 1))
        .expect("date in range");
    // State intervals: (from, until, status); operational before the first event. Only
    // those that reach into the window: years of history cost a binary search.
    let window_start = day_start(first);
    let in_window = events.partition_point(|e| e.at < window_start);
    let mut since = DateTime::<Utc>::MIN_UTC;
    let mut status = in_window
        .checked_sub(1)
        .map_or(ComponentStatus::Operational, |before| events[before].status);
    let events = &events[in_window..];
    let mut intervals = Vec::with_capacity(events.len() + 1);
    for event in events {
        intervals.push((since, event.at, status));
        since = event.at;
        status = event.status;
    }
    intervals.push((since, DateTime::<Utc>::MAX_UTC, status));

    first
        .iter_days()
        .take(DAYS as usize)
        .map(|date| {
            let start = day_start(date);
            let end = day_start(date.succ_opt().expect("date in range")).min(now);
            let mut day = Day {
                date,
                worst: ComponentStatus::Operational,
                down_seconds: 0.0,
                seconds: (end - start).num_seconds().max(0) as f64,
            };
            for (from, until, status) in &intervals {
                let overlap = (*until.min(&end) - *from.max(&start)).num_seconds();
                if overlap > 0 {
                    day.worst = day.worst.max(*status);
                    day.down_seconds += overlap as f64 * status.downtime_weight();
                }
            }
            if maintenances
                .iter()
                .any(|m| m.starts_at < end && m.ends_at > start)
            {
                day.worst = day.worst.max(ComponentStatus::UnderMaintenance);
            }
            day
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(at: &str, status: ComponentStatus) -> ComponentEvent {
        ComponentEvent {
            id: 0,
            component: "kakaotalk/messages".into(),
            status,
            at: at.parse().unwrap(),
            incident_id: None,
        }
    }

    #[test]
    fn a_quiet_component_is_fully_available_every_day() {
        let now: DateTime<Utc> = "2026-11-25T03:00:00Z".parse().unwrap();
        let days = component_days(&[], &[], now);
        assert_eq!(days.len(), 90);
        assert_eq!(
            days.last().unwrap().date,
            NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
        );
        assert!(days
            .iter()
            .all(|d| d.availability() == 100.0 && d.worst == ComponentStatus::Operational));
    }

    #[test]
    fn a_state_set_before_the_window_carries_into_it() {
        let now: DateTime<Utc> = "2026-11-25T03:00:00Z".parse().unwrap();
        let down = event("2026-01-01T00:00:00Z", ComponentStatus::MajorOutage);
        let days = component_days(&[&down], &[], now);
        assert!(days.iter().all(|d| d.worst == ComponentStatus::MajorOutage));
        assert!(days.iter().all(|d| d.availability() == 0.0));
        // Back up before the window: the window is all up.
        let up = event("2026-02-01T00:00:00Z", ComponentStatus::Operational);
        let days = component_days(&[&down, &up], &[], now);
        assert!(days.iter().all(|d| d.availability() == 100.0));
    }

    #[test]
    fn an_outage_counts_against_the_korea_time_days_it_spans() {
        // 23:00–01:00 KST across midnight: one hour down on each of two days.
        let down = event("2026-11-20T23:00:00+09:00", ComponentStatus::MajorOutage);
        let up = event("2026-11-21T01:00:00+09:00", ComponentStatus::Operational);
        let now: DateTime<Utc> = "2026-11-25T03:00:00Z".parse().unwrap();
        let days = component_days(&[&down, &up], &[], now);
        let day = |d: u32| {
            days.iter()
                .find(|x| x.date == NaiveDate::from_ymd_opt(2026, 11, d).unwrap())
                .unwrap()
        };
        assert_eq!(day(20).worst, ComponentStatus::MajorOutage);
        assert!((day(20).availability() - 100.0 * 23.0 / 24.0).abs() < 1e-9);
        assert!((day(21).availability() - 100.0 * 23.0 / 24.0).abs() < 1e-9);
        assert_eq!(day(22).worst, ComponentStatus::Operational);
    }

    #[test]
    fn a_partial_outage_weighs_less_and_degraded_not_at_all() {
        let partial = event("2026-11-20T00:00:00+09:00", ComponentStatus::PartialOutage);
        let degraded = event(
            "2026-11-21T00:00:00+09:00",
            ComponentStatus::DegradedPerformance,
        );
        let up = event("2026-11-22T00:00:00+09:00", ComponentStatus::Operational);
        let now: DateTime<Utc> = "2026-11-25T03:00:00Z".parse().unwrap();
        let days = component_days(&[&partial, &degraded, &up], &[], now);
        let day = |d: u32| {
            days.iter()
                .find(|x| x.date == NaiveDate::from_ymd_opt(2026, 11, d).unwrap())
                .unwrap()
        };
        assert!((day(20).availability() - 70.0).abs() < 1e-9);
        assert_eq!(day(21).availability(), 100.0);
        assert_eq!(day(21).worst, ComponentStatus::DegradedPerformance);
    }

    #[test]
    fn today_counts_only_the_part_that_has_happened() {
        // Down since 11:00 KST and now 12:00 KST: one hour down of the twelve so far.
        let down = event("2026-11-25T11:00:00+09:00", ComponentStatus::MajorOutage);
        let now: DateTime<Utc> = "2026-11-25T12:00:00+09:00".parse().unwrap();
        let today = component_days(&[&down], &[], now).pop().unwrap();
        assert!((today.availability() - 100.0 * 11.0 / 12.0).abs() < 1e-9);
    }
}
