//! Email: the transport (SMTP with lettre, or `.eml` files for a local demo) and the
//! messages — the double opt-in confirmation and official updates, in the subscriber's
//! language, with one-click unsubscribe (RFC 8058: `List-Unsubscribe` +
//! `List-Unsubscribe-Post`).

use crate::domain::catalog::Catalog;
use crate::store::SubscriberRecord;
use app::model::{IncidentState, Lang, UpdateKind};
use app::text::public::{kind_label, state_label};
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::Mailbox;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde_json::Value;
use std::time::Duration;

pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// `file:///dir`: each message written as an `.eml` file (for trying the site out;
    /// nothing leaves the machine).
    Files(AsyncFileTransport<Tokio1Executor>),
}

impl Mailer {
    /// `smtp://host:port` (`?tls=required` for STARTTLS), `smtps://user:pass@host`, or
    /// `file:///path/to/dir`. Empty: no email.
    pub fn from_url(url: &str) -> anyhow::Result<Option<Mailer>> {
        if url.is_empty() {
            return Ok(None);
        }
        if let Some(dir) = url.strip_prefix("file://") {
            std::fs::create_dir_all(dir)?;
            return Ok(Some(Mailer::Files(AsyncFileTransport::new(dir))));
        }
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        Ok(Some(Mailer::Smtp(transport)))
    }

    /// The server's reply code on success; the error (with the code if there was one).
    pub async fn send(&self, message: Message) -> Result<i64, (Option<i64>, String)> {
        match self {
            Mailer::Smtp(smtp) => match smtp.send(message).await {
                Ok(response) => Ok(response.code().to_string().parse().unwrap_or(250)),
                Err(error) => Err((
                    error.status().and_then(|c| c.to_string().parse().ok()),
                    error.to_string(),
                )),
            },
            Mailer::Files(files) => files
                .send(message)
                .await
                .map(|_| 250)
                .map_err(|e| (None, e.to_string())),
        }
    }
}

pub struct Letters<'a> {
    pub catalog: &'a Catalog,
    pub base_url: &'a str,
    pub from: &'a Mailbox,
}

fn lang_of(code: &str) -> Lang {
    Lang::parse(code).unwrap_or(Lang::Ko)
}

/// The text in the reader's language, falling back to Korean (the official text).
fn pick(text: &Value, lang: Lang) -> &str {
    let other = text.get("ko").and_then(Value::as_str).unwrap_or("");
    match lang {
        Lang::En => text
            .get("en")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .unwrap_or(other),
        Lang::Ko => other,
    }
}

/// An event time as the pages show it (KST, in the reader's words).
fn when(at: &Value, lang: Lang) -> String {
    at.as_str()
        .and_then(|at| chrono::DateTime::parse_from_rfc3339(at).ok())
        .map(|at| app::format::date_time(lang, at.with_timezone(&chrono::Utc)))
        .unwrap_or_default()
}

