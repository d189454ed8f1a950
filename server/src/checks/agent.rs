//! The agent loop, used by `server probe` and by the agent built into the server: runs
//! every check on its interval (at most 64 at once), collects the results into numbered
//! batches (one a second, or sooner when 500 are waiting) and hands them to a [`Sink`]
//! in order, keeping them until the site has them.
//!
//! With a buffer directory, each batch is a file there (`<seq, 20 digits>.json`, written
//! atomically) before it is sent and until the site has it, and the last number used is
//! kept in `last-seq`: a restarted agent sends what was left first and numbers on above
//! it. Without one (the agent inside the server), batches wait in memory and numbering
//! starts from the Unix time in milliseconds, so it still increases across restarts.
//! Either way at most 10,000 batches wait; past that the oldest are dropped (logged),
//! so the site must take a number higher than the last it saw, not only the next one.

use crate::checks::probe;
use crate::checks::wire::{CheckResult, ResultBatch};
use crate::domain::checks::{Check, Probe};
use chrono::Utc;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{watch, Notify, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Instant;

/// Where batches go: the site, over HTTP for `server probe`, or straight to the store for
/// the agent inside the server.
#[async_trait::async_trait]
pub trait Sink: Send + Sync {
    /// Delivers one batch. `Ok` means the site has it (stored). `Err(Refused)` means the
    /// site refused it for good (malformed, replayed): the agent drops it and logs why.
    /// `Err(Retry)` means try again later (site unreachable, 5xx, 429): the agent keeps it.
    async fn send(&self, batch: &ResultBatch) -> Result<(), SendError>;
}

/// Why a batch was not delivered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendError {
    /// Not now: the batch is kept and sent again, oldest first.
    Retry(String),
    /// Never: the batch is dropped.
    Refused(String),
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SendError::Retry(reason) => write!(f, "not delivered, will retry: {reason}"),
            SendError::Refused(reason) => write!(f, "refused: {reason}"),
        }
    }
}

/// What an agent runs: the checks and the control targets (run alike, each on its own
/// interval; a control's results carry its id). Heartbeat checks are skipped.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AgentChecks {
    pub checks: Vec<Check>,
    pub controls: Vec<Check>,
}

/// The agent's rhythm; fixed, but shorter in tests.
#[derive(Clone, Copy, Debug)]
struct Pace {
    /// Waiting results are sent as a batch this often…
    flush_every: Duration,
    /// …or as soon as this many are waiting.
    batch_max: usize,
    /// The first wait after a failed delivery; doubled on each further failure…
    backoff_first: Duration,
    /// …up to this.
    backoff_max: Duration,
    /// Batches kept at most while the site cannot be reached.
    max_buffered: usize,
    /// Probes in flight at most.
    max_in_flight: usize,
    /// A delivery with no answer in this long counts as one to retry.
    send_timeout: Duration,
}

const PACE: Pace = Pace {
    flush_every: Duration::from_secs(1),
    batch_max: 500,
    backoff_first: Duration::from_secs(1),
    backoff_max: Duration::from_secs(30),
    max_buffered: 10_000,
    max_in_flight: 64,
    send_timeout: Duration::from_secs(120),
};

/// The file keeping the last batch number used.
const LAST_SEQ_FILE: &str = "last-seq";

/// A batch waiting for delivery: in memory, or (with a buffer directory) in its file.
#[derive(Clone, Debug)]
struct Waiting {
    seq: u64,
    batch: Option<Arc<ResultBatch>>,
}

/// Runs checks and delivers their results; see the module's documentation.
pub struct Agent {
    name: String,
    buffer_dir: Option<PathBuf>,
    sink: Arc<dyn Sink>,
    prober: probe::Prober,
    /// Batches left in the buffer directory by an earlier run, oldest first.
    waiting: VecDeque<Waiting>,
    next_seq: u64,
    pace: Pace,
}

