//! The crowd signal: "users are reporting problems with X". Pure functions over counts
//! per minute, so that the rule can be tested on synthetic series. The rule and its
//! parameters are explained in docs/crowd-signal.md.

/// The recent window compared with normal: the current minute and the two before it.
pub const RECENT_MINUTES: i64 = 3;
/// Normal reports per minute never count as less than this (short or empty history).
pub const FLOOR_PER_MINUTE: f64 = 1.0;
/// The signal never fires on fewer reports than this in the recent window.
pub const MIN_COUNT: i64 = 50;
/// It fires when reports this high or higher would happen by chance less often than this,
/// if reports arrived as a Poisson process at the normal rate.
pub const FIRE_PROBABILITY: f64 = 1e-6;
/// It clears when the recent window has stayed at or below twice normal (or below half
/// of MIN_COUNT) for this many minutes.
pub const CLEAR_AFTER_MINUTES: i64 = 15;
/// Weeks of history the normal level is taken from (the same time of the week).
pub const BASELINE_WEEKS: usize = 4;
/// Each past week contributes its mean rate over this many minutes either side of the
/// same minute: one minute alone is too noisy to call normal.
pub const BASELINE_HALF_WIDTH: usize = 30;

/// Mean per minute of `series` over the baseline window around `center` (clipped to the
/// series); None when the window is empty.
pub fn window_mean(series: &[i64], center: usize) -> Option<f64> {
    let from = center.saturating_sub(BASELINE_HALF_WIDTH);
    let to = (center + BASELINE_HALF_WIDTH + 1).min(series.len());
    (from < to).then(|| series[from..to].iter().sum::<i64>() as f64 / (to - from) as f64)
}

/// ln(k!) — exact up to 30, Stirling's series above.
fn ln_factorial(k: i64) -> f64 {
    if k < 2 {
        return 0.0;
    }
    if k <= 30 {
        return (2..=k).map(|i| (i as f64).ln()).sum();
    }
    let n = k as f64;
    n * n.ln() - n + 0.5 * (2.0 * std::f64::consts::PI * n).ln() + 1.0 / (12.0 * n)
        - 1.0 / (360.0 * n.powi(3))
}

/// ln P(X >= k) for X ~ Poisson(lambda), for k above lambda: the first term of the tail
/// times the geometric bound of the rest (tight enough to compare with 1e-6).
pub fn ln_poisson_tail(k: i64, lambda: f64) -> f64 {
    if (k as f64) <= lambda {
        return 0.0;
    }
    let ln_pmf = -lambda + k as f64 * lambda.ln() - ln_factorial(k);
    let ratio = lambda / (k as f64 + 1.0);
    ln_pmf - (1.0 - ratio).ln()
}

/// The normal level for a minute: the median of that minute of the week over the past
/// weeks (absent weeks are not counted), never below the floor.
pub fn normal_per_minute(past_weeks: &[Option<f64>]) -> f64 {
    let mut known: Vec<f64> = past_weeks.iter().flatten().copied().collect();
    if known.is_empty() {
        return FLOOR_PER_MINUTE;
    }
    known.sort_by(|a, b| a.total_cmp(b));
    let mid = known.len() / 2;
    let median = if known.len().is_multiple_of(2) {
        (known[mid - 1] + known[mid]) / 2.0
    } else {
        known[mid]
    };
    median.max(FLOOR_PER_MINUTE)
}

/// Whether `recent` reports in the recent window are far above `normal` per minute.
pub fn is_far_above(recent: i64, normal: f64) -> bool {
    let expected = normal * RECENT_MINUTES as f64;
    recent >= MIN_COUNT && ln_poisson_tail(recent, expected) < FIRE_PROBABILITY.ln()
}

/// The signal's state for one service, advanced minute by minute (or more often).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Detector {
    /// The minute it fired, while it is firing.
    pub firing_since: Option<i64>,
    /// The first minute of the current quiet stretch, while firing.
    quiet_since: Option<i64>,
    /// The most reports seen in the recent window while firing.
    pub peak: i64,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Change {
    Fired,
    Cleared,
}

impl Detector {
    pub fn firing(&self) -> bool {
        self.firing_since.is_some()
    }

