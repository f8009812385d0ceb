//! Vendor members as owners and invitees meet them: invitations through the queued email
//! job, acceptance, role changes, and the last-owner rule.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use reqwest::Method;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use support::{TestApp, assert_jobs_ran, error_body, json_of};
use trove_api::auth::TokenType;
use trove_data_access::entities::job;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invited_member_joins_and_the_last_owner_stays() {
    let app = TestApp::spawn().await;
    let owner = app.token(TokenType::Vendor, "owner@example.com");
    let vendor = app.create_vendor(&owner, "Acme").await;

    let invited = app
        .call(
            Method::POST,
            &format!("/api/v1/vendors/{vendor}/invitations"),
            &owner,
            Some(json!({"email": "Staff@Example.com", "role": "staff"})),
        )
        .await;
    assert_eq!(invited.status(), 201);
    let invitation = json_of(invited).await;
    assert_eq!(invitation["email"], "staff@example.com");
    assert!(
        invitation.get("token").is_none(),
        "the token travels only by email"
    );

    let queued = job::Entity::find()
        .filter(job::Column::Kind.eq("send_email"))
        .one(&app.database.db)
        .await
        .unwrap()
        .expect("the invitation email is queued");
    let payload: Value = serde_json::from_str(&queued.payload).unwrap();
    assert_eq!(payload["to"], "staff@example.com");
    assert_eq!(payload["template"], "vendor_invitation");
    let token = payload["vars"]["invitation_token"]
        .as_str()
        .unwrap()
        .to_owned();

    let stranger = app.token(TokenType::Vendor, "stranger@example.com");
    let wrong_person = app
        .call(
            Method::POST,
            "/api/v1/invitations/accept",
            &stranger,
            Some(json!({"token": token})),
        )
        .await;
    error_body(wrong_person, 403, "forbidden").await;

    let staff = app.token(TokenType::Vendor, "staff@example.com");
    let accepted = app
        .call(
            Method::POST,
            "/api/v1/invitations/accept",
            &staff,
            Some(json!({"token": token})),
        )
        .await;
    assert_eq!(accepted.status(), 200);
    let staff_id = json_of(accepted).await["user_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let replay = app
        .call(
            Method::POST,
            "/api/v1/invitations/accept",
            &staff,
            Some(json!({"token": token})),
        )
        .await;
    error_body(replay, 409, "conflict").await;

    let staff_edit = app
        .call(
            Method::PATCH,
            &format!("/api/v1/vendors/{vendor}"),
            &staff,
            Some(json!({"name": "Mine"})),
        )
        .await;
    error_body(staff_edit, 403, "forbidden").await;
    assert_eq!(
        app.get_as(&format!("/api/v1/vendors/{vendor}"), &staff)
            .await
            .status(),
        200
    );

    let owner_id = json_of(app.get_as("/api/v1/me", &owner).await).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let demote_last = app
        .call(
            Method::PATCH,
            &format!("/api/v1/vendors/{vendor}/members/{owner_id}"),
            &owner,
            Some(json!({"role": "staff"})),
        )
        .await;
    error_body(demote_last, 409, "conflict").await;
    let remove_last = app
        .call(
            Method::DELETE,
            &format!("/api/v1/vendors/{vendor}/members/{owner_id}"),
            &owner,
            None,
        )
        .await;
    error_body(remove_last, 409, "conflict").await;

    let promote = app
        .call(
            Method::PATCH,
            &format!("/api/v1/vendors/{vendor}/members/{staff_id}"),
            &owner,
            Some(json!({"role": "owner"})),
        )
        .await;
    assert_eq!(promote.status(), 204);
    let leave = app
        .call(
            Method::DELETE,
            &format!("/api/v1/vendors/{vendor}/members/{owner_id}"),
            &owner,
            None,
        )
        .await;
    assert_eq!(leave.status(), 204);
    let members = json_of(
        app.get_as(&format!("/api/v1/vendors/{vendor}/members"), &staff)
            .await,
    )
    .await;
    assert_eq!(members.as_array().unwrap().len(), 1);
    assert_eq!(members[0]["role"], "owner");
    error_body(
        app.get_as(&format!("/api/v1/vendors/{vendor}"), &owner)
            .await,
        404,
        "not_found",
    )
    .await;
    assert_jobs_ran(&app).await;
}
