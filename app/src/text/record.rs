//! The regulator's pages: availability tables and incident records.

use crate::model::Lang;

pub struct Strings {
    pub nav_availability: &'static str,
    pub availability_title: &'static str,
    pub availability_intro: &'static str,
    pub availability_rule: &'static str,
    pub filter_year: &'static str,
    pub month: &'static str,
    pub year_total: &'static str,
    pub availability: &'static str,
    pub major_minutes: &'static str,
    pub partial_minutes: &'static str,
    pub down_minutes: &'static str,
    pub maintenance_minutes: &'static str,
    pub elapsed_minutes: &'static str,
    pub service: &'static str,
    pub component: &'static str,
    pub components_of: &'static str,
    pub chart_caption: &'static str,
    pub not_begun: &'static str,
    pub export: &'static str,
    pub export_csv: &'static str,
    pub export_json: &'static str,
    pub as_of: &'static str,
    pub ledger_mark: &'static str,
    pub no_ledger: &'static str,
    pub all_services: &'static str,
    pub service_label: &'static str,
    pub apply: &'static str,
    pub mean_note: &'static str,
    pub record_title: &'static str,
    pub record_link: &'static str,
    pub record_intro: &'static str,
    pub compiled_afterwards: &'static str,
    pub figures: &'static str,
    pub first_impact: &'static str,
    pub crowd_signal: &'static str,
    pub checks_failed: &'static str,
    pub first_notice: &'static str,
    pub time_to_acknowledge: &'static str,
    pub time_to_resolve: &'static str,
    pub resolved: &'static str,
    pub apology: &'static str,
    pub compensation_notice: &'static str,
    pub none_on_record: &'static str,
    pub not_yet: &'static str,
    pub milestones: &'static str,
    pub component_times: &'static str,
    pub degraded_minutes: &'static str,
    pub operational_minutes: &'static str,
    pub duties: &'static str,
    pub duties_intro: &'static str,
    pub due: &'static str,
    pub fulfilled_by: &'static str,
    pub in_time: &'static str,
    pub too_late: &'static str,
    pub required: &'static str,
    pub missing: &'static str,
    pub nothing_missing: &'static str,
    pub statements: &'static str,
    pub print: &'static str,
    pub back_to_incident: &'static str,
    pub retrospective_mark: &'static str,
    pub checklist: &'static str,
    pub checklist_help: &'static str,
    pub tag_legend: &'static str,
    pub tag_help: &'static str,
    pub carried: &'static str,
    pub notes_title: &'static str,
    pub notes_help: &'static str,
    pub note_label: &'static str,
    pub add_note: &'static str,
    pub no_notes: &'static str,
    pub past_view: &'static str,
    pub past_view_after: &'static str,
    pub past_view_now: &'static str,
    pub sources: &'static str,
    pub ledger_entries: &'static str,
    pub ledger_entries_intro: &'static str,
    pub ledger_unavailable: &'static str,
    pub recorded_at: &'static str,
    pub crowd_peak: &'static str,
    pub crowd_peak_none: &'static str,
    pub crowd_peak_unread: &'static str,
    pub crowd_peak_note: &'static str,
    pub internal_note: &'static str,
    pub note_tag_legend: &'static str,
    pub note_tag_help: &'static str,
}

