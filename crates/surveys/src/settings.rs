//! The surveys slice's own setting: how small a count partners may not see.

use kernel::AppState;
use kernel::config::ConfigError;
use kernel::slice::{MissingPort, Setting, SliceSettings};

pub(crate) const SETTINGS: &[Setting] = &[Setting {
    var: "SHN_SURVEY_MIN_CELL",
    help: "Partners see a survey count only when it is at least this many respondents (k); smaller ones, and any a shown total would give away, are suppressed [default: 5]",
}];

#[derive(Clone, Debug)]
pub(crate) struct SurveySettings {
    /// The smallest count a partner may see.
    pub min_cell: i64,
}

impl SurveySettings {
    pub fn parse(s: &SliceSettings) -> Result<Self, ConfigError> {
        let min_cell = s.whole_number("SHN_SURVEY_MIN_CELL", 2..=100, "respondents")?.unwrap_or(5);
        Ok(SurveySettings { min_cell })
    }

    /// The settings this slice parsed at start-up.
    pub fn of(state: &AppState) -> Result<&SurveySettings, MissingPort> {
        state.port::<SurveySettings>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k_is_five_unless_set_and_a_bad_value_names_its_variable() {
        let mut s = SliceSettings::default();
        assert_eq!(SurveySettings::parse(&s).unwrap().min_cell, 5);
        s.0.insert("SHN_SURVEY_MIN_CELL".into(), "1".into());
        assert_eq!(SurveySettings::parse(&s).unwrap_err().var, "SHN_SURVEY_MIN_CELL");
        s.0.insert("SHN_SURVEY_MIN_CELL".into(), "10".into());
        assert_eq!(SurveySettings::parse(&s).unwrap().min_cell, 10);
    }
}
