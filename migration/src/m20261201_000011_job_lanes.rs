//! Job lanes in the queue's index: each job row stores the lane its kind runs in (`fast`
//! or `slow`), and `(status, lane, run_at)` lets a claim for one lane walk that lane's due
//! jobs in order, without reading past a backlog of the other lane's.
//!
//! Rows already queued get the lane of their kind: the catalogue sync and the recipient
//! CSV import run slow, everything else fast.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The kinds that ran in the slow lane when this migration was written.
const SLOW_KINDS: [&str; 2] = ["sync_products", "process_recipient_upload"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Jobs::Table)
                    .add_column(string_len(Jobs::Lane, 8).default("fast"))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::update()
                    .table(Jobs::Table)
                    .value(Jobs::Lane, "slow")
                    .and_where(Expr::col(Jobs::Kind).is_in(SLOW_KINDS))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_jobs_status_lane_run_at")
                    .table(Jobs::Table)
                    .col(Jobs::Status)
                    .col(Jobs::Lane)
                    .col(Jobs::RunAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_jobs_status_lane_run_at")
                    .table(Jobs::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Jobs::Table)
                    .drop_column(Jobs::Lane)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Kind,
    Status,
    Lane,
    RunAt,
}
