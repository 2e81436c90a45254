"""Schemathesis hooks for DotMac Platform: credentials through an auth provider.

The fuzzer signs in as the role named by DOTMAC_FUZZ_EMAIL / DOTMAC_FUZZ_PASSWORD and sends
the access token as `Authorization: Bearer`. It checks the token every few seconds and signs
in again when the session has ended (a fuzzed `POST /api/v1/auth/logout` or
`DELETE /api/v1/me/sessions/{id}` ends it), so one such call does not spoil the rest of the run.
Giving the token through this provider, not a fixed `-H Authorization`, also tells the
fuzzer which header is the credential, which the `ignored_auth` check needs.
"""
import http.client
import json
import os
import urllib.parse

import schemathesis

BASE = os.environ["DOTMAC_FUZZ_URL"].rstrip("/")
EMAIL = os.environ["DOTMAC_FUZZ_EMAIL"]
PASSWORD = os.environ["DOTMAC_FUZZ_PASSWORD"]


# The fuzzer's own calls to `POST /api/v1/auth/login` fail by the hundred from 127.0.0.1 and
# spend that address's failed-login budget (a real rate limit, rightly). The provider signs in
# from another loopback address, as a second client on another machine would.
SOURCE = ("127.0.0.2", 0)


def _request(method, path, body=None, token=None):
    """Answers (status, headers)."""
    url = urllib.parse.urlsplit(BASE + path)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10, source_address=SOURCE)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    try:
        connection.request(method, url.path, body=None if body is None else json.dumps(body), headers=headers)
        response = connection.getresponse()
        body = response.read()
        # A 401 from `/me` only means a fuzzed call ended the session: not worth a line.
        if response.status >= 400 and path != "/api/v1/me" and os.environ.get("DOTMAC_FUZZ_LOG"):
            with open(os.environ["DOTMAC_FUZZ_LOG"], "a") as log:
                log.write(f"{method} {path} -> {response.status} {body[:300]!r}\n")
        return response.status, response.headers
    finally:
        connection.close()


def _sign_in():
    # The access token is the `dm_access` cookie's value; the API accepts it as a bearer token.
    status, headers = _request("POST", "/api/v1/auth/login", {"email": EMAIL, "password": PASSWORD})
    for cookie in headers.get_all("Set-Cookie") or []:
        name, _, rest = cookie.partition("=")
        if name.strip() == "dm_access":
            return rest.split(";", 1)[0]
    message = f"signing in as {EMAIL} failed: {status}"
    # schemathesis shows only that the provider failed: say why where the run script prints it.
    if os.environ.get("DOTMAC_FUZZ_LOG"):
        with open(os.environ["DOTMAC_FUZZ_LOG"], "a") as log:
            log.write(message + "\n")
    raise RuntimeError(message)


@schemathesis.auth(refresh_interval=3)
class SignIn:
    token = None

    def get(self, case, ctx):
        # Reuse the token while its session lives; sign in again once it has ended.
        if SignIn.token is not None:
            status, _ = _request("GET", "/api/v1/me", token=SignIn.token)
            if status == 200:
                return SignIn.token
        SignIn.token = _sign_in()
        return SignIn.token

    def set(self, case, data, ctx):
        case.headers = case.headers or {}
        case.headers["Authorization"] = "Bearer " + data
