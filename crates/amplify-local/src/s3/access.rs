//! What s3s leaves to us once a signature verified: the session token and
//! expiry of the credentials, the credential scope's region, the presigned
//! lifetime limit, the bucket, and the storage access rules.

use std::sync::Arc;

use s3s::access::{S3Access, S3AccessContext};
use s3s::dto::{
    AbortMultipartUploadInput, CompleteMultipartUploadInput, CopyObjectInput, CopySource,
    CreateMultipartUploadInput, DeleteObjectInput, DeleteObjectsInput, GetObjectInput,
    HeadObjectInput, ListObjectsV2Input, PutObjectInput, UploadPartInput,
};
use s3s::path::S3Path;
use s3s::{S3Error, S3Request, S3Result, s3_error};

use super::auth::issued;
use super::request_time;
use super::rules::{Action, Caller};
use crate::identity::SessionRefusal;
use crate::state::{AppState, REGION};

/// The longest lifetime of a presigned URL (7 days), as S3's.
const MAX_PRESIGNED_EXPIRES: u64 = 604_800;

/// Enforces the storage rules for callers with issued credentials.
#[derive(Debug, Clone)]
pub(super) struct RuleAccess {
    pub(super) state: Arc<AppState>,
}

fn denied() -> S3Error {
    s3_error!(AccessDenied, "Access Denied")
}

