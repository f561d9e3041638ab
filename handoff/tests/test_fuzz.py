"""Fuzzing a real hub over HTTP: no 5xx, no traceback in its log.

- Every operation of the hub's OpenAPI description (``/docs/openapi.json``), with
  Schemathesis: bodies and query arguments that fit the schemas and ones that do
  not, plus the values that once gave 500s (lone surrogates, NUL, deep nesting,
  "²", ids past 32 bits) mixed into the fields.
- Raw bodies (Hypothesis) to every operation that takes one: bytes, JSON nested
  1,000 deep, escapes that are not Unicode.

The hub under attack: tests/fuzzing.py. WebSocket frames: test_fuzz_ws.py.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import fuzzing
from tests.fuzzing import BOT_SECRET, FUZZ_EXAMPLES, NASTY, NASTY_QUERY, PHASES, Target, target

# The hub under attack (module scope: one per module and database).
fuzz_target = fuzzing.fuzz_target


def flatmap_body(context: schemathesis.HookContext, body: Any) -> Any:
    if not isinstance(body, dict):
        return st.just(body)
    keys = [*body.keys(), "text", "payload", "topic"]
    nasty = st.tuples(st.sampled_from(keys), NASTY).map(lambda kv: {**body, kv[0]: kv[1]})
    return st.one_of(st.just(body), nasty)


def flatmap_query(context: schemathesis.HookContext, query: Any) -> Any:
    if not isinstance(query, dict) or not query:
        return st.just(query)
    nasty = st.tuples(st.sampled_from(list(query)), NASTY_QUERY).map(
        lambda kv: {**query, kv[0]: kv[1]}
    )
    return st.one_of(st.just(query), nasty)


def flatmap_path_parameters(context: schemathesis.HookContext, path_parameters: Any) -> Any:
    """Often a real conversation (with its secret, see _auth): past the 404."""
    if not isinstance(path_parameters, dict) or "conversation_id" not in path_parameters:
        return st.just(path_parameters)
    real = st.sampled_from(sorted(target().secrets)).map(
        lambda cid: {**path_parameters, "conversation_id": cid}
    )
    return st.one_of(st.just(path_parameters), real)


def _auth(path: str, conversation_id: Any) -> dict[str, str]:
    t = target()
    if path.startswith("/api/advisor/logout"):
        token = t.spare_tokens.pop() if t.spare_tokens else "brukt"
    elif path.startswith("/api/advisor"):
        token = t.advisor_token
    elif path.startswith("/api/content"):
        token = t.editor_token
    elif path.startswith("/internal"):
        token = BOT_SECRET
    else:
        token = t.secrets.get(conversation_id, "ukjent") if isinstance(conversation_id, str) else ""
    return {"Authorization": f"Bearer {token}"}


# ---- every operation of the OpenAPI description --------------------------------


def _cases(operation: Any) -> st.SearchStrategy[schemathesis.Case]:
    """Cases that fit the schemas and cases that do not (where anything can be wrong)."""
    positive = operation.as_strategy(schemathesis.GenerationMode.POSITIVE)
    if not operation.body and not list(operation.iter_parameters()):
        return positive  # nothing to get wrong but the path
    return st.one_of(positive, operation.as_strategy(schemathesis.GenerationMode.NEGATIVE))


def _fuzz(operation: Any, t: Target) -> int:
    """Send up to FUZZ_EXAMPLES cases to ``operation``; how many were sent."""
    sent = 0

    @settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        database=None,
        phases=PHASES,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_cases(operation))
    def call(case: schemathesis.Case) -> None:
        nonlocal sent
        conversation_id = (case.path_parameters or {}).get("conversation_id")
        headers = {**(case.headers or {}), **_auth(case.path, conversation_id)}
        response = case.call(base_url=t.hub.url, headers=headers, timeout=15)
        sent += 1
        label = f"{case.method} {case.formatted_path} {str(case.body)[:200]!r} {case.query}"
        assert response.status_code < 500, (
            f"{label} -> {response.status_code} {response.text[:300]}"
        )
        t.assert_quiet_log(label)

    call()
    return sent


def test_no_operation_answers_5xx_or_logs_a_traceback(fuzz_target: Target) -> None:
    schema = schemathesis.openapi.from_url(fuzz_target.hub.url + "/docs/openapi.json")
    for hook in (flatmap_body, flatmap_query, flatmap_path_parameters):
        schema.hook(hook)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 40, [op.label for op in operations]
    began = time.monotonic()
    sent = sum(_fuzz(operation, fuzz_target) for operation in operations)
    print(f"\n{len(operations)} operations, {sent} requests in {time.monotonic() - began:.0f} s")


# ---- raw bodies -----------------------------------------------------------------


RAW_BODIES = st.one_of(
    st.binary(max_size=64),
    st.integers(1, 3000).map(lambda depth: b"[" * depth + b"]" * depth),
    st.integers(1, 1500).map(lambda depth: b'{"a":' * depth + b"1" + b"}" * depth),
    st.sampled_from(
        [
            b'{"text": "\\ud800"}',
            b'{"text": "\\udc00\\ud800", "payload": "\\ud800"}',
            b'{"\\ud800": 1}',
            b'{"text": "a\\u0000"}',
            b'{"text": ' + b"1" * 5000 + b"}",
            b'{"text": "hei"',
            b"\xef\xbb\xbf{}",
            b"null",
            b'"tekst"',
        ]
    ),
)


def _operations(base: str) -> list[tuple[str, str]]:
    spec = httpx.get(base + "/docs/openapi.json").json()
    return [
        (method.upper(), path)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if "requestBody" in op or method in ("post", "put")
    ]


def test_raw_bodies_to_every_operation_get_no_5xx(fuzz_target: Target) -> None:
    base = fuzz_target.hub.url
    operations = _operations(base)
    conversation = sorted(fuzz_target.secrets)[0]

    @settings(
        max_examples=FUZZ_EXAMPLES * 3,
        deadline=None,
        database=None,
        phases=PHASES,
        suppress_health_check=list(HealthCheck),
    )
    @given(operation=st.sampled_from(operations), raw=RAW_BODIES)
    def send(operation: tuple[str, str], raw: bytes) -> None:
        method, template = operation
        path = template.replace("{conversation_id}", conversation).replace("{faq_id}", "x")
        headers = {**_auth(path, conversation), "Content-Type": "application/json"}
        r = httpx.request(method, base + path, content=raw, headers=headers, timeout=15)
        assert r.status_code < 500, f"{method} {path} {raw[:80]!r} -> {r.status_code} {r.text}"
        fuzz_target.assert_quiet_log(f"{method} {path} {raw[:80]!r}")

    send()


# ---- WebSocket frames -----------------------------------------------------------
