"""The stored chapter notebooks and the student edition."""

import json
import re
import shutil
from pathlib import Path

import nbformat

import pytest
from nbclient import NotebookClient

from bookbuild import ROOT, toc_notebooks
from bookbuild.editions import EditionError, student_notebook, write_student_edition
from bookbuild.notebooks import exercise_labels, solution_labels
from helpers import CHAPTERS, selfcheck

NOTEBOOKS = toc_notebooks()
IDS = [p.stem for p in NOTEBOOKS]
CHAPTER = {notebook: name for name, notebook in CHAPTERS.items()}
_CHECK = re.compile(r'check\("([^"]+)"')


def test_toc_lists_exactly_the_notebooks_in_book():
    in_book = sorted(p.resolve() for p in (ROOT / "book").glob("*.ipynb"))
    assert sorted(p.resolve() for p in NOTEBOOKS) == in_book
    assert len(NOTEBOOKS) >= 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_stored_executed_without_errors_or_timestamps(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    assert code, "a chapter without code cells"
    for cell in code:
        assert cell.execution_count is not None, f"unexecuted cell: {cell.source[:60]!r}"
        assert "execution" not in cell.metadata, "per-cell timestamps stored"
        for out in cell.outputs:
            assert out.output_type != "error", f"stored error in {cell.source[:60]!r}"
            assert out.get("name") != "stderr", f"stderr output in {cell.source[:60]!r}: {out.text[:200]}"
    # executed in order, top to bottom, in one kernel session
    counts = [c.execution_count for c in code]
    assert counts == sorted(counts) and counts[0] == 1
    assert nb.metadata.kernelspec.name == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_widgets_have_saved_state(path):
    nb = nbformat.read(path, as_version=4)
    views = [o["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
             for c in nb.cells if c.cell_type == "code" for o in c.outputs
             if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    if not views:
        pytest.skip("no widgets in this chapter")
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    for mid in views:
        assert mid in state, f"widget {mid} has no saved state: blank on the website"
    # every slider panel's figure area was filled when the notebook was executed
    outputs = [s for s in state.values() if s["model_name"] == "OutputModel"]
    assert outputs and all(s["state"]["outputs"] for s in outputs)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_exercise_has_gated_solution_and_selfcheck(path):
    nb = nbformat.read(path, as_version=4)
    exercises, solutions = exercise_labels(nb), solution_labels(nb)
    assert exercises == solutions, "every exercise needs exactly one gated solution, in order"
    text = "\n".join(c.source for c in nb.cells)
    for key in _CHECK.findall(text):
        assert key in selfcheck.EXERCISES, f"check() of unknown exercise {key!r}"


_EXERCISE = re.compile(r"```\{exercise\}[^\n]*\n:label: (\S+)\n(.*?)\n```", re.S)


def _exercises_and_what_follows(nb):
    """(label, exercise text, markdown between the exercise and its solution)."""
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for m in _EXERCISE.finditer(text):
        start = text.find(f"{{solution-start}} {m.group(1)}", m.end())
        yield m.group(1), m.group(2), text[m.end():start]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_exercise_gives_hints_before_its_solution_and_says_its_precision(path):
    """Graded hints (collapsed ``{dropdown} Hint 1``, ``Hint 2``) between an exercise and its
    gated solution; the exercise text says how precisely to answer."""
    nb = nbformat.read(path, as_version=4)
    found = list(_exercises_and_what_follows(nb))
    assert len(found) == len(exercise_labels(nb))
    for label, body, between in found:
        hints = re.findall(r"```\{dropdown\} Hint (\d)", between)
        assert hints and hints == [str(i + 1) for i in range(len(hints))] and len(hints) <= 2, label
        said = re.search(r"decimal|significant digit|\bto (?:0\.0*1|1|10)\b", body)
        assert said, f"{label}: the exercise does not say to what precision to answer"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_a_cell_with_two_checks_shows_both(path):
    """check() shows its own verdict in a notebook, once per call: every call of a cell
    shows, and printing one again would show it twice."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and "check(" in cell.source:
            assert "print(check(" not in cell.source
            calls = sum(line.lstrip().startswith("check(") or "= check(" in line
                        for line in cell.source.splitlines())
            text = "".join(out.get("text", "") + out.get("data", {}).get("text/plain", "")
                           for out in cell.get("outputs", []))
            verdicts = sum(line.startswith(("✓ ", "✗ ")) for line in text.splitlines())
            assert verdicts == calls, cell.source


def test_one_name_per_chapter():
    """Each chapter's name (``helpers.CHAPTERS``) names its notebook's module, figures,
    exercise answers and tests."""
    import importlib

    assert sorted(CHAPTER) == sorted(IDS)
    for name in CHAPTERS:
        for module in (f"helpers.{name}", f"helpers.figures.{name}", f"helpers.exercises.{name}"):
            importlib.import_module(module)
        assert list((ROOT / "tests").glob(f"test_{name}*.py")), f"no tests/test_{name}*.py"


_TARGET = re.compile(r"^\(([^()\s]+)\)=\s*$", re.M)          # (label)=
_OPTION = re.compile(r"^:(?:label|name):\s*(\S+)", re.M)         # :label: / :name: of a directive


def anchors(nb) -> list[str]:
    """Every label a chapter defines: MyST targets, ``:label:``/``:name:`` options of
    directives and the names of figures made from code cells (``mystnb.figure.name``)."""
    found = []
    for cell in nb.cells:
        found += _TARGET.findall(cell.source) + _OPTION.findall(cell.source)
        figure = cell.metadata.get("mystnb", {}).get("figure", {})
        if "name" in figure:
            found.append(figure["name"])
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_label_starts_with_the_chapter_name(path):
    """Figures, exercises and every other target of a chapter are ``<name>-...``."""
    name = CHAPTER[path.stem]
    labels = anchors(nbformat.read(path, as_version=4))
    assert labels, f"{path.name} defines no label"
    wrong = [label for label in labels if not label.startswith(f"{name}-")]
    assert not wrong, f"{path.name}: labels not starting with {name}-: {wrong}"
    assert len(labels) == len(set(labels)), "a label defined twice"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_glue_keys_labels_and_check_keys_carry_the_chapter_name(path):
    """Glued numbers are ``<name>_...``; an exercise's label is ``<name>-...`` and each check
    in it has the label as its key, or the label, a dash and a part name (one exercise,
    several checks); the chapter uses exactly its own module's check keys."""
    import importlib

    from bookbuild.editions import glue_values

    name = CHAPTER[path.stem]
    nb = nbformat.read(path, as_version=4)
    assert all(k.startswith(f"{name}_") for k in glue_values(nb)), name
    labels = exercise_labels(nb)
    assert labels and all(label.startswith(f"{name}-") for label in labels)
    current, used = None, set()
    for cell in nb.cells:
        if cell.cell_type == "markdown" and exercise_labels(nbformat.v4.new_notebook(cells=[cell])):
            current = exercise_labels(nbformat.v4.new_notebook(cells=[cell]))[-1]
        for key in _CHECK.findall(cell.source):
            assert current and (key == current or key.startswith(f"{current}-")), (
                f"check {key!r} in exercise {current!r}")
            used.add(key)
    assert used == set(importlib.import_module(f"helpers.exercises.{name}").EXERCISES)


def test_every_selfcheck_is_used_by_a_chapter():
    text = "\n".join(p.read_text() for p in NOTEBOOKS)
    unused = [k for k in selfcheck.EXERCISES if f'check(\\"{k}\\"' not in text]
    assert not unused, f"self-checks no chapter uses: {unused}"


def test_student_notebook_removes_solutions_and_outputs():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("```{exercise}\n:label: ex-a\nDo it.\n```"),
        nbformat.v4.new_markdown_cell("```{solution-start} ex-a\n:class: dropdown\n```"),
        nbformat.v4.new_code_cell("secret = 42", outputs=[nbformat.v4.new_output("stream", text="x")]),
        nbformat.v4.new_markdown_cell("```{solution-end}\n```"),
        nbformat.v4.new_code_cell("print(1)", execution_count=3,
                                  outputs=[nbformat.v4.new_output("stream", text="1\n")]),
    ])
    nb.metadata["widgets"] = {"state": {}}
    out = student_notebook(nb)
    src = [c.source for c in out.cells]
    assert not any("secret" in s or "solution-start" in s for s in src)
    assert any("your solution" in s for s in src)
    assert all(not c.get("outputs") for c in out.cells if c.cell_type == "code")
    assert out.cells[-1].execution_count is None and "widgets" not in out.metadata


def test_student_notebook_rejects_unclosed_solution():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("```{solution-start} ex-a\n```"),
        nbformat.v4.new_code_cell("x = 1")])
    with pytest.raises(EditionError, match="solution-end"):
        student_notebook(nb)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_student_edition_runs_top_to_bottom(path, tmp_path):
    [written] = write_student_edition(tmp_path, [path])
    student = nbformat.read(written, as_version=4)
    original = nbformat.read(path, as_version=4)
    n_solutions = len(solution_labels(original))
    blanks = [c for c in student.cells if "your-solution" in c.metadata.get("tags", [])]
    assert len(blanks) == n_solutions
    assert not solution_labels(student)
    assert all(not c.outputs for c in student.cells if c.cell_type == "code")
    if shutil.which("chromium") or shutil.which("chromium-browser"):
        # tests/test_browser_lab.py runs this same edition in JupyterLab and fails on any
        # error or stderr output: running it here as well would double the suite's
        # longest part for no extra check
        pytest.skip("executed by tests/test_browser_lab.py in JupyterLab")
    NotebookClient(student, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for c in student.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors


def test_student_notebook_keeps_text_sharing_a_cell_with_solution_fences():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("Intro.\n\n```{solution-start} ex-a\n:class: dropdown\n```\n\nHidden text."),
        nbformat.v4.new_code_cell("secret = 1"),
        nbformat.v4.new_markdown_cell("More hidden.\n```{solution-end}\n```\n\n```{exercise}\n:label: ex-b\nNext.\n```"),
        nbformat.v4.new_markdown_cell("```{solution-start} ex-b\n```\nHidden b.\n```{solution-end}\n```"),
    ])
    out = student_notebook(nb)
    text = "\n".join(c.source for c in out.cells)
    assert "Intro." in text and "ex-b" in text and "Next." in text
    assert "Hidden" not in text and "secret" not in text
    assert sum("your-solution" in c.metadata.get("tags", []) for c in out.cells) == 2
    assert exercise_labels(out) == ["ex-b"] and not solution_labels(out)


