//! Members of a vendor: list, invite by email (owners), accept, change role, remove. A
//! vendor always keeps at least one owner.

use crate::auth::guards::{StaffUser, VendorAccess};
use crate::error::{ApiError, ErrorBody};
use crate::idempotency::Idempotency;
use crate::state::AppState;
use crate::validation::Fields;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use trove_app::idempotency;
use trove_data_access::members::{self, MemberChangeError};
use trove_domain::email::Email;
use trove_domain::ids::UserId;
use trove_domain::vendor::VendorRole;
use utoipa::ToSchema;
use uuid::Uuid;

/// How long an invitation can be accepted.

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberView {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: Option<String>,
    #[schema(value_type = String)]
    pub role: VendorRole,
    pub joined_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvitationBody {
    #[schema(format = Email)]
    pub email: String,
    /// `owner` or `staff`.
    #[schema(schema_with = crate::openapi::rules::vendor_role)]
    pub role: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationView {
    pub id: Uuid,
    pub email: String,
    #[schema(value_type = String)]
    pub role: VendorRole,
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
    #[schema(schema_with = crate::openapi::rules::vendor_role)]
    pub role: String,
}

fn parse_role(fields: &mut Fields, raw: &str) -> Option<VendorRole> {
    let role = raw.parse::<VendorRole>().ok();
    fields.check(role.is_some(), "role", "must be `owner` or `staff`");
    role
}

fn member_error(error: MemberChangeError) -> ApiError {
    match error {
        MemberChangeError::NotFound => ApiError::no_such("member"),
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
    params(("vendor_id" = Uuid, Path), Idempotency),
    request_body = NewInvitationBody,
    responses(
        (status = 201, description = "Created.", body = InvitationView),
        (status = 400, description = "Malformed Idempotency-Key.", body = ErrorBody),
        (status = 403, description = "Not allowed for this caller or token type.", body = ErrorBody),
        (status = 404, description = "Not found, or not visible to this caller.", body = ErrorBody),
        (status = 409, description = "A request with this Idempotency-Key is still running.", body = ErrorBody),
        (status = 422, description = "Invalid fields, or the key was used with another body.", body = ErrorBody),
    )
)]
#[post("/api/v1/vendors/{vendor_id}/invitations")]
pub async fn invite_member(
    state: web::Data<AppState>,
    access: VendorAccess,
    idempotency: Idempotency,
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
    let key = idempotency.key(format!("invitations:{}", access.vendor.id), &*body)?;
    let answer = idempotency::create_once(&state.app, key, async |uow| {
        let invitation =
            trove_app::members::invite(uow, &access.vendor, email, role, access.staff.id()).await?;
        Ok(InvitationView {
            id: invitation.id,
            email: invitation.email,
            role: invitation.role,
            expires_at: invitation.expires_at.and_utc(),
        })
    })
    .await?;
    Ok(crate::idempotency::respond(answer))
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
    let membership =
        trove_app::members::accept(&state.app, &body.token, staff.id(), &staff.user.email).await?;
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
