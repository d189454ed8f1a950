//! The decision rule of the automated checks: recent results from several agents in, one
//! verdict per check out — without flapping. Pure: the caller gathers each agent's recent
//! results and the previous verdict, and stores what comes back. The rule and why it is
//! this rule are explained in docs/checks.md; a change here must change that page too.

use crate::domain::checks::{Check, Outcome};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// An agent reports while its newest result is at most this many intervals old.
pub const REPORTING_INTERVALS: u32 = 3;

/// What the automated checks say about a check (or, with [`worst`], a feature).
/// Shown beside the official state, never instead of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// No agent whose results count is reporting (or nothing has been checked yet).
    Unknown,
    Up,
    /// A quorum of agents found it working, but slower than its `max_latency`.
    Degraded,
    /// A quorum of agents saw `failure_threshold` failures in a row, and (once failing)
    /// no quorum has yet seen `success_threshold` successes in a row.
    Failing,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Unknown => "unknown",
            Verdict::Up => "up",
            Verdict::Degraded => "degraded",
            Verdict::Failing => "failing",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "unknown" => Some(Verdict::Unknown),
            "up" => Some(Verdict::Up),
            "degraded" => Some(Verdict::Degraded),
            "failing" => Some(Verdict::Failing),
            _ => None,
        }
    }

    /// Failing > Degraded > Up > Unknown.
    fn severity(self) -> u8 {
        match self {
            Verdict::Unknown => 0,
            Verdict::Up => 1,
            Verdict::Degraded => 2,
            Verdict::Failing => 3,
        }
    }
}

/// The part of a check the rule needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    /// Consecutive `Down` results an agent needs to see a failure.
    pub failure_threshold: u32,
    /// Consecutive `Up` or `Slow` results an agent needs to see a recovery.
    pub success_threshold: u32,
    /// How often each agent runs the check.
    pub interval: Duration,
}

impl Rule {
    pub fn of(check: &Check) -> Self {
        Rule {
            failure_threshold: check.failure_threshold,
            success_threshold: check.success_threshold,
            interval: check.interval,
        }
    }

    /// How old an agent's newest result may be for the agent to be reporting.
    pub fn reporting_window(&self) -> chrono::Duration {
        to_chrono(self.interval * REPORTING_INTERVALS)
    }
}

/// One agent's recent results for one check.
#[derive(Clone, Copy, Debug)]
pub struct AgentHistory<'a> {
    pub agent: &'a str,
    /// This agent's results for the check, oldest first (at least the last
    /// max(thresholds) results, may be more).
    pub results: &'a [(DateTime<Utc>, Outcome)],
    /// False when the agent's control targets failed in its latest round: its own
    /// network is down.
    pub network_ok: bool,
}

impl AgentHistory<'_> {
    fn newest(&self) -> Option<(DateTime<Utc>, Outcome)> {
        self.results.last().copied()
    }

    /// Its newest result is at most 3 × interval older than `now`.
    fn reports(&self, rule: &Rule, now: DateTime<Utc>) -> bool {
        self.newest()
            .is_some_and(|(at, _)| now.signed_duration_since(at) <= rule.reporting_window())
    }

    /// Its last `n` results (n ≥ 1; 0 is taken as 1) all satisfy `pred`; false when it
    /// has fewer than `n` results.
    fn last_all(&self, n: u32, pred: impl Fn(Outcome) -> bool) -> bool {
        let n = n.max(1) as usize;
        self.results.len() >= n
            && self.results[self.results.len() - n..]
                .iter()
                .all(|&(_, o)| pred(o))
    }

    /// Its last `failure_threshold` results are all `Down`.
    pub fn sees_failure(&self, rule: &Rule) -> bool {
        self.last_all(rule.failure_threshold, |o| o == Outcome::Down)
    }

    /// Its last `success_threshold` results are all `Up` or `Slow`.
    pub fn sees_recovery(&self, rule: &Rule) -> bool {
        self.last_all(rule.success_threshold, Outcome::succeeded)
    }
}

