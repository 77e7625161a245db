//! The resources' pages, all plain HTML forms that work without JavaScript: the
//! library, a resource, its file, the monthly collections and the archive, and the
//! `/learn` hub (`library.rs`); the staff library with its form and upload (`staff.rs`);
//! the monthly collection editor (`editor.rs`).

mod editor;
mod library;
mod staff;

use axum::Router;
use axum::routing::{get, post};
use kernel::AppState;
use kernel::FieldErrors;
use kernel::ui::escape;

/// The form helpers every slice shares (fields in order, repeated names included).
pub(crate) use kernel::http::{form_pairs, form_value, form_values};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/learn", get(library::hub_page))
        .route("/resources", get(library::library_page))
        .route("/resources/collections", get(library::archive_page))
        .route("/resources/collections/{month}", get(library::collection_page))
        .route("/resources/{id}", get(library::resource_page))
        .route("/resources/{id}/file", get(library::file_download))
        .route("/admin/resources", get(staff::staff_library_page))
        .route("/admin/resources/new", get(staff::new_page).post(staff::new_submit))
        .route("/admin/resources/upload", post(staff::upload_submit))
        .route("/admin/resources/{id}/edit", get(staff::edit_page).post(staff::edit_submit))
        .route("/admin/resources/collections", get(editor::collections_page).post(editor::start_submit))
        .route("/admin/resources/collections/{month}", get(editor::editor_page).post(editor::editor_submit))
}

/// A labelled `<select>` (id `f-{name}`, so the error summary links to it) with its
/// inline error; `any` is the label of the empty first option, if there is one.
pub(crate) fn select(
    name: &str,
    label: &str,
    options: &[(String, String)],
    chosen: &str,
    any: Option<&str>,
    errors: &FieldErrors,
) -> String {
    let id = format!("f-{name}");
    let error = errors.get(name);
    let mut out = format!(
        "<div class=\"field{}\"><label for=\"{id}\">{}</label>",
        if error.is_some() { " has-error" } else { "" },
        escape(label)
    );
    let mut attrs = String::new();
    if let Some(e) = error {
        out.push_str(&format!("<p class=\"error\" id=\"{id}-error\">{}</p>", escape(e)));
        attrs = format!(" aria-invalid=\"true\" aria-describedby=\"{id}-error\"");
    }
    out.push_str(&format!("<select id=\"{id}\" name=\"{}\"{attrs}>", escape(name)));
    if let Some(any) = any {
        out.push_str(&format!("<option value=\"\">{}</option>", escape(any)));
    }
    for (value, text) in options {
        let selected = if value == chosen { " selected" } else { "" };
        out.push_str(&format!("<option value=\"{}\"{selected}>{}</option>", escape(value), escape(text)));
    }
    out.push_str("</select></div>");
    out
}

/// A fieldset of checkboxes named `name`, each option checked when `chosen` holds it;
/// the fieldset's id is `f-{name}`, for the error summary.
pub(crate) fn checkboxes(
    name: &str,
    legend: &str,
    options: &[(String, String)],
    chosen: &[String],
    errors: &FieldErrors,
) -> String {
    let mut out = format!("<fieldset id=\"f-{name}\"><legend>{}</legend>", escape(legend));
    if let Some(e) = errors.get(name) {
        out.push_str(&format!("<p class=\"error\">{}</p>", escape(e)));
    }
    for (i, (value, text)) in options.iter().enumerate() {
        let checked = if chosen.contains(value) { " checked" } else { "" };
        out.push_str(&format!(
            "<div class=\"choice\"><input type=\"checkbox\" id=\"{name}-{i}\" name=\"{name}\" value=\"{}\"{checked}>\
             <label for=\"{name}-{i}\">{}</label></div>",
            escape(value),
            escape(text)
        ));
    }
    out.push_str("</fieldset>");
    out
}

/// A moment as people read it on these pages (UTC).
pub(crate) fn day(at: &chrono::DateTime<chrono::Utc>) -> String {
    at.format("%-d %B %Y").to_string()
}
