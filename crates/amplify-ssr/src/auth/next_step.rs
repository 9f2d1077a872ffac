//! What a sign-in needs next: the outcome of [`sign_in`](crate::sign_in) and
//! [`confirm_sign_in`](crate::confirm_sign_in), modelled on aws-amplify v6's `nextStep.signInStep`, and the
//! mapping from Cognito's challenges to those steps.
//!
//! The mapping follows upstream's: `requiredAttributes` loses its `userAttributes.` prefix; `MFAS_CAN_CHOOSE` and
//! `MFAS_CAN_SETUP` (JSON lists of `SMS_MFA`, `SOFTWARE_TOKEN_MFA`, `EMAIL_OTP`) become [`MfaType`]s; an
//! `MFA_SETUP` that offers only TOTP goes straight to the authenticator-app set-up (the library calls
//! `AssociateSoftwareToken` with the sign-in's `Session` and returns the shared secret), one that offers only
//! email asks for the address, one that offers both asks the user to choose. SMS cannot be set up during a
//! sign-in (the phone number must be verified first), as upstream.

use std::collections::BTreeMap;

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

use crate::auth::session::AuthUser;
use crate::cognito::CodeDeliveryDetails;
use crate::error::AuthError;
use crate::secret::TotpSecret;

/// An MFA method, by aws-amplify's name (`SMS`, `TOTP`, `EMAIL`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MfaType {
    /// A code sent by SMS (Cognito's `SMS_MFA`).
    Sms,
    /// A code from an authenticator app (Cognito's `SOFTWARE_TOKEN_MFA`).
    Totp,
    /// A code sent by email (Cognito's `EMAIL_OTP`).
    Email,
}

impl MfaType {
    /// aws-amplify's name: `SMS`, `TOTP` or `EMAIL`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sms => "SMS",
            Self::Totp => "TOTP",
            Self::Email => "EMAIL",
        }
    }

    /// Cognito's challenge name: `SMS_MFA`, `SOFTWARE_TOKEN_MFA` or `EMAIL_OTP`.
    #[must_use]
    pub fn challenge_name(self) -> &'static str {
        match self {
            Self::Sms => "SMS_MFA",
            Self::Totp => "SOFTWARE_TOKEN_MFA",
            Self::Email => "EMAIL_OTP",
        }
    }

    /// The type of a Cognito challenge name (`SMS_MFA`, `SOFTWARE_TOKEN_MFA`, `EMAIL_OTP`) or of aws-amplify's
    /// name (`SMS`, `TOTP`, `EMAIL`).
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "SMS_MFA" | "SMS" => Some(Self::Sms),
            "SOFTWARE_TOKEN_MFA" | "TOTP" => Some(Self::Totp),
            "EMAIL_OTP" | "EMAIL" => Some(Self::Email),
            _ => None,
        }
    }
}

/// The shared secret of an authenticator-app (TOTP) set-up, to show as a QR code or as text.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TotpSetupDetails {
    /// The base32 secret (Cognito's `SecretCode`).
    pub shared_secret: TotpSecret,
    /// The user's name, the default account name of [`setup_uri`](Self::setup_uri).
    pub username: String,
}

impl TotpSetupDetails {
    /// A set-up of `shared_secret` for `username`.
    #[must_use]
    pub fn new(shared_secret: TotpSecret, username: impl Into<String>) -> Self {
        Self {
            shared_secret,
            username: username.into(),
        }
    }

    /// The `otpauth://totp/{app}:{username}?secret=…&issuer={app}` URI authenticator apps read from a QR code,
    /// as upstream's `getSetupUri(appName)`. Label and issuer are percent-encoded.
    ///
    /// **Security warning:** the URI carries the shared secret; never log it.
    #[must_use]
    pub fn setup_uri(&self, app_name: &str) -> String {
        self.setup_uri_for(app_name, &self.username)
    }

    /// [`setup_uri`](Self::setup_uri) with another account name (e.g. the email address).
    #[must_use]
    pub fn setup_uri_for(&self, app_name: &str, account_name: &str) -> String {
        let app = utf8_percent_encode(app_name, NON_ALPHANUMERIC);
        let account = utf8_percent_encode(account_name, NON_ALPHANUMERIC);
        format!(
            "otpauth://totp/{app}:{account}?secret={}&issuer={app}",
            utf8_percent_encode(self.shared_secret.secret(), NON_ALPHANUMERIC)
        )
    }
}

