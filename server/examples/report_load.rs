//! Load generator for the crowd-report intake (scripts/bench-reports.sh): CONNECTIONS
//! keep-alive connections each post reports, one at a time, from a new simulated client
//! (its own address in `X-Forwarded-For`) for DURATION seconds. Unlike wrk it lets every
//! request in flight finish before it stops, so "acknowledged" is exact; a connection
//! that breaks (the server was killed) stops counting there.
//!
//!   cargo run --release --example report_load -- 127.0.0.1:3311 256 30
//!
//! Prints `acked N repeats N busy N limited N other N broken N p50_ms X p99_ms Y rps Z`.

use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[derive(Default)]
struct Tally {
    acked: u64,
    repeats: u64,
    busy: u64,
    limited: u64,
    other: u64,
    broken: u64,
    latencies_us: Vec<u32>,
}

const PROBLEMS: [&str; 6] = ["send", "receive", "media", "login", "openchat", "app-start"];

async fn connection(address: String, id: u32, until: Instant) -> Tally {
    let mut tally = Tally::default();
    let Ok(mut stream) = TcpStream::connect(&address).await else {
        tally.broken += 1;
        return tally;
    };
    stream.set_nodelay(true).ok();
    let mut buffer = vec![0u8; 4096];
    let mut n: u32 = 0;
    while Instant::now() < until {
        n += 1;
        let body = format!(
            "service=kakaotalk&problem={}&region=seoul",
            PROBLEMS[n as usize % PROBLEMS.len()]
        );
        let request = format!(
            "POST /api/v1/reports HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
             X-Forwarded-For: fd00::{id:x}:{:x}:{:x}\r\nUser-Agent: bench\r\nContent-Length: {}\r\n\r\n{body}",
            n >> 16,
            n & 0xffff,
            body.len()
        );
        let started = Instant::now();
        if stream.write_all(request.as_bytes()).await.is_err() {
            tally.broken += 1;
            break;
        }
        // Read one response: headers, then Content-Length bytes of body.
        let mut read = 0;
        let status = loop {
            match stream.read(&mut buffer[read..]).await {
                Ok(0) | Err(_) => break None,
                Ok(k) => read += k,
            }
            let text = &buffer[..read];
            let Some(end) = text.windows(4).position(|w| w == b"\r\n\r\n") else {
                continue;
            };
            let head = String::from_utf8_lossy(&text[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if read >= end + 4 + length {
                break head.split(' ').nth(1).and_then(|s| s.parse::<u16>().ok());
            }
        };
        match status {
            None => {
                tally.broken += 1;
                break;
            }
            Some(201) => tally.acked += 1,
            Some(200) => tally.repeats += 1,
            Some(503) => tally.busy += 1,
            Some(429) => tally.limited += 1,
            Some(_) => tally.other += 1,
        }
        tally
            .latencies_us
            .push(started.elapsed().as_micros().min(u32::MAX as u128) as u32);
    }
    tally
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let address = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "127.0.0.1:3311".into());
    let connections: u32 = args.get(2).and_then(|v| v.parse().ok()).unwrap_or(256);
    let seconds: u64 = args.get(3).and_then(|v| v.parse().ok()).unwrap_or(30);
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..connections)
        .map(|id| tokio::spawn(connection(address.clone(), id, until)))
        .collect();
    let mut total = Tally::default();
    for task in tasks {
        let t = task.await.expect("connection task");
        total.acked += t.acked;
        total.repeats += t.repeats;
        total.busy += t.busy;
        total.limited += t.limited;
        total.other += t.other;
        total.broken += t.broken;
        total.latencies_us.extend(t.latencies_us);
    }
    let elapsed = started.elapsed().as_secs_f64();
    total.latencies_us.sort_unstable();
    let percentile = |p: f64| {
        let v = &total.latencies_us;
        if v.is_empty() {
            0.0
        } else {
            v[((v.len() - 1) as f64 * p) as usize] as f64 / 1000.0
        }
    };
    println!(
        "acked {} repeats {} busy {} limited {} other {} broken {} p50_ms {:.2} p99_ms {:.2} rps {:.0}",
        total.acked, total.repeats, total.busy, total.limited, total.other, total.broken,
        percentile(0.50), percentile(0.99), total.acked as f64 / elapsed
    );
}
