//! The upload form's `file` field, from a `multipart/form-data` body read whole.

use actix_web::HttpRequest;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::web::Bytes;

/// An uploaded file.
#[derive(Debug)]
pub(crate) struct UploadedFile {
    pub(crate) name: String,
    pub(crate) content_type: Option<String>,
    pub(crate) bytes: Vec<u8>,
}

/// What a visitor is told when the upload cannot be read.
const UNREADABLE: &str = "the upload could not be read: send the form as multipart/form-data";
/// What a visitor is told when the form has no file.
const NO_FILE: &str = "choose a file to upload";

/// The `file` field of the multipart `body`, or what to tell the visitor (the details are logged).
pub(crate) async fn file_field(
    request: &HttpRequest,
    body: Bytes,
) -> Result<UploadedFile, &'static str> {
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let boundary = multer::parse_boundary(content_type).map_err(|error| {
        tracing::info!(%error, "an upload that is not multipart/form-data");
        UNREADABLE
    })?;
    let stream = futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return Err(NO_FILE),
            Err(error) => {
                tracing::info!(%error, "a malformed multipart upload");
                return Err(UNREADABLE);
            }
        };
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or_default().to_owned();
        let content_type = field.content_type().map(ToString::to_string);
        return match field.bytes().await {
            Ok(bytes) => Ok(UploadedFile {
                name,
                content_type,
                bytes: bytes.to_vec(),
            }),
            Err(error) => {
                tracing::info!(%error, "a malformed multipart upload");
                Err(UNREADABLE)
            }
        };
    }
}
