//! Agencies' users, sessions, API tokens and case grants; the need-to-know scope every server query goes through.
