//! Response views shared by more than one route module: a route module never imports
//! another, so what two of them answer with lives here. A view maps a stored row to what
//! clients read; it decides nothing.

pub mod order;
pub mod product;
pub mod storefront;
pub mod vendor;
pub mod zone;
