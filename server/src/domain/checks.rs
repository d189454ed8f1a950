//! Automated checks as configured (config/checks.toml): what is probed, how often, and
//! how many results it takes to call a feature failing or recovered. Validated at start:
//! a bad file stops the server with the file, the line and the reason.

use crate::domain::catalog::{is_slug, Catalog};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use std::time::Duration;
use toml::Spanned;

/// Every check of the site, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct ChecksConfig {
    pub checks: Vec<Check>,
    /// Targets that tell whether an agent's own network works. An agent whose control
    /// targets all fail in a round is set aside for that round, not counted as failing.
    pub controls: Vec<Check>,
    /// Raw results are kept this many days; the 5-minute rollups 90 days.
    pub raw_retention_days: u32,
    /// How long checks may fail while the official state says operational before the
    /// public page and staff are told.
    pub disagreement_grace: Duration,
}

/// One check, with every default filled in.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    /// Stable id, `[a-z0-9-]+`, unique in the file.
    pub id: String,
    /// The catalog component it checks, `service/component`. None for a control target.
    pub component: Option<String>,
    pub name_ko: String,
    pub name_en: String,
    pub probe: Probe,
    pub interval: Duration,
    pub timeout: Duration,
    /// Consecutive failures (per agent) that make it failing.
    pub failure_threshold: u32,
    /// Consecutive successes (per agent) that make it recovered.
    pub success_threshold: u32,
    /// A success slower than this counts as degraded.
    pub max_latency: Option<Duration>,
}

/// What a check does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Probe {
    Http {
        url: String,
        /// GET, HEAD or POST.
        method: String,
        /// Any of these statuses is a success (default: 200–299, written as empty).
        expect_status: Vec<u16>,
        body_contains: Option<String>,
        /// A JSON pointer (RFC 6901, `/status/indicator`) and the string its value must equal.
        json_pointer: Option<String>,
        json_equals: Option<String>,
        /// Fail when the server's TLS certificate expires in fewer days than this.
        tls_days_left: Option<u32>,
    },
    Tcp {
        /// `host:port`.
        address: String,
    },
    Dns {
        /// The name to resolve.
        name: String,
        /// Addresses that must all be among the answers (empty: any answer will do).
        expect: Vec<String>,
    },
    /// A job pushes to `/api/v1/heartbeats/{id}?token=…`; the check fails when no beat
    /// arrived for `missing_beats` intervals. Evaluated by the site, not by agents.
    Heartbeat { token: String, missing_beats: u32 },
}

impl Probe {
    pub fn kind(&self) -> &'static str {
        match self {
            Probe::Http { .. } => "http",
            Probe::Tcp { .. } => "tcp",
            Probe::Dns { .. } => "dns",
            Probe::Heartbeat { .. } => "heartbeat",
        }
    }
}

/// What one run of a check found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Succeeded within the latency limit.
    Up,
    /// Succeeded, slower than `max_latency`.
    Slow,
    /// Failed: refused, timed out, wrong status or body, certificate too close to expiry.
    Down,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Up => "up",
            Outcome::Slow => "slow",
            Outcome::Down => "down",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "up" => Some(Outcome::Up),
            "slow" => Some(Outcome::Slow),
            "down" => Some(Outcome::Down),
            _ => None,
        }
    }

    pub fn succeeded(self) -> bool {
        self != Outcome::Down
    }
}

// ---------------------------------------------------------------------------------------
// Loading and validating config/checks.toml.

/// Written in `url` and `address` values for the site's own address, known only at run
/// time; [`ChecksConfig::with_site`] replaces it.
pub const SITE_PLACEHOLDER: &str = "{site}";
/// What `{site}` stands for while a url is validated.
const SITE_FOR_URLS: &str = "http://127.0.0.1:3000";
/// What `{site}` stands for while a tcp address is validated.
const SITE_FOR_ADDRESSES: &str = "127.0.0.1:3000";

const DEFAULT_INTERVAL: i64 = 30;
const DEFAULT_TIMEOUT: i64 = 10;
const DEFAULT_FAILURE_THRESHOLD: i64 = 3;
const DEFAULT_SUCCESS_THRESHOLD: i64 = 2;
const DEFAULT_RETENTION_DAYS: i64 = 7;
const DEFAULT_GRACE_SECONDS: i64 = 300;
const DEFAULT_MISSING_BEATS: i64 = 3;

/// Why config/checks.toml was refused.
#[derive(Debug, thiserror::Error)]
pub enum ChecksError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// `config/checks.toml:12: check "talk-api": interval_seconds = 2 is under the 5 s minimum`
    #[error("{file}:{line}: {reason}")]
    Invalid {
        file: String,
        /// 1-based line of the offending value or table.
        line: usize,
        reason: String,
    },
}

impl ChecksError {
    /// The 1-based line the error points at (None for a file that could not be read).
    pub fn line(&self) -> Option<usize> {
        match self {
            ChecksError::Read { .. } => None,
            ChecksError::Invalid { line, .. } => Some(*line),
        }
    }
}

impl ChecksConfig {
    /// No checks at all (a site without checks): raw results kept 7 days, 5 minutes' grace.
    pub fn empty() -> Self {
        ChecksConfig {
            checks: Vec::new(),
            controls: Vec::new(),
            raw_retention_days: DEFAULT_RETENTION_DAYS as u32,
            disagreement_grace: Duration::from_secs(DEFAULT_GRACE_SECONDS as u64),
        }
    }

    /// Reads and validates the file; a missing file is an error (see [`Self::load_optional`]).
    pub fn load(path: &Path, catalog: &Catalog) -> Result<Self, ChecksError> {
        let text = std::fs::read_to_string(path).map_err(|source| ChecksError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text, &path.display().to_string(), catalog)
    }

