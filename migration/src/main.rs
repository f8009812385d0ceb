//! `migration up | down | status | fresh | …` — the SeaORM migration CLI over Trove's
//! schema. Reads `DATABASE_URL` (and `-u`), as `sea-orm-cli` does.

use sea_orm_migration::prelude::*;

#[tokio::main]
async fn main() {
    cli::run_cli(migration::Migrator).await;
}
