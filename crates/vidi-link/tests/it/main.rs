//! Integration tests of linking over a real workspace.

mod workspace;
