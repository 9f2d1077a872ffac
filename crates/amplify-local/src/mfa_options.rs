//! The pool's MFA setting ([`MfaMode`]) and its factors ([`MfaFactor`]).

/// Whether the user pool asks for a second factor at sign-in, as Cognito's
/// `MfaConfiguration`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum MfaMode {
    /// No MFA (`OFF`, the default): sign-in ends after the password.
    #[default]
    Off,
    /// Users who enabled a factor are asked for it (`OPTIONAL`).
    Optional,
    /// Every user is asked for a factor (`ON`); a user without one must set
    /// one up at sign-in (`MFA_SETUP`).
    Required,
}

impl MfaMode {
    /// The `auth.mfa_configuration` of `amplify_outputs.json`.
    pub fn outputs_name(self) -> &'static str {
        match self {
            Self::Off => "NONE",
            Self::Optional => "OPTIONAL",
            Self::Required => "REQUIRED",
        }
    }
}

impl std::str::FromStr for MfaMode {
    type Err = crate::LocalError;

    /// Parses `off`, `optional` or `required` (any case).
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value.to_ascii_lowercase().as_str() {
            "off" | "none" => Ok(Self::Off),
            "optional" => Ok(Self::Optional),
            "required" | "on" => Ok(Self::Required),
            _ => Err(crate::LocalError::InvalidOption {
                what: "MFA mode",
                value: value.to_owned(),
                reason: "use off, optional or required",
            }),
        }
    }
}

/// A second factor the pool offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum MfaFactor {
    /// A code "sent by SMS" to `phone_number` (shown in the log and on the
    /// managed-login page; nothing is sent).
    Sms,
    /// A time-based one-time password from an authenticator app (RFC 6238).
    Totp,
    /// A code "sent by email" to `email` (shown as SMS codes are).
    Email,
}

impl MfaFactor {
    /// Every factor, in Cognito's order.
    pub const ALL: [MfaFactor; 3] = [Self::Sms, Self::Totp, Self::Email];

    /// The challenge name of the factor (`SMS_MFA`, `SOFTWARE_TOKEN_MFA`,
    /// `EMAIL_OTP`).
    pub fn challenge_name(self) -> &'static str {
        match self {
            Self::Sms => "SMS_MFA",
            Self::Totp => "SOFTWARE_TOKEN_MFA",
            Self::Email => "EMAIL_OTP",
        }
    }

    /// The factor of a challenge name.
    pub fn from_challenge_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.challenge_name() == name)
    }

    /// The `auth.mfa_methods` entry of `amplify_outputs.json`.
    pub fn outputs_name(self) -> &'static str {
        match self {
            Self::Sms => "SMS",
            Self::Totp => "TOTP",
            Self::Email => "EMAIL",
        }
    }
}

impl std::str::FromStr for MfaFactor {
    type Err = crate::LocalError;

    /// Parses `sms`, `totp` or `email` (any case).
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value.to_ascii_lowercase().as_str() {
            "sms" => Ok(Self::Sms),
            "totp" => Ok(Self::Totp),
            "email" => Ok(Self::Email),
            _ => Err(crate::LocalError::InvalidOption {
                what: "MFA factor",
                value: value.to_owned(),
                reason: "use sms, totp or email",
            }),
        }
    }
}
