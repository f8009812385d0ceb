//! Joining a vendor's team: an owner invites an email address with a role (the invitee is
//! emailed a single-use token, valid for a week and stored only as its hash); the person
//! signed in with that email accepts it and becomes a member, once.

use crate::{App, AppError, UnitOfWork};
use base64::Engine;
use trove_data_access::entities::{vendor, vendor_invitation, vendor_membership};
use trove_data_access::invitations::{self, NewInvitation};
use trove_data_access::{jobs, members};
use trove_domain::email::Email;
use trove_domain::email_template::{EmailTemplate, VendorInvitation};
use trove_domain::ids::{JobId, UserId, VendorId};
use trove_domain::job::{JobPayload, SendEmail};
use trove_domain::vendor::VendorRole;

const INVITATION_DAYS: i64 = 7;

/// The stored form of an invitation token (lower-case hex SHA-256).
fn token_hash(token: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes());
    digest
        .as_ref()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Invites `email` to `vendor` as `role` on behalf of `invited_by`; the invitation email
/// is queued with it.
pub async fn invite(
    uow: &UnitOfWork,
    vendor: &vendor::Model,
    email: Email,
    role: VendorRole,
    invited_by: UserId,
) -> Result<vendor_invitation::Model, AppError> {
    let mut secret = [0u8; 32];
    aws_lc_rs::rand::fill(&mut secret).map_err(|_| AppError::internal("no randomness"))?;
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret);
    let email_job = JobPayload::SendEmail(SendEmail {
        v: 1,
        to: email.to_string(),
        vendor_id: Some(vendor.id),
        email: EmailTemplate::VendorInvitation(VendorInvitation {
            vendor_name: vendor.name.clone(),
            role: role.as_str().to_owned(),
            invitation_token: token.clone(),
        }),
    });
    let invitation = invitations::create(
        &**uow,
        NewInvitation {
            vendor: VendorId::from(vendor.id),
            email,
            role,
            token_hash: token_hash(&token),
            invited_by,
            expires_at: jobs::now() + chrono::Duration::days(INVITATION_DAYS),
        },
    )
    .await?;
    jobs::enqueue(&**uow, JobId::new(), &email_job, jobs::now()).await?;
    Ok(invitation)
}

fn already_accepted() -> AppError {
    AppError::conflict("conflict", "This invitation was already accepted.")
}

/// Accepts the invitation holding `token` as `user` (signed in with `user_email`, which
/// must be the invited address).
pub async fn accept(
    app: &App,
    token: &str,
    user: UserId,
    user_email: &str,
) -> Result<vendor_membership::Model, AppError> {
    let invitation = invitations::find_by_token_hash(&app.db, &token_hash(token.trim()))
        .await?
        .ok_or_else(|| AppError::no_such("invitation"))?;
    if invitation.accepted_at.is_some() {
        return Err(already_accepted());
    }
    if invitation.expires_at < jobs::now() {
        return Err(AppError::Gone {
            code: "invitation_expired",
            message: "This invitation has expired.".into(),
        });
    }
    if !invitation.email.eq_ignore_ascii_case(user_email) {
        return Err(AppError::Forbidden(
            "This invitation was sent to another email address.".into(),
        ));
    }
    let role = invitation.role;
    let vendor = VendorId::from(invitation.vendor_id);
    let uow = UnitOfWork::begin(app).await?;
    if !invitations::mark_accepted(&*uow, invitation.id).await? {
        return Err(already_accepted());
    }
    let membership = members::add(&*uow, vendor, user, role).await?;
    uow.commit(app).await?;
    Ok(membership)
}
