//! The frame every page shares: language, header and footer, and the island that keeps
//! the page current.

use crate::api::get_site;
use crate::browser::{is_live, PageEnhancer};
use crate::format::date_time;
use crate::model::Lang;
use crate::text::public::strings;
use leptos::prelude::*;
use leptos_meta::Html;
use leptos_router::hooks::{use_location, use_query_map};

/// The reader's language, and whether the address chose it (`?lang=`), in which case
/// every internal link carries it on so that a shared link keeps its language.
#[derive(Clone, Copy)]
pub struct LangCtx {
    pub lang: Memo<Lang>,
    pub explicit: Memo<bool>,
}

impl LangCtx {
    pub fn get(&self) -> Lang {
        self.lang.get()
    }

    /// For code that already depends on the language some other way (a resource keyed on it).
    pub fn untracked(&self) -> Lang {
        self.lang.get_untracked()
    }

    /// The same, for links that live across language changes (the header): re-evaluated
    /// when the language changes.
    pub fn tracked_href(&self, path: &str) -> String {
        self.lang.track();
        self.explicit.track();
        self.href(path)
    }

    /// An internal link that keeps the reader's language.
    pub fn href(&self, path: &str) -> String {
        let lang = self.lang.get_untracked();
        if self.explicit.get_untracked() || lang != Lang::default() {
            let sep = if path.contains('?') { '&' } else { '?' };
            format!("{path}{sep}lang={lang}")
        } else {
            path.to_string()
        }
    }
}

pub fn use_lang() -> LangCtx {
    expect_context::<LangCtx>()
}

/// The language the server negotiated from `Accept-Language`. In the browser it is read
/// back from `<html lang>`, which the server wrote, so hydration renders the same text.
fn negotiated_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|parts| {
                let header = parts.headers.get(http::header::ACCEPT_LANGUAGE)?;
                Some(Lang::negotiate(header.to_str().ok()))
            })
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        document()
            .document_element()
            .and_then(|html| html.get_attribute("lang"))
            .and_then(|code| Lang::parse(&code))
            .unwrap_or_default()
    }
}

/// The same address with the other language chosen.
fn switch_language_href(path: &str, search: &str, to: Lang) -> String {
    let mut params: Vec<&str> = search
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("lang="))
        .collect();
    let lang = format!("lang={to}");
    params.push(&lang);
    format!("{path}?{}", params.join("&"))
}

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let query = use_query_map();
    let negotiated = negotiated_lang();
    let chosen = move || query.read().get("lang").and_then(|code| Lang::parse(&code));
    let lang = Memo::new(move |_| chosen().unwrap_or(negotiated));
    let explicit = Memo::new(move |_| chosen().is_some());
    let ctx = LangCtx { lang, explicit };
    provide_context(ctx);

    let location = use_location();
    let switch_href = move || {
        switch_language_href(
            &location.pathname.get(),
            &location.search.get(),
            lang.get().other(),
        )
    };
    let s = move || strings(lang.get());
    let site = Resource::new(|| (), |_| get_site());
    // The public pages keep themselves current in the browser (see `browser`).
    let live = is_live(&location.pathname.get_untracked()).then_some("");
    let site_name = move || {
        site.get()
            .and_then(Result::ok)
            .map(|site| site.name(lang.get()).to_string())
    };
    let stale_since = move || {
        site.get()
            .and_then(Result::ok)
            .and_then(|site| site.stale_since)
    };

    view! {
        <Html {..} lang=move || lang.get().code() />
        <a class="skip-link" href="#main">{move || s().skip_to_content}</a>
        <header class="site-header">
            <div class="wrap header-row">
                <a class="site-name" href=move || ctx.tracked_href("/")>
                    <svg class="logo" viewBox="0 0 24 24" aria-hidden="true" width="24" height="24">
                        // A pulse, not a status: the logo must not say "all fine" during an outage.
                        <circle cx="12" cy="12" r="11" fill="currentColor" />
                        <path d="M4 12.5h4l2-5 4 9 2-4h4" stroke="#fff" stroke-width="2" fill="none" stroke-linecap="round" stroke-linejoin="round" />
                    </svg>
                    <Transition fallback=|| ()>
                        <span>{site_name}</span>
                    </Transition>
                </a>
                <nav aria-label=move || s().main_menu>
                    <a href=move || ctx.tracked_href("/")>{move || s().nav_home}</a>
                    <a href=move || ctx.tracked_href("/history")>{move || s().nav_history}</a>
                    <a
                        class="lang-switch"
                        href=switch_href
                        hreflang=move || lang.get().other().code()
                        lang=move || lang.get().other().code()
                        aria-label=move || s().switch_language_label
                    >
                        {move || s().switch_language}
                    </a>
                </nav>
            </div>
        </header>
        <main id="main" class="wrap" data-live=live>
            <Transition fallback=|| ()>
                {move || {
                    stale_since()
                        .map(|at| {
                            view! {
                                <p id="stale-notice" class="stale-notice" role="status">
                                    {move || s().stale_confirmed}
                                    " "
                                    <time datetime=at.to_rfc3339()>
                                        {move || date_time(lang.get(), at)}
                                    </time>
                                    " — "
                                    {move || s().stale_delayed}
                                </p>
                            }
                        })
                }}
            </Transition>
            {children()}
        </main>
        <footer class="site-footer">
            <div class="wrap">
                <p>{move || s().footer_note}</p>
                <nav class="footer-links" aria-label=move || s().follow>
                    <a href=move || ctx.tracked_href("/subscribe")>
                        {move || s().email_alerts}
                    </a>
                    <a href="/feed.atom">"Atom"</a>
                    <a href="/feed.rss">"RSS"</a>
                    <a href="/maintenance.ics">{move || s().maintenance_ical}</a>
                    <a href=move || ctx.tracked_href("/availability")>
                        {move || crate::text::record::strings(lang.get()).nav_availability}
                    </a>
                    <a href=move || ctx.tracked_href("/api")>"API"</a>
                </nav>
            </div>
        </footer>
        <PageEnhancer />
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switching_language_keeps_the_filters_and_replaces_the_language() {
        assert_eq!(switch_language_href("/", "", Lang::En), "/?lang=en");
        assert_eq!(
            switch_language_href("/history", "?service=kakaotalk&lang=en&page=2", Lang::Ko),
            "/history?service=kakaotalk&page=2&lang=ko"
        );
    }
}
