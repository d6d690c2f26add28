"""The results table (medians, ratios to the NumPy floor and to PyTorch, issue 5's targets),
its picture and its JSON file."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from chainrule.io.atomic import atomic_write

CONTENDERS = ("numpy", "chainrule", "torch")
REFERENCE_NAMES = {"numpy": "floor", "torch": "PyTorch"}


def target(reference: str, bound: float) -> dict:
    """Issue 5's target for a row: chainrule / ``reference`` ('numpy' or 'torch') <= ``bound``."""
    return {"of": reference, "max": bound}


def ratio(row: dict, reference: str) -> float | None:
    """chainrule's median over ``reference``'s, or None where either was not measured."""
    if row.get(reference) and row.get("chainrule") is not None:
        return row["chainrule"] / row[reference]
    return None


def reference_of(row: dict) -> str:
    """What the row's chainrule figure is judged against: its target's reference, else the floor."""
    return row.get("target", {}).get("of", "numpy")


def target_met(row: dict) -> bool | None:
    """Whether chainrule meets the row's target; None without a target or its measurements."""
    goal = row.get("target")
    value = None if goal is None else ratio(row, goal["of"])
    return None if value is None else value <= goal["max"]


def verdict(row: dict) -> str:
    """'≤ 1.25× floor: met (1.213×)' (or 'missed') from the row's target and medians, to three
    places (four where three would read as the bound itself), so that a ratio printed as 1.10×
    can be seen to miss 1.10; '—' without a target."""
    met = target_met(row)
    if met is None:
        return "—"
    goal = row["target"]
    value = ratio(row, goal["of"])
    outcome = "met" if met else "missed"
    places = 4 if round(value, 3) == goal["max"] else 3  # 1.2003 misses 1.2: show why
    return f"≤ {goal['max']:.2f}× {REFERENCE_NAMES[goal['of']]}: {outcome} ({value:.{places}f}×)"


def table(rows: list[dict]) -> str:
    """Markdown table of ``rows`` with keys workload, numpy, chainrule, torch (seconds) and,
    where measured, ``per_rep`` (the range of chainrule / floor over the repetitions) and
    ``target`` (see ``target``)."""
    lines = [
        "| workload | NumPy floor | chainrule | PyTorch "
        "| chainrule / floor | per repetition | chainrule / PyTorch | target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        unit = r.get("unit", "s")
        cell = {k: "—" if r.get(k) is None else f"{r[k]:.4g} {unit}" for k in CONTENDERS}
        ratios = {
            k: "—" if ratio(r, k) is None else f"{ratio(r, k):.2f}×" for k in ("numpy", "torch")
        }
        spread = r.get("per_rep")
        per_rep = f"{spread['min']:.2f}–{spread['max']:.2f}×" if spread else "—"
        lines.append(
            f"| {r['workload']} | {cell['numpy']} | {cell['chainrule']} | {cell['torch']} "
            f"| {ratios['numpy']} | {per_rep} | {ratios['torch']} | {verdict(r)} |"
        )
    return "\n".join(lines)


def plot(rows: list[dict], path: Path) -> None:
    """A PNG of each row's chainrule / reference ratio (the floor, or PyTorch where the
    target is against it) as a bar with its per-repetition range, the target as a tick and
    PyTorch / floor as a diamond: where chainrule stands against each target at a glance."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = [r for r in rows if ratio(r, reference_of(r)) is not None]
    fig, ax = plt.subplots(figsize=(9, 0.62 * len(shown) + 2.2))
    for y, r in enumerate(shown):
        reference = reference_of(r)
        value = ratio(r, reference)
        goal = r.get("target")
        colour = {None: "tab:gray", True: "tab:blue", False: "tab:red"}[target_met(r)]
        ax.barh(y, value, color=colour, alpha=0.8, height=0.6)
        right = value
        spread = r.get("per_rep") if reference == "numpy" else r.get("per_chain_vs_torch")
        if spread:
            ax.plot([spread["min"], spread["max"]], [y, y], color="dimgray", lw=1.2)
            right = max(right, spread["max"])
        if goal is not None:
            ax.plot(goal["max"], y, "|", color="black", ms=22, mew=2.5)
            right = max(right, goal["max"])
        ax.annotate(f"{value:.2f}×", (right, y), xytext=(6, -4), textcoords="offset points")
        if reference == "numpy" and ratio(r, "torch") is not None:
            ax.plot(r["torch"] / r["numpy"], y, "D", color="tab:orange", ms=7)
    ax.axvline(1.0, color="gray", ls="--", lw=1)
    labels = [
        textwrap.fill(r["workload"], 38) + ("\n(vs PyTorch)" if reference_of(r) == "torch" else "")
        for r in shown
    ]
    ax.set_yticks(range(len(shown)), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("chainrule / reference (time or memory); 1 = the hand-written NumPy floor")
    ax.set_title("chainrule against the NumPy floor and PyTorch (medians)")
    handles = [
        plt.Rectangle((0, 0), 1, 1, color="tab:blue", alpha=0.8),
        plt.Rectangle((0, 0), 1, 1, color="tab:red", alpha=0.8),
        plt.Rectangle((0, 0), 1, 1, color="tab:gray", alpha=0.8),
        plt.Line2D([], [], color="dimgray", lw=1.2),
        plt.Line2D([], [], marker="|", color="black", ls="", ms=14, mew=2.5),
        plt.Line2D([], [], marker="D", color="tab:orange", ls=""),
    ]
    names = [
        "chainrule, target met",
        "chainrule, target missed",
        "chainrule, no target",
        "per-repetition range",
        "target (issue 5)",
        "PyTorch / floor",
    ]
    ax.legend(handles, names, fontsize=8, ncol=3, loc="upper center", bbox_to_anchor=(0.4, -0.1))
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    with atomic_write(path, "wb") as handle:
        fig.savefig(handle, format="png", dpi=110)
    plt.close(fig)


def write_json(results: dict, path: Path) -> None:
    """Write ``results`` to ``path`` atomically (temporary file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path, "w") as handle:
        json.dump(results, handle, indent=2)
