"""The city views as pandas DataFrames, for a clerk working in JupyterLab (集計表を pandas で).

:func:`office_dataframes` returns every table of the office's page and workbook
(:func:`kit.office.views.office_tables`) as a DataFrame with the workbook's Japanese column
headers and real dtypes: dates are ``datetime64``, rates (投票率, 得点の割合) ``float64``
fractions, counts nullable integers (``Int64``), ○ columns ``bool``, text ``string``.

In JupyterLab on the office PC::

    from kit.office.frames import office_dataframes
    tables = office_dataframes()              # the office's compiled data (office_db_path)
    issues = tables["困りごとの一覧"]
    issues[issues["地区"] == "さくら台地区"].groupby("重点目標").size()

``notebooks/office_analysis.ipynb`` shows filtering, pivoting and charting them.

>>> tables = office_dataframes(office_conn, plan)
>>> tables["困りごとの一覧"]["開催日"].dtype.kind, tables["参加と投票率"]["投票率"].dtype
('M', dtype('float64'))
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd

from kit import messages as msg
from kit.errors import ValidationError
from kit.office.views import EVERYTHING, OfficeFilter, Table, office_tables
from kit.plan import Plan, load_plan
from kit.settings import load_settings
from kit.store.office import open_office_store

DTYPES = {
    "text": "string",
    "code": "string",
    "int": "Int64",
    "number": "float64",
    "rate": "float64",
}

__all__ = ["office_dataframes", "table_frame"]
"""The dtype of each column kind (``date`` and ``flag`` are converted, see :func:`table_frame`)."""


def table_frame(table: Table) -> pd.DataFrame:
    """One table as a DataFrame: Japanese headers, a dtype per column kind.

    ``df.attrs`` keeps the table's ``name``, ``title`` and ``note``.
    """
    data = {}
    for index, column in enumerate(table.columns):
        values = [row[index] for row in table.rows]
        if column.kind == "date":
            series = pd.to_datetime(pd.Series(values, dtype="object"), errors="coerce")
        elif column.kind == "flag":
            series = pd.Series([bool(v) for v in values], dtype="bool")
        else:
            series = pd.Series(
                [None if v == "" and column.kind != "text" else v for v in values],
                dtype=DTYPES[column.kind],
            )
        data[column.header] = series
    frame = pd.DataFrame(data, columns=table.headers())
    frame.attrs.update(name=table.name, title=table.title, note=table.note)
    return frame


def office_dataframes(
    office: sqlite3.Connection | str | Path | None = None,
    plan: Plan | str | Path | None = None,
    *,
    year: int | None = None,
    district_id: str | None = None,
) -> dict[str, pd.DataFrame]:
    """市全体の集計表を DataFrame で: every city table, keyed by its sheet name.

    ``office`` is the office's compiled data: a connection, a path, or ``None`` for the
    ``office_db_path`` setting (``~/.tasukeai/office.sqlite``); ``plan`` likewise (``None``:
    the ``plan_path`` setting). ``year`` (年度) and ``district_id`` filter as the office
    page does. A path that does not exist is refused (nothing is created): compile first
    (``tasukeai compile FOLDER`` or the office page).
    """
    settings = load_settings()
    if not isinstance(plan, Plan):
        plan = load_plan(plan or settings.plan_path)
    own = not isinstance(office, sqlite3.Connection)
    if own:
        path = Path(office or settings.office_db_path).expanduser()
        if not path.is_file():
            raise ValidationError(msg.OFFICE_FRAMES_NO_DATA.format(path=path))
        conn = open_office_store(path)
    else:
        conn = office
    try:
        f = OfficeFilter(year=year, district_id=district_id) if year or district_id else EVERYTHING
        return {table.name: table_frame(table) for table in office_tables(conn, plan, f)}
    finally:
        if own:
            conn.close()
