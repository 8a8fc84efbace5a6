//! Leads (potential identifications): draft, review, dissemination.
