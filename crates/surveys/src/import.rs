//! Importing responses collected elsewhere: a CSV file, one row per respondent, one
//! column per question headed by the question's exact text, answers by option label
//! (several labels of a multiple choice separated by `;`), and optional `member_type`
//! and `country` columns for cross-tabs. Every row is checked as a member's answers are
//! (`answers::check`); any problem is reported with its row and column and nothing is
//! imported. Imported responses belong to no member and count in results like any other.

use std::collections::HashMap;

use contracts::members::MemberType;
use kernel::db;
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::{AppError, AppResult, AppState, FieldErrors, audit};
use sea_orm::{DatabaseTransaction, Value as DbValue};
use serde_json::Value;
use uuid::Uuid;

use crate::answers::{self, Accepted};
use crate::store::Survey;

pub const MAX_ROWS: usize = 20_000;
const MAX_PROBLEMS: usize = 50;

/// What a column of the file holds.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Column {
    Question(usize),
    MemberType,
    Country,
}

/// One respondent of the file, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedRow {
    pub member_type: Option<MemberType>,
    pub country: Option<String>,
    pub answers: Accepted,
}

/// Reads and checks the file against `survey`; the problems are keyed
/// `row N, column "…"` (the header is row 1).
pub fn read(survey: &Survey, text: &str) -> Result<Vec<ImportedRow>, FieldErrors> {
    let mut e = FieldErrors::new();
    let records = match crate::csv::parse(text) {
        Ok(r) => r,
        Err(row) => {
            e.add(&format!("row {row}"), "A quoted field is not closed.");
            return Err(e);
        }
    };
    let Some((header, rows)) = records.split_first() else {
        e.add("file", "The file is empty: give a header row and one row per respondent.");
        return Err(e);
    };
    if rows.len() > MAX_ROWS {
        e.add("file", format!("Import at most {MAX_ROWS} rows at a time."));
        return Err(e);
    }
    let columns = columns(survey, header, &mut e);
    if !e.is_empty() {
        return Err(e);
    }
    let mut out = Vec::with_capacity(rows.len());
    for (i, record) in rows.iter().enumerate() {
        if e.0.len() >= MAX_PROBLEMS {
            break;
        }
        if let Some(row) = row(survey, header, &columns, record, i + 2, &mut e) {
            out.push(row);
        }
    }
    if e.is_empty() { Ok(out) } else { Err(e) }
}

fn place(row: usize, column: &str) -> String {
    format!("row {row}, column \u{201c}{}\u{201d}", column.chars().take(80).collect::<String>())
}

fn columns(survey: &Survey, header: &[String], e: &mut FieldErrors) -> Vec<Column> {
    let mut out = Vec::new();
    for name in header {
        let name = name.trim();
        let column = match name {
            "member_type" => Some(Column::MemberType),
            "country" => Some(Column::Country),
            _ => survey.questions.iter().position(|q| q.text == name).map(Column::Question),
        };
        match column {
            Some(c) if out.contains(&c) => e.add(&place(1, name), "This column appears twice."),
            Some(c) => out.push(c),
            None => e.add(&place(1, name), "No question of this survey has this text, word for word."),
        }
    }
    out
}

