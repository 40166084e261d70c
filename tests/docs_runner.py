"""Run the documented commands of one block (see ``tests/docs_commands.py`` for the rules)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from docs_commands import REPO, SHRINKERS, Block, Command, _key, _rel, _value, collect_blocks, compose_args
from docs_inputs import INPUTS

SHARED = REPO.parent / "shared"
COMMAND_TIMEOUT = 420
_RUNREF = re.compile(r"@RUN\[([^\]]*)\]@")
_BOX = re.compile(r"[\u2500-\u257f]")
_BIN = Path(sys.executable).parent


@dataclass
class Ran:
    """One finished subprocess: the argument list, exit status, output and run directories."""

    argv: list[str]
    returncode: int
    output: str
    run_dirs: list[Path]
    cwd: Path


@dataclass
class CheckResult:
    """What checking a block found: failures (one message each), skips and what ran."""

    failures: list[str] = field(default_factory=list)
    skips: list[str] = field(default_factory=list)
    ran: list[tuple[Command, list[str], str]] = field(default_factory=list)  # (command, argv, "run"|"compose")


class Skip(Exception):
    """A command needs something this machine lacks (``../shared`` data)."""


class CommandFailed(Exception):
    """A command (or a run it depends on) failed; the message says where and why."""


#: fresh ``gan-run`` results by canonical argument list, shared by all blocks of a process
_CACHE: dict[tuple, Ran] = {}
_SESSION: dict[str, Path] = {}


def session_dir(name: str) -> Path:
    """A per-process scratch folder (the synthetic home, the model/classifier cache)."""
    if name not in _SESSION:
        root = _SESSION.setdefault("_root", Path(tempfile.mkdtemp(prefix="ganforge-docs-")))
        _SESSION[name] = root / name
        _SESSION[name].mkdir(parents=True, exist_ok=True)
    return _SESSION[name]


def _default_model(domain: str) -> str | None:
    from ganforge._internal.registry import get_registry

    try:
        return get_registry().get(domain).default_model
    except Exception:  # noqa: BLE001 - an unknown domain is the command's own error to report
        return None


def _run_identity(args: list[str]) -> tuple[str | None, str | None]:
    """(domain, model) a plain ``gan-run`` command selects, the default model filled in."""
    domain, model = _value(args, "domain"), _value(args, "model")
    if domain and "," not in domain and model is None:
        model = _default_model(domain)
    return domain, model


def _dir_identity(run_dir: Path) -> tuple[str | None, str | None]:
    cfg = yaml.safe_load((run_dir / ".hydra" / "config.yaml").read_text()) or {}
    return (cfg.get("domain") or {}).get("name"), (cfg.get("model") or {}).get("name")


def _run_dirs(root: Path) -> set[Path]:
    return {p.parent for p in root.rglob(".hydra") if (p / "config.yaml").is_file()}


class BlockRunner:
    """Runs the commands of one block in ``workdir``, resolving placeholders and inputs."""

    def __init__(self, block: Block, workdir: Path, all_blocks: list[Block]):
        self.block, self.workdir = block, workdir
        self.earlier = [c for b in all_blocks if b.doc == block.doc and b.line < block.line for c in b.commands]
        self.made: list[Path] = []
        self.home, self.cache = session_dir("home"), session_dir("cache")
        self.result = CheckResult()

    # -- inputs and placeholders
    def _map_path(self, value: str, build: bool) -> str:
        if value.startswith("~/"):
            target = self.home / value[2:]
            if build and not target.exists():
                if value not in INPUTS:
                    raise CommandFailed(f"no synthetic input for '{value}': add a builder to INPUTS in "
                                        "tests/docs_inputs.py, or mark the command 'docs-test: compose-only (why)'")
                INPUTS[value](target)
            return str(target)
        if value.startswith("../shared/"):
            target = SHARED / value[len("../shared/"):]
            if build and not target.exists():
                raise Skip(f"{value} not present")
            return str(target)
        if build and value in INPUTS and not (self.workdir / value).exists():
            INPUTS[value](self.workdir / value)
        return value

    def _map_arg(self, arg: str, build: bool, cmd: Command) -> str:
        arg = _RUNREF.sub(lambda m: str(self._resolve(m.group(1), cmd)), arg)
        key = _key(arg)
        if key is not None:
            return f"{arg.split('=', 1)[0]}={self._map_path(arg.split('=', 1)[1], build)}"
        return self._map_path(arg, build)

    def _resolve(self, prefix: str, cmd: Command) -> Path:
        """The run directory a placeholder with path ``prefix`` stands for (see the rules)."""
        parts = [p for p in prefix.split("/") if p]
        want = (parts[1], parts[2]) if len(parts) == 3 and parts[0] == "outputs" else None
        match = (lambda d: _dir_identity(d) == want) if want else (lambda d: True)
        for run_dir in reversed(self.made):
            if match(run_dir):
                return run_dir
        candidates = [c for c in self.earlier if c.argv[0] == "gan-run" and not c.compose_only
                      and "@RUN[" not in " ".join(c.argv) and not {"--cfg", "--info", "-m"} & set(c.argv)
                      and (want is None or _run_identity(c.argv[1:]) == want)]
        ran = None
        for source in reversed(candidates):
            try:
                ran = self._execute(source, what=f"the run {source.where} that {prefix}<...> refers to")
                break
            except Skip:
                continue  # e.g. an earlier run on ../shared data that is absent here: take the one before
        if ran is not None:
            pass
        elif want:
            implicit = Command(cmd.doc, cmd.line, f"gan-run domain={want[0]} model={want[1]}",
                               ["gan-run", f"domain={want[0]}", f"model={want[1]}"])
            ran = self._execute(implicit, what=f"the implicit run for {prefix}<...>")
        else:
            raise CommandFailed("a bare run-directory placeholder with no gan-run before it in this file")
        dirs = [d for d in ran.run_dirs if match(d)]
        if not dirs:
            raise CommandFailed(f"{prefix}<...>: the run made for it has no matching run directory")
        return dirs[-1]

    # -- execution
    def _execute(self, cmd: Command, what: str = "") -> Ran:
        script, args = cmd.argv[0], cmd.argv[1:]
        compose = bool(cmd.compose_only)
        args = compose_args(script, args) if compose else SHRINKERS.get(script, list)(args)
        args = [self._map_arg(a, build=not compose, cmd=cmd) for a in args]
        key = None
        if script == "gan-run" and not compose and _value(args, "resume") in (None, "null"):
            domain, model = _run_identity(args)
            canon = sorted(a for a in args if _key(a) not in ("domain", "model"))
            key = (script, domain, model, tuple(canon))
        if key in _CACHE:
            ran = self._reuse(_CACHE[key])
        else:
            ran = self._spawn(script, args, cmd.env)
            if key is not None and ran.returncode == 0:
                _CACHE[key] = ran
        self.made += ran.run_dirs
        if what and ran.returncode != 0:
            raise CommandFailed(f"{what} failed: {self._describe(script, ran)}")
        return ran

    def _spawn(self, script: str, args: list[str], env: dict[str, str]) -> Ran:
        exe = shutil.which(script, path=str(_BIN)) or script
        before = _run_dirs(self.workdir)
        full_env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1",
                    "COLUMNS": "200", "GANFORGE_CACHE_DIR": str(self.cache), "GANFORGE_CACHE": str(self.cache), **env}
        try:
            proc = subprocess.run([exe, *args], cwd=self.workdir, env=full_env, capture_output=True, text=True,
                                  timeout=COMMAND_TIMEOUT)
            code, output = proc.returncode, proc.stdout + proc.stderr
        except subprocess.TimeoutExpired as exc:
            code, output = -9, f"timed out after {COMMAND_TIMEOUT} s\n{exc.stdout or ''}{exc.stderr or ''}"
        resumed = _value(args, "resume")
        new = sorted(_run_dirs(self.workdir) - before, key=lambda d: d.stat().st_mtime)
        if resumed not in (None, "null"):
            new.append(Path(resumed).expanduser())
        return Ran([script, *args], code, output, new, self.workdir)

    def _reuse(self, ran: Ran) -> Ran:
        """A cached run: its run directories copied here (same relative paths)."""
        dirs = []
        for d in ran.run_dirs:
            rel = d.relative_to(ran.cwd)
            target = self.workdir / rel
            if not target.exists():
                shutil.copytree(d, target)
            dirs.append(target)
        return Ran(ran.argv, ran.returncode, ran.output, dirs, self.workdir)

    def _describe(self, script: str, ran: Ran) -> str:
        tail = "\n".join("      " + line for line in ran.output.strip().splitlines()[-15:])
        return f"`{shlex.join(ran.argv)}` in {self.workdir} exited {ran.returncode}; last output:\n{tail}"

    def check(self, cmd: Command) -> None:
        """Run one command and compare it with what the doc promises; failures go to the result."""
        if cmd.error:
            self.result.failures.append(f"{cmd.where}: `{cmd.text}`: {cmd.error}")
            return
        try:
            ran = self._execute(cmd)
        except Skip as exc:
            self.result.skips.append(f"{cmd.where}: {exc}")
            return
        except CommandFailed as exc:
            self.result.failures.append(f"{cmd.where}: `{cmd.text}`: {exc}")
            return
        self.result.ran.append((cmd, ran.argv, "compose" if cmd.compose_only else "run"))
        script = cmd.argv[0]
        must_fail = any(line.startswith(f"{script}: error:") for line in cmd.expected)
        if (ran.returncode != 0) != must_fail:
            why = "should have failed (the doc shows an error)" if must_fail else "failed"
            self.result.failures.append(f"{cmd.where}: `{cmd.text}` {why}: {self._describe(script, ran)}")
            return
        missing = missing_output(cmd.expected, ran.output)
        if missing:
            self.result.failures.append(
                f"{cmd.where}: `{cmd.text}` does not print the shown line {missing!r}; it printed:\n"
                + "\n".join("      " + line for line in ran.output.strip().splitlines()[-40:]))


def _normal(line: str) -> str:
    return " ".join(_BOX.sub(" ", line).split())


def missing_output(expected: list[str], output: str) -> str | None:
    """The first shown line not found, in order, in ``output`` (``...``/``<x>`` match anything)."""
    actual = [_normal(line) for line in output.splitlines()]
    pos = 0
    for shown in expected:
        want = _normal(shown)
        if not want or want in ("...", "…"):
            continue
        pattern = re.compile(".*?".join(
            ".+?".join(re.escape(piece) for piece in re.split(r"<[^<>]+>", chunk))
            for chunk in re.split(r"\.\.\.|…", want)))
        for i in range(pos, len(actual)):
            if pattern.search(actual[i]):
                pos = i + 1
                break
        else:
            return shown
    return None


def run_block(block: Block, workdir: Path, all_blocks: list[Block] | None = None) -> CheckResult:
    """Check every command of ``block`` in order, in ``workdir``."""
    runner = BlockRunner(block, workdir, all_blocks if all_blocks is not None else [block])
    for cmd in block.commands:
        runner.check(cmd)
    return runner.result


def check_file(doc: Path, workdir: Path) -> CheckResult:
    """Check every block of one Markdown file (the docs test applied to any file)."""
    blocks = collect_blocks(files=[doc])
    total = CheckResult()
    for i, block in enumerate(blocks):
        sub = workdir / f"block{i}"
        sub.mkdir(parents=True, exist_ok=True)
        result = run_block(block, sub, blocks)
        total.failures += result.failures
        total.skips += result.skips
        total.ran += result.ran
    return total


#: Documented commands that fail today because of a code bug (not a docs error), by
#: (doc, a piece of the command's text): the block is xfail(strict=True), so it turns
#: into a failure -- remove the entry -- as soon as the bug is fixed.
#: Example entry: ("docs/distributed.md", "trainer.devices=2"): "DDP ranks fight over the run-dir lock".
KNOWN_FAILURES: dict[tuple[str, str], str] = {}


def known_failures(blocks: list[Block]) -> list:
    """``blocks`` as pytest params, the ones listed in :data:`KNOWN_FAILURES` marked xfail(strict)."""
    import pytest

    params = []
    for block in blocks:
        reasons = [why for (doc, piece), why in KNOWN_FAILURES.items()
                   if block.doc == REPO / doc and any(piece in c.text for c in block.commands)]
        marks = [pytest.mark.xfail(strict=True, reason="; ".join(reasons))] if reasons else []
        params.append(pytest.param(block, marks=marks))
    return params


def is_domain_doc(doc: Path) -> bool:
    """docs/domains/** and docs/examples/** (the second docs test file runs these)."""
    rel = Path(_rel(doc)).parts
    return rel[:2] in (("docs", "domains"), ("docs", "examples"))


def check_block(block: Block, workdir: Path, all_blocks: list[Block]) -> None:
    """The docs test of one block: fail with every failure, skip when nothing could run."""
    import warnings

    import pytest

    result = run_block(block, workdir, all_blocks)
    assert not result.failures, "\n\n".join(result.failures)
    if result.skips and not result.ran:
        pytest.skip("; ".join(result.skips))
    for skip in result.skips:
        warnings.warn(f"docs command not run: {skip}", stacklevel=2)
    assert result.ran, f"{block.id}: nothing ran"
