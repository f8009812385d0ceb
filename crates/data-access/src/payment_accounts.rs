//! Vendors' Stripe connected accounts. A vendor has at most one; it is created in two
//! steps so a lost answer cannot make a second Stripe account: `begin` stores the row
//! with a fresh `connection_id` (the Stripe idempotency key is derived from it) and no
//! account id; `attach` records the account Stripe created. A retry finds the pending
//! row and asks Stripe again with the same key. Resetting deletes the row.
//!
//! The vendor's onboarding status follows the account: `live` when it can accept
//! payments, `stripe` while it is connected but not yet enabled or after a reset.

use crate::entities::payment_account::{self, Entity as Accounts};
use crate::jobs::now;
use crate::vendors;
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use trove_domain::ids::VendorId;
use trove_domain::payment::{AccountKind, AccountState};
use trove_domain::vendor::OnboardingStatus;

pub async fn find(
    db: &impl ConnectionTrait,
    vendor: VendorId,
) -> Result<Option<payment_account::Model>, DbErr> {
    Accounts::find_by_id(vendor.as_uuid()).one(db).await
}

pub async fn find_by_stripe_account(
    db: &impl ConnectionTrait,
    stripe_account_id: &str,
) -> Result<Option<payment_account::Model>, DbErr> {
    Accounts::find()
        .filter(payment_account::Column::StripeAccountId.eq(stripe_account_id))
        .one(db)
        .await
}

/// The vendor's pending connection of `kind`, created if there is none. An existing
/// row of another kind or already attached is returned as it is.
pub async fn begin(
    db: &impl ConnectionTrait,
    vendor: VendorId,
    kind: AccountKind,
) -> Result<payment_account::Model, DbErr> {
    if let Some(existing) = find(db, vendor).await? {
        return Ok(existing);
    }
    let at = now();
    payment_account::ActiveModel {
        vendor_id: Set(vendor.as_uuid()),
        connection_id: Set(uuid::Uuid::now_v7()),
        kind: Set(kind),
        stripe_account_id: Set(None),
        charges_enabled: Set(false),
        payouts_enabled: Set(false),
        details_submitted: Set(false),
        disabled_reason: Set(None),
        requirements_due: Set("[]".into()),
        capabilities: Set("{}".into()),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(db)
    .await
}

/// Records the Stripe account behind a pending connection, with its state.
pub async fn attach(
    db: &impl ConnectionTrait,
    current: payment_account::Model,
    kind: AccountKind,
    stripe_account_id: &str,
    state: &AccountState,
) -> Result<payment_account::Model, DbErr> {
    let mut active: payment_account::ActiveModel = current.into();
    active.kind = Set(kind);
    active.stripe_account_id = Set(Some(stripe_account_id.to_owned()));
    apply(&mut active, state);
    let account = active.update(db).await?;
    follow(db, account.vendor_id, state).await?;
    Ok(account)
}

/// Replaces what Stripe last said about the account.
pub async fn update_state(
    db: &impl ConnectionTrait,
    current: payment_account::Model,
    state: &AccountState,
) -> Result<payment_account::Model, DbErr> {
    let mut active: payment_account::ActiveModel = current.into();
    apply(&mut active, state);
    let account = active.update(db).await?;
    follow(db, account.vendor_id, state).await?;
    Ok(account)
}

/// Moves the vendor's onboarding status to what the account allows.
async fn follow(
    db: &impl ConnectionTrait,
    vendor_id: uuid::Uuid,
    state: &AccountState,
) -> Result<(), DbErr> {
    let status = if state.can_accept_payments() {
        OnboardingStatus::Live
    } else {
        OnboardingStatus::Stripe
    };
    vendors::set_onboarding_status(db, VendorId::from(vendor_id), status).await
}

fn apply(active: &mut payment_account::ActiveModel, state: &AccountState) {
    active.charges_enabled = Set(state.charges_enabled);
    active.payouts_enabled = Set(state.payouts_enabled);
    active.details_submitted = Set(state.details_submitted);
    active.disabled_reason = Set(state.disabled_reason.clone());
    active.requirements_due =
        Set(serde_json::to_string(&state.requirements_due).unwrap_or_else(|_| "[]".into()));
    active.capabilities =
        Set(serde_json::to_string(&state.capabilities).unwrap_or_else(|_| "{}".into()));
    active.updated_at = Set(now());
}

/// Forgets the vendor's connection. `false` when there was none.
pub async fn reset(db: &impl ConnectionTrait, vendor: VendorId) -> Result<bool, DbErr> {
    let deleted = Accounts::delete_by_id(vendor.as_uuid()).exec(db).await?;
    if deleted.rows_affected == 0 {
        return Ok(false);
    }
    vendors::set_onboarding_status(db, vendor, OnboardingStatus::Stripe).await?;
    Ok(true)
}

/// The stored account state.
pub fn state_of(account: &payment_account::Model) -> AccountState {
    AccountState {
        charges_enabled: account.charges_enabled,
        payouts_enabled: account.payouts_enabled,
        details_submitted: account.details_submitted,
        disabled_reason: account.disabled_reason.clone(),
        requirements_due: serde_json::from_str(&account.requirements_due).unwrap_or_default(),
        capabilities: serde_json::from_str(&account.capabilities).unwrap_or_default(),
    }
}