impl Letters<'_> {
    fn page_name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ko => &self.catalog.page.name_ko,
            Lang::En => &self.catalog.page.name_en,
        }
    }

    fn service_names(&self, services: &[String], lang: Lang) -> String {
        if services.is_empty() {
            return match lang {
                Lang::Ko => "모든 서비스".into(),
                Lang::En => "every service".into(),
            };
        }
        services
            .iter()
            .map(|slug| match self.catalog.service(slug) {
                Some(s) if lang == Lang::En => s.name_en.clone(),
                Some(s) => s.name_ko.clone(),
                None => slug.clone(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn unsubscribe_url(&self, subscriber: &SubscriberRecord) -> String {
        format!("{}/unsubscribe?id={}", self.base_url, subscriber.id)
    }

    fn message(
        &self,
        to: &str,
        subject: String,
        body: String,
        unsubscribe: Option<String>,
    ) -> Result<Message, String> {
        let to: Mailbox = to.parse().map_err(|e| format!("address: {e}"))?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN);
        if let Some(url) = unsubscribe {
            builder = builder
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{url}>"),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".into(),
                ));
        }
        builder.body(body).map_err(|e| e.to_string())
    }

    /// "Confirm your subscription": the link leads to a page with one button (mail
    /// scanners that open links do not confirm anything).
    pub fn confirmation(&self, subscriber: &SubscriberRecord) -> Result<Message, String> {
        let lang = lang_of(
            subscriber
                .pending_lang
                .as_deref()
                .unwrap_or(&subscriber.lang),
        );
        let token = subscriber
            .confirm_token
            .as_deref()
            .ok_or("no confirmation is pending")?;
        let link = format!("{}/subscribe/confirm?token={token}", self.base_url);
        let services = self.service_names(
            subscriber
                .pending_services
                .as_deref()
                .unwrap_or(&subscriber.services),
            lang,
        );
        let page = self.page_name(lang);
        let (subject, body) = match lang {
            Lang::Ko => (
                format!("[{page}] 이메일 알림 구독을 확인해 주세요"),
                format!(
                    "{page}의 장애·점검 소식을 이메일로 받으려면 아래 링크를 열고 '구독 확인'을 누르세요.\n\n\
                     {link}\n\n받을 서비스: {services}\n\n\
                     직접 신청하지 않았다면 이 메일을 무시하세요. 확인하지 않으면 아무것도 보내지 않으며, 링크는 48시간 뒤 만료됩니다.\n"
                ),
            ),
            Lang::En => (
                format!("[{page}] Please confirm your email alerts"),
                format!(
                    "To get {page} outage and maintenance notices by email, open the link below and press \"Confirm\".\n\n\
                     {link}\n\nServices: {services}\n\n\
                     If you did not ask for this, ignore this email: nothing is sent unless you confirm, and the link expires in 48 hours.\n"
                ),
            ),
        };
        self.message(&subscriber.email, subject, body, None)
    }

    /// An official update, maintenance notice or new incident, from the event's JSON.
    pub fn notice(&self, subscriber: &SubscriberRecord, payload: &str) -> Result<Message, String> {
        let lang = lang_of(&subscriber.lang);
        let event: Value = serde_json::from_str(payload).map_err(|e| e.to_string())?;
        let page = self.page_name(lang);
        let services: Vec<String> = event["services"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let names = self.service_names(&services, lang);
        let unsubscribe = self.unsubscribe_url(subscriber);
        let footer = match lang {
            Lang::Ko => format!(
                "\n--\n{page} 이메일 알림을 신청하셨기 때문에 받는 메일입니다.\n구독 해지: {unsubscribe}\n"
            ),
            Lang::En => format!(
                "\n--\nYou get this because you subscribed to {page} email alerts.\nUnsubscribe: {unsubscribe}\n"
            ),
        };
        let (subject, body) = if let Some(m) = event.get("maintenance") {
            let title = pick(&m["title"], lang);
            let window = format!(
                "{} – {}",
                when(&m["starts_at"], lang),
                when(&m["ends_at"], lang)
            );
            let label = match lang {
                Lang::Ko => "점검 예정",
                Lang::En => "Scheduled maintenance",
            };
            (
                format!("[{names}] {label}: {title}"),
                format!("{title}\n{window}\n\n{}\n", pick(&m["body"], lang)),
            )
        } else {
            let incident = &event["incident"];
            let update = &event["update"];
            let title = pick(&incident["title"], lang);
            let state = IncidentState::parse(update["state"].as_str().unwrap_or(""))
                .map(|s| state_label(lang, s))
                .unwrap_or("");
            let kind = UpdateKind::parse(update["kind"].as_str().unwrap_or(""));
            let label = match kind {
                Some(k @ (UpdateKind::Apology | UpdateKind::Postmortem)) => kind_label(lang, k),
                _ => state,
            };
            (
                format!("[{names}] {label}: {title}"),
                format!(
                    "{title}\n{state} · {}\n\n{}\n\n{}\n",
                    when(&update["at"], lang),
                    pick(&update["body"], lang),
                    incident["url"].as_str().unwrap_or(""),
                ),
            )
        };
        self.message(
            &subscriber.email,
            subject,
            body + &footer,
            Some(unsubscribe),
        )
    }
}
