//! One update of an incident's timeline.

use super::{ComponentStates, LocalText, Time};
use crate::data::public::UpdateView;
use crate::format;
use crate::model::{Lang, UpdateKind};
use crate::text::public::{kind_label, state_label, strings};
use leptos::prelude::*;

/// One update of an incident's timeline. Apologies and postmortems are official
/// statements and look it: their own frame and heading.
#[component]
pub fn UpdateEntry(update: UpdateView, lang: Lang) -> impl IntoView {
    let s = strings(lang);
    let official = update.kind != UpdateKind::Update;
    let apology = update.kind == UpdateKind::Apology;
    // A record known only by its date (a retrospective entry at midnight KST) shows the date.
    let date_only =
        update.retrospective && format::to_kst(update.at).time() == chrono::NaiveTime::MIN;
    let when = if date_only {
        view! { <time datetime=format::machine(update.at)>{format::date(lang, format::to_kst(update.at).date_naive())}</time> }.into_any()
    } else {
        view! { <Time at=update.at lang /> }.into_any()
    };
    let class = format!("update kind-{}", update.kind.as_str());
    let changes = (!update.changes.is_empty()).then(|| {
        view! {
            <div class="changes">
                <span class="changes-label">{s.components_changed}</span>
                <ul>
                    <ComponentStates items=update.changes lang />
                </ul>
            </div>
        }
    });
    view! {
        <article class=class>
            <header class="update-head">
                {official.then(|| view! { <strong class="official">{kind_label(lang, update.kind)}</strong> })}
                <span class=format!("state st-{}", update.state.as_str())>{state_label(lang, update.state)}</span>
                {when}
            </header>
            {apology.then(|| view! { <p class="official-label">{s.official_statement}</p> })}
            <LocalText text=update.body lang />
            {update.edited_at.map(|at| view! { <p class="edited">{s.edited}" " <Time at lang /></p> })}
            {update.retrospective.then(|| view! { <p class="retro">{s.retrospective}</p> })}
            {changes}
        </article>
    }
}
