//! Pool identity and user creation, shared by the API, the Rust API and the
//! `add-user` command.

use std::path::Path;
use std::sync::LazyLock;

use amplify_srp::SrpVerifier;
use regex::Regex;

use crate::LocalError;
use crate::db::{Store, UserRecord, UserStatus};
use crate::ids;
use crate::password;
use crate::state::REGION;

/// A user created through [`crate::LocalBackend::create_user`] or
/// [`add_user_to_data_dir`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LocalUser {
    /// The username (sign-in name).
    pub username: String,
    /// The user's immutable `sub` (a UUID).
    pub sub: String,
}

/// The pool and client ids, created on first use and persisted.
pub(crate) fn pool_identity(store: &Store) -> Result<(String, String), LocalError> {
    let pool_id = match store.meta("user_pool_id")? {
        Some(id) => id,
        None => store.meta_insert_or_get("user_pool_id", &random(ids::user_pool_id(REGION))?)?,
    };
    let client_id = match store.meta("client_id")? {
        Some(id) => id,
        None => store.meta_insert_or_get("client_id", &random(ids::client_id())?)?,
    };
    if amplify_srp::pool_name(&pool_id).is_none() {
        return Err(LocalError::CorruptData(format!(
            "stored user pool id {pool_id:?} has no pool name"
        )));
    }
    Ok((pool_id, client_id))
}

fn random<T>(value: Result<T, ids::RandomUnavailable>) -> Result<T, LocalError> {
    value.map_err(|e| LocalError::PasswordMaterial(e.to_string()))
}

/// Cognito's username pattern: letters, marks, symbols, numbers and
/// punctuation only, so no whitespace, control, format (zero-width, bidi)
/// or unassigned characters.
const USERNAME_PATTERN: &str = r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+";

/// The most characters a username may have (Cognito's limit).
const USERNAME_MAX_CHARS: usize = 128;

/// Why a username is refused; `Display` gives the API's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum UsernameRefusal {
    /// No characters.
    Empty,
    /// More than 128 characters.
    TooLong,
    /// A character outside [`USERNAME_PATTERN`] (its code point).
    Character(u32),
}

impl std::fmt::Display for UsernameRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Empty => f.write_str("username must not be empty"),
            Self::TooLong => write!(
                f,
                "username must be at most {USERNAME_MAX_CHARS} characters"
            ),
            Self::Character(offending) => write!(
                f,
                "username must satisfy the pattern {USERNAME_PATTERN}: U+{offending:04X} is not \
                 allowed (whitespace, control and invisible characters are refused)"
            ),
        }
    }
}

/// A minimal email check: one `@` with text on both sides, no spaces.
pub(crate) fn plausible_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
                && email.len() <= 256
        }
        None => false,
    }
}

/// Checks a username against Cognito's constraints: 1 to 128 characters,
/// each matching [`USERNAME_PATTERN`]. A refusal names the first offending
/// character.
pub(crate) fn check_username(username: &str) -> Result<(), UsernameRefusal> {
    // A constant pattern: it compiles (the unit tests run it).
    static ALLOWED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(&format!("^{USERNAME_PATTERN}$")).expect("the username pattern compiles")
    });
    if username.is_empty() {
        return Err(UsernameRefusal::Empty);
    }
    if username.chars().count() > USERNAME_MAX_CHARS {
        return Err(UsernameRefusal::TooLong);
    }
    let allowed = &*ALLOWED;
    if allowed.is_match(username) {
        return Ok(());
    }
    let mut one = [0u8; 4];
    let offending = username
        .chars()
        .find(|c| !allowed.is_match(c.encode_utf8(&mut one)))
        .map_or(0, u32::from);
    Err(UsernameRefusal::Character(offending))
}

/// Password material for a user: argon2 hash and SRP verifier.
pub(crate) struct PasswordMaterial {
    pub(crate) hash: String,
    pub(crate) srp_salt: String,
    pub(crate) srp_verifier: String,
}

/// Derives the stored material for a password.
pub(crate) fn password_material(
    pool_name: &str,
    username: &str,
    password_text: &str,
) -> Result<PasswordMaterial, LocalError> {
    let hash = password::hash(password_text).map_err(LocalError::PasswordMaterial)?;
    let verifier = SrpVerifier::create(pool_name, username, password_text)
        .map_err(|e| LocalError::PasswordMaterial(e.to_string()))?;
    Ok(PasswordMaterial {
        hash,
        srp_salt: verifier.salt_hex(),
        srp_verifier: verifier.verifier_hex(),
    })
}

