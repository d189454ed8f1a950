//! The public status site as a Leptos application in islands mode: every page is rendered
//! on the server, and only the island in `browser` runs in the browser. Everything here
//! compiles for both sides; server-only pieces sit behind the `ssr` feature.

// The page views nest deeply; their types exceed the default limit.
#![recursion_limit = "256"]

pub mod api;
pub mod browser;
pub mod components;
pub mod data;
pub mod format;
pub mod layout;
pub mod model;
pub mod pages;
pub mod text;

use layout::Layout;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, Meta, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};
use pages::console::{
    ConsoleAgents, ConsoleDashboard, ConsoleIncident, ConsoleLedger, ConsoleNewIncident,
    ConsoleNewMaintenance, ConsoleSignIn, ConsoleUsers, ConsoleWebhooks,
};
use pages::{
    AvailabilityPage, ConfirmSubscriptionPage, HistoryPage, HomePage, IncidentPage, NotFound,
    RecordPage, ReportServicePage, ReportThanksPage, ServicePage, SubscribePage, UnsubscribePage,
};

/// The HTML document around the application (server side only).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        // `lang` is set by <Html> in the layout, from the reader's language.
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                // The stylesheet under its content-hashed name (cargo-leptos `hash-files`;
                // hash.txt beside the server binary), cached for a year by browsers.
                <link rel="stylesheet" id="leptos" href=browser::build_outputs(&options).stylesheet.clone() />
                // Islands: the one island's code, loaded once the browser is idle after the
                // first paint, so it never delays the page.
                <browser::IdleIslands options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Link rel="icon" href="/favicon.svg" type_="image/svg+xml" />
        // Feeds, for readers and aggregators to find (issue: "discoverable").
        <Link rel="alternate" type_="application/atom+xml" href="/feed.atom" title="Atom" />
        <Link rel="alternate" type_="application/rss+xml" href="/feed.rss" title="RSS" />
        <Link rel="alternate" type_="text/calendar" href="/maintenance.ics" title="iCalendar" />
        <Meta name="theme-color" content="#1f2937" />
        // Applied to every page's <Title text=…>: leptos_meta writes the title into the
        // server's HTML unescaped ("SK C&C …", or a staff-written "</title>").
        <Title formatter=format::rcdata />
        // Every page is rendered whole before it is sent (SsrMode::Async): with
        // JavaScript off, streamed fragments would never be put in place.
        <Router>
            <Layout>
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=HomePage ssr=SsrMode::Async />
                    <Route path=path!("/services/:slug") view=ServicePage ssr=SsrMode::Async />
                    <Route path=path!("/incidents/:id") view=IncidentPage ssr=SsrMode::Async />
                    <Route path=path!("/incidents/:id/record") view=RecordPage ssr=SsrMode::Async />
                    <Route path=path!("/history") view=HistoryPage ssr=SsrMode::Async />
                    <Route path=path!("/availability") view=AvailabilityPage ssr=SsrMode::Async />
                    <Route path=path!("/report/:slug") view=ReportServicePage ssr=SsrMode::Async />
                    <Route path=path!("/report/:slug/thanks") view=ReportThanksPage ssr=SsrMode::Async />
                    <Route path=path!("/admin") view=ConsoleDashboard ssr=SsrMode::Async />
                    <Route path=path!("/admin/signin") view=ConsoleSignIn ssr=SsrMode::Async />
                    <Route path=path!("/admin/incidents/new") view=ConsoleNewIncident ssr=SsrMode::Async />
                    <Route path=path!("/admin/incidents/:id") view=ConsoleIncident ssr=SsrMode::Async />
                    <Route path=path!("/admin/maintenance/new") view=ConsoleNewMaintenance ssr=SsrMode::Async />
                    <Route path=path!("/admin/users") view=ConsoleUsers ssr=SsrMode::Async />
                    <Route path=path!("/admin/ledger") view=ConsoleLedger ssr=SsrMode::Async />
                    <Route path=path!("/admin/webhooks") view=ConsoleWebhooks ssr=SsrMode::Async />
                    <Route path=path!("/admin/agents") view=ConsoleAgents ssr=SsrMode::Async />
                    <Route path=path!("/subscribe") view=SubscribePage ssr=SsrMode::Async />
                    <Route path=path!("/subscribe/confirm") view=ConfirmSubscriptionPage ssr=SsrMode::Async />
                    <Route path=path!("/unsubscribe") view=UnsubscribePage ssr=SsrMode::Async />
                </Routes>
            </Layout>
        </Router>
    }
}

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
