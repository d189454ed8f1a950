//! Staff accounts: names, password rules and Argon2id hashing.

use crate::domain::problem::Problem;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use std::sync::LazyLock;

pub const PASSWORD_MIN: usize = 12;
pub const PASSWORD_MAX: usize = 128;

/// Account names: 2–32 of `a-z 0-9 . _ -`, so they read the same in logs and the ledger.
pub fn check_name(name: &str) -> Result<(), Problem> {
    let ok = (2..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(Problem::new(
            "name",
            "계정 이름은 영문 소문자·숫자·. _ - 로 2~32자여야 합니다",
            "an account name is 2 to 32 of a-z, 0-9, '.', '_' and '-'",
        ))
    }
}

pub fn check_password(password: &str) -> Result<(), Problem> {
    let length = password.chars().count();
    if !(PASSWORD_MIN..=PASSWORD_MAX).contains(&length) {
        return Err(Problem::new(
            "password",
            format!("비밀번호는 {PASSWORD_MIN}~{PASSWORD_MAX}자여야 합니다"),
            format!("a password is {PASSWORD_MIN} to {PASSWORD_MAX} characters long"),
        ));
    }
    Ok(())
}

/// Argon2id with the crate's defaults (19 MiB, 2 passes), as a PHC string.
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("Argon2 hashing with default parameters cannot fail")
        .to_string()
}

/// Checks a password against a stored hash. With no hash (no such account) it checks
/// against a dummy, so the answer takes as long either way and reveals nothing.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: LazyLock<String> =
        LazyLock::new(|| hash_password("no such account, no such password"));
    let hash = stored.unwrap_or(DUMMY.as_str());
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
        && stored.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_only_against_its_own_hash() {
        let hash = hash_password("correct horse battery");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", Some(&hash)));
        assert!(!verify_password("correct horse batterY", Some(&hash)));
        assert!(!verify_password("correct horse battery", None));
    }

    #[test]
    fn names_and_passwords_follow_the_rules() {
        assert!(check_name("kim.comms").is_ok());
        assert!(check_name("Kim").is_err());
        assert!(check_name("a").is_err());
        assert!(check_name("김").is_err());
        assert!(check_password("short").is_err());
        assert!(check_password("long enough password").is_ok());
    }
}
