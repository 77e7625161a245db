//! The shared page layout and small UI pieces (form fields with inline errors), so a
//! slice's page renders inside the common layout without knowing who mounts it.

use askama::Template;
use axum::response::Html;

use crate::error::FieldErrors;
use crate::http::RequestContext;
use crate::state::AppState;

#[derive(Clone, Debug)]
pub struct NavItem {
    pub label: &'static str,
    pub href: &'static str,
}

/// An entry of the staff console (`/admin`): one staff task area with a line saying
/// what is done there.
#[derive(Clone, Debug)]
pub struct ConsoleItem {
    pub label: &'static str,
    pub href: &'static str,
    pub blurb: &'static str,
}

struct NavLink {
    label: &'static str,
    href: &'static str,
    current: bool,
}

#[derive(Template)]
#[template(path = "layout.html")]
struct Layout<'a> {
    title: &'a str,
    site_name: &'a str,
    nav: Vec<NavLink>,
    viewer_name: Option<&'a str>,
    /// A judge-only guest's name: their corner is the judging page, not a profile.
    guest_judge: Option<&'a str>,
    is_staff: bool,
    current: &'a str,
    csrf: &'a str,
    notice: Option<&'a str>,
    /// Extra `<head>` elements (already-escaped HTML): a page's link-preview metadata.
    head: &'a str,
    body: &'a str,
}

pub const SITE_NAME: &str = "Social Health Network";

/// A page: `body` (already-rendered, already-escaped HTML) inside the common layout.
pub fn page(state: &AppState, ctx: &RequestContext, title: &str, current: &str, body: &str) -> Html<String> {
    page_with_notice(state, ctx, title, current, body, None)
}

/// Like [`page`], with extra elements in the document's `<head>` (`head`, already-escaped
/// HTML): Open Graph tags, a feed link, JSON-LD.
pub fn page_with_head(
    state: &AppState,
    ctx: &RequestContext,
    title: &str,
    current: &str,
    head: &str,
    body: &str,
) -> Html<String> {
    layout(state, ctx, title, current, head, body, None)
}

/// Like [`page`], with a status message shown above the content.
pub fn page_with_notice(
    state: &AppState,
    ctx: &RequestContext,
    title: &str,
    current: &str,
    body: &str,
    notice: Option<&str>,
) -> Html<String> {
    layout(state, ctx, title, current, "", body, notice)
}

fn layout(
    state: &AppState,
    ctx: &RequestContext,
    title: &str,
    current: &str,
    head: &str,
    body: &str,
    notice: Option<&str>,
) -> Html<String> {
    let nav = state.nav.iter().map(|n| NavLink { label: n.label, href: n.href, current: n.href == current }).collect();
    let layout = Layout {
        title,
        site_name: SITE_NAME,
        nav,
        viewer_name: ctx.viewer.member().map(|m| m.display_name.as_str()),
        guest_judge: ctx.viewer.account().filter(|_| ctx.viewer.is_guest_judge()).map(|m| m.display_name.as_str()),
        is_staff: ctx.viewer.is_staff(),
        current,
        csrf: &ctx.csrf,
        notice,
        head,
        body,
    };
    Html(
        layout
            .render()
            .unwrap_or_else(|e| format!("<!doctype html><title>Error</title><p>{}</p>", escape(&e.to_string()))),
    )
}

/// Renders any askama template to a string (for a page body or an e-mail).
pub fn render<T: Template>(t: &T) -> String {
    t.render().unwrap_or_else(|e| {
        tracing::error!(error = %e, "template failed");
        String::from("<p>Sorry, this part of the page could not be shown.</p>")
    })
}

/// HTML-escapes text for element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

/// The input types a [`Field`] renders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    Text,
    Email,
    Password,
    NewPassword,
    Url,
    Number,
    TextArea,
}

