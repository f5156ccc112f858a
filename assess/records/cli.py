"""``assess history`` and ``assess export``: a patient's records from the command line.

Wire into :func:`assess.cli.build_parser` with ``register(sub)``. Errors are
:class:`assess.errors.AssessError` subclasses (one line, no traceback).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .store import ENV_DB, Store


def _open(args: argparse.Namespace) -> Store:
    return Store(args.db, create=False)


def cmd_history(args: argparse.Namespace) -> int:
    """Without --patient: the patients; with it: that patient's sessions and headline numbers."""
    from .progress import history_table

    store = _open(args)
    if args.patient is None:
        patients = store.patients()
        print(f"{'ID':<16} {'sessions':>8}  {'birth year':>10}  sex")
        for p in patients:
            print(f"{p.code:<16} {len(store.sessions(p.id)):>8}  {p.birth_year or '—':>10}  {p.sex or '—'}")
        if not patients:
            print(f"(no patients in {store.path})")
        return 0
    patient = store.patient(args.patient)
    header, rows = history_table(store.sessions(patient.id), store.metrics(patient.id))
    if not args.wide:  # drop the video column to fit a terminal
        header, rows = header[:5] + header[6:], [r[:5] + r[6:] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    print(f"Patient {patient.code}: {len(rows)} session(s)")
    print("  ".join(h.ljust(wd) for h, wd in zip(header, widths, strict=True)))
    for r in rows:
        print("  ".join(c.ljust(wd) for c, wd in zip(r, widths, strict=True)))
    if rows:
        print("(values in brackets: unreliable measurement)")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write a patient's history as CSV or a PDF progress report (by the file suffix)."""
    from .export import export_history

    store = _open(args)
    patient = store.patient(args.patient)
    out = export_history(store, patient, args.output, include_name=args.include_name)
    print(f"{out}: history of {patient.code} ({len(store.sessions(patient.id))} session(s))")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``history`` and ``export`` to the ``assess`` sub-command parsers."""
    db_help = f"records database (default: ${ENV_DB}, else records.sqlite3 in the user's data folder)"
    hi = sub.add_parser("history", help="list patients, or one patient's sessions and headline results")
    hi.add_argument("--patient", type=str, default=None, help="pseudonymous patient ID (omit to list patients)")
    hi.add_argument("--db", type=Path, default=None, help=db_help)
    hi.add_argument("--wide", action="store_true", help="also show the video name")
    hi.set_defaults(func=cmd_history)
    ex = sub.add_parser("export", help="export a patient's history: CSV or PDF progress report (by the -o suffix)")
    ex.add_argument("--patient", type=str, required=True, help="pseudonymous patient ID")
    ex.add_argument("-o", "--output", type=Path, required=True, help="file to write: .csv or .pdf")
    ex.add_argument("--db", type=Path, default=None, help=db_help)
    ex.add_argument("--include-name", action="store_true", help="include the patient's name (default: pseudonymous ID only)")
    ex.set_defaults(func=cmd_export)
