"""Member identity tokens (JWT, HS256), as the website and the app pass them after login.

    python -m member_system.token P-CLAIRE-REMB [--ttl 3600]   # print a token for a member
    python -m member_system.token --list                        # the demo personas

`issue_token` and `verify_token` are pure functions: the secret is read from
`MEMBER_TOKEN_SECRET` when they are called (or passed explicitly), never at import. The action
server imports `verify_token` from here.

The development default secret is public: anyone can mint tokens with it. Set
`MEMBER_TOKEN_SECRET` to a long random value everywhere but on a developer's machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import jwt

ALGORITHM = "HS256"
ISSUER = "assurbot-demo-login"
AUDIENCE = "assurbot"
DEFAULT_TTL = 3600
# Same default as actions/settings.py. Public, hence unsafe outside development.
DEV_SECRET = "dev-only-insecure-token-secret-change-me"
LEEWAY_SECONDS = 10


class TokenError(Exception):
    """The token cannot be trusted."""


class TokenExpired(TokenError):
    """The token was valid but its lifetime is over (ask the member to log in again)."""


class TokenInvalid(TokenError):
    """The token is malformed, wrongly signed, or not meant for Assurbot."""


def _secret(secret: str | None) -> str:
    if secret:
        return secret
    value = os.environ.get("MEMBER_TOKEN_SECRET", "").strip()
    return value or DEV_SECRET


def issue_token(
    member_id: str, ttl: int = DEFAULT_TTL, *, secret: str | None = None, now: int | None = None
) -> str:
    """A signed token saying that `member_id` logged in, valid for `ttl` seconds."""
    if not member_id or not member_id.strip():
        raise ValueError("member_id is empty")
    if ttl <= 0:
        raise ValueError("ttl must be positive")
    issued = int(time.time()) if now is None else now
    claims = {"sub": member_id, "iat": issued, "exp": issued + ttl, "iss": ISSUER, "aud": AUDIENCE}
    return jwt.encode(claims, _secret(secret), algorithm=ALGORITHM)


def verify_token(token: str, *, secret: str | None = None) -> str:
    """The member id of a valid token; raises TokenExpired or TokenInvalid otherwise."""
    if not isinstance(token, str) or not token.strip():
        raise TokenInvalid("empty token")
    try:
        claims = jwt.decode(
            token.strip(),
            _secret(secret),
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            leeway=LEEWAY_SECONDS,
            options={"require": ["sub", "iat", "exp", "iss", "aud"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenExpired("token expired") from exc
    except jwt.PyJWTError as exc:
        raise TokenInvalid(str(exc)) from exc
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject.strip():
        raise TokenInvalid("token has no member id")
    return subject


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m member_system.token",
        description="Print a member identity token, or list the demo personas.",
    )
    parser.add_argument("member_id", nargs="?", help="e.g. P-CLAIRE-REMB")
    parser.add_argument("--ttl", type=int, default=DEFAULT_TTL, help="lifetime in seconds")
    parser.add_argument("--list", action="store_true", help="list the demo personas")
    args = parser.parse_args(argv)
    if args.list:
        from member_system.personas import persona_lines

        print("\n".join(persona_lines()))
        return 0
    if not args.member_id:
        parser.error("give a MEMBER_ID or --list")
    if args.ttl <= 0:
        parser.error("--ttl must be positive")
    if not os.environ.get("MEMBER_TOKEN_SECRET", "").strip():
        print(
            "member_system.token: MEMBER_TOKEN_SECRET is not set; using the public development "
            "secret (never in production).",
            file=sys.stderr,
        )
    print(issue_token(args.member_id, ttl=args.ttl))
    return 0


if __name__ == "__main__":
    sys.exit(main())
