"""The README's runnable blocks, read as a user reads them.

Every fenced block whose info string is exactly ``sh`` is a list of commands the
tour runs in order, in one shell state (exported variables carry over). Blocks
marked ``shell`` (one-time setup, other machines) are shown, not run.

A command's trailing comment may carry directives a reader understands too:

- ``# exit 1`` (anywhere in the comment): the command is expected to exit 1;
  without it, 0;
- ``# → <name>``: the command prints what later commands write as ``<name>``:
  the whole output (stripped), or ``→ <name> = .field.sub`` a field of the JSON
  it prints, or ``→ <name> = /regex/`` the regex's first group.

Placeholders are ``<lowercase words>``; one the tour never bound fails the test.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Capture", "Command", "bind", "commands", "substitute"]

_FENCE = re.compile(r"^```(\S*)\s*$")
_PLACEHOLDER = re.compile(r"<([a-z][a-z0-9 -]*[a-z0-9])>")
_EXIT = re.compile(r"\bexit (\d+)\b")
_CAPTURE = re.compile(r"→\s*<([a-z][a-z0-9 -]*[a-z0-9])>(?:\s*=\s*(\.[\w.]+|/.+/))?")


@dataclass(frozen=True)
class Capture:
    name: str
    how: str | None  # None: the whole output; ".a.b": a JSON field; "/re/": a regex group


@dataclass(frozen=True)
class Command:
    line: int  # where it starts in the README
    text: str  # the shell command, without its trailing comment
    exit_code: int = 0
    captures: tuple[Capture, ...] = field(default_factory=tuple)


def _split_comment(logical: str) -> tuple[str, str]:
    """The command and its trailing comment (a ``#`` after blank, outside quotes)."""
    quote = ""
    for i, ch in enumerate(logical):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or logical[i - 1] in " \t"):
            return logical[:i].rstrip(), logical[i + 1 :].strip()
    return logical.rstrip(), ""


def commands(readme: Path) -> list[Command]:
    """The commands of every ``sh`` block, in order."""
    out: list[Command] = []
    lines = readme.read_text(encoding="utf-8").splitlines()
    in_block, runnable = False, False
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(lines, start=1):
        fence = _FENCE.match(raw.strip())
        if fence:
            in_block, runnable = (not in_block), (not in_block and fence.group(1) == "sh")
            continue
        if not (in_block and runnable):
            continue
        if not pending:
            start = number
            if not raw.strip() or raw.lstrip().startswith("#"):
                continue
        body, comment = _split_comment(raw)
        if body.endswith("\\"):
            pending.append(body[:-1].rstrip())
            continue
        text = " ".join([*pending, body.strip()]).strip()
        pending = []
        code = _EXIT.search(comment)
        captures = tuple(Capture(m.group(1), m.group(2)) for m in _CAPTURE.finditer(comment))
        out.append(Command(start, text, int(code.group(1)) if code else 0, captures))
    return out


def substitute(text: str, bound: dict[str, str]) -> tuple[str, list[str]]:
    """The command with its placeholders filled in, and the names nobody bound."""
    missing: list[str] = []

    def fill(m: re.Match[str]) -> str:
        if m.group(1) in bound:
            return bound[m.group(1)]
        missing.append(m.group(1))
        return m.group(0)

    return _PLACEHOLDER.sub(fill, text), missing


def bind(capture: Capture, stdout: str) -> str:
    """What a capture takes from a command's output."""
    if capture.how is None:
        return stdout.strip()
    if capture.how.startswith("/"):
        found = re.search(capture.how[1:-1], stdout, re.M)
        if not found:
            raise ValueError(f"{capture.how} not found in the output")
        return found.group(1)
    value: Any = json.loads(stdout)
    for part in capture.how.strip(".").split("."):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return str(value)
