//! The automated checks' strings (verdicts, the disagreement banner, the latency chart),
//! in Korean and English.

use crate::model::{CheckVerdict, Lang};

pub struct CheckStrings {
    pub section: &'static str,
    pub intro: &'static str,
    /// The banner when checks fail while the feature is officially operational.
    pub detected: &'static str,
    pub detected_detail: &'static str,
    pub official_state: &'static str,
    pub agents: &'static str,
    pub failing_agents: &'static str,
    pub set_aside: &'static str,
    pub since: &'static str,
    pub chart_title: &'static str,
    pub chart_legend: &'static str,
    pub as_table: &'static str,
    pub period: &'static str,
    pub results: &'static str,
    pub failures: &'static str,
    pub no_data: &'static str,
}

const KO: CheckStrings = CheckStrings {
    section: "자동 점검",
    intro: "여러 곳의 점검 에이전트가 기능을 직접 확인한 결과입니다. 공식 상태가 아니며, 공식 상태는 카카오의 발표로만 바뀝니다.",
    detected: "자동 점검에서 문제가 감지되었습니다 — 공식 확인 전",
    detected_detail: "{} 기능의 자동 점검이 실패하고 있지만 공식 상태는 아직 정상입니다.",
    official_state: "공식 상태",
    agents: "보고 중인 에이전트",
    failing_agents: "실패",
    set_aside: "제외 (자체 네트워크 문제)",
    since: "변경 시각",
    chart_title: "최근 24시간 응답 시간 (5분 단위 p50 · p95)",
    chart_legend: "선: p50(중앙값) · 옅은 선: p95 · 빨간 표시: 실패가 있었던 구간",
    as_table: "표로 보기",
    period: "시각",
    results: "결과 수",
    failures: "실패 수",
    no_data: "자료 없음",
};

const EN: CheckStrings = CheckStrings {
    section: "Automated checks",
    intro: "What probe agents in several places measure by trying the feature themselves. Not an official status: that changes only when Kakao says so.",
    detected: "Automated checks detect a problem — not yet officially confirmed",
    detected_detail: "Checks of {} are failing while its official status is still operational.",
    official_state: "Official status",
    agents: "Agents reporting",
    failing_agents: "failing",
    set_aside: "set aside (their own network is down)",
    since: "Changed",
    chart_title: "Response time over 24 hours (p50 · p95 per 5 minutes)",
    chart_legend: "Line: p50 (median) · faint line: p95 · red marks: periods with failures",
    as_table: "Show as a table",
    period: "Time",
    results: "Results",
    failures: "Failures",
    no_data: "no data",
};

pub fn check_strings(lang: Lang) -> &'static CheckStrings {
    match lang {
        Lang::Ko => &KO,
        Lang::En => &EN,
    }
}

pub fn verdict_label(verdict: CheckVerdict, lang: Lang) -> &'static str {
    match (verdict, lang) {
        (CheckVerdict::Unknown, Lang::Ko) => "자료 없음",
        (CheckVerdict::Unknown, Lang::En) => "No data",
        (CheckVerdict::Up, Lang::Ko) => "정상 응답",
        (CheckVerdict::Up, Lang::En) => "Responding",
        (CheckVerdict::Degraded, Lang::Ko) => "느린 응답",
        (CheckVerdict::Degraded, Lang::En) => "Slow",
        (CheckVerdict::Failing, Lang::Ko) => "실패",
        (CheckVerdict::Failing, Lang::En) => "Failing",
    }
}
