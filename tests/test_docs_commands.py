"""Executable documentation: every command shown in README.md and docs/**/*.md runs.

One test per fenced block (``README.md:59`` names the doc and the line of the block);
each command of the block runs as a real subprocess in a scratch directory, in order,
shrunk the same way every time. The rules -- which lines are commands, how they are
shrunk, what ``<date_time>``/``<run>``/``<run dir>``/``RUN_DIR`` become, how user paths such
as ``~/faces`` or ``poems.txt`` are provided, the visible ``# docs-test: compose-only (why)``
marker for commands that cannot run offline, and how shown output is compared -- are
written out in ``tests/docs_commands.py`` (extraction, shrinking), ``tests/docs_runner.py``
(running) and ``tests/docs_inputs.py`` (synthetic inputs), and summarised in docs/README.md.

``python tests/docs_commands.py`` lists every extracted command and what the test runs.
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the helper modules beside this file (pytest runs in importlib mode)

from docs_commands import (  # noqa: E402
    REPO,
    Block,
    collect_blocks,
    console_scripts,
    inline_run_commands,
    markdown_files,
    parse_markdown,
    shrink_run,
)
from docs_runner import (  # noqa: E402
    check_block,
    check_file,
    is_domain_doc,
    known_failures,
    missing_output,
    run_block,
    session_dir,
)

#: built-in domains these tests run (tests/conftest.py skips them when one is not installed)
PLUGINS = ("images", "audio", "midi", "graphs", "poetry", "oracle", "molecules", "points")

BLOCKS = collect_blocks()
INLINE = [cmd for doc in markdown_files() for cmd in inline_run_commands(doc)]
# docs/domains and docs/examples run in tests/test_docs_domains_commands.py: under
# ``pytest -n 2 --dist loadfile`` (nox -s tests) the two files run on the two workers
OWN_BLOCKS = [b for b in BLOCKS if not is_domain_doc(b.doc)]


@pytest.mark.parametrize("block", known_failures(OWN_BLOCKS), ids=[b.id for b in OWN_BLOCKS])
def test_documented_commands_run(block, tmp_path):
    check_block(block, tmp_path, BLOCKS)


@pytest.mark.parametrize("cmd", INLINE, ids=[c.where for c in INLINE])
def test_inline_commands_compose(cmd, tmp_path):
    """A complete ``gan-run ...`` quoted in prose at least composes."""
    result = run_block(Block(cmd.doc, cmd.line, [cmd], []), tmp_path)
    assert not result.failures, "\n\n".join(result.failures)
    assert result.ran and "--cfg" in result.ran[0][1]


def test_every_doc_with_commands_is_collected():
    """Guards the extraction itself: the README's headline commands are found."""
    files = {b.doc.name for b in BLOCKS}
    assert {"README.md", "quickstart.md", "images.md", "sweeps.md"} <= files
    readme = [c.text for b in BLOCKS if b.doc == REPO / "README.md" for c in b.commands]
    assert "gan-run domain=audio model=wavegan" in readme
    assert any(t.startswith("gan-sample outputs/images/dcgan/<date_time>") for t in readme)
    assert {"gan-run", "gan-sample", "gan-plugins", "gan-new-plugin", "gan-images-evaluator"} <= console_scripts()


def test_extraction_rules(tmp_path):
    doc = tmp_path / "x.md"
    doc.write_text(
        "text `gan-run domain=inline` is prose\n"
        "```bash\n"
        "# a comment\n"
        "gan-run domain=images \\\n"
        "    model=dcgan     # trailing comment\n"
        "pip install something\n"
        "OMP_NUM_THREADS=2 gan-sample outputs/images/dcgan/<date_time> n=64\n"
        "# docs-test: compose-only (needs 4 GPUs)\n"
        "gan-run domain=images trainer=ddp trainer.devices=4\n"
        "gan-run domain=images model=dcgan trainer.devices=8  # docs-test: compose-only (needs 8 GPUs)\n"
        "```\n"
        "```console\n"
        "$ gan-plugins\n"
        "images  dcgan, wgan-gp\n"
        "$ gan-sample <run dir> n=2\n"
        "```\n"
        "```python\n"
        "gan-run domain=not-shell\n"
        "```\n"
        "```\n"
        "gan-run: error: an error message is not a command\n"
        "```\n")
    blocks = parse_markdown(doc, {"gan-run", "gan-sample", "gan-plugins"})
    assert [b.line for b in blocks] == [2, 12]
    cmds = blocks[0].commands
    assert [c.line for c in cmds] == [4, 7, 9, 10]
    assert cmds[0].argv == ["gan-run", "domain=images", "model=dcgan"]
    assert cmds[1].env == {"OMP_NUM_THREADS": "2"}
    assert cmds[1].argv == ["gan-sample", "@RUN[outputs/images/dcgan/]@", "n=64"]
    assert cmds[2].compose_only == "needs 4 GPUs" and cmds[3].compose_only == "needs 8 GPUs"
    assert cmds[0].compose_only is None and cmds[1].compose_only is None
    assert blocks[0].others == ["pip install something"]
    plugins, sample = blocks[1].commands
    assert plugins.expected == ["images  dcgan, wgan-gp"] and sample.argv == ["gan-sample", "@RUN[]@", "n=2"]


