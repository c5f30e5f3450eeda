"""axe-core and layout checks for the journeys: on every page load and after every htmx swap.

`Audit.attach(page)` injects axe-core (bundled by axe-playwright-python) into every document the
page opens, and a few lines that run it on `load` and on `htmx:afterSettle`, each time also
checking that nothing overflows sideways. Findings come back to Python through an exposed
function; `Audit.finish()` audits the last page once more and returns everything found. axe-core
needs the page's JavaScript (its promises never settle without it), so with JavaScript off only
the sideways-scrolling check runs, on the last page; the js-on runs audit the same HTML.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

import axe_playwright_python
from playwright.sync_api import Locator, Page

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
AXE_SOURCE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()

AUDIT = """
(() => {
  if (window.__audit) return;
  let running = Promise.resolve([]);
  let queued = false;  // One swap settles several elements (the target and each OOB part).
  const options = {runOnly: {type: "tag", values: WCAG_TAGS}, resultTypes: ["violations"]};
  const context = {exclude: EXCLUDE};
  window.__audit = (when) => {
    if (queued) return running;
    queued = true;
    running = running.then(async () => {
      queued = false;
      const results = await axe.run(context, options);
      const wide = document.documentElement.scrollWidth > window.innerWidth;
      const found = results.violations.map((v) => ({
        id: v.id, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
      }));
      if (wide) found.push({id: "horizontal-overflow", help: "the page scrolls sideways",
        nodes: [`scrollWidth ${document.documentElement.scrollWidth} > ${window.innerWidth}`]});
      const here = location.pathname + location.search;
      if (window.__axeReport) await window.__axeReport(here, when, found);
      return found;
    }).catch(() => []);
    return running;
  };
  window.addEventListener("load", () => window.__audit("load"));
  document.addEventListener("htmx:afterSettle", () => window.__audit("swap"));
})();
""".replace("WCAG_TAGS", json.dumps(WCAG_22_AA))


@dataclass
class Audit:
    page: Page
    js: bool = True
    exclude: tuple[str, ...] = ()
    audits: int = 0
    problems: list[str] = field(default_factory=list)

    def attach(self) -> "Audit":
        if not self.js:
            return self
        self.page.expose_function("__axeReport", self._report)
        script = AUDIT.replace("EXCLUDE", json.dumps([[s] for s in self.exclude]))
        self.page.add_init_script(script=AXE_SOURCE + script)
        return self

    def _report(self, url: str, when: str, found: list[dict]) -> None:
        self.audits += 1
        for v in found:
            self.problems.append(f"{url} ({when}): {v['id']}: {v['help']} {v['nodes']}")

    def finish(self) -> list[str]:
        """Audit the current page (injecting axe if JavaScript is off) and return all findings."""
        if self.page.is_closed() or self.page.url.startswith("about:"):
            return self.problems
        if not self.js:
            width = self.page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
            if width[0] > width[1]:
                self.problems.append(f"{self.page.url}: horizontal-overflow {width}")
            return self.problems
        self.page.evaluate("window.__audit('end')")
        return self.problems


def assert_in_first_viewport(locator: Locator) -> None:
    """The element is visible without scrolling: its bottom edge is inside the first screen."""
    box = locator.bounding_box()
    height = locator.page.viewport_size["height"]
    assert box is not None and box["y"] + box["height"] <= height, (box, height)


def disclose(details: Locator) -> None:
    """Open a <details> disclosure unless it is open, or shown anyway (wide screens).

    Waits for the network to settle first: after Back, htmx may still be swapping the page in.
    """
    details.page.wait_for_load_state("networkidle")
    shown = details.evaluate(
        "d => d.open || getComputedStyle(d.querySelector('summary')).display === 'none'"
    )
    if not shown:
        details.locator("summary").click()
