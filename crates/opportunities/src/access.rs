//! Who may use which part: members use the board, staff run opportunities. Staff pages
//! and routes answer 404 to everyone else, so they do not even show that they exist.
//! Bodies are read only after this check, so a stranger learns nothing from an error
//! about the body's shape.

pub use kernel::http::json;
pub use kernel::viewer::{api_staff, staff_page as staff};
