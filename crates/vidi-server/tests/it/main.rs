//! API tests against a real server on loopback.

mod auth;
mod caching;
mod common;
mod errors;
mod leads;
mod misc;
mod need_to_know;
mod series;
mod similar;
mod streaming;
