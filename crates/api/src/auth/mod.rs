//! Authentication and authorization.
//!
//! Six token types: Vendor and Admin come from Auth0 (RS256, keys from its JWKS) or, in
//! the embedded mode, from the local dev issuer; Recipient, storefront sessions and the
//! Shopify/Xero OAuth states are issued by the API itself (EdDSA, keys published at
//! `/.well-known/jwks.json`). The authentication middleware validates a bearer token once
//! per request; handlers declare who may call them through the extractors in `guards`.
//! Nothing in a request body can grant a role: admin comes only from the token's claim.

pub mod authenticator;
pub mod claims;
pub mod guards;
pub mod jwks;
pub mod middleware;
pub mod passwords;
pub mod signing;
pub mod storefront_lock;

pub use authenticator::{AuthError, Authenticator};
pub use claims::{Principal, TokenType};
pub use signing::SigningKeys;
