//! The crowd figures as readers see them: computed by `crowd::figures`, kept in the
//! snapshot handle beside the public state, turned into page data here.

use super::localized::localized;
use crate::domain::catalog::Catalog;
use app::data::public::{CrowdAlert, CrowdChart, CrowdView, Share};
use app::model::Lang;
use chrono::{DateTime, TimeZone, Utc};
use std::collections::HashMap;

/// The chart's bins are this many minutes wide.
pub const BIN_MINUTES: i64 = 5;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ServiceCrowd {
    /// Minute (since the epoch) the chart starts at.
    pub start_minute: i64,
    pub bins: Vec<u32>,
    pub normal: Vec<f32>,
    pub last_hour: u32,
    /// (slug, count), most first.
    pub problems: Vec<(String, u32)>,
    pub regions: Vec<(String, u32)>,
    pub firing_since: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, Default)]
pub struct CrowdState {
    pub version: u64,
    /// The counts it was computed from were read after this moment.
    pub as_of: DateTime<Utc>,
    pub services: HashMap<String, ServiceCrowd>,
}

fn shares(
    items: &[(String, u32)],
    total: u32,
    name: impl Fn(&str) -> Option<String>,
) -> Vec<Share> {
    items
        .iter()
        .filter_map(|(slug, count)| {
            Some(Share {
                name: name(slug)?,
                count: *count,
                percent: ((*count as f64 * 100.0) / total.max(1) as f64).round() as u8,
            })
        })
        .collect()
}

pub fn minute_time(minute: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(minute * 60, 0)
        .single()
        .unwrap_or_default()
}

impl CrowdState {
    pub fn view(&self, catalog: &Catalog, slug: &str, lang: Lang) -> CrowdView {
        let Some(c) = self.services.get(slug) else {
            return CrowdView::default();
        };
        let service = catalog.service(slug);
        let problem_name = |p: &str| {
            let p = service?.problems.iter().find(|x| x.slug == p)?;
            Some(localized(lang, &p.name_ko, Some(&p.name_en)).text)
        };
        let region_name = |r: &str| {
            let r = catalog.region(r)?;
            Some(localized(lang, &r.name_ko, Some(&r.name_en)).text)
        };
        let region_total: u32 = c.regions.iter().map(|(_, n)| n).sum();
        CrowdView {
            firing_since: c.firing_since,
            last_hour: c.last_hour,
            chart: CrowdChart {
                start: minute_time(c.start_minute),
                bin_minutes: BIN_MINUTES as u32,
                counts: c.bins.clone(),
                normal: c.normal.clone(),
            },
            problems: shares(&c.problems, c.last_hour, problem_name),
            regions: shares(&c.regions, region_total, region_name),
        }
    }

    pub fn alerts(&self, catalog: &Catalog, lang: Lang) -> Vec<CrowdAlert> {
        catalog
            .services
            .iter()
            .filter_map(|s| {
                let c = self.services.get(&s.slug)?;
                Some(CrowdAlert {
                    slug: s.slug.clone(),
                    name: localized(lang, &s.name_ko, Some(&s.name_en)).text,
                    since: c.firing_since?,
                    last_hour: c.last_hour,
                })
            })
            .collect()
    }
}
