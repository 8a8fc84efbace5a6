//! Integration tests of vidi-local: synthetic scenes matched against
//! shrunk, shifted and rotated copies of themselves and against unrelated
//! pictures, and hostile inputs.

mod synthetic;
