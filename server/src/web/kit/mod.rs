//! The small kit every handler shares: the build outputs' names, reading forms, choosing the language, the
//! client's address, answers (redirects, refusal pages, JSON), escaping, pre-encoded
//! bodies, throttles and random tokens.

pub mod assets;
pub mod client;
pub mod csv;
pub mod encoded;
pub mod escape;
pub mod form;
pub mod lang;
pub mod reply;
pub mod secret;
#[cfg(test)]
pub mod testing;
pub mod throttle;
pub mod versioned;
