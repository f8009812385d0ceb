//! Users, created lazily from the first authenticated request of a token subject.

use crate::entities::user::{self, Entity as Users};
use crate::jobs::now;
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use trove_domain::ids::UserId;

/// The user behind `subject`, created on first sight. A later call writes only when the
/// token's email differs from the stored one.
pub async fn upsert_from_token(
    db: &impl ConnectionTrait,
    subject: &str,
    email: &str,
) -> Result<user::Model, DbErr> {
    if let Some(existing) = find_by_subject(db, subject).await? {
        if existing.email == email || email.is_empty() {
            return Ok(existing);
        }
        let mut changed: user::ActiveModel = existing.into();
        changed.email = Set(email.to_owned());
        changed.updated_at = Set(now());
        return changed.update(db).await;
    }
    let at = now();
    let created = user::ActiveModel {
        id: Set(UserId::new().as_uuid()),
        auth_subject: Set(subject.to_owned()),
        email: Set(email.to_owned()),
        display_name: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
    };
    match created.insert(db).await {
        Ok(user) => Ok(user),
        // Two first requests raced; the other one created the row.
        Err(error) if error.sql_err().is_some() => find_by_subject(db, subject).await?.ok_or(error),
        Err(error) => Err(error),
    }
}

pub async fn find_by_subject(
    db: &impl ConnectionTrait,
    subject: &str,
) -> Result<Option<user::Model>, DbErr> {
    Users::find()
        .filter(user::Column::AuthSubject.eq(subject))
        .one(db)
        .await
}

pub async fn set_display_name(
    db: &impl ConnectionTrait,
    user: user::Model,
    display_name: Option<String>,
) -> Result<user::Model, DbErr> {
    if user.display_name == display_name {
        return Ok(user);
    }
    let mut changed: user::ActiveModel = user.into();
    changed.display_name = Set(display_name);
    changed.updated_at = Set(now());
    changed.update(db).await
}
