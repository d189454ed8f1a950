//! Running one check once: an HTTP request, a TCP connection or a DNS lookup, bounded
//! by the check's timeout, judged Up, Slow or Down with a few words saying why.
//!
//! The agent's HTTP client follows up to 5 redirects: a check names the address people
//! type (`https://example.com` answering 301 to `https://www.example.com/`) and asks
//! whether what they land on works, as a browser would; a loop or a longer chain is Down
//! ("too many redirects"). A check cannot therefore expect a 3xx status itself. The
//! client keeps no idle connections, so every run pays — and so checks — the DNS lookup,
//! the TCP connection and the TLS handshake, and it ignores proxy settings: the probe
//! measures the direct path to the target.

use crate::domain::checks::{Check, Outcome, Probe};
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// At most this much of a body is read (and searched, and parsed as JSON).
pub const MAX_BODY: usize = 1 << 20;
/// Redirects followed before the run is Down.
pub const MAX_REDIRECTS: usize = 5;
/// Details are cut to this many characters.
const MAX_DETAIL: usize = 200;

/// What one run found.
#[derive(Clone, Debug, PartialEq)]
pub struct Probed {
    pub outcome: Outcome,
    /// From the start of the run to its answer (the timeout when there was none).
    pub latency: Duration,
    /// Why it failed or was slow, in a few words; empty when up.
    pub detail: String,
}

/// The agent's HTTP client: rustls, up to 5 redirects, no cookies, no proxy, no pooled
/// connections, the peer certificate kept for `tls_days_left`.
pub fn client() -> reqwest::Client {
    builder().build().expect("the probe's HTTP client builds")
}

fn builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .use_rustls_tls()
        .tls_info(true)
        .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
        .pool_max_idle_per_host(0)
        .no_proxy()
        .user_agent(concat!("kakao-status-probe/", env!("CARGO_PKG_VERSION")))
}

/// How an agent reaches its targets: its HTTP client and the local address its
/// connections leave from (`server probe --source-address`: on a host with several
/// uplinks, the one to check through).
#[derive(Clone)]
pub struct Prober {
    client: reqwest::Client,
    source: Option<IpAddr>,
}

impl Prober {
    pub fn new(source: Option<IpAddr>) -> Self {
        Prober {
            client: builder()
                .local_address(source)
                .build()
                .expect("the probe's HTTP client builds"),
            source,
        }
    }

    pub async fn run(&self, check: &Check) -> Probed {
        run_from(&self.client, self.source, check).await
    }
}

/// Runs `check` once. Heartbeat checks are the site's to evaluate: the agent never runs
/// them, and this answers Down if asked to.
pub async fn run(client: &reqwest::Client, check: &Check) -> Probed {
    run_from(client, None, check).await
}

async fn run_from(client: &reqwest::Client, source: Option<IpAddr>, check: &Check) -> Probed {
    if let Probe::Heartbeat { .. } = check.probe {
        return Probed {
            outcome: Outcome::Down,
            latency: Duration::ZERO,
            detail: "heartbeat checks are evaluated by the site".into(),
        };
    }
    let started = Instant::now();
    let attempt = tokio::time::timeout(check.timeout, attempt(client, source, &check.probe)).await;
    let latency = started.elapsed();
    let (outcome, detail) = match attempt {
        Err(_) => (
            Outcome::Down,
            format!("timed out after {}", spoken(check.timeout)),
        ),
        Ok(Err(reason)) => (Outcome::Down, reason),
        Ok(Ok(())) => match check.max_latency {
            Some(max) if latency > max => (
                Outcome::Slow,
                format!("slow: {} ms > {} ms", latency.as_millis(), max.as_millis()),
            ),
            _ => (Outcome::Up, String::new()),
        },
    };
    Probed {
        outcome,
        latency,
        detail: cut(&detail, MAX_DETAIL),
    }
}

/// "10 s", "200 ms".
fn spoken(duration: Duration) -> String {
    if duration >= Duration::from_secs(1) && duration.subsec_millis() == 0 {
        format!("{} s", duration.as_secs())
    } else {
        format!("{} ms", duration.as_millis())
    }
}