/// The step a sign-in needs next (aws-amplify's `nextStep.signInStep`, other than `DONE`, which is
/// [`SignInOutcome::SignedIn`]). Answer it with [`confirm_sign_in`](crate::confirm_sign_in), except
/// [`ConfirmSignUp`](Self::ConfirmSignUp) and [`ResetPassword`](Self::ResetPassword).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum SignInNextStep {
    /// `CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED`: the user must choose a new password (an administrator
    /// created them with a temporary one). Answer with the new password, and the missing attributes in
    /// [`ConfirmSignInInput::user_attributes`](crate::auth::ConfirmSignInInput::user_attributes).
    ConfirmSignInWithNewPasswordRequired {
        /// Attributes the pool requires that the user does not have yet (`name`, `phone_number`, ...).
        missing_attributes: Vec<String>,
    },
    /// `CONFIRM_SIGN_IN_WITH_SMS_CODE`: answer with the code sent by SMS.
    ConfirmSignInWithSmsCode {
        /// Where the code was sent (masked).
        code_delivery_details: CodeDeliveryDetails,
    },
    /// `CONFIRM_SIGN_IN_WITH_EMAIL_CODE`: answer with the code sent by email.
    ConfirmSignInWithEmailCode {
        /// Where the code was sent (masked).
        code_delivery_details: CodeDeliveryDetails,
    },
    /// `CONFIRM_SIGN_IN_WITH_TOTP_CODE`: answer with the authenticator app's current code.
    ConfirmSignInWithTotpCode,
    /// `CONTINUE_SIGN_IN_WITH_MFA_SELECTION`: answer with one of the types ([`MfaType::as_str`]).
    ContinueSignInWithMfaSelection {
        /// The types the user may choose.
        allowed_mfa_types: Vec<MfaType>,
    },
    /// `CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION`: MFA must be set up; answer `TOTP` or `EMAIL`.
    ContinueSignInWithMfaSetupSelection {
        /// The types that can be set up now.
        allowed_mfa_types: Vec<MfaType>,
    },
    /// `CONTINUE_SIGN_IN_WITH_TOTP_SETUP`: show the secret (or [`TotpSetupDetails::setup_uri`] as a QR code),
    /// then answer with the first code the authenticator app shows.
    ContinueSignInWithTotpSetup {
        /// The new shared secret.
        totp_setup_details: TotpSetupDetails,
    },
    /// `CONTINUE_SIGN_IN_WITH_EMAIL_SETUP`: answer with the email address to send codes to.
    ContinueSignInWithEmailSetup,
    /// `CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE`: answer the custom challenge of the pool's Lambda triggers.
    ConfirmSignInWithCustomChallenge {
        /// The challenge's public parameters (Cognito's `ChallengeParameters`).
        additional_info: BTreeMap<String, String>,
    },
    /// `CONFIRM_SIGN_UP`: the user has not confirmed their sign-up (Cognito's `UserNotConfirmedException`);
    /// use [`confirm_sign_up`](crate::auth::confirm_sign_up), then sign in again.
    ConfirmSignUp,
    /// `RESET_PASSWORD`: the user must reset their password (`PasswordResetRequiredException`); use
    /// [`reset_password`](crate::auth::reset_password).
    ResetPassword,
}

impl SignInNextStep {
    /// aws-amplify's `signInStep` name, e.g. `CONFIRM_SIGN_IN_WITH_TOTP_CODE`.
    #[must_use]
    pub fn sign_in_step(&self) -> &'static str {
        match self {
            Self::ConfirmSignInWithNewPasswordRequired { .. } => {
                "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED"
            }
            Self::ConfirmSignInWithSmsCode { .. } => "CONFIRM_SIGN_IN_WITH_SMS_CODE",
            Self::ConfirmSignInWithEmailCode { .. } => "CONFIRM_SIGN_IN_WITH_EMAIL_CODE",
            Self::ConfirmSignInWithTotpCode => "CONFIRM_SIGN_IN_WITH_TOTP_CODE",
            Self::ContinueSignInWithMfaSelection { .. } => "CONTINUE_SIGN_IN_WITH_MFA_SELECTION",
            Self::ContinueSignInWithMfaSetupSelection { .. } => {
                "CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION"
            }
            Self::ContinueSignInWithTotpSetup { .. } => "CONTINUE_SIGN_IN_WITH_TOTP_SETUP",
            Self::ContinueSignInWithEmailSetup => "CONTINUE_SIGN_IN_WITH_EMAIL_SETUP",
            Self::ConfirmSignInWithCustomChallenge { .. } => {
                "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE"
            }
            Self::ConfirmSignUp => "CONFIRM_SIGN_UP",
            Self::ResetPassword => "RESET_PASSWORD",
        }
    }
}

