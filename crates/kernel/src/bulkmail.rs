//! Sending many messages, each exactly where it can be recorded: a [`Lane`] is one
//! persistent SMTP connection (lettre's `AsyncSmtpConnection`, reused message after
//! message) or the outbox folder, and sends one message at a time.
//!
//! SMTP gives a sender no way to learn, after a crash, whether a message it was sending
//! was delivered (RFC 1047). The one moment that decides it is the end of the content:
//! a server takes on a message only once it has read the final `.` (RFC 5321 §6.1), and
//! a connection that drops before then leaves nothing behind. So [`Lane::send`] writes
//! the whole content (dot-stuffed) except its end (`\r\n.\r\n`), which a [`gate`]
//! under the connection holds back, and only then calls the caller's `hand_over`: the
//! caller records the hand-over durably and at once calls [`Release::now`], which
//! writes those five bytes to the socket from the recording task itself. After a crash
//! the caller treats an unrecorded hand-over as not sent (the server never saw the final
//! dot). A recorded one is told apart by the run's [`journal`], a local note written
//! immediately before those five bytes: not noted, its end was never written (send it
//! again); noted, it was (never send it again). What remains uncertain is only the
//! instant between the note and the write, two system calls, and there the choice is a
//! lost message rather than a duplicate.
//!
//! Into the outbox folder a message is written under its Message-ID (a temporary file
//! renamed into place), so writing it again replaces it: exactly one file per message.

mod gate;
pub mod journal;

use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
#[allow(deprecated)]
use lettre::transport::smtp::client::{AsyncNetworkStream, AsyncSmtpConnection, AsyncTokioStream, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Quit, Rcpt, Rset};
use lettre::transport::smtp::extension::ClientId;

use crate::config::Config;
use crate::mail::{Email, ListHeaders, build};
pub use gate::Release;
use gate::{Gate, Gated};

/// What became of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The server accepted the content (or the file is in the outbox).
    Accepted,
    /// The server refused the recipient for good (5xx to `RCPT TO`): a hard bounce.
    Bounced(String),
    /// Nothing was handed over: the hand-over was declined, or the server or the
    /// connection failed before the content. Safe to try again unless `permanent`.
    NotSent { permanent: bool, reason: String },
    /// The content was handed over and the server answered no at its end.
    Refused { permanent: bool, reason: String },
    /// The content was (perhaps entirely) handed over and no answer came. The message
    /// may have been delivered: it must not be sent again.
    Unknown(String),
}

#[derive(Clone)]
enum Security {
    None,
    /// TLS from the first byte (`smtps://`).
    Wrapper(TlsParameters),
    /// Plain, then `STARTTLS` (`smtp://…?tls=required`).
    StartTls(TlsParameters),
}

#[derive(Clone)]
struct Server {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<Credentials>,
}

/// Where a lane sends.
#[derive(Clone)]
pub struct Target {
    from: Mailbox,
    server: Option<Server>,
    outbox: PathBuf,
}

impl Target {
    /// The configured SMTP server (`SHN_SMTP_URL`), or the outbox folder without one.
    pub fn from_config(cfg: &Config) -> anyhow::Result<Target> {
        let from: Mailbox = cfg.mail_from.parse().map_err(|e| anyhow::anyhow!("SHN_MAIL_FROM: {e}"))?;
        let server = cfg.smtp_url.as_deref().map(parse_url).transpose()?;
        Ok(Target { from, server, outbox: cfg.outbox_dir() })
    }

    /// A lane of its own (one connection, opened when first needed).
    pub fn lane(&self) -> Lane {
        Lane { target: self.clone(), conn: None, gate: None }
    }

    /// The sender's domain, for Message-IDs and `List-Id`.
    pub fn domain(&self) -> String {
        self.from.email.domain().to_string()
    }
}

fn parse_url(text: &str) -> anyhow::Result<Server> {
    let url = url::Url::parse(text).map_err(|e| anyhow::anyhow!("SHN_SMTP_URL: {e}"))?;
    let host = url.host_str().ok_or_else(|| anyhow::anyhow!("SHN_SMTP_URL: no host"))?.to_string();
    let tls = || TlsParameters::new(host.clone()).map_err(|e| anyhow::anyhow!("SHN_SMTP_URL: {e}"));
    let required = url.query_pairs().any(|(k, v)| k == "tls" && v == "required");
    let (security, default_port) = match url.scheme() {
        "smtps" => (Security::Wrapper(tls()?), 465),
        "smtp" if required => (Security::StartTls(tls()?), 587),
        "smtp" => (Security::None, 25),
        other => anyhow::bail!("SHN_SMTP_URL: unknown scheme {other}"),
    };
    let credentials = (!url.username().is_empty()).then(|| {
        let decode = |s: &str| url::form_urlencoded::parse(s.as_bytes()).map(|(k, _)| k.into_owned()).collect();
        Credentials::new(decode(url.username()), decode(url.password().unwrap_or_default()))
    });
    Ok(Server { host, port: url.port().unwrap_or(default_port), security, credentials })
}

