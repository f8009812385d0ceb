//! List query strings: an arbitrary query string deserialised into one of the list
//! endpoints' query structs the way actix-web's `web::Query` extractor does
//! (`serde_urlencoded`), then `validation::paging`, as the list handlers call it (the
//! high bit of the first byte records another field's error first, as the orders,
//! products and vendors lists may). Checks that nothing panics, that an accepted page is
//! 1-based, at most `MAX_PER_PAGE` long and the one asked for (20 per page and page 1 by
//! default), that a page of 0 or a page size outside 1–`MAX_PER_PAGE` is always refused,
//! that every refusal is a 422 `validation_failed`, and that an earlier field error is
//! never dropped.
#![no_main]

use actix_web::ResponseError;
use actix_web::web::Query;
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use trove_api::routes::admin::VendorQuery;
use trove_api::routes::admin_jobs::DeadJobQuery;
use trove_api::routes::orders::OrderListQuery;
use trove_api::routes::products::ProductListQuery;
use trove_api::routes::storefronts::PageQuery;
use trove_api::validation::{Fields, MAX_PER_PAGE, paging};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, query)) = data.split_first() else {
        return;
    };
    let query = String::from_utf8_lossy(query);
    let requested = match selector % 5 {
        0 => read::<VendorQuery>(&query, |q| (q.page, q.per_page)),
        1 => read::<DeadJobQuery>(&query, |q| (q.page, q.per_page)),
        2 => read::<OrderListQuery>(&query, |q| (q.page, q.per_page)),
        3 => read::<ProductListQuery>(&query, |q| (q.page, q.per_page)),
        _ => read::<PageQuery>(&query, |q| (q.page, q.per_page)),
    };
    if let Some((page, per_page)) = requested {
        check(page, per_page, selector & 0x80 != 0);
    }
});

/// The page and page size of `query` read as `Q`, when it reads.
fn read<Q: DeserializeOwned>(
    query: &str,
    requested: fn(&Q) -> (Option<u64>, Option<u64>),
) -> Option<(Option<u64>, Option<u64>)> {
    Query::<Q>::from_query(query)
        .ok()
        .map(|query| requested(&query))
}

fn check(page: Option<u64>, per_page: Option<u64>, earlier_error: bool) {
    let mut fields = Fields::default();
    fields.check(!earlier_error, "status", "is not a known status");
    let out_of_range =
        page == Some(0) || per_page.is_some_and(|size| !(1..=MAX_PER_PAGE).contains(&size));
    match paging(&mut fields, page, per_page) {
        Ok((accepted_page, accepted_size)) => {
            assert!(!earlier_error, "an earlier field error was dropped");
            assert!(!out_of_range, "accepted page {page:?} of {per_page:?}");
            assert_eq!(accepted_page, page.unwrap_or(1));
            assert_eq!(accepted_size, per_page.unwrap_or(20));
            assert!(accepted_page >= 1 && (1..=MAX_PER_PAGE).contains(&accepted_size));
        }
        Err(error) => {
            assert_eq!(error.status_code().as_u16(), 422);
            assert_eq!(error.code(), "validation_failed");
        }
    }
}
