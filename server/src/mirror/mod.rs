//! `server export-static DIR [--watch]`: the public site as plain files, for a file
//! server, an object store or GitHub Pages in a place the data centre's fire cannot
//! reach. It starts the app read-only (`startup::Mode::Mirror`), requests its pages the
//! way a browser would — from the home page in both languages, following every link —
//! and writes what it gets, with the links rewritten to the mirror's addresses
//! (`links.rs`), the scripts dropped (a page is whole without them), and a line saying
//! when the page was generated.
//!
//! Incremental: a manifest keeps a hash of each file as last written, so only files
//! whose content changed are rewritten (each atomically: written aside, then renamed),
//! and files the site no longer has are deleted. `--watch` exports again within a
//! second or two of each change staff publish (and of the database lost or back), and
//! every 30 s for the crowd figures.

pub mod links;

use crate::read::snapshot::SnapshotHandle;
use crate::startup::config::Config;
use crate::startup::{self, Mode};
use anyhow::Context;
use app::model::Lang;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use chrono::Utc;
use links::{Address, Attribute};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tower::ServiceExt;

/// Beyond this many addresses the crawl stops (a safety net against a link loop).
const MAX_ADDRESSES: usize = 20_000;
const MANIFEST: &str = ".mirror-manifest.json";

/// What one export did.
#[derive(Debug, Default)]
pub struct Exported {
    /// Files in the mirror.
    pub files: usize,
    /// Of which written this time (new or changed).
    pub written: usize,
    pub deleted: usize,
    /// Same-site links that did not answer 200 (left as they are).
    pub broken: Vec<String>,
}

