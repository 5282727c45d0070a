"""The student edition of every chapter runs in JupyterLab: see ``test_browser.py``."""

import pytest

from browser_support import (_JS_NOTEBOOK, NOTEBOOKS, _assert_prose_rendered, _open,  # noqa: F401
                             _shot, assert_hints_collapsed, browser, lab)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_student_edition_runs_and_renders_in_jupyterlab(browser, lab, path):
    ctx, page, log = _open(browser, lab, f"student/{path.name}")
    page.wait_for_function(f"() => {_JS_NOTEBOOK}.sessionContext.session?.kernel?.status === 'idle'",
                           timeout=90_000)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(f"""() => {{ const w = {_JS_NOTEBOOK};
        const code = w.content.widgets.filter(c => c.model.type === 'code');
        return w.sessionContext.session.kernel.status === 'idle'
            && code.every(c => c.model.executionCount !== null); }}""", timeout=300_000)
    outputs = page.evaluate(f"""() => {_JS_NOTEBOOK}.content.widgets
        .filter(c => c.model.type === 'code').flatMap(c => c.model.outputs.toJSON())""")
    errors = [o for o in outputs if o["output_type"] == "error"
              or (o["output_type"] == "stream" and o.get("name") == "stderr")]
    assert not errors, errors[:2]
    prose = _assert_prose_rendered(page, path.stem)
    text = "\n".join(prose)
    if "$" in path.read_text():
        assert page.locator(".jp-MarkdownCell .katex").count() > 0
    n_exercises = path.read_text().count("{exercise}")
    assert page.locator(".jp-MarkdownCell .myst-exercise").count() == n_exercises
    assert text.count("Exercise") >= n_exercises, "exercise boxes not rendered"
    assert_hints_collapsed(page, path.read_text().count("{dropdown} Hint"), "details.myst-dropdown", path.stem)
    assert_hints_collapsed(page, path.read_text().count("{dropdown} Going deeper"), "details.myst-dropdown",
                           path.stem, title="Going deeper")
    # every slider panel is live: moving one slider redraws its figure
    panels = page.locator(".jp-OutputArea .widget-vbox:has(.slider-hint)")
    stored = path.read_text().count('"application/vnd.jupyter.widget-view+json"')
    assert panels.count() == stored
    for i in range(panels.count()):
        panel = panels.nth(i)
        panel.scroll_into_view_if_needed()
        assert panel.locator(".slider-hint").inner_text().strip() == ""
        img = panel.locator(".widget-output img")
        before = img.get_attribute("src")
        handle = panel.locator(".widget-slider .noUi-handle").first
        at_max = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
        handle.focus()
        handle.press("ArrowLeft" if at_max else "ArrowRight")
        page.wait_for_function(
            """([p, before]) => { const im = p.querySelector('.widget-output img');
                 return (im && im.getAttribute('src') !== before)
                        || p.innerText.includes('Impossible setting'); }""",
            arg=[panel.element_handle(), before], timeout=30_000)
        assert "Traceback" not in panel.inner_text()
    assert not log["blocked"] and not log["failed"], (log["blocked"] + log["failed"])[:5]
    _shot(page, f"lab_student_{path.stem}")
    ctx.close()