impl Agent {
    /// An agent named `name` (the name its batches carry). With `buffer_dir`, the
    /// directory is created if need be and the batches left there are loaded to be sent
    /// first; an unreadable directory is an error.
    pub fn new(
        name: String,
        buffer_dir: Option<PathBuf>,
        sink: Arc<dyn Sink>,
    ) -> std::io::Result<Self> {
        let (waiting, highest) = match &buffer_dir {
            Some(dir) => load_buffer(dir)?,
            None => (VecDeque::new(), None),
        };
        let next_seq = match highest {
            Some(seq) => seq + 1,
            // Nothing known (the agent in the server, or a new buffer directory): the
            // clock's milliseconds are above any number a previous run could have used.
            None => u64::try_from(Utc::now().timestamp_millis())
                .unwrap_or(1)
                .max(1),
        };
        Ok(Agent {
            name,
            buffer_dir,
            sink,
            prober: probe::Prober::new(None),
            waiting,
            next_seq,
            pace: PACE,
        })
    }

    /// Probes from `source` (a local address) instead of wherever the system routes.
    pub fn with_source(mut self, source: Option<std::net::IpAddr>) -> Self {
        self.prober = probe::Prober::new(source);
        self
    }

    /// Runs until the returned future is dropped (which stops the probes in flight; the
    /// batches kept in the buffer directory stay for the next run). A new list sent on
    /// `checks` takes effect at once; checks it keeps keep their schedule.
    pub async fn run(self, mut checks: watch::Receiver<Arc<AgentChecks>>) {
        let Agent {
            name,
            buffer_dir,
            sink,
            prober,
            waiting,
            next_seq,
            pace,
        } = self;
        let first = checks.borrow_and_update().clone();
        tracing::info!(
            agent = %name,
            checks = runnable(&first.checks).count(),
            controls = runnable(&first.controls).count(),
            heartbeats_skipped = first.checks.len() + first.controls.len()
                - runnable(&first.checks).count()
                - runnable(&first.controls).count(),
            buffered = waiting.len(),
            next_seq,
            buffer = %buffer_dir.as_deref().map_or_else(|| "memory".to_string(), |d| d.display().to_string()),
            "probe agent started"
        );
        let backlog = !waiting.is_empty();
        let shared = Shared {
            queue: Mutex::new(waiting),
            wake: Notify::new(),
        };
        let producing = Producer {
            name: &name,
            buffer_dir: buffer_dir.as_deref(),
            prober,
            shared: &shared,
            pace,
            next_seq,
            dropped: 0,
        }
        .run(first, &mut checks);
        let delivering = deliver(sink.as_ref(), buffer_dir.as_deref(), &shared, pace, backlog);
        tokio::join!(producing, delivering);
    }
}

/// The checks an agent runs from a list: all but heartbeats.
fn runnable(list: &[Check]) -> impl Iterator<Item = &Check> {
    list.iter()
        .filter(|check| !matches!(check.probe, Probe::Heartbeat { .. }))
}

/// What the probing half and the delivering half of a running agent share.
struct Shared {
    queue: Mutex<VecDeque<Waiting>>,
    /// Told when a batch is queued.
    wake: Notify,
}

impl Shared {
    fn front(&self) -> Option<Waiting> {
        self.queue.lock().expect("queue lock").front().cloned()
    }

    fn len(&self) -> usize {
        self.queue.lock().expect("queue lock").len()
    }

    /// Takes batch `seq` off the queue (if the bound has not already) and its file.
    async fn done(&self, seq: u64, buffer_dir: Option<&Path>) {
        self.queue
            .lock()
            .expect("queue lock")
            .retain(|waiting| waiting.seq != seq);
        if let Some(dir) = buffer_dir {
            if let Err(error) = tokio::fs::remove_file(dir.join(batch_file(seq))).await {
                if error.kind() != std::io::ErrorKind::NotFound {
                    tracing::warn!(seq, %error, "cannot delete a delivered batch's file");
                }
            }
        }
    }
}

// ---- the schedule ----

/// FNV-1a: a hash that stays the same across builds and Rust versions.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Where in its first interval a check first runs: spread by its id, the same every time.
fn stagger(id: &str, interval: Duration) -> Duration {
    let millis = u64::try_from(interval.as_millis())
        .unwrap_or(u64::MAX)
        .max(1);
    Duration::from_millis(fnv1a(id) % millis)
}

