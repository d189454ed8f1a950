//! The public pages' strings and labels, in Korean and English (the frame around every page too).

use crate::data::public::FilterError;
use crate::model::{ComponentStatus, Impact, IncidentState, Lang, UpdateKind};

pub struct Strings {
    pub skip_to_content: &'static str,
    pub nav_home: &'static str,
    pub nav_history: &'static str,
    pub switch_language: &'static str,
    pub switch_language_label: &'static str,
    pub main_menu: &'static str,
    pub follow: &'static str,
    pub email_alerts: &'static str,
    pub maintenance_ical: &'static str,
    pub banner_all_ok: &'static str,
    pub banner_maintenance: &'static str,
    pub banner_degraded: &'static str,
    pub banner_partial: &'static str,
    pub banner_major: &'static str,
    pub active_incidents: &'static str,
    pub maintenance: &'static str,
    pub maintenance_in_progress: &'static str,
    pub maintenance_upcoming: &'static str,
    pub services: &'static str,
    pub components: &'static str,
    pub uptime_90: &'static str,
    pub days_ago_90: &'static str,
    pub today: &'static str,
    pub availability: &'static str,
    pub uptime_legend: &'static str,
    pub latest_update: &'static str,
    pub service_incidents: &'static str,
    pub no_service_incidents: &'static str,
    pub all_service_incidents: &'static str,
    pub started: &'static str,
    pub acknowledged: &'static str,
    pub not_acknowledged: &'static str,
    pub crowd_signal: &'static str,
    pub time_to_acknowledge: &'static str,
    pub resolved: &'static str,
    pub ongoing: &'static str,
    pub duration: &'static str,
    pub impact: &'static str,
    pub affected: &'static str,
    pub timeline: &'static str,
    pub official_statement: &'static str,
    pub retrospective: &'static str,
    pub edited: &'static str,
    pub english_missing: &'static str,
    pub components_changed: &'static str,
    pub history_title: &'static str,
    pub history_intro: &'static str,
    /// What a search result or a shared link says about the site's front page.
    pub home_description: &'static str,
    pub filter_service: &'static str,
    pub filter_year: &'static str,
    pub all_services: &'static str,
    pub all_years: &'static str,
    pub apply_filter: &'static str,
    pub no_history: &'static str,
    pub previous_page: &'static str,
    pub next_page: &'static str,
    pub page_of: &'static str,
    pub not_found_title: &'static str,
    pub not_found_text: &'static str,
    pub bad_request_title: &'static str,
    pub back_home: &'static str,
    pub load_error: &'static str,
    pub last_updated: &'static str,
    pub footer_note: &'static str,
    /// Before the time the state shown was last confirmed, while the database is down.
    pub stale_confirmed: &'static str,
    pub stale_delayed: &'static str,
    pub loading: &'static str,
    pub back_to_history: &'static str,
}