/// The verdict and what it rests on (shown to staff and stored with the verdict).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub verdict: Verdict,
    /// Agents whose results count: reporting, and not set aside. The quorum is taken
    /// from this number.
    pub agents_reporting: u32,
    /// Of those, the agents that see a failure (`failure_threshold` Downs in a row).
    pub agents_failing: u32,
    /// Names of the agents that report but whose own network was down in their latest
    /// round (control targets failed), in the order given: counted neither way.
    pub agents_set_aside: Vec<String>,
    /// More than half of `agents_reporting`: `agents_reporting / 2 + 1`.
    pub quorum: u32,
}

/// The rule (docs/checks.md, "The rule"):
///
/// - an agent *reports* when its newest result is at most 3 × interval before `now`;
///   others are ignored. A reporting agent whose `network_ok` is false is *set aside*.
/// - counted = reporting and not set aside; quorum = counted / 2 + 1; no counted agents
///   → `Unknown`.
/// - previous `Failing`: stays `Failing` until a quorum sees a recovery;
///   otherwise `Failing` when a quorum sees a failure.
/// - not failing: `Degraded` when a quorum's newest result is `Slow`, else `Up`.
pub fn decide(
    rule: &Rule,
    previous: Verdict,
    agents: &[AgentHistory],
    now: DateTime<Utc>,
) -> Decision {
    let reporting: Vec<&AgentHistory> = agents.iter().filter(|a| a.reports(rule, now)).collect();
    let agents_set_aside: Vec<String> = reporting
        .iter()
        .filter(|a| !a.network_ok)
        .map(|a| a.agent.to_string())
        .collect();
    let counted: Vec<&AgentHistory> = reporting.into_iter().filter(|a| a.network_ok).collect();

    let agents_reporting = counted.len() as u32;
    let quorum = agents_reporting / 2 + 1;
    let count = |pred: &dyn Fn(&AgentHistory) -> bool| -> u32 {
        counted.iter().filter(|a| pred(a)).count() as u32
    };
    let agents_failing = count(&|a| a.sees_failure(rule));

    let verdict = if agents_reporting == 0 {
        Verdict::Unknown
    } else {
        let failing = if previous == Verdict::Failing {
            count(&|a| a.sees_recovery(rule)) < quorum
        } else {
            agents_failing >= quorum
        };
        if failing {
            Verdict::Failing
        } else if count(&|a| matches!(a.newest(), Some((_, Outcome::Slow)))) >= quorum {
            Verdict::Degraded
        } else {
            Verdict::Up
        }
    };

    Decision {
        verdict,
        agents_reporting,
        agents_failing,
        agents_set_aside,
        quorum,
    }
}

/// A feature with several checks: Failing > Degraded > Up > Unknown. Unknown only when
/// every verdict is unknown, or there are none.
pub fn worst(verdicts: impl IntoIterator<Item = Verdict>) -> Verdict {
    verdicts
        .into_iter()
        .max_by_key(|v| v.severity())
        .unwrap_or(Verdict::Unknown)
}

