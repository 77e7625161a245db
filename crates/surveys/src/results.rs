//! Results: counts and percentages per question, optionally crossed by member type,
//! country or condition, for staff as they are and for partners with small cells
//! suppressed (`suppression`). Free text reaches results only as quotes staff approved.

use std::collections::{BTreeSet, HashMap, HashSet};

use kernel::db::Db;
use kernel::{AppError, AppResult, AppState, params};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::model::Kind;
use crate::store::{Question, Survey};
use crate::suppression::{Sum, suppress};

/// Who reads the results.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    Staff,
    /// Aggregates only, every cell below k suppressed, and any a shown total would give away.
    Partner {
        k: i64,
    },
}

/// What results are crossed by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum By {
    MemberType,
    Country,
    Condition,
}

impl By {
    pub fn parse(s: &str) -> Option<By> {
        match s {
            "member_type" => Some(By::MemberType),
            "country" => Some(By::Country),
            "condition" => Some(By::Condition),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            By::MemberType => "member_type",
            By::Country => "country",
            By::Condition => "condition",
        }
    }

    /// Whether each respondent is in exactly one segment (so segments add up to the total).
    fn partitions(self) -> bool {
        !matches!(self, By::Condition)
    }
}

/// One count: `count` and `percent` are null when `suppressed`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = SurveyCell)]
pub struct Cell {
    pub label: String,
    pub count: Option<i64>,
    /// Of the respondents to the question (in the segment), to one decimal.
    pub percent: Option<f64>,
    pub suppressed: bool,
}

/// A question's results among the respondents of one segment.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = SurveySegment)]
pub struct Segment {
    pub key: String,
    pub label: String,
    pub respondents: Option<i64>,
    pub suppressed: bool,
    pub options: Vec<Cell>,
}

/// One question's results.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = SurveyQuestionResult)]
pub struct QuestionResult {
    pub question_id: Uuid,
    pub question: String,
    pub kind: Kind,
    /// Members who answered it (null when suppressed).
    pub respondents: Option<i64>,
    pub suppressed: bool,
    /// Per option; for a multiple choice question, the share of respondents choosing each.
    pub options: Vec<Cell>,
    /// With `by`: the same per segment.
    pub segments: Vec<Segment>,
    /// Free-text answers staff approved as quotes.
    pub quotes: Vec<String>,
}

/// A survey's results.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = SurveyResults)]
pub struct Results {
    pub survey_id: Uuid,
    pub title: String,
    /// staff or partner.
    pub audience: String,
    /// The smallest count a partner may see (null for staff).
    pub k: Option<i64>,
    pub by: Option<String>,
    pub respondents: Option<i64>,
    pub questions: Vec<QuestionResult>,
}

#[derive(Debug, Clone, sea_orm::FromQueryResult)]
struct ResponseRow {
    id: Uuid,
    member_type: Option<String>,
    country: Option<String>,
    conditions: String,
}

#[derive(Debug, Clone, sea_orm::FromQueryResult)]
struct AnswerRow {
    response_id: Uuid,
    question_id: Uuid,
    value: String,
}

/// Counts for one group of respondents.
#[derive(Debug, Default, Clone)]
struct Tally {
    respondents: HashSet<Uuid>,
    options: HashMap<String, i64>,
}

/// The results of `survey` for `audience`, crossed by `by` if given. For partners all
/// questions are suppressed as one table: a required question shown only after a given
/// answer has as many respondents as that answer has, which is one more sum to respect.
pub async fn of(state: &AppState, survey: &Survey, audience: Audience, by: Option<By>) -> AppResult<Results> {
    let db = &state.db;
    let responses: Vec<ResponseRow> = db
        .all(
            "SELECT id, member_type, country, conditions FROM survey_responses WHERE survey_id = $1",
            params![survey.row.id],
        )
        .await?;
    let answers: Vec<AnswerRow> = db
        .all(
            "SELECT a.response_id, a.question_id, a.value FROM survey_answers a \
             JOIN survey_responses r ON r.id = a.response_id WHERE r.survey_id = $1",
            params![survey.row.id],
        )
        .await?;
    let labels = segment_labels(state, by).await?;
    let segments_of: HashMap<Uuid, Vec<String>> =
        responses.iter().map(|r| (r.id, by.map(|b| segment_keys(r, b)).unwrap_or_default())).collect();
    let keys: Vec<String> = segments_of.values().flatten().cloned().collect::<BTreeSet<_>>().into_iter().collect();
    let quotes = approved_quotes(db, survey.row.id).await?;
    let k = match audience {
        Audience::Staff => None,
        Audience::Partner { k } => Some(k),
    };
    let tables: Vec<Table> = survey
        .questions
        .iter()
        .map(|q| {
            let mine: Vec<&AnswerRow> = answers.iter().filter(|a| a.question_id == q.id).collect();
            table(q, &mine, &segments_of, &keys)
        })
        .collect();
    let (counts, offsets) = concatenate(&tables);
    let hidden = match k {
        None => vec![false; counts.len()],
        Some(k) => suppress(&counts, &survey_sums(survey, &tables, &offsets, keys.len(), by), k),
    };
    let questions = survey
        .questions
        .iter()
        .zip(&tables)
        .zip(&offsets)
        .map(|((q, t), at)| {
            let mut r =
                assemble(q, t, &keys, &labels, &counts[*at..*at + t.counts.len()], &hidden[*at..*at + t.counts.len()]);
            r.quotes = quotes.get(&q.id).cloned().unwrap_or_default();
            r
        })
        .collect();
    let total = responses.len() as i64;
    Ok(Results {
        survey_id: survey.row.id,
        title: survey.row.title.clone(),
        audience: if k.is_some() { "partner" } else { "staff" }.into(),
        k,
        by: by.map(|b| b.as_str().to_string()),
        respondents: if k.is_some_and(|k| total < k) { None } else { Some(total) },
        questions,
    })
}

