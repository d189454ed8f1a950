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
