#!/usr/bin/env python3
"""boto3 (the AWS SDK for Python) as a Cognito user-pool client peer, plus PyJWT verification.

Usage: boto3_cognito.py SUBCOMMAND [ARGS...]

    sign-up USERNAME PASSWORD EMAIL     SignUp
    confirm USERNAME CODE               ConfirmSignUp
    sign-in USERNAME PASSWORD           InitiateAuth USER_PASSWORD_AUTH, prints the tokens
    refresh REFRESH_TOKEN               GetTokensFromRefreshToken
    get-user ACCESS_TOKEN               GetUser
    admin-get-user USERNAME             AdminGetUser (SigV4-signed with ADMIN_KEY / ADMIN_SECRET)
    verify ACCESS_TOKEN ID_TOKEN        PyJWT + PyJWKClient: RS256 signature, iss, aud/client_id, token_use
    call OPERATION JSON                 any user-pool operation by its boto3 name (e.g. respond_to_auth_challenge)
                                        with JSON keyword arguments; "$CLIENT" and "$POOL" values are replaced
                                        by the client and pool ids
    totp SECRET UNIX_TIME               the RFC 6238 code (SHA-1, 6 digits, 30 s) of a base32 secret at a time,
                                        computed here, independently of amplify-local

Environment: ENDPOINT (user-pool endpoint URL), REGION (default us-east-1), CLIENT, POOL,
JWKS_URL and ISSUER (for verify), ADMIN_KEY and ADMIN_SECRET (the credentials boto3 signs with;
default "local": amplify-local accepts any unless started with --admin-credentials).

Prints one JSON object on stdout. Service and verification failures are reported as
{"error": {"name": ..., "message": ...}} with exit code 0; a non-zero exit means the script
itself was misused or broke.
"""

import json
import os
import sys


def env(name, default=None):
    value = os.environ.get(name, default)
    if value is None or value == "":
        print(f"missing required environment variable {name}", file=sys.stderr)
        sys.exit(2)
    return value


def client():
    import boto3
    from botocore.config import Config

    return boto3.client(
        "cognito-idp",
        endpoint_url=env("ENDPOINT"),
        region_name=env("REGION", "us-east-1"),
        # boto3 signs every request; amplify-local checks the signature of admin operations
        # (against these credentials only when it was started with --admin-credentials).
        aws_access_key_id=os.environ.get("ADMIN_KEY") or "local",
        aws_secret_access_key=os.environ.get("ADMIN_SECRET") or "local",
        aws_session_token=None,
        config=Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30),
    )


def without_metadata(response):
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def sign_up(username, password, email):
    return without_metadata(
        client().sign_up(
            ClientId=env("CLIENT"),
            Username=username,
            Password=password,
            UserAttributes=[{"Name": "email", "Value": email}],
        )
    )


def confirm(username, code):
    return without_metadata(
        client().confirm_sign_up(ClientId=env("CLIENT"), Username=username, ConfirmationCode=code)
    )


def sign_in(username, password):
    return without_metadata(
        client().initiate_auth(
            ClientId=env("CLIENT"),
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )
    )


def refresh(refresh_token):
    return without_metadata(
        client().get_tokens_from_refresh_token(ClientId=env("CLIENT"), RefreshToken=refresh_token)
    )


def get_user(access_token):
    return without_metadata(client().get_user(AccessToken=access_token))


def admin_get_user(username):
    return without_metadata(client().admin_get_user(UserPoolId=env("POOL"), Username=username))


def call(operation, arguments):
    """Calls a boto3 cognito-idp method: boto3 validates and serializes the request itself."""
    kwargs = json.loads(arguments)
    substitutes = {"$CLIENT": env("CLIENT"), "$POOL": env("POOL")}
    kwargs = {k: substitutes.get(v, v) if isinstance(v, str) else v for k, v in kwargs.items()}
    return without_metadata(getattr(client(), operation)(**kwargs))


def totp(secret, unix_time):
    import base64
    import hashlib
    import hmac
    import struct

    cleaned = secret.replace(" ", "").upper()
    key = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    counter = struct.pack(">Q", int(unix_time) // 30)
    mac = hmac.new(key, counter, hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return {"code": f"{value % 1000000:06d}"}


class VerificationError(Exception):
    pass


def verify(access_token, id_token):
    import jwt

    jwks = jwt.PyJWKClient(env("JWKS_URL"), cache_keys=True)
    issuer = env("ISSUER")
    client_id = env("CLIENT")
    out = {}
    for kind, token in (("access", access_token), ("id", id_token)):
        header = jwt.get_unverified_header(token)
        if header.get("alg") != "RS256":
            raise VerificationError(f"{kind} token alg is {header.get('alg')!r}, expected RS256")
        key = jwks.get_signing_key_from_jwt(token)
        options = {"require": ["exp", "iat", "iss", "sub", "token_use"]}
        if kind == "id":
            claims = jwt.decode(
                token, key.key, algorithms=["RS256"], issuer=issuer, audience=client_id, options=options
            )
        else:
            # Cognito access tokens carry client_id instead of aud.
            options["verify_aud"] = False
            claims = jwt.decode(token, key.key, algorithms=["RS256"], issuer=issuer, options=options)
            if claims.get("client_id") != client_id:
                raise VerificationError(
                    f"access token client_id is {claims.get('client_id')!r}, expected {client_id!r}"
                )
        if claims.get("token_use") != kind:
            raise VerificationError(
                f"{kind} token has token_use {claims.get('token_use')!r}, expected {kind!r}"
            )
        out[kind] = {"kid": header.get("kid"), "claims": claims}
    return {"verified": True, **out}


COMMANDS = {
    "sign-up": (sign_up, 3),
    "confirm": (confirm, 2),
    "sign-in": (sign_in, 2),
    "refresh": (refresh, 1),
    "get-user": (get_user, 1),
    "admin-get-user": (admin_get_user, 1),
    "verify": (verify, 2),
    "call": (call, 2),
    "totp": (totp, 2),
}


def main(argv):
    if len(argv) < 2 or argv[1] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        return 2
    run, arity = COMMANDS[argv[1]]
    args = argv[2:]
    if len(args) != arity:
        print(f"{argv[1]} takes {arity} argument(s), got {len(args)}", file=sys.stderr)
        return 2

    import jwt
    from botocore.exceptions import ClientError

    try:
        result = run(*args)
    except ClientError as error:
        err = error.response.get("Error", {})
        result = {
            "error": {
                "name": err.get("Code", "ClientError"),
                "message": err.get("Message", str(error)),
                "status": error.response.get("ResponseMetadata", {}).get("HTTPStatusCode"),
            }
        }
    except (jwt.PyJWTError, VerificationError) as error:
        result = {"error": {"name": type(error).__name__, "message": str(error)}}
    print(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
