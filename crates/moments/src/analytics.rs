//! The moments section of the programme analytics: support requests asked, accepted,
//! and whether the support helped (the check-in's answers, only ever as counts).

use kernel::analytics::{self, Number, Range, Table};
use kernel::db::Db;
use kernel::params;
use sea_orm::DbErr;

pub(crate) fn section() -> analytics::Reader {
    analytics::Reader {
        key: "moments",
        title: "Support at the right moment",
        numbers: |db, range| Box::pin(numbers(db, range)),
        tables: |db, range| Box::pin(tables(db, range)),
        rollups: &[],
        current: &[],
    }
}

async fn count(db: &Db, condition: &str, range: &Range) -> Result<i64, DbErr> {
    analytics::number(
        db,
        &format!("SELECT COUNT(*) FROM support_requests WHERE created_at >= $1 AND created_at < $2{condition}"),
        params![range.start(), range.end()],
    )
    .await
}

async fn numbers(db: &Db, range: &Range) -> Result<Vec<Number>, DbErr> {
    Ok(vec![
        Number { key: "support_requests", label: "Support requests", value: count(db, "", range).await? },
        Number {
            key: "support_accepted",
            label: "Accepted by a volunteer",
            value: count(db, " AND status = 'accepted'", range).await?,
        },
        Number { key: "support_helped", label: "Said it helped", value: count(db, " AND helped = TRUE", range).await? },
        Number {
            key: "support_not_helped",
            label: "Said it did not help",
            value: count(db, " AND helped = FALSE", range).await?,
        },
    ])
}

async fn tables(db: &Db, range: &Range) -> Result<Vec<Table>, DbErr> {
    let rows = analytics::breakdown(
        db,
        "SELECT moment AS label, COUNT(*) AS value FROM support_requests WHERE created_at >= $1 AND created_at < $2 \
         GROUP BY moment ORDER BY value DESC, label LIMIT 20",
        params![range.start(), range.end()],
    )
    .await?;
    Ok(vec![Table {
        report: "moments-requests-by-moment".into(),
        title: "Support requests by moment",
        description: "Requests for support made in the range, by the moment asked about.",
        label_heading: "Moment",
        value_heading: "Requests",
        counts_members: true,
        rows: rows
            .into_iter()
            .map(|r| analytics::Row { label: crate::model::label(&r.label).to_string(), value: r.value })
            .collect(),
    }])
}
