//! Who may run the awards: staff. Staff routes answer 404 to everyone else (401 without
//! a token on the API), and read a body only after that check.

pub use kernel::http::json;
pub use kernel::viewer::{api_staff, staff_page as staff};
