//! Newtype identifiers, so an id of one kind cannot be passed where another is expected.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A new, time-ordered id (UUID v7), so ids sort by creation in indexes.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl From<Uuid> for $name {
            fn from(value: Uuid) -> Self {
                Self(value)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

uuid_id!(
    /// A person signed in through Auth0 (or the dev issuer), mapped from the token subject.
    UserId
);
uuid_id!(
    /// A brand account.
    VendorId
);
uuid_id!(
    /// An invitation to join a vendor.
    InvitationId
);
uuid_id!(
    /// A queued job. It is assigned when the job is enqueued and survives every redelivery.
    JobId
);

uuid_id!(
    /// A customer's gift order.
    OrderId
);
uuid_id!(
    /// One recipient of one order (a gift).
    RecipientId
);
uuid_id!(
    /// A vendor's branded shop.
    StorefrontId
);
uuid_id!(
    /// A file declared for upload.
    UploadId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_ids_are_unique_and_time_ordered() {
        let first = JobId::new();
        let second = JobId::new();
        assert_ne!(first, second);
        assert!(first < second, "v7 ids must sort by creation time");
    }
}