# ------------------------------------------------------------- the JupyterLab editions
from bookbuild.citations import CitationError, citation_text  # noqa: E402
from bookbuild.editions import full_notebook, glue_values, lab_markdown  # noqa: E402

_RAW_MYST = re.compile(r"\{(glue|cite)[^}]*\}`|solution-start|solution-end")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_editions_write_out_every_glued_number_and_citation(path):
    from bookbuild.editions import split_solutions

    nb = nbformat.read(path, as_version=4)
    values = glue_values(nb)
    role = re.compile(r"\{glue:text\}`([^`:]+):?([^`]*)`")
    for keep, edition in ((False, student_notebook(nb)), (True, full_notebook(nb))):
        # the glue roles in the markdown this edition keeps (the student edition drops
        # the solutions, and with them their numbers)
        kept = [cell.source for cell, _ in split_solutions(nb, keep=keep)
                if cell is not None and cell.cell_type == "markdown"]
        roles = [(m.group(1), m.group(2) or "") for src in kept for m in role.finditer(src)]
        prose = "\n".join(c.source for c in edition.cells if c.cell_type == "markdown")
        assert not _RAW_MYST.search(prose), _RAW_MYST.search(prose).group(0)
        for key, spec in roles:
            assert key in values, f"glue key {key} has no stored value"
            assert format(values[key], spec) in prose, key


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_full_edition_keeps_every_solution_in_a_box(path):
    nb = nbformat.read(path, as_version=4)
    full = full_notebook(nb)
    boxes = [c for c in full.cells if c.cell_type == "markdown" and ":::{solution}" in c.source]
    labels = solution_labels(nb)
    assert sorted({re.search(r":::\{solution\} (\S+)", c.source).group(1) for c in boxes}) == sorted(labels)
    book_code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert [c.source for c in full.cells if c.cell_type == "code"] == book_code
    # outputs and the stored sliders are kept; hidden-on-the-website cells are collapsed
    assert full.metadata.get("widgets") == nb.metadata.get("widgets")
    for c in full.cells:
        if c.cell_type == "code" and {"hide-input", "remove-cell"} & set(c.metadata.get("tags", [])):
            assert c.metadata["jupyter"]["source_hidden"] is True


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_editions_caption_every_figure(path):
    nb = nbformat.read(path, as_version=4)
    figures = [c for c in nb.cells if c.cell_type == "code"
               and any("image/png" in o.get("data", {}) for o in c.outputs)]
    for c in figures:
        fig = c.metadata.get("mystnb", {})
        assert len(fig.get("figure", {}).get("caption", "")) > 40, c.source[:60]
        assert len(fig.get("image", {}).get("alt", "")) > 40, c.source[:60]
    full = full_notebook(nb)
    captions = [c for c in full.cells if "figure-caption" in c.metadata.get("tags", [])]
    assert len(captions) == len(figures)


