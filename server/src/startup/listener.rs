//! The listener: accepts connections up to a cap and serves each with HTTP/1.1, holding
//! every client to a deadline for its request head. `axum::serve` does neither: a client
//! that opens thousands of connections and trickles its headers a byte at a time
//! (slowloris), or never sends one, would hold each connection and its memory for ever.
//!
//! - At most `max_connections` at once: beyond, the listener stops accepting and new
//!   connections wait in the kernel's queue until one closes (the open-file limit is
//!   raised to fit the cap first).
//! - A request head must arrive within `header_timeout` of the connection starting to
//!   wait for it, and be at most 64 KB; an idle keep-alive connection is closed after the
//!   same time.
//! - Bodies have their own deadline and size limit (`web::guard::bodies`); live streams
//!   their cap per address (`web::live`).
//! - At shutdown: no new connection; those open finish their request and close.

use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

#[derive(Clone, Debug)]
pub struct ListenerLimits {
    pub max_connections: usize,
    pub header_timeout: Duration,
}

impl ListenerLimits {
    pub fn from_config(limits: &crate::startup::config::Limits) -> Self {
        ListenerLimits {
            max_connections: limits.max_connections.max(1),
            header_timeout: Duration::from_secs(limits.header_timeout_seconds.max(1)),
        }
    }
}

/// The most a request head may take (hyper's default is 400 KB).
const MAX_HEAD: usize = 64 * 1024;

/// File descriptors kept for everything but client connections (the database pool,
/// files, outgoing webhooks and mail).
const SPARE_FILES: u64 = 256;

/// Raises the open-file limit as far as the system allows, and lowers the connection
/// cap to what fits under it: past the limit `accept` fails with EMFILE instead.
fn fit_to_file_limit(wanted: usize) -> usize {
    let wanted_files = wanted as u64 + SPARE_FILES;
    let limit = match rlimit::increase_nofile_limit(wanted_files) {
        Ok(limit) => limit,
        Err(error) => {
            tracing::warn!(%error, "could not read or raise the open-file limit");
            return wanted;
        }
    };
    if limit >= wanted_files {
        return wanted;
    }
    let fitted = limit.saturating_sub(SPARE_FILES).max(16) as usize;
    tracing::warn!(
        wanted,
        fitted,
        open_file_limit = limit,
        "the connection cap is lowered to fit the open-file limit (raise it with ulimit -n)"
    );
    fitted
}

/// Serves `router` on `listener` until `shutdown` resolves, then waits for the open
/// connections to finish (the caller bounds that wait).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ListenerLimits,
    shutdown: impl Future<Output = ()>,
) {
    let max_connections = fit_to_file_limit(limits.max_connections);
    let permits = Arc::new(Semaphore::new(max_connections));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        // A request head larger than this is refused (431) rather than buffered.
        .max_header_size(MAX_HEAD)
        .keep_alive(true);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of files or memory, or a connection reset before it was taken:
                    // wait a moment rather than spin.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        // The peer address feeds the per-address limits (sign-in, reports, live streams).
        let service = hyper::service::service_fn(move |mut request| {
            request.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(request)
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        metrics::gauge!("status_connections_open").increment(1.0);
        tokio::spawn(async move {
            // A client that goes away or times out ends its connection; nothing to report.
            let _ = connection.await;
            metrics::gauge!("status_connections_open").decrement(1.0);
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cap_under_the_file_limit_is_kept() {
        assert_eq!(fit_to_file_limit(16), 16);
    }
}
