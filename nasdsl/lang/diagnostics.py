"""Source spans and diagnostics: where, what, and how to fix it."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum


@dataclass(frozen=True)
class Span:
    """A region of a source file; lines and columns are 1-based, end is exclusive."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def merge(self, other: Span) -> Span:
        """Return the smallest span covering both spans."""
        start = min((self.line, self.column), (other.line, other.column))
        end = max((self.end_line, self.end_column), (other.end_line, other.end_column))
        return Span(self.file, start[0], start[1], end[0], end[1])

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


NO_SPAN = Span("<none>", 0, 0, 0, 0)

_new_object = object.__new__


def make_span(file: str, line: int, column: int, end_line: int, end_column: int) -> Span:
    """`Span(file, line, column, end_line, end_column)`, at half the cost.

    The parser makes a span for every term; a frozen dataclass's `__init__` sets each
    field through `object.__setattr__`, which was a tenth of the parse. This fills the
    instance dictionary directly; the result equals, hashes and prints like `Span(...)`.
    """
    span = _new_object(Span)
    fields = span.__dict__
    fields["file"] = file
    fields["line"] = line
    fields["column"] = column
    fields["end_line"] = end_line
    fields["end_column"] = end_column
    return span


class Severity(str, Enum):  # noqa: UP042 - str() of members is relied on
    """How bad a diagnostic is; errors stop `check`, `compile` and `run`."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Diagnostic:
    """One finding about a spec, with a stable code and a hint on how to fix it."""

    code: str
    message: str
    span: Span
    severity: Severity = Severity.ERROR
    hint: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    context: Span | None = None  # the enclosing statement or block

    @property
    def summary(self) -> str:
        """One-line title of the code (the message says what happened in this case)."""
        return CODES[self.code].title if self.code in CODES else self.message

    @property
    def detail(self) -> str:
        """Longer explanation of the code, for docs and `--format json`."""
        return CODES[self.code].doc if self.code in CODES else ""

    @property
    def is_error(self) -> bool:
        """True when the diagnostic is an error."""
        return self.severity is Severity.ERROR

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form, used by `nasdsl check --format json`."""
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "file": self.span.file,
            "line": self.span.line,
            "column": self.span.column,
            "end_line": self.span.end_line,
            "end_column": self.span.end_column,
            "hint": self.hint,
            "notes": list(self.notes),
            "summary": self.summary,
            "detail": self.detail,
            "context": None if self.context is None else _span_dict(self.context),
        }


def _span_dict(span: Span) -> dict[str, object]:
    return {"file": span.file, "line": span.line, "column": span.column,
            "end_line": span.end_line, "end_column": span.end_column}


@dataclass(frozen=True)
class CodeInfo:
    """What a diagnostic code means: its default severity, title and explanation."""

    code: str
    severity: Severity
    title: str
    doc: str


_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO

