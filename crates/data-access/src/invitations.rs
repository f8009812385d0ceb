//! Invitations to join a vendor. The token travels only in the email; the table keeps its
//! SHA-256, so a leaked database cannot be used to join.

use crate::entities::vendor_invitation::{self, Entity as Invitations};
use crate::jobs::now;
use chrono::NaiveDateTime;
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use trove_domain::email::Email;
use trove_domain::ids::{InvitationId, UserId, VendorId};
use trove_domain::vendor::VendorRole;

#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub vendor: VendorId,
    pub email: Email,
    pub role: VendorRole,
    pub token_hash: String,
    pub invited_by: UserId,
    pub expires_at: NaiveDateTime,
}

pub async fn create(
    db: &impl ConnectionTrait,
    invitation: NewInvitation,
) -> Result<vendor_invitation::Model, DbErr> {
    vendor_invitation::ActiveModel {
        id: Set(InvitationId::new().as_uuid()),
        vendor_id: Set(invitation.vendor.as_uuid()),
        email: Set(invitation.email.as_str().to_owned()),
        role: Set(invitation.role),
        token_hash: Set(invitation.token_hash),
        invited_by: Set(invitation.invited_by.as_uuid()),
        expires_at: Set(invitation.expires_at),
        accepted_at: Set(None),
        created_at: Set(now()),
    }
    .insert(db)
    .await
}

pub async fn find_by_token_hash(
    db: &impl ConnectionTrait,
    token_hash: &str,
) -> Result<Option<vendor_invitation::Model>, DbErr> {
    Invitations::find()
        .filter(vendor_invitation::Column::TokenHash.eq(token_hash))
        .one(db)
        .await
}

/// Marks the invitation used; false when another request accepted it first.
pub async fn mark_accepted(db: &impl ConnectionTrait, id: uuid::Uuid) -> Result<bool, DbErr> {
    let result = Invitations::update_many()
        .col_expr(
            vendor_invitation::Column::AcceptedAt,
            sea_orm::sea_query::Expr::value(now()),
        )
        .filter(vendor_invitation::Column::Id.eq(id))
        .filter(vendor_invitation::Column::AcceptedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}
