//! Storage pages: a signed-in user's files (uploaded from the browser through presigned PUT URLs, listed and
//! downloaded through presigned GET URLs), a shared public area, and a public gallery rendered with no request
//! context at all (guest credentials).

use std::fmt::Write as _;

use amplify_ssr::axum::SameOrigin;
use amplify_ssr::storage::{
    ContentDisposition, GetUrlInput, ListInput, ListItem, PresignMethod, RemoveInput, StoragePath,
    StorageTarget, get_url, list_all, remove,
};
use amplify_ssr::{ServerContext, fetch_identity_credentials};
use axum::Json;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::html::{escape, page};
use crate::problem::Problem;

/// How many gallery URLs are kept.
pub(crate) const GALLERY_URL_CACHE_SIZE: usize = 1_000;
/// How long before a gallery URL expires a fresh one is signed (the page must outlive its own render).
pub(crate) const GALLERY_URL_REFRESH_BEFORE: std::time::Duration =
    std::time::Duration::from_secs(120);

/// How long the browser may use an upload URL.
const UPLOAD_URL_LIFETIME: std::time::Duration = std::time::Duration::from_secs(300);

/// Which area a file lives in.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Area {
    /// `private/{identity id}/`: only the owner.
    Private,
    /// `public/`: every signed-in user writes, guests read.
    Public,
}

impl Area {
    fn prefix(self, identity_id: &str) -> String {
        match self {
            Self::Private => format!("private/{identity_id}/"),
            Self::Public => "public/".to_owned(),
        }
    }
}

/// A file name the demo accepts: one path segment, printable, not too long (the examples' rule).
use amplify_examples_support::files::valid_name;

/// The caller's identity id; without one (the identity pool refused or failed), a text answer for programs.
async fn identity_id(ctx: &ServerContext) -> Result<String, (StatusCode, String)> {
    fetch_identity_credentials(ctx, false)
        .await
        .map(|c| c.identity_id)
        .map_err(|e| {
            tracing::warn!(error = %e, "no AWS credentials for this session");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                format!("no AWS credentials for this session ({})", e.name()),
            )
        })
}

/// `GET /files` (protected).
pub(crate) async fn files_page(ctx: ServerContext, State(state): State<AppState>) -> Response {
    let nav = state.nav(&ctx).await.at("/files");
    let identity_id = match identity_id(&ctx).await {
        Ok(id) => id,
        Err((_, detail)) => {
            return Problem::backend("Getting AWS credentials for your session", detail, "/files")
                .render(&nav);
        }
    };
    let mut body = String::from(UPLOAD_FORM);
    for (area, title) in [
        (Area::Private, "Your private files"),
        (Area::Public, "Shared public files"),
    ] {
        let prefix = area.prefix(&identity_id);
        let items = match list_all(&ctx, ListInput::new(StorageTarget::path(prefix.clone()))).await
        {
            Ok(list) => list.items,
            Err(error) => {
                tracing::warn!(error = %error, "listing files failed");
                let _ = write!(
                    body,
                    "<section class=\"card\"><h2>{}</h2><p class=\"error\">The files could not be listed ({}). \
                     <a href=\"/files\">Try again</a>.</p></section>",
                    escape(title),
                    escape(error.name())
                );
                continue;
            }
        };
        let _ = write!(body, "<section class=\"card\"><h2>{}</h2>", escape(title));
        if area == Area::Public {
            body.push_str(
                "<p class=\"hint\">Every signed-in user may delete a public file, not only its uploader: that is \
                 what the default <code>public/*</code> rule of an Amplify storage resource allows.</p>",
            );
        }
        if items.is_empty() {
            body.push_str("<p class=\"hint\">No files yet.</p></section>");
            continue;
        }
        let id = match area {
            Area::Private => "private-files",
            Area::Public => "public-files",
        };
        let _ = write!(
            body,
            "<div class=\"table-wrap\"><table id=\"{id}\"><thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Size</th>\
             <th scope=\"col\"><span class=\"visually-hidden\">Actions</span></th></tr></thead><tbody>"
        );
        for item in items {
            let row = file_row(&ctx, &prefix, &item).await;
            body.push_str(&row);
        }
        body.push_str("</tbody></table></div></section>");
    }
    Html(page("Files", &nav, &body)).into_response()
}