/// A zero interval would spin; validation forbids anything under 5 s anyway.
fn every(check: &Check) -> Duration {
    check.interval.max(Duration::from_millis(10))
}

/// When each check runs next.
struct Schedule {
    checks: Vec<Arc<Check>>,
    due: BinaryHeap<Reverse<(Instant, usize)>>,
}

impl Schedule {
    /// A schedule for `list`: checks already on `previous` keep their next run (brought
    /// forward if their interval shrank); new ones start at their staggered offset.
    fn new(list: &AgentChecks, now: Instant, previous: Option<&Schedule>) -> Self {
        let previously: HashMap<&str, Instant> = previous
            .map(|schedule| {
                schedule
                    .due
                    .iter()
                    .map(|Reverse((at, index))| (schedule.checks[*index].id.as_str(), *at))
                    .collect()
            })
            .unwrap_or_default();
        let checks: Vec<Arc<Check>> = runnable(&list.checks)
            .chain(runnable(&list.controls))
            .map(|check| Arc::new(check.clone()))
            .collect();
        let due = checks
            .iter()
            .enumerate()
            .map(|(index, check)| {
                let first = match previously.get(check.id.as_str()) {
                    Some(at) => (*at).min(now + every(check)),
                    None => now + stagger(&check.id, every(check)),
                };
                Reverse((first, index))
            })
            .collect();
        Schedule { checks, due }
    }

    fn next(&self) -> Option<Instant> {
        self.due.peek().map(|Reverse((at, _))| *at)
    }

    /// The checks due by `now`, each put back for its next run.
    fn take_due(&mut self, now: Instant) -> Vec<Arc<Check>> {
        let mut taken = Vec::new();
        while let Some(Reverse((at, index))) = self.due.peek().copied() {
            if at > now {
                break;
            }
            self.due.pop();
            let check = &self.checks[index];
            let mut next = at + every(check);
            if next <= now {
                // Far behind (a stalled machine): resume the rhythm rather than catch up in a burst.
                next = now + every(check);
            }
            self.due.push(Reverse((next, index)));
            taken.push(check.clone());
        }
        taken
    }
}

// ---- probing and batching ----

struct Producer<'a> {
    name: &'a str,
    buffer_dir: Option<&'a Path>,
    prober: probe::Prober,
    shared: &'a Shared,
    pace: Pace,
    next_seq: u64,
    /// Batches dropped so far because the queue was full.
    dropped: u64,
}