/// One connection's worth of sending: messages go one after the other.
pub struct Lane {
    target: Target,
    conn: Option<AsyncSmtpConnection>,
    /// The gate under `conn`.
    gate: Option<Gate>,
}

const TIMEOUT: Duration = Duration::from_secs(20);

impl Lane {
    /// Sends `email` with the Message-ID `<message_id@domain>`. `hand_over` runs once
    /// everything but the end of the data is written; it records that the message is
    /// going, calls [`Release::now`] as soon as that record is durable, and answers
    /// whether to go on (false: the connection is dropped and nothing is delivered).
    pub async fn send<F, Fut>(&mut self, email: &Email, list: &ListHeaders, message_id: &str, hand_over: F) -> Outcome
    where
        F: FnOnce(Release) -> Fut,
        Fut: Future<Output = anyhow::Result<bool>>,
    {
        let message = match build(email, self.target.from.clone(), message_id, Some(list)) {
            Ok(m) => m,
            Err(e) => return Outcome::NotSent { permanent: true, reason: format!("cannot build the message: {e}") },
        };
        match self.target.server.clone() {
            Some(server) => self.over_smtp(&server, &message, hand_over).await,
            None => self.write_to_outbox(&message, message_id, hand_over).await,
        }
    }

    async fn write_to_outbox<F, Fut>(&self, message: &lettre::Message, message_id: &str, hand_over: F) -> Outcome
    where
        F: FnOnce(Release) -> Fut,
        Fut: Future<Output = anyhow::Result<bool>>,
    {
        match hand_over(Release::default()).await {
            Ok(true) => {}
            Ok(false) => return Outcome::NotSent { permanent: false, reason: "declined".into() },
            Err(e) => return Outcome::NotSent { permanent: false, reason: e.to_string() },
        }
        let dir = &self.target.outbox;
        let name: String = message_id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(80).collect();
        let (tmp, path) = (dir.join(format!(".{name}.tmp")), dir.join(format!("{name}.eml")));
        let written = async {
            tokio::fs::create_dir_all(dir).await?;
            tokio::fs::write(&tmp, message.formatted()).await?;
            tokio::fs::rename(&tmp, &path).await
        };
        match written.await {
            Ok(()) => Outcome::Accepted,
            Err(e) => Outcome::Unknown(format!("outbox: {e}")),
        }
    }

    /// The connection, opened over a [`Gated`] stream (lettre does EHLO, STARTTLS, AUTH).
    async fn connect(&mut self, server: &Server) -> anyhow::Result<&mut AsyncSmtpConnection> {
        if self.conn.as_ref().is_some_and(|c| c.has_broken()) {
            self.conn = None;
        }
        if self.conn.is_none() {
            let hello = ClientId::default();
            let addr = (server.host.as_str(), server.port);
            let tcp = tokio::time::timeout(TIMEOUT, tokio::net::TcpStream::connect(addr)).await??;
            // The end of data goes out on its own, after the hand-over is recorded: with
            // Nagle's algorithm it would wait for the ACK of the body, which the server
            // delays (it has nothing to say until the end arrives), ~40 ms a message.
            tcp.set_nodelay(true)?;
            let (gated, gate) = Gated::new(tcp);
            let stream: Box<dyn AsyncTokioStream> = match &server.security {
                #[allow(deprecated)]
                Security::Wrapper(p) => {
                    let mut tls = AsyncNetworkStream::use_existing_tokio1(Box::new(gated));
                    tls.upgrade_tls(p.clone()).await?;
                    Box::new(gate::Tls(tls))
                }
                _ => Box::new(gated),
            };
            let mut conn = AsyncSmtpConnection::connect_with_transport(stream, &hello).await?;
            if let Security::StartTls(p) = &server.security {
                conn.starttls(p.clone(), &hello).await?;
            }
            if let Some(c) = &server.credentials {
                conn.auth(&[Mechanism::Plain, Mechanism::Login], c).await?;
            }
            self.conn = Some(conn);
            self.gate = Some(gate);
        }
        Ok(self.conn.as_mut().expect("connected just now"))
    }

