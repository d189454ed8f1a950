//! Catalog and incident texts in the reader's language: Korean always exists; English
//! falls back to Korean, and says so (`fallback`), so pages can mark it.

use app::data::public::Text;
use app::model::Lang;

pub fn localized(lang: Lang, ko: &str, en: Option<&str>) -> Text {
    match (lang, en.map(str::trim).filter(|e| !e.is_empty())) {
        (Lang::En, Some(en)) => Text {
            text: en.to_string(),
            fallback: false,
        },
        (Lang::En, None) => Text {
            text: ko.to_string(),
            fallback: true,
        },
        (Lang::Ko, _) => Text {
            text: ko.to_string(),
            fallback: false,
        },
    }
}
