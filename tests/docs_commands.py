"""Extract the shell commands the documentation shows and run them (the docs test's engine).

Used by ``tests/test_docs_commands.py``; ``python tests/docs_commands.py [FILE.md ...]``
lists what would run (the extracted command, its line, and the shrunk command line).

What counts as a documented command
    Every line of a fenced code block (```` ```bash ````, ``sh``, ``shell``, ``console``
    or no language) whose first word is a console script declared in the
    ``[project.scripts]`` table of any ``pyproject.toml`` in the repository (core,
    plugins, docs/examples -- so new scripts are covered without touching the test).
    ``$ `` prompts are removed, ``\\`` continuations joined, trailing ``# comments``
    dropped, leading ``VAR=value`` words become the environment. Lines starting with
    another program (``pip``, ``nox``, ``python``, ``torchrun`` ...) are not run.

Shrinking (the same for every command; see :data:`SHRINKERS`)
    ``gan-run``: ``debug=smoke`` is appended and ``trainer.max_steps`` capped at 2 (4 for
    ``resume=`` runs, which re-apply the resumed run's own ``debug=smoke`` and cap, so a
    resume trains two more steps); in ``-m`` sweeps the first comma list keeps its first
    two values and every other list its first value, ``search.n_trials`` and
    ``hydra.launcher.n_jobs`` are capped at 2. ``--cfg``/``--info``/``--help`` commands
    run unchanged. ``gan-images-evaluator``: ``debug=smoke``. ``gan-sample``: ``n`` capped
    at 8. ``gan-audio-classifier train``: ``--epochs 1``. Other scripts: unchanged.

Run directories (``<date_time>``, ``<run>``, ``<run dir>``, ``RUN_DIR``)
    A placeholder, with the path in front of it (``outputs/images/cgan/<run>``), becomes a
    real run directory: the latest one made earlier *in the same block* whose domain and
    model match the ``outputs/<domain>/<model>/`` prefix (any run when there is no
    prefix); else the latest matching ``gan-run`` earlier *in the same file* is run (or
    its cached result reused) and its directory taken; else the test makes one with
    ``gan-run domain=<domain> model=<model>`` (shrunk as above).

User data paths (``~/faces``, ``poems.txt``, ``../shared/data/mnist``)
    See ``tests/docs_inputs.py``: ``~/X`` maps into a scratch home, relative names into
    the scratch working directory, each built as a small valid synthetic input;
    ``../shared/...`` uses the repository's shared data or skips the command.

Markers (visible in the rendered docs)
    A comment ``# docs-test: compose-only (why)`` on the line above a command, or as its
    trailing comment, says it cannot run here (a cluster, GPUs, a large download). The
    test then only checks that it composes: ``gan-run ... --cfg job`` (a ``-m`` sweep:
    its first job), any other script ``--help``; both must exit 0.

Shown output
    In a block with ``$ `` prompts, the lines after a command are its output. Each
    non-blank shown line must appear, in order, in what the command prints (whitespace
    and table borders ignored; ``...`` and ``<placeholder>`` match anything). A shown
    line starting with ``<script>: error:`` means the command must fail (non-zero exit).

Every command runs as a real subprocess in the block's scratch directory with
``OMP_NUM_THREADS=1``, ``COLUMNS=200`` and a scratch ``GANFORGE_CACHE_DIR``. A fresh
``gan-run`` with the same final arguments runs once per test process; later uses copy
its run directory.
"""

from __future__ import annotations

import re
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHELL_LANGS = {"", "bash", "sh", "shell", "console", "shell-session", "zsh"}
_FENCE = re.compile(r"^\s*(```+|~~~+)\s*([\w+-]*)")
_MARKER = re.compile(r"docs-test:\s*(\S+)\s*(.*)")
_PLACEHOLDER = re.compile(r"(?P<prefix>(?:[\w.~-]+/)*)(?P<ph><[^<>\n]+>|\bRUN_DIR\b)")
_SKIP_DIRS = {".venv", ".nox", ".git", "build", "dist", "node_modules", "site-packages", ".tox"}


@dataclass
class Command:
    """One documented command: where it is, its words, marker and the output the doc shows."""

    doc: Path
    line: int
    text: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    compose_only: str | None = None
    expected: list[str] = field(default_factory=list)
    error: str | None = None  # a problem found while parsing (bad marker, shell syntax)

    @property
    def where(self) -> str:
        """``docs/x.md:12``."""
        return f"{_rel(self.doc)}:{self.line}"


@dataclass
class Block:
    """A fenced block: its project commands and the lines starting other programs."""

    doc: Path
    line: int
    commands: list[Command]
    others: list[str]

    @property
    def id(self) -> str:
        """``docs/x.md:10`` (the opening fence)."""
        return f"{_rel(self.doc)}:{self.line}"


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        return str(path)


