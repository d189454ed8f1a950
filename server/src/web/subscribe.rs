//! Email subscriptions, double opt-in: `POST /subscribe` records the request and queues a
//! confirmation email (the same answer whether the address is new or not, so it tells no
//! one who subscribes); `POST /subscribe/confirm` applies it; `POST /unsubscribe` deletes
//! the subscriber — from the page's button, or from a mail client's one-click
//! unsubscribe (RFC 8058: a POST with `List-Unsubscribe=One-Click`).

use crate::delivery::{Outbox, CONFIRM_WITHIN};
use crate::store::{NewSubscription, SubscribeOutcome};
use crate::web::kit::client::client_address;
use crate::web::kit::form::FormData;
use crate::web::kit::reply::see_other;
use crate::web::kit::secret::random_hex;
use crate::web::kit::throttle::Throttle;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, Response, StatusCode};
use axum::routing::post;
use axum::{Extension, Form, Router};
use chrono::{TimeDelta, Utc};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// At most one confirmation email per address in this time (no mail bombing).
const RESEND_AFTER: TimeDelta = TimeDelta::minutes(10);

/// The one-click field as a multipart body carries it.
const MULTIPART_ONE_CLICK: &[u8] = b"List-Unsubscribe\"\r\n\r\nOne-Click";

pub struct Subscriptions {
    outbox: Option<Arc<Outbox>>,
    trusted_proxies: Vec<IpAddr>,
    /// Sign-ups per address: 10 an hour.
    throttle: Throttle,
}

impl Subscriptions {
    pub fn new(outbox: Option<Arc<Outbox>>, trusted_proxies: Vec<IpAddr>) -> Self {
        Subscriptions {
            outbox,
            trusted_proxies,
            throttle: Throttle::new(10, Duration::from_secs(3600)),
        }
    }

    fn outbox(&self) -> Option<&Arc<Outbox>> {
        self.outbox.as_ref().filter(|o| o.email_enabled())
    }
}

