//! The opportunities slice's own settings: what counts as an FTC disclosure and where
//! it must sit, and how small a figure partners may not see.

use kernel::AppState;
use kernel::config::{ConfigError, bad};
use kernel::slice::{MissingPort, Setting, SliceSettings};

pub(crate) const SETTINGS: &[Setting] = &[
    Setting {
        var: "SHN_FTC_DISCLOSURES",
        help: "Phrases that disclose a sponsored post, separated by ';' (matched in any case, as whole words) [default: #ad; #sponsored; #paid; #paidpartnership; paid partnership with; sponsored by; in partnership with; advertisement]",
    },
    Setting {
        var: "SHN_FTC_DISCLOSURE_WITHIN",
        help: "In a caption longer than this many characters, the disclosure must sit wholly within them (what a feed shows before \"more\") [default: 125]",
    },
    Setting {
        var: "SHN_PARTNER_MIN_CELL",
        help: "Partners see a count or total only when it covers at least this many members; smaller ones show as \"fewer than N\" [default: 5]",
    },
];

/// What the FTC and the platforms accept as a clear disclosure.
const DEFAULT_DISCLOSURES: &[&str] = &[
    "#ad",
    "#sponsored",
    "#paid",
    "#paidpartnership",
    "paid partnership with",
    "sponsored by",
    "in partnership with",
    "advertisement",
];

#[derive(Clone, Debug)]
pub(crate) struct OpportunitySettings {
    /// Disclosure phrases, lower case.
    pub disclosures: Vec<String>,
    /// In a caption longer than this (in characters), the disclosure must end within it.
    pub disclosure_within: usize,
    /// The smallest group of members a partner's figure may describe.
    pub partner_min_cell: i64,
}

impl Default for OpportunitySettings {
    fn default() -> Self {
        OpportunitySettings {
            disclosures: DEFAULT_DISCLOSURES.iter().map(|p| p.to_string()).collect(),
            disclosure_within: 125,
            partner_min_cell: 5,
        }
    }
}

impl OpportunitySettings {
    pub fn parse(s: &SliceSettings) -> Result<Self, ConfigError> {
        let mut out = OpportunitySettings::default();
        if let Some(list) = s.get("SHN_FTC_DISCLOSURES") {
            let phrases: Vec<String> =
                list.split(';').map(|p| p.trim().to_lowercase()).filter(|p| !p.is_empty()).collect();
            if phrases.is_empty() || phrases.iter().any(|p| p.chars().count() > 60) {
                return Err(bad(
                    "SHN_FTC_DISCLOSURES",
                    "give one or more phrases of up to 60 characters, separated by ';'",
                ));
            }
            out.disclosures = phrases;
        }
        if let Some(n) = s.whole_number("SHN_FTC_DISCLOSURE_WITHIN", 20..=2200, "characters")? {
            out.disclosure_within = n as usize;
        }
        if let Some(k) = s.whole_number("SHN_PARTNER_MIN_CELL", 1..=100, "members")? {
            out.partner_min_cell = k;
        }
        Ok(out)
    }

    /// The settings this slice parsed at start-up.
    pub fn of(state: &AppState) -> Result<&OpportunitySettings, MissingPort> {
        state.port::<OpportunitySettings>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_values_name_their_variable_and_good_ones_are_read() {
        let mut s = SliceSettings::default();
        s.0.insert("SHN_FTC_DISCLOSURES".into(), " ; ".into());
        assert_eq!(OpportunitySettings::parse(&s).unwrap_err().var, "SHN_FTC_DISCLOSURES");
        s.0.insert("SHN_FTC_DISCLOSURES".into(), "#Anzeige; #werbung".into());
        s.0.insert("SHN_FTC_DISCLOSURE_WITHIN".into(), "many".into());
        assert_eq!(OpportunitySettings::parse(&s).unwrap_err().var, "SHN_FTC_DISCLOSURE_WITHIN");
        s.0.insert("SHN_FTC_DISCLOSURE_WITHIN".into(), "100".into());
        let parsed = OpportunitySettings::parse(&s).unwrap();
        assert_eq!(parsed.disclosures, vec!["#anzeige", "#werbung"]);
        assert_eq!(parsed.disclosure_within, 100);
        assert_eq!(parsed.partner_min_cell, 5);
    }
}
