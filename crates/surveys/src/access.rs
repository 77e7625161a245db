//! Who may use which part: members take surveys, staff build them and read results.
//! Staff pages and routes answer 404 to everyone else (401 on the API without a
//! token), decided before a body is read.

pub use kernel::http::json;
pub use kernel::viewer::{api_staff, staff_page as staff};
