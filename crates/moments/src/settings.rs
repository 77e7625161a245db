//! The moments slice's settings: how many volunteers a support request goes to, and how
//! many open requests a volunteer may hold at once.

use kernel::AppState;
use kernel::config::ConfigError;
use kernel::slice::{MissingPort, Setting, SliceSettings};

pub(crate) const SETTINGS: &[Setting] = &[
    Setting {
        var: "SHN_SUPPORT_FANOUT",
        help: "How many matching volunteers a support request is offered to at once (N) [default: 5]",
    },
    Setting {
        var: "SHN_SUPPORT_MAX_OPEN",
        help: "The most support requests a volunteer may have waiting for their answer at once (M) [default: 3]",
    },
];

#[derive(Clone, Debug)]
pub(crate) struct MomentSettings {
    pub fanout: i64,
    pub max_open: i64,
}

impl MomentSettings {
    pub fn parse(s: &SliceSettings) -> Result<Self, ConfigError> {
        let fanout = s.whole_number("SHN_SUPPORT_FANOUT", 1..=50, "volunteers")?.unwrap_or(5);
        let max_open = s.whole_number("SHN_SUPPORT_MAX_OPEN", 1..=50, "requests")?.unwrap_or(3);
        Ok(MomentSettings { fanout, max_open })
    }

    pub fn of(state: &AppState) -> Result<&MomentSettings, MissingPort> {
        state.port::<MomentSettings>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_a_bad_value_names_its_variable() {
        let mut s = SliceSettings::default();
        let d = MomentSettings::parse(&s).unwrap();
        assert_eq!((d.fanout, d.max_open), (5, 3));
        s.0.insert("SHN_SUPPORT_MAX_OPEN".into(), "0".into());
        assert_eq!(MomentSettings::parse(&s).unwrap_err().var, "SHN_SUPPORT_MAX_OPEN");
    }
}
