//! Integration tests of vidi-known.