# Stable codes: NAS0xx syntax · NAS1xx structure · NAS2xx values and units ·
# NAS3xx unknown names · NAS4xx consistency between blocks and static analysis.
CODES: dict[str, CodeInfo] = {
    c.code: c
    for c in [
        CodeInfo("NAS001", _E, "unexpected character",
                 "A character that cannot start any token, such as `@` or a single quote."),
        CodeInfo("NAS002", _E, "unexpected end of file", "A block or bracket is not closed."),
        CodeInfo("NAS003", _E, "unexpected token",
                 "The token cannot continue the statement; the note lists what could."),
        CodeInfo("NAS004", _E, "not UTF-8 text",
                 "The file holds a byte sequence that is not UTF-8; specs are UTF-8 text."),
        CodeInfo("NAS101", _E, "unknown or misplaced key",
                 "The block does not accept this key, or a statement is outside the "
                 "experiment block; the note lists the keys the block accepts."),
        CodeInfo("NAS102", _E, "given twice", "A key, split part, parameter or name appears "
                 "twice where it may appear once."),
        CodeInfo("NAS103", _E, "wrong statement shape",
                 "A key set with `=` was written as a block, a block as a value, and so on."),
        CodeInfo("NAS104", _E, "missing block or key",
                 "A required block or key (data, objective, space, source, …) is missing."),
        CodeInfo("NAS105", _E, "missing name or parameter",
                 "The experiment needs a quoted name; an op needs a required parameter."),
        CodeInfo("NAS106", _E, "unknown parameter",
                 "An op, optimizer, schedule, strategy or source does not take this "
                 "parameter; the note lists those it takes."),
        CodeInfo("NAS201", _E, "wrong kind of value",
                 "A number where a name was expected, a list where one value was, …"),
        CodeInfo("NAS202", _E, "wrong unit dimension",
                 "The value's unit measures something else (`latency <= 5 MB`) or a unit is "
                 "missing; the message names the expected dimension and its units."),
        CodeInfo("NAS203", _E, "unknown unit", "The unit symbol is not one of the known units."),
        CodeInfo("NAS204", _E, "value out of range",
                 "A value is outside what the key accepts: a negative count, an empty range, "
                 "a split that does not add up to 100%."),
        CodeInfo("NAS205", _E, "test split optimised",
                 "The search must not optimise the test split; it is kept for the final "
                 "report."),
        CodeInfo("NAS206", _E, "search primitive not allowed",
                 "A fixed value is needed here (a baseline, a budget), not choice(…) or "
                 "range(…)."),
        CodeInfo("NAS301", _E, "unknown dataset or source", "Not a built-in dataset or a "
                 "source function (file, csv, images)."),
        CodeInfo("NAS302", _E, "unknown metric or split", "Not a metric, model measure or "
                 "split name."),
        CodeInfo("NAS303", _E, "unknown op or activation",
                 "Not an op of the registry; custom ops need `use \"module\"`."),
        CodeInfo("NAS304", _E, "unknown optimizer", "Not one of the optimizers."),
        CodeInfo("NAS305", _E, "unknown strategy", "Not one of the search strategies."),
        CodeInfo("NAS306", _E, "unknown backend", "Not one of the backends."),
        CodeInfo("NAS307", _E, "unknown space kind", "Not layers, cells or nb201."),
        CodeInfo("NAS308", _E, "unknown schedule or early-stopping rule",
                 "Not one of the learning-rate schedules or early-stopping rules."),
        CodeInfo("NAS309", _E, "unknown name", "A key that takes one of a fixed set of names "
                 "(launcher, device, precision, normalize, format, cell op, …) got another."),
        CodeInfo("NAS310", _E, "unknown published model",
                 "A baseline `model` that is not one of the published architectures."),
        CodeInfo("NAS401", _W, "setting has no effect",
                 "A setting that the rest of the spec makes useless (stratify on regression, "
                 "a validation share with k-fold, image augmentation on tabular data)."),
        CodeInfo("NAS402", _E, "metric does not fit the task",
                 "A regression metric on a classification task or the reverse."),
        CodeInfo("NAS403", _W, "unusual direction",
                 "Maximising a metric where smaller is better, or the reverse."),
        CodeInfo("NAS404", _E, "op needs image input",
                 "A convolution, pooling or cell space on a tabular dataset."),
        CodeInfo("NAS405", _E, "budget inconsistency", "A money limit without a rate, or "
                 "similar."),
        CodeInfo("NAS406", _E, "strategy cannot search several objectives",
                 "A Pareto search (several goals) needs random, grid, tpe, nsga2 or auto."),
        CodeInfo("NAS407", _E, "early stopping with several objectives",
                 "Early stopping ranks trials on one value; it cannot be used with several "
                 "goals."),
        CodeInfo("NAS408", _W, "constraint excludes the whole space",
                 "No architecture of the space meets a soft static limit (params, model_size, "
                 "flops): every candidate is penalised. For a hard limit this is NAS420."),
        CodeInfo("NAS409", _I, "constraint excludes part of the space",
                 "Only some architectures meet a static limit; the note gives the range. A "
                 "warning when more than 90% of the space is excluded, a note otherwise."),
        CodeInfo("NAS410", _E, "no architecture can be built",
                 "Every architecture of the space fails shape inference (e.g. pooling "
                 "shrinks the image to nothing)."),
        CodeInfo("NAS411", _W, "some architectures cannot be built",
                 "Part of the space fails shape inference; those trials will fail."),
        CodeInfo("NAS412", _W, "budget exceeds the space",
                 "The budget allows more trials than the space holds configurations."),
        CodeInfo("NAS413", _W, "grid over continuous decisions",
                 "A grid search cuts continuous decisions into `resolution` points."),
        CodeInfo("NAS414", _W, "inconsistent execution settings",
                 "Several workers with the one-at-a-time basic launcher, mixed precision on a "
                 "CPU, …"),
        CodeInfo("NAS415", _W, "export format not supported by the backend",
                 "torchscript needs the torch backend; keras needs the keras backend."),
        CodeInfo("NAS416", _W, "larger than the budget",
                 "A pilot or a final retraining asks for more trials than the budget."),
        CodeInfo("NAS417", _W, "single objective for a Pareto strategy",
                 "nsga2 is meant for several goals; with one it is a plain genetic "
                 "algorithm."),
        CodeInfo("NAS418", _W, "top-k accuracy is trivial",
                 "k is not smaller than the number of classes, so the metric is always 1."),
        CodeInfo("NAS419", _W, "baseline needs another backend",
                 "A published model from Keras applications with backend = torch (or "
                 "torchvision with keras) is built with its own framework."),
        CodeInfo("NAS420", _E, "hard limit excludes the whole space",
                 "Even the smallest architecture of the space breaks a hard static limit "
                 "(params, model_size, flops): no trial could ever be accepted."),
        CodeInfo("NAS421", _W, "data source cannot be read",
                 "The file, array or image folder of `source` is missing or cannot serve "
                 "(the message says why); static measures need its shape. `nasdsl run` "
                 "refuses to start on it."),
        CodeInfo("NAS422", _E, "k-fold cross-validation not possible here",
                 "`folds = k` trains each candidate k times; a weight-sharing strategy (one "
                 "supernet) or the table backend (look-ups) cannot."),
    ]
}


