//! The report intake, where load lands during an outage:
//! validate → de-duplicate → rate-limit → bounded queue → one writer committing many
//! reports per transaction. A report is acknowledged only after its transaction
//! committed — or, while the database does not answer, after it was fsync'd to the
//! local spool (`spool.rs`), replayed into the database once it is back. A full queue
//! or spool is answered "try again" (503), never dropped in silence.

use super::spool::Spool;
use crate::domain::catalog::Catalog;
use crate::store::{NewReport, Store};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

/// One report per client per service is counted in this window.
pub const REPEAT_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Per address: a burst of this many reports, refilled at one per `REFILL` (carriers put
/// many phones behind one address, so this is generous; the per-client window above is
/// what stops one person counting twice).
pub const ADDRESS_BURST: f64 = 10.0;
pub const REFILL: Duration = Duration::from_secs(10);
/// Reports waiting for the writer; beyond this the answer is 503.
pub const QUEUE: usize = 50_000;
/// At most this many reports in one transaction.
pub const BATCH: usize = 5_000;
/// A batch not committed within this long goes to the spool: a database that stops
/// answering (rather than refusing) must not hold reporters for the pool's timeout.
/// Should the write still commit, its replay stores nothing twice (report keys).
pub const WRITE_DEADLINE: Duration = Duration::from_secs(2);

const SHARDS: usize = 16;

#[derive(Debug, PartialEq)]
pub enum Outcome {
    /// Stored: the transaction with it committed.
    Counted,
    /// The database did not answer: kept in the local spool (fsync'd), to be stored
    /// when it is back.
    Spooled,
    /// The database did not answer and the spool is full: nothing was kept.
    SpoolFull,
    /// The same client reported this service within the window; counted once already.
    Repeat,
    /// Too many reports from this address; try again after this long.
    Limited(Duration),
    /// The queue is full or the database failed; nothing was stored; try again.
    Busy,
}

#[derive(Debug, PartialEq)]
pub enum Invalid {
    Service,
    Problem,
    Region,
}

/// Where a batch ended up.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kept {
    Database,
    Spool,
    SpoolFull,
    Nowhere,
}

struct Pending {
    report: NewReport,
    done: oneshot::Sender<Kept>,
}

pub struct Intake {
    catalog: Arc<Catalog>,
    /// Bumped after each commit, so the figures are recomputed soon after.
    stored: tokio::sync::watch::Sender<u64>,
    queue: mpsc::Sender<Pending>,
    /// Client key → when its last report of a service was counted.
    seen: Vec<Mutex<HashMap<[u8; 16], Instant>>>,
    /// Address → (tokens, last refill).
    buckets: Vec<Mutex<HashMap<IpAddr, (f64, Instant)>>>,
    /// (day, salt): the salt of the client hash, replaced every day (UTC) and never stored.
    salt: Mutex<(i64, [u8; 32])>,
    spool: Arc<Spool>,
}

/// Checks a report's choices against the catalog, exactly as written (no trimming, no
/// case folding); region "" means none. The first wrong choice is named.
pub fn validate(
    catalog: &Catalog,
    service: &str,
    problem: &str,
    region: &str,
) -> Result<(), Invalid> {
    let service = catalog.service(service).ok_or(Invalid::Service)?;
    if !service.problems.iter().any(|p| p.slug == problem) {
        return Err(Invalid::Problem);
    }
    if !region.is_empty() && catalog.region(region).is_none() {
        return Err(Invalid::Region);
    }
    Ok(())
}

/// A report's own key: 128 random bits, as hex.
pub fn report_key() -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut key = [0u8; 16];
    OsRng.fill_bytes(&mut key);
    hex::encode(key)
}

fn shard<K: std::hash::Hash>(key: &K) -> usize {
    use std::hash::{BuildHasher, RandomState};
    static STATE: std::sync::LazyLock<RandomState> = std::sync::LazyLock::new(RandomState::new);
    (STATE.hash_one(key) as usize) % SHARDS
}

fn random_salt() -> [u8; 32] {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut salt = [0u8; 32];
    OsRng.fill_bytes(&mut salt);
    salt
}

impl Intake {
    /// Starts the writer; it runs as long as the intake exists.
    pub fn start(catalog: Arc<Catalog>, store: Arc<dyn Store>, spool: Arc<Spool>) -> Arc<Self> {
        let (queue, receiver) = mpsc::channel(QUEUE);
        let stored = tokio::sync::watch::Sender::new(0);
        tokio::spawn(writer(store, receiver, stored.clone(), spool.clone()));
        Arc::new(Intake {
            catalog,
            stored,
            queue,
            seen: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            buckets: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            salt: Mutex::new((Utc::now().timestamp().div_euclid(86_400), random_salt())),
            spool,
        })
    }

    /// Reports kept in the spool, waiting for the database.
    pub fn spooled(&self) -> usize {
        self.spool.depth()
    }

    /// Reports waiting for the writer.
    pub fn queued(&self) -> usize {
        QUEUE - self.queue.capacity()
    }

