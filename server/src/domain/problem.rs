//! A refusal a person reads: which form field it is about, and why, in both languages.

use app::model::Lang;

/// Why a change was refused, in both languages, and which form field it is about.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub field: &'static str,
    pub ko: String,
    pub en: String,
}

impl Problem {
    pub fn new(field: &'static str, ko: impl Into<String>, en: impl Into<String>) -> Self {
        Problem {
            field,
            ko: ko.into(),
            en: en.into(),
        }
    }

    pub fn text(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ko => &self.ko,
            Lang::En => &self.en,
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en)
    }
}

impl std::error::Error for Problem {}