fn cut(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

async fn attempt(
    client: &reqwest::Client,
    source: Option<IpAddr>,
    probe: &Probe,
) -> Result<(), String> {
    match probe {
        Probe::Http {
            url,
            method,
            expect_status,
            body_contains,
            json_pointer,
            json_equals,
            tls_days_left,
        } => {
            http(
                client,
                url,
                method,
                expect_status,
                body_contains.as_deref(),
                json_pointer.as_deref(),
                json_equals.as_deref(),
                *tls_days_left,
            )
            .await
        }
        Probe::Tcp { address } => tcp(address, source)
            .await
            .map_err(|e| io_reason(&e).unwrap_or_else(|| e.to_string())),
        Probe::Dns { name, expect } => dns(name, expect).await,
        Probe::Heartbeat { .. } => Err("heartbeat checks are evaluated by the site".into()),
    }
}

/// A TCP connection to `address`, from `source` when given.
async fn tcp(address: &str, source: Option<IpAddr>) -> std::io::Result<()> {
    let Some(source) = source else {
        return tokio::net::TcpStream::connect(address).await.map(drop);
    };
    let mut last = std::io::Error::new(
        std::io::ErrorKind::AddrNotAvailable,
        format!("no address of the family of {source}"),
    );
    for target in tokio::net::lookup_host(address).await? {
        if target.is_ipv4() != source.is_ipv4() {
            continue;
        }
        let socket = if target.is_ipv4() {
            tokio::net::TcpSocket::new_v4()?
        } else {
            tokio::net::TcpSocket::new_v6()?
        };
        socket.bind(std::net::SocketAddr::new(source, 0))?;
        match socket.connect(target).await {
            Ok(_) => return Ok(()),
            Err(error) => last = error,
        }
    }
    Err(last)
}

#[allow(clippy::too_many_arguments)]
async fn http(
    client: &reqwest::Client,
    url: &str,
    method: &str,
    expect_status: &[u16],
    body_contains: Option<&str>,
    json_pointer: Option<&str>,
    json_equals: Option<&str>,
    tls_days_left: Option<u32>,
) -> Result<(), String> {
    let method = reqwest::Method::from_bytes(method.to_ascii_uppercase().as_bytes())
        .map_err(|_| format!("unknown method {method}"))?;
    let mut response = client
        .request(method, url)
        .send()
        .await
        .map_err(|e| describe(&e))?;

    let status = response.status().as_u16();
    let expected = if expect_status.is_empty() {
        (200..300).contains(&status)
    } else {
        expect_status.contains(&status)
    };
    if !expected {
        return Err(format!("status {status}"));
    }

    if let Some(min_days) = tls_days_left {
        if url
            .get(..8)
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
        {
            let der = response
                .extensions()
                .get::<reqwest::tls::TlsInfo>()
                .and_then(|info| info.peer_certificate())
                .ok_or("tls: no peer certificate")?;
            let days = days_left(der, chrono::Utc::now().timestamp())?;
            if days < 0 {
                return Err("tls: certificate expired".into());
            }
            if days < i64::from(min_days) {
                return Err(format!("certificate expires in {days} days (< {min_days})"));
            }
        }
    }

    // The whole body (up to 1 MiB) is read even when nothing is looked for in it: a
    // page that stalls or breaks off halfway is not up.
    let mut body = Vec::new();
    let mut truncated = false;
    while let Some(chunk) = response.chunk().await.map_err(|e| describe(&e))? {
        let room = MAX_BODY - body.len();
        if chunk.len() >= room {
            body.extend_from_slice(&chunk[..room]);
            truncated = true;
            break;
        }
        body.extend_from_slice(&chunk);
    }

    if let Some(needle) = body_contains {
        let found = needle.is_empty()
            || body
                .windows(needle.len())
                .any(|window| window == needle.as_bytes());
        if !found {
            return Err(format!("body lacks \"{}\"", cut(needle, 60)));
        }
    }

    if let Some(pointer) = json_pointer {
        let value: serde_json::Value = serde_json::from_slice(&body).map_err(|_| {
            if truncated {
                "body is over 1 MiB, not read as JSON".to_string()
            } else {
                "body is not JSON".to_string()
            }
        })?;
        let Some(found) = value.pointer(pointer) else {
            return Err(format!("{pointer} is missing"));
        };
        if let Some(expected) = json_equals {
            // Strings are compared as they are, numbers, booleans and null by their JSON text.
            let actual = match found {
                serde_json::Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            if actual != expected {
                return Err(format!(
                    "{pointer} is {}, expected \"{expected}\"",
                    cut(&found.to_string(), 60)
                ));
            }
        }
    }
    Ok(())
}

/// Whole days from `now` (Unix seconds) to the certificate's notAfter; negative once expired.
fn days_left(der: &[u8], now: i64) -> Result<i64, String> {
    let (_, certificate) = x509_parser::parse_x509_certificate(der)
        .map_err(|_| "tls: unreadable certificate".to_string())?;
    let not_after = certificate.validity().not_after.timestamp();
    Ok((not_after - now).div_euclid(86_400))
}

async fn dns(name: &str, expect: &[String]) -> Result<(), String> {
    let answers: Vec<IpAddr> = tokio::net::lookup_host((name, 0))
        .await
        .map_err(|e| format!("dns: {e}"))?
        .map(|address| address.ip())
        .collect();
    if answers.is_empty() {
        return Err("dns: no answers".into());
    }
    for wanted in expect {
        let present = wanted
            .parse::<IpAddr>()
            .is_ok_and(|ip| answers.contains(&ip));
        if !present {
            return Err(format!("answers lack {wanted}"));
        }
    }
    Ok(())
}

/// The few words an I/O error comes down to, for the errors that have them.
fn io_reason(error: &std::io::Error) -> Option<String> {
    use std::io::ErrorKind;
    // reqwest wraps the connector's I/O error in another one, whose `source` skips it.
    if let Some(inner) = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<std::io::Error>())
    {
        if let Some(reason) = io_reason(inner) {
            return Some(reason);
        }
    }
    match error.kind() {
        ErrorKind::ConnectionRefused => Some("connection refused".into()),
        ErrorKind::ConnectionReset => Some("connection reset".into()),
        ErrorKind::ConnectionAborted | ErrorKind::UnexpectedEof | ErrorKind::BrokenPipe => {
            Some("connection closed".into())
        }
        ErrorKind::TimedOut => Some("timed out".into()),
        // rustls reports a failed handshake as invalid data, with its own error inside.
        ErrorKind::InvalidData => Some(format!(
            "tls: {}",
            error
                .get_ref()
                .map_or_else(|| error.to_string(), |e| e.to_string())
        )),
        _ => None,
    }
}

/// A failed request in a few words: "connection refused", "connection closed",
/// "dns: …", "tls: …", "too many redirects".
fn describe(error: &reqwest::Error) -> String {
    if error.is_redirect() {
        return "too many redirects".into();
    }
    if error.is_timeout() {
        return "timed out".into();
    }
    let mut texts = Vec::new();
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            if let Some(reason) = io_reason(io) {
                return reason;
            }
        }
        if let Some(hyper) = cause.downcast_ref::<hyper::Error>() {
            if hyper.is_incomplete_message() || hyper.is_closed() || hyper.is_canceled() {
                return "connection closed".into();
            }
        }
        texts.push(cause.to_string());
        source = cause.source();
    }
    let innermost = texts.last().cloned().unwrap_or_default();
    if texts.iter().any(|text| text.contains("dns error")) {
        return format!("dns: {innermost}");
    }
    if error.is_connect() {
        return format!("connect: {innermost}");
    }
    innermost
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::SocketAddr;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    /// What the test server does with each connection.
    #[derive(Clone)]
    enum Behaviour {
        /// Waits, then answers with this status and body.
        Answer {
            delay: Duration,
            status: u16,
            body: &'static str,
        },
        /// Reads the request and closes the connection without a word.
        Close,
        /// Reads the request and never answers.
        Silent,
    }

    fn answer(status: u16, body: &'static str) -> Behaviour {
        Behaviour::Answer {
            delay: Duration::ZERO,
            status,
            body,
        }
    }

    async fn read_request<S: tokio::io::AsyncRead + Unpin>(stream: &mut S) {
        let mut request = Vec::new();
        let mut buffer = [0u8; 4096];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 65_536 {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(n) => request.extend_from_slice(&buffer[..n]),
            }
        }
    }

    async fn respond<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
        mut stream: S,
        behaviour: Behaviour,
    ) {
        read_request(&mut stream).await;
        match behaviour {
            Behaviour::Answer {
                delay,
                status,
                body,
            } => {
                tokio::time::sleep(delay).await;
                let response = format!(
                    "HTTP/1.1 {status} Whatever\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(response.as_bytes()).await;
                let _ = stream.shutdown().await;
            }
            Behaviour::Close => drop(stream),
            Behaviour::Silent => {
                tokio::time::sleep(Duration::from_secs(30)).await;
                drop(stream);
            }
        }
    }

    /// A plain HTTP server on 127.0.0.1, written by hand.
    async fn server(behaviour: Behaviour) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(respond(stream, behaviour.clone()));
            }
        });
        address
    }

    fn check(probe: Probe) -> Check {
        Check {
            id: "test".into(),
            component: None,
            name_ko: "시험".into(),
            name_en: "test".into(),
            probe,
            interval: Duration::from_secs(30),
            timeout: Duration::from_secs(5),
            failure_threshold: 1,
            success_threshold: 1,
            max_latency: None,
        }
    }

    fn get(url: String) -> Probe {
        Probe::Http {
            url,
            method: "GET".into(),
            expect_status: vec![],
            body_contains: None,
            json_pointer: None,
            json_equals: None,
            tls_days_left: None,
        }
    }

    fn with(probe: Probe, edit: impl FnOnce(&mut Probe)) -> Probe {
        let mut probe = probe;
        edit(&mut probe);
        probe
    }

    #[tokio::test]
    async fn an_answer_200_with_a_body_is_up() {
        let address = server(answer(200, "all good")).await;
        let probed = run(&client(), &check(get(format!("http://{address}/")))).await;
        assert_eq!(probed.outcome, Outcome::Up, "{probed:?}");
        assert_eq!(probed.detail, "");
        assert!(probed.latency < Duration::from_secs(5));
    }

    #[tokio::test]
    async fn an_unexpected_status_is_down_with_the_status() {
        let address = server(answer(500, "oops")).await;
        let url = format!("http://{address}/");
        let probed = run(&client(), &check(get(url.clone()))).await;
        assert_eq!(probed.outcome, Outcome::Down);
        assert_eq!(probed.detail, "status 500");

        // A status the check lists is a success, even outside 2xx.
        let listed = with(get(url), |p| {
            if let Probe::Http { expect_status, .. } = p {
                *expect_status = vec![500, 503];
            }
        });
        assert_eq!(run(&client(), &check(listed)).await.outcome, Outcome::Up);
    }

    #[tokio::test]
    async fn a_success_slower_than_max_latency_is_slow() {
        let address = server(Behaviour::Answer {
            delay: Duration::from_millis(300),
            status: 200,
            body: "late",
        })
        .await;
        let mut slow = check(get(format!("http://{address}/")));
        slow.max_latency = Some(Duration::from_millis(100));
        let probed = run(&client(), &slow).await;
        assert_eq!(probed.outcome, Outcome::Slow, "{probed:?}");
        assert!(probed.detail.starts_with("slow: "), "{}", probed.detail);
        assert!(probed.detail.ends_with(" ms > 100 ms"), "{}", probed.detail);
        assert!(probed.latency >= Duration::from_millis(300));
    }

    #[tokio::test]
    async fn a_connection_closed_without_an_answer_is_down() {
        let address = server(Behaviour::Close).await;
        let probed = run(&client(), &check(get(format!("http://{address}/")))).await;
        assert_eq!(probed.outcome, Outcome::Down);
        assert_eq!(probed.detail, "connection closed");
    }

    #[tokio::test]
    async fn a_refused_connection_is_down() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        drop(listener);
        let probed = run(&client(), &check(get(format!("http://{address}/")))).await;
        assert_eq!(probed.outcome, Outcome::Down);
        assert_eq!(probed.detail, "connection refused");
    }

    #[tokio::test]
    async fn no_answer_within_the_timeout_is_down() {
        let address = server(Behaviour::Silent).await;
        let mut silent = check(get(format!("http://{address}/")));
        silent.timeout = Duration::from_millis(200);
        let started = Instant::now();
        let probed = run(&client(), &silent).await;
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(probed.outcome, Outcome::Down);
        assert_eq!(probed.detail, "timed out after 200 ms");
        assert_eq!(spoken(Duration::from_secs(10)), "10 s");
    }

    #[tokio::test]
    async fn a_body_lacking_the_text_is_down() {
        let address = server(answer(200, "<html>maintenance</html>")).await;
        let url = format!("http://{address}/");
        let needle = |text: &str| {
            let text = text.to_string();
            with(get(url.clone()), move |p| {
                if let Probe::Http { body_contains, .. } = p {
                    *body_contains = Some(text);
                }
            })
        };
        let probed = run(&client(), &check(needle("all systems go"))).await;
        assert_eq!(probed.outcome, Outcome::Down);
        assert_eq!(probed.detail, "body lacks \"all systems go\"");
        let probed = run(&client(), &check(needle("maintenance"))).await;
        assert_eq!(probed.outcome, Outcome::Up);
    }

    #[tokio::test]
    async fn a_json_pointer_must_equal_the_expected_text() {
        let address = server(answer(
            200,
            r#"{"status":{"indicator":"none"},"count":3,"ok":true}"#,
        ))
        .await;
        let url = format!("http://{address}/");
        let pointing = |pointer: &str, equals: &str| {
            let (pointer, equals) = (pointer.to_string(), equals.to_string());
            check(with(get(url.clone()), move |p| {
                if let Probe::Http {
                    json_pointer,
                    json_equals,
                    ..
                } = p
                {
                    *json_pointer = Some(pointer);
                    *json_equals = Some(equals);
                }
            }))
        };
        let client = client();
        for (pointer, equals) in [
            ("/status/indicator", "none"),
            ("/count", "3"),
            ("/ok", "true"),
        ] {
            let probed = run(&client, &pointing(pointer, equals)).await;
            assert_eq!(probed.outcome, Outcome::Up, "{pointer}: {probed:?}");
        }
        let probed = run(&client, &pointing("/status/indicator", "major")).await;
        assert_eq!(probed.outcome, Outcome::Down);
        assert_eq!(
            probed.detail,
            "/status/indicator is \"none\", expected \"major\""
        );
        let probed = run(&client, &pointing("/count", "4")).await;
        assert_eq!(probed.detail, "/count is 3, expected \"4\"");
        let probed = run(&client, &pointing("/nowhere", "x")).await;
        assert_eq!(probed.detail, "/nowhere is missing");

        let text = server(answer(200, "not json")).await;
        let mut not_json = pointing("/status", "ok");
        if let Probe::Http { url, .. } = &mut not_json.probe {
            *url = format!("http://{text}/");
        }
        assert_eq!(run(&client, &not_json).await.detail, "body is not JSON");
    }

    #[tokio::test]
    async fn a_listening_port_is_up_and_a_closed_one_down() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let tcp = check(Probe::Tcp {
            address: address.clone(),
        });
        let probed = run(&client(), &tcp).await;
        assert_eq!(probed.outcome, Outcome::Up, "{probed:?}");
        drop(listener);
        let probed = run(&client(), &tcp).await;
        assert_eq!(probed.outcome, Outcome::Down);
        assert_eq!(probed.detail, "connection refused");
    }

    #[tokio::test]
    async fn a_name_resolves_to_the_expected_addresses() {
        let dns = |expect: &[&str]| {
            check(Probe::Dns {
                name: "localhost".into(),
                expect: expect.iter().map(|s| s.to_string()).collect(),
            })
        };
        assert_eq!(run(&client(), &dns(&[])).await.outcome, Outcome::Up);
        assert_eq!(
            run(&client(), &dns(&["127.0.0.1"])).await.outcome,
            Outcome::Up
        );
        let probed = run(&client(), &dns(&["127.0.0.1", "10.9.9.9"])).await;
        assert_eq!(probed.outcome, Outcome::Down);
        assert_eq!(probed.detail, "answers lack 10.9.9.9");
    }

    #[tokio::test]
    async fn heartbeat_checks_are_not_run_here() {
        let probed = run(
            &client(),
            &check(Probe::Heartbeat {
                token: "t".into(),
                missing_beats: 2,
            }),
        )
        .await;
        assert_eq!(probed.outcome, Outcome::Down);
        assert_eq!(probed.detail, "heartbeat checks are evaluated by the site");
    }

    /// A self-signed certificate for localhost and 127.0.0.1, valid until 3 Nov 2100
    /// (`openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -days 27000`).
    const CERT_DER_BASE64: &str = "MIIBmzCCAUGgAwIBAgIUTDopYsVbaISW5h1q4PF9mF2oYCQwCgYIKoZIzj0EAwIwFDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTIwMTA0Mzc0NloYDzIxMDAxMTAzMDQzNzQ2WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQEJ6qxczVtbh5bbzCYaaTNzGMCQFSQLE/+/ORycNWUgKbiubUj7SXmOsJg/gOhW5kefncYjzKHiCKrwLNYUAWco28wbTAdBgNVHQ4EFgQUt9Mg2eyiSEKsyKyXYl626rLsHRIwHwYDVR0jBBgwFoAUt9Mg2eyiSEKsyKyXYl626rLsHRIwDwYDVR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZIzj0EAwIDSAAwRQIhAKIAmORgJi7oR78/H5Gfxzyeyfbkw6BEE83bckkGLEqLAiANsm7jCpWwpnCMdPfeg2d5VbmLU9HiowuWZbCSoFMwYA==";
    /// Its key (PKCS #8), used only by this test.
    const KEY_DER_BASE64: &str = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQglVfQGBVZC4R5Dco6fwjLx3szMv97PH6b58UKXEmS6EahRANCAAQEJ6qxczVtbh5bbzCYaaTNzGMCQFSQLE/+/ORycNWUgKbiubUj7SXmOsJg/gOhW5kefncYjzKHiCKrwLNYUAWc";

    fn decoded(text: &str) -> Vec<u8> {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .unwrap()
    }

    /// An HTTPS server on 127.0.0.1 presenting the certificate above.
    async fn tls_server() -> SocketAddr {
        use tokio_rustls::rustls;
        use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
        let config = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(decoded(CERT_DER_BASE64))],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(decoded(KEY_DER_BASE64))),
        )
        .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    if let Ok(stream) = acceptor.accept(stream).await {
                        respond(stream, answer(200, "secure")).await;
                    }
                });
            }
        });
        address
    }

    #[test]
    fn days_left_counts_whole_days_to_not_after() {
        let der = decoded(CERT_DER_BASE64);
        let not_after = chrono::DateTime::parse_from_rfc3339("2100-11-03T04:37:46Z")
            .unwrap()
            .timestamp();
        assert_eq!(days_left(&der, not_after - 10 * 86_400 - 1), Ok(10));
        assert_eq!(days_left(&der, not_after - 10 * 86_400 + 1), Ok(9));
        assert_eq!(days_left(&der, not_after + 1), Ok(-1));
        assert_eq!(
            days_left(b"not a certificate", 0),
            Err("tls: unreadable certificate".to_string())
        );
    }

    #[tokio::test]
    async fn a_certificate_expiring_sooner_than_tls_days_left_is_down() {
        let address = tls_server().await;
        // The test certificate is self-signed: this client takes it, and still reads it.
        let trusting = builder().danger_accept_invalid_certs(true).build().unwrap();
        let expiring = |days: u32| {
            check(with(get(format!("https://{address}/")), |p| {
                if let Probe::Http { tls_days_left, .. } = p {
                    *tls_days_left = Some(days);
                }
            }))
        };
        let probed = run(&trusting, &expiring(30)).await;
        assert_eq!(probed.outcome, Outcome::Up, "{probed:?}");
        let probed = run(&trusting, &expiring(40_000)).await;
        assert_eq!(probed.outcome, Outcome::Down);
        assert!(
            probed.detail.starts_with("certificate expires in ")
                && probed.detail.ends_with(" days (< 40000)"),
            "{}",
            probed.detail
        );

        // The agent's own client does not trust a self-signed certificate.
        let probed = run(&client(), &expiring(30)).await;
        assert_eq!(probed.outcome, Outcome::Down);
        assert!(probed.detail.starts_with("tls: "), "{}", probed.detail);
    }
}
