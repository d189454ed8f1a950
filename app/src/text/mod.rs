//! Every user-interface string, in Korean and English: one file per area of the site.
//!
//! Each area has a struct of strings with one constant per language, and label functions
//! that match on language and value: a string missing in one language does not compile.

pub mod checks;
pub mod crowd;
pub mod public;
pub mod record;
pub mod staff;
pub mod subscribe;
pub mod webhooks;
