"""WebRTC settings: which STUN/TURN servers the live page offers the browser.

On localhost no ICE server is needed (``{"iceServers": []}``, the default),
and none is contacted. When the app is hosted remotely, the browser and the
server usually sit behind NATs and need STUN, often TURN. Set either:

- the environment variable ``FORMCHECK_ICE_SERVERS`` to a JSON list, e.g.
  ``[{"urls": ["stun:stun.example.org:3478"]},
  {"urls": "turn:turn.example.org:3478", "username": "u", "credential": "p"}]``;
- or ``ice_servers`` in ``.streamlit/secrets.toml`` (same shape, as TOML tables).

The environment variable wins when both are set.

>>> rtc_configuration({})
{'iceServers': []}
>>> rtc_configuration({"FORMCHECK_ICE_SERVERS": '[{"urls": "stun:stun.example.org"}]'})
{'iceServers': [{'urls': 'stun:stun.example.org'}]}
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from formcheck.errors import FormcheckError

ICE_ENV = "FORMCHECK_ICE_SERVERS"
SECRETS_KEY = "ice_servers"


class RtcConfigError(FormcheckError):
    """The ICE server setting is malformed; the message says where and how."""


def _validate(servers: object, where: str) -> list[dict[str, Any]]:
    if not isinstance(servers, list):
        got = type(servers).__name__
        raise RtcConfigError(f"{where}: expected a list of ICE servers, got {got}")
    checked = []
    for i, server in enumerate(servers):
        if not isinstance(server, Mapping):
            raise RtcConfigError(
                f"{where}[{i}]: expected a table with urls, got {type(server).__name__}"
            )
        urls = server.get("urls")
        ok = isinstance(urls, str) or (
            isinstance(urls, list) and urls and all(isinstance(u, str) for u in urls)
        )
        if not ok:
            raise RtcConfigError(
                f'{where}[{i}].urls: expected a URL or a list of URLs like "stun:host:3478", '
                f"got {urls!r}"
            )
        checked.append(dict(server))
    return checked


def rtc_configuration(
    env: Mapping[str, str], secrets: Mapping[str, Any] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """The ``rtc_configuration`` for ``webrtc_streamer`` from ``env`` or Streamlit secrets.

    Raises `RtcConfigError` naming the setting when it is malformed.
    """
    raw = env.get(ICE_ENV, "").strip()
    if raw:
        try:
            servers = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise RtcConfigError(f"{ICE_ENV}: not JSON ({exc.msg} at column {exc.colno})") from None
        return {"iceServers": _validate(servers, ICE_ENV)}
    if secrets is not None and SECRETS_KEY in secrets:
        servers = [dict(s) if isinstance(s, Mapping) else s for s in secrets[SECRETS_KEY]]
        return {"iceServers": _validate(servers, f"secrets.toml: {SECRETS_KEY}")}
    return {"iceServers": []}
