//! Email destination: the ticket as plain text over SMTP.

use super::{render, Outgoing, SendError};
use lettre::message::{header::ContentType, Mailbox};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};
use std::time::Duration;

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain text; only for a relay on the same host or a test sink.
    None,
    /// STARTTLS, required (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
}

/// An SMTP server and the addresses tickets are mailed to.
pub struct Email {
    transport: SmtpTransport,
    from: Mailbox,
    to: Vec<Mailbox>,
}

impl Email {
    /// Builds the transport; fails on a bad address or TLS setup.
    pub fn new(
        host: &str,
        port: u16,
        security: SmtpSecurity,
        credentials: Option<(String, String)>,
        from: &str,
        to: &[String],
        timeout: Duration,
    ) -> Result<Email, String> {
        let tls = |host: &str| {
            TlsParameters::new(host.to_string()).map_err(|e| format!("TLS for {host}: {e}"))
        };
        let mut builder = SmtpTransport::builder_dangerous(host)
            .port(port)
            .timeout(Some(timeout));
        builder = match security {
            SmtpSecurity::None => builder.tls(Tls::None),
            SmtpSecurity::StartTls => builder.tls(Tls::Required(tls(host)?)),
            SmtpSecurity::Tls => builder.tls(Tls::Wrapper(tls(host)?)),
        };
        if let Some((user, password)) = credentials {
            builder = builder.credentials(Credentials::new(user, password));
        }
        let mailbox = |addr: &str| {
            addr.parse::<Mailbox>()
                .map_err(|e| format!("{addr:?} is not an email address: {e}"))
        };
        if to.is_empty() {
            return Err("`to` needs at least one address".into());
        }
        Ok(Email {
            transport: builder.build(),
            from: mailbox(from)?,
            to: to.iter().map(|a| mailbox(a)).collect::<Result<_, _>>()?,
        })
    }

    /// Mails the ticket once; the caller retries.
    pub fn send(&self, ticket: &Outgoing<'_>) -> Result<(), SendError> {
        let mut message = Message::builder()
            .from(self.from.clone())
            .subject(format!("{} {}", ticket.reference, render::subject(ticket)))
            .header(ContentType::TEXT_PLAIN);
        for to in &self.to {
            message = message.to(to.clone());
        }
        // Answering the email reaches the user, when they gave an address.
        if let Some(reply_to) = ticket
            .ticket
            .get("email")
            .and_then(|e| e.as_str())
            .and_then(|e| e.parse::<Mailbox>().ok())
        {
            message = message.reply_to(reply_to);
        }
        let message = message
            .body(render::plain_text(ticket))
            .map_err(|e| SendError::permanent(format!("cannot build the email: {e}")))?;
        match self.transport.send(&message) {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(SendError::permanent(format!("SMTP refused: {e}"))),
            Err(e) => Err(SendError::transient(format!("SMTP: {e}"))),
        }
    }
}