pub async fn export_static(config: &Config, dir: &Path, watch: bool) -> anyhow::Result<()> {
    let leptos = startup::leptos_options();
    let site_root = PathBuf::from(leptos.site_root.as_ref());
    let mut config = config.clone();
    if watch {
        // On SQLite no other process announces its changes: look every few seconds.
        config.refresh_seconds = config.refresh_seconds.min(3);
    }
    let running = startup::start_as(&config, leptos, Mode::Mirror).await?;
    let snapshot = running.snapshot.clone();
    // The crowd figures are computed a moment after start.
    snapshot
        .wait_until(Duration::from_secs(10), |s| s.crowd().version > 0)
        .await;
    let public_url = config.public_url.trim_end_matches('/').to_string();
    loop {
        let started = std::time::Instant::now();
        let published = published_state(&snapshot);
        let exported = export_once(&running.router, &snapshot, dir, &site_root, &public_url)
            .await
            .with_context(|| format!("exporting to {}", dir.display()))?;
        println!(
            "exported {} files to {} ({} written, {} deleted) in {} ms",
            exported.files,
            dir.display(),
            exported.written,
            exported.deleted,
            started.elapsed().as_millis()
        );
        for link in &exported.broken {
            eprintln!("warning: {link} did not answer 200; its links are left as they are");
        }
        if !watch {
            return Ok(());
        }
        // At once for what staff publish (or the database lost or back); for the rest
        // (the crowd figures, time passing) at most every `QUIET`.
        loop {
            let version = snapshot.version();
            snapshot.changed_since(version, QUIET).await;
            if published_state(&snapshot) != published || started.elapsed() >= QUIET {
                break;
            }
        }
        // Changes come in bursts (a resolve and its component changes): take them together.
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// How often `--watch` exports when only the crowd figures or the time changed.
const QUIET: Duration = Duration::from_secs(30);

/// What staff published, and whether it is as of a lost database.
fn published_state(snapshot: &SnapshotHandle) -> (Option<chrono::DateTime<Utc>>, bool) {
    let s = snapshot.load();
    (s.state.last_change, s.stale)
}

/// The addresses a crawl starts from, besides the home page in both languages: the
/// documents no page links to.
fn seeds(snapshot: &SnapshotHandle) -> Vec<String> {
    let mut seeds: Vec<String> = [
        "/",
        "/feed.atom",
        "/feed.rss",
        "/maintenance.ics",
        "/embed",
        "/api",
        "/api/openapi.json",
        "/api/v1/services",
        "/api/v1/incidents",
        "/api/v2/summary.json",
        "/api/v2/status.json",
        "/api/v2/components.json",
        "/api/v2/incidents.json",
        "/api/v2/incidents/unresolved.json",
        "/api/v2/scheduled-maintenances.json",
        "/api/v2/scheduled-maintenances/upcoming.json",
        "/api/v2/scheduled-maintenances/active.json",
    ]
    .map(String::from)
    .to_vec();
    for service in &snapshot.load().catalog.services {
        let slug = &service.slug;
        seeds.push(format!("/badge/{slug}.svg"));
        seeds.push(format!("/embed/{slug}"));
        seeds.push(format!("/services/{slug}/feed.atom"));
        seeds.push(format!("/services/{slug}/feed.rss"));
        seeds.push(format!("/api/v1/services/{slug}/crowd"));
    }
    let english: Vec<String> = seeds
        .iter()
        .filter(|s| !s.ends_with(".svg") && !s.ends_with("openapi.json"))
        .map(|s| format!("{s}?lang=en"))
        .collect();
    seeds.extend(english);
    seeds
}

/// Not for a mirror: the console, and the links that carry a secret or act.
fn excluded(address: &Address) -> bool {
    let path = address.path.as_str();
    path.starts_with("/admin")
        || path.starts_with("/subscribe/confirm")
        || path.starts_with("/unsubscribe")
        || path.starts_with("/api/v1/events")
}

struct Fetched {
    is_page: bool,
    body: Vec<u8>,
}

async fn fetch(router: &Router, address: &Address) -> anyhow::Result<Option<Fetched>> {
    let request = Request::get(address.request_uri())
        .body(Body::empty())
        .expect("a valid request");
    let response = router.clone().oneshot(request).await?;
    if response.status() != StatusCode::OK {
        return Ok(None);
    }
    let is_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let body = axum::body::to_bytes(response.into_body(), 64 << 20).await?;
    Ok(Some(Fetched {
        is_page,
        body: body.to_vec(),
    }))
}

pub async fn export_once(
    router: &Router,
    snapshot: &SnapshotHandle,
    dir: &Path,
    site_root: &Path,
    public_url: &str,
) -> anyhow::Result<Exported> {
    // 1. Crawl.
    let mut fetched: BTreeMap<Address, Fetched> = BTreeMap::new();
    let mut broken = BTreeSet::new();
    let mut queue: VecDeque<Address> = seeds(snapshot)
        .iter()
        .filter_map(|s| Address::parse(s))
        .collect();
    queue.push_back(Address::parse("/?lang=en").expect("an address"));
    let mut seen: BTreeSet<Address> = queue.iter().cloned().collect();
    while let Some(address) = queue.pop_front() {
        let Some(page) = fetch(router, &address).await? else {
            broken.insert(address.request_uri());
            continue;
        };
        if page.is_page {
            let html = String::from_utf8_lossy(&page.body);
            for link in links::links(&links::without_scripts(&html)) {
                if link.attribute == Attribute::Action {
                    continue;
                }
                let Some(next) = Address::parse(&link.value) else {
                    continue;
                };
                if !excluded(&next) && seen.len() < MAX_ADDRESSES && seen.insert(next.clone()) {
                    queue.push_back(next);
                }
            }
        }
        fetched.insert(address, page);
    }
    let is_page = |address: &Address| fetched.get(address).map(|f| f.is_page);

    // 2. The files: the site folder as it is, then every address fetched.
    let mut files: BTreeMap<String, (Vec<u8>, Option<Lang>)> = BTreeMap::new();
    for (relative, path) in site_files(site_root)? {
        files.insert(relative, (std::fs::read(path)?, None));
    }
    for (address, page) in &fetched {
        let file = address.file(page.is_page);
        if !page.is_page {
            files.insert(file, (page.body.clone(), None));
            continue;
        }
        let html = links::without_scripts(&String::from_utf8_lossy(&page.body));
        let html = links::rewrite_links(&html, |link| {
            if link.attribute == Attribute::Action {
                // A form posts to the live site, if it has a public address.
                return (!public_url.is_empty()).then(|| format!("{public_url}{}", link.value));
            }
            let target = Address::parse(&link.value)?;
            Some(target.href(is_page(&target)?))
        });
        let lang = if address.english { Lang::En } else { Lang::Ko };
        files.insert(file, (html.into_bytes(), Some(lang)));
    }

    // 3. Write what changed.
    std::fs::create_dir_all(dir)?;
    let old: BTreeMap<String, String> = std::fs::read(dir.join(MANIFEST))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default();
    let mut manifest = BTreeMap::new();
    let mut written = 0;
    for (file, (content, page_lang)) in &files {
        let hash = hex::encode(Sha256::digest(content));
        let path = dir.join(file);
        if old.get(file) != Some(&hash) || !path.exists() {
            let content = match page_lang {
                Some(lang) => stamped(content, *lang, public_url),
                None => content.clone(),
            };
            write_atomically(&path, &content)?;
            written += 1;
        }
        manifest.insert(file.clone(), hash);
    }
    let mut deleted = 0;
    for file in old.keys().filter(|f| !manifest.contains_key(*f)) {
        if std::fs::remove_file(dir.join(file)).is_ok() {
            deleted += 1;
        }
    }
    write_atomically(&dir.join(MANIFEST), &serde_json::to_vec(&manifest)?)?;
    Ok(Exported {
        files: files.len(),
        written,
        deleted,
        broken: broken.into_iter().collect(),
    })
}

/// A page with the line saying when it was generated, first in its main content (or
/// its body: the widget has no main).
fn stamped(html: &[u8], lang: Lang, public_url: &str) -> Vec<u8> {
    let html = String::from_utf8_lossy(html);
    let when = app::format::date_time(lang, Utc::now());
    let live = crate::web::kit::escape::escape(public_url);
    let notice = match (lang, public_url.is_empty()) {
        (Lang::Ko, true) => format!("이 페이지는 {when}에 만든 정적 사본입니다."),
        (Lang::Ko, false) => format!(
            "이 페이지는 {when}에 만든 정적 사본입니다. 실시간 상태: <a href=\"{live}\">{live}</a>"
        ),
        (Lang::En, true) => format!("A static copy of this page, generated {when}."),
        (Lang::En, false) => format!(
            "A static copy of this page, generated {when}. Live status: <a href=\"{live}\">{live}</a>"
        ),
    };
    let line = format!("<p id=\"mirror-notice\" class=\"mirror-notice\">{notice}</p>");
    let after = |tag: &str| {
        let at = html.find(tag)?;
        html[at..].find('>').map(|end| at + end + 1)
    };
    match after("<main").or_else(|| after("<body")) {
        Some(at) => format!("{}{line}{}", &html[..at], &html[at..]).into_bytes(),
        None => html.into_owned().into_bytes(),
    }
}

/// Every file under the site folder, by its path relative to it.
fn site_files(root: &Path) -> anyhow::Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let entries = std::fs::read_dir(&folder)
            .with_context(|| format!("reading the site folder {}", folder.display()))?;
        for entry in entries {
            let path = entry?.path();
            if path.is_dir() {
                folders.push(path);
            } else if let Ok(relative) = path.strip_prefix(root) {
                out.push((relative.to_string_lossy().replace('\\', "/"), path));
            }
        }
    }
    Ok(out)
}

/// Written aside and renamed, so a file server never serves half a file.
fn write_atomically(path: &Path, content: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let aside = path.with_file_name(format!(
        ".{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("file")
    ));
    std::fs::write(&aside, content)?;
    std::fs::rename(&aside, path)
}