    /// As [`Self::load`], but a file that does not exist means no checks: [`Self::empty`].
    pub fn load_optional(path: &Path, catalog: &Catalog) -> Result<Self, ChecksError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text, &path.display().to_string(), catalog),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::empty()),
            Err(source) => Err(ChecksError::Read {
                path: path.display().to_string(),
                source,
            }),
        }
    }

    /// Validates the text of a checks file; `file` is only used in error messages.
    /// Every component named must be in `catalog`.
    pub fn parse(text: &str, file: &str, catalog: &Catalog) -> Result<Self, ChecksError> {
        let cx = Cx { text, file };
        let raw: RawFile = toml::from_str(text).map_err(|e| cx.toml_error(&e))?;
        let defaults = cx.defaults(raw.defaults.as_ref())?;
        let mut seen = HashMap::new();
        let mut checks = Vec::with_capacity(raw.checks.len());
        for table in &raw.checks {
            checks.push(cx.check(table, false, &defaults, catalog, &mut seen)?);
        }
        let mut controls = Vec::with_capacity(raw.controls.len());
        for table in &raw.controls {
            controls.push(cx.check(table, true, &defaults, catalog, &mut seen)?);
        }
        Ok(ChecksConfig {
            checks,
            controls,
            raw_retention_days: defaults.raw_retention_days,
            disagreement_grace: defaults.disagreement_grace,
        })
    }

    /// The check or control target with this id.
    pub fn check(&self, id: &str) -> Option<&Check> {
        self.checks
            .iter()
            .chain(&self.controls)
            .find(|check| check.id == id)
    }

    /// The checks of one component (`service/component`), in file order.
    pub fn for_component<'a>(&'a self, component: &'a str) -> impl Iterator<Item = &'a Check> + 'a {
        self.checks
            .iter()
            .filter(move |check| check.component.as_deref() == Some(component))
    }

    /// Replaces `{site}` with the site's own address: in http urls by its origin without a
    /// trailing slash (`http://127.0.0.1:3000`), in tcp addresses by `host:port`.
    pub fn with_site(mut self, site: &url::Url) -> Self {
        let origin = site.origin().ascii_serialization();
        let host_port = match (site.host_str(), site.port_or_known_default()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_string(),
            (None, _) => origin.clone(),
        };
        for check in self.checks.iter_mut().chain(self.controls.iter_mut()) {
            match &mut check.probe {
                Probe::Http { url, .. } => *url = url.replace(SITE_PLACEHOLDER, &origin),
                Probe::Tcp { address } => *address = address.replace(SITE_PLACEHOLDER, &host_port),
                Probe::Dns { .. } | Probe::Heartbeat { .. } => {}
            }
        }
        self
    }
}

/// Shorthand for [`ChecksConfig::load_optional`].
pub fn load_optional(path: &Path, catalog: &Catalog) -> Result<ChecksConfig, ChecksError> {
    ChecksConfig::load_optional(path, catalog)
}

// The file as written. Every value is spanned so that an error can name its line.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    defaults: Option<Spanned<RawDefaults>>,
    #[serde(default)]
    checks: Vec<Spanned<RawCheck>>,
    #[serde(default)]
    controls: Vec<Spanned<RawCheck>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefaults {
    interval_seconds: Option<Spanned<i64>>,
    timeout_seconds: Option<Spanned<i64>>,
    failure_threshold: Option<Spanned<i64>>,
    success_threshold: Option<Spanned<i64>>,
    raw_retention_days: Option<Spanned<i64>>,
    disagreement_grace_seconds: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    id: Option<Spanned<String>>,
    component: Option<Spanned<String>>,
    name_ko: Option<Spanned<String>>,
    name_en: Option<Spanned<String>>,
    kind: Option<Spanned<String>>,
    interval_seconds: Option<Spanned<i64>>,
    timeout_seconds: Option<Spanned<i64>>,
    failure_threshold: Option<Spanned<i64>>,
    success_threshold: Option<Spanned<i64>>,
    max_latency_ms: Option<Spanned<i64>>,
    // http
    url: Option<Spanned<String>>,
    method: Option<Spanned<String>>,
    expect_status: Option<Spanned<toml::Value>>,
    body_contains: Option<Spanned<String>>,
    json_pointer: Option<Spanned<String>>,
    json_equals: Option<Spanned<String>>,
    tls_days_left: Option<Spanned<i64>>,
    // tcp
    address: Option<Spanned<String>>,
    // dns
    name: Option<Spanned<String>>,
    expect: Option<Spanned<Vec<Spanned<String>>>>,
    // heartbeat
    token: Option<Spanned<String>>,
    missing_beats: Option<Spanned<i64>>,
}

/// Only enough of the file to tell which table a TOML error falls in.
#[derive(Deserialize)]
struct LooseFile {
    defaults: Option<Spanned<serde::de::IgnoredAny>>,
    #[serde(default)]
    checks: Vec<Spanned<LooseCheck>>,
    #[serde(default)]
    controls: Vec<Spanned<LooseCheck>>,
}

#[derive(Deserialize)]
struct LooseCheck {
    id: Option<toml::Value>,
}

/// A kind-specific field: its name, where it is set (if it is), the kinds it belongs to.
type FieldUse = (&'static str, Option<Range<usize>>, &'static [&'static str]);

/// [defaults], validated.
struct Defaults {
    interval: i64,
    timeout: i64,
    failure_threshold: i64,
    success_threshold: i64,
    raw_retention_days: u32,
    disagreement_grace: Duration,
}

#[derive(Clone, Copy)]
enum Unit {
    Seconds,
    Days,
    Millis,
    Count,
}

impl Unit {
    fn suffix(self) -> &'static str {
        match self {
            Unit::Seconds => " s",
            Unit::Days => " days",
            Unit::Millis => " ms",
            Unit::Count => "",
        }
    }
}

fn article(kind: &str) -> &'static str {
    if kind == "http" {
        "an"
    } else {
        "a"
    }
}