def diagnostics_json(results: Iterable[object]) -> str:
    """JSON of several check results (objects with file, source, diagnostics, ok).

    Shape: {"version": 1, "files": [{"file", "ok", "errors", "warnings",
    "diagnostics": [Diagnostic.to_dict(), …]}], "errors": N, "warnings": N}.
    """
    files = []
    total_e = total_w = 0
    for r in results:
        diags: tuple[Diagnostic, ...] = tuple(getattr(r, "diagnostics", ()))
        errors = sum(d.severity is Severity.ERROR for d in diags)
        warnings = sum(d.severity is Severity.WARNING for d in diags)
        total_e, total_w = total_e + errors, total_w + warnings
        files.append({
            "file": getattr(r, "file", "<spec>"),
            "ok": bool(getattr(r, "ok", errors == 0)),
            "errors": errors,
            "warnings": warnings,
            "diagnostics": [d.to_dict() for d in diags],
        })
    return json.dumps({"version": 1, "files": files, "errors": total_e, "warnings": total_w},
                      indent=2, ensure_ascii=False)


class SpecError(Exception):
    """Raised when a spec has errors; carries every diagnostic found."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__("\n".join(f"{d.span}: {d.message}" for d in diagnostics))
        self.diagnostics = diagnostics


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """Return a 'did you mean' hint for a misspelt name, or None."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def unknown_name_hint(word: str, candidates: Iterable[str]) -> tuple[str | None, tuple[str, ...]]:
    """Hint and 'available: …' note for an unknown name."""
    names = sorted(set(candidates))
    return did_you_mean(word, names), (f"available: {', '.join(names)}",)


def render(diagnostic: Diagnostic, source: str | None) -> str:
    """Render a diagnostic the way a compiler does: location, message, the line, a caret."""
    d = diagnostic
    out = [f"{d.span}: {d.severity.value}[{d.code}]: {d.message}"]
    lines = source.split("\n") if source is not None else []  # the parser's line breaks
    if 1 <= d.span.line <= len(lines):
        text = lines[d.span.line - 1].rstrip("\r").replace("\t", " ")
        gutter = f"{d.span.line:>5} | "
        out.append(gutter + text)
        width = (
            d.span.end_column - d.span.column
            if d.span.end_line == d.span.line
            else len(text) - d.span.column + 1
        )
        pad = " " * (len(gutter) - 2) + "| " + " " * (d.span.column - 1)
        out.append(pad + "^" * max(1, width))
    if d.hint:
        out.append(f"  hint: {d.hint}")
    out.extend(f"  note: {n}" for n in d.notes)
    return "\n".join(out)
