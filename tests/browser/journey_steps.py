"""Steps the browser journeys share: signing in, drawing a signature on the pad, checking a phone page
fits its screen, waiting for the page to reach a state."""
from __future__ import annotations

import re
from itertools import pairwise

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.builders.core import PASSWORD


def sign_in(page, live_url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{live_url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()


def evaluated(page, expression: str):
    """`expression` in the page, or None while the page is between two documents."""
    try:
        return page.evaluate(expression)
    except PlaywrightError:
        return None


def wait_until(page, condition, timeout_s: float = 15.0) -> None:
    """Let the page run (its timers, the route handlers) until `condition()` holds."""
    for _ in range(int(timeout_s * 10)):
        try:
            if condition():
                return
        except PlaywrightError:  # the page was between two documents: asked again
            pass
        page.wait_for_timeout(100)
    raise AssertionError("condition not met in time")


def fits_the_screen(page) -> None:
    """Nothing sticks out sideways: a phone page must not scroll horizontally."""
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"page is {widths[0]}px wide on a {widths[1]}px screen"


def sign_on_the_pad(page, *, touch: bool = False) -> None:
    """Draw a zigzag signature across the pad: a finger's touch events (through the DevTools protocol, as a
    touch screen sends them) or a mouse drag."""
    pad = page.get_by_test_id("signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    left, top, height = box["x"], box["y"], box["height"]
    points = [(left + 30 + step * 25, top + height * (0.75 - 0.45 * (step % 2))) for step in range(12)]
    if touch:
        cdp = page.context.new_cdp_session(page)
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": points[0][0], "y": points[0][1]}]})
        for (x0, y0), (x1, y1) in pairwise(points):
            for part in range(1, 5):
                x, y = x0 + (x1 - x0) * part / 4, y0 + (y1 - y0) * part / 4
                cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    else:
        page.mouse.move(*points[0])
        page.mouse.down()
        for point in points[1:]:
            page.mouse.move(*point, steps=4)
        page.mouse.up()
    expect(page.locator("#signature")).to_have_value(re.compile(r"^data:image/png;base64,"))
