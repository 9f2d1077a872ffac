//! Object keys the file store can hold.
//!
//! s3s-fs keeps each object as a file whose path is its key, and its metadata in a file named
//! `.bucket-{base64url(bucket)}.object-{base64url(key)}[.upload-{uuid}].metadata.json` (s3s-fs 0.14). A key whose
//! metadata file name would pass the 255-byte limit of file names (139 bytes of key with the default bucket name,
//! 106 for a multipart upload; the limit also keeps every part of a key a valid file name), a key with a NUL
//! character, a folder read as an object (a folder marker, a key ending in `/`, or the `a` of an existing `a/b`),
//! and a write needing a folder where a file is (`a/b` once `a` exists) or the reverse, all reached the file
//! system and failed there as an internal error (500). They get S3's client errors instead. Keys with an empty
//! part (`a//b`) are refused too: the file system would store them as `a/b`, overwriting that object.

use std::path::{Path, PathBuf};

use s3s::dto::{CopySource, ObjectIdentifier};
use s3s::{S3Result, s3_error};

/// The longest file name common file systems hold, in bytes.
const MAX_FILE_NAME: usize = 255;

/// How an object is written: a multipart upload's metadata file name also carries the upload id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Write {
    Single,
    Multipart,
}

/// Length of unpadded base64 of `bytes` bytes.
fn base64_len(bytes: usize) -> usize {
    bytes.div_ceil(3) * 4 - (3 - bytes % 3) % 3
}

/// The longest key whose metadata file name fits in [`MAX_FILE_NAME`].
fn max_key_bytes(bucket: &str, write: Write) -> usize {
    let fixed = ".bucket-".len()
        + base64_len(bucket.len())
        + ".object-".len()
        + ".metadata.json".len()
        + match write {
            Write::Single => 0,
            Write::Multipart => ".upload-".len() + 36,
        };
    let room = MAX_FILE_NAME.saturating_sub(fixed);
    // The longest key whose base64 fits in `room` characters.
    room / 4 * 3 + (room % 4).saturating_sub(1)
}

/// Checks a key an object is written, deleted or read under, in `bucket`.
pub(super) fn check_key(bucket: &str, key: &str, write: Write) -> S3Result<()> {
    let max = max_key_bytes(bucket, write);
    if key.len() > max {
        let how = match write {
            Write::Single => "",
            Write::Multipart => " in a multipart upload",
        };
        return Err(s3_error!(
            KeyTooLongError,
            "Your key is too long: amplify-local's file store holds keys of up to {max} bytes{how} \
             (S3 allows 1024)"
        ));
    }
    if key.contains('\0') {
        return Err(s3_error!(
            InvalidArgument,
            "amplify-local cannot store an object key with a NUL character"
        ));
    }
    if key.contains("//") {
        return Err(s3_error!(
            InvalidArgument,
            "amplify-local cannot store a key with an empty part (//): its file would be the one of the key without it"
        ));
    }
    Ok(())
}

/// The file or folder of `key` in `bucket` under the store's `root`.
fn path_of(root: &Path, bucket: &str, key: &str) -> PathBuf {
    let mut path = root.join(bucket);
    path.extend(key.split('/').filter(|part| !part.is_empty()));
    path
}

/// Whether `key` names an existing folder (and so no object).
pub(super) fn is_folder(root: &Path, bucket: &str, key: &str) -> bool {
    path_of(root, bucket, key).is_dir()
}

/// Checks a key an object is written under: also that it needs no folder where a file is, nor a file where a
/// folder is (S3 keeps `a` and `a/b` side by side; a file system cannot).
pub(super) fn check_write(root: &Path, bucket: &str, key: &str, write: Write) -> S3Result<()> {
    check_key(bucket, key, write)?;
    let clash = || {
        s3_error!(
            InvalidArgument,
            "amplify-local's file store cannot hold both a key and keys below it as a folder (`a` and `a/b`)"
        )
    };
    let parts: Vec<&str> = key.split('/').filter(|part| !part.is_empty()).collect();
    let mut path = root.join(bucket);
    for (index, part) in parts.iter().enumerate() {
        path.push(part);
        let Ok(found) = std::fs::symlink_metadata(&path) else {
            return Ok(());
        };
        let last = index + 1 == parts.len();
        if found.is_dir() != (!last || key.ends_with('/')) {
            return Err(clash());
        }
    }
    Ok(())
}

