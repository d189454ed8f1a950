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

/// The console's agents page.
pub struct AgentStrings {
    pub title: &'static str,
    pub intro: &'static str,
    pub none_yet: &'static str,
    pub name: &'static str,
    pub key: &'static str,
    pub show_key: &'static str,
    pub state: &'static str,
    pub active: &'static str,
    pub inactive: &'static str,
    pub last_batch: &'static str,
    pub created: &'static str,
    pub add: &'static str,
    pub add_help: &'static str,
    pub activate: &'static str,
    pub deactivate: &'static str,
}

const AGENTS_KO: AgentStrings = AgentStrings {
    title: "점검 에이전트",
    intro: "자동 점검 결과를 보낼 수 있는 에이전트입니다. 각 에이전트는 자기 키로 결과에 서명합니다. 서버 안의 에이전트(built-in)는 따로 등록할 필요가 없습니다.",
    none_yet: "등록된 에이전트가 없습니다.",
    name: "이름",
    key: "키",
    show_key: "키 보기",
    state: "상태",
    active: "사용 중",
    inactive: "사용 안 함",
    last_batch: "마지막 묶음 번호",
    created: "등록 시각",
    add: "에이전트 등록",
    add_help: "영문 소문자·숫자·하이픈(-) 1~64자 (예: seoul-1). 등록 후 키를 에이전트만 읽을 수 있는 파일에 두고 server probe --site … --agent 이름 --key-file 파일 로 실행하세요.",
    activate: "다시 사용",
    deactivate: "사용 중지",
};

const AGENTS_EN: AgentStrings = AgentStrings {
    title: "Probe agents",
    intro: "The agents allowed to send automated check results. Each signs its results with its own key. The agent inside the server (built-in) needs no registration.",
    none_yet: "No agent is registered yet.",
    name: "Name",
    key: "Key",
    show_key: "Show the key",
    state: "State",
    active: "active",
    inactive: "off",
    last_batch: "Last batch",
    created: "Registered",
    add: "Register an agent",
    add_help: "1 to 64 of a-z, 0-9 and - (e.g. seoul-1). Then put the key in a file only the agent can read and run server probe --site … --agent NAME --key-file FILE.",
    activate: "Turn on",
    deactivate: "Turn off",
};

pub fn agent_strings(lang: Lang) -> &'static AgentStrings {
    match lang {
        Lang::Ko => &AGENTS_KO,
        Lang::En => &AGENTS_EN,
    }
}
