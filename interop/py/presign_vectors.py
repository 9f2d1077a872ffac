"""S3 presigned-URL test vectors from botocore, with the clock frozen.

Prints one JSON object: {"vectors": [{"name", "method", "url", ...}, ...]}. The Rust test
crates/amplify-ssr/tests/storage_vectors.rs computes the same URLs with amplify-ssr (aws-sigv4) at
the same signing time and compares signatures and query parameters exactly.

Two kinds of vectors:
* "boto": what `generate_presigned_url` produces for a plain GetObject/PutObject (no `x-id`);
* "amplify": the exact URL amplify-ssr's `get_url` builds before signing (with `x-id=GetObject` and
  the `response-*` overrides, in aws-amplify's order), signed by botocore's `S3SigV4QueryAuth`.

botocore orders the X-Amz-* parameters differently (Security-Token last but one, Expires before
SignedHeaders); the order is not signed, so the test compares the parameter sets and the signature.

The clock is frozen by replacing `botocore.auth.datetime.datetime` (the query signer ignores
`request.context["timestamp"]`).
"""

import datetime as _dt
import json
import sys

import botocore.auth
import botocore.session
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

AK = "AKIAIOSFODNN7EXAMPLE"
SK = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = "SESSIONTOKEN/with+special=chars"


def freeze(moment):
    class Frozen(_dt.datetime):
        @classmethod
        def utcnow(cls):
            return moment.replace(tzinfo=None)

        @classmethod
        def now(cls, tz=None):
            return moment if tz is not None else moment.replace(tzinfo=None)

    botocore.auth.datetime.datetime = Frozen


def client(endpoint=None, addressing="path", token=TOKEN, region="us-east-1"):
    session = botocore.session.get_session()
    return session.create_client(
        "s3",
        region_name=region,
        endpoint_url=endpoint,
        aws_access_key_id=AK,
        aws_secret_access_key=SK,
        aws_session_token=token,
        config=Config(signature_version="s3v4", s3={"addressing_style": addressing}),
    )


def sign_url(method, url, region, expires, token=TOKEN, headers=None):
    request = AWSRequest(method=method, url=url, headers=headers or {})
    auth = botocore.auth.S3SigV4QueryAuth(Credentials(AK, SK, token), "s3", region, expires=expires)
    auth.add_auth(request)
    return request.prepare().url


def main():
    vectors = []

    # The AWS documentation example (GET https://examplebucket.s3.amazonaws.com/test.txt, 2013-05-24,
    # expires 86400, no session token): signature aeeed9bb...
    freeze(_dt.datetime(2013, 5, 24, 0, 0, 0, tzinfo=_dt.timezone.utc))
    vectors.append({
        "name": "aws-doc-example",
        "kind": "raw",
        "method": "GET",
        "region": "us-east-1",
        "expires": 86400,
        "token": None,
        "unsigned_url": "https://examplebucket.s3.amazonaws.com/test.txt",
        "url": sign_url("GET", "https://examplebucket.s3.amazonaws.com/test.txt", "us-east-1", 86400, token=None),
    })

    freeze(_dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=_dt.timezone.utc))
    local = client("http://127.0.0.1:8014")
    for key in ["dir/sp ace+ü.txt", "a~b_c-d.e!*'()", "deep/ly/nested/%41.txt"]:
        vectors.append({
            "name": f"boto-path-style {key}",
            "kind": "boto",
            "method": "GET",
            "endpoint": "http://127.0.0.1:8014",
            "bucket": "bkt",
            "region": "us-east-1",
            "key": key,
            "expires": 900,
            "token": TOKEN,
            "url": local.generate_presigned_url(
                "get_object", Params={"Bucket": "bkt", "Key": key}, ExpiresIn=900
            ),
        })
    vectors.append({
        "name": "boto-path-style response-content-disposition",
        "kind": "boto",
        "method": "GET",
        "endpoint": "http://127.0.0.1:8014",
        "bucket": "bkt",
        "region": "us-east-1",
        "key": "report.pdf",
        "expires": 900,
        "token": TOKEN,
        "content_disposition": 'attachment; filename="x y.txt"',
        "url": local.generate_presigned_url(
            "get_object",
            Params={"Bucket": "bkt", "Key": "report.pdf",
                    "ResponseContentDisposition": 'attachment; filename="x y.txt"'},
            ExpiresIn=900,
        ),
    })
    virtual = client(None, "virtual", region="eu-west-1")
    vectors.append({
        "name": "boto-virtual-hosted",
        "kind": "boto",
        "method": "GET",
        "endpoint": None,
        "bucket": "bkt",
        "region": "eu-west-1",
        "key": "dir/sp ace+ü.txt",
        "expires": 3600,
        "token": TOKEN,
        "url": virtual.generate_presigned_url(
            "get_object", Params={"Bucket": "bkt", "Key": "dir/sp ace+ü.txt"}, ExpiresIn=3600
        ),
    })
    vectors.append({
        "name": "boto-put-content-type",
        "kind": "boto",
        "method": "PUT",
        "endpoint": "http://127.0.0.1:8014",
        "bucket": "bkt",
        "region": "us-east-1",
        "key": "public/up load.png",
        "expires": 900,
        "token": TOKEN,
        "content_type": "image/png",
        "url": local.generate_presigned_url(
            "put_object",
            Params={"Bucket": "bkt", "Key": "public/up load.png", "ContentType": "image/png"},
            ExpiresIn=900,
        ),
    })

    # amplify-ssr's own URL shape, signed by botocore. The Rust test prints the unsigned URLs it
    # builds; they are fixed here so a change on either side shows up as a mismatch.
    amplify_cases = [
        ("amplify-get-overrides", "GET",
         "http://127.0.0.1:8014/bkt/dir/sp%20ace%2B%C3%BC.txt?x-id=GetObject"
         "&response-cache-control=no-cache&response-content-type=text%2Fplain"
         "&response-content-disposition=attachment%3B%20filename%3D%22x%20y.txt%22"
         "&x-amz-expected-bucket-owner=123456789012", {}),
        ("amplify-get-virtual", "GET",
         "https://bkt.s3.us-east-1.amazonaws.com/a~b_c-d.e%21%2A%27%28%29?x-id=GetObject", {}),
        ("amplify-put", "PUT",
         "http://127.0.0.1:8014/bkt/public/up%20load.png?x-id=PutObject", {"Content-Type": "image/png"}),
    ]
    for name, method, url, headers in amplify_cases:
        vectors.append({
            "name": name,
            "kind": "amplify",
            "method": method,
            "region": "us-east-1",
            "expires": 900,
            "token": TOKEN,
            "unsigned_url": url,
            "url": sign_url(method, url, "us-east-1", 900, headers=headers),
        })

    json.dump({"vectors": vectors}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