impl Producer<'_> {
    async fn run(
        mut self,
        first: Arc<AgentChecks>,
        checks: &mut watch::Receiver<Arc<AgentChecks>>,
    ) {
        let mut schedule = Schedule::new(&first, Instant::now(), None);
        let limit = Arc::new(Semaphore::new(self.pace.max_in_flight));
        let mut probes: JoinSet<CheckResult> = JoinSet::new();
        // Which check each probe in flight runs: a check still running is not started again.
        let mut in_flight: HashMap<tokio::task::Id, String> = HashMap::new();
        let mut pending: Vec<CheckResult> = Vec::new();
        let mut flush = tokio::time::interval(self.pace.flush_every);
        flush.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut watching = true;
        loop {
            let next = schedule.next();
            tokio::select! {
                _ = tokio::time::sleep_until(next.unwrap_or_else(Instant::now)), if next.is_some() => {
                    for check in schedule.take_due(Instant::now()) {
                        if in_flight.values().any(|id| *id == check.id) {
                            tracing::debug!(check = %check.id, "still running from its last turn; skipped");
                            continue;
                        }
                        let id = check.id.clone();
                        let prober = self.prober.clone();
                        let limit = limit.clone();
                        let task = probes.spawn(async move {
                            let _permit = limit.acquire_owned().await.expect("the semaphore is never closed");
                            let at = Utc::now();
                            let probed = prober.run(&check).await;
                            CheckResult {
                                check: check.id.clone(),
                                at,
                                outcome: probed.outcome,
                                latency_ms: u32::try_from(probed.latency.as_millis()).unwrap_or(u32::MAX),
                                detail: probed.detail,
                            }
                        });
                        in_flight.insert(task.id(), id);
                    }
                }
                Some(joined) = probes.join_next_with_id(), if !probes.is_empty() => {
                    match joined {
                        Ok((task, result)) => {
                            in_flight.remove(&task);
                            pending.push(result);
                            if pending.len() >= self.pace.batch_max {
                                self.flush(&mut pending).await;
                            }
                        }
                        Err(error) => {
                            let check = in_flight.remove(&error.id()).unwrap_or_default();
                            tracing::error!(%check, %error, "a probe failed to finish");
                        }
                    }
                }
                _ = flush.tick() => {
                    if !pending.is_empty() {
                        self.flush(&mut pending).await;
                    }
                }
                changed = checks.changed(), if watching => {
                    if changed.is_err() {
                        // Nobody will send another list: keep running this one.
                        watching = false;
                        continue;
                    }
                    let list = checks.borrow_and_update().clone();
                    schedule = Schedule::new(&list, Instant::now(), Some(&schedule));
                    tracing::info!(
                        agent = %self.name,
                        checks = runnable(&list.checks).count(),
                        controls = runnable(&list.controls).count(),
                        "probe agent's checks replaced"
                    );
                }
            }
        }
    }

    /// Makes the waiting results the next batch, keeps it (on disk first, when there is a
    /// buffer directory) and wakes the delivery.
    async fn flush(&mut self, pending: &mut Vec<CheckResult>) {
        let seq = self.next_seq;
        self.next_seq += 1;
        let batch = ResultBatch {
            agent: self.name.to_string(),
            seq,
            results: std::mem::take(pending),
        };
        let mut kept = Waiting {
            seq,
            batch: Some(Arc::new(batch)),
        };
        if let Some(dir) = self.buffer_dir {
            let dir = dir.to_path_buf();
            let batch = kept.batch.clone().expect("just made");
            let written = tokio::task::spawn_blocking(move || -> std::io::Result<()> {
                // The number first: a crash between the two skips a number, never reuses one.
                write_atomically(&dir, LAST_SEQ_FILE, seq.to_string().as_bytes())?;
                let body = serde_json::to_vec(&*batch).map_err(std::io::Error::other)?;
                write_atomically(&dir, &batch_file(seq), &body)
            })
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e)));
            match written {
                // On disk: read back when its turn comes, not kept in memory meanwhile.
                Ok(()) => kept.batch = None,
                Err(error) => {
                    tracing::error!(seq, %error, "cannot write a batch to the buffer directory; keeping it in memory")
                }
            }
        }
        let mut dropped = Vec::new();
        {
            let mut queue = self.shared.queue.lock().expect("queue lock");
            queue.push_back(kept);
            while queue.len() > self.pace.max_buffered {
                dropped.extend(queue.pop_front().map(|waiting| waiting.seq));
            }
        }
        if !dropped.is_empty() {
            self.dropped += dropped.len() as u64;
            tracing::warn!(
                dropped_now = dropped.len(),
                dropped_in_all = self.dropped,
                kept = self.pace.max_buffered,
                "result buffer full: dropped the oldest batches"
            );
            if let Some(dir) = self.buffer_dir {
                for seq in dropped {
                    let _ = tokio::fs::remove_file(dir.join(batch_file(seq))).await;
                }
            }
        }
        self.shared.wake.notify_one();
    }
}

// ---- delivery ----

