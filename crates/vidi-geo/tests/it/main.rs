//! Integration tests for vidi-geo against the shared corpora.

mod gps_index;
