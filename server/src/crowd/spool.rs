//! Where reports wait while the database does not answer: a local file of JSON lines,
//! each batch written and fsync'd before its reports are acknowledged, bounded, and
//! replayed into the database when it answers again.
//!
//! Replay is exactly once because every report carries its own key and the store skips
//! keys it already has: a replay cut short (a crash, the database lost again) is simply
//! run again. To replay, the spool file is first renamed aside (`.replay`), so that
//! reports taken meanwhile go to a fresh file and nothing is truncated under a writer.

use crate::store::{NewReport, Store, StoreError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// How many reports a replay writes per transaction.
const REPLAY_BATCH: usize = 5_000;
/// A replay batch not committed within this long is tried again later (the database
/// was lost again): the writer must get back to the reports arriving meanwhile.
const BATCH_DEADLINE: std::time::Duration = std::time::Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    #[error("the report spool is full ({0} reports wait)")]
    Full(usize),
    #[error("writing the report spool: {0}")]
    Io(#[from] std::io::Error),
}

/// One report as a line of the spool.
#[derive(Serialize, Deserialize)]
struct Line {
    service: String,
    problem: String,
    region: String,
    client: String,
    at: DateTime<Utc>,
    key: String,
}

pub struct Spool {
    path: PathBuf,
    replay_path: PathBuf,
    capacity: usize,
    /// Reports in both files, not yet known to be in the database.
    depth: AtomicUsize,
    /// Serialises appends and the rename that starts a replay.
    file: Mutex<()>,
}

impl Spool {
    /// Opens the spool at `path` (creating its folder), counting what an earlier run left.
    pub fn open(path: &Path, capacity: usize) -> std::io::Result<Arc<Spool>> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let replay_path = path.with_extension("replay");
        cut_torn_tail(path)?;
        let depth = count_lines(path)? + count_lines(&replay_path)?;
        if depth > 0 {
            tracing::warn!(depth, path = %path.display(), "reports from an earlier run wait in the spool");
        }
        Ok(Arc::new(Spool {
            path: path.to_path_buf(),
            replay_path,
            capacity,
            depth: AtomicUsize::new(depth),
            file: Mutex::new(()),
        }))
    }

    /// Reports waiting to be stored in the database.
    pub fn depth(&self) -> usize {
        self.depth.load(Ordering::SeqCst)
    }

    /// Appends the reports and makes them durable (fsync) before returning; all or none
    /// when the spool would go over its capacity.
    pub fn append(&self, reports: &[NewReport]) -> Result<(), SpoolError> {
        let _file = self.file.lock().expect("spool lock");
        let depth = self.depth();
        if depth + reports.len() > self.capacity {
            return Err(SpoolError::Full(depth));
        }
        let mut text = String::new();
        for r in reports {
            let line = Line {
                service: r.service.clone(),
                problem: r.problem.clone(),
                region: r.region.clone(),
                client: r.client.clone(),
                at: r.at,
                key: r.key.clone(),
            };
            text.push_str(&serde_json::to_string(&line).expect("a report as JSON"));
            text.push('\n');
        }
        let created = !self.path.exists();
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        file.write_all(text.as_bytes())?;
        file.sync_data()?;
        if created {
            sync_dir(&self.path)?;
        }
        self.depth.fetch_add(reports.len(), Ordering::SeqCst);
        Ok(())
    }

    /// Stores every waiting report in the database (skipping any stored before) and
    /// empties the spool; returns how many were new. On an error, what was not
    /// confirmed stays for the next attempt.
    pub async fn replay(self: &Arc<Self>, store: &dyn Store) -> Result<u64, ReplayError> {
        let spool = self.clone();
        let reports = tokio::task::spawn_blocking(move || spool.take_for_replay())
            .await
            .expect("spool replay task")?;
        let mut added = 0;
        for batch in reports.chunks(REPLAY_BATCH) {
            added += tokio::time::timeout(BATCH_DEADLINE, store.add_reports(batch))
                .await
                .map_err(|_| ReplayError::TimedOut)??;
        }
        let spool = self.clone();
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            let _file = spool.file.lock().expect("spool lock");
            std::fs::remove_file(&spool.replay_path)?;
            sync_dir(&spool.replay_path)?;
            spool.depth.fetch_sub(reports.len(), Ordering::SeqCst);
            Ok(())
        })
        .await
        .expect("spool replay task")?;
        if added > 0 {
            tracing::info!(
                added,
                "replayed reports kept while the database was unreachable"
            );
        }
        Ok(added)
    }

    /// Moves the spool aside (unless a replay that did not finish left one) and reads it.
    fn take_for_replay(&self) -> std::io::Result<Vec<NewReport>> {
        let _file = self.file.lock().expect("spool lock");
        if !self.replay_path.exists() && self.path.exists() {
            std::fs::rename(&self.path, &self.replay_path)?;
            sync_dir(&self.path)?;
        }
        read_lines(&self.replay_path)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error("reading the report spool: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("the database did not take a batch in time")]
    TimedOut,
}

fn count_lines(path: &Path) -> std::io::Result<usize> {
    Ok(read_lines(path)?.len())
}

/// The reports in a spool file; a line cut short by a crash (never acknowledged) is
/// skipped.
fn read_lines(path: &Path) -> std::io::Result<Vec<NewReport>> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut reports = Vec::new();
    for line in BufReader::new(file).lines() {
        let line = line?;
        match serde_json::from_str::<Line>(&line) {
            Ok(l) => reports.push(NewReport {
                service: l.service,
                problem: l.problem,
                region: l.region,
                client: l.client,
                at: l.at,
                key: l.key,
            }),
            Err(error) => {
                tracing::warn!(%error, path = %path.display(), "skipping an unreadable spool line")
            }
        }
    }
    Ok(reports)
}