/// A heartbeat check, judged by the site itself (it receives the beats, so there is no
/// quorum): `Failing` when the last beat — or, if none ever came, `since`, when the site
/// began watching — is more than `missing_beats` × interval before `now`; `Up` otherwise.
pub fn heartbeat(
    rule: &Rule,
    missing_beats: u32,
    last_beat: Option<DateTime<Utc>>,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Verdict {
    let from = last_beat.unwrap_or(since);
    if now.signed_duration_since(from) > to_chrono(rule.interval * missing_beats) {
        Verdict::Failing
    } else {
        Verdict::Up
    }
}

fn to_chrono(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;
    use Outcome::{Down, Slow, Up as U};

    /// 15 October 2022, 15:29 KST: when Kakao's services failed.
    type Results = Vec<(DateTime<Utc>, Outcome)>;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2022, 10, 15, 6, 29, 0).unwrap()
    }

    fn rule() -> Rule {
        Rule {
            failure_threshold: 3,
            success_threshold: 2,
            interval: Duration::from_secs(30),
        }
    }

    fn secs(n: i64) -> chrono::Duration {
        chrono::Duration::seconds(n)
    }

    /// One result per interval, the newest at `newest`.
    fn series(outcomes: &[Outcome], newest: DateTime<Utc>) -> Vec<(DateTime<Utc>, Outcome)> {
        let n = outcomes.len() as i64;
        outcomes
            .iter()
            .enumerate()
            .map(|(i, &o)| (newest - secs(30 * (n - 1 - i as i64)), o))
            .collect()
    }

    struct Agent {
        name: &'static str,
        results: Vec<(DateTime<Utc>, Outcome)>,
        network_ok: bool,
    }

    fn agent(name: &'static str, outcomes: &[Outcome]) -> Agent {
        Agent {
            name,
            results: series(outcomes, t0()),
            network_ok: true,
        }
    }

    fn run(previous: Verdict, agents: &[Agent]) -> Decision {
        let histories: Vec<AgentHistory> = agents
            .iter()
            .map(|a| AgentHistory {
                agent: a.name,
                results: &a.results,
                network_ok: a.network_ok,
            })
            .collect();
        decide(&rule(), previous, &histories, t0())
    }

    #[test]
    fn one_agent_of_three_failing_stays_up() {
        let d = run(
            Verdict::Up,
            &[
                agent("seoul-1", &[Down, Down, Down, Down]),
                agent("busan-1", &[U, U, U, U]),
                agent("tokyo-1", &[U, U, U, U]),
            ],
        );
        assert_eq!(d.verdict, Verdict::Up);
        assert_eq!((d.agents_reporting, d.agents_failing, d.quorum), (3, 1, 2));
    }

    #[test]
    fn two_agents_of_three_failing_three_times_is_failing() {
        let d = run(
            Verdict::Up,
            &[
                agent("seoul-1", &[U, Down, Down, Down]),
                agent("busan-1", &[U, Down, Down, Down]),
                agent("tokyo-1", &[U, U, U, U]),
            ],
        );
        assert_eq!(d.verdict, Verdict::Failing);
        assert_eq!((d.agents_reporting, d.agents_failing, d.quorum), (3, 2, 2));
    }

    #[test]
    fn two_failures_then_a_success_is_not_failing() {
        let d = run(
            Verdict::Up,
            &[
                agent("seoul-1", &[Down, Down, U]),
                agent("busan-1", &[Down, Down, U]),
                agent("tokyo-1", &[Down, Down, U]),
            ],
        );
        assert_eq!(d.verdict, Verdict::Up);
        // Two Downs alone are under the threshold too, and so is a short history.
        let d = run(
            Verdict::Up,
            &[
                agent("seoul-1", &[U, Down, Down]),
                agent("busan-1", &[Down, Down]),
            ],
        );
        assert_eq!(d.verdict, Verdict::Up);
        assert_eq!(d.agents_failing, 0);
    }

    #[test]
    fn failing_then_one_success_stays_failing() {
        let d = run(
            Verdict::Failing,
            &[
                agent("seoul-1", &[Down, Down, Down, U]),
                agent("busan-1", &[Down, Down, Down, U]),
                agent("tokyo-1", &[Down, Down, Down, U]),
            ],
        );
        assert_eq!(d.verdict, Verdict::Failing);
        assert_eq!(
            d.agents_failing, 0,
            "no agent sees a failure any more, yet it stays failing"
        );
    }

    #[test]
    fn failing_recovers_after_success_threshold_successes_in_a_quorum() {
        let d = run(
            Verdict::Failing,
            &[
                agent("seoul-1", &[Down, Down, U, U]),
                agent("busan-1", &[Down, Down, Slow, U]),
                agent("tokyo-1", &[Down, Down, Down, U]),
            ],
        );
        assert_eq!(d.verdict, Verdict::Up);
        // A minority recovering is not enough.
        let d = run(
            Verdict::Failing,
            &[
                agent("seoul-1", &[Down, Down, U, U]),
                agent("busan-1", &[Down, Down, Down, U]),
                agent("tokyo-1", &[Down, Down, Down, U]),
            ],
        );
        assert_eq!(d.verdict, Verdict::Failing);
        // Recovering into slowness is Degraded.
        let d = run(
            Verdict::Failing,
            &[
                agent("seoul-1", &[Down, U, Slow]),
                agent("busan-1", &[Down, Slow, Slow]),
                agent("tokyo-1", &[Down, Down, Down]),
            ],
        );
        assert_eq!(d.verdict, Verdict::Degraded);
    }

    #[test]
    fn an_agent_whose_network_is_down_is_set_aside_and_listed() {
        let mut tokyo = agent("tokyo-1", &[Down, Down, Down, Down]);
        tokyo.network_ok = false;
        let d = run(
            Verdict::Up,
            &[
                agent("seoul-1", &[Down, Down, Down]),
                agent("busan-1", &[U, U, U]),
                tokyo,
            ],
        );
        assert_eq!(d.verdict, Verdict::Up, "seoul-1 alone is not a quorum of 2");
        assert_eq!(d.agents_set_aside, vec!["tokyo-1".to_string()]);
        assert_eq!((d.agents_reporting, d.agents_failing, d.quorum), (2, 1, 2));
    }

    #[test]
    fn an_agent_silent_for_more_than_three_intervals_is_ignored() {
        let mut busan = agent("busan-1", &[U, U, U]);
        busan.results = series(&[U, U, U], t0() - secs(91));
        let mut tokyo = agent("tokyo-1", &[U, U, U]);
        tokyo.results = series(&[U, U, U], t0() - secs(3600));
        let d = run(
            Verdict::Up,
            &[agent("seoul-1", &[Down, Down, Down]), busan, tokyo],
        );
        assert_eq!(d.verdict, Verdict::Failing);
        assert_eq!((d.agents_reporting, d.agents_failing, d.quorum), (1, 1, 1));
        assert!(
            d.agents_set_aside.is_empty(),
            "silent agents are not listed as set aside"
        );
        // Exactly 3 intervals old still reports.
        let mut busan = agent("busan-1", &[U, U, U]);
        busan.results = series(&[U, U, U], t0() - secs(90));
        let d = run(Verdict::Up, &[agent("seoul-1", &[Down, Down, Down]), busan]);
        assert_eq!((d.verdict, d.agents_reporting), (Verdict::Up, 2));
    }

    #[test]
    fn slow_for_a_majority_is_degraded() {
        let d = run(
            Verdict::Up,
            &[
                agent("seoul-1", &[U, Slow]),
                agent("busan-1", &[U, Slow]),
                agent("tokyo-1", &[U, U]),
            ],
        );
        assert_eq!(d.verdict, Verdict::Degraded);
        let d = run(
            Verdict::Up,
            &[
                agent("seoul-1", &[U, Slow]),
                agent("busan-1", &[Slow, U]),
                agent("tokyo-1", &[U, U]),
            ],
        );
        assert_eq!(d.verdict, Verdict::Up, "one slow agent of three");
    }

    #[test]
    fn nobody_reporting_is_unknown() {
        let d = run(Verdict::Failing, &[]);
        assert_eq!(d.verdict, Verdict::Unknown);
        assert_eq!((d.agents_reporting, d.quorum), (0, 1));
        let mut silent = agent("seoul-1", &[Down, Down, Down]);
        silent.results = series(&[Down, Down, Down], t0() - secs(600));
        let mut cut_off = agent("busan-1", &[Down, Down, Down]);
        cut_off.network_ok = false;
        let empty = Agent {
            name: "tokyo-1",
            results: vec![],
            network_ok: true,
        };
        let d = run(Verdict::Up, &[silent, cut_off, empty]);
        assert_eq!(d.verdict, Verdict::Unknown);
        assert_eq!(d.agents_set_aside, vec!["busan-1".to_string()]);
    }

    /// The worked example of docs/checks.md: three agents, rounds 1–6, 30 s apart.
    #[test]
    fn worked_example_of_the_docs() {
        #[rustfmt::skip]
        let rounds: [([Outcome; 3], bool, Verdict, u32); 6] = [
            // seoul, busan, tokyo; tokyo's network ok; verdict; agents seeing a failure
            ([Down, Down, U],    true,  Verdict::Up,       0),
            ([Down, Down, Down], true,  Verdict::Up,       0),
            ([Down, Down, Down], true,  Verdict::Failing,  2),
            ([U,    Down, U],    true,  Verdict::Failing,  1),
            ([U,    U,    U],    true,  Verdict::Up,       0),
            ([Slow, Slow, Down], false, Verdict::Degraded, 0),
        ];
        let names = ["seoul-1", "busan-1", "tokyo-1"];
        let start = t0() - secs(30 * 6);
        let mut results: Vec<Vec<(DateTime<Utc>, Outcome)>> = (0..3)
            .map(|_| (0..3).map(|i| (start - secs(30 * (3 - i)), U)).collect())
            .collect();
        let mut previous = Verdict::Up;
        for (i, (outcomes, tokyo_ok, expected, failing)) in rounds.iter().enumerate() {
            let now = start + secs(30 * i as i64);
            for (a, &o) in outcomes.iter().enumerate() {
                results[a].push((now, o));
            }
            let agents: Vec<AgentHistory> = (0..3)
                .map(|a| AgentHistory {
                    agent: names[a],
                    results: &results[a],
                    network_ok: a != 2 || *tokyo_ok,
                })
                .collect();
            let d = decide(&rule(), previous, &agents, now);
            assert_eq!(
                (d.verdict, d.agents_failing),
                (*expected, *failing),
                "round {}",
                i + 1
            );
            previous = d.verdict;
        }
    }

    #[test]
    fn the_worst_check_speaks_for_the_feature() {
        use Verdict::*;
        assert_eq!(worst([Up, Failing, Degraded, Unknown]), Failing);
        assert_eq!(worst([Up, Degraded, Unknown]), Degraded);
        assert_eq!(worst([Unknown, Up, Unknown]), Up);
        assert_eq!(worst([Unknown, Unknown]), Unknown);
        assert_eq!(worst([]), Unknown);
    }

    #[test]
    fn heartbeat_missing_is_failing_and_beating_is_up() {
        let r = rule(); // 30 s interval; 3 missing beats = 90 s
        let since = t0() - secs(3600);
        assert_eq!(
            heartbeat(&r, 3, Some(t0() - secs(20)), since, t0()),
            Verdict::Up
        );
        assert_eq!(
            heartbeat(&r, 3, Some(t0() - secs(90)), since, t0()),
            Verdict::Up
        );
        assert_eq!(
            heartbeat(&r, 3, Some(t0() - secs(91)), since, t0()),
            Verdict::Failing
        );
        // Never beaten: counted from when the site began watching.
        assert_eq!(heartbeat(&r, 3, None, t0() - secs(60), t0()), Verdict::Up);
        assert_eq!(heartbeat(&r, 3, None, since, t0()), Verdict::Failing);
    }

    #[test]
    fn verdict_names_round_trip() {
        for v in [
            Verdict::Unknown,
            Verdict::Up,
            Verdict::Degraded,
            Verdict::Failing,
        ] {
            assert_eq!(Verdict::parse(v.as_str()), Some(v));
            assert_eq!(
                serde_json::to_string(&v).unwrap(),
                format!("\"{}\"", v.as_str())
            );
            assert_eq!(
                serde_json::from_str::<Verdict>(&format!("\"{}\"", v.as_str())).unwrap(),
                v
            );
        }
        assert_eq!(Verdict::parse("Failing"), None);
    }

    fn outcome() -> impl Strategy<Value = Outcome> {
        prop_oneof![Just(U), Just(Slow), Just(Down)]
    }

    fn verdict() -> impl Strategy<Value = Verdict> {
        prop_oneof![
            Just(Verdict::Unknown),
            Just(Verdict::Up),
            Just(Verdict::Degraded),
            Just(Verdict::Failing)
        ]
    }

    const NAMES: [&str; 6] = ["a", "b", "c", "d", "e", "f"];

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 256,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// Rounds of one result per agent, every agent reporting with its network up. The
        /// verdict only enters Failing when a quorum has just seen `failure_threshold`
        /// Downs in a row, only leaves it when a quorum has just seen `success_threshold`
        /// successes in a row — and, as any two quorums share an agent, it cannot flap:
        /// it stays Failing at least `success_threshold` rounds, stays out of it at least
        /// `failure_threshold` rounds, and is never Failing before `failure_threshold`
        /// rounds have passed.
        #[test]
        fn the_verdict_does_not_flap(
            failure_threshold in 1u32..5,
            success_threshold in 1u32..5,
            rounds in (1usize..6).prop_flat_map(|n| prop::collection::vec(prop::collection::vec(outcome(), n), 1..40)),
        ) {
            let rule = Rule { failure_threshold, success_threshold, interval: Duration::from_secs(30) };
            let n = rounds[0].len();
            let mut results: Vec<Vec<(DateTime<Utc>, Outcome)>> = vec![vec![]; n];
            let mut previous = Verdict::Unknown;
            // The round the verdict last entered (true) or left (false) Failing.
            let mut last_change: Option<(usize, bool)> = None;
            for (round, outcomes) in rounds.iter().enumerate() {
                let now = t0() + secs(30 * round as i64);
                for (a, &o) in outcomes.iter().enumerate() {
                    results[a].push((now, o));
                }
                let agents: Vec<AgentHistory> = (0..n)
                    .map(|a| AgentHistory { agent: NAMES[a], results: &results[a], network_ok: true })
                    .collect();
                let d = decide(&rule, previous, &agents, now);
                prop_assert_ne!(d.verdict, Verdict::Unknown);
                prop_assert_eq!(d.agents_reporting as usize, n);
                let seeing = |k: u32, pred: fn(Outcome) -> bool| results
                    .iter()
                    .filter(|r| r.len() >= k as usize && r[r.len() - k as usize..].iter().all(|&(_, o)| pred(o)))
                    .count() as u32;
                let entered = d.verdict == Verdict::Failing && previous != Verdict::Failing;
                let left = d.verdict != Verdict::Failing && previous == Verdict::Failing;
                if entered {
                    prop_assert!(seeing(failure_threshold, |o| o == Down) >= d.quorum);
                    prop_assert!(round + 1 >= failure_threshold as usize);
                    if let Some((at, false)) = last_change {
                        prop_assert!(round - at >= failure_threshold as usize, "back to Failing {} rounds after recovering", round - at);
                    }
                    last_change = Some((round, true));
                }
                if left {
                    prop_assert!(seeing(success_threshold, Outcome::succeeded) >= d.quorum);
                    if let Some((at, true)) = last_change {
                        prop_assert!(round - at >= success_threshold as usize, "recovered {} rounds after failing", round - at);
                    }
                    last_change = Some((round, false));
                }
                previous = d.verdict;
            }
        }

        /// Any agents, any previous verdict, one decision: the counts are what the rule
        /// says, and agents that are silent or set aside change nothing whatever their
        /// results.
        #[test]
        fn silent_and_set_aside_agents_change_nothing(
            previous in verdict(),
            failure_threshold in 1u32..5,
            success_threshold in 1u32..5,
            agents in prop::collection::vec(
                (prop::collection::vec(outcome(), 0..8), 0i64..200, any::<bool>()),
                0..6,
            ),
        ) {
            let rule = Rule { failure_threshold, success_threshold, interval: Duration::from_secs(30) };
            let now = t0();
            let built: Vec<(Results, bool)> = agents
                .iter()
                .map(|(outcomes, age, ok)| (series(outcomes, now - secs(*age)), *ok))
                .collect();
            fn view(rs: &[(Results, bool)]) -> Vec<AgentHistory<'_>> {
                rs.iter()
                    .enumerate()
                    .map(|(i, (r, ok))| AgentHistory { agent: NAMES[i], results: r, network_ok: *ok })
                    .collect()
            }
            let d = decide(&rule, previous, &view(&built), now);

            let reports = |(outcomes, age, _): &(Vec<Outcome>, i64, bool)| !outcomes.is_empty() && *age <= 90;
            let counted = agents.iter().filter(|a| reports(a) && a.2).count() as u32;
            let set_aside: Vec<String> = agents
                .iter()
                .enumerate()
                .filter(|(_, a)| reports(a) && !a.2)
                .map(|(i, _)| NAMES[i].to_string())
                .collect();
            prop_assert_eq!(d.agents_reporting, counted);
            prop_assert_eq!(d.quorum, counted / 2 + 1);
            prop_assert_eq!(&d.agents_set_aside, &set_aside);
            prop_assert_eq!(d.verdict == Verdict::Unknown, counted == 0);
            if previous != Verdict::Failing && counted > 0 {
                prop_assert_eq!(d.verdict == Verdict::Failing, d.agents_failing >= d.quorum);
            }

            // Every agent that does not count now fails every time: nothing changes.
            let worse: Vec<(Results, bool)> = agents
                .iter()
                .zip(&built)
                .map(|(a, (r, ok))| {
                    if reports(a) && a.2 {
                        (r.clone(), *ok)
                    } else {
                        (r.iter().map(|&(at, _)| (at, Down)).collect(), *ok)
                    }
                })
                .collect();
            prop_assert_eq!(decide(&rule, previous, &view(&worse), now), d);
        }
    }
}
