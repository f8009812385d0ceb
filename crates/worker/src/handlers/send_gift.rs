//! `send_gift`: on a gift's send date, emails the recipient their link through
//! `trove_app::gifts::send_gift` (the gift becomes `link_sent` and a `send_email` job is
//! queued, in one unit of work). A job whose code was reissued, or whose recipient moved
//! on, does nothing.

use super::from_app;
use crate::handler::{JobContext, JobError, JobHandler};
use async_trait::async_trait;
use trove_app::App;
use trove_app::gifts::SendOutcome;
use trove_domain::ids::{OrderId, RecipientId};
use trove_domain::job::SendGift;

#[derive(Debug)]
pub struct SendGiftHandler {
    app: App,
}

impl SendGiftHandler {
    pub fn new(app: App) -> Self {
        Self { app }
    }
}

#[async_trait]
impl JobHandler for SendGiftHandler {
    type Payload = SendGift;

    async fn run(&self, _job: JobContext, gift: SendGift) -> Result<(), JobError> {
        let order_id = OrderId::from(gift.order_id);
        let recipient_id = RecipientId::from(gift.recipient_id);
        let outcome = trove_app::gifts::send_gift(&self.app, order_id, recipient_id, &gift.code)
            .await
            .map_err(from_app)?;
        match outcome {
            SendOutcome::Sent => {}
            SendOutcome::CodeReplaced => {
                tracing::info!(recipient = %recipient_id, "the gift was reissued; this code is dead");
            }
            SendOutcome::AlreadySent => {
                tracing::info!(recipient = %recipient_id, "already sent");
            }
        }
        Ok(())
    }
}
