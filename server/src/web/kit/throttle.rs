//! Sign-in throttling: after too many failures for one account, or from one address,
//! within a window, further attempts are refused until the window ends. The counters
//! are per instance (a few instances multiply the limits by their number, which still
//! stops guessing); an account name that does not exist is throttled the same way, so
//! the answer never tells whether it exists.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Throttle {
    limit: u32,
    window: Duration,
    failures: Mutex<HashMap<String, (Instant, u32)>>,
}

impl Throttle {
    pub fn new(limit: u32, window: Duration) -> Self {
        Throttle {
            limit,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// None when an attempt may go ahead; otherwise how long until it may.
    pub fn wait(&self, key: &str) -> Option<Duration> {
        let mut failures = self.failures.lock().expect("throttle lock");
        let now = Instant::now();
        failures.retain(|_, (started, _)| now.duration_since(*started) < self.window);
        let (started, count) = failures.get(key)?;
        (*count >= self.limit).then(|| self.window - now.duration_since(*started))
    }

    pub fn fail(&self, key: &str) {
        let mut failures = self.failures.lock().expect("throttle lock");
        failures
            .entry(key.to_string())
            .or_insert((Instant::now(), 0))
            .1 += 1;
    }

    pub fn clear(&self, key: &str) {
        self.failures.lock().expect("throttle lock").remove(key);
    }
}

/// The limits the console uses: 5 failures per account, 20 per address, in 15 minutes.
pub struct SignInThrottle {
    pub accounts: Throttle,
    pub addresses: Throttle,
}

impl Default for SignInThrottle {
    fn default() -> Self {
        let window = Duration::from_secs(15 * 60);
        SignInThrottle {
            accounts: Throttle::new(5, window),
            addresses: Throttle::new(20, window),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_after_the_limit_until_cleared() {
        let throttle = Throttle::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            assert_eq!(throttle.wait("kim"), None);
            throttle.fail("kim");
        }
        let wait = throttle.wait("kim").expect("throttled");
        assert!(wait <= Duration::from_secs(60) && wait > Duration::from_secs(50));
        assert_eq!(throttle.wait("lee"), None, "other keys are not affected");
        throttle.clear("kim");
        assert_eq!(throttle.wait("kim"), None);
    }
}