/// A query parameter's (percent-decoded) value.
pub(super) fn query_param(uri: &http::Uri, name: &str) -> Option<String> {
    let query = uri.query()?;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// The region of the credential scope
/// (`AKID/yyyymmdd/REGION/s3/aws4_request`), from the `Authorization`
/// header or `X-Amz-Credential`.
fn scope_region(cx: &S3AccessContext<'_>) -> Option<String> {
    let credential = match cx.headers().get(http::header::AUTHORIZATION) {
        Some(value) => {
            let text = value.to_str().ok()?;
            let start = text.find("Credential=")? + "Credential=".len();
            text[start..].split([',', ' ']).next()?.to_owned()
        }
        None => query_param(cx.uri(), "X-Amz-Credential")?,
    };
    credential.split('/').nth(2).map(str::to_owned)
}

impl RuleAccess {
    fn allow(&self, caller: &Caller, action: Action, key: &str) -> S3Result<()> {
        if self.state.storage.rules.allows(caller, action, key) {
            Ok(())
        } else {
            tracing::debug!(identity_id = %caller.identity_id, ?action, key, "storage access denied");
            Err(denied())
        }
    }
}

fn caller<T>(req: &S3Request<T>) -> S3Result<Caller> {
    req.extensions.get::<Caller>().cloned().ok_or_else(denied)
}

#[async_trait::async_trait]
impl S3Access for RuleAccess {
    async fn check(&self, cx: &mut S3AccessContext<'_>) -> S3Result<()> {
        let Some(access_key) = cx.credentials().map(|c| c.access_key.clone()) else {
            return Err(s3_error!(AccessDenied, "Signature is required"));
        };
        request_time::check(cx.headers(), cx.uri(), self.state.now())?;
        let credentials = issued(&self.state, &access_key).await?;
        let token = match cx.headers().get("x-amz-security-token") {
            Some(value) => value.to_str().ok().map(str::to_owned),
            None => query_param(cx.uri(), "X-Amz-Security-Token"),
        };
        match credentials.check_session(token.as_deref(), self.state.now()) {
            Ok(()) => {}
            Err(SessionRefusal::WrongToken) => {
                return Err(s3_error!(
                    InvalidToken,
                    "The provided token is malformed or otherwise invalid."
                ));
            }
            Err(SessionRefusal::Expired) => {
                return Err(s3_error!(ExpiredToken, "The provided token has expired."));
            }
        }
        match scope_region(cx) {
            Some(region) if region == REGION => {}
            Some(region) => {
                return Err(s3_error!(
                    AuthorizationHeaderMalformed,
                    "the region '{region}' is wrong; expecting '{REGION}'"
                ));
            }
            None => {
                return Err(s3_error!(
                    InvalidRequest,
                    "The authorization mechanism you have provided is not supported. \
                     Please use AWS4-HMAC-SHA256."
                ));
            }
        }
        if let Some(expires) = query_param(cx.uri(), "X-Amz-Expires")
            && !expires
                .parse::<u64>()
                .is_ok_and(|seconds| seconds <= MAX_PRESIGNED_EXPIRES)
        {
            return Err(s3_error!(
                AuthorizationQueryParametersError,
                "X-Amz-Expires must be less than a week (in seconds) that is 604800"
            ));
        }
        match cx.s3_path() {
            S3Path::Bucket { bucket } | S3Path::Object { bucket, .. }
                if **bucket == *self.state.storage.bucket_name => {}
            S3Path::Root => return Err(denied()),
            _ => {
                return Err(s3_error!(
                    NoSuchBucket,
                    "The specified bucket does not exist"
                ));
            }
        }
        cx.extensions_mut().insert(Caller {
            identity_id: credentials.identity_id,
            authenticated: credentials.authenticated,
        });
        Ok(())
    }

    async fn get_object(&self, req: &mut S3Request<GetObjectInput>) -> S3Result<()> {
        self.allow(&caller(req)?, Action::Get, &req.input.key)
    }

    async fn head_object(&self, req: &mut S3Request<HeadObjectInput>) -> S3Result<()> {
        self.allow(&caller(req)?, Action::Get, &req.input.key)
    }

    async fn put_object(&self, req: &mut S3Request<PutObjectInput>) -> S3Result<()> {
        self.allow(&caller(req)?, Action::Write, &req.input.key)
    }

    async fn create_multipart_upload(
        &self,
        req: &mut S3Request<CreateMultipartUploadInput>,
    ) -> S3Result<()> {
        self.allow(&caller(req)?, Action::Write, &req.input.key)
    }

    async fn upload_part(&self, req: &mut S3Request<UploadPartInput>) -> S3Result<()> {
        self.allow(&caller(req)?, Action::Write, &req.input.key)
    }

    async fn complete_multipart_upload(
        &self,
        req: &mut S3Request<CompleteMultipartUploadInput>,
    ) -> S3Result<()> {
        self.allow(&caller(req)?, Action::Write, &req.input.key)
    }

    async fn abort_multipart_upload(
        &self,
        req: &mut S3Request<AbortMultipartUploadInput>,
    ) -> S3Result<()> {
        self.allow(&caller(req)?, Action::Write, &req.input.key)
    }

    async fn copy_object(&self, req: &mut S3Request<CopyObjectInput>) -> S3Result<()> {
        let caller = caller(req)?;
        let CopySource::Bucket { bucket, key, .. } = &req.input.copy_source else {
            return Err(denied());
        };
        if **bucket != *self.state.storage.bucket_name {
            return Err(denied());
        }
        self.allow(&caller, Action::Get, key)?;
        self.allow(&caller, Action::Write, &req.input.key)
    }

    async fn delete_object(&self, req: &mut S3Request<DeleteObjectInput>) -> S3Result<()> {
        self.allow(&caller(req)?, Action::Delete, &req.input.key)
    }

    async fn delete_objects(&self, req: &mut S3Request<DeleteObjectsInput>) -> S3Result<()> {
        let caller = caller(req)?;
        // All or nothing: one refused key refuses the whole request.
        for object in &req.input.delete.objects {
            self.allow(&caller, Action::Delete, &object.key)?;
        }
        Ok(())
    }

    async fn list_objects_v2(&self, req: &mut S3Request<ListObjectsV2Input>) -> S3Result<()> {
        let prefix = req.input.prefix.as_deref().unwrap_or_default();
        self.allow(&caller(req)?, Action::List, prefix)
    }
}
