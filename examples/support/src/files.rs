//! The signed-in user's private files (`private/{identity id}/`), uploaded by the server and listed with
//! presigned download URLs. Called from each example's server functions or handlers.

use amplify_ssr::storage::{
    ContentDisposition, GetUrlInput, ListInput, StorageError, StorageTarget, UploadInput, get_url,
    list_all, upload,
};
use amplify_ssr::{AuthError, ServerContext, fetch_identity_credentials};

/// Largest file the examples accept (their servers cap request bodies a little above it).
pub const MAX_FILE_BYTES: usize = 1024 * 1024;

/// One file, as the pages show it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileItem {
    /// The file's name (without the private prefix).
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// A presigned URL that downloads it (valid for 15 minutes).
    pub url: String,
}

/// Why a file operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// The name is empty, too long, a path, or has control characters.
    #[error("a file name is one path segment of 1 to 200 printable characters")]
    InvalidName,
    /// The file is empty or larger than [`MAX_FILE_BYTES`].
    #[error("a file has 1 byte to 1 MiB")]
    InvalidSize,
    /// No AWS credentials for this session (the identity pool refused or is unreachable).
    #[error("no AWS credentials for this session: {0}")]
    Credentials(#[from] AuthError),
    /// S3 refused or could not be reached.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Whether `name` is acceptable as a file name: one path segment, printable, not too long.
#[must_use]
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 200
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\'])
        && !name.chars().any(char::is_control)
}

async fn private_prefix(ctx: &ServerContext) -> Result<String, FileError> {
    let identity_id = fetch_identity_credentials(ctx, false).await?.identity_id;
    Ok(format!("private/{identity_id}/"))
}

/// The signed-in user's files, by name, each with a presigned download URL.
///
/// # Errors
///
/// [`FileError`].
pub async fn list(ctx: &ServerContext) -> Result<Vec<FileItem>, FileError> {
    let prefix = private_prefix(ctx).await?;
    let items = list_all(ctx, ListInput::new(StorageTarget::path(prefix.clone())))
        .await?
        .items;
    let mut files = Vec::with_capacity(items.len());
    for item in items {
        let name = item
            .path
            .strip_prefix(&prefix)
            .unwrap_or(&item.path)
            .to_owned();
        let url = get_url(
            ctx,
            GetUrlInput::new(StorageTarget::path(item.path.clone()))
                .content_disposition(ContentDisposition::attachment(&name)),
        )
        .await?
        .url;
        files.push(FileItem {
            name,
            size: item.size.unwrap_or_default(),
            url: url.to_string(),
        });
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(files)
}

/// Uploads `body` as the signed-in user's file `name`.
///
/// # Errors
///
/// [`FileError`].
pub async fn save(
    ctx: &ServerContext,
    name: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> Result<(), FileError> {
    if !valid_name(name) {
        return Err(FileError::InvalidName);
    }
    if body.is_empty() || body.len() > MAX_FILE_BYTES {
        return Err(FileError::InvalidSize);
    }
    let prefix = private_prefix(ctx).await?;
    let mut input = UploadInput::new(StorageTarget::path(format!("{prefix}{name}")), body);
    input.content_type = content_type.map(str::to_owned);
    upload(ctx, input).await?;
    Ok(())
}
