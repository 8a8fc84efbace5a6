//! API tests against a real server on loopback.

mod common;
mod auth;
mod need_to_know;
mod misc;
mod leads;
