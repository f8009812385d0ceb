//! `send_email`: renders a named template with the vendor's branding and sends it.
//!
//! The sender's display name is the vendor's, replies go to the vendor's contact address,
//! and the Message-ID is derived from the job id, so every delivery of one job is the same
//! message. SMTP 4xx → retry; 5xx → dead with the server's reason.

use super::transient;
use crate::handler::{JobContext, JobError, JobHandler};
use async_trait::async_trait;
use minijinja::Environment;
use sea_orm::DatabaseConnection;
use trove_bootstrap::settings::MailSettings;
use trove_data_access::vendors;
use trove_domain::ids::VendorId;
use trove_domain::job::SendEmail;
use trove_integrations::mail::{MailError, Mailer, OutgoingEmail};

const DEFAULT_PRIMARY_COLOUR: &str = "#3a3a8c";

/// Each email: subject, plain text and HTML templates.
const TEMPLATES: &[(&str, &str)] = &[
    ("layout.html", include_str!("../../templates/layout.html")),
    (
        "vendor_invitation.subject.txt",
        include_str!("../../templates/vendor_invitation.subject.txt"),
    ),
    (
        "vendor_invitation.txt",
        include_str!("../../templates/vendor_invitation.txt"),
    ),
    (
        "vendor_invitation.html",
        include_str!("../../templates/vendor_invitation.html"),
    ),
    (
        "order_invoice.subject.txt",
        include_str!("../../templates/order_invoice.subject.txt"),
    ),
    (
        "order_invoice.txt",
        include_str!("../../templates/order_invoice.txt"),
    ),
    (
        "order_invoice.html",
        include_str!("../../templates/order_invoice.html"),
    ),
    (
        "gift_links.subject.txt",
        include_str!("../../templates/gift_links.subject.txt"),
    ),
    (
        "gift_links.txt",
        include_str!("../../templates/gift_links.txt"),
    ),
    (
        "gift_links.html",
        include_str!("../../templates/gift_links.html"),
    ),
    (
        "gift_link.subject.txt",
        include_str!("../../templates/gift_link.subject.txt"),
    ),
    (
        "gift_link.txt",
        include_str!("../../templates/gift_link.txt"),
    ),
    (
        "gift_link.html",
        include_str!("../../templates/gift_link.html"),
    ),
];

#[derive(Debug)]
pub struct SendEmailHandler {
    db: DatabaseConnection,
    mailer: Box<dyn Mailer>,
    templates: Environment<'static>,
    from_address: String,
    from_name: String,
    admin_portal_url: String,
}

impl SendEmailHandler {
    pub fn new(db: DatabaseConnection, mailer: Box<dyn Mailer>, settings: &MailSettings) -> Self {
        let mut templates = Environment::new();
        for (name, source) in TEMPLATES {
            // The templates are part of the binary and covered by tests.
            if let Err(error) = templates.add_template(name, source) {
                tracing::error!(%error, template = name, "email template does not compile");
            }
        }
        Self {
            db,
            mailer,
            templates,
            from_address: settings.from_address.clone(),
            from_name: settings.from_name.clone(),
            admin_portal_url: settings.admin_portal_url.trim_end_matches('/').to_owned(),
        }
    }

    fn render(&self, name: &str, context: &serde_json::Value) -> Result<String, JobError> {
        let template = self
            .templates
            .get_template(name)
            .map_err(|_| JobError::Permanent(format!("no email template `{name}`")))?;
        template
            .render(context)
            .map(|text| text.trim().to_owned())
            .map_err(|error| JobError::Permanent(format!("template `{name}` failed: {error}")))
    }
}

#[async_trait]
impl JobHandler for SendEmailHandler {
    type Payload = SendEmail;

    async fn run(&self, job: JobContext, email: SendEmail) -> Result<(), JobError> {
        let vendor = match email.vendor_id {
            Some(id) => vendors::find(&self.db, VendorId::from(id))
                .await
                .map_err(transient)?,
            None => None,
        };
        let fields = serde_json::to_value(&email.email)
            .ok()
            .and_then(|mut tagged| tagged.get_mut("vars").map(serde_json::Value::take));
        let Some(serde_json::Value::Object(mut context)) = fields else {
            return Err(JobError::Permanent(
                "the email's fields are not a map".into(),
            ));
        };
        context.insert(
            "admin_portal_url".into(),
            self.admin_portal_url.clone().into(),
        );
        context.insert("primary_colour".into(), DEFAULT_PRIMARY_COLOUR.into());
        context.entry("vendor_name").or_insert_with(|| {
            vendor
                .as_ref()
                .map_or_else(|| self.from_name.clone(), |v| v.name.clone())
                .into()
        });
        let context = serde_json::Value::Object(context);
        let name = email.email.name();

        let outgoing = OutgoingEmail {
            message_id: format!("<{}@trove>", job.id),
            from_name: vendor
                .as_ref()
                .map_or_else(|| self.from_name.clone(), |v| v.name.clone()),
            from_address: self.from_address.clone(),
            reply_to: vendor.and_then(|v| v.contact_email),
            to: email.to.clone(),
            subject: self.render(&format!("{}.subject.txt", name), &context)?,
            text: self.render(&format!("{}.txt", name), &context)?,
            html: self.render(&format!("{}.html", name), &context)?,
        };
        self.mailer
            .send(&outgoing)
            .await
            .map_err(|error| match error {
                MailError::Transient(reason) => JobError::Transient(reason),
                MailError::Permanent(reason) => JobError::Permanent(reason),
            })
    }
}