def test_lab_markdown_formats_like_the_website_and_refuses_unknown_keys():
    values = {"x": 80450.56, "w": -0.605}
    assert lab_markdown("m = {glue:text}`x:.1f` and {glue:text}`w:.2f`", values) == "m = 80450.6 and -0.60"
    assert lab_markdown("{cite}`lyons1988`", {}) == "[Lyons et al., 1988]"
    assert citation_text("james1975", "t") == "James and Roos [1975]"
    assert citation_text("cowan1998,valassi2003") == "[Cowan, 1998; Valassi, 2003]"
    with pytest.raises(EditionError, match="nope"):
        lab_markdown("{glue:text}`nope:.1f`", values)
    with pytest.raises(CitationError, match="not in references.bib"):
        citation_text("nobody2024")


def test_write_editions_refuses_an_empty_list(tmp_path):
    with pytest.raises(EditionError, match="no notebooks"):
        write_student_edition(tmp_path, [])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_backtick_fence_with_a_backtick_in_its_title(path):
    """CommonMark does not open a backtick fence whose info string holds a backtick: such
    a directive silently turns the rest of the cell into a code block (it happened to a
    pitfall box titled with `DataFrame.append`). Use a colon fence for such titles."""
    nb = nbformat.read(path, as_version=4)
    bad = [line for c in nb.cells if c.cell_type == "markdown" for line in c.source.splitlines()
           if re.match(r"^`{3,}(?!`).*`", line)]
    assert not bad, bad


