//! The staff desk: every opportunity with its numbers, the partners (and adding one),
//! and the form to post an opportunity, which on a mistake comes back with what was
//! typed and each message beside its field.

use askama::Template;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use contracts::members::{MemberType, PLATFORMS};
use kernel::http::{Req, RequestContext};
use kernel::time::now;
use kernel::ui::{self, Field, Input, error_summary};
use kernel::{AppError, AppResult, AppState, FieldErrors};
use uuid::Uuid;

use super::{form_pairs, form_value, form_values, when};
use crate::access::staff;
use crate::catalogue::{self, OpportunityRow};
use crate::drafting::{self, Draft};
use crate::model::{Kind, kind_label};
use crate::partners::{self, NewPartner, Partner};

struct DeskItem {
    id: Uuid,
    title: String,
    kind: &'static str,
    partner: String,
    pay: String,
    deadline: String,
    closed: bool,
    seats: i64,
    taken: i64,
}

#[derive(Template)]
#[template(path = "admin_desk.html")]
struct DeskPage<'a> {
    csrf: &'a str,
    items: Vec<DeskItem>,
    partners: Vec<Partner>,
    partner_fields: String,
    summary: String,
}

async fn render_desk(
    state: &AppState,
    ctx: &RequestContext,
    partner: &NewPartner,
    errors: &FieldErrors,
    notice: Option<&str>,
) -> AppResult<Response> {
    staff(&ctx.viewer)?;
    let rows: Vec<OpportunityRow> = catalogue::all_for_staff(&state.db, 200).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let taken = catalogue::seats_taken(state.db.reader(), &ids).await?;
    let t = now();
    let items = rows
        .into_iter()
        .map(|r| DeskItem {
            closed: r.closed(t),
            kind: kind_label(&r.kind),
            pay: r.pay().describe(),
            deadline: when(&r.apply_by),
            taken: taken.get(&r.id).copied().unwrap_or(0),
            id: r.id,
            title: r.title,
            partner: r.partner_name,
            seats: r.seats,
        })
        .collect();
    let name = Field::new("name", "Name", &partner.name, Input::Text).errors(errors).required().html();
    let website =
        Field::new("website", "Website", &partner.website, Input::Url).errors(errors).hint("https://…").html();
    let page = DeskPage {
        csrf: &ctx.csrf,
        items,
        partners: partners::all(&state.db).await?,
        partner_fields: format!("{name}{website}"),
        summary: error_summary(errors),
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let html = ui::page_with_notice(state, ctx, "Opportunities (staff)", "/admin/members", &ui::render(&page), notice);
    Ok((status, html).into_response())
}

pub(crate) async fn desk_page(Req { state, ctx }: Req) -> AppResult<Response> {
    render_desk(&state, &ctx, &NewPartner::default(), &FieldErrors::new(), None).await
}

pub(crate) async fn partner_submit(Req { state, ctx }: Req, body: Bytes) -> AppResult<Response> {
    let me = staff(&ctx.viewer)?;
    let pairs = form_pairs(&body);
    let p =
        NewPartner { name: form_value(&pairs, "name"), website: form_value(&pairs, "website"), ..Default::default() };
    match partners::create(&state, me.id, &p, &ctx.client_ip).await {
        Ok(done) => {
            let notice = format!("{} is added.", done.name);
            render_desk(&state, &ctx, &NewPartner::default(), &FieldErrors::new(), Some(&notice)).await
        }
        Err(AppError::Validation(errors)) => render_desk(&state, &ctx, &p, &errors, None).await,
        Err(AppError::Conflict { message, .. }) => {
            let mut errors = FieldErrors::new();
            errors.add("name", message);
            render_desk(&state, &ctx, &p, &errors, None).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "admin_new.html")]
struct NewPage<'a> {
    csrf: &'a str,
    summary: String,
    d: Draft,
    errors: FieldErrors,
    kinds: Vec<(&'static str, &'static str)>,
    partners: Vec<Partner>,
    member_types: Vec<(&'static str, &'static str)>,
    conditions: Vec<(String, String)>,
    platforms: &'static [(&'static str, &'static str)],
    main_fields: String,
    pay_fields: String,
    date_fields: String,
    detail_fields: String,
    rule_fields: String,
}

impl NewPage<'_> {
    fn error(&self, field: &str) -> Option<String> {
        self.errors.get(field).map(String::from)
    }
}

