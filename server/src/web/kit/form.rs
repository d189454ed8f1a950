//! Reading a submitted form: fields, languages, KST times and component choices, with a
//! specific complaint (in both languages) for each thing that cannot be read.
//!
//! A field sent twice: `text` (and all that build on it) reads the first, `all` reads
//! every one in order (multi-valued fields: services, components), and a component
//! select `c.{service}/{component}` sent twice keeps the last. Names and values are read
//! as sent (`application/x-www-form-urlencoded`, malformed percent-escapes kept as typed,
//! invalid UTF-8 as U+FFFD); a control character other than tab and line breaks (NUL
//! above all, which PostgreSQL cannot store) is refused as a whole (`unstorable`).

use crate::domain::problem::Problem;
use crate::domain::state::StatusChange;
use app::model::{ComponentStatus, Lang};
use axum::http::HeaderMap;
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use std::ops::RangeInclusive;

/// The years a date and time in a form may name (those the history filter accepts).
pub const YEARS: RangeInclusive<i32> = 1970..=9999;

/// At most this many characters of a value are quoted back in a complaint.
const SHOWN: usize = 40;

pub struct FormData(pub Vec<(String, String)>);

/// The fields, with the values of secrets (`password`, `csrf`) left out.
impl std::fmt::Debug for FormData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(k, v)| {
                let secret = matches!(k.as_str(), "password" | "csrf");
                (k, if secret { "…" } else { v.as_str() })
            }))
            .finish()
    }
}

/// A character no text field may hold: NUL (PostgreSQL cannot store it) and the other
/// control characters no keyboard types; tab and line breaks are text.
pub fn is_unstorable(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// A value as a complaint quotes it: at most 40 characters, control characters shown
/// as U+FFFD, `…` when cut.
pub fn shown(value: &str) -> String {
    let mut out: String = value
        .chars()
        .take(SHOWN)
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect();
    if value.chars().nth(SHOWN).is_some() {
        out.push('…');
    }
    out
}

impl FormData {
    /// The field as typed, trimmed; empty when absent. Sent twice: the first.
    pub fn text(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    }

    /// None when absent or blank.
    pub fn optional(&self, name: &str) -> Option<String> {
        Some(self.text(name)).filter(|v| !v.is_empty())
    }

    /// Every value of a field, in the order sent, untrimmed.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub fn checked(&self, name: &str) -> bool {
        self.text(name) == "1"
    }

    /// The language the form was sent in, when its page's address chose one.
    pub fn chosen_lang(&self) -> Option<Lang> {
        Lang::parse(&self.text("lang"))
    }

    pub fn lang(&self, headers: &HeaderMap) -> Lang {
        super::lang::chosen_or_headers(self.chosen_lang(), headers)
    }

    /// What to keep for the form after a refusal: everything but secrets.
    pub fn kept(&self) -> Vec<(String, String)> {
        self.0
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "password" | "csrf"))
            .cloned()
            .collect()
    }

    /// The refusal of a form with a character that cannot be stored (`is_unstorable`)
    /// in a field's name or value, naming the first such field; None when there is none.
    pub fn unstorable(&self) -> Option<Problem> {
        let (name, _) = self
            .0
            .iter()
            .find(|(k, v)| k.chars().chain(v.chars()).any(is_unstorable))?;
        let name = shown(name);
        Some(Problem::new(
            "form",
            format!("'{name}' 칸에 저장할 수 없는 제어 문자(NUL 등)가 있습니다. 아무것도 바뀌지 않았습니다."),
            format!("The field '{name}' holds a control character (such as NUL) that cannot be stored. Nothing was changed."),
        ))
    }

    /// The `c.{service}/{component}` selects that were set (the last, when one is sent
    /// twice); the components themselves are checked against the catalog later.
    pub fn component_changes(&self) -> Result<Vec<StatusChange>, Problem> {
        let mut changes = Vec::new();
        for (key, value) in &self.0 {
            let Some(component) = key.strip_prefix("c.") else {
                continue;
            };
            if value.is_empty() {
                continue;
            }
            let status = ComponentStatus::parse(value).ok_or_else(|| {
                let value = shown(value);
                Problem::new(
                    "components",
                    format!("'{value}'은(는) 구성 요소 상태가 아닙니다"),
                    format!("'{value}' is not a component status"),
                )
            })?;
            changes.retain(|c: &StatusChange| c.component != component);
            changes.push(StatusChange {
                component: component.to_string(),
                status,
            });
        }
        Ok(changes)
    }

    /// A `datetime-local` value, read as Korea time.
    pub fn kst_time(&self, name: &'static str) -> Result<DateTime<Utc>, Problem> {
        let value = self.text(name);
        read_kst(&value).map_err(|error| {
            let value = shown(&value);
            let (first, last) = (YEARS.start(), YEARS.end());
            match error {
                TimeError::Year => Problem::new(
                    name,
                    format!("'{value}'의 연도는 {first}년부터 {last}년 사이여야 합니다"),
                    format!("the year of '{value}' must be from {first} to {last}"),
                ),
                TimeError::Format => Problem::new(
                    name,
                    format!("'{value}'은(는) 올바른 날짜·시각이 아닙니다 (예: 2022-10-15T15:30)"),
                    format!("'{value}' is not a date and time (e.g. 2022-10-15T15:30)"),
                ),
            }
        })
    }
}