def test_marker_without_reason_is_an_error(tmp_path):
    doc = tmp_path / "x.md"
    doc.write_text("```bash\n# docs-test: compose-only\ngan-run domain=images\n```\n")
    (cmd,) = parse_markdown(doc, {"gan-run"})[0].commands
    assert cmd.error and "compose-only (why)" in cmd.error


def test_shrink_rules():
    assert shrink_run(["domain=images", "debug=none", "trainer.max_steps=20000"]) == [
        "domain=images", "trainer.max_steps=2", "debug=smoke"]
    assert shrink_run(["domain=images", "trainer.max_steps=1"]) == ["domain=images", "trainer.max_steps=1", "debug=smoke"]
    assert shrink_run(["resume=RUN", "trainer.max_steps=20000"]) == ["resume=RUN", "trainer.max_steps=4"]
    assert shrink_run(["resume=RUN"]) == ["resume=RUN"]
    assert shrink_run(["-m", "domain=images", "model=dcgan,wgan-gp", "optim.lr_g=1e-4,2e-4", "seed=0,1",
                       "optim.betas=[0.5,0.9]"]) == [
        "-m", "domain=images", "model=dcgan,wgan-gp", "optim.lr_g=1e-4", "seed=0", "optim.betas=[0.5,0.9]",
        "debug=smoke", "trainer.max_steps=2"]
    assert "search.n_trials=2" in shrink_run(["-m", "domain=images", "search=optuna", "search.n_trials=30"])
    assert shrink_run(["domain=images", "--cfg", "job"]) == ["domain=images", "--cfg", "job"]


def test_shown_output_comparison():
    out = "┃ domain ┃ models ┃\n│ images │ dcgan, cgan │\nwrote 4 file(s) to /tmp/x/generated\n"
    assert missing_output(["domain   models", "images dcgan, cgan", "wrote 4 file(s) to <dir>"], out) is None
    assert missing_output(["images ... cgan"], out) is None
    assert missing_output(["images dcgan, wgan-gp"], out) == "images dcgan, wgan-gp"
    assert missing_output(["wrote 4 file(s)", "images"], out) == "images"  # order matters


def test_the_checker_reports_broken_commands(tmp_path):
    """Test the tester: broken documented commands in a Markdown file are reported by line."""
    doc = tmp_path / "broken.md"
    doc.write_text(
        "# A broken page\n\n"
        "```bash\n"
        "gan-run domain=images model=no-such-model      # a model that does not exist\n"
        "# docs-test: compose-only (needs a GPU)\n"
        "gan-run domain=images data.no_such_key=1\n"
        "gan-run domain=images data.path=~/an-undocumented-folder\n"
        "```\n\n"
        "```console\n"
        "$ gan-plugins\n"
        "no-such-domain   some-model\n"
        "```\n")
    result = check_file(doc, tmp_path / "work")
    text = "\n".join(result.failures)
    assert len(result.failures) == 4, text
    assert "broken.md:4" in text and "no-such-model" in text
    assert "broken.md:6" in text and "--cfg job" in text and "no_such_key" in text
    assert "broken.md:7" in text and "tests/docs_inputs.py" in text
    assert "broken.md:11" in text and "no-such-domain   some-model" in text


def _demo_args() -> list[str]:
    """The ``gan-run`` arguments of noxfile.py's ``demo`` session, read from its source."""
    tree = ast.parse((REPO / "noxfile.py").read_text())
    demo = next(f for f in ast.walk(tree) if isinstance(f, ast.FunctionDef) and f.name == "demo")
    for call in ast.walk(demo):
        if isinstance(call, ast.Call) and getattr(call.func, "attr", "") == "run":
            words = [a.value for a in call.args if isinstance(a, ast.Constant)]
            if words and words[0] == "gan-run":
                return words
    raise AssertionError("noxfile.py's demo session runs no gan-run")


def test_readme_demo_shortened(tmp_path, run_cli):
    """README set-up command 1 (``nox -s demo``), shortened: the demo's own gan-run, 20 steps."""
    args = _demo_args()
    assert args[:3] == ["gan-run", "domain=images", "model=dcgan"]
    res = run_cli(*args, "trainer.max_steps=20", cwd=tmp_path, timeout=900,
                  env={"OMP_NUM_THREADS": "1", "GANFORGE_CACHE_DIR": str(session_dir("cache"))})
    assert res.returncode == 0, res.stderr[-3000:]
    (run_dir,) = [p.parent for p in (tmp_path / "outputs").rglob(".hydra")]
    assert run_dir.relative_to(tmp_path).parts[:3] == ("outputs", "images", "dcgan")  # as the README says
    assert json.loads((run_dir / "status.json").read_text())["status"] == "ok"
    assert (run_dir / "checkpoints" / "last.ckpt").is_file()
    assert sorted(p.name for p in (run_dir / "samples").iterdir()), "no sample grid"
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["g_step"] == 20
    assert any(k.startswith("fid/") for k in metrics), metrics


def test_blocks_have_stable_ids():
    ids = [b.id for b in BLOCKS]
    assert len(ids) == len(set(ids))
    assert all(Path(REPO / i.rsplit(":", 1)[0]).is_file() for i in ids)
