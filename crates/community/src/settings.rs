//! The community slice's own settings: crisis phrases and the limits for new members.

use kernel::AppState;
use kernel::config::{ConfigError, bad};
use kernel::slice::{MissingPort, Setting, SliceSettings};

pub(crate) const SETTINGS: &[Setting] = &[
    Setting {
        var: "SHN_CRISIS_PHRASES",
        help: "Crisis phrases, separated by ';': a post containing one shows its author crisis resources and is flagged to moderators [default: a built-in English list]",
    },
    Setting {
        var: "SHN_CRISIS_MESSAGE",
        help: "What a member whose post matched a crisis phrase is shown [default: a built-in message with helplines]",
    },
];

/// Phrases that suggest someone may be in danger. Organisations add their own (and
/// other languages) with `SHN_CRISIS_PHRASES`.
const DEFAULT_CRISIS_PHRASES: &[&str] = &[
    "kill myself",
    "end my life",
    "want to die",
    "suicide",
    "suicidal",
    "hurt myself",
    "self harm",
    "self-harm",
    "no reason to live",
    "better off dead",
];

const DEFAULT_CRISIS_MESSAGE: &str = "It sounds like you may be going through something really hard. You are not alone. \
If you are in immediate danger, call your local emergency number now. In the US you can call or text 988 \
(Suicide & Crisis Lifeline); in the UK and Ireland call Samaritans on 116 123; elsewhere, findahelpline.com lists \
free, confidential services. Our moderators have been told so they can check in with you.";

#[derive(Clone, Debug)]
pub(crate) struct CommunitySettings {
    /// Phrases (lower case) that make a post show crisis resources to its author and
    /// flag it to moderators.
    pub crisis_phrases: Vec<String>,
    /// What a member whose post matched a crisis phrase is shown at once.
    pub crisis_message: String,
    /// Limits for members who are new.
    pub new_member: NewMemberLimits,
}

/// An account younger than `days` that has written fewer than `posts_to_graduate`
/// posts may write `posts_per_day` posts with `links_per_day` links a day.
#[derive(Clone, Debug)]
pub(crate) struct NewMemberLimits {
    pub days: i64,
    pub posts_to_graduate: i64,
    pub posts_per_day: i64,
    pub links_per_day: i64,
}

impl CommunitySettings {
    pub fn parse(s: &SliceSettings) -> Result<Self, ConfigError> {
        let crisis_phrases = match s.get("SHN_CRISIS_PHRASES") {
            Some(list) => {
                let phrases: Vec<String> =
                    list.split(';').map(|p| p.trim().to_lowercase()).filter(|p| !p.is_empty()).collect();
                if phrases.iter().any(|p| p.chars().count() > 100) {
                    return Err(bad(
                        "SHN_CRISIS_PHRASES",
                        "each phrase (separated by ';') must be under 100 characters",
                    ));
                }
                phrases
            }
            None => DEFAULT_CRISIS_PHRASES.iter().map(|p| p.to_string()).collect(),
        };
        Ok(CommunitySettings {
            crisis_phrases,
            crisis_message: s.get("SHN_CRISIS_MESSAGE").unwrap_or(DEFAULT_CRISIS_MESSAGE).to_string(),
            new_member: NewMemberLimits { days: 7, posts_to_graduate: 10, posts_per_day: 5, links_per_day: 2 },
        })
    }

    /// The settings this slice parsed at start-up.
    pub fn of(state: &AppState) -> Result<&CommunitySettings, MissingPort> {
        state.port::<CommunitySettings>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_too_long_crisis_phrase_is_refused_by_its_variable() {
        let mut s = SliceSettings::default();
        s.0.insert("SHN_CRISIS_PHRASES".into(), format!("fine; {}", "x".repeat(101)));
        assert_eq!(CommunitySettings::parse(&s).unwrap_err().var, "SHN_CRISIS_PHRASES");
        s.0.insert("SHN_CRISIS_PHRASES".into(), " Want To Die ; ;help".into());
        assert_eq!(CommunitySettings::parse(&s).unwrap().crisis_phrases, vec!["want to die", "help"]);
    }
}