    /// Changes after every committed batch.
    pub fn stored(&self) -> tokio::sync::watch::Receiver<u64> {
        self.stored.subscribe()
    }

    /// Checks a report's choices against the catalog; region "" means none.
    pub fn validate(&self, service: &str, problem: &str, region: &str) -> Result<(), Invalid> {
        validate(&self.catalog, service, problem, region)
    }

    /// The client's key for a service: a salted hash of address and user agent.
    fn client_key(
        &self,
        address: IpAddr,
        user_agent: &str,
        service: &str,
        now: DateTime<Utc>,
    ) -> [u8; 16] {
        let salt = {
            let mut salt = self.salt.lock().expect("salt lock");
            let today = now.timestamp().div_euclid(86_400);
            if salt.0 != today {
                *salt = (today, random_salt());
            }
            salt.1
        };
        let mut hasher = Sha256::new();
        hasher.update(salt);
        hasher.update(address.to_string().as_bytes());
        hasher.update([0]);
        hasher.update(user_agent.as_bytes());
        hasher.update([0]);
        hasher.update(service.as_bytes());
        let digest = hasher.finalize();
        let mut key = [0u8; 16];
        key.copy_from_slice(&digest[..16]);
        key
    }

    fn take_token(&self, address: IpAddr) -> Result<(), Duration> {
        let now = Instant::now();
        let mut buckets = self.buckets[shard(&address)].lock().expect("bucket lock");
        let (tokens, last) = buckets.entry(address).or_insert((ADDRESS_BURST, now));
        let refilled = now.duration_since(*last).as_secs_f64() / REFILL.as_secs_f64();
        *tokens = (*tokens + refilled).min(ADDRESS_BURST);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(REFILL.mul_f64(1.0 - *tokens))
        }
    }

    /// Submits a validated report; resolves once it is stored (or refused).
    pub async fn submit(
        &self,
        service: &str,
        problem: &str,
        region: &str,
        address: IpAddr,
        user_agent: &str,
    ) -> Outcome {
        let now = Utc::now();
        let key = self.client_key(address, user_agent, service, now);
        let seen_at = Instant::now();
        {
            // Reserved now, so that two reports of one client at once count once.
            let mut seen = self.seen[shard(&key)].lock().expect("seen lock");
            if seen
                .get(&key)
                .is_some_and(|at| seen_at.duration_since(*at) < REPEAT_WINDOW)
            {
                return Outcome::Repeat;
            }
            seen.insert(key, seen_at);
        }
        let release = || {
            self.seen[shard(&key)]
                .lock()
                .expect("seen lock")
                .remove(&key);
        };
        if let Err(wait) = self.take_token(address) {
            release();
            return Outcome::Limited(wait);
        }
        let (done, stored) = oneshot::channel();
        let report = NewReport {
            service: service.to_string(),
            problem: problem.to_string(),
            region: region.to_string(),
            client: hex::encode(key),
            at: now,
            key: report_key(),
        };
        if self.queue.try_send(Pending { report, done }).is_err() {
            release();
            return Outcome::Busy;
        }
        match stored.await {
            Ok(Kept::Database) => Outcome::Counted,
            Ok(Kept::Spool) => Outcome::Spooled,
            Ok(Kept::SpoolFull) => {
                release();
                Outcome::SpoolFull
            }
            _ => {
                release();
                Outcome::Busy
            }
        }
    }

    /// Forgets clients and addresses whose windows have passed (run every minute).
    pub fn forget_old(&self) {
        let now = Instant::now();
        for shard in &self.seen {
            shard
                .lock()
                .expect("seen lock")
                .retain(|_, at| now.duration_since(*at) < REPEAT_WINDOW);
        }
        let full = REFILL.mul_f64(ADDRESS_BURST);
        for shard in &self.buckets {
            shard
                .lock()
                .expect("bucket lock")
                .retain(|_, (_, last)| now.duration_since(*last) < full);
        }
    }
}

