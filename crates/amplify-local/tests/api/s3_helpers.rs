//! A SigV4 client for the S3 server, built on the official `aws-sigv4`
//! signer (header signing and presigned URLs).

use std::time::{Duration, SystemTime};

use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SignatureLocation,
    SigningSettings, UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;

use crate::helpers::Harness;

/// Credentials from GetCredentialsForIdentity.
#[derive(Debug, Clone)]
pub(crate) struct Creds {
    pub(crate) access_key: String,
    pub(crate) secret_key: String,
    pub(crate) token: String,
    pub(crate) identity_id: String,
    /// The backend's clock: requests are signed at its time.
    pub(crate) clock: amplify_local::Clock,
}

/// An S3 answer.
#[derive(Debug)]
pub(crate) struct S3Answer {
    pub(crate) status: u16,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: String,
}

impl S3Answer {
    /// The `<Code>` of an XML error.
    pub(crate) fn code(&self) -> &str {
        self.body
            .split_once("<Code>")
            .and_then(|(_, rest)| rest.split_once("</Code>"))
            .map_or("", |(code, _)| code)
    }

    #[track_caller]
    pub(crate) fn assert_error(&self, status: u16, code: &str) {
        assert_eq!((self.status, self.code()), (status, code), "{}", self.body);
        assert!(self.body.contains("<Error>"), "{}", self.body);
    }

    #[track_caller]
    pub(crate) fn ok(self) -> Self {
        assert!(
            (200..300).contains(&self.status),
            "{} {}",
            self.status,
            self.body
        );
        self
    }

    /// The `<UploadId>` of a CreateMultipartUpload answer.
    #[track_caller]
    pub(crate) fn upload_id(&self) -> String {
        self.body
            .split_once("<UploadId>")
            .and_then(|(_, rest)| rest.split_once("</UploadId>"))
            .map(|(id, _)| id.to_owned())
            .expect("upload id")
    }

    pub(crate) fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

fn settings(location: SignatureLocation) -> SigningSettings {
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    settings.signature_location = location;
    if location == SignatureLocation::Headers {
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    }
    settings
}

impl Creds {
    /// A header-signed request at `time`.
    pub(crate) fn sign_at(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        time: SystemTime,
    ) -> reqwest::Request {
        let identity = aws_credential_types::Credentials::new(
            &self.access_key,
            &self.secret_key,
            Some(self.token.clone()),
            None,
            "test",
        )
        .into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region("us-east-1")
            .name("s3")
            .time(time)
            .settings(settings(SignatureLocation::Headers))
            .build()
            .expect("params")
            .into();
        let signable = SignableRequest::new(
            method,
            url,
            headers.iter().copied(),
            SignableBody::Bytes(body),
        )
        .expect("signable");
        let (instructions, _) = sign(signable, &params).expect("sign").into_parts();
        let mut builder = http::Request::builder().method(method).uri(url);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let mut request = builder.body(body.to_vec()).expect("request");
        instructions.apply_to_request_http1x(&mut request);
        reqwest::Request::try_from(request).expect("reqwest request")
    }

    /// A header-signed request now (by the backend's clock).
    pub(crate) fn sign(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> reqwest::Request {
        self.sign_at(method, url, headers, body, self.clock.now())
    }

    /// A presigned URL (signed headers: host only) made at `time`.
    pub(crate) fn presign_at(
        &self,
        method: &str,
        url: &str,
        expires: Duration,
        time: SystemTime,
    ) -> String {
        let identity = aws_credential_types::Credentials::new(
            &self.access_key,
            &self.secret_key,
            Some(self.token.clone()),
            None,
            "test",
        )
        .into();
        let mut settings = settings(SignatureLocation::QueryParams);
        settings.expires_in = Some(expires);
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region("us-east-1")
            .name("s3")
            .time(time)
            .settings(settings)
            .build()
            .expect("params")
            .into();
        let signable = SignableRequest::new(
            method,
            url,
            std::iter::empty(),
            SignableBody::UnsignedPayload,
        )
        .expect("signable");
        let (instructions, _) = sign(signable, &params).expect("sign").into_parts();
        let mut request = http::Request::builder()
            .method(method)
            .uri(url)
            .body(())
            .expect("request");
        instructions.apply_to_request_http1x(&mut request);
        request.uri().to_string()
    }

    pub(crate) fn presign(&self, method: &str, url: &str, expires: Duration) -> String {
        self.presign_at(method, url, expires, self.clock.now())
    }
}

impl Harness {
    /// `s3_url/bucket/key` (the key as given, already URL-safe).
    pub(crate) fn object_url(&self, key: &str) -> String {
        format!(
            "{}/{}/{key}",
            self.backend.s3_url(),
            self.backend.bucket_name()
        )
    }

    /// The bucket URL with a query.
    pub(crate) fn bucket_url(&self, query: &str) -> String {
        format!(
            "{}/{}?{query}",
            self.backend.s3_url(),
            self.backend.bucket_name()
        )
    }

    pub(crate) async fn send(&self, request: reqwest::Request) -> S3Answer {
        let response = self.http.execute(request).await.expect("send");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await.expect("text");
        S3Answer {
            status,
            headers,
            body,
        }
    }

    pub(crate) async fn get_url(&self, url: &str) -> S3Answer {
        let request = self.http.get(url).build().expect("request");
        self.send(request).await
    }

    fn creds_from(&self, body: &serde_json::Value) -> Creds {
        let c = &body["Credentials"];
        Creds {
            access_key: c["AccessKeyId"].as_str().expect("ak").to_owned(),
            secret_key: c["SecretKey"].as_str().expect("sk").to_owned(),
            token: c["SessionToken"].as_str().expect("token").to_owned(),
            identity_id: body["IdentityId"].as_str().expect("id").to_owned(),
            clock: self.backend.clock().clone(),
        }
    }

    /// Guest credentials.
    pub(crate) async fn guest_creds(&self) -> Creds {
        let id = self.get_id(None).await.ok()["IdentityId"]
            .as_str()
            .expect("id")
            .to_owned();
        self.creds_from(&self.get_credentials(&id, None).await.ok())
    }

    /// Credentials of a (new) signed-in user.
    pub(crate) async fn user_creds(&self, username: &str) -> Creds {
        self.user(username);
        let token = self.id_token(username).await;
        let id = self.get_id(Some(&token)).await.ok()["IdentityId"]
            .as_str()
            .expect("id")
            .to_owned();
        self.creds_from(&self.get_credentials(&id, Some(&token)).await.ok())
    }

    /// PUT an object (header-signed).
    pub(crate) async fn put(&self, creds: &Creds, key: &str, body: &[u8]) -> S3Answer {
        let request = creds.sign("PUT", &self.object_url(key), &[], body);
        self.send(request).await
    }

    /// GET an object (header-signed).
    pub(crate) async fn get(&self, creds: &Creds, key: &str) -> S3Answer {
        let request = creds.sign("GET", &self.object_url(key), &[], b"");
        self.send(request).await
    }
}
