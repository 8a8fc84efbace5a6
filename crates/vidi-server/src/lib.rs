//! The task-force server: HTTP API under `/api/v1` and the web UI.
#![warn(missing_docs)]
