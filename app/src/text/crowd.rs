//! The crowd reports' strings (report form, banner, chart), in Korean and English.

use crate::model::Lang;

pub struct CrowdStrings {
    pub having_a_problem: &'static str,
    pub report_intro: &'static str,
    pub report_service_intro: &'static str,
    pub region: &'static str,
    pub no_region: &'static str,
    pub what_is_wrong: &'static str,
    pub users_reporting: &'static str,
    pub not_official: &'static str,
    pub reports_last_hour: &'static str,
    pub chart_title: &'static str,
    pub chart_legend: &'static str,
    pub as_table: &'static str,
    pub hour: &'static str,
    pub reports: &'static str,
    pub normal: &'static str,
    pub top_problems: &'static str,
    pub regions: &'static str,
    /// The thanks page's title (its heading, one of the three below, can be a paragraph).
    pub thanks_title: &'static str,
    pub thanks_counted: &'static str,
    pub thanks_repeat: &'static str,
    /// Taken while the database does not answer: kept on the server, counted later.
    pub thanks_saved: &'static str,
    pub back_to_service: &'static str,
    pub user_reports: &'static str,
}

const KO: CrowdStrings = CrowdStrings {
    having_a_problem: "문제가 있나요?",
    report_intro:
        "문제가 있는 서비스를 고르세요. 다음 화면에서 무엇이 안 되는지 누르면 바로 제보됩니다.",
    report_service_intro: "안 되는 기능을 누르면 바로 제보됩니다. 계정도 개인정보도 필요 없습니다.",
    region: "지역 (선택)",
    no_region: "선택 안 함",
    what_is_wrong: "무엇이 안 되나요?",
    users_reporting: "사용자들이 {}에 문제가 있다고 제보하고 있습니다",
    not_official: "사용자 제보이며 공식 상태가 아닙니다. 공식 상태는 위에 표시됩니다.",
    reports_last_hour: "최근 1시간 제보",
    chart_title: "지난 24시간 사용자 제보 (5분 단위)",
    chart_legend: "막대: 제보 수 · 음영: 평상시 수준 (지난 4주 같은 시간대)",
    as_table: "표로 보기",
    hour: "시각 (KST)",
    reports: "제보",
    normal: "평상시",
    top_problems: "많이 제보된 문제 (최근 1시간)",
    regions: "지역 (최근 1시간, 지역을 고른 제보)",
    thanks_title: "제보해 주셔서 고맙습니다",
    thanks_counted: "제보해 주셔서 고맙습니다. 제보가 집계되었습니다.",
    thanks_saved: "제보해 주셔서 고맙습니다. 지금은 데이터베이스가 응답하지 않아 제보를 이 서버에 안전하게 보관했고, 복구되면 집계됩니다.",
    thanks_repeat: "이미 제보하셨습니다. 같은 서비스는 15분에 한 번만 집계됩니다. 고맙습니다.",
    back_to_service: "서비스 상태 보기",
    user_reports: "사용자 제보",
};

const EN: CrowdStrings = CrowdStrings {
    having_a_problem: "Having a problem?",
    report_intro: "Pick the service that is not working; on the next screen, tap what is wrong and it is reported.",
    report_service_intro: "Tap what is not working and it is reported. No account, no personal data.",
    region: "Region (optional)",
    no_region: "Not given",
    what_is_wrong: "What is not working?",
    users_reporting: "Users are reporting problems with {}",
    not_official: "These are users' reports, not the official status, which is shown above.",
    reports_last_hour: "Reports in the last hour",
    chart_title: "User reports over the last 24 hours (per 5 minutes)",
    chart_legend: "Bars: reports · shaded: the normal level (same time, past 4 weeks)",
    as_table: "Show as a table",
    hour: "Hour (KST)",
    reports: "Reports",
    normal: "Normal",
    top_problems: "Most reported problems (last hour)",
    regions: "Regions (last hour, reports that named one)",
    thanks_title: "Thank you for your report",
    thanks_counted: "Thank you. Your report is counted.",
    thanks_saved: "Thank you. The database is not answering right now, so your report is kept safely on this server and will be counted when it is back.",
    thanks_repeat: "You have already reported this; one report per service is counted every 15 minutes. Thank you.",
    back_to_service: "See the service status",
    user_reports: "User reports",
};

pub fn crowd_strings(lang: Lang) -> &'static CrowdStrings {
    match lang {
        Lang::Ko => &KO,
        Lang::En => &EN,
    }
}
