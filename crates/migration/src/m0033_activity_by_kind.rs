//! Each outbox consumer reads only the kinds of event it handles (issue 19). Before, every
//! consumer read every event and recorded a delivery for each, handled or not: sixteen
//! write transactions per event, and each pass re-read its whole grace window behind the
//! cursor. Under the benchmark's mixed load (~50 events a second) the consumers were 12
//! minutes behind after 14 minutes and falling further behind. With this index a consumer's pass
//! reads its own kinds from its cursor on.

use sea_orm_migration::prelude::*;

const UP: &str = r#"
CREATE INDEX activity_by_kind ON activity (kind, created_at, id)
"#;

crate::portable_migration!(UP);
