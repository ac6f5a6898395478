//! The JSON API under `/api/v1`, one module per kind of object. Every
//! handler takes the organisation from the session ([`crate::guard::Current`]),
//! never from the request.

pub mod assessments;
pub mod jobs;
pub mod map;
pub mod models;
pub mod session;
pub mod sharing;
pub mod tokens;
pub mod users;
