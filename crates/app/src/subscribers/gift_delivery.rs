//! Fresh gift codes reach people: an `email_link` gift's `send_gift` job runs on its send
//! date; the `create_link` links of one issue go to the customer in one email to hand out.

use crate::App;
use crate::events::{DomainEvent, LinkDelivery};
use crate::gifts::gift_link;
use sea_orm::{ConnectionTrait, DbErr};
use trove_data_access::jobs;
use trove_domain::email_template::{EmailTemplate, GiftLinks};
use trove_domain::ids::JobId;
use trove_domain::job::{JobPayload, SendEmail, SendGift};
use trove_domain::order::payment_reference;

pub(super) async fn on(
    db: &impl ConnectionTrait,
    app: &App,
    event: &DomainEvent,
) -> Result<(), DbErr> {
    let DomainEvent::GiftCodesIssued(issued) = event else {
        return Ok(());
    };
    let mut handed_out = Vec::new();
    for gift in &issued.codes {
        match gift.delivery {
            LinkDelivery::EmailLink => {
                let job = JobPayload::SendGift(SendGift {
                    v: 1,
                    order_id: issued.order_id.as_uuid(),
                    recipient_id: gift.recipient_id.as_uuid(),
                    code: gift.code.clone(),
                });
                jobs::enqueue(db, JobId::new(), &job, gift.send_at).await?;
            }
            LinkDelivery::CreateLink => handed_out.push(format!(
                "{}: {}",
                gift.recipient_name,
                gift_link(&app.orders, &gift.code)
            )),
        }
    }
    if handed_out.is_empty() {
        return Ok(());
    }
    let email = JobPayload::SendEmail(SendEmail {
        v: 1,
        to: issued.customer_email.clone(),
        vendor_id: Some(issued.vendor_id.as_uuid()),
        email: EmailTemplate::GiftLinks(GiftLinks {
            customer_name: issued.customer_name.clone(),
            payment_reference: payment_reference(issued.order_id.as_uuid()),
            links: handed_out.join("\n"),
        }),
    });
    jobs::enqueue(db, JobId::new(), &email, jobs::now()).await?;
    Ok(())
}