/// One question's counts: [respondents, options.., then per segment: respondents, options..].
struct Table {
    options: Vec<String>,
    width: usize,
    counts: Vec<i64>,
}

fn table(q: &Question, answers: &[&AnswerRow], segments_of: &HashMap<Uuid, Vec<String>>, keys: &[String]) -> Table {
    let options = option_labels(q);
    let mut counts = row_of(&tally(answers, |_| true), &options);
    for key in keys {
        let t = tally(answers, |r| segments_of.get(&r).is_some_and(|ks| ks.contains(key)));
        counts.extend(row_of(&t, &options));
    }
    Table { width: 1 + options.len(), options, counts }
}

/// Every table's counts in one list, and where each table starts.
fn concatenate(tables: &[Table]) -> (Vec<i64>, Vec<usize>) {
    let mut counts = Vec::new();
    let mut offsets = Vec::new();
    for t in tables {
        offsets.push(counts.len());
        counts.extend(&t.counts);
    }
    (counts, offsets)
}

/// The sums of each question's table, and for each required question shown only after
/// an answer, "its respondents = that answer's count" (in each segment too).
fn survey_sums(survey: &Survey, tables: &[Table], offsets: &[usize], segments: usize, by: Option<By>) -> Vec<Sum> {
    let partition = by.is_some_and(By::partitions);
    let mut out = Vec::new();
    for ((q, t), at) in survey.questions.iter().zip(tables).zip(offsets) {
        out.extend(
            sums(q.kind, t.options.len(), segments, partition)
                .into_iter()
                .map(|s| Sum { total: s.total + at, parts: s.parts.iter().map(|p| p + at).collect() }),
        );
        let Some((on, value)) = q.show_if.as_ref().filter(|_| q.required) else { continue };
        let Some(p) = survey.questions.iter().position(|c| c.id == *on) else { continue };
        let Some(j) = tables[p].options.iter().position(|o| o == value) else { continue };
        for b in 0..=segments {
            let total = at + b * t.width;
            let part = offsets[p] + b * tables[p].width + 1 + j;
            out.push(Sum { total, parts: vec![part] });
        }
    }
    out
}

fn segment_keys(r: &ResponseRow, by: By) -> Vec<String> {
    let unknown = || vec!["unknown".to_string()];
    match by {
        By::MemberType => r.member_type.clone().map(|t| vec![t]).unwrap_or_else(unknown),
        By::Country => r.country.clone().map(|c| vec![c]).unwrap_or_else(unknown),
        By::Condition => {
            let ids: Vec<Uuid> = serde_json::from_str(&r.conditions).unwrap_or_default();
            if ids.is_empty() { vec!["none".into()] } else { ids.iter().map(Uuid::to_string).collect() }
        }
    }
}

async fn segment_labels(state: &AppState, by: Option<By>) -> AppResult<HashMap<String, String>> {
    let mut out: HashMap<String, String> = HashMap::from([
        ("unknown".to_string(), "Not known".to_string()),
        ("none".to_string(), "No condition shown".to_string()),
    ]);
    match by {
        Some(By::MemberType) => {
            for t in contracts::members::MemberType::ALL {
                out.insert(t.as_str().into(), t.label().into());
            }
        }
        Some(By::Condition) => {
            for c in contracts::members::directory(state)?.conditions(&state.db).await? {
                out.insert(c.id.to_string(), c.name);
            }
        }
        _ => {}
    }
    Ok(out)
}

