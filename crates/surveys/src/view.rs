//! A survey as the API shows it.

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::model::{Kind, Status};
use crate::store::{Question, Quota, Survey};

/// Skip logic of a stored question: shown when `question` was answered with `equals`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = SurveyShowIfView)]
pub struct ShowIfView {
    pub question: Uuid,
    pub equals: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = SurveyQuestionView)]
pub struct QuestionView {
    pub id: Uuid,
    pub text: String,
    pub kind: Kind,
    pub options: Vec<String>,
    pub required: bool,
    pub section: String,
    pub long: bool,
    pub show_if: Option<ShowIfView>,
}

#[derive(Debug, Clone, Serialize, ToSchema, sea_orm::FromQueryResult)]
#[schema(as = SurveyQuotaView)]
pub struct QuotaView {
    pub member_type: String,
    pub target: i64,
    pub filled: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SurveyView {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    pub status: Status,
    pub incentive_points: i64,
    pub closes_at: Option<chrono::DateTime<chrono::Utc>>,
    pub questions: Vec<QuestionView>,
    /// Staff only: the quotas and how full they are.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quotas: Option<Vec<QuotaView>>,
    /// Staff only: responses given by members (imports not counted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub responses: Option<i64>,
    /// Staff only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_total: Option<i64>,
    /// Staff only: the partner who commissioned it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner_id: Option<Uuid>,
}

fn question_view(q: &Question) -> QuestionView {
    QuestionView {
        id: q.id,
        text: q.text.clone(),
        kind: q.kind,
        options: q.options.clone(),
        required: q.required,
        section: q.section.clone(),
        long: q.long,
        show_if: q.show_if.as_ref().map(|(id, v)| ShowIfView { question: *id, equals: v.clone() }),
    }
}

fn quota_view(q: &Quota) -> QuotaView {
    QuotaView { member_type: q.member_type.clone(), target: q.target, filled: q.filled }
}

/// The survey as `staff` (or a member) may see it.
pub fn of(s: &Survey, staff: bool) -> SurveyView {
    SurveyView {
        id: s.row.id,
        title: s.row.title.clone(),
        description: s.row.description.clone(),
        status: s.status(),
        incentive_points: s.row.incentive_points,
        closes_at: s.row.closes_at,
        questions: s.questions.iter().map(question_view).collect(),
        quotas: staff.then(|| s.quotas.iter().map(quota_view).collect()),
        responses: staff.then_some(s.row.responses_count),
        target_total: if staff { s.row.target_total } else { None },
        partner_id: if staff { s.row.partner_id } else { None },
    }
}

/// A survey in a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SurveySummary {
    pub id: Uuid,
    pub title: String,
    pub status: Status,
    pub incentive_points: i64,
    pub closes_at: Option<chrono::DateTime<chrono::Utc>>,
}

pub fn summary(r: &crate::store::SurveyRow) -> SurveySummary {
    SurveySummary {
        id: r.id,
        title: r.title.clone(),
        status: Status::parse(&r.status),
        incentive_points: r.incentive_points,
        closes_at: r.closes_at,
    }
}
