//! The vPDQ video match rule.