/// Sends the queued batches oldest first, forever; after a failure waits 1 s, doubling
/// to 30 s, and tries the oldest again.
async fn deliver(
    sink: &dyn Sink,
    buffer_dir: Option<&Path>,
    shared: &Shared,
    pace: Pace,
    backlog: bool,
) {
    let mut backoff = pace.backoff_first;
    // Catching up (after an outage, or with batches left by an earlier run) until the
    // queue is empty; how many batches went through meanwhile; whether the outage was told.
    let mut catching_up = backlog;
    let mut delivered = 0u64;
    let mut outage_told = false;
    loop {
        let Some(waiting) = shared.front() else {
            if catching_up {
                tracing::info!(
                    delivered,
                    "probe results caught up: every kept batch delivered"
                );
            }
            catching_up = false;
            outage_told = false;
            delivered = 0;
            shared.wake.notified().await;
            continue;
        };
        let seq = waiting.seq;
        let batch = match (waiting.batch, buffer_dir) {
            (Some(batch), _) => batch,
            (None, Some(dir)) => match read_batch(dir, seq).await {
                Ok(batch) => Arc::new(batch),
                Err(error) => {
                    tracing::error!(seq, %error, "a buffered batch cannot be read; dropped");
                    shared.done(seq, buffer_dir).await;
                    continue;
                }
            },
            (None, None) => {
                shared.done(seq, None).await;
                continue;
            }
        };
        let sent = tokio::time::timeout(pace.send_timeout, sink.send(&batch))
            .await
            .unwrap_or_else(|_| {
                Err(SendError::Retry(format!(
                    "no answer in {} s",
                    pace.send_timeout.as_secs()
                )))
            });
        match sent {
            Ok(()) => {
                shared.done(seq, buffer_dir).await;
                backoff = pace.backoff_first;
                delivered += 1;
            }
            Err(SendError::Refused(reason)) => {
                tracing::warn!(seq, %reason, "the site refused a batch of probe results for good; dropped");
                shared.done(seq, buffer_dir).await;
                backoff = pace.backoff_first;
                delivered += 1;
            }
            Err(SendError::Retry(reason)) => {
                if !outage_told {
                    // Said once per outage: not again until everything kept went through.
                    tracing::warn!(
                        %reason,
                        waiting = shared.len(),
                        "cannot deliver probe results; keeping them and retrying"
                    );
                    outage_told = true;
                }
                catching_up = true;
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(pace.backoff_max);
            }
        }
    }
}

// ---- the buffer directory ----

/// `00000000000000000042.json`: sorted by name is sorted by number.
fn batch_file(seq: u64) -> String {
    format!("{seq:020}.json")
}