const KO: Strings = Strings {
    skip_to_content: "본문으로 건너뛰기",
    nav_home: "현재 상태",
    nav_history: "장애 기록",
    switch_language: "English",
    switch_language_label: "Read this page in English",
    main_menu: "주 메뉴",
    follow: "소식 받기",
    email_alerts: "이메일 알림",
    maintenance_ical: "점검 일정(iCal)",
    banner_all_ok: "모든 서비스 정상",
    banner_maintenance: "일부 서비스 점검 중",
    banner_degraded: "일부 서비스 성능 저하",
    banner_partial: "일부 서비스 부분 장애",
    banner_major: "서비스 전면 장애 발생",
    active_incidents: "진행 중인 장애",
    maintenance: "점검 안내",
    maintenance_in_progress: "점검 중",
    maintenance_upcoming: "예정",
    services: "서비스별 상태",
    components: "세부 기능",
    uptime_90: "최근 90일 가동률",
    days_ago_90: "90일 전",
    today: "오늘",
    availability: "가동률",
    uptime_legend: "막대 하나가 하루(한국 시간)입니다. 막대를 누르거나 Tab 키로 이동하면 그날의 가동률과 장애를 볼 수 있습니다.",
    latest_update: "최근 업데이트",
    service_incidents: "이 서비스의 장애 기록",
    no_service_incidents: "기록된 장애가 없습니다.",
    all_service_incidents: "이 서비스의 장애 기록 모두 보기",
    started: "발생",
    acknowledged: "첫 공지",
    not_acknowledged: "당시 공지 기록 없음",
    crowd_signal: "사용자 제보 급증",
    time_to_acknowledge: "제보 급증부터 첫 공지까지",
    resolved: "해결",
    ongoing: "진행 중",
    duration: "지속 시간",
    impact: "영향도",
    affected: "영향받은 기능",
    timeline: "경과",
    official_statement: "공식 입장",
    retrospective: "사후 기록 (공개 보도 기준)",
    edited: "수정됨:",
    english_missing: "",
    components_changed: "상태 변경",
    history_title: "장애 기록",
    history_intro: "지금까지 기록된 모든 장애입니다. 최신순으로, 월별로 묶었습니다.",
    home_description: "카카오 서비스와 기능별 지금 상태, 공식 장애 공지와 사과문, 이용자 장애 제보를 한곳에서 봅니다.",
    filter_service: "서비스",
    filter_year: "연도",
    all_services: "전체 서비스",
    all_years: "전체 연도",
    apply_filter: "적용",
    no_history: "조건에 맞는 장애 기록이 없습니다.",
    previous_page: "이전 페이지",
    next_page: "다음 페이지",
    page_of: "페이지",
    not_found_title: "페이지를 찾을 수 없습니다",
    not_found_text: "주소가 바뀌었거나 없는 페이지입니다.",
    bad_request_title: "잘못된 요청입니다",
    back_home: "현재 상태로 돌아가기",
    load_error: "최신 정보를 불러오지 못했습니다. 잠시 후 자동으로 다시 시도합니다.",
    last_updated: "마지막 변경",
    stale_confirmed: "마지막 확인",
    stale_delayed: "실시간 정보가 지연되고 있습니다",
    footer_note: "이 페이지는 외부 서버의 글꼴·스크립트 없이 동작하며, 자바스크립트 없이도 모든 정보를 볼 수 있습니다.",
    loading: "불러오는 중…",
    back_to_history: "장애 기록 전체 보기",
};

const EN: Strings = Strings {
    skip_to_content: "Skip to content",
    nav_home: "Current status",
    nav_history: "Incident history",
    switch_language: "한국어",
    switch_language_label: "이 페이지를 한국어로 보기",
    main_menu: "Main",
    follow: "Follow",
    email_alerts: "Email alerts",
    maintenance_ical: "Maintenance (iCal)",
    banner_all_ok: "All systems operational",
    banner_maintenance: "Maintenance in progress",
    banner_degraded: "Degraded performance",
    banner_partial: "Partial outage",
    banner_major: "Major outage",
    active_incidents: "Active incidents",
    maintenance: "Scheduled maintenance",
    maintenance_in_progress: "In progress",
    maintenance_upcoming: "Upcoming",
    services: "Services",
    components: "Features",
    uptime_90: "Uptime, last 90 days",
    days_ago_90: "90 days ago",
    today: "Today",
    availability: "Availability",
    uptime_legend: "Each bar is one day (Korea time). Tap a bar or move to it with Tab to see that day's availability and incidents.",
    latest_update: "Latest update",
    service_incidents: "Incidents of this service",
    no_service_incidents: "No incidents recorded.",
    all_service_incidents: "All incidents of this service",
    started: "Started",
    acknowledged: "First public notice",
    not_acknowledged: "No notice on record from the time",
    crowd_signal: "Users' reports surged",
    time_to_acknowledge: "From the surge of reports to the first notice",
    resolved: "Resolved",
    ongoing: "Ongoing",
    duration: "Duration",
    impact: "Impact",
    affected: "Affected features",
    timeline: "Timeline",
    official_statement: "Official statement",
    retrospective: "Recorded afterwards from public reporting",
    edited: "Edited",
    english_missing: "No English text yet; showing the Korean original.",
    components_changed: "Status changes",
    history_title: "Incident history",
    history_intro: "Every incident on record, newest first, grouped by month.",
    home_description: "Whether each Kakao service and feature works right now: the official incident updates and apologies, and users' outage reports, in one place.",
    filter_service: "Service",
    filter_year: "Year",
    all_services: "All services",
    all_years: "All years",
    apply_filter: "Apply",
    no_history: "No incidents match this filter.",
    previous_page: "Previous page",
    next_page: "Next page",
    page_of: "Page",
    not_found_title: "Page not found",
    not_found_text: "The address has changed or the page does not exist.",
    bad_request_title: "Bad request",
    back_home: "Back to current status",
    load_error: "Could not load the latest information. Trying again shortly.",
    last_updated: "Last change",
    stale_confirmed: "Last confirmed at",
    stale_delayed: "live data is delayed",
    footer_note: "This page loads no fonts or scripts from anyone else's servers and shows everything without JavaScript.",
    loading: "Loading…",
    back_to_history: "See the whole incident history",
};

