//! Outgoing mail: SMTP when `SHN_SMTP_URL` is set, else `.eml` files in the data
//! folder's `outbox/`, so a local install shows exactly what would be sent.
//!
//! Slices never send directly: they [`queue`] a message in their transaction. The
//! job's unique key is the (recipient, purpose) pair, so a message is queued at most
//! once per purpose; the worker sends it with retries.

use std::path::PathBuf;

use lettre::message::header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue};
use lettre::message::{Body, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::{ConnectionTrait, DbErr};
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::jobs;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Email {
    pub to: String,
    pub subject: String,
    /// The plain-text part: every message has one.
    pub text: String,
    pub html: Option<String>,
    /// One-click unsubscribe URL for bulk mail (RFC 8058).
    pub unsubscribe_url: Option<String>,
    /// Files sent along (a calendar invitation, say).
    #[serde(default)]
    pub attachments: Vec<Attachment>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    pub body: String,
}

#[derive(Clone)]
pub enum Mailer {
    Smtp { transport: AsyncSmtpTransport<Tokio1Executor>, from: Mailbox },
    Files { dir: PathBuf, from: Mailbox },
}

impl Mailer {
    pub fn from_config(cfg: &Config) -> anyhow::Result<Mailer> {
        let from: Mailbox = cfg.mail_from.parse().map_err(|e| anyhow::anyhow!("SHN_MAIL_FROM: {e}"))?;
        Ok(match &cfg.smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| anyhow::anyhow!("SHN_SMTP_URL: {e}"))?
                    .timeout(Some(std::time::Duration::from_secs(20)))
                    .build();
                Mailer::Smtp { transport, from }
            }
            None => Mailer::Files { dir: cfg.outbox_dir(), from },
        })
    }

    /// Sends now. `message_id` is derived from the queue's key, so a retry after a
    /// crash carries the same Message-ID and receivers can drop the duplicate.
    pub async fn send(&self, email: &Email, message_id: &str) -> anyhow::Result<()> {
        let from = match self {
            Mailer::Smtp { from, .. } | Mailer::Files { from, .. } => from.clone(),
        };
        let message = build(email, from, message_id, None)?;
        match self {
            Mailer::Smtp { transport, .. } => {
                transport.send(message).await?;
            }
            Mailer::Files { dir, .. } => {
                tokio::fs::create_dir_all(dir).await?;
                let stamp = crate::time::now().format("%Y%m%dT%H%M%S%.6fZ");
                let path = dir.join(format!("{stamp}-{}.eml", &message_id[..message_id.len().min(16)]));
                tokio::fs::write(path, message.formatted()).await?;
            }
        }
        Ok(())
    }
}

/// The headers of mail sent to a list (RFC 2919 `List-Id`, RFC 2369 `List-Unsubscribe`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListHeaders {
    /// `List-Id`, e.g. `Health Leader weekly <weekly.shn.example.org>`.
    pub id: String,
    /// A `mailto:` address offered after the one-click URL in `List-Unsubscribe`.
    pub unsubscribe_mailto: Option<String>,
}

/// The message as sent: `list` adds `List-Id` and a `mailto:` unsubscribe to bulk mail.
pub(crate) fn build(
    email: &Email,
    from: Mailbox,
    message_id: &str,
    list: Option<&ListHeaders>,
) -> anyhow::Result<Message> {
    let to: Mailbox = email.to.parse()?;
    let domain = from.email.domain().to_string();
    let mut b = Message::builder()
        .from(from)
        .to(to)
        .subject(email.subject.clone())
        .message_id(Some(format!("<{message_id}@{domain}>")));
    if let Some(list) = list {
        b = b.raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("List-Id"), list.id.clone()));
    }
    if let Some(url) = &email.unsubscribe_url {
        let mailto = list.and_then(|l| l.unsubscribe_mailto.as_ref()).map(|m| format!(", <mailto:{m}>"));
        b = b
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{url}>{}", mailto.unwrap_or_default()),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".to_string(),
            ));
    }
    let text = SinglePart::builder().header(ContentType::TEXT_PLAIN).body(readable(&email.text));
    let body = match &email.html {
        Some(html) => MultiPart::alternative()
            .singlepart(text)
            .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(readable(&ascii_html(html)))),
        None if email.attachments.is_empty() => return Ok(b.singlepart(text)?),
        None => MultiPart::mixed().singlepart(text),
    };
    let mut body = if email.attachments.is_empty() { body } else { MultiPart::mixed().multipart(body) };
    for a in &email.attachments {
        let ct = ContentType::parse(&a.content_type)?;
        body = body.singlepart(lettre::message::Attachment::new(a.filename.clone()).body(readable(&a.body), ct));
    }
    Ok(b.multipart(body)?)
}

/// Plain 7-bit bodies keep links intact and `.eml` files readable (RFC 5322 allows
/// lines up to 998 characters); anything else gets lettre's safe encoding.
fn readable(s: &str) -> Body {
    let crlf = crlf_lines(s);
    let plain = crlf.is_ascii() && !crlf.contains('\0') && crlf.split("\r\n").all(|l| l.len() <= 998);
    if plain {
        Body::dangerous_pre_encoded(crlf.into_bytes(), ContentTransferEncoding::SevenBit)
    } else {
        Body::new(s.to_string())
    }
}

