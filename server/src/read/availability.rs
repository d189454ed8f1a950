//! The availability tables: each service and component, month by month and for the year,
//! from the component state changes in the snapshot (the arithmetic is
//! `domain::availability`, the rule docs/uptime.md).

use super::snapshot::Snapshot;
use crate::domain::availability::{component_minutes, month_range, year_range, Minutes};
use crate::domain::catalog::Service;
use crate::domain::state::{ComponentEvent, MaintenanceRecord};
use crate::domain::uptime::kst_date;
use app::data::public::{FilterError, ServiceRef};
use app::data::record::{AvailabilityView, MinutesView, ServiceAvailability, YearFigures};
use app::model::Lang;
use chrono::{DateTime, Datelike, Utc};

impl Snapshot {
    /// The year's figures of every service (or of one, with its components), counted up
    /// to the snapshot's time. `year` defaults to this year.
    pub fn availability_view(
        &self,
        service: Option<&str>,
        year: Option<&str>,
        lang: Lang,
    ) -> Result<AvailabilityView, FilterError> {
        let now = self.built_at;
        let service = service.map(str::trim).filter(|s| !s.is_empty());
        if let Some(slug) = service {
            if self.catalog.service(slug).is_none() {
                return Err(FilterError::UnknownService(slug.chars().take(64).collect()));
            }
        }
        let years = self.years_on_record();
        let year = match year.map(str::trim).filter(|y| !y.is_empty()) {
            None => kst_date(now).year(),
            Some(y) => match y.parse::<i32>() {
                Ok(v) if y.len() == 4 && years.contains(&v) => v,
                Ok(v) if y.len() == 4 => {
                    return Err(FilterError::YearOutOfRange {
                        year: v,
                        first: *years.last().expect("this year at least"),
                        last: years[0],
                    })
                }
                _ => return Err(FilterError::BadYear(y.chars().take(16).collect())),
            },
        };
        let services = self
            .catalog
            .services
            .iter()
            .filter(|s| service.is_none_or(|slug| s.slug == slug))
            .map(|s| self.service_year(s, year, now, lang))
            .collect();
        Ok(AvailabilityView {
            page_name: self.page_name(lang),
            year,
            years,
            service: service.map(str::to_string),
            services,
            choices: self
                .catalog
                .services
                .iter()
                .map(|s| ServiceRef {
                    slug: s.slug.clone(),
                    name: Snapshot::name(lang, &s.name_ko, &s.name_en),
                })
                .collect(),
            as_of: now,
            past: self.past.is_some(),
            ledger: self.ledger_mark(),
        })
    }

    /// From the year of the first state change on record to this year, newest first.
    fn years_on_record(&self) -> Vec<i32> {
        let this_year = kst_date(self.built_at).year();
        let first = self
            .state
            .events()
            .front()
            .map(|e| e.at)
            .into_iter()
            .chain(self.state.maintenances.iter().map(|m| m.starts_at))
            .min()
            .map(|at| kst_date(at).year())
            .unwrap_or(this_year)
            .min(this_year);
        (first..=this_year).rev().collect()
    }

    fn service_year(
        &self,
        service: &Service,
        year: i32,
        now: DateTime<Utc>,
        lang: Lang,
    ) -> ServiceAvailability {
        let components: Vec<(YearFigures, [Minutes; 13])> = service
            .components
            .iter()
            .map(|c| {
                let id = format!("{}/{}", service.slug, c.slug);
                let events: Vec<&ComponentEvent> = self
                    .state
                    .events()
                    .iter()
                    .map(|e| &**e)
                    .filter(|e| e.component == id)
                    .collect();
                let maintenances: Vec<&MaintenanceRecord> = self
                    .state
                    .maintenances
                    .iter()
                    .filter(|m| m.components.contains(&id))
                    .collect();
                let minutes = year_minutes(&events, &maintenances, year, now);
                (
                    figures(
                        &c.slug,
                        Snapshot::name(lang, &c.name_ko, &c.name_en),
                        &minutes,
                    ),
                    minutes,
                )
            })
            .collect();
        let mean: Vec<Minutes> = (0..13)
            .map(|i| Minutes::mean(&components.iter().map(|(_, m)| m[i]).collect::<Vec<_>>()))
            .collect();
        ServiceAvailability {
            service: figures(
                &service.slug,
                Snapshot::name(lang, &service.name_ko, &service.name_en),
                &mean,
            ),
            components: components.into_iter().map(|(f, _)| f).collect(),
        }
    }
}

/// Twelve months, then the year.
fn year_minutes(
    events: &[&ComponentEvent],
    maintenances: &[&MaintenanceRecord],
    year: i32,
    now: DateTime<Utc>,
) -> [Minutes; 13] {
    let mut all = [Minutes::default(); 13];
    for (i, slot) in all.iter_mut().enumerate() {
        let range = if i < 12 {
            month_range(year, i as u32 + 1)
        } else {
            year_range(year)
        };
        if let Some((from, until)) = range {
            *slot = component_minutes(events, maintenances, from, until.min(now));
        }
    }
    all
}

fn figures(slug: &str, name: String, minutes: &[Minutes]) -> YearFigures {
    YearFigures {
        slug: slug.to_string(),
        name,
        months: minutes[..12].iter().map(view).collect(),
        year: view(&minutes[12]),
    }
}

pub fn view(m: &Minutes) -> MinutesView {
    MinutesView {
        elapsed: m.elapsed,
        major: m.major,
        partial: m.partial,
        degraded: m.degraded,
        maintenance: m.maintenance,
        down: m.down(),
        availability: m.availability(),
    }
}