/// Checks a key an object is read by: also refuses folders (folder markers, which amplify-local keeps as folders,
/// and the `a` of an `a/b`).
pub(super) fn check_readable(root: &Path, bucket: &str, key: &str) -> S3Result<()> {
    check_key(bucket, key, Write::Single)?;
    if key.ends_with('/') || is_folder(root, bucket, key) {
        return Err(s3_error!(
            NoSuchKey,
            "amplify-local keeps folder markers (keys ending in /) as folders, which have no content to read"
        ));
    }
    Ok(())
}

/// Checks the source object of a copy.
pub(super) fn check_copy_source(root: &Path, source: &CopySource) -> S3Result<()> {
    match source {
        CopySource::Bucket { bucket, key, .. } => check_readable(root, bucket, key),
        _ => Ok(()),
    }
}

/// Checks every key of a batch delete.
pub(super) fn check_all(bucket: &str, objects: &[ObjectIdentifier]) -> S3Result<()> {
    objects
        .iter()
        .try_for_each(|object| check_key(bucket, &object.key, Write::Single))
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;

    const BUCKET: &str = "amplify-local-bucket-abcd1234";

    fn code(result: S3Result<()>) -> String {
        result.unwrap_err().code().as_str().to_owned()
    }

    #[test]
    fn the_key_limit_is_where_the_metadata_file_name_reaches_255_bytes() {
        for write in [Write::Single, Write::Multipart] {
            let max = max_key_bytes(BUCKET, write);
            let name = |key_len: usize| {
                let upload = match write {
                    Write::Single => String::new(),
                    Write::Multipart => format!(".upload-{}", "0".repeat(36)),
                };
                format!(
                    ".bucket-{}.object-{}{upload}.metadata.json",
                    URL_SAFE_NO_PAD.encode(BUCKET),
                    URL_SAFE_NO_PAD.encode("k".repeat(key_len))
                )
                .len()
            };
            assert!(
                name(max) <= MAX_FILE_NAME && name(max + 1) > MAX_FILE_NAME,
                "{write:?} {max}"
            );
        }
        // Measured against s3s-fs with the default bucket name: a 139-byte key stored, a 140-byte one failed.
        assert_eq!(max_key_bytes(BUCKET, Write::Single), 139);
        assert_eq!(max_key_bytes(BUCKET, Write::Multipart), 106);
    }

    #[test]
    fn keys_the_file_store_cannot_hold_are_client_errors() {
        for key in [
            "public/photo 1.jpg",
            "public/folder/",
            &format!("public/{}", "a".repeat(132)),
        ] {
            check_key(BUCKET, key, Write::Single).unwrap();
        }
        assert_eq!(
            code(check_key(BUCKET, "public/a\0b", Write::Single)),
            "InvalidArgument"
        );
        let long = format!("public/{}", "a".repeat(133));
        assert_eq!(
            code(check_key(BUCKET, &long, Write::Single)),
            "KeyTooLongError"
        );
        let multipart = format!("public/{}", "a".repeat(100));
        assert_eq!(
            code(check_key(BUCKET, &multipart, Write::Multipart)),
            "KeyTooLongError"
        );
    }

    #[test]
    fn folders_are_not_read_as_objects() {
        let root = tempfile::tempdir().expect("root");
        std::fs::create_dir_all(root.path().join(BUCKET).join("public/folder")).expect("folder");
        check_readable(root.path(), BUCKET, "public/a").unwrap();
        for folder in ["public/folder/", "public/folder"] {
            assert_eq!(
                code(check_readable(root.path(), BUCKET, folder)),
                "NoSuchKey"
            );
        }
        assert_eq!(
            code(check_readable(root.path(), BUCKET, "public/a\0")),
            "InvalidArgument"
        );
    }

    #[test]
    fn a_key_and_keys_below_it_cannot_both_be_written() {
        let root = tempfile::tempdir().expect("root");
        let bucket = root.path().join(BUCKET);
        std::fs::create_dir_all(bucket.join("public/folder")).expect("folder");
        std::fs::write(bucket.join("public/file"), "x").expect("file");
        let write = |key: &str| check_write(root.path(), BUCKET, key, Write::Single);
        for fine in [
            "public/file",
            "public/folder/",
            "public/folder/new",
            "public/new/deeper",
        ] {
            write(fine).unwrap();
        }
        for clash in ["public/folder", "public/file/", "public/file/below"] {
            assert_eq!(code(write(clash)), "InvalidArgument", "{clash}");
        }
        assert_eq!(code(write("public//file")), "InvalidArgument");
    }
}