def console_scripts(repo: Path = REPO) -> set[str]:
    """Names in ``[project.scripts]`` of every ``pyproject.toml`` under ``repo``."""
    names: set[str] = set()
    for path in repo.rglob("pyproject.toml"):
        if _SKIP_DIRS & set(path.relative_to(repo).parts):
            continue
        names |= _scripts_table(path.read_text(encoding="utf-8", errors="replace"))
    return names


def _scripts_table(text: str) -> set[str]:
    """Keys of ``[project.scripts]`` (tomllib on 3.11+; a line scan on 3.10 without tomli)."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        try:
            import tomli as tomllib
        except ModuleNotFoundError:
            tomllib = None
    if tomllib is not None:
        try:
            return set(tomllib.loads(text).get("project", {}).get("scripts", {}))
        except tomllib.TOMLDecodeError:
            return set()  # a template with placeholders is not a real project
    section = re.search(r"^\[project\.scripts\]\s*$(.*?)(?=^\[|\Z)", text, re.M | re.S)
    return set(re.findall(r"^\s*\"?([\w.-]+)\"?\s*=", section.group(1), re.M)) if section else set()


def markdown_files(repo: Path = REPO) -> list[Path]:
    """README.md and every Markdown file under docs/."""
    return [repo / "README.md", *sorted((repo / "docs").rglob("*.md"))]


def split_comment(line: str) -> tuple[str, str]:
    """Split ``code  # comment`` at the first ``#`` that starts a word outside quotes."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip(), line[i + 1:].strip()
    return line.rstrip(), ""


