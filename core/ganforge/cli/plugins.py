"""``gan-plugins``: list installed domains, their models, each model's ``gan-sample``
options and the providing distributions."""

from __future__ import annotations

import warnings

from ganforge._internal.registry import PluginLoadWarning, get_registry


def sample_options_text(plugin, models: list[str]) -> str:
    """One line per model with options of its own (``cgan: label``), else the domain's."""
    classes = plugin.model_classes or {}
    per_model = {m: getattr(classes.get(m), "SAMPLE_OPTIONS", ()) for m in models}
    if not any(per_model.values()):
        return ", ".join(plugin.valid_sample_options())
    lines = [f"{m}: {', '.join(sorted({*opts, *plugin.GENERIC_SAMPLE_OPTIONS}))}" for m, opts in per_model.items()]
    return "\n".join(lines)


def main() -> None:
    """Console entry point: a Rich table of domains (and any plugin that failed to load)."""
    from rich.console import Console
    from rich.table import Table

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PluginLoadWarning)
        registry = get_registry()
    table = Table(title="ganforge domains")
    for col in ("domain", "models (default first)", "gan-sample options", "distribution", "description"):
        table.add_column(col)
    for name in registry.names():
        entry = registry.domains[name]
        p = entry.plugin
        models = [p.default_model] + sorted(m for m in p.models if m != p.default_model)
        table.add_row(name, ", ".join(models), sample_options_text(p, models),
                      f"{entry.distribution} {entry.version}", p.description)
    console = Console()
    console.print(table)
    for name, reason in sorted(registry.broken.items()):
        console.print(f"[red]broken[/red] {name}: {reason}")


if __name__ == "__main__":
    main()