pub fn strings(lang: Lang) -> &'static Strings {
    match lang {
        Lang::Ko => &KO,
        Lang::En => &EN,
    }
}

pub fn status_label(lang: Lang, status: ComponentStatus) -> &'static str {
    use ComponentStatus::*;
    match (lang, status) {
        (Lang::Ko, Operational) => "정상",
        (Lang::Ko, UnderMaintenance) => "점검 중",
        (Lang::Ko, DegradedPerformance) => "성능 저하",
        (Lang::Ko, PartialOutage) => "부분 장애",
        (Lang::Ko, MajorOutage) => "전면 장애",
        (Lang::En, Operational) => "Operational",
        (Lang::En, UnderMaintenance) => "Under maintenance",
        (Lang::En, DegradedPerformance) => "Degraded performance",
        (Lang::En, PartialOutage) => "Partial outage",
        (Lang::En, MajorOutage) => "Major outage",
    }
}

pub fn banner_label(lang: Lang, overall: ComponentStatus) -> &'static str {
    let s = strings(lang);
    match overall {
        ComponentStatus::Operational => s.banner_all_ok,
        ComponentStatus::UnderMaintenance => s.banner_maintenance,
        ComponentStatus::DegradedPerformance => s.banner_degraded,
        ComponentStatus::PartialOutage => s.banner_partial,
        ComponentStatus::MajorOutage => s.banner_major,
    }
}

pub fn impact_label(lang: Lang, impact: Impact) -> &'static str {
    match (lang, impact) {
        (Lang::Ko, Impact::None) => "영향 없음",
        (Lang::Ko, Impact::Minor) => "경미",
        (Lang::Ko, Impact::Major) => "중대",
        (Lang::Ko, Impact::Critical) => "심각",
        (Lang::En, Impact::None) => "No impact",
        (Lang::En, Impact::Minor) => "Minor",
        (Lang::En, Impact::Major) => "Major",
        (Lang::En, Impact::Critical) => "Critical",
    }
}

pub fn state_label(lang: Lang, state: IncidentState) -> &'static str {
    use IncidentState::*;
    match (lang, state) {
        (Lang::Ko, Investigating) => "원인 조사 중",
        (Lang::Ko, Identified) => "원인 확인",
        (Lang::Ko, Monitoring) => "복구 후 모니터링",
        (Lang::Ko, Resolved) => "해결됨",
        (Lang::En, Investigating) => "Investigating",
        (Lang::En, Identified) => "Identified",
        (Lang::En, Monitoring) => "Monitoring",
        (Lang::En, Resolved) => "Resolved",
    }
}

pub fn kind_label(lang: Lang, kind: UpdateKind) -> &'static str {
    match (lang, kind) {
        (Lang::Ko, UpdateKind::Update) => "업데이트",
        (Lang::Ko, UpdateKind::Apology) => "공식 사과",
        (Lang::Ko, UpdateKind::Postmortem) => "사후 분석",
        (Lang::En, UpdateKind::Update) => "Update",
        (Lang::En, UpdateKind::Apology) => "Official apology",
        (Lang::En, UpdateKind::Postmortem) => "Postmortem",
    }
}

