//! The one bounded read of an answer's body: no service reads more than its limit into memory.

use std::future::Future;

use bytes::{Bytes, BytesMut};

use super::TransportError;

/// An answer's body, cut at the limit.
#[derive(Debug)]
pub(crate) struct BoundedBody {
    /// At most `limit` bytes: the whole body, or its first `limit` bytes when `truncated`.
    pub(crate) bytes: Bytes,
    /// The body was longer than the limit; the rest was not read.
    pub(crate) truncated: bool,
}

/// Something a body arrives from in chunks (an HTTP answer; a list of chunks in tests).
pub(crate) trait Chunks {
    /// The next chunk, `None` at the end.
    fn next_chunk(&mut self) -> impl Future<Output = Result<Option<Bytes>, TransportError>> + Send;
}

impl Chunks for reqwest::Response {
    async fn next_chunk(&mut self) -> Result<Option<Bytes>, TransportError> {
        self.chunk().await.map_err(TransportError::new)
    }
}

/// Reads the body up to `limit` bytes. A longer body is cut at `limit` and reported as `truncated`; what lies
/// beyond is never read (callers refuse a truncated success and keep the start of an error page).
pub(crate) async fn read_bounded(
    body: &mut impl Chunks,
    limit: usize,
) -> Result<BoundedBody, TransportError> {
    let mut buf = BytesMut::new();
    while let Some(chunk) = body.next_chunk().await? {
        let room = limit - buf.len();
        if chunk.len() > room {
            buf.extend_from_slice(&chunk[..room]);
            return Ok(BoundedBody {
                bytes: buf.freeze(),
                truncated: true,
            });
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(BoundedBody {
        bytes: buf.freeze(),
        truncated: false,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use super::*;

    /// Chunks from a list; counts how many were taken.
    struct Listed {
        chunks: VecDeque<&'static [u8]>,
        taken: usize,
    }

    impl Listed {
        fn new(chunks: &[&'static [u8]]) -> Self {
            Self {
                chunks: chunks.iter().copied().collect(),
                taken: 0,
            }
        }
    }

    impl Chunks for Listed {
        async fn next_chunk(&mut self) -> Result<Option<Bytes>, TransportError> {
            let next = self.chunks.pop_front().map(Bytes::from_static);
            self.taken += usize::from(next.is_some());
            Ok(next)
        }
    }

    #[tokio::test]
    async fn a_body_of_exactly_the_limit_is_whole() {
        let mut body = Listed::new(&[b"abc", b"de"]);
        let read = read_bounded(&mut body, 5).await.expect("read");
        assert_eq!(&read.bytes[..], b"abcde");
        assert!(!read.truncated);
    }

    #[tokio::test]
    async fn a_body_over_the_limit_is_cut_and_the_rest_is_not_read() {
        let mut body = Listed::new(&[b"abc", b"def", b"never read"]);
        let read = read_bounded(&mut body, 5).await.expect("read");
        assert_eq!(&read.bytes[..], b"abcde");
        assert!(read.truncated);
        assert_eq!(body.taken, 2, "the chunk after the limit was not pulled");
    }

    #[tokio::test]
    async fn one_byte_over_an_empty_limit_is_truncated() {
        let read = read_bounded(&mut Listed::new(&[b"x"]), 0)
            .await
            .expect("read");
        assert!(read.truncated && read.bytes.is_empty());
        let empty = read_bounded(&mut Listed::new(&[]), 0).await.expect("read");
        assert!(!empty.truncated && empty.bytes.is_empty());
    }

    #[tokio::test]
    async fn an_answer_is_read_through_the_same_bound() {
        let mut response = reqwest::Response::from(http::Response::new(reqwest::Body::from(
            Bytes::from_static(b"0123456789"),
        )));
        let read = read_bounded(&mut response, 4).await.expect("read");
        assert_eq!(&read.bytes[..], b"0123");
        assert!(read.truncated);
    }
}
