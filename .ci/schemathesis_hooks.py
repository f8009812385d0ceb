"""Schemathesis hooks for .ci/schemathesis.sh.

A client sends a fresh Idempotency-Key with every new request; generated cases reuse
the same few keys with different bodies, which the API rightly refuses (422
idempotency_key_reused). Valid keys are therefore replaced by unique ones; malformed keys
are left alone so the 400 they earn is still exercised.
"""

import re
import uuid

import schemathesis

VALID_KEY = re.compile(r"[!-~]{1,255}")


@schemathesis.hook
def before_call(context, case, kwargs):
    headers = case.headers or {}
    for name in list(headers):
        if name.lower() == "idempotency-key" and isinstance(headers[name], str):
            if VALID_KEY.fullmatch(headers[name].strip()):
                headers[name] = str(uuid.uuid4())
