//! Category schemes. A category is always (scheme, code); the tables below
//! give a readable label where the scheme defines one. Schemes are never
//! collapsed into one another: the same number means different things.

/// A categorisation scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scheme {
    /// `vics-us`: Project VIC US tag set (Autopsy), plus NSRL CAID's 8.
    VicsUs,
    /// `vics-us-2.0`: the 0–5 set of another open VICS 2.0 implementation.
    Vics20,
    /// `dhs-legacy`: US DHS legacy 0–5 categories.
    DhsLegacy,
    /// `caid-uk`: UK CAID grades A/B/C.
    CaidUk,
    /// INTERPOL ICSE flags (e.g. `baseline`).
    IcseFlags,
    /// NIST NSRL: known software file, non-pertinent.
    Nsrl,
    /// ThreatExchange category string (e.g. `INVESTIGATION_SEED`).
    ThreatExchange,
    /// A free-text category from a plain list.
    Plain,
}

impl Scheme {
    /// Stable identifier for storage.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::VicsUs => "vics-us",
            Scheme::Vics20 => "vics-us-2.0",
            Scheme::DhsLegacy => "dhs-legacy",
            Scheme::CaidUk => "caid-uk",
            Scheme::IcseFlags => "icse-flags",
            Scheme::Nsrl => "nsrl",
            Scheme::ThreatExchange => "threatexchange",
            Scheme::Plain => "plain",
        }
    }

    /// Parse [`Scheme::as_str`] output.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "vics-us" => Scheme::VicsUs,
            "vics-us-2.0" => Scheme::Vics20,
            "dhs-legacy" => Scheme::DhsLegacy,
            "caid-uk" => Scheme::CaidUk,
            "icse-flags" => Scheme::IcseFlags,
            "nsrl" => Scheme::Nsrl,
            "threatexchange" => Scheme::ThreatExchange,
            "plain" => Scheme::Plain,
            _ => return None,
        })
    }

    /// The label this scheme gives `code`, if it defines one.
    pub fn label(self, code: &str) -> Option<&'static str> {
        match (self, code) {
            (Scheme::VicsUs, "0") => Some("Non-Pertinent"),
            (Scheme::VicsUs, "1") => Some("Child Abuse Material (CAM)"),
            (Scheme::VicsUs, "2") => Some("Child Exploitive (Non-CAM) / Age Difficult"),
            (Scheme::VicsUs, "3") => Some("CGI/Animation - Child Exploitive"),
            (Scheme::VicsUs, "4") => Some("Comparison Images"),
            (Scheme::VicsUs, "8") => Some("Known (NSRL CAID), non-pertinent"),
            (Scheme::Vics20, "0") => Some("Uncategorized"),
            (Scheme::Vics20, "1") => Some("CAM"),
            (Scheme::Vics20, "2") => Some("Child Exploitative / Age Difficult"),
            (Scheme::Vics20, "3") => Some("CGI / Animation"),
            (Scheme::Vics20, "4") => Some("Comparison Images (Non-pertinent)"),
            (Scheme::Vics20, "5") => Some("Non-pertinent"),
            (Scheme::Vics20, "8") => Some("Known (NSRL CAID), non-pertinent"),
            (Scheme::DhsLegacy, "0") => Some("Uncategorized"),
            (Scheme::DhsLegacy, "1") => Some("Child Exploitation (Illegal)"),
            (Scheme::DhsLegacy, "2") => Some("Child Exploitation (Non-Illegal / Age Difficult)"),
            (Scheme::DhsLegacy, "3") => Some("CGI/Animation"),
            (Scheme::DhsLegacy, "4") => Some("Exemplar/Comparison"),
            (Scheme::DhsLegacy, "5") => Some("Non-pertinent"),
            (Scheme::CaidUk, "A") => Some("Category A"),
            (Scheme::CaidUk, "B") => Some("Category B"),
            (Scheme::CaidUk, "C") => Some("Category C"),
            (Scheme::IcseFlags, "baseline") => Some("INTERPOL baseline"),
            (Scheme::Nsrl, "known") => Some("Known software file (non-pertinent)"),
            _ => None,
        }
    }
}

/// A category: scheme, code as given, and the scheme's label for it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Category {
    /// The scheme the code belongs to.
    pub scheme: Scheme,
    /// The code exactly as the list gave it (e.g. `"1"`, `"A"`).
    pub code: String,
    /// The scheme's label for the code, when defined.
    pub label: Option<&'static str>,
}

impl Category {
    /// Build a category, looking up its label.
    pub fn new(scheme: Scheme, code: impl Into<String>) -> Self {
        let code = code.into();
        let label = scheme.label(&code);
        Self {
            scheme,
            code,
            label,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_code_different_schemes() {
        assert_eq!(
            Category::new(Scheme::VicsUs, "0").label,
            Some("Non-Pertinent")
        );
        assert_eq!(
            Category::new(Scheme::Vics20, "0").label,
            Some("Uncategorized")
        );
        assert_eq!(
            Category::new(Scheme::DhsLegacy, "5").label,
            Some("Non-pertinent")
        );
        assert_eq!(Category::new(Scheme::VicsUs, "5").label, None);
        for s in [
            Scheme::VicsUs,
            Scheme::Vics20,
            Scheme::DhsLegacy,
            Scheme::CaidUk,
            Scheme::IcseFlags,
            Scheme::Nsrl,
            Scheme::ThreatExchange,
            Scheme::Plain,
        ] {
            assert_eq!(Scheme::parse(s.as_str()), Some(s));
        }
    }
}