/// Whether a confirmation token or subscriber id can be one this site gave out (random
/// hex): anything else is answered as unknown without asking the database (which may
/// refuse what it cannot store, a NUL above all).
fn is_token(text: &str, max: usize) -> bool {
    !text.is_empty() && text.len() <= max && text.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// A deliverable address, lower-cased (one subscriber per mailbox), or None.
pub fn normalise_email(raw: &str) -> Option<String> {
    let email = raw.trim().to_lowercase();
    if email.len() > 254 || !email.contains('@') || email.chars().any(char::is_control) {
        return None;
    }
    let address: lettre::Address = email.parse().ok()?;
    // A domain without a dot cannot be reached from the internet.
    address.domain().contains('.').then_some(email)
}

pub async fn subscribe(
    State(subs): State<Arc<Subscriptions>>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response<Body> {
    let form = FormData(pairs);
    let chosen = form.chosen_lang();
    let lang = form.lang(&headers);
    let Some(outbox) = subs.outbox() else {
        return see_other("/subscribe?error=unavailable", chosen);
    };
    let address = client_address(
        peer.map(|Extension(ConnectInfo(a))| a.ip()),
        &headers,
        &subs.trusted_proxies,
    )
    .to_string();
    if subs.throttle.wait(&address).is_some() {
        return see_other("/subscribe?error=throttled", chosen);
    }
    subs.throttle.fail(&address);
    let Some(email) = normalise_email(&form.text("email")) else {
        return see_other("/subscribe?error=email", chosen);
    };
    let mut services = form.all("services");
    services.sort();
    services.dedup();
    if services
        .iter()
        .any(|s| outbox.events().catalog.service(s).is_none())
    {
        return see_other("/subscribe?error=services", chosen);
    }
    let now = Utc::now();
    let request = NewSubscription {
        email,
        lang: lang.code().to_string(),
        services,
        id: random_hex(16),
        confirm_token: random_hex(32),
        at: now,
    };
    match outbox.store().subscribe(&request, now - RESEND_AFTER).await {
        Ok(SubscribeOutcome::ConfirmationQueued) => outbox.wake(),
        // The same answer: the first email is on its way.
        Ok(SubscribeOutcome::RecentlySent) => {}
        Err(error) => {
            tracing::error!(%error, "recording a subscription");
            return see_other("/subscribe?error=unavailable", chosen);
        }
    }
    see_other("/subscribe?done=sent", chosen)
}

pub async fn confirm(
    State(subs): State<Arc<Subscriptions>>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response<Body> {
    let form = FormData(pairs);
    let chosen = form.chosen_lang();
    let Some(outbox) = subs.outbox() else {
        return see_other("/subscribe?error=unavailable", chosen);
    };
    let token = form.text("token");
    if !is_token(&token, 128) {
        return see_other("/subscribe?error=expired", chosen);
    }
    let now = Utc::now();
    match outbox
        .store()
        .confirm_subscription(&token, now - CONFIRM_WITHIN, now)
        .await
    {
        Ok(Some(_)) => see_other("/subscribe?done=confirmed", chosen),
        Ok(None) => see_other("/subscribe?error=expired", chosen),
        Err(error) => {
            tracing::error!(%error, "confirming a subscription");
            see_other("/subscribe?error=unavailable", chosen)
        }
    }
}

/// From the page (`id` in the form) or a mail client (`?id=` in the address and
/// `List-Unsubscribe=One-Click` in the body). Unknown ids get the same answer: the
/// address is not subscribed either way.
pub async fn unsubscribe(
    State(subs): State<Arc<Subscriptions>>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response<Body> {
    // Mail clients send the one-click body form-encoded or as multipart: read it either way.
    let form = FormData(url::form_urlencoded::parse(&body).into_owned().collect());
    let chosen = form.chosen_lang();
    let one_click = form.text("List-Unsubscribe") == "One-Click"
        || body
            .windows(MULTIPART_ONE_CLICK.len())
            .any(|w| w == MULTIPART_ONE_CLICK);
    let id = form
        .optional("id")
        .or_else(|| query.get("id").cloned())
        .unwrap_or_default();
    let Some(outbox) = subs.outbox.as_ref() else {
        return if one_click {
            plain(StatusCode::SERVICE_UNAVAILABLE, "try again later")
        } else {
            see_other("/subscribe?error=unavailable", chosen)
        };
    };
    if is_token(&id, 64) {
        if let Err(error) = outbox.store().unsubscribe(&id).await {
            tracing::error!(%error, "unsubscribing");
            return if one_click {
                plain(StatusCode::SERVICE_UNAVAILABLE, "try again later")
            } else {
                see_other("/subscribe?error=unavailable", chosen)
            };
        }
    }
    if one_click {
        plain(StatusCode::OK, "unsubscribed")
    } else {
        see_other("/subscribe?done=unsubscribed", chosen)
    }
}

fn plain(status: StatusCode, text: &'static str) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from(text))
        .expect("valid response")
}

pub fn router(subs: Arc<Subscriptions>) -> Router {
    Router::new()
        .route("/subscribe", post(subscribe))
        .route("/subscribe/confirm", post(confirm))
        .route("/unsubscribe", post(unsubscribe))
        .with_state(subs)
}

#[cfg(test)]
mod tests {
    use super::{is_token, normalise_email};
    use proptest::prelude::*;

    #[test]
    fn only_tokens_of_our_shape_reach_the_database() {
        // Before: `id=a%00b` went to PostgreSQL, which cannot store a
        // NUL; its error became "try again later" (503) for a mail client's one-click.
        assert!(is_token("0123abcdef", 64));
        for bad in ["", "a\0b", "a b", "가", &"a".repeat(65)] {
            assert!(!is_token(bad, 64), "{bad:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 256,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// Any text: an address that is lower-case, at most 254 bytes, with an `@`, a
        /// dotted domain and no control character — and is its own normal form — or None.
        #[test]
        fn any_text_is_a_normal_address_or_none(raw in prop_oneof![
            any::<String>(),
            "[ A-Za-z0-9._%+가\\-\\x00]{0,20}@[A-Za-z0-9.가\\-\\x00]{0,20}",
            ("[a-z]{1,10}", 0usize..300).prop_map(|(s, n)| format!("{}@example.com", s.repeat(n))),
        ]) {
            if let Some(email) = normalise_email(&raw) {
                prop_assert!(email.len() <= 254 && email.contains('@'));
                prop_assert_eq!(email.to_lowercase(), email.clone());
                prop_assert!(!email.chars().any(char::is_control));
                prop_assert!(email.rsplit_once('@').unwrap().1.contains('.'));
                prop_assert_eq!(normalise_email(&email), Some(email.clone()));
                prop_assert_eq!(normalise_email(&format!("  {}  ", raw.to_uppercase())).is_some(), normalise_email(&raw.to_uppercase()).is_some());
            }
        }

        /// Ordinary addresses are accepted, lower-cased.
        #[test]
        fn ordinary_addresses_are_accepted(local in "[A-Za-z0-9][A-Za-z0-9._+-]{0,20}[A-Za-z0-9]", domain in "[a-z0-9]{1,12}(\\.[a-z0-9]{1,12}){0,2}\\.[a-z]{2,6}") {
            prop_assume!(!local.contains(".."));
            let address = format!("{local}@{domain}");
            prop_assert_eq!(normalise_email(&address), Some(address.to_lowercase()));
        }

    }

    #[test]
    fn addresses_are_checked_and_lower_cased() {
        assert_eq!(
            normalise_email(" Min.Ji@Example.COM ").as_deref(),
            Some("min.ji@example.com")
        );
        for bad in ["", "no-at-sign", "a@b", "a b@example.com", "@example.com"] {
            assert_eq!(normalise_email(bad), None, "{bad}");
        }
    }
}
