//! Uploaded files: what each one is for, which types and sizes each purpose accepts from
//! each kind of uploader, and the life of an upload (`pending` until the stored object has
//! been checked against what was declared, then `ready` and attachable).

use serde::{Deserialize, Serialize};

/// What a file is for; it decides the allowed types and sizes and where it may be attached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "sea-orm",
    derive(sea_orm::DeriveValueType),
    sea_orm(value_type = "String")
)]
#[serde(rename_all = "snake_case")]
pub enum UploadPurpose {
    ProductImage,
    StorefrontLogo,
    StorefrontBanner,
    StorefrontFavicon,
    /// A bulk recipient list (see `recipient_csv`).
    RecipientCsv,
}

/// Who asks to upload, by token type. Platform admins prepare demo storefronts and
/// catalogues for vendors, so they get more room than a vendor's staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uploader {
    VendorStaff,
    Admin,
}

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;
const IMAGES: &[&str] = &["image/jpeg", "image/png", "image/webp"];
const ICONS: &[&str] = &["image/png", "image/x-icon", "image/vnd.microsoft.icon"];
const CSV: &[&str] = &["text/csv"];

/// The types one purpose accepts and the largest file for one kind of uploader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadRule {
    pub content_types: &'static [&'static str],
    pub max_bytes: u64,
}

impl UploadPurpose {
    pub const ALL: [Self; 5] = [
        Self::ProductImage,
        Self::StorefrontLogo,
        Self::StorefrontBanner,
        Self::StorefrontFavicon,
        Self::RecipientCsv,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ProductImage => "product_image",
            Self::StorefrontLogo => "storefront_logo",
            Self::StorefrontBanner => "storefront_banner",
            Self::StorefrontFavicon => "storefront_favicon",
            Self::RecipientCsv => "recipient_csv",
        }
    }

    /// The allow-list and size limit of this purpose for `uploader`.
    pub const fn rule(self, uploader: Uploader) -> UploadRule {
        let (content_types, vendor_max) = match self {
            Self::ProductImage => (IMAGES, 10 * MIB),
            Self::StorefrontLogo => (IMAGES, 2 * MIB),
            Self::StorefrontBanner => (IMAGES, 8 * MIB),
            Self::StorefrontFavicon => (ICONS, 256 * KIB),
            Self::RecipientCsv => (CSV, 10 * MIB),
        };
        let max_bytes = match uploader {
            Uploader::VendorStaff => vendor_max,
            Uploader::Admin => vendor_max * 4,
        };
        UploadRule {
            content_types,
            max_bytes,
        }
    }

    /// The largest file any purpose accepts from any uploader.
    pub fn largest() -> u64 {
        Self::ALL
            .into_iter()
            .map(|purpose| purpose.rule(Uploader::Admin).max_bytes)
            .max()
            .unwrap_or(0)
    }
}

stored_as_text!(UploadPurpose, "upload purpose");

/// Why a declared upload is refused before anything is stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadRefusal {
    #[error("{purpose} files must be one of {allowed:?}")]
    ContentType {
        purpose: UploadPurpose,
        allowed: &'static [&'static str],
    },
    #[error("a file cannot be empty")]
    Empty,
    #[error("{purpose} files may be at most {max_bytes} bytes")]
    TooLarge {
        purpose: UploadPurpose,
        max_bytes: u64,
    },
}

/// Checks a declared upload against its purpose's rule for `uploader`.
pub fn check(
    purpose: UploadPurpose,
    uploader: Uploader,
    content_type: &str,
    size_bytes: u64,
) -> Result<UploadRule, UploadRefusal> {
    let rule = purpose.rule(uploader);
    if !rule.content_types.contains(&content_type) {
        return Err(UploadRefusal::ContentType {
            purpose,
            allowed: rule.content_types,
        });
    }
    if size_bytes == 0 {
        return Err(UploadRefusal::Empty);
    }
    if size_bytes > rule.max_bytes {
        return Err(UploadRefusal::TooLarge {
            purpose,
            max_bytes: rule.max_bytes,
        });
    }
    Ok(rule)
}

/// Where an upload stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "sea-orm",
    derive(sea_orm::DeriveValueType),
    sea_orm(value_type = "String")
)]
#[serde(rename_all = "snake_case")]
pub enum UploadStatus {
    /// Declared and signed for; the object may or may not be stored yet.
    Pending,
    /// Checked against its declaration; may be attached and downloaded.
    Ready,
}

impl UploadStatus {
    pub const ALL: [Self; 2] = [Self::Pending, Self::Ready];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Ready => "ready",
        }
    }
}

stored_as_text!(UploadStatus, "upload status");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_purpose_has_its_own_types_and_limits() {
        assert!(
            check(
                UploadPurpose::ProductImage,
                Uploader::VendorStaff,
                "image/webp",
                5 * MIB
            )
            .is_ok()
        );
        assert_eq!(
            check(
                UploadPurpose::StorefrontLogo,
                Uploader::VendorStaff,
                "image/png",
                3 * MIB
            ),
            Err(UploadRefusal::TooLarge {
                purpose: UploadPurpose::StorefrontLogo,
                max_bytes: 2 * MIB
            })
        );
        assert!(matches!(
            check(
                UploadPurpose::ProductImage,
                Uploader::VendorStaff,
                "image/x-icon",
                10
            ),
            Err(UploadRefusal::ContentType { .. })
        ));
        assert!(
            check(
                UploadPurpose::StorefrontFavicon,
                Uploader::VendorStaff,
                "image/x-icon",
                10
            )
            .is_ok()
        );
        assert!(matches!(
            check(
                UploadPurpose::ProductImage,
                Uploader::VendorStaff,
                "text/html",
                10
            ),
            Err(UploadRefusal::ContentType { .. })
        ));
        assert_eq!(
            check(
                UploadPurpose::ProductImage,
                Uploader::VendorStaff,
                "image/png",
                0
            ),
            Err(UploadRefusal::Empty)
        );
    }

    #[test]
    fn admins_get_more_room_than_vendor_staff() {
        let size = 3 * MIB;
        assert!(
            check(
                UploadPurpose::StorefrontLogo,
                Uploader::VendorStaff,
                "image/png",
                size
            )
            .is_err()
        );
        assert!(
            check(
                UploadPurpose::StorefrontLogo,
                Uploader::Admin,
                "image/png",
                size
            )
            .is_ok()
        );
        assert_eq!(UploadPurpose::largest(), 40 * MIB);
    }

    #[test]
    fn purposes_round_trip_through_their_names() {
        for purpose in UploadPurpose::ALL {
            assert_eq!(purpose.as_str().parse::<UploadPurpose>(), Ok(purpose));
        }
        assert!("avatar".parse::<UploadPurpose>().is_err());
    }

    #[test]
    fn statuses_round_trip_through_their_names() {
        for status in UploadStatus::ALL {
            assert_eq!(status.as_str().parse::<UploadStatus>(), Ok(status));
        }
        assert!("uploaded".parse::<UploadStatus>().is_err());
    }
}