/// The result of [`sign_in`](crate::sign_in) and [`confirm_sign_in`](crate::confirm_sign_in) (aws-amplify's
/// `{ isSignedIn, nextStep }`).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum SignInOutcome {
    /// Signed in (`DONE`): the session cookies have been written to the context and the sign-in step cookie
    /// cleared.
    SignedIn(AuthUser),
    /// Another step is needed. For the steps answered by [`confirm_sign_in`](crate::confirm_sign_in), the sealed
    /// sign-in step cookie has been written to the context; no session cookie was written.
    NextStep(SignInNextStep),
}

impl SignInOutcome {
    /// aws-amplify's `isSignedIn`.
    #[must_use]
    pub fn is_signed_in(&self) -> bool {
        matches!(self, Self::SignedIn(_))
    }

    /// The next step, `None` once signed in.
    #[must_use]
    pub fn next_step(&self) -> Option<&SignInNextStep> {
        match self {
            Self::SignedIn(_) => None,
            Self::NextStep(step) => Some(step),
        }
    }

    /// aws-amplify's `nextStep.signInStep`: `DONE` once signed in.
    #[must_use]
    pub fn sign_in_step(&self) -> &'static str {
        self.next_step()
            .map_or("DONE", SignInNextStep::sign_in_step)
    }
}

/// What to do with a challenge Cognito sent.
#[derive(Debug)]
pub(crate) enum Mapped {
    /// Show this step; remember these MFA types (Cognito's names) with it.
    Step(SignInNextStep, Vec<MfaType>),
    /// `MFA_SETUP` that offers only TOTP: call `AssociateSoftwareToken` with the session first.
    AssociateTotp,
}

/// A JSON list of strings in a challenge parameter; an absent or unreadable one is empty.
fn json_list(params: &BTreeMap<String, String>, name: &str) -> Vec<String> {
    params
        .get(name)
        .and_then(|text| serde_json::from_str::<Vec<String>>(text).ok())
        .unwrap_or_default()
}

fn mfa_types(params: &BTreeMap<String, String>, name: &str) -> Vec<MfaType> {
    // Each type once, in Cognito's order (a repeat need not be adjacent).
    let mut types: Vec<MfaType> = Vec::new();
    for t in json_list(params, name)
        .iter()
        .filter_map(|name| MfaType::parse(name))
    {
        if !types.contains(&t) {
            types.push(t);
        }
    }
    types
}

fn delivery(params: &BTreeMap<String, String>) -> CodeDeliveryDetails {
    CodeDeliveryDetails {
        destination: params.get("CODE_DELIVERY_DESTINATION").cloned(),
        delivery_medium: params.get("CODE_DELIVERY_DELIVERY_MEDIUM").cloned(),
        ..CodeDeliveryDetails::default()
    }
}

