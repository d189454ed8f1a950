//! Webhook endpoints: which addresses may be called (no SSRF), how a body is signed, and
//! one delivery attempt.
//!
//! Signature: `X-Status-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
//! The receiver recomputes it over the raw body and refuses timestamps older than 5 minutes.

use crate::domain::problem::Problem;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// How long a receiver has to answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);

pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

fn v4_is_public(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

/// Whether an address is on the public internet (not loopback, private, link-local —
/// which includes cloud metadata at 169.254.169.254 — or otherwise special).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4_is_public(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return v4_is_public(v4);
            }
            let first = v6.segments()[0];
            !(v6.is_unspecified()
                || v6.is_loopback()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local
                || (first & 0xffc0) == 0xfe80 // link-local
                || (first == 0x2001 && v6.segments()[1] == 0x0db8) // documentation
                || (first == 0x0064 && v6.segments()[1] == 0xff9b) // NAT64 (could reach inside)
                || v6 == Ipv6Addr::UNSPECIFIED)
        }
    }
}

fn refused(ko: impl Into<String>, en: impl Into<String>) -> Problem {
    Problem::new("url", ko, en)
}

/// Checks an endpoint URL as an admin registers it: http(s), a host, no credentials,
/// and — unless private addresses are allowed — only public addresses.
pub async fn check_url(raw: &str, allow_private: bool) -> Result<url::Url, Problem> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(refused("주소를 입력하세요", "enter the endpoint URL"));
    }
    if raw.len() > 2000 {
        return Err(refused(
            "주소가 너무 깁니다 (2,000자 이하)",
            "the URL is too long (2,000 characters at most)",
        ));
    }
    let url = url::Url::parse(raw).map_err(|_| {
        refused(
            "올바른 주소가 아닙니다 (예: https://example.com/hooks/status)",
            "not a valid URL (e.g. https://example.com/hooks/status)",
        )
    })?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(refused(
            format!(
                "http:// 또는 https:// 주소만 쓸 수 있습니다 ({}:는 안 됩니다)",
                url.scheme()
            ),
            format!(
                "only http:// and https:// URLs can be used (not {}:)",
                url.scheme()
            ),
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refused(
            "주소에 사용자 이름이나 비밀번호를 넣을 수 없습니다 (요청은 서명으로 확인합니다)",
            "the URL cannot carry a user name or password (requests are verified by their signature)",
        ));
    }
    let Some(host) = url.host() else {
        return Err(refused("주소에 호스트가 없습니다", "the URL has no host"));
    };
    if allow_private {
        return Ok(url);
    }
    let addresses: Vec<IpAddr> = match host {
        url::Host::Ipv4(ip) => vec![IpAddr::V4(ip)],
        url::Host::Ipv6(ip) => vec![IpAddr::V6(ip)],
        url::Host::Domain(name) => {
            let port = url.port_or_known_default().unwrap_or(443);
            match tokio::time::timeout(
                Duration::from_secs(5),
                tokio::net::lookup_host((name, port)),
            )
            .await
            {
                Ok(Ok(found)) => found.map(|a| a.ip()).collect(),
                _ => Vec::new(),
            }
        }
    };
    if addresses.is_empty() {
        return Err(refused(
            "호스트 이름을 찾을 수 없습니다",
            "the host name does not resolve",
        ));
    }
    if let Some(private) = addresses.iter().find(|ip| !is_public(**ip)) {
        return Err(refused(
            format!("내부·사설 주소({private})로는 보낼 수 없습니다"),
            format!("webhooks cannot be sent to a private or internal address ({private})"),
        ));
    }
    Ok(url)
}

/// Resolves names to public addresses only, at connection time: a name that pointed
/// outside at registration and inside now (DNS rebinding) is still refused.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0))
                .await?
                .filter(|a| is_public(a.ip()))
                .collect();
            if found.is_empty() {
                return Err(format!("{} resolves to no public address", name.as_str()).into());
            }
            Ok(Box::new(found.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

pub fn client(allow_private: bool) -> reqwest::Client {
    let builder = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .connect_timeout(Duration::from_secs(5))
        // A redirect could lead anywhere (including inside): it counts as a failure.
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .user_agent(concat!("kakao-status-webhooks/", env!("CARGO_PKG_VERSION")));
    let builder = if allow_private {
        builder
    } else {
        builder.dns_resolver(Arc::new(PublicOnly))
    };
    builder.build().expect("the HTTP client builds")
}

/// One attempt: the HTTP status, or why there was none.
pub async fn send(
    client: &reqwest::Client,
    url: &str,
    secret: &str,
    kind: &str,
    delivery_id: i64,
    body: &str,
    allow_private: bool,
) -> Result<u16, String> {
    // Addresses written as IP literals do not go through the resolver.
    if !allow_private {
        let parsed = url::Url::parse(url).map_err(|e| e.to_string())?;
        let literal = match parsed.host() {
            Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
            _ => None,
        };
        if literal.is_some_and(|ip| !is_public(ip)) {
            return Err("refused: a private or internal address".into());
        }
    }
    let timestamp = chrono::Utc::now().timestamp();
    let response = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("X-Status-Event", kind)
        .header("X-Status-Delivery", delivery_id.to_string())
        .header("X-Status-Signature", signature(secret, timestamp, body))
        .body(body.to_string())
        .send()
        .await
        .map_err(|e| describe(&e))?;
    Ok(response.status().as_u16())
}

/// The error with its causes ("error sending request: connection refused").
fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text.chars().take(500).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_over_timestamp_dot_body() {
        // Checked against: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
        assert_eq!(
            signature("whsec_test", 1_700_000_000, r#"{"a":1}"#),
            "t=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789"
        );
    }

    #[test]
    fn inside_addresses_are_not_public() {
        for inside in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.0.10",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public(inside.parse().unwrap()), "{inside}");
        }
        for outside in ["1.1.1.1", "211.249.220.24", "2001:4860:4860::8888"] {
            assert!(is_public(outside.parse().unwrap()), "{outside}");
        }
    }

    #[tokio::test]
    async fn endpoints_inside_or_not_http_are_refused_with_the_reason() {
        for (url, reason) in [
            ("ftp://example.com/hook", "only http:// and https://"),
            (
                "http://127.0.0.1:8080/hook",
                "private or internal address (127.0.0.1)",
            ),
            ("http://169.254.169.254/latest/meta-data", "169.254.169.254"),
            ("http://[::1]/hook", "(::1)"),
            ("http://localhost:9/hook", "private or internal address"),
            ("https://user:pw@example.com/hook", "user name or password"),
            ("not a url", "not a valid URL"),
        ] {
            let problem = check_url(url, false).await.expect_err(url);
            assert!(problem.en.contains(reason), "{url}: {}", problem.en);
            assert!(!problem.ko.is_empty());
        }
        assert!(check_url("http://127.0.0.1:8080/hook", true).await.is_ok());
    }
}
