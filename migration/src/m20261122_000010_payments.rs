//! Card payments through Stripe Connect: each vendor's connected account and what Stripe
//! last said about it, the payment intent and refund totals of an order, each refund, and
//! every webhook event received (stored once by its Stripe id).

use crate::instants::Instants;
use crate::m20261121_000001_foundation::Vendors;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let at = Instants(manager.get_database_backend());
        manager
            .create_table(
                Table::create()
                    .table(PaymentAccounts::Table)
                    .col(pk_uuid(PaymentAccounts::VendorId))
                    .col(uuid(PaymentAccounts::ConnectionId))
                    .col(string_len(PaymentAccounts::Kind, 16))
                    .col(string_len_null(PaymentAccounts::StripeAccountId, 255))
                    .col(
                        boolean(PaymentAccounts::ChargesEnabled)
                            .default(false)
                            .to_owned(),
                    )
                    .col(
                        boolean(PaymentAccounts::PayoutsEnabled)
                            .default(false)
                            .to_owned(),
                    )
                    .col(
                        boolean(PaymentAccounts::DetailsSubmitted)
                            .default(false)
                            .to_owned(),
                    )
                    .col(string_len_null(PaymentAccounts::DisabledReason, 255))
                    .col(text(PaymentAccounts::RequirementsDue))
                    .col(text(PaymentAccounts::Capabilities))
                    .col(at.required(PaymentAccounts::CreatedAt))
                    .col(at.required(PaymentAccounts::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_payment_accounts_vendor")
                            .from(PaymentAccounts::Table, PaymentAccounts::VendorId)
                            .to(Vendors::Table, Vendors::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_payment_accounts_stripe_account")
                    .table(PaymentAccounts::Table)
                    .col(PaymentAccounts::StripeAccountId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        for column in [
            string_len_null(Orders::PaymentIntentId, 255),
            string_len_null(Orders::PaymentFailure, 500),
            big_integer(Orders::RefundedMinor).default(0).to_owned(),
            big_integer(Orders::FeeRefundedMinor).default(0).to_owned(),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table(Orders::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("ux_orders_payment_intent")
                    .table(Orders::Table)
                    .col(Orders::PaymentIntentId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OrderRefunds::Table)
                    .col(pk_uuid(OrderRefunds::Id))
                    .col(uuid(OrderRefunds::OrderId))
                    .col(string_len(OrderRefunds::StripeRefundId, 255))
                    .col(big_integer(OrderRefunds::AmountMinor))
                    .col(big_integer(OrderRefunds::FeeRefundedMinor))
                    .col(string_len(OrderRefunds::Status, 32))
                    .col(string_len_null(OrderRefunds::Reason, 500))
                    .col(string_len(OrderRefunds::CreatedBy, 320))
                    .col(at.required(OrderRefunds::CreatedAt))
                    .col(at.required(OrderRefunds::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_order_refunds_order")
                            .from(OrderRefunds::Table, OrderRefunds::OrderId)
                            .to(Orders::Table, Orders::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_order_refunds_stripe_refund")
                    .table(OrderRefunds::Table)
                    .col(OrderRefunds::StripeRefundId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(StripeEvents::Table)
                    .col(string_len(StripeEvents::Id, 255).primary_key())
                    .col(string_len(StripeEvents::EventType, 255))
                    .col(string_len_null(StripeEvents::Account, 255))
                    .col(text(StripeEvents::Payload))
                    .col(at.required(StripeEvents::ReceivedAt))
                    .col(at.optional(StripeEvents::ProcessedAt))
                    .col(string_len_null(StripeEvents::Outcome, 500))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(StripeEvents::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(OrderRefunds::Table).to_owned())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ux_orders_payment_intent")
                    .table(Orders::Table)
                    .to_owned(),
            )
            .await?;
        for column in [
            Orders::PaymentIntentId,
            Orders::PaymentFailure,
            Orders::RefundedMinor,
            Orders::FeeRefundedMinor,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Orders::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(PaymentAccounts::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum PaymentAccounts {
    Table,
    VendorId,
    ConnectionId,
    Kind,
    StripeAccountId,
    ChargesEnabled,
    PayoutsEnabled,
    DetailsSubmitted,
    DisabledReason,
    RequirementsDue,
    Capabilities,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Orders {
    Table,
    Id,
    PaymentIntentId,
    PaymentFailure,
    RefundedMinor,
    FeeRefundedMinor,
}

#[derive(DeriveIden)]
enum OrderRefunds {
    Table,
    Id,
    OrderId,
    StripeRefundId,
    AmountMinor,
    FeeRefundedMinor,
    Status,
    Reason,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum StripeEvents {
    Table,
    Id,
    EventType,
    Account,
    Payload,
    ReceivedAt,
    ProcessedAt,
    Outcome,
}
