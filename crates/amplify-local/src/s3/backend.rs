//! The object operations, kept by s3s-fs (objects as files under the data
//! directory) and exposed only for the operations the Storage category uses.
//! Every other S3 operation answers `NotImplemented`.

use s3s::dto::{
    AbortMultipartUploadInput, AbortMultipartUploadOutput, CompleteMultipartUploadInput,
    CompleteMultipartUploadOutput, CopyObjectInput, CopyObjectOutput, CreateMultipartUploadInput,
    CreateMultipartUploadOutput, DeleteObjectInput, DeleteObjectOutput, DeleteObjectsInput,
    DeleteObjectsOutput, EncodingType, GetObjectInput, GetObjectOutput, HeadObjectInput,
    HeadObjectOutput, ListObjectsV2Input, ListObjectsV2Output, PutObjectInput, PutObjectOutput,
    UploadPartInput, UploadPartOutput,
};
use s3s::{S3, S3Error, S3ErrorCode, S3Request, S3Response, S3Result};
use std::path::PathBuf;

use s3s_fs::FileSystem;

use super::keys::{self, Write};

/// The bucket store.
#[derive(Debug)]
pub(super) struct LocalS3 {
    pub(super) fs: FileSystem,
    /// The directory the store keeps buckets in, for the key checks ([`keys`]).
    pub(super) root: PathBuf,
}

impl LocalS3 {
    /// [`keys::check_write`] in this store.
    fn writable(&self, bucket: &str, key: &str, write: Write) -> S3Result<()> {
        keys::check_write(&self.root, bucket, key, write)
    }
}