/// Why a `datetime-local` value was not read.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TimeError {
    /// Not `YYYY-MM-DDTHH:MM[:SS]` in ASCII digits, or no such day or time.
    Format,
    /// A year outside `YEARS`.
    Year,
}

/// `YYYY-MM-DDTHH:MM` or `YYYY-MM-DDTHH:MM:SS` (what a `datetime-local` input sends),
/// read as Korea time. Exactly that shape: four-digit years within `YEARS` (no sign, so
/// no instant chrono or a database cannot hold), two-digit fields, no leap second.
pub fn read_kst(value: &str) -> Result<DateTime<Utc>, TimeError> {
    let bytes = value.as_bytes();
    let shaped = matches!(bytes.len(), 16 | 19)
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            10 => *b == b'T',
            13 | 16 => *b == b':',
            _ => b.is_ascii_digit(),
        });
    if !shaped {
        return Err(TimeError::Format);
    }
    let year: i32 = value[..4].parse().map_err(|_| TimeError::Format)?;
    if !YEARS.contains(&year) {
        return Err(TimeError::Year);
    }
    if bytes.len() == 19 && &value[17..] > "59" {
        return Err(TimeError::Format);
    }
    let format = if bytes.len() == 16 {
        "%Y-%m-%dT%H:%M"
    } else {
        "%Y-%m-%dT%H:%M:%S"
    };
    let naive = NaiveDateTime::parse_from_str(value, format).map_err(|_| TimeError::Format)?;
    app::format::kst()
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .ok_or(TimeError::Format)
}

pub fn parse_kst(value: &str) -> Option<DateTime<Utc>> {
    read_kst(value).ok()
}

