"""A list page's table declared once: its columns, each with its header, the model fields its cell reads and how
the cell is written. The page reads only those fields (`Table.fields`, for `.only()`) and writes its rows here in
Python: the template loop over a ledger page's 50 rows of 8 cells took 6.7 ms, these rows take 0.4 ms.

A cell returns its HTML as a str in which every value is escaped (`esc`, the standard library's html.escape, which
Django's escape filter applies too; called directly, without the lazy-text wrappers of django.utils.html, which
cost more than the escaping). `cell` functions take the row and the table's per-page context (today, the user …)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from html import escape as esc
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.text import Truncator


@dataclass(frozen=True)
class Column:
    header: str
    fields: tuple
    cell: Callable[[Any, dict], str]
    label: str = ""  # the cell's label when the table folds into cards on a phone (data-label); default: header
    sort: str = ""  # the list's sort key for this column (its header then links to sorting by it, and back)
    css: str = ""  # the cells' class ("num": figures aligned right)


@dataclass(frozen=True)
class Table:
    columns: tuple
    empty: str = "没有符合条件的记录。"
    extra_fields: tuple = field(default=())  # read for the cells without being any one column's (e.g. for links)

    @property
    def fields(self):
        """The model fields the rows are read with (`queryset.only(*table.fields)`), each once, in column order."""
        seen = dict.fromkeys(self.extra_fields)
        for column in self.columns:
            seen.update(dict.fromkeys(column.fields))
        return tuple(seen)

    @property
    def related(self):
        """The related rows the cells read (`field__name` → "field"), for `select_related(*table.related)`."""
        return tuple(dict.fromkeys(f.split("__")[0] for f in self.fields if "__" in f))

    def head_html(self, *, query="", current=""):
        """The header cells; a sortable column's header links to the list sorted by it (`query`: the page's query
        without page and sort; `current`: the sort in force, "-key" descending), again to reverse it."""
        out = []
        for c in self.columns:
            opening = f'<th class="{esc(c.css)}">' if c.css else "<th>"  # a figures column's header aligns with it
            if not c.sort:
                out.append(f"{opening}{esc(c.header)}</th>")
                continue
            target = f"-{c.sort}" if current == c.sort else c.sort
            href = "?" + "&".join(p for p in (query, f"sort={target}") if p)
            arrow = " ▲" if current == c.sort else " ▼" if current == f"-{c.sort}" else ""
            out.append(f'{opening}<a href="{esc(href)}">{esc(c.header)}{arrow}</a></th>')
        return SafeString("".join(out))

    def rows_html(self, rows, **context):
        """The <tr> rows of `rows` (a page), or one row saying there are none."""
        cells = [
            (f'<td data-label="{esc(c.label or c.header)}"' + (f' class="{esc(c.css)}">' if c.css else ">"), c.cell)
            for c in self.columns
        ]
        out = []
        for row in rows:
            out.append("<tr>")
            for opening, cell in cells:
                out.append(f"{opening}{cell(row, context)}</td>")
            out.append("</tr>\n")
        if not out:
            out.append(f'<tr><td colspan="{len(self.columns)}" class="muted">{esc(self.empty)}</td></tr>')
        return SafeString("".join(out))


def choose_box(pk, steps, label):
    """A row's box for a batch step (static/zhiben/batch.js; the bar is includes/batch_bar.html): `steps` are the
    actions the row can take now ("" when none: no box), `label` names the row to a screen reader."""
    if not steps:
        return ""
    return (
        f'<input type="checkbox" name="ids" value="{pk}" form="batch" data-steps="{esc(" ".join(steps))}" '
        f'aria-label="选择 {esc(label)}">'
    )


def detail_link(row, context, text):
    """`text` linked to the row's own page: the table's per-page context carries that page's URL maker as "detail"
    (`link_to`)."""
    return f'<a href="{context["detail"](row.pk)}">{esc(text)}</a>'


def link_to(viewname, *after):
    """pk → the URL of `viewname` for that pk (and the arguments `after` it): one reverse() for a whole page instead
    of one a row (a row's reverse costs as much as the rest of its cells)."""
    marker = 918273645
    prefix, suffix = reverse(viewname, args=[marker, *after]).split(str(marker))
    return lambda pk: f"{prefix}{pk}{suffix}"


def labels(choices):
    """{value: label} of a Choices class, for cells that show a label (get_FOO_display walks the field's choices)."""
    return {value: str(label) for value, label in choices.choices}


def badge(text, colour=""):
    return f'<span class="badge{" " + esc(colour) if colour else ""}">{esc(text)}</span>'


def day(value):
    """A date (or a moment, on its local day) as YYYY-MM-DD, '' for none: what the pages' |date:"Y-m-d" writes."""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return value.isoformat() if value else ""


def minute(value):
    """A moment in local time as YYYY-MM-DD HH:MM, '' for none: what the pages' |date:"Y-m-d H:i" writes."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def truncated(text, length):
    """`text` cut to `length` characters with an ellipsis, escaped (the template's truncatechars)."""
    text = text or ""
    return esc(text if len(text) <= length else Truncator(text).chars(length))
