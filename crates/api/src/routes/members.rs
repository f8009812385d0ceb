//! Members of a vendor: list, invite by email (owners), accept, change role, remove. A
//! vendor always keeps at least one owner.

use crate::auth::guards::{StaffUser, VendorAccess};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use crate::validation::Fields;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use trove_data_access::invitations::{self, NewInvitation};
use trove_data_access::jobs;
use trove_data_access::members::{self, MemberChangeError};
use trove_domain::email::Email;
use trove_domain::ids::{JobId, UserId};
use trove_domain::job::{JobPayload, SendEmail};
use trove_domain::vendor::VendorRole;
use utoipa::ToSchema;
use uuid::Uuid;

/// How long an invitation can be accepted.
const INVITATION_DAYS: i64 = 7;

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberView {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: Option<String>,
    pub role: String,
    pub joined_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvitationBody {
    pub email: String,
    /// `owner` or `staff`.
    pub role: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationView {
    pub id: Uuid,
    pub email: String,
    pub role: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitation {
    /// The token from the invitation email.
    pub token: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    /// `owner` or `staff`.
    pub role: String,
}

fn parse_role(fields: &mut Fields, raw: &str) -> Option<VendorRole> {
    let role = raw.parse::<VendorRole>().ok();
    fields.check(role.is_some(), "role", "must be `owner` or `staff`");
    role
}

fn token_hash(token: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes());
    digest
        .as_ref()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn member_error(error: MemberChangeError) -> ApiError {
    match error {
        MemberChangeError::NotFound => ApiError::not_found("No such member."),
        MemberChangeError::LastOwner => {
            ApiError::conflict("A vendor must keep at least one owner.")
        }
        MemberChangeError::Database(error) => error.into(),
    }
}

/// The vendor's members with their roles.
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path)),
    responses((status = 200, description = "OK.", body = Vec<MemberView>), (status = 404, description = "Not found, or not visible to this caller.", body = ErrorBody))
)]
#[get("/api/v1/vendors/{vendor_id}/members")]
pub async fn list_members(
    state: web::Data<AppState>,
    access: VendorAccess,
) -> Result<web::Json<Vec<MemberView>>, ApiError> {
    let members = members::list(&state.db, access.vendor_id()).await?;
    Ok(web::Json(
        members
            .into_iter()
            .map(|member| MemberView {
                user_id: member.user.id,
                email: member.user.email,
                display_name: member.user.display_name,
                role: member.membership.role,
                joined_at: member.membership.created_at.and_utc(),
            })
            .collect(),
    ))
}

/// Invites someone by email (owners only). The invitation email is queued in the same
/// transaction; the token travels only in that email.
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path)),
    request_body = NewInvitationBody,
    responses(
        (status = 201, description = "Created.", body = InvitationView),
        (status = 403, description = "Not allowed for this caller or token type.", body = ErrorBody),
        (status = 404, description = "Not found, or not visible to this caller.", body = ErrorBody),
        (status = 422, description = "Invalid fields; see details.", body = ErrorBody),
    )
)]
#[post("/api/v1/vendors/{vendor_id}/invitations")]
pub async fn invite_member(
    state: web::Data<AppState>,
    access: VendorAccess,
    body: web::Json<NewInvitationBody>,
) -> Result<HttpResponse, ApiError> {
    access.require_owner()?;
    let mut fields = Fields::default();
    let email = Email::parse(&body.email).ok();
    fields.check(email.is_some(), "email", "must be an email address");
    let role = parse_role(&mut fields, &body.role);
    fields.finish()?;
    let (Some(email), Some(role)) = (email, role) else {
        return Err(ApiError::internal("validated fields are missing"));
    };

    let mut secret = [0u8; 32];
    aws_lc_rs::rand::fill(&mut secret).map_err(|_| ApiError::internal("no randomness"))?;
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret);
    let expires_at = jobs::now() + chrono::Duration::days(INVITATION_DAYS);
    let email_job = JobPayload::SendEmail(SendEmail {
        v: 1,
        to: email.to_string(),
        template: "vendor_invitation".into(),
        vendor_id: Some(access.vendor.id),
        vars: BTreeMap::from([
            ("vendor_name".to_owned(), access.vendor.name.clone()),
            ("vendor_id".to_owned(), access.vendor.id.to_string()),
            ("role".to_owned(), role.as_str().to_owned()),
            ("invitation_token".to_owned(), token.clone()),
        ]),
    });

    let txn = trove_data_access::begin_write(&state.db).await?;
    let invitation = invitations::create(
        &txn,
        NewInvitation {
            vendor: access.vendor_id(),
            email,
            role,
            token_hash: token_hash(&token),
            invited_by: access.staff.id(),
            expires_at,
        },
    )
    .await?;
    jobs::enqueue(&txn, JobId::new(), &email_job, jobs::now()).await?;
    txn.commit().await?;

    Ok(HttpResponse::Created().json(InvitationView {
        id: invitation.id,
        email: invitation.email,
        role: invitation.role,
        expires_at: invitation.expires_at.and_utc(),
    }))
}

