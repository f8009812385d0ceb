# Trove backend tasks. `just --list` shows them.

set dotenv-load := false

# Embedded all-in-one mode: API + worker on SQLite, migrations applied at start.
dev:
    cargo run

# Apply pending migrations to DATABASE_URL (or TROVE__DATABASE__URL); production never migrates on boot.
migrate *args="up":
    DATABASE_URL="${DATABASE_URL:-${TROVE__DATABASE__URL:-sqlite://data/trove.db?mode=rwc}}" cargo run -p migration -- {{args}}

# The README's test command: every suite on embedded SQLite, no services needed.
test:
    cargo test --workspace

# The same suites against MariaDB, PostgreSQL, Redis and an SMTP sink, as CI runs them.
test-services:
    bash .ci/run

fmt:
    cargo fmt --all

lint:
    cargo fmt --all --check
    cargo clippy --workspace --all-targets -- -D warnings

# Print the OpenAPI document.
openapi:
    cargo run -q -p trove-api -- openapi


# No-op jobs per second through the SQL queue on SQLite, MariaDB and PostgreSQL.
bench-jobs:
    cargo bench -p trove-worker --bench jobs
    TEST_DATABASE_URL=mysql://root@127.0.0.1:3306 cargo bench -p trove-worker --bench jobs
    TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench -p trove-worker --bench jobs

# Requests/second of the public storefront read (500 products), fresh and revalidated.
bench-storefront:
    cargo bench -p trove-api --bench public_storefront
    TEST_DATABASE_URL=mysql://root@127.0.0.1:3306 cargo bench -p trove-api --bench public_storefront

# Products/second imported from the Shopify stand-in, first import and unchanged re-sync.
bench-shopify:
    cargo bench -p trove-api --bench shopify_import
    TEST_DATABASE_URL=mysql://root@127.0.0.1:3306 cargo bench -p trove-api --bench shopify_import
    TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench -p trove-api --bench shopify_import

bench: bench-jobs bench-storefront bench-shopify

# Targets (fuzz/): recipient_csv, stripe_signature, bearer_token, storefront_session,
# query_paging. New inputs go to fuzz/corpus/<target>, crashes to fuzz/artifacts/<target>.
# Fuzz one target (or each in turn) for `seconds` each; not run in CI.
fuzz target="" seconds="60":
    #!/usr/bin/env bash
    set -euo pipefail
    targets="{{target}}"
    for t in ${targets:-$(cargo fuzz list)}; do
        mkdir -p "fuzz/corpus/$t"
        RUSTC_BOOTSTRAP=1 cargo fuzz run "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- -max_total_time={{seconds}}
    done
