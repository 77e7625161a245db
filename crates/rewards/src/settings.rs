//! The rewards slice's own settings.

use kernel::config::ConfigError;
use kernel::slice::{Setting, SliceSettings};

pub(crate) const SETTINGS: &[Setting] = &[Setting {
    var: "SHN_POINTS_EXPIRE_MONTHS",
    help: "Points expire this many months after they were earned, oldest first [default: never]",
}];

#[derive(Clone, Debug)]
pub(crate) struct RewardSettings {
    /// Points expire this many months after they were earned (never when `None`).
    pub points_expire_months: Option<u32>,
}

impl RewardSettings {
    pub fn parse(s: &SliceSettings) -> Result<Self, ConfigError> {
        let months = s.whole_number("SHN_POINTS_EXPIRE_MONTHS", 1..=120, "months")?;
        Ok(RewardSettings { points_expire_months: months.map(|m| m as u32) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_expiry_names_its_variable() {
        let mut s = SliceSettings::default();
        s.0.insert("SHN_POINTS_EXPIRE_MONTHS".into(), "soon".into());
        let e = RewardSettings::parse(&s).unwrap_err();
        assert!(e.to_string().starts_with("SHN_POINTS_EXPIRE_MONTHS"), "{e}");
        s.0.insert("SHN_POINTS_EXPIRE_MONTHS".into(), "12".into());
        assert_eq!(RewardSettings::parse(&s).unwrap().points_expire_months, Some(12));
    }
}
