//! The client's address, for per-address limits (reports, subscriptions):
//! the peer, or what a trusted proxy says the peer was.

use axum::http::HeaderMap;
use std::net::IpAddr;

/// The client's address: the peer, or what a trusted proxy says the peer was.
pub fn client_address(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    let peer = peer.unwrap_or(IpAddr::from([127, 0, 0, 1]));
    if !trusted.contains(&peer) {
        return peer;
    }
    headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use proptest::prelude::*;

    fn address() -> impl Strategy<Value = IpAddr> {
        prop_oneof![
            any::<[u8; 4]>().prop_map(IpAddr::from),
            any::<[u16; 8]>().prop_map(IpAddr::from),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 256,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// Any X-Forwarded-For: an untrusted peer is itself; a trusted one is the last
        /// address in the header when it is one, else itself.
        #[test]
        fn any_forwarded_for_gives_an_address(
            peer in prop::option::of(address()),
            trusted in any::<bool>(),
            forwarded in prop_oneof![
                any::<String>(),
                "([0-9]{1,3}(\\.[0-9]{1,3}){3}|::1|[0-9a-f:]{2,20}|unknown|)( ?, ?([0-9]{1,3}(\\.[0-9]{1,3}){3}|[0-9a-f:]{2,20}| x)){0,4}",
            ],
        ) {
            let mut headers = HeaderMap::new();
            if let Ok(value) = HeaderValue::from_str(&forwarded) {
                headers.insert("x-forwarded-for", value);
            }
            let seen = peer.unwrap_or(IpAddr::from([127, 0, 0, 1]));
            let proxies = if trusted { vec![seen] } else { vec![] };
            let address = client_address(peer, &headers, &proxies);
            let last = headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .and_then(|v| v.trim().parse::<IpAddr>().ok());
            let expected = if trusted { last.unwrap_or(seen) } else { seen };
            prop_assert_eq!(address, expected);
        }

        /// Behind a trusted proxy, the address it appended last is the client's,
        /// whatever the client wrote before it.
        #[test]
        fn the_proxys_own_entry_wins(proxy in address(), client in address(), spoofed in "[ -+\\--~]{0,40}") {
            let mut headers = HeaderMap::new();
            headers.insert("x-forwarded-for", HeaderValue::from_str(&format!("{spoofed}, {client}")).unwrap());
            prop_assert_eq!(client_address(Some(proxy), &headers, &[proxy]), client);
            prop_assert_eq!(client_address(Some(proxy), &headers, &[]), proxy);
        }
    }
}