/// Now in Korea time, as a `datetime-local` value.
pub fn kst_now_local() -> String {
    app::format::to_kst(Utc::now())
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_times_are_korea_time() {
        let at = parse_kst("2022-10-15T15:30").unwrap();
        assert_eq!(at.to_rfc3339(), "2022-10-15T06:30:00+00:00");
        assert_eq!(
            parse_kst("2022-10-15T15:30:59").unwrap().to_rfc3339(),
            "2022-10-15T06:30:59+00:00"
        );
        assert!(parse_kst("15/10/2022 15:30").is_none());
        assert!(parse_kst("").is_none());
    }

    #[test]
    fn times_out_of_shape_or_range_are_refused_with_the_reason() {
        // Before: chrono's parser took signed years, so "-262143-01-01T14:59" was read
        // (05:59 UTC on chrono's first day) and the console's `started_at - 6 h` panicked
        // on overflow; "+262142-…" and "0001-…" were taken as typed.
        for (value, error) in [
            ("-262143-01-01T14:59", TimeError::Format),
            ("+262142-12-31T23:59", TimeError::Format),
            ("1969-12-31T23:59", TimeError::Year),
            ("0000-01-01T00:00", TimeError::Year),
            ("2022-1-5T1:05", TimeError::Format),
            ("2022-10-15T15:30:60", TimeError::Format),
            ("2022-02-30T10:00", TimeError::Format),
            ("２０２２-10-15T15:30", TimeError::Format),
            ("2022-10-15 15:30", TimeError::Format),
        ] {
            assert_eq!(read_kst(value), Err(error), "{value}");
        }
        let form = FormData(vec![("starts_at".into(), "1900-01-01T00:00".into())]);
        let problem = form.kst_time("starts_at").unwrap_err();
        assert_eq!(problem.field, "starts_at");
        assert!(problem.en.contains("from 1970 to 9999"), "{}", problem.en);
        assert!(problem.ko.contains("1970년부터 9999년"), "{}", problem.ko);
    }

    #[test]
    fn component_choices_are_read_and_checked() {
        let form = FormData(vec![
            ("c.kakaotalk/media".into(), "major_outage".into()),
            ("c.kakaotalk/login".into(), "".into()),
            ("title_ko".into(), "x".into()),
        ]);
        let changes = form.component_changes().unwrap();
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].component, "kakaotalk/media");
        let bad = FormData(vec![("c.kakaotalk/media".into(), "on_fire".into())]);
        assert_eq!(bad.component_changes().unwrap_err().field, "components");
    }

    #[test]
    fn a_control_character_anywhere_is_refused_naming_the_field() {
        let form = FormData(vec![
            ("title_ko".into(), "제목\r\n\t둘째 줄".into()),
            ("body_ko".into(), "본문\0".into()),
        ]);
        let problem = form.unstorable().unwrap();
        assert_eq!(problem.field, "form");
        assert!(problem.en.contains("'body_ko'") && problem.ko.contains("'body_ko'"));
        assert!(FormData(vec![("a\u{1}".into(), "".into())])
            .unstorable()
            .is_some());
        assert!(FormData(vec![("title_ko".into(), "줄\r\n바꿈\t탭".into())])
            .unstorable()
            .is_none());
    }

    #[test]
    fn a_long_value_is_quoted_short() {
        let long = "가".repeat(10_000);
        let form = FormData(vec![("c.kakaotalk/media".into(), long)]);
        let problem = form.component_changes().unwrap_err();
        assert!(problem.en.chars().count() < 100, "{}", problem.en);
        assert_eq!(shown("a\0b"), "a\u{FFFD}b");
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        /// Names a console form uses, and anything else.
        fn name() -> impl Strategy<Value = String> {
            prop_oneof![
                prop::sample::select(vec![
                    "title_ko",
                    "body_ko",
                    "lang",
                    "csrf",
                    "password",
                    "kind",
                    "active",
                    "started_at",
                    "c.kakaotalk/media",
                    "c.kakaotalk/login",
                    "c.",
                    "c.x",
                ])
                .prop_map(String::from),
                any::<String>(),
                "c\\.[a-z/]{0,12}",
            ]
        }

        /// Unicode of every kind (NULs, controls, astral planes), typical values, and long runs.
        fn value() -> impl Strategy<Value = String> {
            prop_oneof![
                any::<String>(),
                prop::collection::vec(any::<char>(), 0..40).prop_map(String::from_iter),
                prop::sample::select(vec![
                    "",
                    " ",
                    "1",
                    "en",
                    "ko",
                    "major_outage",
                    "operational",
                    "on_fire",
                    "2022-10-15T15:30",
                    "\0",
                    "  padded  ",
                    "%zz",
                    "가나다",
                ])
                .prop_map(String::from),
                (any::<char>(), 1usize..5000).prop_map(|(c, n)| c.to_string().repeat(n)),
            ]
        }

        fn form() -> impl Strategy<Value = FormData> {
            prop::collection::vec((name(), value()), 0..12).prop_map(FormData)
        }

        proptest! {
            #![proptest_config(ProptestConfig {
                cases: 192,
                failure_persistence: None,
                ..ProptestConfig::default()
            })]

            /// Every accessor answers without panicking, and answers what the pairs say:
            /// the first of a field sent twice, every one for `all`, never a secret kept.
            #[test]
            fn every_accessor_reads_what_was_sent(form in form(), other in name()) {
                let names: Vec<String> = form.0.iter().map(|(k, _)| k.clone()).chain([other]).collect();
                for name in &names {
                    let first = form.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_string());
                    prop_assert_eq!(form.text(name), first.clone().unwrap_or_default());
                    prop_assert_eq!(form.optional(name), first.filter(|v| !v.is_empty()));
                    prop_assert_eq!(form.all(name).len(), form.0.iter().filter(|(k, _)| k == name).count());
                    prop_assert_eq!(form.checked(name), form.text(name) == "1");
                }
                prop_assert!(form.kept().iter().all(|(k, _)| k != "password" && k != "csrf"));
                prop_assert_eq!(
                    form.chosen_lang().is_some(),
                    matches!(form.text("lang").as_str(), "ko" | "en")
                );
                let bad = form.0.iter().any(|(k, v)| k.chars().chain(v.chars()).any(is_unstorable));
                match form.unstorable() {
                    Some(problem) => {
                        prop_assert!(bad);
                        prop_assert_eq!(problem.field, "form");
                        prop_assert!(problem.en.chars().count() < 200 && problem.ko.chars().count() < 200);
                    }
                    None => prop_assert!(!bad),
                }
            }

            /// Component selects: each component once, with the last status chosen for it;
            /// a value that is not a status is refused, quoted short.
            #[test]
            fn component_selects_are_read_or_refused(form in form()) {
                let selects: Vec<(&str, &str)> = form.0.iter()
                    .filter_map(|(k, v)| k.strip_prefix("c.").map(|c| (c, v.as_str())))
                    .filter(|(_, v)| !v.is_empty())
                    .collect();
                match form.component_changes() {
                    Ok(changes) => {
                        prop_assert!(selects.iter().all(|(_, v)| ComponentStatus::parse(v).is_some()));
                        let mut seen = std::collections::HashSet::new();
                        for change in &changes {
                            prop_assert!(seen.insert(change.component.clone()), "one change per component");
                            let last = selects.iter().rev().find(|(c, _)| *c == change.component).unwrap();
                            prop_assert_eq!(Some(change.status), ComponentStatus::parse(last.1));
                        }
                        prop_assert_eq!(seen.len(), selects.iter().map(|(c, _)| *c).collect::<std::collections::HashSet<_>>().len());
                    }
                    Err(problem) => {
                        prop_assert_eq!(problem.field, "components");
                        prop_assert!(selects.iter().any(|(_, v)| ComponentStatus::parse(v).is_none()));
                        prop_assert!(problem.en.chars().count() < 100);
                    }
                }
            }

            /// Any text: a time in range, or a refusal naming the field; never a panic.
            #[test]
            fn any_text_is_a_time_or_a_named_refusal(value in value(), digits in "[0-9+-]{0,7}-[0-9]{1,2}-[0-9]{1,2}T[0-9]{1,2}:[0-9]{1,2}(:[0-9]{1,2})?") {
                for value in [value, digits] {
                    let form = FormData(vec![("starts_at".into(), value.clone())]);
                    match form.kst_time("starts_at") {
                        Ok(at) => {
                            let year = app::format::to_kst(at).format("%Y").to_string();
                            prop_assert!(YEARS.contains(&year.parse::<i32>().unwrap()));
                            prop_assert_eq!(read_kst(value.trim()), Ok(at));
                        }
                        Err(problem) => {
                            prop_assert_eq!(problem.field, "starts_at");
                            prop_assert!(!problem.ko.is_empty() && !problem.en.is_empty());
                        }
                    }
                }
            }

            /// Every minute (and second) of every year in range reads back as the instant it
            /// names in Korea time.
            #[test]
            fn a_time_in_range_round_trips(
                year in YEARS, month in 1u32..=12, day in 1u32..=31,
                hour in 0u32..24, minute in 0u32..60, second in 0u32..60,
            ) {
                let Some(date) = chrono::NaiveDate::from_ymd_opt(year, month, day) else {
                    let text = format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}");
                    prop_assert_eq!(read_kst(&text), Err(TimeError::Format));
                    return Ok(());
                };
                let naive = date.and_hms_opt(hour, minute, second).unwrap();
                let at = app::format::kst().from_local_datetime(&naive).unwrap().with_timezone(&Utc);
                let with_seconds = naive.format("%Y-%m-%dT%H:%M:%S").to_string();
                prop_assert_eq!(read_kst(&with_seconds), Ok(at));
                let minute_only = naive.format("%Y-%m-%dT%H:%M").to_string();
                let read = read_kst(&minute_only).unwrap();
                prop_assert_eq!(app::format::to_kst(read).format("%Y-%m-%dT%H:%M").to_string(), minute_only);
            }

            /// What axum's `Form` decodes (form_urlencoded, as here) from any bytes at all —
            /// malformed percent-escapes, invalid UTF-8, `=` and `&` anywhere — is a form
            /// every accessor reads; and encoded pairs decode to themselves.
            #[test]
            fn any_body_decodes_to_a_readable_form(
                body in prop::collection::vec(any::<u8>(), 0..300),
                pairs in prop::collection::vec((name(), value()), 0..6),
            ) {
                let form = FormData(url::form_urlencoded::parse(&body).into_owned().collect());
                let _ = (form.text("lang"), form.chosen_lang(), form.unstorable(), form.component_changes(), form.kst_time("started_at"));
                let encoded = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(&pairs).finish();
                let decoded: Vec<(String, String)> = url::form_urlencoded::parse(encoded.as_bytes()).into_owned().collect();
                prop_assert_eq!(decoded, pairs);
            }
        }
    }
}
