//! Auth on the server: the session read from cookies, refresh, the session APIs, password sign-in/out, the
//! managed-login (OAuth) route handlers in [`routes`], and identity-pool AWS credentials in [`identity`].
//!
//! # Security: whose session a request carries
//!
//! * **One session is one user.** An id token whose `sub` or Cognito username differs from the access token's is
//!   not part of the session (it is ignored, as if absent), so every API (`get_current_user`,
//!   `fetch_user_attributes`, Data, identity-pool credentials) acts for the same user. Cognito answers whose id
//!   and access tokens disagree are refused, and so is a refresh that returns another user's tokens: that is
//!   reported as a transient failure ([`AuthError::TokenUserMismatch`](crate::AuthError::TokenUserMismatch)),
//!   the cookies are kept, and the session never becomes someone else's.
//! * **Planted cookie copies never win (cookie tossing).** A sibling host or port can plant a second copy of a
//!   session cookie. Every copy is read: copies that fail verification are ignored, the copy of the user the
//!   others agree on is used, and when valid copies of two different users arrive together the request is
//!   treated as signed out, without any `Set-Cookie` (a removal would hit the genuine cookie). Refresh tokens
//!   cannot be checked offline: when copies disagree, each is tried in turn (at most four) and one that Cognito
//!   refuses or that returns another user's tokens is passed over; if none works the request is signed out and
//!   nothing is cleared. More than four distinct copies of `LastAuthUser` or of the access token make a request
//!   signed out. [`sign_out`] chooses the same way what to revoke: `GlobalSignOut` only with the session's own
//!   verified access token, and the session's own refresh token always and first; planted copies under other
//!   keys are revoked after it, at most four. The guest identity-id cookie is not used when its copies name
//!   different identities (a request-only guest identity stands in, and nothing is written), and the
//!   managed-login flow cookies are `__Host-` cookies on https, which no sibling host can set (see
//!   [`routes`]).
//! * **A sign-out here is final here.** [`sign_out`] and the managed-login sign-out callback remember the
//!   session (Cognito's `origin_jti`, carried by its access and id tokens and kept across refreshes; the token's
//!   `jti` when absent) until its tokens expire, and this runner refuses those tokens from then on, without
//!   calling Cognito. The list is bounded (50 000 sessions; when full, the one expiring first is forgotten) and
//!   **lives in this process**: without a shared store, other instances, or this one after a restart, accept
//!   the tokens until they expire. With one ([`crate::store`], e.g. Redis), a sign-out is published to every
//!   instance's list (and loaded by an instance that starts or reconnects); requests still read only the
//!   in-process list.
//!
//! # Sign-in steps and account flows
//!
//! [`sign_in`] returns [`SignInOutcome::SignedIn`] or the [`SignInNextStep`] Cognito asks for (aws-amplify's
//! `nextStep.signInStep`): a new password, an SMS, email or authenticator-app code, a choice of MFA method, MFA
//! set-up (TOTP through `AssociateSoftwareToken` / `VerifySoftwareToken`, or email), a custom challenge; or, in
//! place of upstream's exceptions, `CONFIRM_SIGN_UP` and `RESET_PASSWORD`. [`confirm_sign_in`] answers a step,
//! on a later request, and returns the same outcome. Between requests Cognito's `Session` lives in one
//! short-lived cookie, encrypted and authenticated (AES-256-GCM) with the runner's cookie encryption key and
//! bound to the app client ([`ServerRunnerBuilder::cookie_encryption_key`](crate::ServerRunnerBuilder::cookie_encryption_key));
//! see `challenge_cookie` in the sources for its format. A step cookie that is missing, expired, altered or
//! sealed elsewhere is [`AuthError::NoSignInInProgress`](crate::AuthError::NoSignInInProgress).
//!
//! The account flows have upstream's names: [`sign_up`], [`confirm_sign_up`], [`resend_sign_up_code`],
//! [`reset_password`], [`confirm_reset_password`] (no session needed), and, for the signed-in user,
//! [`update_password`], [`update_user_attributes`] (with [`confirm_user_attribute`] and
//! [`send_user_attribute_verification_code`]), [`delete_user`] (which ends the session), [`set_up_totp`],
//! [`verify_totp_setup`], [`update_mfa_preference`] and [`fetch_mfa_preference`].

mod account;
pub(crate) mod cached_session;
mod challenge_cookie;
mod confirm_sign_in;
mod copies;
mod expiring_set;
pub(crate) mod hooks;
pub mod identity;
mod mfa;
mod next_step;
pub(crate) mod refresh;
pub(crate) mod refresh_limits;
pub(crate) mod revocations;
pub mod routes;
pub(crate) mod runtime;
pub(crate) mod session;
pub(crate) mod shared;
mod sign_in;
mod sign_out_here;
mod sign_up;
pub(crate) mod single_flight;
mod token_user;
pub(crate) mod tokens;
pub(crate) mod verified;

pub use crate::cognito::AuthFlow;
pub use account::{
    UpdateAttributeNextStep, UpdatePasswordInput, UpdateUserAttributeOutcome,
    confirm_user_attribute, delete_user, send_user_attribute_verification_code, update_password,
    update_user_attributes,
};
pub use challenge_cookie::NoSignInReason;
pub use confirm_sign_in::{ConfirmSignInInput, confirm_sign_in};
pub use hooks::{AuthEvent, AuthHooks, RefreshFailure};
pub use identity::{
    AwsCredentials, DEFAULT_CREDENTIALS_CACHE_CAPACITY, DEFAULT_CREDENTIALS_REFRESH_MARGIN,
    IdentityCredentials, fetch_identity_credentials,
};
pub use mfa::{
    MfaPreference, MfaPreferences, UpdateMfaPreferenceInput, VerifyTotpSetupInput,
    fetch_mfa_preference, set_up_totp, update_mfa_preference, verify_totp_setup,
};
pub use next_step::{MfaType, SignInNextStep, SignInOutcome, TotpSetupDetails};
pub use refresh_limits::{DEFAULT_REFRESH_CONCURRENCY, DEFAULT_REFRESH_TIMEOUT};
pub use routes::{AppOrigin, AuthRoutes, AuthRoutesError, AuthRoutesOptions};
pub use session::{
    AuthSession, AuthTokens, AuthUser, FetchAuthSessionOptions, fetch_auth_session,
    fetch_auth_tokens, fetch_user_attributes, get_current_user,
};
pub use sign_in::{SignInInput, SignOutOptions, SignOutReport, sign_in, sign_out};
pub use sign_up::{
    ConfirmResetPasswordInput, ConfirmSignUpInput, ResetPasswordNextStep, ResetPasswordOutcome,
    SignUpInput, SignUpNextStep, SignUpOutcome, confirm_reset_password, confirm_sign_up,
    resend_sign_up_code, reset_password, sign_up,
};
pub use tokens::SignInDetails;
