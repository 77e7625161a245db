//! The pieces of a staff form that [`crate::ui::Field`] does not cover: a choice of one
//! (radio buttons in a fieldset with its legend), a checkbox, a form with its error
//! summary and CSRF field, and a list typed one item a line. Every piece works without
//! JavaScript, ties its error to its inputs, and keeps what was typed.

use crate::error::FieldErrors;
use crate::ui::escape;

/// A choice of one among `options` (value, label), as radio buttons in a fieldset whose
/// legend names the choice; the error (if any) is said in the fieldset, and the first
/// button carries the `f-{name}` id the error summary links to.
pub fn radios(name: &str, legend: &str, options: &[(&str, &str)], selected: &str, errors: &FieldErrors) -> String {
    let error = errors.get(name);
    let mut out = format!(
        "<fieldset class=\"field radios{}\"><legend>{}</legend>",
        if error.is_some() { " has-error" } else { "" },
        escape(legend)
    );
    let described = if let Some(e) = error {
        out.push_str(&format!("<p class=\"error\" id=\"f-{name}-error\">{}</p>", escape(e)));
        format!(" aria-describedby=\"f-{name}-error\"")
    } else {
        String::new()
    };
    for (i, (value, label)) in options.iter().enumerate() {
        let id = if i == 0 { format!("f-{name}") } else { format!("f-{name}-{value}") };
        out.push_str(&format!(
            "<div class=\"choice\"><input type=\"radio\" id=\"{id}\" name=\"{name}\" value=\"{v}\"{checked}{described}> \
             <label for=\"{id}\">{l}</label></div>",
            v = escape(value),
            l = escape(label),
            checked = if *value == selected { " checked" } else { "" },
        ));
    }
    out.push_str("</fieldset>");
    out
}

/// A checkbox sending `name=yes` when ticked, with its label and an optional hint.
pub fn checkbox(name: &str, label: &str, checked: bool, hint: Option<&str>) -> String {
    let described = hint.map(|_| format!(" aria-describedby=\"f-{name}-hint\"")).unwrap_or_default();
    let hint = hint.map(|h| format!("<p class=\"hint\" id=\"f-{name}-hint\">{}</p>", escape(h))).unwrap_or_default();
    format!(
        "<div class=\"field choice\"><input type=\"checkbox\" id=\"f-{name}\" name=\"{name}\" value=\"yes\"{}{described}> \
         <label for=\"f-{name}\">{}</label>{hint}</div>",
        if checked { " checked" } else { "" },
        escape(label)
    )
}

/// A posted form: the error summary first (linking each message to its field), the
/// CSRF field, the fields (already-rendered HTML) and one submit button.
pub fn form(action: &str, csrf: &str, errors: &FieldErrors, fields: &str, submit: &str) -> String {
    format!(
        "{summary}<form method=\"post\" action=\"{action}\" novalidate>\
         <input type=\"hidden\" name=\"{field}\" value=\"{csrf}\">{fields}\
         <p><button type=\"submit\">{submit}</button></p></form>",
        summary = crate::ui::error_summary(errors),
        action = escape(action),
        field = crate::http::CSRF_FIELD,
        csrf = escape(csrf),
        submit = escape(submit),
    )
}

/// A small form of one button (archive, delete, cancel, start), posting to `action`.
pub fn button(action: &str, csrf: &str, label: &str) -> String {
    format!(
        "<form method=\"post\" action=\"{}\" class=\"inline\"><input type=\"hidden\" name=\"{}\" value=\"{}\">\
         <button type=\"submit\">{}</button></form>",
        escape(action),
        crate::http::CSRF_FIELD,
        escape(csrf),
        escape(label)
    )
}

/// The non-empty lines of a text area, trimmed (a list typed one item a line).
pub fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect()
}

/// A whole number typed in a form: `Ok(None)` when left empty, an error when it is not
/// a number.
pub fn number(text: &str) -> Result<Option<i64>, std::num::ParseIntError> {
    let t = text.trim();
    if t.is_empty() { Ok(None) } else { t.parse().map(Some) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radios_name_the_choice_and_keep_the_selection_and_error() {
        let mut e = FieldErrors::new();
        e.add("kind", "Choose one.");
        let html = radios("kind", "Kind", &[("open", "Open"), ("private", "Private")], "private", &e);
        assert!(html.contains("<legend>Kind</legend>"));
        assert!(html.contains("id=\"f-kind\""), "the summary's link lands on the first button");
        assert!(html.contains("value=\"private\" checked"));
        assert!(html.contains("id=\"f-kind-error\""));
    }

    #[test]
    fn lists_and_numbers_are_read_forgivingly() {
        assert_eq!(lines(" a \n\n b\r\n"), vec!["a", "b"]);
        assert_eq!(number(""), Ok(None));
        assert_eq!(number(" 12 "), Ok(Some(12)));
        assert!(number("twelve").is_err());
    }
}