fn fields(d: &Draft, e: &FieldErrors) -> [String; 5] {
    let main = [
        Field::new("title", "Title", &d.title, Input::Text).errors(e).required().html(),
        Field::new("brief", "Brief", &d.brief, Input::TextArea)
            .hint("Markdown. What the work is and why it matters.")
            .errors(e)
            .html(),
    ];
    let pay = [
        Field::new("amount", "Amount (for money)", &d.amount, Input::Text)
            .hint("For example 250 or 250.50")
            .errors(e)
            .html(),
        Field::new("currency", "Currency (for money)", &d.currency, Input::Text)
            .hint("A three-letter code, like USD")
            .errors(e)
            .html(),
        Field::new("points", "Points (for points)", &d.points, Input::Number).errors(e).html(),
    ];
    let dates = [
        Field::new("seats", "Seats", &d.seats, Input::Number)
            .hint("How many members can be selected")
            .errors(e)
            .required()
            .html(),
        Field::new("apply_by", "Apply by", &d.apply_by, Input::Text)
            .hint("The last day to apply, like 2027-03-31 (to the end of that day, UTC)")
            .errors(e)
            .required()
            .html(),
        Field::new("work_starts_on", "Work starts on", &d.work_starts_on, Input::Text)
            .hint("A date like 2027-04-15, optional")
            .errors(e)
            .html(),
        Field::new("work_ends_on", "Work ends on", &d.work_ends_on, Input::Text)
            .hint("A date, optional")
            .errors(e)
            .html(),
    ];
    let details = [
        Field::new("questions", "Questions for applicants", &d.questions, Input::TextArea)
            .hint("One per line, up to 10")
            .errors(e)
            .html(),
        Field::new("deliverables", "Deliverables", &d.deliverables, Input::TextArea)
            .hint("What selected members hand in")
            .errors(e)
            .html(),
    ];
    let rules = [
        Field::new("countries", "Countries", &d.countries, Input::Text)
            .hint("Two-letter codes separated by commas, like GB, IE; empty for anywhere")
            .errors(e)
            .html(),
        Field::new("languages", "Languages", &d.languages, Input::Text)
            .hint("Codes separated by commas, like en, es; empty for any")
            .errors(e)
            .html(),
        Field::new("followers_count", "Least number of followers", &d.followers_count, Input::Number)
            .hint("On the channel chosen above; empty for none")
            .errors(e)
            .html(),
        Field::new("credential", "Credential required", &d.credential, Input::Text)
            .hint("A course's certificate code, like storytelling-101; empty for none")
            .errors(e)
            .html(),
    ];
    [main.concat(), pay.concat(), dates.concat(), details.concat(), rules.concat()]
}

async fn render_new(state: &AppState, ctx: &RequestContext, d: Draft, errors: FieldErrors) -> AppResult<Response> {
    staff(&ctx.viewer)?;
    let conditions = contracts::members::directory(state)?.conditions(&state.db).await?;
    let [main_fields, pay_fields, date_fields, detail_fields, rule_fields] = fields(&d, &errors);
    let page = NewPage {
        csrf: &ctx.csrf,
        summary: error_summary(&errors),
        kinds: Kind::ALL.iter().map(|k| (k.as_str(), k.label())).collect(),
        partners: partners::all(&state.db).await?,
        member_types: MemberType::ALL.iter().map(|t| (t.as_str(), t.label())).collect(),
        conditions: conditions.into_iter().map(|c| (c.id.to_string(), c.name)).collect(),
        platforms: PLATFORMS,
        main_fields,
        pay_fields,
        date_fields,
        detail_fields,
        rule_fields,
        d,
        errors,
    };
    let status = if page.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, ui::page(state, ctx, "Post an opportunity", "/admin/members", &ui::render(&page))).into_response())
}

pub(crate) async fn new_page(Req { state, ctx }: Req) -> AppResult<Response> {
    let d = Draft { compensation: "money".into(), seats: "1".into(), ..Default::default() };
    render_new(&state, &ctx, d, FieldErrors::new()).await
}

fn draft_from(pairs: &[(String, String)]) -> Draft {
    let v = |name: &str| form_value(pairs, name);
    Draft {
        kind: v("kind"),
        title: v("title"),
        brief: v("brief"),
        partner_id: v("partner_id"),
        compensation: v("compensation"),
        amount: v("amount"),
        currency: v("currency"),
        points: v("points"),
        seats: v("seats"),
        apply_by: v("apply_by"),
        work_starts_on: v("work_starts_on"),
        work_ends_on: v("work_ends_on"),
        questions: v("questions"),
        deliverables: v("deliverables"),
        member_types: form_values(pairs, "member_types"),
        conditions: form_values(pairs, "conditions"),
        countries: v("countries"),
        languages: v("languages"),
        followers_channel: v("followers_channel"),
        followers_count: v("followers_count"),
        health_leader: v("health_leader") == "on",
        credential: v("credential"),
    }
}

pub(crate) async fn new_submit(Req { state, ctx }: Req, body: Bytes) -> AppResult<Response> {
    let me = staff(&ctx.viewer)?;
    let d = draft_from(&form_pairs(&body));
    let clean = match drafting::validate(&d) {
        Ok(c) => c,
        Err(errors) => return render_new(&state, &ctx, d, errors).await,
    };
    match catalogue::create(&state, me.id, &clean, &ctx.client_ip).await {
        Ok(id) => Ok(kernel::http::redirect(&format!("/admin/opportunities/{id}"))),
        Err(AppError::Validation(errors)) => render_new(&state, &ctx, d, errors).await,
        Err(e) => Err(e),
    }
}