    async fn over_smtp<F, Fut>(&mut self, server: &Server, message: &lettre::Message, hand_over: F) -> Outcome
    where
        F: FnOnce(Release) -> Fut,
        Fut: Future<Output = anyhow::Result<bool>>,
    {
        let envelope = message.envelope();
        let conn = match self.connect(server).await {
            Ok(c) => c,
            Err(e) => return Outcome::NotSent { permanent: false, reason: format!("connect: {e}") },
        };
        if let Err(e) = conn.command(Mail::new(envelope.from().cloned(), vec![])).await {
            return self.abandon(e).await;
        }
        for to in envelope.to() {
            if let Err(e) = conn.command(Rcpt::new(to.clone(), vec![])).await {
                if e.is_permanent() {
                    let _ = conn.command(Rset).await;
                    return Outcome::Bounced(e.to_string());
                }
                return self.abandon(e).await;
            }
        }
        if let Err(e) = conn.command(Data).await {
            return self.abandon(e).await;
        }
        let gate = self.gate.clone().expect("the gate of this connection");
        self.content(message, gate, hand_over).await
    }

    /// Writes the content but its end, has the hand-over recorded, then ends the data.
    async fn content<F, Fut>(&mut self, message: &lettre::Message, gate: Gate, hand_over: F) -> Outcome
    where
        F: FnOnce(Release) -> Fut,
        Fut: Future<Output = anyhow::Result<bool>>,
    {
        let (written_tx, mut written) = tokio::sync::oneshot::channel();
        let body = Body { content: Some(message.formatted()), gate: &gate, written: Some(written_tx) };
        let conn = self.conn.as_mut().expect("the connection of this transaction");
        let mut sending = Box::pin(conn.message_iter(body));
        let cut = tokio::select! {
            biased;
            result = &mut sending => Some(result.err().map(|e| e.to_string()).unwrap_or_else(|| "answered early".into())),
            Ok(()) = &mut written => None,
        };
        let go = match cut {
            Some(reason) => Err(anyhow::anyhow!("while writing the content: {reason}")),
            None => hand_over(gate.release()).await,
        };
        if !matches!(go, Ok(true)) {
            // The end of the data was never written: hanging up now leaves the server
            // nothing (RFC 5321 §6.1 — it takes on a message only at the final dot).
            drop(sending);
            (self.conn, self.gate) = (None, None);
            let reason = go.err().map(|e| e.to_string()).unwrap_or_else(|| "declined".into());
            return Outcome::NotSent { permanent: false, reason };
        }
        gate.release().now();
        let result = sending.await;
        match result {
            Ok(_) => Outcome::Accepted,
            Err(e) if e.is_permanent() || e.is_transient() => {
                Outcome::Refused { permanent: e.is_permanent(), reason: e.to_string() }
            }
            Err(e) => {
                (self.conn, self.gate) = (None, None);
                Outcome::Unknown(e.to_string())
            }
        }
    }

    /// A refusal or failure before the content: reset the transaction (or drop a
    /// connection that broke) so the next message starts clean.
    async fn abandon(&mut self, e: lettre::transport::smtp::Error) -> Outcome {
        let answered = e.is_permanent() || e.is_transient();
        match self.conn.as_mut() {
            Some(conn) if answered => {
                if conn.command(Rset).await.is_err() {
                    self.conn = None;
                }
            }
            _ => (self.conn, self.gate) = (None, None),
        }
        Outcome::NotSent { permanent: e.is_permanent(), reason: e.to_string() }
    }

    /// Says goodbye to the server (the connection would otherwise just drop).
    pub async fn close(mut self) {
        if let Some(conn) = self.conn.as_mut() {
            let _ = conn.command(Quit).await;
        }
    }
}

/// The content for lettre's `message_iter`, which dot-stuffs it and then writes the end
/// of the data: when lettre asks for more after the content, the gate shuts (so the end
/// is held) and the lane learns that the content is written.
struct Body<'a> {
    content: Option<Vec<u8>>,
    gate: &'a Gate,
    written: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Iterator for Body<'_> {
    type Item = Vec<u8>;

    fn next(&mut self) -> Option<Vec<u8>> {
        if let Some(content) = self.content.take() {
            return Some(content);
        }
        self.gate.shut();
        if let Some(tx) = self.written.take() {
            let _ = tx.send(());
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_choose_security_port_and_credentials() {
        let s = parse_url("smtp://127.0.0.1:2525").unwrap();
        assert_eq!((s.host.as_str(), s.port), ("127.0.0.1", 2525));
        assert!(matches!(s.security, Security::None) && s.credentials.is_none());
        let s = parse_url("smtps://ann%40x.example:p%40ss@mail.x.example").unwrap();
        assert_eq!(s.port, 465);
        assert!(matches!(s.security, Security::Wrapper(_)));
        assert!(s.credentials.is_some());
        assert!(matches!(parse_url("smtp://mail.x.example?tls=required").unwrap().security, Security::StartTls(_)));
        assert!(parse_url("http://mail.x.example").is_err());
    }
}
