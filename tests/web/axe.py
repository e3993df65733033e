"""axe-core (vendored from the npm registry: tests/web/vendor/axe-<version>.min.js, MPL-2.0) run on a page in
the browser tests: WCAG 2.1 A and AA rules; any violation fails the test with the rule, its impact and the
first elements it names."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

VENDOR = Path(__file__).parent / "vendor"
AXE_VERSION = "4.10.2"
RULESETS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@cache
def axe_source() -> str:
    return (VENDOR / f"axe-{AXE_VERSION}.min.js").read_text(encoding="utf-8")


def violations(page: Any) -> list[dict[str, Any]]:
    """The axe-core violations of the page as it is now (evaluated over the DevTools protocol, so the
    page's own Content-Security-Policy does not stop it)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    result: dict[str, Any] = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        RULESETS,
    )
    return list(result["violations"])


def describe(found: list[dict[str, Any]], where: str) -> str:
    lines = [f"axe-core violations on {where}:"]
    for v in found:
        targets = ", ".join(str(n["target"]) for n in v["nodes"][:3])
        lines.append(f"  {v['id']} ({v['impact']}): {v['help']} – {targets}")
    return "\n".join(lines)


def assert_accessible(page: Any, where: str = "") -> None:
    found = violations(page)
    assert not found, describe(found, where or page.url)
