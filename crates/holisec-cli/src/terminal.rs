//! Text made safe to print on a terminal: the library's
//! [`holisec_api::terminal`], which the server's rendered diagnostics share.

pub use holisec_api::terminal::*;
