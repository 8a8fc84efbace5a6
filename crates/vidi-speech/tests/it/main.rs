//! Integration tests of vidi-speech. Tests that need the models skip with a
//! message when they are not installed (`scripts/models/install-speech.sh`);
//! corpus tests skip when `../shared` is absent.
#![allow(clippy::print_stdout)] // skip messages and accuracy tables

mod accuracy;
mod media;
mod support;
mod synth;