/// Maps a body that does not match its signed `x-amz-content-sha256` to S3's
/// 400 `XAmzContentSHA256Mismatch`. s3s checks the hash while the store reads
/// the body, so the store sees a failed read and reports `InternalError`
/// with s3s's stream error as its source. The store wrote to a temporary
/// file, so nothing was kept.
///
/// That error is s3s's `UploadStreamError::Sha256Mismatch` (s3s 0.14,
/// `sig_v4/upload_stream.rs`), in a private module: it cannot be named,
/// downcast or matched by code, so it is recognised by its `Debug` text
/// anywhere in the source chain. If an s3s upgrade renames it, the
/// regression test `a_body_that_does_not_match_its_signed_hash_is_refused_and_not_stored`
/// (`tests/api/s3_content.rs`) fails: it expects this 400, not a 500.
fn content_sha256_mismatch(error: S3Error) -> S3Error {
    let mismatch = std::iter::successors(
        error
            .source()
            .map(|source| source as &(dyn std::error::Error + 'static)),
        |cause| cause.source(),
    )
    .any(|cause| format!("{cause:?}") == "Sha256Mismatch");
    if *error.code() != S3ErrorCode::InternalError || !mismatch {
        return error;
    }
    let mut refused = S3Error::with_message(
        S3ErrorCode::Custom("XAmzContentSHA256Mismatch".into()),
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
    refused.set_status_code(http::StatusCode::BAD_REQUEST);
    refused
}

/// `encoding-type=url`: keys and prefixes percent-encoded (space as `+`).
fn url_encode(value: &mut Option<String>) {
    if let Some(text) = value {
        *text = url::form_urlencoded::byte_serialize(text.as_bytes()).collect();
    }
}

#[async_trait::async_trait]
impl S3 for LocalS3 {
    async fn get_object(
        &self,
        req: S3Request<GetObjectInput>,
    ) -> S3Result<S3Response<GetObjectOutput>> {
        keys::check_readable(&self.root, &req.input.bucket, &req.input.key)?;
        self.fs.get_object(req).await
    }

    async fn head_object(
        &self,
        req: S3Request<HeadObjectInput>,
    ) -> S3Result<S3Response<HeadObjectOutput>> {
        keys::check_readable(&self.root, &req.input.bucket, &req.input.key)?;
        self.fs.head_object(req).await
    }

    async fn put_object(
        &self,
        req: S3Request<PutObjectInput>,
    ) -> S3Result<S3Response<PutObjectOutput>> {
        self.writable(&req.input.bucket, &req.input.key, Write::Single)?;
        self.fs
            .put_object(req)
            .await
            .map_err(content_sha256_mismatch)
    }

    async fn create_multipart_upload(
        &self,
        req: S3Request<CreateMultipartUploadInput>,
    ) -> S3Result<S3Response<CreateMultipartUploadOutput>> {
        self.writable(&req.input.bucket, &req.input.key, Write::Multipart)?;
        self.fs.create_multipart_upload(req).await
    }

    async fn upload_part(
        &self,
        req: S3Request<UploadPartInput>,
    ) -> S3Result<S3Response<UploadPartOutput>> {
        keys::check_key(&req.input.bucket, &req.input.key, Write::Multipart)?;
        self.fs
            .upload_part(req)
            .await
            .map_err(content_sha256_mismatch)
    }

    async fn complete_multipart_upload(
        &self,
        req: S3Request<CompleteMultipartUploadInput>,
    ) -> S3Result<S3Response<CompleteMultipartUploadOutput>> {
        self.writable(&req.input.bucket, &req.input.key, Write::Multipart)?;
        self.fs.complete_multipart_upload(req).await
    }

    async fn abort_multipart_upload(
        &self,
        req: S3Request<AbortMultipartUploadInput>,
    ) -> S3Result<S3Response<AbortMultipartUploadOutput>> {
        keys::check_key(&req.input.bucket, &req.input.key, Write::Multipart)?;
        self.fs.abort_multipart_upload(req).await
    }

    async fn copy_object(
        &self,
        req: S3Request<CopyObjectInput>,
    ) -> S3Result<S3Response<CopyObjectOutput>> {
        self.writable(&req.input.bucket, &req.input.key, Write::Single)?;
        keys::check_copy_source(&self.root, &req.input.copy_source)?;
        self.fs.copy_object(req).await
    }

    async fn delete_object(
        &self,
        req: S3Request<DeleteObjectInput>,
    ) -> S3Result<S3Response<DeleteObjectOutput>> {
        keys::check_key(&req.input.bucket, &req.input.key, Write::Single)?;
        // A folder is no object: deleting a missing object succeeds, as in S3.
        if !req.input.key.ends_with('/')
            && keys::is_folder(&self.root, &req.input.bucket, &req.input.key)
        {
            return Ok(S3Response::new(DeleteObjectOutput::default()));
        }
        self.fs.delete_object(req).await
    }

    async fn delete_objects(
        &self,
        req: S3Request<DeleteObjectsInput>,
    ) -> S3Result<S3Response<DeleteObjectsOutput>> {
        keys::check_all(&req.input.bucket, &req.input.delete.objects)?;
        self.fs.delete_objects(req).await
    }

    async fn list_objects_v2(
        &self,
        mut req: S3Request<ListObjectsV2Input>,
    ) -> S3Result<S3Response<ListObjectsV2Output>> {
        let encode = req
            .input
            .encoding_type
            .as_ref()
            .is_some_and(|e| e.as_str() == EncodingType::URL);
        if let Some(max_keys) = req.input.max_keys {
            if max_keys < 0 {
                return Err(s3s::s3_error!(
                    InvalidArgument,
                    "max-keys must not be negative"
                ));
            }
            // As S3: at most 1000 keys per page, whatever was asked.
            req.input.max_keys = Some(max_keys.min(1000));
        }
        let mut response = self.fs.list_objects_v2(req).await?;
        if encode {
            let output = &mut response.output;
            url_encode(&mut output.prefix);
            url_encode(&mut output.delimiter);
            url_encode(&mut output.start_after);
            for object in output.contents.iter_mut().flatten() {
                url_encode(&mut object.key);
            }
            for prefix in output.common_prefixes.iter_mut().flatten() {
                url_encode(&mut prefix.prefix);
            }
        }
        Ok(response)
    }
}