/// Group commit: takes whatever is queued (up to BATCH), writes it in one transaction,
/// then acknowledges each report with the outcome of that commit. When the database
/// fails, the batch goes to the spool instead; while reports wait there, new batches
/// join them (no timeout per batch) and the spool is replayed every second until the
/// database takes it.
async fn writer(
    store: Arc<dyn Store>,
    mut receiver: mpsc::Receiver<Pending>,
    committed: tokio::sync::watch::Sender<u64>,
    spool: Arc<Spool>,
) {
    let mut batch = Vec::with_capacity(BATCH);
    let mut retry = tokio::time::interval(Duration::from_secs(1));
    retry.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            received = receiver.recv_many(&mut batch, BATCH) => if received == 0 { return },
            _ = retry.tick() => {
                // Replayed only once the database answers at once, so that new reports
                // do not wait behind a replay that cannot get through.
                let answers = || async {
                    tokio::time::timeout(Duration::from_secs(1), store.ping())
                        .await
                        .is_ok_and(|r| r.is_ok())
                };
                if spool.depth() > 0 && answers().await {
                    match spool.replay(store.as_ref()).await {
                        Ok(_) => committed.send_modify(|n| *n += 1),
                        Err(error) => tracing::warn!(%error, "replaying the spool failed; trying again"),
                    }
                }
                continue;
            }
        }
        let reports: Vec<NewReport> = batch.iter().map(|p| p.report.clone()).collect();
        let mut kept = Kept::Nowhere;
        if spool.depth() == 0 {
            match tokio::time::timeout(WRITE_DEADLINE, store.add_reports(&reports)).await {
                Ok(Ok(_)) => kept = Kept::Database,
                Ok(Err(error)) => {
                    tracing::error!(%error, reports = reports.len(), "storing crowd reports failed; keeping them in the spool");
                }
                Err(_) => {
                    tracing::error!(
                        reports = reports.len(),
                        "the database did not answer in time; keeping the reports in the spool"
                    );
                }
            }
        }
        if kept == Kept::Nowhere {
            let spool = spool.clone();
            let reports = reports.clone();
            kept = match tokio::task::spawn_blocking(move || spool.append(&reports)).await {
                Ok(Ok(())) => Kept::Spool,
                Ok(Err(super::spool::SpoolError::Full(depth))) => {
                    tracing::error!(depth, "the report spool is full; refusing reports");
                    Kept::SpoolFull
                }
                Ok(Err(error)) => {
                    tracing::error!(%error, "cannot keep reports in the spool");
                    Kept::Nowhere
                }
                Err(_) => Kept::Nowhere,
            };
        }
        for pending in batch.drain(..) {
            let _ = pending.done.send(kept);
        }
        if kept == Kept::Database {
            committed.send_modify(|n| *n += 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_a_burst_then_one_report_every_refill() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let catalog = Arc::new(
                Catalog::load(std::path::Path::new(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../config/catalog.toml"
                )))
                .unwrap(),
            );
            let store = crate::store::connect("sqlite::memory:").await.unwrap();
            let dir = std::env::temp_dir().join(format!("intake-test-{}", std::process::id()));
            let spool = Spool::open(&dir.join("reports.spool"), 10).unwrap();
            let intake = Intake::start(catalog, store, spool);
            let address: IpAddr = "203.0.113.9".parse().unwrap();
            assert!(intake.take_token(address).is_ok());
            for _ in 1..ADDRESS_BURST as usize {
                assert!(intake.take_token(address).is_ok());
            }
            let wait = intake.take_token(address).unwrap_err();
            assert!(wait <= REFILL && wait > Duration::ZERO);
            assert!(
                intake.take_token("203.0.113.10".parse().unwrap()).is_ok(),
                "other addresses are not affected"
            );
        });
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;
        use std::sync::LazyLock;

        static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
            Catalog::load(std::path::Path::new(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../config/catalog.toml"
            )))
            .unwrap()
        });

        /// A choice from the catalog, one near it (case, spaces, NUL, percent-escape),
        /// or anything at all.
        fn choice(known: Vec<String>) -> impl Strategy<Value = String> {
            let near = known.clone();
            prop_oneof![
                prop::sample::select(known),
                (prop::sample::select(near), 0usize..5).prop_map(|(c, how)| match how {
                    0 => c.to_uppercase(),
                    1 => format!(" {c}"),
                    2 => format!("{c}\0"),
                    3 => c.replacen(|_: char| true, "%6B", 1),
                    _ => c.repeat(1000),
                }),
                any::<String>(),
                Just(String::new()),
            ]
        }

        fn services() -> Vec<String> {
            CATALOG.services.iter().map(|s| s.slug.clone()).collect()
        }
        fn problems() -> Vec<String> {
            CATALOG
                .services
                .iter()
                .flat_map(|s| s.problems.iter().map(|p| p.slug.clone()))
                .collect()
        }
        fn regions() -> Vec<String> {
            CATALOG.regions.iter().map(|r| r.slug.clone()).collect()
        }

        proptest! {
            #![proptest_config(ProptestConfig {
                cases: 256,
                failure_persistence: None,
                ..ProptestConfig::default()
            })]

            /// Any three texts: accepted exactly when each is a choice the catalog lists
            /// for that service, else the first wrong one is named.
            #[test]
            fn a_report_is_accepted_only_as_the_catalog_lists_it(
                service in choice(services()), problem in choice(problems()), region in choice(regions()),
            ) {
                let listed_service = CATALOG.services.iter().find(|s| s.slug == service);
                let expected = match listed_service {
                    None => Err(Invalid::Service),
                    Some(s) if !s.problems.iter().any(|p| p.slug == problem) => Err(Invalid::Problem),
                    Some(_) if !region.is_empty() && !CATALOG.regions.iter().any(|r| r.slug == region) => Err(Invalid::Region),
                    Some(_) => Ok(()),
                };
                prop_assert_eq!(validate(&CATALOG, &service, &problem, &region), expected);
            }
        }
    }
}
