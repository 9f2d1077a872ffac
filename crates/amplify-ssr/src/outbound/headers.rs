//! Request headers held as `(lower-case name, value)` pairs (so they can be signed) put on an outbound request.

/// Adds `headers` to `builder`. Credentials (`authorization`, `x-api-key`, `x-amz-security-token`) are marked
/// sensitive, so no debug output of the request shows them. The error names the header that is not valid.
pub(crate) fn with_headers(
    mut builder: reqwest::RequestBuilder,
    headers: &[(String, String)],
) -> Result<reqwest::RequestBuilder, String> {
    for (name, value) in headers {
        let name = http::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("`{name}` is not a header name"))?;
        let mut value = http::HeaderValue::from_str(value)
            .map_err(|_| format!("the value of header `{name}` is not valid"))?;
        if matches!(
            name.as_str(),
            "authorization" | "x-api-key" | "x-amz-security-token"
        ) {
            value.set_sensitive(true);
        }
        builder = builder.header(name, value);
    }
    Ok(builder)
}