    /// Takes the count of the recent window ending at `minute` and the normal level.
    pub fn step(&mut self, minute: i64, recent: i64, normal: f64) -> Option<Change> {
        match self.firing_since {
            None if is_far_above(recent, normal) => {
                self.firing_since = Some(minute);
                self.quiet_since = None;
                self.peak = recent;
                Some(Change::Fired)
            }
            None => None,
            Some(_) => {
                self.peak = self.peak.max(recent);
                let quiet =
                    recent as f64 <= 2.0 * normal * RECENT_MINUTES as f64 || recent < MIN_COUNT / 2;
                if !quiet {
                    self.quiet_since = None;
                    return None;
                }
                let since = *self.quiet_since.get_or_insert(minute);
                if minute - since >= CLEAR_AFTER_MINUTES {
                    *self = Detector::default();
                    return Some(Change::Cleared);
                }
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic pseudo-random Poisson sampler (Knuth's for small means, normal
    /// approximation for large), so the synthetic series are the same on every run.
    struct Sampler(u64);

    impl Sampler {
        fn uniform(&mut self) -> f64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }

        fn poisson(&mut self, mean: f64) -> i64 {
            if mean > 50.0 {
                let (u1, u2) = (self.uniform().max(1e-12), self.uniform());
                let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
                return (mean + z * mean.sqrt()).round().max(0.0) as i64;
            }
            let (limit, mut k, mut p) = ((-mean).exp(), 0, 1.0);
            loop {
                p *= self.uniform();
                if p <= limit {
                    return k;
                }
                k += 1;
            }
        }
    }

    const WEEK: usize = 7 * 1440;

    /// Runs the detector over `today` (per-minute counts), with `history` holding the
    /// preceding weeks (oldest first, each `WEEK` long); returns the minutes it fired at.
    fn run(history: &[Vec<i64>], today: &[i64]) -> Vec<usize> {
        let mut detector = Detector::default();
        let mut fired = Vec::new();
        for minute in 0..today.len() {
            let from = minute.saturating_sub(RECENT_MINUTES as usize - 1);
            let recent: i64 = today[from..=minute].iter().sum();
            let past: Vec<Option<f64>> = history
                .iter()
                .map(|week| window_mean(week, minute % WEEK))
                .collect();
            if detector.step(minute as i64, recent, normal_per_minute(&past)) == Some(Change::Fired)
            {
                fired.push(minute);
            }
        }
        fired
    }

    fn series(minutes: usize, sampler: &mut Sampler, mean: impl Fn(usize) -> f64) -> Vec<i64> {
        (0..minutes).map(|m| sampler.poisson(mean(m))).collect()
    }

    #[test]
    fn quiet_weeks_never_fire() {
        let mut s = Sampler(7);
        for mean in [0.2, 2.0, 8.0] {
            let history: Vec<_> = (0..4).map(|_| series(WEEK, &mut s, |_| mean)).collect();
            let week = series(WEEK, &mut s, |_| mean);
            assert_eq!(run(&history, &week), Vec::<usize>::new(), "mean {mean}/min");
        }
        // No history at all (a new site): the floor keeps the noise quiet.
        let week = series(WEEK, &mut s, |_| 0.5);
        assert_eq!(run(&[], &week), Vec::<usize>::new());
    }

    #[test]
    fn a_daily_rhythm_does_not_fire() {
        // Evenings busier than nights: from 2 to 60 reports a minute, every day.
        let rhythm = |m: usize| {
            let hour = (m % 1440) as f64 / 60.0;
            31.0 - 29.0 * (2.0 * std::f64::consts::PI * (hour - 3.0) / 24.0).cos()
        };
        let mut s = Sampler(11);
        let history: Vec<_> = (0..4).map(|_| series(WEEK, &mut s, rhythm)).collect();
        let week = series(WEEK, &mut s, rhythm);
        assert_eq!(run(&history, &week), Vec::<usize>::new());
    }

    #[test]
    fn a_fire_like_spike_fires_within_two_minutes() {
        // Near zero, then from 15:29 on a rise to 3,000 reports a minute within 10 minutes.
        let rise = 15 * 60 + 29;
        let mean = |m: usize| {
            if m < rise {
                0.3
            } else {
                (3000.0 * ((m - rise + 1) as f64 / 10.0)).min(3000.0)
            }
        };
        let mut s = Sampler(3);
        let history: Vec<_> = (0..4).map(|_| series(WEEK, &mut s, |_| 0.3)).collect();
        let day = series(1440, &mut s, mean);
        let fired = run(&history, &day);
        assert_eq!(fired.len(), 1, "fires once and stays on: {fired:?}");
        assert!(
            fired[0] >= rise && fired[0] <= rise + 2,
            "fired at minute {} for a rise at {rise}",
            fired[0]
        );
    }

    #[test]
    fn it_clears_after_a_quiet_quarter_hour_and_can_fire_again() {
        let mut d = Detector::default();
        assert_eq!(d.step(0, 500, 1.0), Some(Change::Fired));
        assert_eq!(d.step(1, 900, 1.0), None);
        for m in 2..16 {
            assert_eq!(d.step(m, 3, 1.0), None, "minute {m}");
        }
        assert_eq!(d.step(17, 3, 1.0), Some(Change::Cleared));
        assert!(!d.firing());
        assert_eq!(d.step(18, 400, 1.0), Some(Change::Fired));
    }

    #[test]
    fn the_tail_matches_known_values() {
        // P(X >= 10 | 2) = 4.649e-5
        assert!((ln_poisson_tail(10, 2.0).exp() - 4.649e-5).abs() < 0.5e-5);
        assert!((ln_factorial(40) - 110.3206).abs() < 1e-3);
        assert_eq!(ln_poisson_tail(1, 2.0), 0.0);
    }
}