/// A new user record, not yet stored.
pub(crate) fn new_user(
    pool_name: &str,
    username: &str,
    password_text: &str,
    attributes: &[(String, String)],
    status: UserStatus,
    now: i64,
) -> Result<UserRecord, LocalError> {
    let material = password_material(pool_name, username, password_text)?;
    let sub = ids::uuid();
    let mut all = vec![("sub".to_owned(), sub.clone())];
    for (name, value) in attributes {
        if name != "sub" {
            match all.iter_mut().find(|(n, _)| n == name) {
                Some(slot) => value.clone_into(&mut slot.1),
                None => all.push((name.clone(), value.clone())),
            }
        }
    }
    Ok(UserRecord {
        username: username.to_owned(),
        sub,
        password_hash: material.hash,
        srp_salt: material.srp_salt,
        srp_verifier: material.srp_verifier,
        status,
        enabled: true,
        attributes: all,
        confirmation_code: None,
        code_expires_at: None,
        created_at: now,
        updated_at: now,
    })
}

/// Creates a confirmed user with a permanent password, created at `now`.
pub(crate) fn create_confirmed_user(
    store: &Store,
    pool_name: &str,
    username: &str,
    password_text: &str,
    attributes: &[(&str, &str)],
    now: i64,
) -> Result<LocalUser, LocalError> {
    create_user_with_status(
        store,
        pool_name,
        (username, password_text),
        attributes,
        UserStatus::Confirmed,
        now,
    )
}

/// Creates a user with a password and a status, created at `now`.
pub(crate) fn create_user_with_status(
    store: &Store,
    pool_name: &str,
    (username, password_text): (&str, &str),
    attributes: &[(&str, &str)],
    status: UserStatus,
    now: i64,
) -> Result<LocalUser, LocalError> {
    check_username(username).map_err(|reason| LocalError::InvalidUsername(reason.to_string()))?;
    password::check_policy(password_text).map_err(LocalError::InvalidPassword)?;
    let attributes: Vec<(String, String)> = attributes
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
    let user = new_user(pool_name, username, password_text, &attributes, status, now)?;
    if !store.insert_user(&user)? {
        return Err(LocalError::UsernameExists(username.to_owned()));
    }
    tracing::info!(username, sub = %user.sub, "created user");
    Ok(LocalUser {
        username: user.username,
        sub: user.sub,
    })
}

/// Adds a confirmed user directly to the database in `data_dir` (creating
/// the pool identity if this is the first use). Works whether or not a
/// server is running on that directory.
pub fn add_user_to_data_dir(
    data_dir: &Path,
    username: &str,
    password_text: &str,
    attributes: &[(&str, &str)],
) -> Result<LocalUser, LocalError> {
    let store = Store::open(data_dir)?;
    let (pool_id, _) = pool_identity(&store)?;
    let pool_name = amplify_srp::pool_name(&pool_id)
        .unwrap_or(&pool_id)
        .to_owned();
    // No server, so no backend clock: the system clock dates the user.
    create_confirmed_user(
        &store,
        &pool_name,
        username,
        password_text,
        attributes,
        crate::clock::system_now(),
    )
}

#[cfg(test)]
mod tests {
    use super::{UsernameRefusal, check_username};

    #[test]
    fn usernames_follow_cognitos_pattern() {
        for good in [
            "alice",
            "a.b-c_d+e@example.com",
            "Zoë",
            "用户",
            "ñ",
            "x\u{301}",
            "€$",
        ] {
            assert_eq!(check_username(good), Ok(()), "{good:?}");
        }
        for (bad, code) in [
            ("zero\u{200B}width", "U+200B"),
            ("bidi\u{202E}txt", "U+202E"),
            ("soft\u{AD}hyphen", "U+00AD"),
            ("two words", "U+0020"),
            ("tab\t", "U+0009"),
            ("nbsp\u{A0}", "U+00A0"),
            ("bom\u{FEFF}", "U+FEFF"),
        ] {
            let reason = check_username(bad).expect_err(bad).to_string();
            assert!(reason.contains(code), "{bad:?}: {reason}");
        }
        assert!(check_username("").is_err());
        assert!(check_username(&"a".repeat(128)).is_ok());
        assert_eq!(
            check_username(&"a".repeat(129)),
            Err(UsernameRefusal::TooLong)
        );
    }
}