fn row(
    survey: &Survey,
    header: &[String],
    columns: &[Column],
    record: &[String],
    n: usize,
    e: &mut FieldErrors,
) -> Option<ImportedRow> {
    if record.len() != columns.len() {
        e.add(&format!("row {n}"), format!("The row has {} fields; the header has {}.", record.len(), columns.len()));
        return None;
    }
    let mut given: HashMap<Uuid, Value> = HashMap::new();
    let (mut member_type, mut country) = (None, None);
    let mut ok = true;
    for ((column, raw), name) in columns.iter().zip(record).zip(header) {
        let raw = raw.trim();
        match column {
            Column::MemberType if raw.is_empty() => {}
            Column::MemberType => match MemberType::parse(raw) {
                Some(t) => member_type = Some(t),
                None => {
                    ok = false;
                    e.add(
                        &place(n, name),
                        "Give patient, caregiver, healthcare_professional or advocate, or leave it empty.",
                    );
                }
            },
            Column::Country if raw.is_empty() => {}
            Column::Country if raw.len() == 2 && raw.chars().all(|c| c.is_ascii_alphabetic()) => {
                country = Some(raw.to_uppercase())
            }
            Column::Country => {
                ok = false;
                e.add(&place(n, name), "Give a two-letter country code, such as US, or leave it empty.");
            }
            Column::Question(i) => {
                let q = &survey.questions[*i];
                let value = if raw.is_empty() {
                    Value::Null
                } else if q.kind == crate::model::Kind::Multiple {
                    Value::Array(raw.split(';').map(|s| Value::String(s.trim().to_string())).collect())
                } else {
                    Value::String(raw.to_string())
                };
                given.insert(q.id, value);
            }
        }
    }
    match answers::check(&survey.questions, &given) {
        Ok(accepted) if ok => Some(ImportedRow { member_type, country, answers: accepted }),
        Ok(_) => None,
        Err(problems) => {
            for (id, message) in problems {
                let text = survey.question(id).map(|q| q.text.as_str()).unwrap_or("");
                e.add(&place(n, text), message);
            }
            None
        }
    }
}

/// Imports the checked rows into `survey`, all in one transaction; returns how many.
pub async fn store(
    state: &AppState,
    actor: MemberId,
    survey: &Survey,
    rows: &[ImportedRow],
    ip: &str,
) -> AppResult<usize> {
    if rows.is_empty() {
        return Err(AppError::field("file", "The file has no rows to import."));
    }
    let tx = state.db.begin().await?;
    let ids: Vec<Uuid> = rows.iter().map(|_| Uuid::now_v7()).collect();
    insert_responses(&tx, survey.row.id, rows, &ids).await?;
    let mut answers: Vec<(Uuid, Uuid, String)> = Vec::new();
    for (row, id) in rows.iter().zip(&ids) {
        for (q, values) in &row.answers {
            answers.extend(values.iter().map(|v| (*id, *q, v.clone())));
        }
    }
    for chunk in answers.chunks(300) {
        let mut values: Vec<DbValue> = Vec::with_capacity(chunk.len() * 3);
        let mut tuples = Vec::with_capacity(chunk.len());
        for (i, (r, q, v)) in chunk.iter().enumerate() {
            tuples.push(format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3));
            values.extend([DbValue::from(*r), DbValue::from(*q), DbValue::from(v.clone())]);
        }
        let sql = format!("INSERT INTO survey_answers (response_id, question_id, value) VALUES {}", tuples.join(", "));
        db::exec(&tx, &sql, values).await?;
    }
    let detail = serde_json::json!({ "survey_id": survey.row.id, "rows": rows.len() });
    audit::record(&tx, Some(actor), "survey.import", None, Some(ip), detail).await?;
    tx.commit().await?;
    Ok(rows.len())
}

async fn insert_responses(tx: &DatabaseTransaction, survey: Uuid, rows: &[ImportedRow], ids: &[Uuid]) -> AppResult<()> {
    let t = now();
    for (chunk, chunk_ids) in rows.chunks(200).zip(ids.chunks(200)) {
        let mut values: Vec<DbValue> = vec![survey.into(), t.into()];
        let mut tuples = Vec::with_capacity(chunk.len());
        for (i, (row, id)) in chunk.iter().zip(chunk_ids).enumerate() {
            let at = 3 + 3 * i;
            tuples.push(format!("(${at}, $1, NULL, 'import', ${}, ${}, '[]', TRUE, $2)", at + 1, at + 2));
            values.extend([
                DbValue::from(*id),
                DbValue::from(row.member_type.map(|m| m.as_str().to_string())),
                DbValue::from(row.country.clone()),
            ]);
        }
        let sql = format!(
            "INSERT INTO survey_responses (id, survey_id, member_id, source, member_type, country, conditions, consented, created_at) VALUES {}",
            tuples.join(", ")
        );
        db::exec(tx, &sql, values).await?;
    }
    Ok(())
}