/// The specific reason a history filter was refused, in the reader's language.
pub fn filter_error_text(lang: Lang, error: &FilterError) -> String {
    match (lang, error) {
        (Lang::Ko, FilterError::UnknownService(s)) => {
            format!("'{s}'라는 서비스는 없습니다. 목록에서 서비스를 고르세요.")
        }
        (Lang::En, FilterError::UnknownService(s)) => {
            format!("There is no service called '{s}'. Pick one from the list.")
        }
        (Lang::Ko, FilterError::BadYear(y)) => {
            format!("'{y}'는 올바른 연도가 아닙니다. 2022처럼 네 자리 숫자로 적어 주세요.")
        }
        (Lang::En, FilterError::BadYear(y)) => {
            format!("'{y}' is not a year. Use four digits, such as 2022.")
        }
        (Lang::Ko, FilterError::BadPage(p)) => {
            format!("'{p}'는 올바른 페이지 번호가 아닙니다. 1 이상의 정수여야 합니다.")
        }
        (Lang::En, FilterError::BadPage(p)) => {
            format!("'{p}' is not a page number. Use a whole number from 1.")
        }
        (Lang::Ko, FilterError::PageOutOfRange { page, pages }) => {
            format!("{page} 페이지는 없습니다. 전체 {pages} 페이지입니다.")
        }
        (Lang::En, FilterError::PageOutOfRange { page, pages }) => {
            format!("There is no page {page}; there are {pages}.")
        }
        (Lang::Ko, FilterError::YearOutOfRange { year, first, last }) => {
            format!("{year}년의 기록은 없습니다. {first}년부터 {last}년까지 고를 수 있습니다.")
        }
        (Lang::En, FilterError::YearOutOfRange { year, first, last }) => {
            format!("There is no record for {year}. Pick a year from {first} to {last}.")
        }
        (Lang::Ko, FilterError::BadAsOf(t)) => format!(
            "'{t}'는 읽을 수 있는 시각이 아닙니다. 2022-10-16T07:30+09:00처럼 적어 주세요(시간대가 없으면 한국 시간)."
        ),
        (Lang::En, FilterError::BadAsOf(t)) => format!(
            "'{t}' is not a time this site reads. Write it like 2022-10-16T07:30+09:00 (without a zone: Korea time)."
        ),
        (Lang::Ko, FilterError::AsOfTooEarly { given, earliest }) => format!(
            "'{given}'은 기록된 가장 이른 사실({})보다 앞섭니다.",
            crate::format::date_time(lang, *earliest)
        ),
        (Lang::En, FilterError::AsOfTooEarly { given, earliest }) => format!(
            "'{given}' is before the earliest fact on record ({}).",
            crate::format::date_time(lang, *earliest)
        ),
        (Lang::Ko, FilterError::AsOfInFuture(t)) => {
            format!("'{t}'는 미래입니다. 과거 시점만 볼 수 있습니다.")
        }
        (Lang::En, FilterError::AsOfInFuture(t)) => {
            format!("'{t}' is in the future. Only past moments can be shown.")
        }
        (Lang::Ko, FilterError::PastUnavailable) => {
            "지금은 과거 시점 보기를 만들 수 없습니다(원장을 읽을 수 없음). 잠시 후 다시 시도하세요.".to_string()
        }
        (Lang::En, FilterError::PastUnavailable) => {
            "Past views cannot be built right now (the ledger cannot be read). Try again shortly.".to_string()
        }
    }
}

/// "5건" / "1 incident" / "5 incidents".
pub fn incident_count(lang: Lang, n: usize) -> String {
    match (lang, n) {
        (Lang::Ko, n) => format!("{n}건"),
        (Lang::En, 1) => "1 incident".into(),
        (Lang::En, n) => format!("{n} incidents"),
    }
}

/// An incident page's description for search results and shared links: its title, when
/// it began, and where it stands.
pub fn incident_description(
    lang: Lang,
    title: &str,
    started: chrono::DateTime<chrono::Utc>,
    state: IncidentState,
) -> String {
    let when = crate::format::date_time(lang, started);
    let state = state_label(lang, state);
    match lang {
        Lang::Ko => format!("{title} — {when} 시작, {state}. 공식 공지와 경과, 영향받은 기능."),
        Lang::En => format!("{title} — began {when}; {state}. The official updates, the timeline and the features affected."),
    }
}

/// A service page's description for search results and shared links.
pub fn service_description(lang: Lang, name: &str, what: &str) -> String {
    match lang {
        Lang::Ko => format!("{name} — {what}. 기능별 지금 상태, 최근 장애와 공식 공지, 이용자 제보."),
        Lang::En => format!("{name} — {what}. Each feature's state now, recent incidents and official updates, users' reports."),
    }
}