/// The next step for Cognito's challenge `name` with its parameters.
pub(crate) fn map_challenge(
    name: &str,
    params: &BTreeMap<String, String>,
) -> Result<Mapped, AuthError> {
    let step = match name {
        "NEW_PASSWORD_REQUIRED" => SignInNextStep::ConfirmSignInWithNewPasswordRequired {
            missing_attributes: json_list(params, "requiredAttributes")
                .into_iter()
                .map(|a| {
                    a.strip_prefix("userAttributes.")
                        .map_or(a.clone(), str::to_owned)
                })
                .collect(),
        },
        "SMS_MFA" | "SMS_OTP" => SignInNextStep::ConfirmSignInWithSmsCode {
            code_delivery_details: delivery(params),
        },
        "EMAIL_OTP" => SignInNextStep::ConfirmSignInWithEmailCode {
            code_delivery_details: delivery(params),
        },
        "SOFTWARE_TOKEN_MFA" => SignInNextStep::ConfirmSignInWithTotpCode,
        "CUSTOM_CHALLENGE" => SignInNextStep::ConfirmSignInWithCustomChallenge {
            additional_info: params.clone(),
        },
        "SELECT_MFA_TYPE" => {
            let allowed = mfa_types(params, "MFAS_CAN_CHOOSE");
            if allowed.is_empty() {
                return Err(AuthError::UnsupportedChallenge(
                    "SELECT_MFA_TYPE without MFAS_CAN_CHOOSE".to_owned(),
                ));
            }
            return Ok(Mapped::Step(
                SignInNextStep::ContinueSignInWithMfaSelection {
                    allowed_mfa_types: allowed.clone(),
                },
                allowed,
            ));
        }
        "MFA_SETUP" => {
            let allowed: Vec<MfaType> = mfa_types(params, "MFAS_CAN_SETUP")
                .into_iter()
                .filter(|t| matches!(t, MfaType::Totp | MfaType::Email))
                .collect();
            return match allowed.as_slice() {
                [MfaType::Totp] => Ok(Mapped::AssociateTotp),
                [MfaType::Email] => Ok(Mapped::Step(
                    SignInNextStep::ContinueSignInWithEmailSetup,
                    allowed,
                )),
                [] => Err(AuthError::UnsupportedChallenge(format!(
                    "MFA_SETUP offering {:?} (only TOTP and email can be set up during a sign-in)",
                    json_list(params, "MFAS_CAN_SETUP")
                ))),
                _ => Ok(Mapped::Step(
                    SignInNextStep::ContinueSignInWithMfaSetupSelection {
                        allowed_mfa_types: allowed.clone(),
                    },
                    allowed,
                )),
            };
        }
        other => return Err(AuthError::UnsupportedChallenge(other.to_owned())),
    };
    Ok(Mapped::Step(step, Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn step(name: &str, pairs: &[(&str, &str)]) -> (SignInNextStep, Vec<MfaType>) {
        match map_challenge(name, &params(pairs)).expect("mapped") {
            Mapped::Step(step, types) => (step, types),
            Mapped::AssociateTotp => panic!("{name}: unexpected TOTP association"),
        }
    }

    #[test]
    fn new_password_lists_missing_attributes_without_their_prefix() {
        let (next, _) = step(
            "NEW_PASSWORD_REQUIRED",
            &[
                (
                    "requiredAttributes",
                    r#"["userAttributes.name","phone_number"]"#,
                ),
                ("userAttributes", r#"{"email":"kim@example.com"}"#),
            ],
        );
        assert_eq!(
            next.sign_in_step(),
            "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED"
        );
        let SignInNextStep::ConfirmSignInWithNewPasswordRequired { missing_attributes } = next
        else {
            unreachable!()
        };
        assert_eq!(missing_attributes, ["name", "phone_number"]);
        let (next, _) = step("NEW_PASSWORD_REQUIRED", &[]);
        assert!(matches!(
            next,
            SignInNextStep::ConfirmSignInWithNewPasswordRequired { missing_attributes } if missing_attributes.is_empty()
        ));
    }

    #[test]
    fn code_challenges_carry_where_the_code_went() {
        let delivered = [
            ("CODE_DELIVERY_DELIVERY_MEDIUM", "SMS"),
            ("CODE_DELIVERY_DESTINATION", "+*******1234"),
        ];
        for name in ["SMS_MFA", "SMS_OTP"] {
            let (next, _) = step(name, &delivered);
            assert_eq!(next.sign_in_step(), "CONFIRM_SIGN_IN_WITH_SMS_CODE");
            let SignInNextStep::ConfirmSignInWithSmsCode {
                code_delivery_details,
            } = next
            else {
                unreachable!()
            };
            assert_eq!(
                code_delivery_details.destination.as_deref(),
                Some("+*******1234")
            );
            assert_eq!(
                code_delivery_details.delivery_medium.as_deref(),
                Some("SMS")
            );
        }
        let (next, _) = step(
            "EMAIL_OTP",
            &[
                ("CODE_DELIVERY_DELIVERY_MEDIUM", "EMAIL"),
                ("CODE_DELIVERY_DESTINATION", "k***@e***"),
            ],
        );
        assert_eq!(next.sign_in_step(), "CONFIRM_SIGN_IN_WITH_EMAIL_CODE");
        let (next, _) = step("SOFTWARE_TOKEN_MFA", &[]);
        assert_eq!(next.sign_in_step(), "CONFIRM_SIGN_IN_WITH_TOTP_CODE");
    }

    #[test]
    fn mfa_selection_offers_the_types_cognito_lists() {
        let (next, remembered) = step(
            "SELECT_MFA_TYPE",
            &[(
                "MFAS_CAN_CHOOSE",
                r#"["SMS_MFA","SOFTWARE_TOKEN_MFA","EMAIL_OTP"]"#,
            )],
        );
        assert_eq!(next.sign_in_step(), "CONTINUE_SIGN_IN_WITH_MFA_SELECTION");
        assert_eq!(remembered, [MfaType::Sms, MfaType::Totp, MfaType::Email]);
        assert!(matches!(
            map_challenge(
                "SELECT_MFA_TYPE",
                &params(&[("MFAS_CAN_CHOOSE", "not json")])
            ),
            Err(AuthError::UnsupportedChallenge(_))
        ));
    }

    #[test]
    fn mfa_setup_goes_to_totp_email_or_a_choice() {
        assert!(matches!(
            map_challenge(
                "MFA_SETUP",
                &params(&[("MFAS_CAN_SETUP", r#"["SOFTWARE_TOKEN_MFA"]"#)])
            ),
            Ok(Mapped::AssociateTotp)
        ));
        // SMS cannot be set up during a sign-in, so TOTP is the only choice left.
        assert!(matches!(
            map_challenge(
                "MFA_SETUP",
                &params(&[("MFAS_CAN_SETUP", r#"["SMS_MFA","SOFTWARE_TOKEN_MFA"]"#)])
            ),
            Ok(Mapped::AssociateTotp)
        ));
        let (next, remembered) = step("MFA_SETUP", &[("MFAS_CAN_SETUP", r#"["EMAIL_OTP"]"#)]);
        assert_eq!(next.sign_in_step(), "CONTINUE_SIGN_IN_WITH_EMAIL_SETUP");
        assert_eq!(remembered, [MfaType::Email]);
        let (next, remembered) = step(
            "MFA_SETUP",
            &[("MFAS_CAN_SETUP", r#"["SOFTWARE_TOKEN_MFA","EMAIL_OTP"]"#)],
        );
        assert_eq!(
            next.sign_in_step(),
            "CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION"
        );
        assert_eq!(remembered, [MfaType::Totp, MfaType::Email]);
        assert!(matches!(
            map_challenge(
                "MFA_SETUP",
                &params(&[("MFAS_CAN_SETUP", r#"["SMS_MFA"]"#)])
            ),
            Err(AuthError::UnsupportedChallenge(_))
        ));
    }

    #[test]
    fn custom_challenges_pass_their_parameters_and_unknown_ones_are_refused() {
        let (next, _) = step("CUSTOM_CHALLENGE", &[("question", "2+2?")]);
        assert_eq!(next.sign_in_step(), "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE");
        let SignInNextStep::ConfirmSignInWithCustomChallenge { additional_info } = next else {
            unreachable!()
        };
        assert_eq!(additional_info["question"], "2+2?");
        for name in ["DEVICE_SRP_AUTH", "WEB_AUTHN", "PASSWORD_VERIFIER", ""] {
            assert!(
                matches!(
                    map_challenge(name, &BTreeMap::new()),
                    Err(AuthError::UnsupportedChallenge(_))
                ),
                "{name}"
            );
        }
    }

    #[test]
    fn the_totp_setup_uri_is_percent_encoded() {
        let details = TotpSetupDetails::new(TotpSecret::new("JBSWY3DPEHPK3PXP"), "kim");
        assert_eq!(
            details.setup_uri("My App"),
            "otpauth://totp/My%20App:kim?secret=JBSWY3DPEHPK3PXP&issuer=My%20App"
        );
        assert_eq!(
            details.setup_uri_for("App", "kim@example.com"),
            "otpauth://totp/App:kim%40example%2Ecom?secret=JBSWY3DPEHPK3PXP&issuer=App"
        );
        assert!(!format!("{details:?}").contains("JBSWY3DPEHPK3PXP"));
    }

    #[test]
    fn repeated_mfa_types_are_listed_once_also_when_not_adjacent() {
        let types = mfa_types(
            &params(&[(
                "MFAS_CAN_CHOOSE",
                r#"["SMS_MFA","SOFTWARE_TOKEN_MFA","SMS_MFA","SOFTWARE_TOKEN_MFA"]"#,
            )]),
            "MFAS_CAN_CHOOSE",
        );
        assert_eq!(types, [MfaType::Sms, MfaType::Totp]);
    }

    #[test]
    fn mfa_types_have_both_names() {
        for t in [MfaType::Sms, MfaType::Totp, MfaType::Email] {
            assert_eq!(MfaType::parse(t.as_str()), Some(t));
            assert_eq!(MfaType::parse(t.challenge_name()), Some(t));
        }
        assert_eq!(MfaType::parse("sms"), None);
    }
}
