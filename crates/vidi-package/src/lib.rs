//! Dissemination packages for the country a lead concerns.
#![warn(missing_docs)]
