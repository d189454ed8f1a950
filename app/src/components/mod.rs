//! Small presentational pieces shared by the pages.

mod availability_chart;
mod checks;
mod component_states;
mod crowd;
mod incident_card;
mod local_text;
mod past_banner;
mod status;
mod time;
mod update_entry;
mod uptime_bar;

pub use availability_chart::AvailabilityChart;
pub use checks::{CheckBanner, ChecksPanel};
pub use component_states::ComponentStates;
pub use crowd::{CrowdBanner, CrowdPanel, ReportForm};
pub use incident_card::{ActiveIncidents, IncidentCard};
pub use local_text::LocalText;
pub use past_banner::{at_moment, PastBanner};
pub use status::{StatusBadge, StatusIcon};
pub use time::Time;
pub use update_entry::UpdateEntry;
pub use uptime_bar::UptimeBarView;