/// `s` with every line ending `CRLF`, in one pass (a lone `\r` is kept as it is).
fn crlf_lines(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 32);
    let mut after_cr = false;
    for c in s.chars() {
        if c == '\n' && !after_cr {
            out.push('\r');
        }
        after_cr = c == '\r';
        out.push(c);
    }
    out
}

/// HTML with every character beyond ASCII written as a character reference, which any
/// HTML reader turns back into the same character: the part then goes as 7-bit text
/// rather than quoted-printable (which a bulk send spent a tenth of its time encoding).
fn ascii_html(html: &str) -> std::borrow::Cow<'_, str> {
    if html.is_ascii() {
        return std::borrow::Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len() + 64);
    for c in html.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            out.push_str(&format!("&#{};", u32::from(c)));
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Sends one queued message (the job [`queue`] makes). The rendered message, links
/// with one-time tokens included, stays in the queue only until it is sent.
#[derive(Serialize, Deserialize)]
pub struct SendMail {
    email: Email,
    /// The message's stable id, so a resend after a crash is recognisably the same.
    key: String,
    /// What the message is for: the first part of its purpose ("reset", "digest").
    #[serde(default)]
    kind: String,
}

impl jobs::Job for SendMail {
    const KIND: &'static str = "mail.send";

    async fn run(self, state: crate::AppState) -> anyhow::Result<()> {
        state.mailer.send(&self.email, &self.key).await
    }

    /// Who was sent what kind of message: never its body, whose links may still work.
    fn finished_record(&self) -> Option<serde_json::Value> {
        Some(serde_json::json!({
            "to": self.email.to,
            "subject": self.email.subject,
            "kind": self.kind,
            "message_id": self.key,
        }))
    }
}

/// Queues `email` for sending, at most once per (recipient, `purpose`). Returns
/// whether it was queued now (false: it had been queued before).
pub async fn queue<C: ConnectionTrait>(c: &C, purpose: &str, email: Email) -> Result<bool, DbErr> {
    let key = format!("mail:{}:{}", purpose, email.to.to_lowercase());
    let message_id = crate::secret::token_hash(&key);
    let kind = purpose.split(':').next().unwrap_or(purpose).to_string();
    jobs::queue(c, &SendMail { email, key: message_id, kind }, Some(&key), None).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_mail_carries_one_click_unsubscribe_and_a_plain_text_part() {
        let email = Email {
            to: "ada@example.org".into(),
            subject: "This week".into(),
            text: "Hello".into(),
            html: Some("<p>Hello</p>".into()),
            unsubscribe_url: Some("https://x.example/u/abc".into()),
            attachments: vec![Attachment {
                filename: "event.ics".into(),
                content_type: "text/calendar; charset=utf-8; method=PUBLISH".into(),
                body: "BEGIN:VCALENDAR\nEND:VCALENDAR\n".into(),
            }],
        };
        let m = build(&email, "SHN <no-reply@x.example>".parse().unwrap(), "abc", None).unwrap();
        let raw = String::from_utf8(m.formatted()).unwrap();
        assert!(raw.contains("List-Unsubscribe: <https://x.example/u/abc>"));
        assert!(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
        assert!(raw.contains("Content-Type: text/plain"));
        assert!(raw.contains("Message-ID: <abc@x.example>"));
        assert!(raw.contains("filename=\"event.ics\"") && raw.contains("BEGIN:VCALENDAR"), "{raw}");
        let list =
            ListHeaders { id: "Weekly <weekly.x.example>".into(), unsubscribe_mailto: Some("u@x.example".into()) };
        let m = build(&email, "SHN <no-reply@x.example>".parse().unwrap(), "abc", Some(&list)).unwrap();
        let raw = String::from_utf8(m.formatted()).unwrap();
        assert!(raw.contains("List-Id: Weekly <weekly.x.example>"), "{raw}");
        assert!(raw.contains("List-Unsubscribe: <https://x.example/u/abc>, <mailto:u@x.example>"), "{raw}");
    }

    #[test]
    fn html_beyond_ascii_goes_as_seven_bit_text_with_character_references() {
        let email = Email {
            to: "ada@example.org".into(),
            subject: "This week".into(),
            text: "Caf\u{e9} \u{2014} open".into(),
            html: Some("<p>Caf\u{e9} \u{2014} open</p>\n<p>two\r\nlines</p>".into()),
            unsubscribe_url: None,
            attachments: vec![],
        };
        let m = build(&email, "SHN <no-reply@x.example>".parse().unwrap(), "abc", None).unwrap();
        let raw = String::from_utf8(m.formatted()).unwrap();
        let html = &raw[raw.find("Content-Type: text/html").expect("an HTML part")..];
        assert!(html.contains("Content-Transfer-Encoding: 7bit"), "{html}");
        assert!(html.contains("<p>Caf&#233; &#8212; open</p>\r\n<p>two\r\nlines</p>"), "{html}");
        let text = &raw
            [raw.find("Content-Type: text/plain").expect("a text part")..raw.find("Content-Type: text/html").unwrap()];
        assert!(!text.contains("7bit"), "the text part keeps its characters, encoded: {raw}");
    }

    #[test]
    fn every_line_ends_crlf_once() {
        assert_eq!(crlf_lines("a\nb\r\nc\rd\n"), "a\r\nb\r\nc\rd\r\n");
        assert_eq!(crlf_lines(""), "");
    }
}