/// Approved quotes per question.
async fn approved_quotes(db: &Db, survey: Uuid) -> AppResult<HashMap<Uuid, Vec<String>>> {
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        question_id: Uuid,
        value: String,
    }
    let rows: Vec<Row> = db
        .all(
            "SELECT q.question_id, a.value FROM survey_quotes q \
             JOIN survey_answers a ON a.response_id = q.response_id AND a.question_id = q.question_id \
             JOIN survey_responses r ON r.id = q.response_id WHERE r.survey_id = $1 ORDER BY q.approved_at, a.value",
            params![survey],
        )
        .await?;
    let mut out: HashMap<Uuid, Vec<String>> = HashMap::new();
    for r in rows {
        out.entry(r.question_id).or_default().push(r.value);
    }
    Ok(out)
}

/// The labels counted for `q`: its options (an open question counts no options).
fn option_labels(q: &Question) -> Vec<String> {
    if q.kind.has_options() { q.options.clone() } else { Vec::new() }
}

fn tally(answers: &[&AnswerRow], keep: impl Fn(Uuid) -> bool) -> Tally {
    let mut t = Tally::default();
    for a in answers.iter().filter(|a| keep(a.response_id)) {
        t.respondents.insert(a.response_id);
        *t.options.entry(a.value.clone()).or_default() += 1;
    }
    t
}

fn assemble(
    q: &Question,
    t: &Table,
    keys: &[String],
    labels: &HashMap<String, String>,
    counts: &[i64],
    hidden: &[bool],
) -> QuestionResult {
    let block = |b: usize| {
        let at = b * t.width;
        let respondents = (!hidden[at]).then_some(counts[at]);
        let cells = t
            .options
            .iter()
            .enumerate()
            .map(|(i, label)| {
                let shown = !hidden[at + 1 + i];
                let count = shown.then_some(counts[at + 1 + i]);
                let percent = count.zip(respondents).map(|(c, r)| percent(c, r));
                Cell { label: label.clone(), count, percent, suppressed: !shown }
            })
            .collect::<Vec<_>>();
        (respondents, cells)
    };
    let (respondents, cells) = block(0);
    let segments = keys
        .iter()
        .enumerate()
        .map(|(i, key)| {
            let (respondents, options) = block(i + 1);
            let label = labels.get(key).cloned().unwrap_or_else(|| key.clone());
            Segment { key: key.clone(), label, respondents, suppressed: respondents.is_none(), options }
        })
        .collect();
    QuestionResult {
        question_id: q.id,
        question: q.text.clone(),
        kind: q.kind,
        respondents,
        suppressed: respondents.is_none(),
        options: cells,
        segments,
        quotes: Vec::new(),
    }
}

fn row_of(t: &Tally, options: &[String]) -> Vec<i64> {
    let mut row = vec![t.respondents.len() as i64];
    row.extend(options.iter().map(|o| t.options.get(o).copied().unwrap_or(0)));
    row
}

/// The sums the table of a question obeys (layout as in [`Table`]).
fn sums(kind: Kind, options: usize, segments: usize, partition: bool) -> Vec<Sum> {
    let width = 1 + options;
    let mut out = Vec::new();
    for b in 0..=segments {
        if kind.options_add_up() && options > 0 {
            out.push(Sum { total: b * width, parts: (1..=options).map(|i| b * width + i).collect() });
        }
    }
    if partition && segments > 0 {
        for i in 0..width {
            out.push(Sum { total: i, parts: (1..=segments).map(|b| b * width + i).collect() });
        }
    }
    out
}

/// `count` of `base` in percent, to one decimal.
pub fn percent(count: i64, base: i64) -> f64 {
    if base == 0 { 0.0 } else { (count as f64 * 1000.0 / base as f64).round() / 10.0 }
}

/// The results as CSV, one row per cell: question, segment, option, count, percent; a
/// suppressed cell's count and percent are empty.
pub fn csv(r: &Results) -> String {
    let mut out = String::from("question,segment,option,count,percent\r\n");
    let mut line = |q: &str, seg: &str, opt: &str, count: Option<i64>, pct: Option<f64>| {
        let fields = [
            crate::csv::field(q),
            crate::csv::field(seg),
            crate::csv::field(opt),
            count.map(|c| c.to_string()).unwrap_or_default(),
            pct.map(|p| format!("{p:.1}")).unwrap_or_default(),
        ];
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    };
    for q in &r.questions {
        line(&q.question, "All", "Respondents", q.respondents, None);
        for c in &q.options {
            line(&q.question, "All", &c.label, c.count, c.percent);
        }
        for s in &q.segments {
            line(&q.question, &s.label, "Respondents", s.respondents, None);
            for c in &s.options {
                line(&q.question, &s.label, &c.label, c.count, c.percent);
            }
        }
    }
    out
}

/// A `by` query value, or 400.
pub fn by_of(raw: Option<&str>) -> AppResult<Option<By>> {
    match raw.filter(|b| !b.is_empty()) {
        None => Ok(None),
        Some(b) => By::parse(b)
            .map(Some)
            .ok_or_else(|| AppError::bad_request("invalid_query", "by is member_type, country or condition.")),
    }
}