/// Accepts an invitation as the signed-in user, whose email must be the invited one.
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    request_body = AcceptInvitation,
    responses(
        (status = 200, description = "OK.", body = MemberView),
        (status = 403, description = "Signed in with another email.", body = ErrorBody),
        (status = 404, description = "Not found, or not visible to this caller.", body = ErrorBody),
        (status = 409, description = "Already accepted.", body = ErrorBody),
        (status = 410, description = "Expired.", body = ErrorBody),
    )
)]
#[post("/api/v1/invitations/accept")]
pub async fn accept_invitation(
    state: web::Data<AppState>,
    staff: StaffUser,
    body: web::Json<AcceptInvitation>,
) -> Result<web::Json<MemberView>, ApiError> {
    let invitation = invitations::find_by_token_hash(&state.db, &token_hash(body.token.trim()))
        .await?
        .ok_or_else(|| ApiError::not_found("No such invitation."))?;
    if invitation.accepted_at.is_some() {
        return Err(ApiError::conflict("This invitation was already accepted."));
    }
    if invitation.expires_at < jobs::now() {
        return Err(ApiError::new(
            StatusCode::GONE,
            "invitation_expired",
            "This invitation has expired.",
        ));
    }
    if !invitation.email.eq_ignore_ascii_case(&staff.user.email) {
        return Err(ApiError::forbidden(
            "This invitation was sent to another email address.",
        ));
    }
    let role: VendorRole = invitation.role.parse().map_err(ApiError::internal)?;
    let vendor = trove_domain::ids::VendorId::from(invitation.vendor_id);

    let txn = trove_data_access::begin_write(&state.db).await?;
    if !invitations::mark_accepted(&txn, invitation.id).await? {
        return Err(ApiError::conflict("This invitation was already accepted."));
    }
    let membership = members::add(&txn, vendor, staff.id(), role).await?;
    txn.commit().await?;

    Ok(web::Json(MemberView {
        user_id: staff.user.id,
        email: staff.user.email,
        display_name: staff.user.display_name,
        role: membership.role,
        joined_at: membership.created_at.and_utc(),
    }))
}

/// Changes a member's role (owners only); the last owner cannot be demoted.
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path), ("user_id" = Uuid, Path)),
    request_body = RoleChange,
    responses(
        (status = 204, description = "Done; no content."),
        (status = 403, description = "Not allowed for this caller or token type.", body = ErrorBody),
        (status = 404, description = "Not found, or not visible to this caller.", body = ErrorBody),
        (status = 409, description = "It would leave no owner.", body = ErrorBody),
        (status = 422, description = "Invalid fields; see details.", body = ErrorBody),
    )
)]
#[patch("/api/v1/vendors/{vendor_id}/members/{user_id}")]
pub async fn change_member_role(
    state: web::Data<AppState>,
    access: VendorAccess,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<RoleChange>,
) -> Result<HttpResponse, ApiError> {
    access.require_owner()?;
    let mut fields = Fields::default();
    let role = parse_role(&mut fields, &body.role);
    fields.finish()?;
    let role = role.ok_or_else(|| ApiError::internal("validated role is missing"))?;
    let (_, user_id) = path.into_inner();
    members::set_role(&state.db, access.vendor_id(), UserId::from(user_id), role)
        .await
        .map_err(member_error)?;
    Ok(HttpResponse::NoContent().finish())
}

/// Removes a member (owners; or members removing themselves); never the last owner.
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path), ("user_id" = Uuid, Path)),
    responses(
        (status = 204, description = "Done; no content."),
        (status = 403, description = "Not allowed for this caller or token type.", body = ErrorBody),
        (status = 404, description = "Not found, or not visible to this caller.", body = ErrorBody),
        (status = 409, description = "It would leave no owner.", body = ErrorBody),
    )
)]
#[delete("/api/v1/vendors/{vendor_id}/members/{user_id}")]
pub async fn remove_member(
    state: web::Data<AppState>,
    access: VendorAccess,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (_, user_id) = path.into_inner();
    if user_id != access.staff.user.id {
        access.require_owner()?;
    }
    members::remove(&state.db, access.vendor_id(), UserId::from(user_id))
        .await
        .map_err(member_error)?;
    Ok(HttpResponse::NoContent().finish())
}
