//! The FTC disclosure check on a sponsored post's caption.
//!
//! A caption passes when it carries one of the disclosure phrases (a setting, e.g.
//! `#ad`, `#sponsored`, "paid partnership with"), in any case, as whole words: `#ad`
//! is found in "#AD." but not in "#adventure". A long caption is cut by the feed after
//! its first characters (125 by default), so in a caption longer than that the
//! disclosure must sit wholly within them. The verdict says why, in words.

use serde::Serialize;

/// Whether a caption discloses the sponsorship, and why (or why not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Verdict {
    pub ok: bool,
    pub reason: String,
}

/// A caption as characters, lower case, every kind of white space a plain space.
fn normalise(text: &str) -> Vec<char> {
    text.chars().map(|c| if c.is_whitespace() { ' ' } else { c.to_lowercase().next().unwrap_or(c) }).collect()
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Where `phrase` ends if it starts at `at` in `text`: a space in the phrase matches
/// one or more spaces in the text; the match must be whole words.
fn match_at(text: &[char], at: usize, phrase: &[char]) -> Option<usize> {
    if at > 0 && is_word(text[at - 1]) && phrase.first().is_some_and(|c| is_word(*c)) {
        return None;
    }
    let mut i = at;
    for &p in phrase {
        if p == ' ' {
            if text.get(i) != Some(&' ') {
                return None;
            }
            while text.get(i) == Some(&' ') {
                i += 1;
            }
        } else if text.get(i) == Some(&p) {
            i += 1;
        } else {
            return None;
        }
    }
    let ends_word = phrase.last().is_some_and(|c| is_word(*c));
    if ends_word && text.get(i).is_some_and(|c| is_word(*c)) {
        return None;
    }
    Some(i)
}

/// The first disclosure in `text`: (start, end) in characters and the phrase found.
fn first_disclosure<'a>(text: &[char], phrases: &'a [String]) -> Option<(usize, usize, &'a str)> {
    let patterns: Vec<(Vec<char>, &str)> =
        phrases.iter().map(|p| (normalise(p.trim()), p.as_str())).filter(|(p, _)| !p.is_empty()).collect();
    (0..text.len()).find_map(|at| {
        patterns.iter().find_map(|(pattern, phrase)| match_at(text, at, pattern).map(|end| (at, end, *phrase)))
    })
}

/// Checks `caption` against the disclosure `phrases` (lower case) and the rule that a
/// caption longer than `within` characters discloses within them.
pub fn check(caption: &str, phrases: &[String], within: usize) -> Verdict {
    let text = normalise(caption);
    let Some((start, end, phrase)) = first_disclosure(&text, phrases) else {
        let examples: Vec<String> = phrases.iter().take(3).map(|p| format!("\u{201c}{p}\u{201d}")).collect();
        return Verdict {
            ok: false,
            reason: format!(
                "No disclosure found: say that the post is sponsored, for example with {}.",
                examples.join(" or ")
            ),
        };
    };
    if text.len() > within && end > within {
        return Verdict {
            ok: false,
            reason: format!(
                "The disclosure \u{201c}{phrase}\u{201d} starts at character {}, after the first {within} characters \
                 that feeds show before \u{201c}more\u{201d}; move it to the start of the caption.",
                start + 1
            ),
        };
    }
    Verdict { ok: true, reason: format!("Disclosed with \u{201c}{phrase}\u{201d}.") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phrases() -> Vec<String> {
        crate::settings::OpportunitySettings::default().disclosures
    }

    #[test]
    fn a_table_of_captions_is_classified_as_the_ftc_would() {
        let filler =
            "I have lived with asthma for twenty years and this spring I finally found a routine that works for me. ";
        let late = format!("{filler}{filler}#ad");
        let early_long = format!("#ad {filler}{filler}");
        // A long caption whose disclosure ends at character 125, and one whose ends at 127.
        let just_inside = format!("{}#ad and then the caption goes on", "x ".repeat(61));
        let just_outside = format!("{}#ad", "x ".repeat(62));
        let table: Vec<(&str, &str, bool)> = vec![
            ("plain caption, no disclosure", "Loving my new inhaler routine!", false),
            ("hashtag at the end of a short caption", "Loving my new inhaler routine! #ad", true),
            ("another case", "Loving my new routine #AD", true),
            ("mixed case phrase", "Paid Partnership With @BreatheCo: my routine", true),
            ("phrase across a line break", "Sponsored\nby BreatheCo", true),
            ("#sponsored", "#sponsored my routine", true),
            ("a longer hashtag is not #ad", "Off on an #adventure with my inhaler", false),
            ("#ads is not #ad", "No #ads here", false),
            ("a word containing ad", "I read a great advert", false),
            ("punctuation after the tag", "My routine (#ad).", true),
            ("long caption, disclosure first", &early_long, true),
            ("long caption, disclosure past 125 characters", &late, false),
            ("disclosure ending at character 125", &just_inside, true),
            ("disclosure ending past character 125", &just_outside, false),
            ("empty", "", false),
        ];
        for (what, caption, ok) in table {
            let v = check(caption, &phrases(), 125);
            assert_eq!(v.ok, ok, "{what}: {caption:?} → {}", v.reason);
        }
    }

    #[test]
    fn the_verdict_says_why() {
        let filler = "word ".repeat(40);
        let v = check(&format!("{filler}#ad"), &phrases(), 125);
        assert!(v.reason.contains("after the first 125 characters"), "{}", v.reason);
        assert!(v.reason.contains("character 201"), "{}", v.reason);
        let v = check("nothing to see", &phrases(), 125);
        assert!(v.reason.starts_with("No disclosure found"), "{}", v.reason);
        let v = check("#Sponsored post", &phrases(), 125);
        assert_eq!(v.reason, "Disclosed with \u{201c}#sponsored\u{201d}.");
    }

    #[test]
    fn the_phrase_list_is_a_setting() {
        let german = vec!["#werbung".to_string()];
        assert!(check("Mein Alltag #Werbung", &german, 125).ok);
        assert!(!check("Mein Alltag #ad", &german, 125).ok);
    }
}