/// A hostname: dot-separated labels of letters, digits and `-`, a trailing dot allowed.
fn is_hostname(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// `host:port` with a port of 1..=65535; None names what is wrong.
fn address_problem(address: &str) -> Option<&'static str> {
    let Some((host, port)) = address.rsplit_once(':') else {
        return Some("must be host:port");
    };
    let host_ok = if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        inner.parse::<std::net::Ipv6Addr>().is_ok()
    } else {
        host.parse::<std::net::Ipv4Addr>().is_ok() || is_hostname(host)
    };
    if !host_ok {
        return Some("must be host:port with a valid host");
    }
    match port.parse::<u32>() {
        Ok(1..=65535) => None,
        _ => Some("must end in a port from 1 to 65535"),
    }
}

fn is_token(token: &str) -> bool {
    (16..=128).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// A serde/TOML message in the style of the others: `unknown field "foo" (expected one of "id", …)`.
fn tidy_toml_message(message: &str) -> String {
    // `x` quoting becomes "x" ('"' for a quote mark); several lines become one.
    let mut tidy = String::new();
    for (i, part) in message.trim().split('`').enumerate() {
        match (i % 2, part.contains('"')) {
            (0, _) => tidy.push_str(part),
            (_, false) => tidy.push_str(&format!("\"{part}\"")),
            (_, true) => tidy.push_str(&format!("'{part}'")),
        }
    }
    let tidy = tidy
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
        .replace("expected i64", "expected an integer");
    if tidy.starts_with("unknown field") {
        if let Some((field, expected)) = tidy.split_once(", expected") {
            return format!("{field} (expected{expected})");
        }
    }
    tidy
}

struct Cx<'t> {
    text: &'t str,
    file: &'t str,
}