const KO: Strings = Strings {
    nav_availability: "가용성",
    availability_title: "서비스 가용성",
    availability_intro: "상태 기록에서 계산한 월별·연도별 가용성입니다. 시각은 한국 시간 기준입니다.",
    availability_rule: "전면 장애 1분은 1분, 부분 장애 1분은 0.3분의 중단으로 셉니다. 성능 저하는 정상으로 보고, 예정된 점검 시간은 따로 보여 줄 뿐 중단에 넣지 않습니다(점검 중 장애는 중단으로 셉니다). 서비스의 수치는 구성 요소들의 평균입니다.",
    filter_year: "연도",
    month: "월",
    year_total: "연간",
    availability: "가용성",
    major_minutes: "전면 장애(분)",
    partial_minutes: "부분 장애(분)",
    down_minutes: "가중 중단(분)",
    maintenance_minutes: "점검(분)",
    elapsed_minutes: "기간(분)",
    service: "서비스",
    component: "구성 요소",
    components_of: "구성 요소별",
    chart_caption: "월별 가중 중단 시간(분)",
    not_begun: "—",
    export: "내려받기",
    export_csv: "CSV (엑셀)",
    export_json: "JSON",
    as_of: "기준 시각",
    ledger_mark: "원장 기준",
    no_ledger: "원장 기록 없음",
    all_services: "모든 서비스",
    service_label: "서비스",
    apply: "보기",
    mean_note: "서비스 행은 구성 요소들의 평균입니다.",
    record_title: "장애 보고서",
    record_link: "장애 보고서: 법이 요구하는 수치와 의무 이행 (인쇄용)",
    record_intro: "법이 요구하는 수치와 의무 이행 여부를 상태 기록에서 계산했습니다. 시각은 한국 시간입니다.",
    compiled_afterwards: "이 기록의 일부는 나중에 공개 보도를 바탕으로 작성되었습니다(‘사후 기록’ 표시). 그 시각은 당시 공지된 시각이 아니라 사실이 일어난 시각입니다.",
    figures: "주요 수치",
    first_impact: "최초 이용자 영향",
    crowd_signal: "이용자 제보 신호",
    checks_failed: "자동 점검 실패",
    first_notice: "첫 공지",
    time_to_acknowledge: "인지까지 걸린 시간",
    time_to_resolve: "복구까지 걸린 시간",
    resolved: "복구",
    apology: "사과문 게시",
    compensation_notice: "손해배상 고지 게시",
    none_on_record: "기록 없음",
    not_yet: "아직 없음",
    milestones: "경과",
    component_times: "구성 요소별 상태 시간(분)",
    degraded_minutes: "성능 저하(분)",
    operational_minutes: "정상(분)",
    duties: "법적 의무",
    duties_intro: "장애가 시작된 날 시행 중이던 규칙(config/rules.toml)에 따라 판단합니다. 의무를 이행한 공지는 게시할 때 표시합니다.",
    due: "기한",
    fulfilled_by: "이행한 공지",
    in_time: "기한 내",
    too_late: "기한 후",
    required: "필수 요소",
    missing: "빠진 요소",
    nothing_missing: "빠진 요소 없음",
    statements: "공지와 사과문 (원문)",
    print: "인쇄 또는 PDF로 저장",
    back_to_incident: "장애 페이지로",
    retrospective_mark: "사후 기록",
    checklist: "법적 의무 체크리스트",
    checklist_help: "장애가 시작된 날 시행 중인 규칙입니다. 의무를 이행하는 업데이트는 게시할 때 아래 ‘이행하는 고지’에 표시하세요.",
    tag_legend: "이 업데이트가 이행하는 고지",
    tag_help: "고지를 표시하고, 본문에 담긴 요소를 고르세요.",
    carried: "담긴 요소",
    notes_title: "내부 메모 (비공개)",
    notes_help: "직원과 규제 기관만 봅니다. 공개 페이지와 문서에는 나오지 않지만 원장에 남습니다. 예: 과학기술정보통신부에 보고한 시각과 방법.",
    note_label: "메모",
    add_note: "메모 남기기",
    no_notes: "아직 메모가 없습니다.",
    past_view: "과거 시점 보기:",
    past_view_after: " 기준으로 공개되어 있던 내용입니다(원장을 되짚어 다시 만든 화면). 그 뒤에 정정된 글은 정정 전 원문으로, 나중에 작성된 기록은 ‘사후 기록’으로 보입니다.",
    past_view_now: "지금 화면 보기",
    sources: "원장",
    ledger_entries: "이 기록의 원장 항목",
    ledger_entries_intro: "위의 수치와 경과는 아래 원장 항목에서 나옵니다(‘원장 #번호’ 링크). 각 항목의 해시는 원장 전체를 내려받아 scripts/verify-ledger.py로 누구나 확인할 수 있습니다. 기록 시각은 원장에 적힌 시각이고, 사후 기록은 사실이 일어난 시각보다 늦게 기록되었습니다.",
    ledger_unavailable: "지금은 원장을 읽을 수 없어 항목을 보여 드리지 못합니다. 수치는 마지막으로 확인한 상태에서 계산했습니다.",
    recorded_at: "기록 시각",
    crowd_peak: "분당 최다 제보",
    crowd_peak_none: "이 장애 동안 받은 제보 없음",
    crowd_peak_unread: "지금은 제보 집계를 읽을 수 없음",
    crowd_peak_note: "첫 징후 1시간 전부터 복구까지, 관련 서비스의 분당 제보 수입니다. 제보 수는 원장이 아니라 제보 집계에서 옵니다.",
    internal_note: "내부 메모",
    note_tag_legend: "이 메모가 기록하는 보고",
    note_tag_help: "과학기술정보통신부 등에 보고했다면 표시하세요. 메모를 남기는 시각이 보고 시각으로 원장에 기록되니, 보고한 직후에 남기세요. 메모 내용은 공개되지 않습니다.",
};

