//! Incident content in the reader's language, with the Korean fallback marked.

use crate::data::public::Text;
use crate::model::Lang;
use crate::text::public::strings;
use leptos::prelude::*;

/// Incident content in the reader's language. When the English text is missing the
/// Korean original is shown, marked as Korean, with a note saying so.
#[component]
pub fn LocalText(text: Text, lang: Lang) -> impl IntoView {
    let text_lang = if text.fallback { "ko" } else { lang.code() };
    let paragraphs = text
        .text
        .split('\n')
        .filter(|line| !line.trim().is_empty())
        .map(|line| view! { <p>{line.to_string()}</p> })
        .collect_view();
    view! {
        <div class="text" lang=text_lang>{paragraphs}</div>
        {text.fallback.then(|| view! { <p class="fallback-note">{strings(lang).english_missing}</p> })}
    }
}