/// Cuts a last line a crash left half written (it was never acknowledged), so that the
/// next append starts on a line of its own.
fn cut_torn_tail(path: &Path) -> std::io::Result<()> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    if bytes.is_empty() || bytes.ends_with(b"\n") {
        return Ok(());
    }
    let keep = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let file = OpenOptions::new().write(true).open(path)?;
    file.set_len(keep as u64)?;
    file.sync_all()
}

/// Makes a file's creation, rename or removal durable.
fn sync_dir(path: &Path) -> std::io::Result<()> {
    match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) => File::open(dir)?.sync_all(),
        None => File::open(".")?.sync_all(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(key: &str) -> NewReport {
        NewReport {
            service: "kakaotalk".into(),
            problem: "send".into(),
            region: String::new(),
            client: format!("client-{key}"),
            at: Utc::now(),
            key: key.into(),
        }
    }

    #[test]
    fn appended_reports_survive_a_restart_and_a_torn_last_line_is_cut() {
        let dir = std::env::temp_dir().join(format!("spool-test-{}", std::process::id()));
        let path = dir.join("reports.spool");
        let _ = std::fs::remove_dir_all(&dir);
        let spool = Spool::open(&path, 3).unwrap();
        spool.append(&[report("a"), report("b")]).unwrap();
        assert!(
            matches!(
                spool.append(&[report("c"), report("d")]),
                Err(SpoolError::Full(2))
            ),
            "over capacity: refused whole"
        );
        drop(spool);
        // A crash in the middle of a write leaves half a line (never acknowledged).
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(b"{\"service\":\"kakao").unwrap();
        let reopened = Spool::open(&path, 3).unwrap();
        assert_eq!(reopened.depth(), 2);
        reopened.append(&[report("c")]).unwrap();
        let keys: Vec<_> = reopened
            .take_for_replay()
            .unwrap()
            .into_iter()
            .map(|r| r.key)
            .collect();
        assert_eq!(
            keys,
            ["a", "b", "c"],
            "the torn line is gone, the next append is whole"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
