//! The emails Trove sends, one type per template with exactly the fields its text uses,
//! so a job cannot be queued with a field missing or a template misspelt.
//!
//! Stored form: `{"template": "<name>", "vars": {…}}` inside the `send_email` payload, the
//! same shape as the first payload version (all fields are text), so rows queued before
//! the types existed still read. The worker adds the branding (vendor name, colours,
//! portal URL) when it renders.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "template", content = "vars", rename_all = "snake_case")]
pub enum EmailTemplate {
    VendorInvitation(VendorInvitation),
    OrderInvoice(OrderInvoice),
    GiftLinks(GiftLinks),
    GiftLink(GiftLink),
}

impl EmailTemplate {
    /// The template files' stem: `<name>.subject.txt`, `<name>.txt`, `<name>.html`.
    pub const fn name(&self) -> &'static str {
        match self {
            Self::VendorInvitation(_) => "vendor_invitation",
            Self::OrderInvoice(_) => "order_invoice",
            Self::GiftLinks(_) => "gift_links",
            Self::GiftLink(_) => "gift_link",
        }
    }
}

/// Someone is invited to join a vendor's team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VendorInvitation {
    pub vendor_name: String,
    /// `owner` or `staff`.
    pub role: String,
    /// The single-use token to accept with.
    pub invitation_token: String,
}

/// A bank-transfer order's invoice: what to pay and the reference to quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderInvoice {
    pub customer_name: String,
    pub storefront_name: String,
    pub payment_reference: String,
    /// E.g. `AUD 210.02`.
    pub total: String,
    /// How many recipients the order has.
    pub recipients: String,
}

/// The `create_link` gift links a customer hands out, one `name: link` per line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GiftLinks {
    pub customer_name: String,
    pub payment_reference: String,
    pub links: String,
}

/// An `email_link` gift reaching its recipient on the send date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GiftLink {
    pub recipient_name: String,
    pub customer_name: String,
    pub link: String,
    /// The last day the code works, `YYYY-MM-DD`.
    pub expires_on: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::{JobPayload, SendEmail};

    #[test]
    fn a_first_version_payload_reads_as_its_typed_template() {
        let stored = r#"{"kind":"send_email","v":1,"to":"a@example.com","template":"vendor_invitation",
            "vendor_id":null,"vars":{"vendor_name":"Acme","vendor_id":"x","role":"staff","invitation_token":"t"}}"#;
        let payload: JobPayload = serde_json::from_str(stored).unwrap_or_else(|e| panic!("{e}"));
        let JobPayload::SendEmail(email) = payload else {
            panic!("not an email");
        };
        assert_eq!(email.email.name(), "vendor_invitation");
        assert_eq!(
            email.email,
            EmailTemplate::VendorInvitation(VendorInvitation {
                vendor_name: "Acme".into(),
                role: "staff".into(),
                invitation_token: "t".into(),
            })
        );
    }

    #[test]
    fn a_typed_email_is_stored_in_the_first_version_shape() {
        let email = SendEmail {
            v: 1,
            to: "c@example.com".into(),
            vendor_id: None,
            email: EmailTemplate::GiftLinks(GiftLinks {
                customer_name: "Carol".into(),
                payment_reference: "TRV-1".into(),
                links: "Finn: https://gift/x".into(),
            }),
        };
        let stored = serde_json::to_value(JobPayload::SendEmail(email)).unwrap_or_default();
        assert_eq!(stored["template"], "gift_links");
        assert_eq!(stored["vars"]["links"], "Finn: https://gift/x");
        assert_eq!(stored["kind"], "send_email");
    }

    #[test]
    fn an_unknown_template_or_a_missing_field_does_not_read() {
        let unknown = r#"{"v":1,"to":"a@example.com","template":"no_such_template","vars":{}}"#;
        let error = serde_json::from_str::<SendEmail>(unknown).err();
        assert!(error.is_some_and(|e| e.to_string().contains("no_such_template")));
        let missing = r#"{"v":1,"to":"a@example.com","template":"gift_link","vars":{"link":"x"}}"#;
        assert!(serde_json::from_str::<SendEmail>(missing).is_err());
    }
}