const EN: Strings = Strings {
    nav_availability: "Availability",
    availability_title: "Service availability",
    availability_intro: "Monthly and yearly availability, computed from the recorded states. Times are Korea time.",
    availability_rule: "A minute of major outage counts as a minute down, a minute of partial outage as 0.3. Degraded performance counts as up; scheduled maintenance is shown apart and not counted as down (an outage during maintenance still counts). A service's figure is the mean of its components.",
    filter_year: "Year",
    month: "Month",
    year_total: "Year",
    availability: "Availability",
    major_minutes: "Major outage (min)",
    partial_minutes: "Partial outage (min)",
    down_minutes: "Weighted down (min)",
    maintenance_minutes: "Maintenance (min)",
    elapsed_minutes: "Period (min)",
    service: "Service",
    component: "Component",
    components_of: "By component",
    chart_caption: "Weighted minutes down per month",
    not_begun: "—",
    export: "Download",
    export_csv: "CSV (Excel)",
    export_json: "JSON",
    as_of: "As of",
    ledger_mark: "Ledger point",
    no_ledger: "no ledger entry yet",
    all_services: "All services",
    service_label: "Service",
    apply: "Show",
    mean_note: "A service's row is the mean of its components.",
    record_title: "Incident report",
    record_link: "Incident report: the figures and duties the law asks for (printable)",
    record_intro: "The figures the law asks for and whether each duty was met, computed from the recorded states. Times are Korea time.",
    compiled_afterwards: "Part of this record was written afterwards from public reporting (marked \u{201c}retrospective\u{201d}); its times are when things happened, not when a notice was published.",
    figures: "Figures",
    first_impact: "First user impact",
    crowd_signal: "Crowd signal",
    checks_failed: "Automated checks failing",
    first_notice: "First notice",
    time_to_acknowledge: "Time to acknowledge",
    time_to_resolve: "Time to resolve",
    resolved: "Resolved",
    apology: "Apology published",
    compensation_notice: "Compensation notice published",
    none_on_record: "none on record",
    not_yet: "not yet",
    milestones: "Milestones",
    component_times: "Minutes in each state, by component",
    degraded_minutes: "Degraded (min)",
    operational_minutes: "Operational (min)",
    duties: "Legal duties",
    duties_intro: "Judged by the rules in force on the day the incident started (config/rules.toml). Staff mark the update that fulfils a duty when they publish it.",
    due: "Due",
    fulfilled_by: "Fulfilled by",
    in_time: "in time",
    too_late: "after the due time",
    required: "Required elements",
    missing: "Missing",
    nothing_missing: "nothing missing",
    statements: "Statements and apologies (verbatim)",
    print: "Print or save as PDF",
    back_to_incident: "Back to the incident",
    retrospective_mark: "retrospective",
    checklist: "Legal duties checklist",
    checklist_help: "The rules in force on the day the incident started. Mark the update that fulfils a duty under \u{201c}Notices this update fulfils\u{201d} when you publish it.",
    tag_legend: "Notices this update fulfils",
    tag_help: "Tick the notice, then the elements its text carries.",
    carried: "Elements carried",
    notes_title: "Internal notes (not public)",
    notes_help: "Seen by staff and regulators only: never on a public page or document, but kept in the ledger. For example: when and how the Ministry was notified.",
    note_label: "Note",
    add_note: "Save the note",
    no_notes: "No notes yet.",
    past_view: "A past view:",
    past_view_after: " — what was public at that moment, rebuilt by replaying the ledger. Texts corrected later show as they were then; records written afterwards are marked \u{201c}retrospective\u{201d}.",
    past_view_now: "See it now",
    sources: "ledger",
    ledger_entries: "The ledger entries behind this record",
    ledger_entries_intro: "The figures and milestones above come from the ledger entries below (the “ledger #n” links). Anyone can check each entry’s hash against a download of the whole ledger with scripts/verify-ledger.py. The time recorded is the ledger’s; retrospective records were written later than the facts they describe.",
    ledger_unavailable: "The ledger cannot be read right now, so its entries are not shown. The figures are computed from the last state confirmed.",
    recorded_at: "Recorded",
    crowd_peak: "Peak crowd reports per minute",
    crowd_peak_none: "No reports during this incident",
    crowd_peak_unread: "The report counts cannot be read right now",
    crowd_peak_note: "Reports per minute for the affected services, from an hour before the first sign to the resolution. Report counts come from the crowd’s tallies, not from the ledger.",
    internal_note: "internal note",
    note_tag_legend: "The report this note records",
    note_tag_help: "Tick it once you have reported to the Ministry. The ledger records the time you save the note as the time of the report, so save it right after reporting. The note’s text stays internal.",
};

