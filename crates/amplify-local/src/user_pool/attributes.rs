//! Which user attributes a caller may write, and in what shape, as Cognito
//! checks them: the standard attributes, the custom ones the pool declares
//! ([`crate::LocalOptions::custom_attributes`]), never `sub`, `identities`
//! or `cognito:*`, and the `*_verified` flags only for administrators.

use crate::LocalError;
use crate::api_error::{ApiError, ErrorCode};
use crate::state::AppState;

/// The standard attributes any caller may write (OpenID Connect's, as
/// Cognito names them).
const STANDARD: [&str; 17] = [
    "address",
    "birthdate",
    "email",
    "family_name",
    "gender",
    "given_name",
    "locale",
    "middle_name",
    "name",
    "nickname",
    "phone_number",
    "picture",
    "preferred_username",
    "profile",
    "updated_at",
    "website",
    "zoneinfo",
];

/// Standard attributes only an administrator may write (`AdminCreateUser`):
/// they claim that the user proved they own an address.
const ADMIN_ONLY: [&str; 2] = ["email_verified", "phone_number_verified"];

/// The longest attribute value Cognito stores.
const MAX_VALUE_CHARS: usize = 2048;

/// The prefix of custom attributes.
pub(crate) const CUSTOM_PREFIX: &str = "custom:";

/// The longest custom attribute name (after `custom:`), as in Cognito.
const MAX_CUSTOM_NAME_CHARS: usize = 20;

/// Checks a declared custom attribute name (`custom:team` or `team`).
pub(crate) fn check_declared(name: &str) -> Result<(), LocalError> {
    let bare = name.strip_prefix(CUSTOM_PREFIX).unwrap_or(name);
    let valid = !bare.is_empty()
        && bare.chars().count() <= MAX_CUSTOM_NAME_CHARS
        && bare
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if valid {
        Ok(())
    } else {
        Err(LocalError::InvalidOption {
            what: "custom attribute",
            value: name.to_owned(),
            reason: "use 1 to 20 letters, digits, '_' or '-' (optionally after custom:)",
        })
    }
}

/// Who writes the attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Writer {
    /// The user, through an app client (SignUp, RespondToAuthChallenge,
    /// managed sign-up).
    User,
    /// An administrator (signed `Admin*` operations).
    Admin,
}

/// Why an attribute write is refused; as an [`ApiError`], Cognito's
/// `InvalidParameterException` with a message naming the attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AttributeRefusal {
    /// `sub`: it never changes.
    Immutable(String),
    /// `identities` or `cognito:*`: only Cognito writes them.
    Reserved(String),
    /// A `*_verified` flag written by a user.
    AdminOnly(String),
    /// A `*_verified` flag that is not `true` or `false`.
    NotBoolean(String),
    /// An attribute that is neither standard nor declared.
    Undeclared(String),
    /// A value over 2,048 characters.
    TooLong(String),
}

impl AttributeRefusal {
    /// The attribute refused.
    pub(crate) fn name(&self) -> &str {
        match self {
            Self::Immutable(name)
            | Self::Reserved(name)
            | Self::AdminOnly(name)
            | Self::NotBoolean(name)
            | Self::Undeclared(name)
            | Self::TooLong(name) => name,
        }
    }
}

impl From<AttributeRefusal> for ApiError {
    fn from(refusal: AttributeRefusal) -> Self {
        let message = match &refusal {
            AttributeRefusal::Immutable(name) => {
                format!("Cannot modify the non-mutable attribute {name}")
            }
            AttributeRefusal::Reserved(name) => {
                format!("Attribute {name} is reserved: Cognito writes it, no caller can")
            }
            AttributeRefusal::AdminOnly(name) => {
                format!("Attribute {name} can only be set by an administrator (AdminCreateUser)")
            }
            AttributeRefusal::NotBoolean(name) => {
                format!("Attribute {name} must be \"true\" or \"false\"")
            }
            AttributeRefusal::Undeclared(name) => match name.strip_prefix(CUSTOM_PREFIX) {
                Some(custom) => format!(
                    "Attributes did not conform to the schema: Type for attribute {{{name}}} \
                     could not be determined (the pool declares no such custom attribute; \
                     declare it with --custom-attribute {custom})"
                ),
                None => format!(
                    "Attributes did not conform to the schema: Type for attribute {{{name}}} \
                     could not be determined"
                ),
            },
            AttributeRefusal::TooLong(name) => format!(
                "Attribute {name} is too long: values have at most {MAX_VALUE_CHARS} characters"
            ),
        };
        ApiError::new(ErrorCode::InvalidParameter, message)
    }
}

/// Checks that `writer` may set attribute `name` to `value`.
pub(crate) fn check(
    state: &AppState,
    name: &str,
    value: &str,
    writer: Writer,
) -> Result<(), AttributeRefusal> {
    let refused = |refusal: fn(String) -> AttributeRefusal| Err(refusal(name.to_owned()));
    if name == "sub" {
        return refused(AttributeRefusal::Immutable);
    }
    if name == "identities" || name.starts_with("cognito:") {
        return refused(AttributeRefusal::Reserved);
    }
    if ADMIN_ONLY.contains(&name) {
        if writer == Writer::User {
            return refused(AttributeRefusal::AdminOnly);
        }
        if value != "true" && value != "false" {
            return refused(AttributeRefusal::NotBoolean);
        }
    } else if let Some(custom) = name.strip_prefix(CUSTOM_PREFIX) {
        if !state
            .options
            .custom_attributes
            .iter()
            .any(|declared| declared.strip_prefix(CUSTOM_PREFIX).unwrap_or(declared) == custom)
        {
            return refused(AttributeRefusal::Undeclared);
        }
    } else if !STANDARD.contains(&name) {
        return refused(AttributeRefusal::Undeclared);
    }
    if value.chars().count() > MAX_VALUE_CHARS {
        return refused(AttributeRefusal::TooLong);
    }
    Ok(())
}

/// Checks every attribute of a request.
pub(crate) fn check_all(
    state: &AppState,
    attributes: &[(String, String)],
    writer: Writer,
) -> Result<(), AttributeRefusal> {
    attributes
        .iter()
        .try_for_each(|(name, value)| check(state, name, value, writer))
}