_ROLE = re.compile(r"\{glue:text\}`([^`:]+):?([^`]*)`")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_prose_prints_every_glued_number_as_stored(path):
    """Each number is rounded once, by ``glue_number``, to what the reader sees: the
    prose's format prints the stored value unchanged (no second rounding, no digits the
    reader is not shown and another machine would not reproduce), and every glued number
    is used by the prose."""
    nb = nbformat.read(path, as_version=4)
    values = glue_values(nb)
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    used = set()
    for m in _ROLE.finditer(prose):
        key, spec = m.group(1), m.group(2)
        assert spec, f"{key}: a glued number is printed with an explicit format"
        used.add(key)
        stored = values[key]
        assert float(format(stored, spec.replace(",", ""))) == stored, (
            f"{key}: stored {stored!r} is rounded again by the prose's {spec!r}; glue it "
            f"with glue_number({key!r}, value, {spec!r})")
        assert not (stored == 0 and str(stored).startswith("-")), f"{key}: stored as -0"
    assert sorted(set(values) - used) == [], "glued but never shown"



def test_a_going_deeper_code_cell_is_collapsed_in_the_editions():
    """A code cell tagged ``hide-cell`` (the code of a "Going deeper" block) is collapsed on
    the website by Jupyter Book; the JupyterLab editions collapse its source and outputs."""
    from bookbuild.editions import full_notebook
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("1 + 1", metadata={"tags": ["hide-cell"]}),
                nbformat.v4.new_code_cell("2 + 2")]
    cells = full_notebook(nb).cells
    assert cells[0].metadata["jupyter"] == {"source_hidden": True, "outputs_hidden": True}
    assert "jupyter" not in cells[1].metadata


def test_the_caption_of_a_collapsed_figure_is_collapsed_and_not_read_on_the_core_path(tmp_path):
    """A hide-cell figure's caption cell is collapsed in the editions (on the website it sits
    inside the collapsed cell) and ``python -m bookbuild words`` counts it off the core path."""
    from bookbuild.budget import reading
    from bookbuild.editions import full_notebook

    def figure(tags):
        return nbformat.v4.new_code_cell("plt.show()", metadata={
            "tags": tags, "mystnb": {"figure": {"caption": "three caption words"}}})

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("Two words."), figure(["hide-cell"]), figure([])]
    cells = full_notebook(nb).cells
    captions = [c for c in cells if "figure-caption" in c.metadata.get("tags", [])]
    assert [c.metadata.get("jupyter", {}).get("source_hidden", False) for c in captions] == [True, False]
    path = tmp_path / "chapter.ipynb"
    nbformat.write(nb, path)
    r = reading(path)
    assert (r.core_words, r.words) == (2 + 4, 2 + 4 + 4)     # "Figure." counts as a word