pub fn strings(lang: Lang) -> &'static Strings {
    match lang {
        Lang::Ko => &KO,
        Lang::En => &EN,
    }
}

/// "2022년 10월" is long for a table row: "10월" / "Oct".
pub fn month_short(lang: Lang, month: u32) -> String {
    match lang {
        Lang::Ko => format!("{month}월"),
        Lang::En => crate::format::month_abbr(month).to_string(),
    }
}

/// Minutes with one decimal, the way the tables show them.
pub fn minutes(value: f64) -> String {
    format!("{value:.1}")
}

/// A duty's standing, for the reader.
pub fn standing_label(lang: Lang, standing: &str) -> &'static str {
    match (lang, standing) {
        (Lang::Ko, "not_in_force") => "해당 없음 (당시 시행 전)",
        (Lang::En, "not_in_force") => "did not apply (not in force then)",
        (Lang::Ko, "below_threshold") => "해당 없음 (기준 시간 이하)",
        (Lang::En, "below_threshold") => "did not apply (under the threshold)",
        (Lang::Ko, "not_yet") => "진행 중 (아직 판단할 수 없음)",
        (Lang::En, "not_yet") => "running (not known yet)",
        (Lang::Ko, "open") => "기한 전 (미이행)",
        (Lang::En, "open") => "due, not yet fulfilled",
        (Lang::Ko, "overdue") => "기한 경과 (이행 기록 없음)",
        (Lang::En, "overdue") => "overdue (no fulfilment on record)",
        (Lang::Ko, "met") => "기한 내 이행",
        (Lang::En, "met") => "met in time",
        (Lang::Ko, "late") => "기한 후 이행",
        (Lang::Ko, "internal") => "적용 — 보고 여부는 비공개 내부 기록 (규제 기관 열람)",
        (Lang::En, "internal") => {
            "applied — the report is an internal record (open to the regulator)"
        }
        (Lang::En, "late") => "fulfilled late",
        (Lang::Ko, _) => "알 수 없음",
        (Lang::En, _) => "unknown",
    }
}

/// A milestone's name.
pub fn milestone_label(lang: Lang, kind: &crate::data::record::MilestoneKind) -> String {
    use crate::data::record::MilestoneKind as K;
    let s = strings(lang);
    match kind {
        K::FirstImpact => s.first_impact.into(),
        K::CrowdSignal => s.crowd_signal.into(),
        K::ChecksFailed => s.checks_failed.into(),
        K::FirstNotice => s.first_notice.into(),
        K::Apology => s.apology.into(),
        K::Resolved => s.resolved.into(),
        K::StateChange(state) => crate::text::public::state_label(lang, *state).into(),
    }
}

/// "기한까지 2시간 13분" / "2 h 13 min left"; past the due time, how far past.
pub fn countdown(lang: Lang, minutes: i64) -> String {
    let span = crate::format::duration(lang, chrono::TimeDelta::minutes(minutes.abs()));
    match (lang, minutes >= 0) {
        (Lang::Ko, true) => format!("기한까지 {span}"),
        (Lang::Ko, false) => format!("기한을 {span} 넘김"),
        (Lang::En, true) => format!("{span} left"),
        (Lang::En, false) => format!("{span} past the due time"),
    }
}

/// What a ledger entry put on the record, for the reader; the component states it set
/// are named together.
pub fn facts_label(lang: Lang, facts: &[crate::data::record::SourceFact]) -> String {
    use crate::data::record::SourceFact as F;
    let mut parts: Vec<String> = Vec::new();
    let mut components: Vec<&str> = Vec::new();
    for fact in facts {
        parts.push(match (lang, fact) {
            (_, F::Status { component }) => {
                components.push(component);
                continue;
            }
            (Lang::Ko, F::Opened) => "장애 등록".into(),
            (Lang::En, F::Opened) => "incident opened".into(),
            (Lang::Ko, F::Update { update_id }) => format!("업데이트 #{update_id} 게시"),
            (Lang::En, F::Update { update_id }) => format!("update #{update_id} published"),
            (Lang::Ko, F::Correction { update_id }) => format!("업데이트 #{update_id} 정정"),
            (Lang::En, F::Correction { update_id }) => {
                format!("update #{update_id} corrected")
            }
        });
    }
    if !components.is_empty() {
        let list = components.join(", ");
        parts.push(match lang {
            Lang::Ko => format!("구성 요소 상태: {list}"),
            Lang::En => format!("component states: {list}"),
        });
    }
    parts.join(" · ")
}