fn batch_seq(file_name: &str) -> Option<u64> {
    let digits = file_name.strip_suffix(".json")?;
    if digits.len() != 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The batches left in `dir`, oldest first, and the highest number used there (from the
/// files and from `last-seq`). Half-written temporary files are removed.
fn load_buffer(dir: &Path) -> std::io::Result<(VecDeque<Waiting>, Option<u64>)> {
    std::fs::create_dir_all(dir)?;
    let mut seqs = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.starts_with('.') && name.ends_with(".tmp") {
            let _ = std::fs::remove_file(entry.path());
        } else if let Some(seq) = batch_seq(name) {
            seqs.push(seq);
        }
    }
    seqs.sort_unstable();
    let last = match std::fs::read_to_string(dir.join(LAST_SEQ_FILE)) {
        Ok(text) => match text.trim().parse::<u64>() {
            Ok(seq) => Some(seq),
            Err(_) => {
                tracing::warn!(dir = %dir.display(), "the buffer's last-seq file is unreadable; numbering from the batches found");
                None
            }
        },
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(error) => return Err(error),
    };
    let highest = seqs.last().copied().max(last);
    let waiting = seqs
        .into_iter()
        .map(|seq| Waiting { seq, batch: None })
        .collect();
    Ok((waiting, highest))
}

async fn read_batch(dir: &Path, seq: u64) -> std::io::Result<ResultBatch> {
    let bytes = tokio::fs::read(dir.join(batch_file(seq))).await?;
    serde_json::from_slice(&bytes).map_err(std::io::Error::other)
}

/// Writes `dir/name` whole or not at all: a temporary file, flushed to disk, renamed
/// over it, and the directory flushed so the rename survives a power cut.
fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let temporary = dir.join(format!(".{name}.tmp"));
    {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
    }
    std::fs::rename(&temporary, dir.join(name))?;
    // Directories cannot be opened for syncing everywhere; the rename is done either way.
    if let Ok(directory) = std::fs::File::open(dir) {
        let _ = directory.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::checks::Outcome;
    use std::collections::HashSet;
    use std::sync::atomic::{AtomicU8, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    const ACCEPT: u8 = 0;
    const RETRY: u8 = 1;
    const REFUSE: u8 = 2;

    /// Records what it is sent; accepts, asks for a retry or refuses, as told.
    struct TestSink {
        mode: AtomicU8,
        /// Every attempt's number, in order.
        attempts: Mutex<Vec<u64>>,
        /// The batches accepted, in order.
        received: Mutex<Vec<ResultBatch>>,
    }

    impl TestSink {
        fn new(mode: u8) -> Arc<Self> {
            Arc::new(TestSink {
                mode: AtomicU8::new(mode),
                attempts: Mutex::new(Vec::new()),
                received: Mutex::new(Vec::new()),
            })
        }

        fn set(&self, mode: u8) {
            self.mode.store(mode, Ordering::SeqCst);
        }

        fn received(&self) -> Vec<ResultBatch> {
            self.received.lock().unwrap().clone()
        }

        fn received_seqs(&self) -> Vec<u64> {
            self.received().iter().map(|batch| batch.seq).collect()
        }
    }

    #[async_trait::async_trait]
    impl Sink for TestSink {
        async fn send(&self, batch: &ResultBatch) -> Result<(), SendError> {
            self.attempts.lock().unwrap().push(batch.seq);
            match self.mode.load(Ordering::SeqCst) {
                ACCEPT => {
                    self.received.lock().unwrap().push(batch.clone());
                    Ok(())
                }
                RETRY => Err(SendError::Retry("site unreachable (test)".into())),
                _ => Err(SendError::Refused("replayed (test)".into())),
            }
        }
    }

    /// An HTTP server on 127.0.0.1 answering 200 to everything, written by hand.
    async fn target() -> std::net::SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut request = Vec::new();
                    let mut buffer = [0u8; 1024];
                    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                        match stream.read(&mut buffer).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => request.extend_from_slice(&buffer[..n]),
                        }
                    }
                    let _ = stream
                        .write_all(
                            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                        )
                        .await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        address
    }

    fn check(id: &str, probe: Probe) -> Check {
        Check {
            id: id.into(),
            component: None,
            name_ko: id.into(),
            name_en: id.into(),
            probe,
            interval: Duration::from_millis(100),
            timeout: Duration::from_secs(2),
            failure_threshold: 1,
            success_threshold: 1,
            max_latency: None,
        }
    }

    fn http(id: &str, address: std::net::SocketAddr) -> Check {
        check(
            id,
            Probe::Http {
                url: format!("http://{address}/"),
                method: "GET".into(),
                expect_status: vec![],
                body_contains: None,
                json_pointer: None,
                json_equals: None,
                tls_days_left: None,
            },
        )
    }

    const QUICK: Pace = Pace {
        flush_every: Duration::from_millis(100),
        batch_max: 500,
        backoff_first: Duration::from_millis(50),
        backoff_max: Duration::from_millis(200),
        max_buffered: 10_000,
        max_in_flight: 64,
        send_timeout: Duration::from_secs(5),
    };

    fn agent(dir: Option<&Path>, sink: &Arc<TestSink>) -> Agent {
        let mut agent = Agent::new(
            "test-agent".into(),
            dir.map(Path::to_path_buf),
            sink.clone() as Arc<dyn Sink>,
        )
        .unwrap();
        agent.pace = QUICK;
        agent
    }

    fn start(
        agent: Agent,
        list: AgentChecks,
    ) -> (tokio::task::JoinHandle<()>, watch::Sender<Arc<AgentChecks>>) {
        let (sender, receiver) = watch::channel(Arc::new(list));
        (tokio::spawn(agent.run(receiver)), sender)
    }

    /// Stops an agent as a crash would: its future is dropped wherever it is.
    async fn crash(running: tokio::task::JoinHandle<()>) {
        running.abort();
        let _ = running.await;
        // A buffer write already handed to a blocking thread finishes on its own.
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    async fn until(what: &str, mut condition: impl FnMut() -> bool) {
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        while !condition() {
            assert!(
                std::time::Instant::now() < deadline,
                "timed out waiting until {what}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn files(dir: &Path) -> Vec<u64> {
        let mut seqs: Vec<u64> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|entry| batch_seq(entry.unwrap().file_name().to_str()?))
            .collect();
        seqs.sort_unstable();
        seqs
    }

    fn last_seq(dir: &Path) -> u64 {
        std::fs::read_to_string(dir.join(LAST_SEQ_FILE))
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    }

    fn assert_consecutive(seqs: &[u64]) {
        for pair in seqs.windows(2) {
            assert_eq!(pair[1], pair[0] + 1, "not one by one: {seqs:?}");
        }
    }

    #[tokio::test]
    async fn results_arrive_in_batches_numbered_one_by_one() {
        let address = target().await;
        let sink = TestSink::new(ACCEPT);
        let before = u64::try_from(Utc::now().timestamp_millis()).unwrap();
        let agent = agent(None, &sink);
        let list = AgentChecks {
            checks: vec![
                http("web", address),
                check(
                    "beat",
                    Probe::Heartbeat {
                        token: "t".into(),
                        missing_beats: 2,
                    },
                ),
            ],
            controls: vec![check(
                "control",
                Probe::Tcp {
                    address: address.to_string(),
                },
            )],
        };
        let (running, checks) = start(agent, list);
        until("5 batches arrived", || sink.received().len() >= 5).await;

        let batches = sink.received();
        let seqs: Vec<u64> = batches.iter().map(|b| b.seq).collect();
        assert_consecutive(&seqs);
        // Without a buffer directory the numbers start from the clock's milliseconds.
        assert!(seqs[0] >= before, "{seqs:?} from {before}");
        let results: Vec<&CheckResult> = batches.iter().flat_map(|b| &b.results).collect();
        assert!(batches
            .iter()
            .all(|b| b.agent == "test-agent" && !b.results.is_empty()));
        assert!(results.iter().any(|r| r.check == "web"));
        assert!(results.iter().any(|r| r.check == "control"));
        assert!(
            results.iter().all(|r| r.check != "beat"),
            "heartbeats are skipped"
        );
        assert!(
            results
                .iter()
                .all(|r| r.outcome == Outcome::Up && r.detail.is_empty()),
            "{results:?}"
        );

        // A new list takes effect while running.
        checks
            .send(Arc::new(AgentChecks {
                checks: vec![http("web-2", address)],
                controls: vec![],
            }))
            .unwrap();
        until("the new check's results arrived", || {
            sink.received()
                .iter()
                .flat_map(|b| &b.results)
                .any(|r| r.check == "web-2")
        })
        .await;
        crash(running).await;
        assert_consecutive(&sink.received_seqs());
    }

    #[tokio::test]
    async fn nothing_is_lost_while_the_site_is_unreachable() {
        let address = target().await;
        let dir = tempfile::tempdir().unwrap();
        let sink = TestSink::new(RETRY);
        let agent = agent(Some(dir.path()), &sink);
        let first = agent.next_seq;
        let (running, _checks) = start(
            agent,
            AgentChecks {
                checks: vec![http("web", address)],
                controls: vec![],
            },
        );
        until("5 batches kept on disk", || files(dir.path()).len() >= 5).await;
        assert!(sink.received().is_empty());
        assert!(sink.attempts.lock().unwrap().len() >= 2, "retried");
        assert!(
            sink.attempts
                .lock()
                .unwrap()
                .iter()
                .all(|seq| *seq == first),
            "the oldest is retried first"
        );

        sink.set(ACCEPT);
        until("the kept batches were delivered", || {
            sink.received().len() >= 6 && files(dir.path()).len() <= 1
        })
        .await;
        crash(running).await;

        // Every number made is either delivered or still on disk, none twice, in order.
        let received = sink.received_seqs();
        assert_eq!(received[0], first);
        assert_consecutive(&received);
        let mut all = received.clone();
        all.extend(files(dir.path()));
        all.sort_unstable();
        all.dedup();
        assert_eq!(all, (first..=last_seq(dir.path())).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn a_restarted_agent_sends_what_was_left_first_and_numbers_above_it() {
        let address = target().await;
        let dir = tempfile::tempdir().unwrap();
        let list = || AgentChecks {
            checks: vec![http("web", address)],
            controls: vec![],
        };

        let failing = TestSink::new(RETRY);
        let (running, _checks) = start(agent(Some(dir.path()), &failing), list());
        until("3 batches kept on disk", || files(dir.path()).len() >= 3).await;
        crash(running).await;
        let left = files(dir.path());
        assert!(left.len() >= 3);
        assert_consecutive(&left);

        let sink = TestSink::new(ACCEPT);
        let restarted = agent(Some(dir.path()), &sink);
        assert!(restarted.next_seq > *left.last().unwrap());
        let (running, _checks) = start(restarted, list());
        until("the leftovers and new batches were delivered", || {
            sink.received().len() >= left.len() + 3
        })
        .await;
        crash(running).await;
        let received = sink.received_seqs();
        assert_eq!(
            received[..left.len()],
            left[..],
            "leftovers first, in order"
        );
        assert_consecutive(&received);
        assert_eq!(
            received.iter().collect::<HashSet<_>>().len(),
            received.len(),
            "no number twice"
        );

        // Once every file was delivered, the numbering still goes on above the last one.
        for seq in files(dir.path()) {
            std::fs::remove_file(dir.path().join(batch_file(seq))).unwrap();
        }
        let again = agent(Some(dir.path()), &TestSink::new(ACCEPT));
        assert!(again.waiting.is_empty());
        assert!(again.next_seq > *received.last().unwrap());
        assert_eq!(again.next_seq, last_seq(dir.path()) + 1);
    }

    #[tokio::test]
    async fn a_full_buffer_drops_the_oldest_batches() {
        let address = target().await;
        let dir = tempfile::tempdir().unwrap();
        let sink = TestSink::new(RETRY);
        let mut agent = agent(Some(dir.path()), &sink);
        agent.pace.max_buffered = 3;
        agent.pace.backoff_first = Duration::from_secs(60);
        let first = agent.next_seq;
        let (running, _checks) = start(
            agent,
            AgentChecks {
                checks: vec![http("web", address)],
                controls: vec![],
            },
        );
        // Checked while running: a crash between writing a batch and dropping the oldest
        // would leave one more file than the bound.
        until("8 batches made and only the newest 3 kept", || {
            let kept = files(dir.path());
            let last = std::fs::read_to_string(dir.path().join(LAST_SEQ_FILE))
                .ok()
                .and_then(|text| text.trim().parse::<u64>().ok());
            last.is_some_and(|last| {
                last >= first + 7 && kept.len() == 3 && kept.last() == Some(&last)
            })
        })
        .await;
        let kept = files(dir.path());
        crash(running).await;
        assert_consecutive(&kept);
    }

    #[tokio::test]
    async fn a_refused_batch_is_dropped_not_retried() {
        let address = target().await;
        let dir = tempfile::tempdir().unwrap();
        let sink = TestSink::new(REFUSE);
        let (running, _checks) = start(
            agent(Some(dir.path()), &sink),
            AgentChecks {
                checks: vec![http("web", address)],
                controls: vec![],
            },
        );
        until("3 batches refused", || {
            sink.attempts.lock().unwrap().len() >= 3
        })
        .await;
        sink.set(ACCEPT);
        until("a batch accepted", || !sink.received().is_empty()).await;
        crash(running).await;
        let attempts = sink.attempts.lock().unwrap().clone();
        assert_consecutive(&attempts);
        assert!(
            files(dir.path()).len() <= 1,
            "refused batches' files are gone"
        );
    }

    #[test]
    fn first_runs_are_spread_over_the_interval_by_id() {
        let interval = Duration::from_secs(30);
        assert_eq!(
            stagger("kakaotalk-web", interval),
            stagger("kakaotalk-web", interval)
        );
        let mut per_second = [0u32; 30];
        for n in 0..1_000 {
            let offset = stagger(&format!("check-{n}"), interval);
            assert!(offset < interval);
            per_second[offset.as_secs() as usize] += 1;
        }
        // 1,000 checks over 30 s: about 33 a second, none crowded.
        assert!(per_second.iter().all(|&n| n < 70), "{per_second:?}");
    }

    #[test]
    fn batch_files_are_named_by_their_zero_padded_number() {
        assert_eq!(batch_file(42), "00000000000000000042.json");
        assert_eq!(batch_seq(&batch_file(u64::MAX)), Some(u64::MAX));
        assert_eq!(batch_seq("last-seq"), None);
        assert_eq!(batch_seq(".00000000000000000042.json.tmp"), None);
    }
}
