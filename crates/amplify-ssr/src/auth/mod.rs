//! Auth on the server: the session read from cookies, refresh, the session APIs, password sign-in/out, the
//! managed-login (OAuth) route handlers in [`routes`], and identity-pool AWS credentials in [`identity`].

pub mod identity;
pub(crate) mod refresh;
pub(crate) mod refresh_limits;
pub mod routes;
mod session;
mod sign_in;
pub(crate) mod tokens;

pub use identity::{
    AwsCredentials, DEFAULT_CREDENTIALS_CACHE_CAPACITY, DEFAULT_CREDENTIALS_REFRESH_MARGIN,
    IdentityCredentials, fetch_identity_credentials,
};
pub use refresh_limits::{DEFAULT_REFRESH_CONCURRENCY, DEFAULT_REFRESH_TIMEOUT};
pub use routes::{AppOrigin, AuthRoutes, AuthRoutesError, AuthRoutesOptions};
pub use session::{
    AuthSession, AuthTokens, AuthUser, FetchAuthSessionOptions, fetch_auth_session,
    fetch_user_attributes, get_current_user,
};
pub use sign_in::{
    AuthFlow, ChallengeName, SignInChallenge, SignInInput, SignInOutcome, SignOutOptions,
    SignOutReport, sign_in, sign_out,
};
pub use tokens::SignInDetails;
