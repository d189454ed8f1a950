//! What stands between the network and the handlers: the security headers every
//! response carries (`headers`, with the pages' script hashes from `csp`) and the limits
//! on what a client may send (`bodies`). The limits on connections themselves (how
//! many, how slow a request head may be) are the listener's: `startup::listener`.

pub mod bodies;
pub mod csp;
pub mod headers;