def _logical_lines(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Join ``\\``-continued lines; keep the first line's number."""
    out: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for no, raw in lines:
        text = raw.strip()
        if pending:
            no, text = pending[0], pending[1] + " " + text
        if text.endswith("\\"):
            pending = (no, text[:-1].rstrip())
            continue
        pending = None
        out.append((no, text))
    if pending:
        out.append(pending)
    return out


def _parse_command(doc: Path, no: int, text: str, scripts: set[str], marker: str | None) -> Command | None:
    """A :class:`Command` when ``text`` runs a project script, else ``None``."""
    code, comment = split_comment(text)
    code = _PLACEHOLDER.sub(lambda m: f"@RUN[{m.group('prefix')}]@", code)
    try:
        words = shlex.split(code)
    except ValueError:
        return None
    env = {}
    while words and re.match(r"^[A-Za-z_]\w*=", words[0]):
        key, value = words.pop(0).split("=", 1)
        env[key] = value
    if not words or words[0] not in scripts:
        return None
    cmd = Command(doc, no, text, words, env)
    match = _MARKER.search(comment)
    if match:
        marker = f"{match.group(1)} {match.group(2)}".strip()
    if marker:
        kind, _, reason = marker.partition(" ")
        if kind != "compose-only" or not reason.strip(" ()—:-"):
            cmd.error = f"bad marker 'docs-test: {marker}'; expected 'docs-test: compose-only (why)'"
        cmd.compose_only = reason.strip(" ()—:-")
    if {"|", "||", "&&", ";", ">", ">>", "<", "&"} & set(words):
        cmd.error = "unsupported shell syntax in a documented command; write one command per line"
    return cmd


def parse_markdown(doc: Path, scripts: set[str]) -> list[Block]:
    """Every shell-like fenced block of ``doc`` with its project commands."""
    lines = doc.read_text(encoding="utf-8").splitlines()
    blocks, i = [], 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        fence, lang, start = opening.group(1), opening.group(2).lower(), i + 1
        body = []
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(fence):
            body.append((i + 1, lines[i]))
            i += 1
        i += 1
        if lang in SHELL_LANGS:
            blocks.append(_parse_block(doc, start, body, scripts, plain=not lang))
    return [b for b in blocks if b.commands or b.others]


def _parse_block(doc: Path, start: int, body: list[tuple[int, str]], scripts: set[str], plain: bool) -> Block:
    """Commands of one block; in a block without a language, other lines are text (trees, messages)."""
    prompts = any(raw.strip().startswith("$ ") for _, raw in body)
    block = Block(doc, start, [], [])
    marker: str | None = None
    last: Command | None = None
    for no, text in _logical_lines(body):
        if prompts and not text.startswith("$"):
            if last is not None and text:
                last.expected.append(text)
            continue
        text = text[1:].strip() if prompts else text
        if not text:
            continue
        if text.startswith("#"):
            match = _MARKER.search(text)
            if match:
                marker = f"{match.group(1)} {match.group(2)}".strip()
            continue
        cmd = _parse_command(doc, no, text, scripts, marker)
        marker = None
        last = cmd
        if cmd is None and not plain:
            block.others.append(text)
        elif cmd is not None:
            block.commands.append(cmd)
    return block


def collect_blocks(repo: Path = REPO, files: list[Path] | None = None) -> list[Block]:
    """Blocks with at least one project command, over README.md and docs/**/*.md."""
    scripts = console_scripts(repo)
    blocks = []
    for doc in files or markdown_files(repo):
        blocks += [b for b in parse_markdown(doc, scripts) if b.commands]
    return blocks


_INLINE = re.compile(r"`(gan-run [^`]+)`")


def inline_run_commands(doc: Path) -> list[Command]:
    """Complete ``gan-run`` commands quoted inline in prose (outside fenced blocks).

    Only literal ones count (no ``<placeholder>``, ``...``, ``[optional]`` or UPPERCASE
    word); the test composes them (``--cfg job`` unless they already ask for a ``--cfg``).
    """
    out, fenced = [], False
    for no, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        for match in _INLINE.finditer(line):
            text = match.group(1)
            if re.search(r"<|\.\.\.|\[|\b[A-Z]{2,}\b", text):
                continue
            out.append(Command(doc, no, text, shlex.split(text), compose_only="quoted inline in prose"))
    return out


# ---------------------------------------------------------------- shrinking


def _key(arg: str) -> str | None:
    return arg.split("=", 1)[0].lstrip("+~") if "=" in arg and not arg.startswith("-") else None


def _value(args: list[str], key: str) -> str | None:
    return next((a.split("=", 1)[1] for a in args if _key(a) == key), None)


def _cap(args: list[str], key: str, cap: int, append: bool = True) -> list[str]:
    """Set ``key`` to min(its value, cap); append ``key=cap`` when absent (and ``append``)."""
    value = _value(args, key)
    if value is None:
        return args + [f"{key}={cap}"] if append else args
    keep = value.isdigit() and int(value) <= cap
    return [a if _key(a) != key or keep else f"{key}={cap}" for a in args]


def _is_list(value: str) -> bool:
    return "," in value and value[:1] not in "[{('\"" and "${" not in value and "(" not in value


def shrink_run(args: list[str]) -> list[str]:
    """``gan-run``: smoke sizes, at most 2 steps (4 for resume), small sweeps."""
    if {"--cfg", "-c", "--info", "-i", "--help", "-h", "--hydra-help"} & set(args):
        return args
    if _value(args, "resume") not in (None, "null"):
        return _cap(args, "trainer.max_steps", 4, append=False)
    args = [a for a in args if _key(a) != "debug"] + ["debug=smoke"]
    args = _cap(args, "trainer.max_steps", 2)
    if {"-m", "--multirun"} & set(args):
        first, out = True, []
        for a in args:
            if _key(a) and _is_list(a.split("=", 1)[1]):
                key, values = a.split("=", 1)
                a = f"{key}={','.join(values.split(',')[: 2 if first else 1])}"
                first = False
            out.append(a)
        args = _cap(out, "search.n_trials", 2, append=False)
        args = _cap(args, "hydra.launcher.n_jobs", 2, append=False)
    return args


def _set_option(args: list[str], flag: str, value: str) -> list[str]:
    if flag in args:
        i = args.index(flag)
        return args[: i + 1] + [value] + args[i + 2:]
    return args + [flag, value]


def shrink_audio_classifier(args: list[str]) -> list[str]:
    """``gan-audio-classifier train``: one epoch (all files: a file cap could leave one class)."""
    return _set_option(args, "--epochs", "1") if "train" in args else args


SHRINKERS = {
    "gan-run": shrink_run,
    "gan-images-evaluator": lambda a: a if {"-h", "--help"} & set(a) else [x for x in a if _key(x) != "debug"] + ["debug=smoke"],
    "gan-sample": lambda a: _cap(a, "n", 8, append=False),
    "gan-audio-classifier": shrink_audio_classifier,
}


def compose_args(script: str, args: list[str]) -> list[str]:
    """The composition check of a ``compose-only`` command."""
    if script != "gan-run":
        return ["--help"]
    if {"--cfg", "-c", "--info", "-i"} & set(args):
        return list(args)
    out = []
    for a in args:
        if a in ("-m", "--multirun"):
            continue
        if _key(a) and _is_list(a.split("=", 1)[1]):
            a = a.split(",", 1)[0]
        out.append(a)
    return out + ["--cfg", "job"]


def _main(argv: list[str]) -> None:
    files = [Path(a).resolve() for a in argv] or None
    blocks = collect_blocks(files=files)
    n = 0
    for block in blocks:
        print(f"== {block.id}")
        for cmd in block.commands:
            n += 1
            script, args = cmd.argv[0], cmd.argv[1:]
            ran = compose_args(script, args) if cmd.compose_only else SHRINKERS.get(script, list)(args)
            tag = f"[compose-only: {cmd.compose_only}] " if cmd.compose_only else ""
            print(f"  {cmd.line:4d} {tag}{shlex.join([script, *ran])}")
    print(f"{n} commands in {len(blocks)} blocks")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    _main(sys.argv[1:])
