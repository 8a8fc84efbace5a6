//! Integration tests of vidi-clues.
