//! Who may use the staff side of the resources: staff pages and routes answer 404 to
//! everyone else, before a body is read, so they do not show that they exist.

pub use kernel::http::json;
pub use kernel::viewer::{api_staff, staff_page as staff};
