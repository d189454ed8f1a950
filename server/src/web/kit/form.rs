//! Reading a submitted form: fields, languages, KST times and component choices, with a
//! specific complaint (in both languages) for each thing that cannot be read.

use crate::domain::problem::Problem;
use crate::domain::state::StatusChange;
use app::model::{ComponentStatus, Lang};
use axum::http::HeaderMap;
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};

pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    /// The field as typed, trimmed; empty when absent.
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

    /// The `c.{service}/{component}` selects that were set.
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
        parse_kst(&value).ok_or_else(|| {
            Problem::new(
                name,
                format!("'{value}'은(는) 올바른 날짜·시각이 아닙니다 (예: 2022-10-15T15:30)"),
                format!("'{value}' is not a date and time (e.g. 2022-10-15T15:30)"),
            )
        })
    }
}

pub fn parse_kst(value: &str) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    app::format::kst()
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
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
        assert!(parse_kst("15/10/2022 15:30").is_none());
        assert!(parse_kst("").is_none());
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
}