/// A labelled form field with its hint and inline error, accessible by construction:
/// the label names the input, the hint and error are tied to it with
/// `aria-describedby`, and an error sets `aria-invalid`.
pub struct Field<'a> {
    pub name: &'a str,
    pub label: &'a str,
    pub value: &'a str,
    pub input: Input,
    pub hint: Option<&'a str>,
    pub error: Option<&'a str>,
    pub required: bool,
    pub autocomplete: Option<&'a str>,
}

impl<'a> Field<'a> {
    pub fn new(name: &'a str, label: &'a str, value: &'a str, input: Input) -> Self {
        Field { name, label, value, input, hint: None, error: None, required: false, autocomplete: None }
    }
    pub fn hint(mut self, hint: &'a str) -> Self {
        self.hint = Some(hint);
        self
    }
    pub fn errors(mut self, errors: &'a FieldErrors) -> Self {
        self.error = errors.get(self.name);
        self
    }
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub fn autocomplete(mut self, a: &'a str) -> Self {
        self.autocomplete = Some(a);
        self
    }

    pub fn html(&self) -> String {
        let id = format!("f-{}", self.name);
        let mut described = Vec::new();
        let mut out = format!("<div class=\"field{}\">", if self.error.is_some() { " has-error" } else { "" });
        out.push_str(&format!(
            "<label for=\"{id}\">{}{}</label>",
            escape(self.label),
            if self.required { " <span class=\"req\">(required)</span>" } else { "" }
        ));
        if let Some(h) = self.hint {
            out.push_str(&format!("<p class=\"hint\" id=\"{id}-hint\">{}</p>", escape(h)));
            described.push(format!("{id}-hint"));
        }
        if let Some(e) = self.error {
            out.push_str(&format!("<p class=\"error\" id=\"{id}-error\">{}</p>", escape(e)));
            described.push(format!("{id}-error"));
        }
        let mut attrs = format!("id=\"{id}\" name=\"{}\"", escape(self.name));
        if !described.is_empty() {
            attrs.push_str(&format!(" aria-describedby=\"{}\"", described.join(" ")));
        }
        if self.error.is_some() {
            attrs.push_str(" aria-invalid=\"true\"");
        }
        if self.required {
            attrs.push_str(" required");
        }
        if let Some(a) = self.autocomplete {
            attrs.push_str(&format!(" autocomplete=\"{a}\""));
        }
        match self.input {
            Input::TextArea => out.push_str(&format!("<textarea {attrs} rows=\"8\">{}</textarea>", escape(self.value))),
            other => {
                let ty = match other {
                    Input::Email => "email",
                    Input::Password | Input::NewPassword => "password",
                    Input::Url => "url",
                    Input::Number => "number",
                    _ => "text",
                };
                // Passwords are never echoed back into the page.
                let value = if matches!(other, Input::Password | Input::NewPassword) { "" } else { self.value };
                out.push_str(&format!("<input type=\"{ty}\" {attrs} value=\"{}\">", escape(value)));
            }
        }
        out.push_str("</div>");
        out
    }
}

/// An error summary for the top of a form, linking to each bad field.
pub fn error_summary(errors: &FieldErrors) -> String {
    if errors.is_empty() {
        return String::new();
    }
    let items: String =
        errors.0.iter().map(|(f, m)| format!("<li><a href=\"#f-{}\">{}</a></li>", escape(f), escape(m))).collect();
    format!(
        "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\"><h2>There is a problem</h2><ul>{items}</ul></div>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_tie_errors_to_inputs_and_escape_values() {
        let mut errors = FieldErrors::new();
        errors.add("email", "Enter an e-mail address like name@example.org");
        let html = Field::new("email", "E-mail", "\"><script>", Input::Email).errors(&errors).required().html();
        assert!(html.contains("<label for=\"f-email\">"));
        assert!(html.contains("aria-invalid=\"true\""));
        assert!(html.contains("aria-describedby=\"f-email-error\""));
        assert!(!html.contains("<script>"));
    }

    #[test]
    fn passwords_are_never_echoed() {
        let html = Field::new("password", "Password", "hunter22", Input::Password).html();
        assert!(!html.contains("hunter22"));
    }
}