async fn file_row(ctx: &ServerContext, prefix: &str, item: &ListItem) -> String {
    let name = item.path.strip_prefix(prefix).unwrap_or(&item.path);
    let download = get_url(
        ctx,
        GetUrlInput::new(StorageTarget::path(item.path.clone()))
            .content_disposition(ContentDisposition::attachment(name)),
    )
    .await;
    let link = match download {
        Ok(url) => format!(
            "<a class=\"download\" href=\"{}\">{}</a>",
            escape(url.url.as_str()),
            escape(name)
        ),
        Err(error) => format!(
            "{} <span class=\"error\">({})</span>",
            escape(name),
            escape(error.name())
        ),
    };
    format!(
        "<tr><td>{link}</td><td>{}</td><td class=\"actions-cell\"><form method=\"post\" action=\"/files/delete\" class=\"plain\">\
         <input type=\"hidden\" name=\"path\" value=\"{}\"><button type=\"submit\" class=\"danger small\">Delete\
         <span class=\"visually-hidden\"> {}</span></button></form></td></tr>",
        size_text(item.size.unwrap_or_default()),
        escape(&item.path),
        escape(name)
    )
}

/// A size as people read it.
fn size_text(bytes: u64) -> String {
    match bytes {
        0..1_000 => format!("{bytes} B"),
        1_000..1_000_000 => format!("{:.1} kB", bytes as f64 / 1e3),
        _ => format!("{:.1} MB", bytes as f64 / 1e6),
    }
}

/// The upload form. The site's script sends the file straight to S3 through a presigned PUT URL; without
/// scripts, the form posts to `/files/upload`, which explains why nothing was uploaded.
const UPLOAD_FORM: &str = r#"<section class="card" aria-labelledby="upload-title"><h2 id="upload-title">Upload</h2>
<noscript><p class="notice" id="upload-needs-js">Uploading needs JavaScript: the file goes from your browser straight
to S3 through a presigned URL, and only a script can send it there. Listing, downloading and deleting work without it.</p></noscript>
<form id="upload-form" method="post" action="/files/upload" enctype="multipart/form-data">
<div class="field"><label for="file">File</label>
<input id="file" name="file" type="file" required></div>
<div class="field"><label for="area">Where</label>
<select id="area" name="area"><option value="private">Private (only you)</option><option value="public">Public (everyone)</option></select></div>
<button type="submit" id="upload">Upload</button>
<p id="upload-status" class="hint" role="status"></p>
</form>
<p class="hint">The server only signs a URL; it never sees the file.</p></section>"#;