impl Cx<'_> {
    fn line(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }

    fn err(&self, span: Range<usize>, reason: impl Into<String>) -> ChecksError {
        ChecksError::Invalid {
            file: self.file.to_string(),
            line: self.line(span.start),
            reason: reason.into(),
        }
    }

    fn toml_error(&self, error: &toml::de::Error) -> ChecksError {
        let offset = error.span().map_or(0, |span| span.start);
        let mut reason = tidy_toml_message(error.message());
        if let Some(table) = error.span().and_then(|_| self.table_at(offset)) {
            reason = format!("{table}: {reason}");
        }
        ChecksError::Invalid {
            file: self.file.to_string(),
            line: self.line(offset),
            reason,
        }
    }

    /// Which table the byte offset falls in (`check "a"`, `[defaults]`), when the file is
    /// well-formed enough to tell.
    fn table_at(&self, offset: usize) -> Option<String> {
        let loose: LooseFile = toml::from_str(self.text).ok()?;
        let mut best: Option<(usize, String)> = None;
        let mut consider = |start: usize, label: String| {
            if start <= offset && best.as_ref().is_none_or(|(s, _)| start >= *s) {
                best = Some((start, label));
            }
        };
        if let Some(defaults) = &loose.defaults {
            consider(defaults.span().start, "[defaults]".to_string());
        }
        for (tables, what) in [(&loose.checks, "check"), (&loose.controls, "control")] {
            for table in tables {
                let label = match &table.get_ref().id {
                    Some(toml::Value::String(id)) => format!("{what} \"{id}\""),
                    _ => format!("a {what} without an id"),
                };
                consider(table.span().start, label);
            }
        }
        best.map(|(_, label)| label)
    }

    /// A whole number in `min..=max`, its error naming the field and the bound.
    fn ranged(
        &self,
        who: &str,
        field: &str,
        value: &Spanned<i64>,
        min: i64,
        max: i64,
        unit: Unit,
    ) -> Result<i64, ChecksError> {
        let v = *value.get_ref();
        let reason = match unit {
            Unit::Count if v < min => format!("{field} must be at least {min} (it is {v})"),
            Unit::Count if v > max => format!("{field} must be at most {max} (it is {v})"),
            _ if v < min => format!("{field} = {v} is under the {min}{} minimum", unit.suffix()),
            _ if v > max => format!("{field} = {v} is over the {max}{} maximum", unit.suffix()),
            _ => return Ok(v),
        };
        Err(self.err(value.span(), format!("{who}{reason}")))
    }

    fn defaults(&self, raw: Option<&Spanned<RawDefaults>>) -> Result<Defaults, ChecksError> {
        let mut defaults = Defaults {
            interval: DEFAULT_INTERVAL,
            timeout: DEFAULT_TIMEOUT,
            failure_threshold: DEFAULT_FAILURE_THRESHOLD,
            success_threshold: DEFAULT_SUCCESS_THRESHOLD,
            raw_retention_days: DEFAULT_RETENTION_DAYS as u32,
            disagreement_grace: Duration::from_secs(DEFAULT_GRACE_SECONDS as u64),
        };
        let Some(raw) = raw else {
            return Ok(defaults);
        };
        let who = "[defaults]: ";
        let table = raw.get_ref();
        if let Some(v) = &table.interval_seconds {
            defaults.interval =
                self.ranged(who, "interval_seconds", v, 5, 86_400, Unit::Seconds)?;
        }
        if let Some(v) = &table.timeout_seconds {
            defaults.timeout = self.ranged(who, "timeout_seconds", v, 1, 86_400, Unit::Seconds)?;
        }
        if defaults.timeout > defaults.interval {
            let span = table
                .timeout_seconds
                .as_ref()
                .or(table.interval_seconds.as_ref())
                .map_or(raw.span(), |v| v.span());
            return Err(self.err(
                span,
                format!(
                    "{who}timeout_seconds ({}) must not exceed interval_seconds ({})",
                    defaults.timeout, defaults.interval
                ),
            ));
        }
        if let Some(v) = &table.failure_threshold {
            defaults.failure_threshold =
                self.ranged(who, "failure_threshold", v, 1, 100, Unit::Count)?;
        }
        if let Some(v) = &table.success_threshold {
            defaults.success_threshold =
                self.ranged(who, "success_threshold", v, 1, 100, Unit::Count)?;
        }
        if let Some(v) = &table.raw_retention_days {
            defaults.raw_retention_days =
                self.ranged(who, "raw_retention_days", v, 1, 90, Unit::Days)? as u32;
        }
        if let Some(v) = &table.disagreement_grace_seconds {
            let seconds = self.ranged(
                who,
                "disagreement_grace_seconds",
                v,
                0,
                86_400,
                Unit::Seconds,
            )?;
            defaults.disagreement_grace = Duration::from_secs(seconds as u64);
        }
        Ok(defaults)
    }

    fn check(
        &self,
        spanned: &Spanned<RawCheck>,
        control: bool,
        defaults: &Defaults,
        catalog: &Catalog,
        seen: &mut HashMap<String, usize>,
    ) -> Result<Check, ChecksError> {
        let table_span = spanned.span();
        let raw = spanned.get_ref();
        let what = if control { "control" } else { "check" };
        let header = if control {
            "[[controls]]"
        } else {
            "[[checks]]"
        };

        // Its id, which every later message names.
        let Some(id) = &raw.id else {
            return Err(self.err(table_span, format!("a {header} table has no id")));
        };
        if !is_slug(id.get_ref()) {
            return Err(self.err(
                id.span(),
                format!(
                    "{what} id \"{}\" must be 1 to 64 characters of a-z, 0-9 and -",
                    id.get_ref()
                ),
            ));
        }
        let id_line = self.line(id.span().start);
        if let Some(first) = seen.insert(id.get_ref().clone(), id_line) {
            return Err(self.err(
                id.span(),
                format!(
                    "duplicate check id \"{}\" (first used on line {first}; ids are unique across checks and controls)",
                    id.get_ref()
                ),
            ));
        }
        let who = format!("{what} \"{}\": ", id.get_ref());

        // Its kind.
        let Some(kind_value) = &raw.kind else {
            let kinds = if control {
                "http, tcp or dns"
            } else {
                "http, tcp, dns or heartbeat"
            };
            return Err(self.err(table_span, format!("{who}kind is required ({kinds})")));
        };
        let kind = match kind_value.get_ref().as_str() {
            k @ ("http" | "tcp" | "dns") => k,
            "heartbeat" if !control => "heartbeat",
            "heartbeat" => {
                return Err(self.err(
                    kind_value.span(),
                    format!("{who}a control cannot be a heartbeat check (use http, tcp or dns)"),
                ))
            }
            other => {
                return Err(self.err(
                    kind_value.span(),
                    format!("{who}kind \"{other}\" is not http, tcp, dns or heartbeat"),
                ))
            }
        };

        // What it checks.
        let component = match (&raw.component, control) {
            (Some(c), true) => {
                return Err(self.err(
                    c.span(),
                    format!("{who}field \"component\" does not apply to a control"),
                ))
            }
            (None, true) => None,
            (None, false) => {
                return Err(self.err(
                    table_span,
                    format!("{who}component is required (a \"service/component\" of the catalog)"),
                ))
            }
            (Some(c), false) => {
                if catalog.component(c.get_ref()).is_none() {
                    return Err(self.err(
                        c.span(),
                        format!("{who}component \"{}\" is not in the catalog", c.get_ref()),
                    ));
                }
                Some(c.get_ref().clone())
            }
        };
        let name = |value: &Option<Spanned<String>>, field: &str| match value {
            Some(v) if v.get_ref().trim().is_empty() => {
                Err(self.err(v.span(), format!("{who}{field} must not be empty")))
            }
            Some(v) => Ok(v.get_ref().clone()),
            None => Ok(id.get_ref().clone()),
        };
        let name_ko = name(&raw.name_ko, "name_ko")?;
        let name_en = name(&raw.name_en, "name_en")?;

        // Fields of another kind.
        let span = |v: &Option<Spanned<String>>| v.as_ref().map(Spanned::span);
        let int_span = |v: &Option<Spanned<i64>>| v.as_ref().map(Spanned::span);
        const HTTP_ONLY: &[&str] = &["http"];
        let specific: [FieldUse; 13] = [
            ("url", span(&raw.url), HTTP_ONLY),
            ("method", span(&raw.method), HTTP_ONLY),
            (
                "expect_status",
                raw.expect_status.as_ref().map(Spanned::span),
                HTTP_ONLY,
            ),
            ("body_contains", span(&raw.body_contains), HTTP_ONLY),
            ("json_pointer", span(&raw.json_pointer), HTTP_ONLY),
            ("json_equals", span(&raw.json_equals), HTTP_ONLY),
            ("tls_days_left", int_span(&raw.tls_days_left), HTTP_ONLY),
            ("address", span(&raw.address), &["tcp"]),
            ("name", span(&raw.name), &["dns"]),
            ("expect", raw.expect.as_ref().map(Spanned::span), &["dns"]),
            ("token", span(&raw.token), &["heartbeat"]),
            (
                "missing_beats",
                int_span(&raw.missing_beats),
                &["heartbeat"],
            ),
            (
                "max_latency_ms",
                int_span(&raw.max_latency_ms),
                &["http", "tcp", "dns"],
            ),
        ];
        for (field, field_span, kinds) in specific {
            if let Some(field_span) = field_span {
                if !kinds.contains(&kind) {
                    return Err(self.err(
                        field_span,
                        format!(
                            "{who}field \"{field}\" does not apply to {} {kind} check",
                            article(kind)
                        ),
                    ));
                }
            }
        }

        // How often, how long, how many.
        let interval = match &raw.interval_seconds {
            Some(v) => self.ranged(&who, "interval_seconds", v, 5, 86_400, Unit::Seconds)?,
            None => defaults.interval,
        };
        let timeout = match &raw.timeout_seconds {
            Some(v) => self.ranged(&who, "timeout_seconds", v, 1, 86_400, Unit::Seconds)?,
            None => defaults.timeout,
        };
        if timeout > interval {
            let span = raw
                .timeout_seconds
                .as_ref()
                .or(raw.interval_seconds.as_ref())
                .map_or(table_span.clone(), |v| v.span());
            return Err(self.err(
                span,
                format!("{who}timeout_seconds ({timeout}) must not exceed interval_seconds ({interval})"),
            ));
        }
        let failure_threshold = match &raw.failure_threshold {
            Some(v) => self.ranged(&who, "failure_threshold", v, 1, 100, Unit::Count)?,
            None => defaults.failure_threshold,
        };
        let success_threshold = match &raw.success_threshold {
            Some(v) => self.ranged(&who, "success_threshold", v, 1, 100, Unit::Count)?,
            None => defaults.success_threshold,
        };
        let max_latency = match &raw.max_latency_ms {
            Some(v) if *v.get_ref() > timeout * 1000 => {
                return Err(self.err(
                    v.span(),
                    format!(
                    "{who}max_latency_ms ({}) must not exceed the timeout ({timeout} s = {} ms)",
                    v.get_ref(),
                    timeout * 1000
                ),
                ))
            }
            Some(v) => {
                let ms = self.ranged(&who, "max_latency_ms", v, 1, timeout * 1000, Unit::Millis)?;
                Some(Duration::from_millis(ms as u64))
            }
            None => None,
        };

        let probe = match kind {
            "http" => self.http(&who, raw, table_span)?,
            "tcp" => {
                let Some(address) = &raw.address else {
                    return Err(self.err(
                        table_span,
                        format!("{who}a tcp check needs an address (host:port)"),
                    ));
                };
                let substituted = address
                    .get_ref()
                    .replace(SITE_PLACEHOLDER, SITE_FOR_ADDRESSES);
                if let Some(problem) = address_problem(&substituted) {
                    return Err(self.err(
                        address.span(),
                        format!("{who}address \"{}\" {problem}", address.get_ref()),
                    ));
                }
                Probe::Tcp {
                    address: address.get_ref().clone(),
                }
            }
            "dns" => {
                let Some(name) = &raw.name else {
                    return Err(self.err(
                        table_span,
                        format!("{who}a dns check needs a name to resolve"),
                    ));
                };
                if !is_hostname(name.get_ref()) {
                    return Err(self.err(
                        name.span(),
                        format!("{who}name \"{}\" is not a hostname", name.get_ref()),
                    ));
                }
                let mut expect = Vec::new();
                for address in raw.expect.as_ref().map_or(&[][..], |e| e.get_ref()) {
                    if address.get_ref().parse::<std::net::IpAddr>().is_err() {
                        return Err(self.err(
                            address.span(),
                            format!("{who}expect \"{}\" is not an IP address", address.get_ref()),
                        ));
                    }
                    expect.push(address.get_ref().clone());
                }
                Probe::Dns {
                    name: name.get_ref().clone(),
                    expect,
                }
            }
            _ => {
                let Some(token) = &raw.token else {
                    return Err(
                        self.err(table_span, format!("{who}a heartbeat check needs a token"))
                    );
                };
                // The token is a secret: not repeated in the message.
                if !is_token(token.get_ref()) {
                    return Err(self.err(
                        token.span(),
                        format!("{who}token must be 16 to 128 characters of A-Z, a-z, 0-9, _ and - (it has {})", token.get_ref().chars().count()),
                    ));
                }
                let missing_beats = match &raw.missing_beats {
                    Some(v) => self.ranged(&who, "missing_beats", v, 1, 100, Unit::Count)?,
                    None => DEFAULT_MISSING_BEATS,
                };
                Probe::Heartbeat {
                    token: token.get_ref().clone(),
                    missing_beats: missing_beats as u32,
                }
            }
        };

        Ok(Check {
            id: id.get_ref().clone(),
            component,
            name_ko,
            name_en,
            probe,
            interval: Duration::from_secs(interval as u64),
            timeout: Duration::from_secs(timeout as u64),
            failure_threshold: failure_threshold as u32,
            success_threshold: success_threshold as u32,
            max_latency,
        })
    }

    fn http(
        &self,
        who: &str,
        raw: &RawCheck,
        table_span: Range<usize>,
    ) -> Result<Probe, ChecksError> {
        let Some(url) = &raw.url else {
            return Err(self.err(table_span, format!("{who}an http check needs a url")));
        };
        let text = url.get_ref();
        if text.contains(SITE_PLACEHOLDER) && !text.starts_with(SITE_PLACEHOLDER) {
            return Err(self.err(
                url.span(),
                format!("{who}url \"{text}\": {{site}} must begin the url (it stands for the site's scheme, host and port)"),
            ));
        }
        let parsed = match url::Url::parse(&text.replace(SITE_PLACEHOLDER, SITE_FOR_URLS)) {
            Ok(parsed) => parsed,
            Err(e) => {
                return Err(self.err(
                    url.span(),
                    format!("{who}url \"{text}\" is not a valid URL ({e})"),
                ))
            }
        };
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(self.err(
                url.span(),
                format!("{who}url \"{text}\" is not http or https"),
            ));
        }
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err(self.err(url.span(), format!("{who}url \"{text}\" has no host")));
        }

        let method = match &raw.method {
            None => "GET".to_string(),
            Some(m) => {
                let upper = m.get_ref().to_ascii_uppercase();
                if !matches!(upper.as_str(), "GET" | "HEAD" | "POST") {
                    return Err(self.err(
                        m.span(),
                        format!("{who}method \"{}\" is not GET, HEAD or POST", m.get_ref()),
                    ));
                }
                upper
            }
        };

        let mut expect_status = Vec::new();
        if let Some(value) = &raw.expect_status {
            let codes = match value.get_ref() {
                toml::Value::Integer(code) => vec![Some(*code)],
                toml::Value::Array(items) => items.iter().map(toml::Value::as_integer).collect(),
                _ => vec![None],
            };
            for code in codes {
                match code {
                    Some(code @ 100..=599) => expect_status.push(code as u16),
                    Some(code) => {
                        return Err(self.err(
                            value.span(),
                            format!("{who}expect_status {code} is not an HTTP status (100 to 599)"),
                        ))
                    }
                    None => {
                        return Err(self.err(
                            value.span(),
                            format!(
                            "{who}expect_status must be a status code or an array of status codes"
                        ),
                        ))
                    }
                }
            }
        }

        if let Some(body) = &raw.body_contains {
            if body.get_ref().is_empty() {
                return Err(self.err(body.span(), format!("{who}body_contains must not be empty")));
            }
        }
        match (&raw.json_pointer, &raw.json_equals) {
            (Some(pointer), Some(_)) if !pointer.get_ref().starts_with('/') => {
                return Err(self.err(
                    pointer.span(),
                    format!(
                        "{who}json_pointer \"{}\" must start with \"/\"",
                        pointer.get_ref()
                    ),
                ))
            }
            (Some(pointer), None) => {
                return Err(self.err(
                    pointer.span(),
                    format!("{who}json_pointer needs json_equals (both or neither)"),
                ))
            }
            (None, Some(equals)) => {
                return Err(self.err(
                    equals.span(),
                    format!("{who}json_equals needs json_pointer (both or neither)"),
                ))
            }
            _ => {}
        }
        if method == "HEAD" {
            let body_field = raw
                .body_contains
                .as_ref()
                .map(|v| ("body_contains", v.span()))
                .or(raw
                    .json_pointer
                    .as_ref()
                    .map(|v| ("json_pointer", v.span())));
            if let Some((field, span)) = body_field {
                return Err(self.err(
                    span,
                    format!("{who}{field} needs a response body, and a HEAD request gets none"),
                ));
            }
        }

        let tls_days_left = match &raw.tls_days_left {
            None => None,
            Some(v) if parsed.scheme() != "https" || text.starts_with(SITE_PLACEHOLDER) => {
                let why = if text.starts_with(SITE_PLACEHOLDER) {
                    " ({site} may be plain http)"
                } else {
                    ""
                };
                return Err(self.err(
                    v.span(),
                    format!(
                        "{who}tls_days_left needs an https url, and \"{text}\" is not one{why}"
                    ),
                ));
            }
            Some(v) => Some(self.ranged(who, "tls_days_left", v, 1, 365, Unit::Days)? as u32),
        };

        Ok(Probe::Http {
            url: text.clone(),
            method,
            expect_status,
            body_contains: raw.body_contains.as_ref().map(|v| v.get_ref().clone()),
            json_pointer: raw.json_pointer.as_ref().map(|v| v.get_ref().clone()),
            json_equals: raw.json_equals.as_ref().map(|v| v.get_ref().clone()),
            tls_days_left,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn catalog() -> Catalog {
        Catalog::load(Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../config/catalog.toml"
        )))
        .expect("the shipped catalog loads")
    }

    fn parse(text: &str) -> Result<ChecksConfig, ChecksError> {
        ChecksConfig::parse(text, "config/checks.toml", &catalog())
    }

    /// The error's line and message; panics when the text is accepted.
    fn refused(text: &str) -> (usize, String) {
        match parse(text) {
            Ok(config) => panic!("accepted: {config:?}"),
            Err(error) => (error.line().expect("a line"), error.to_string()),
        }
    }

    fn assert_refused(text: &str, line: usize, words: &[&str]) {
        let (got, message) = refused(text);
        assert_eq!(got, line, "{message}");
        assert!(
            message.starts_with(&format!("config/checks.toml:{line}: ")),
            "{message}"
        );
        for word in words {
            assert!(message.contains(word), "{message:?} lacks {word:?}");
        }
    }

    /// An http check whose table starts on line 1; lines 6 and on are the test's.
    const HTTP: &str = "[[checks]]\nid = \"a\"\ncomponent = \"kakaotalk/messages\"\nkind = \"http\"\nurl = \"https://example.com/\"\n";

    #[test]
    fn the_shipped_checks_parse_against_the_shipped_catalog() {
        let path = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../config/checks.toml"
        ));
        let config = ChecksConfig::load(path, &catalog()).unwrap_or_else(|e| panic!("{e}"));
        let ids: Vec<_> = config.checks.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "kakaotalk-page",
                "kakaopay-page",
                "kakaot-page",
                "kakaomap-page",
                "daum-page",
                "site-tcp",
            ]
        );
        assert_eq!(config.controls.len(), 1);
        assert_eq!(config.controls[0].component, None);
        assert_eq!(config.raw_retention_days, 7);
        assert_eq!(config.disagreement_grace, Duration::from_secs(300));
        let talk = config.check("kakaotalk-page").unwrap();
        assert_eq!(talk.interval, Duration::from_secs(30));
        assert_eq!(talk.max_latency, Some(Duration::from_millis(1000)));
        match &talk.probe {
            Probe::Http {
                url,
                expect_status,
                body_contains,
                ..
            } => {
                assert_eq!(url, "{site}/services/kakaotalk");
                assert_eq!(expect_status, &[200]);
                assert_eq!(body_contains.as_deref(), Some("카카오톡"));
            }
            other => panic!("{other:?}"),
        }
        // Everything shipped works offline against the site itself: no heartbeat that
        // nothing beats (it would show a fresh site failing after a few minutes).
        let kinds: HashSet<_> = config.checks.iter().map(|c| c.probe.kind()).collect();
        assert_eq!(kinds, HashSet::from(["http", "tcp"]));
    }

    #[test]
    fn defaults_are_filled_in_and_overridden() {
        let config = parse(HTTP).unwrap();
        let check = &config.checks[0];
        assert_eq!(check.name_ko, "a");
        assert_eq!(check.name_en, "a");
        assert_eq!(check.interval, Duration::from_secs(30));
        assert_eq!(check.timeout, Duration::from_secs(10));
        assert_eq!((check.failure_threshold, check.success_threshold), (3, 2));
        assert_eq!(check.max_latency, None);
        assert_eq!(
            check.probe,
            Probe::Http {
                url: "https://example.com/".into(),
                method: "GET".into(),
                expect_status: vec![],
                body_contains: None,
                json_pointer: None,
                json_equals: None,
                tls_days_left: None,
            }
        );
        assert_eq!(config.raw_retention_days, 7);
        assert_eq!(config.disagreement_grace, Duration::from_secs(300));

        let text = format!(
            "[defaults]\ninterval_seconds = 60\nfailure_threshold = 5\nraw_retention_days = 30\ndisagreement_grace_seconds = 0\n{HTTP}timeout_seconds = 20\n"
        );
        let config = parse(&text).unwrap();
        let check = &config.checks[0];
        assert_eq!(check.interval, Duration::from_secs(60));
        assert_eq!(check.timeout, Duration::from_secs(20));
        assert_eq!(check.failure_threshold, 5);
        assert_eq!(config.raw_retention_days, 30);
        assert_eq!(config.disagreement_grace, Duration::ZERO);

        let heartbeat = "[[checks]]\nid = \"hb\"\ncomponent = \"daum/mail\"\nkind = \"heartbeat\"\ntoken = \"abcdefghijklmnop\"\n";
        let config = parse(heartbeat).unwrap();
        assert_eq!(
            config.checks[0].probe,
            Probe::Heartbeat {
                token: "abcdefghijklmnop".into(),
                missing_beats: 3
            }
        );
    }

    #[test]
    fn an_empty_or_missing_file_means_no_checks() {
        assert_eq!(parse("").unwrap(), ChecksConfig::empty());
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("checks.toml");
        assert_eq!(
            ChecksConfig::load_optional(&missing, &catalog()).unwrap(),
            ChecksConfig::empty()
        );
        let error = ChecksConfig::load(&missing, &catalog())
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("cannot read ") && error.contains("checks.toml"),
            "{error}"
        );
    }

    #[test]
    fn checks_are_found_by_id_and_by_component() {
        let text = format!(
            "{HTTP}[[checks]]\nid = \"b\"\ncomponent = \"kakaotalk/media\"\nkind = \"tcp\"\naddress = \"example.com:443\"\n[[controls]]\nid = \"c\"\nkind = \"dns\"\nname = \"example.com\"\nexpect = [\"192.0.2.1\", \"2001:db8::1\"]\n"
        );
        let config = parse(&text).unwrap();
        assert_eq!(config.check("b").unwrap().probe.kind(), "tcp");
        assert_eq!(config.check("c").unwrap().probe.kind(), "dns");
        assert!(config.check("d").is_none());
        let ids: Vec<_> = config
            .for_component("kakaotalk/messages")
            .map(|c| &c.id)
            .collect();
        assert_eq!(ids, ["a"]);
        assert_eq!(config.for_component("daum/mail").count(), 0);
    }

    #[test]
    fn with_site_substitutes_the_sites_address() {
        let text = "[[checks]]\nid = \"a\"\ncomponent = \"kakaotalk/messages\"\nkind = \"http\"\nurl = \"{site}/services/kakaotalk\"\n\
                    [[checks]]\nid = \"b\"\ncomponent = \"kakaotalk/messages\"\nkind = \"tcp\"\naddress = \"{site}\"\n\
                    [[controls]]\nid = \"c\"\nkind = \"http\"\nurl = \"{site}/healthz\"\n";
        let config = parse(text).unwrap();
        let local = config
            .clone()
            .with_site(&"http://127.0.0.1:3000/".parse().unwrap());
        let url = |config: &ChecksConfig, id: &str| match &config.check(id).unwrap().probe {
            Probe::Http { url, .. } => url.clone(),
            Probe::Tcp { address } => address.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(url(&local, "a"), "http://127.0.0.1:3000/services/kakaotalk");
        assert_eq!(url(&local, "b"), "127.0.0.1:3000");
        assert_eq!(url(&local, "c"), "http://127.0.0.1:3000/healthz");
        let public = config.with_site(&"https://status.example.com/".parse().unwrap());
        assert_eq!(
            url(&public, "a"),
            "https://status.example.com/services/kakaotalk"
        );
        assert_eq!(url(&public, "b"), "status.example.com:443");
    }

    #[test]
    fn bad_timing_is_refused_with_its_line() {
        assert_refused(
            &format!("{HTTP}interval_seconds = 2\n"),
            6,
            &[
                "check \"a\"",
                "interval_seconds = 2 is under the 5 s minimum",
            ],
        );
        assert_refused(
            &format!("{HTTP}failure_threshold = 0\n"),
            6,
            &["check \"a\"", "failure_threshold must be at least 1"],
        );
        assert_refused(
            &format!("{HTTP}interval_seconds = 30\ntimeout_seconds = 40\n"),
            7,
            &["timeout_seconds (40) must not exceed interval_seconds (30)"],
        );
        assert_refused(
            &format!("{HTTP}max_latency_ms = 20000\n"),
            6,
            &["max_latency_ms (20000) must not exceed the timeout"],
        );
        assert_refused(
            "[defaults]\n\nraw_retention_days = 91\n",
            3,
            &[
                "[defaults]",
                "raw_retention_days = 91 is over the 90 days maximum",
            ],
        );
        assert_refused(
            "[defaults]\ninterval_seconds = 10\ntimeout_seconds = 11\n",
            3,
            &["timeout_seconds (11) must not exceed interval_seconds (10)"],
        );
    }

    #[test]
    fn unknown_and_misplaced_fields_are_refused_by_name() {
        assert_refused(
            &format!("{HTTP}foo = 1\n"),
            6,
            &[
                "check \"a\"",
                "unknown field \"foo\"",
                "expected one of",
                "\"url\"",
            ],
        );
        assert_refused(
            "[defaults]\ninterval_seconds = 30\nmax_latency_ms = 5\n",
            3,
            &["unknown field \"max_latency_ms\""],
        );
        assert_refused(
            &format!("{HTTP}address = \"example.com:80\"\n"),
            6,
            &["check \"a\": field \"address\" does not apply to an http check"],
        );
        let heartbeat = "[[checks]]\nid = \"hb\"\ncomponent = \"daum/mail\"\nkind = \"heartbeat\"\ntoken = \"abcdefghijklmnop\"\n";
        assert_refused(
            &format!("{heartbeat}max_latency_ms = 100\n"),
            6,
            &["field \"max_latency_ms\" does not apply to a heartbeat check"],
        );
        assert_refused(
            "[[controls]]\nid = \"c\"\ncomponent = \"daum/mail\"\nkind = \"tcp\"\naddress = \"a:1\"\n",
            3,
            &["control \"c\"", "\"component\" does not apply to a control"],
        );
        assert_refused(
            "[[controls]]\nid = \"c\"\nkind = \"heartbeat\"\ntoken = \"abcdefghijklmnop\"\n",
            3,
            &["control \"c\"", "cannot be a heartbeat"],
        );
    }

    #[test]
    fn ids_and_components_are_checked() {
        assert_refused(
            &format!("{HTTP}\n[[controls]]\nid = \"a\"\nkind = \"tcp\"\naddress = \"a:1\"\n"),
            8,
            &["duplicate check id \"a\"", "line 2"],
        );
        assert_refused(
            "[[checks]]\nid = \"a\"\ncomponent = \"kakaotalk/nope\"\nkind = \"http\"\nurl = \"http://a\"\n",
            3,
            &["check \"a\": component \"kakaotalk/nope\" is not in the catalog"],
        );
        assert_refused(
            "[[checks]]\nid = \"a\"\nkind = \"http\"\nurl = \"http://a\"\n",
            1,
            &["check \"a\": component is required"],
        );
        assert_refused(
            "\n[[checks]]\nid = \"Bad Id\"\n",
            3,
            &["\"Bad Id\"", "a-z, 0-9 and -"],
        );
        assert_refused("\n\n[[checks]]\nkind = \"tcp\"\n", 3, &["has no id"]);
        assert_refused(
            "[[checks]]\nid = \"a\"\ncomponent = \"daum/mail\"\nkind = \"ping\"\n",
            4,
            &["kind \"ping\" is not http, tcp, dns or heartbeat"],
        );
    }

    #[test]
    fn kind_specific_values_are_checked() {
        let check = |kind: &str| {
            format!("[[checks]]\nid = \"x\"\ncomponent = \"daum/mail\"\nkind = \"{kind}\"\n")
        };
        let http = check("http");
        assert_refused(
            &format!("{http}url = \"ftp://a\"\n"),
            5,
            &["check \"x\": url \"ftp://a\" is not http or https"],
        );
        assert_refused(
            &format!("{http}url = \"not a url\"\n"),
            5,
            &["is not a valid URL"],
        );
        assert_refused(&format!("{http}method = \"GET\"\n"), 1, &["needs a url"]);
        assert_refused(
            &format!("{http}url = \"http://a\"\nmethod = \"PUT\"\n"),
            6,
            &["method \"PUT\""],
        );
        assert_refused(
            &format!("{http}url = \"http://a\"\nexpect_status = [200, 600]\n"),
            6,
            &["expect_status 600"],
        );
        assert_refused(
            &format!("{http}url = \"http://a\"\njson_pointer = \"/status\"\n"),
            6,
            &["json_pointer", "json_equals", "both or neither"],
        );
        assert_refused(
            &format!("{http}url = \"http://a\"\njson_pointer = \"status\"\njson_equals = \"ok\"\n"),
            6,
            &["must start with \"/\""],
        );
        assert_refused(
            &format!("{http}url = \"http://a\"\ntls_days_left = 14\n"),
            6,
            &["tls_days_left needs an https url"],
        );
        assert_refused(
            &format!("{http}url = \"{{site}}/\"\ntls_days_left = 14\n"),
            6,
            &["tls_days_left needs an https url"],
        );
        assert_refused(
            &format!("{http}url = \"http://a\"\nmethod = \"HEAD\"\nbody_contains = \"ok\"\n"),
            7,
            &["HEAD"],
        );
        assert_refused(
            &format!("{}address = \"example.com:0\"\n", check("tcp")),
            5,
            &["address \"example.com:0\"", "port"],
        );
        assert_refused(
            &format!("{}address = \"example.com\"\n", check("tcp")),
            5,
            &["host:port"],
        );
        assert_refused(
            &format!("{}name = \"a b\"\n", check("dns")),
            5,
            &["not a hostname"],
        );
        assert_refused(
            &format!(
                "{}name = \"example.com\"\nexpect = [\"192.0.2.1\",\n  \"1.2.3\"]\n",
                check("dns")
            ),
            7,
            &["expect \"1.2.3\" is not an IP address"],
        );
        let (_, message) = refused(&format!("{}token = \"short secret\"\n", check("heartbeat")));
        assert!(message.contains("token must be 16 to 128"), "{message}");
        assert!(
            !message.contains("short secret"),
            "the token is not repeated: {message}"
        );
        assert_refused(
            &format!(
                "{}token = \"abcdefghijklmnop\"\nmissing_beats = 0\n",
                check("heartbeat")
            ),
            6,
            &["missing_beats must be at least 1"],
        );

        // {site} and every form of a good value are accepted.
        let good = format!(
            "{http}url = \"{{site}}/x\"\nmethod = \"post\"\nexpect_status = [200, 204]\njson_pointer = \"/a\"\njson_equals = \"b\"\n\
             [[checks]]\nid = \"y\"\ncomponent = \"daum/mail\"\nkind = \"http\"\nurl = \"https://example.com\"\ntls_days_left = 14\nexpect_status = 301\n\
             [[checks]]\nid = \"z\"\ncomponent = \"daum/mail\"\nkind = \"tcp\"\naddress = \"[::1]:8080\"\n"
        );
        let config = parse(&good).unwrap_or_else(|e| panic!("{e}"));
        match &config.checks[0].probe {
            Probe::Http {
                method,
                expect_status,
                ..
            } => {
                assert_eq!(method, "POST");
                assert_eq!(expect_status, &[200, 204]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_toml_syntax_error_names_its_line() {
        assert_refused(&format!("{HTTP}interval_seconds = \n"), 6, &[]);
        assert_refused(
            &format!("{HTTP}interval_seconds = \"30\"\n"),
            6,
            &["check \"a\"", "integer"],
        );
    }
}
