"""Property-based robustness: random mutations of a valid scenario never raise an uncaught
exception. Either the result validates and a tiny run succeeds, or validation fails with
:class:`~ipsim.errors.ScenarioErrors`, each one line ``file:line:column: key.path: message``.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ipsim.cli import main
from ipsim.errors import ScenarioErrors
from ipsim.model import measures, registry
from ipsim.report.outputs import write_run
from ipsim.scenario import schema
from ipsim.scenario.params import DISTRIBUTIONS
from ipsim.scenario.validate import load_scenario
from ipsim.scenario.yaml_loader import load_yaml
from ipsim.study.pipeline import run
from tests.scenario.texts import BASE_PATH, BASE_TEXT

BASE_DATA = load_yaml(BASE_PATH)[0]



def _settings(examples: int):
    """Few enough examples that the whole module runs in well under a minute."""
    return settings(max_examples=examples, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _key_paths(node, prefix=()):
    """Every key path (dict keys and list indices) of a loaded document."""
    items = node.items() if isinstance(node, dict) else \
        enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        yield prefix + (key,)
        yield from _key_paths(value, prefix + (key,))


KEY_PATHS = sorted(_key_paths(BASE_DATA), key=str)
KNOWN_WORDS = sorted({*(f.name for f in schema.top() + schema.policy_fields()
                        + schema.target_fields() + schema.TRANCHE + schema.MIDTERM),
                      *DISTRIBUTIONS, *registry.indicators(), *measures.names(), "dist",
                      "mean", "sd", "low", "high", "mode", "event", ">"})

texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**15, 10**15),
    st.floats(allow_nan=True, allow_infinity=True), texts,
    st.sampled_from(KNOWN_WORDS), st.sampled_from([0, 1, -1, 0.5, 12, 36, 1e9, 1e300]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.sampled_from(KNOWN_WORDS) | texts, inner,
                                        max_size=3), max_leaves=6)
names = st.sampled_from(KNOWN_WORDS) | texts
edits = st.one_of(
    st.tuples(st.just("delete"), st.sampled_from(KEY_PATHS)),
    st.tuples(st.just("set"), st.sampled_from(KEY_PATHS), values),
    st.tuples(st.just("rename"), st.sampled_from(KEY_PATHS), names),
)


def _apply(data, edit):
    """Apply one edit in place (a path made stale by an earlier edit is skipped)."""
    kind, path = edit[0], edit[1]
    parent = data
    for key in path[:-1]:
        try:
            parent = parent[key]
        except (KeyError, IndexError, TypeError):
            return
    last = path[-1]
    if not isinstance(parent, dict | list) or (isinstance(parent, dict) and last not in parent) \
            or (isinstance(parent, list) and not (isinstance(last, int) and last < len(parent))):
        return
    if kind == "delete":
        del parent[last]
    elif kind == "set":
        parent[last] = edit[2]
    elif isinstance(parent, dict):  # rename, keeping the order of the keys
        items = [(edit[2] if k == last else k, v) for k, v in parent.items()]
        parent.clear()
        parent.update(items)


def _check(text: str, tiny_run: bool = True) -> ScenarioErrors | None:
    """Validate ``text`` as a file and check the errors' form; if it is valid, run it on
    200 paths and write the tables. Returns the errors, or None when valid."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mutant.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            scenario = load_scenario(path)
        except ScenarioErrors as exc:
            assert exc.errors
            n_lines = text.count("\n") + 2
            for error in exc.errors:
                message = str(error)
                assert "\n" not in message and "\r" not in message
                where = re.escape(str(path))
                assert re.match(rf"^{where}(:\d+:\d+)?: \S.*?: \S", message), message
                assert error.line is None or 1 <= error.line <= n_lines, message
                assert error.message
            return exc
        if tiny_run:
            result = run([scenario], 200, 7, keep_paths=200)
            summary = write_run(result, Path(tmp) / "out", make_plots=False)
            assert all(0 <= t["probability"] <= 1 for t in summary["targets"])
            assert math.isfinite(summary["all_targets"]["probability"])
        return None


@_settings(50)
@given(st.lists(edits, min_size=1, max_size=3))
def test_edited_scenario_validates_or_fails_cleanly(edit_list):
    """Deleting keys, renaming them or giving them random values never crashes."""
    data = yaml.safe_load(yaml.safe_dump(BASE_DATA))  # a deep copy
    for edit in edit_list:
        _apply(data, edit)
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    event("invalid" if _check(text) else "valid: ran 200 paths")


def _get(data, path):
    for key in path:
        data = data[key]
    return data


NUMBER_PATHS = [p for p in KEY_PATHS if isinstance(_get(BASE_DATA, p), int | float)
                and not isinstance(_get(BASE_DATA, p), bool)]


@_settings(30)
@given(st.lists(st.tuples(st.sampled_from(NUMBER_PATHS),
                          st.sampled_from([0.0, 0.5, 0.9, 1.1, 2.0, -1.0])
                          | st.floats(0, 3)), min_size=1, max_size=4))
def test_scaled_numbers_run_or_fail_cleanly(scalings):
    """Numbers scaled (by 0 to 3, or negated) are either refused cleanly or, when valid, run
    without the model producing NaN or negative values (no ModelError)."""
    data = yaml.safe_load(yaml.safe_dump(BASE_DATA))
    for path, factor in scalings:
        value = _get(data, path) * factor
        _apply(data, ("set", path, int(value) if isinstance(_get(data, path), int) else value))
    text = yaml.safe_dump(data, sort_keys=False)
    event("invalid" if _check(text) else "valid: ran 200 paths")


_KEY_LINE = re.compile(r"^(\s*)([A-Za-z_]\w*):")
KEY_LINES = [i for i, line in enumerate(BASE_TEXT.splitlines()) if _KEY_LINE.match(line)]


@_settings(50)
@given(st.sampled_from(KEY_LINES), scalars)
def test_duplicated_key_is_reported(index, value):
    """A key given twice (the first time with any value) is a duplicate-key error on the
    line of the second, never a crash."""
    lines = BASE_TEXT.splitlines(keepends=True)
    indent, key = _KEY_LINE.match(lines[index]).groups()
    lines.insert(index, f"{indent}{key}: {yaml.safe_dump(value).splitlines()[0]}\n")
    errors = _check("".join(lines), tiny_run=False)
    assert errors is not None
    (error,) = errors.errors
    assert error.message.startswith("duplicate key") and error.line == index + 2


@_settings(60)
@given(st.integers(0, len(BASE_TEXT)))
def test_truncated_scenario_fails_cleanly(cut):
    """A file cut short anywhere (an editor crash, a partial copy) fails cleanly or, if the
    cut only loses optional text, still validates."""
    event("invalid" if _check(BASE_TEXT[:cut], tiny_run=False) else "valid")


@_settings(40)
@given(st.integers(0, len(BASE_TEXT)), st.text(min_size=1, max_size=4))
def test_junk_inserted_anywhere_fails_cleanly(at, junk):
    """Random characters typed anywhere in the file: through ``ipsim validate``, status 0
    or 2 and never a traceback."""
    text = BASE_TEXT[:at] + junk + BASE_TEXT[at:]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "typo.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        err, out = io.StringIO(), io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            status = main(["validate", str(path)])
    assert status in (0, 2)
    assert "Traceback" not in err.getvalue()
    if status == 0:
        assert out.getvalue() == f"{path}: ok\n"
    else:
        assert all(line.startswith(f"{path}:") for line in err.getvalue().splitlines())
