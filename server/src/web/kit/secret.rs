//! Random tokens, ids and secrets.

/// `bytes` random bytes from the operating system, as hex: tokens, ids, secrets.
pub fn random_hex(bytes: usize) -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut buffer = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buffer);
    hex::encode(buffer)
}