/// `POST /files/upload` (protected): where the upload form goes when no script took it. Nothing is uploaded;
/// the page says why.
pub(crate) async fn upload_without_script(
    ctx: ServerContext,
    State(state): State<AppState>,
) -> Response {
    let nav = state.nav(&ctx).await.at("/files");
    Problem {
        status: StatusCode::BAD_REQUEST,
        title: "Uploading needs JavaScript",
        message: "Nothing was uploaded. In this demo the file goes from your browser straight to S3 through a \
                  presigned URL, which only a script can do: turn JavaScript on and try again."
            .to_owned(),
        detail: None,
        retry: Some("/files".to_owned()),
    }
    .render(&nav)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UploadUrlRequest {
    name: String,
    area: Area,
    content_type: Option<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct UploadUrlResponse {
    url: String,
    headers: std::collections::BTreeMap<String, String>,
    path: String,
}

/// `POST /files/upload-url` (protected): a presigned PUT URL for one file.
pub(crate) async fn upload_url(
    ctx: ServerContext,
    _: SameOrigin,
    Json(request): Json<UploadUrlRequest>,
) -> Response {
    if !valid_name(&request.name) {
        return (
            StatusCode::BAD_REQUEST,
            "a file name is one path segment of at most 200 characters",
        )
            .into_response();
    }
    let identity_id = match identity_id(&ctx).await {
        Ok(id) => id,
        Err(refusal) => return refusal.into_response(),
    };
    let path = format!("{}{}", request.area.prefix(&identity_id), request.name);
    let mut input = GetUrlInput::new(StorageTarget::path(StoragePath::from(path.clone())))
        .method(PresignMethod::Put)
        .expires_in(UPLOAD_URL_LIFETIME);
    if let Some(content_type) = request
        .content_type
        .filter(|t| !t.is_empty() && t.len() <= 200)
    {
        input = input.content_type(content_type);
    }
    match get_url(&ctx, input).await {
        Ok(output) => Json(UploadUrlResponse {
            url: output.url.to_string(),
            headers: output.headers.into_iter().collect(),
            path,
        })
        .into_response(),
        Err(error) => (
            StatusCode::BAD_GATEWAY,
            format!("could not presign the upload: {}", error.name()),
        )
            .into_response(),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct DeleteForm {
    path: String,
}

/// `POST /files/delete` (protected): removes one of the caller's private files or a public file.
pub(crate) async fn delete_file(
    ctx: ServerContext,
    _: SameOrigin,
    Form(form): Form<DeleteForm>,
) -> Response {
    let identity_id = match identity_id(&ctx).await {
        Ok(id) => id,
        Err(refusal) => return refusal.into_response(),
    };
    let allowed = [Area::Private, Area::Public].iter().any(|area| {
        form.path
            .strip_prefix(&area.prefix(&identity_id))
            .is_some_and(valid_name)
    });
    if !allowed {
        return (
            StatusCode::FORBIDDEN,
            "you can only delete your own files and public files",
        )
            .into_response();
    }
    match remove(&ctx, RemoveInput::new(StorageTarget::path(form.path))).await {
        Ok(_) => Redirect::to("/files").into_response(),
        Err(error) => (
            StatusCode::BAD_GATEWAY,
            format!("could not delete: {}", error.name()),
        )
            .into_response(),
    }
}

/// Whether a file name looks like an image the browser can show inline.
fn is_image(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".avif"]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

/// `GET /gallery`: the public area, rendered with **no request context** (as static rendering would): guest
/// credentials from the identity pool, and presigned image URLs.
pub(crate) async fn gallery(visitor: ServerContext, State(state): State<AppState>) -> Response {
    // The header is the visitor's; the gallery itself is rendered with no request context.
    let nav = state.nav(&visitor).await.at("/gallery");
    let ctx = state.runner.static_context();
    let mut body = String::from(
        "<p>Rendered without the request (like a static page): the server lists <code>public/</code> and presigns \
         each URL with guest credentials from the identity pool.</p>",
    );
    match list_all(&ctx, ListInput::new(StorageTarget::path("public/"))).await {
        Ok(list) if list.items.is_empty() => {
            body.push_str("<p class=\"hint\">Nothing shared yet.</p>")
        }
        Ok(list) => {
            body.push_str("<ul id=\"gallery\" class=\"gallery\">");
            for item in list.items {
                let name = item.path.strip_prefix("public/").unwrap_or(&item.path);
                let (signing_ctx, path) = (ctx.clone(), item.path.clone());
                // Guest-signed URLs of public files: the same for every visitor, so they may be shared.
                let signed = state
                    .gallery_urls
                    .get_or_compute(item.path.clone(), move || async move {
                        let signed =
                            get_url(&signing_ctx, GetUrlInput::new(StorageTarget::path(path)))
                                .await?;
                        let lifetime = signed
                            .expires_at
                            .duration_since(std::time::SystemTime::now())
                            .unwrap_or_default();
                        Ok((signed.url.to_string(), lifetime))
                    })
                    .await;
                match signed {
                    Ok(url) => {
                        let url = escape(&url);
                        let name = escape(name);
                        if is_image(&name) {
                            let _ = write!(
                                body,
                                "<li><a href=\"{url}\"><img src=\"{url}\" alt=\"{name}\" loading=\"lazy\"><span>{name}</span></a></li>"
                            );
                        } else {
                            let _ = write!(
                                body,
                                "<li><a class=\"file\" href=\"{url}\">{name}</a></li>"
                            );
                        }
                    }
                    Err(error) => {
                        let _ =
                            write!(body, "<li>{} ({})</li>", escape(name), escape(error.name()));
                    }
                }
            }
            body.push_str("</ul>");
        }
        Err(error) => {
            tracing::warn!(error = %error, "the gallery could not be listed");
            let _ = write!(
                body,
                "<p class=\"error\">The gallery is unavailable ({}).</p>",
                escape(error.name())
            );
        }
    }
    Html(page("Public gallery", &nav, &body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::valid_name;

    #[test]
    fn file_names_are_one_segment() {
        assert!(valid_name("photo 1.jpg"));
        assert!(valid_name("ü+&.txt"));
        for bad in ["", ".", "..", "a/b", "a\\b", "a\nb", &"x".repeat(201)] {
            assert!(!valid_name(bad), "{bad:?}");
        }
    }
}
