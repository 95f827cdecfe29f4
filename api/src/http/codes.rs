//! Codes that name rows of a reference table (org levels, activity, pair and support kinds, pair
//! stages) as filters: their shape in the contract, and the refusal of a code that does not
//! exist. Without it a typo such as `level=xa` answers an empty list, as if there were no such
//! units. The tables are data (the 2025 reform removed a level), so the contract states the
//! shape and the answer lists the codes that exist today.

use std::borrow::Cow;

use serde_json::json;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

use super::error::ApiError;
use super::text::Text;

/// The code of a level or a kind (`commune`, `sinh_hoat_dinh_ky`), as the tables check it.
pub struct KindCode;

impl PartialSchema for KindCode {
    fn schema() -> RefOr<Schema> {
        code_schema(
            "^[a-z][a-z0-9_]{1,39}$",
            40,
            "Mã của một cấp hoặc một loại (bảng tham chiếu) / The code of a level (`central`, `province`, `district` until 30/06/2025, `commune`, `branch`, `group`) or of a kind (`GET /activity-kinds`, `/pair-kinds`, `/support-kinds`). An unknown code is refused with 400 listing those that exist.",
            "commune",
        )
    }
}

impl ToSchema for KindCode {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("KindCode")
    }
}

/// The code of a stage of a pair kind (`ket_noi`).
pub struct StageCode;

impl PartialSchema for StageCode {
    fn schema() -> RefOr<Schema> {
        code_schema(
            "^[a-z_]{1,40}$",
            40,
            "Mã giai đoạn của một loại cặp / The code of a stage of a pair kind (its `stages`).",
            "ket_noi",
        )
    }
}

impl ToSchema for StageCode {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("StageCode")
    }
}

fn code_schema(pattern: &str, max_length: usize, description: &str, example: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(pattern))
        .max_length(Some(max_length))
        .description(Some(description))
        .examples([json!(example)])
        .into()
}

/// Refuses `value` for the filter `field` unless it is one of `known` (which the answer lists).
pub fn known_code(field: &str, value: &str, known: &[String]) -> Result<(), ApiError> {
    if known.iter().any(|k| k == value) {
        return Ok(());
    }
    let list = known.join(", ");
    Err(ApiError::invalid_parameter(
        field,
        "unknown_code",
        Text::owned(
            format!("Không có mã này. Các mã hiện có: {list}."),
            format!("No such code. The codes are: {list}."),
        ),
    ))
}

/// A named string schema whose values are a list kept in code (a `const` array the handler
/// checks against), so the contract and the check cannot drift apart.
#[macro_export]
macro_rules! listed_values_schema {
    ($(#[$doc:meta])* $name:ident, $values:expr, $description:expr) => {
        $(#[$doc])*
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some($values.iter().copied()))
                    .description(Some($description))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }
    };
}
