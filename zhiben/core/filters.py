"""A list's filters declared once; the queryset filtering, the page's filter form and the API's query
schema are all derived from the declaration, so the page, its Excel export and the API cannot drift.

    HAZARD_FILTERS = FilterSet(
        Filter("region", "区划", "choice", choices=region_options, q=lambda v, ctx: subtree_q(v)),
        Filter("level", "等级", "choice", choices=Level.choices, lookup="level"),
        Filter("overdue", "逾期", "choice", choices=[("1", "已逾期"), ("0", "未逾期")], apply=overdue),
        Filter("found_from", "发现日期从", "date", lookup="found_date__gte"),
        Filter("q", "关键词", "search", search=("number", "description")),
        Sort("sort", {"found": ("found_date", "id"), ...}, default=("-found_date", "-id")),
    )
    qs = HAZARD_FILTERS.filter(Hazard.objects.for_user(user), request.GET, user=user)   # selector
    HazardFilters = HAZARD_FILTERS.schema("HazardFilters")       # API: def list(request, filters: Query[HazardFilters])
    HazardFilterForm = HAZARD_FILTERS.form_class("HazardFilterForm")  # page: HazardFilterForm(request.GET, user=user)

A filter's value always arrives as text (query strings, API parameters); an empty value does not
restrict. How a value narrows the rows is one of:
- `lookup`: `Q(**{lookup: value})` ("date" filters: the value read as a date, ignored when not one);
- `search`: the fields any of which contains the text (case-insensitive);
- `q(value, ctx)`: a Q, or None when the value does not restrict (an unknown status …);
- `apply(qs, value, ctx)`: any queryset operation (queryset methods, annotations).
`ctx` carries `user` and `today`. Filters apply in declaration order; the `Sort` orders the rows last
(its default order applies when no or an unknown sort key is given).

The page form renders "choice" as a select (with 全部), "date" as a date input, "search"/"text" as a text
box, "hidden" and the sort as hidden inputs; `choices` may be a callable of the user (regions, industries
in the user's scope). The API schema describes every filter (label, accepted values, date format); all
parameters are optional strings, so an unexpected value narrows the rows exactly as on the page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from html import escape as html_escape
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.expressions import OrderBy
from django.forms.utils import flatatt
from django.http import Http404
from django.utils import timezone
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

from zhiben.core.db import as_id, whole_number
from zhiben.core.middleware import api_request
from zhiben.core.scoping import NOTHING, in_subtree, normalize_code

TYPES = ("text", "search", "choice", "date", "hidden", "sort")


@dataclass(frozen=True)
class Filter:
    """One filter of a list: its parameter name, Chinese label, type, choices and how it narrows rows."""

    name: str
    label: str
    type: str = "text"
    choices: Sequence | Callable[[Any], Sequence] = ()
    lookup: str = ""
    search: tuple = ()
    q: Callable[[str, Any], Q | None] | None = None
    apply: Callable[[Any, str, Any], Any] | None = None
    help: str = ""  # for the API description (the page shows the label)
    placeholder: str = ""

    def __post_init__(self):
        if self.type not in TYPES:
            raise ValueError(f"filter '{self.name}': unknown type '{self.type}'")
        if self.type != "sort" and sum(bool(x) for x in (self.lookup, self.search, self.q, self.apply)) != 1:
            raise ValueError(f"filter '{self.name}': give exactly one of lookup, search, q, apply")

    def narrow(self, qs, value, ctx, strict=False):
        """`qs` narrowed by `value`. A value the filter cannot read (not a date, not one of its static
        choices, refused by its `q`, or one the column cannot hold) is ignored or matches nothing on a
        page; with `strict` (the API) it raises InvalidFilter naming the filter."""
        if strict and self.type in ("choice", "sort"):
            options = self.static_choices()
            if options and value not in {str(option[0]) for option in options}:
                raise InvalidFilter(self.name, "不是可选值之一。")
        if self.apply is not None:
            return self.apply(qs, value, ctx)
        if self.type == "date":
            value = parse_date(value)
            if value is None:
                if strict:
                    raise InvalidFilter(self.name, "须为日期（YYYY-MM-DD）。")
                return qs
        if self.lookup:
            condition = Q(**{self.lookup: value})
        elif self.search:
            condition = Q()
            for name in self.search:
                condition |= Q(**{f"{name}__icontains": value})
        else:
            condition = self.q(value, ctx)
            if strict and (condition is None or condition is NOTHING):
                raise InvalidFilter(self.name, "取值不符合要求。")
        if condition is None:
            return qs
        try:
            return qs.filter(condition)
        except (ValueError, TypeError, ValidationError):
            # A value the column cannot hold (`unit=abc` for an id): no row has it, as the page's form
            # would refuse it. Raised while the lookup is built, before any query runs.
            if strict:
                raise InvalidFilter(self.name, "取值不符合要求。") from None
            return qs.none()

    def static_choices(self):
        return [] if callable(self.choices) else list(self.choices)

    def describe(self):
        """The API's description of the parameter: label, help and the accepted values."""
        text = self.label + (f"：{self.help}" if self.help else "")
        options = self.static_choices()
        if options:
            text += "。可选值：" + "、".join(
                f"{value}（{label}）" if label != value else str(value) for value, label in options
            )
        if self.type == "date":
            text += "（YYYY-MM-DD）"
        return text


@dataclass(frozen=True)
class Sort(Filter):
    """The order of a list: `orders` maps each accepted key to the order_by fields; `default` applies
    when no (or an unknown) key is given."""

    orders: dict = field(default_factory=dict)
    default: tuple = ()

    def __init__(self, name, orders, *, default=(), label="排序", help=""):
        object.__setattr__(self, "orders", dict(orders))
        object.__setattr__(self, "default", tuple(default))
        super().__init__(name, label, "sort", choices=[(key, key) for key in orders], help=help)

    @classmethod
    def both_ways(cls, orders, *, default, name="sort", **kwargs):
        """A Sort in which each key of `orders` also sorts the other way as "-key" (every field reversed): the
        orders a list's column headers switch between (core.tables). An expression's direction is reversed and its
        empty values stay where it puts them (`F("fine").asc(nulls_last=True)`: cases without a fine last either
        way)."""
        full = {}
        for key, fields in orders.items():
            full[key] = tuple(fields)
            full[f"-{key}"] = tuple(_reversed(f) for f in fields)
        return cls(name, full, default=default, **kwargs)

    def shown(self, value):
        """The key of the order `value` gives, for the list's headers to mark: `value` itself when accepted, else the
        key whose order is the default ("" when none is)."""
        if value in self.orders:
            return value
        return next((key for key, order in self.orders.items() if order == self.default), "")

    def narrow(self, qs, value, ctx, strict=False):
        if strict and value and value not in self.orders:
            raise InvalidFilter(self.name, "不是可选值之一。")
        order = self.orders.get(value, self.default)
        return qs.order_by(*order) if order else qs


def _reversed(order):
    """One field of an order_by, the other way: "-name" ↔ "name"; an OrderBy expression with its direction turned and
    its placement of empty values kept (Django's reverse_ordering() would move them to the other end too)."""
    if isinstance(order, OrderBy):
        return OrderBy(
            order.expression,
            descending=not order.descending,
            nulls_first=order.nulls_first,
            nulls_last=order.nulls_last,
        )
    return order[1:] if order.startswith("-") else f"-{order}"


class InvalidFilter(Exception):
    """An API filter parameter whose value the filter cannot read; the API answers 422 naming it."""

    def __init__(self, name, message):
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


def parse_date(value):
    try:
        return value if isinstance(value, date) else date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def text_value(value):
    """A filter value as text: booleans as 1/0 (callers in code may pass True), None as ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def status_filter_q(statuses, groups):
    """The q of a list's status filter: one of `statuses` (TextChoices), or a named group of them ({"open": […]})."""

    def q(value, ctx):
        if value in groups:
            return Q(status__in=groups[value])
        return Q(status=value) if value in statuses.values else None

    return q


def id_q(field, otherwise=None):
    """The q of a filter by id in `field`: the rows with that id; a number no row can have (past a column's range)
    matches none, as an id that does not exist; any other text gives `otherwise` (None: no filter)."""

    def q(value, ctx):
        pk = as_id(value)
        if pk is not None:
            return Q(**{field: pk})
        return NOTHING if whole_number(value) is not None else otherwise

    return q


def region_param(user, value, name="region"):
    """The 12-digit code of the region a figures page or endpoint is asked for in its parameter `name`: "" for none;
    a text that is no region code is a 422 naming it on the API (a page's picker offers none: ignored there); a
    region outside the user's jurisdiction is a 404, as another county's object is."""
    text = str(value or "").strip()
    code = normalize_code(text) if text else ""
    if text and not code:
        if api_request():
            raise InvalidFilter(name, "不是区划代码。")
        return ""
    if (
        code
        and user is not None
        and not user.is_superuser
        and not (user.region_id and in_subtree(code, user.region_id))
    ):
        raise Http404
    return code


def flag(value):
    """True for 1/true, False for 0/false, None for anything else (the yes/no filters)."""
    return {"1": True, "true": True, "0": False, "false": False}.get(str(value).lower())


class Context:
    """What a filter may need besides its value: the user, and today (for overdue …)."""

    def __init__(self, user=None, today=None):
        self.user = user
        self.today = today or timezone.localdate()


class FilterSet:
    """The filters of one list, in order; see the module docstring."""

    def __init__(self, *filters):
        names = [f.name for f in filters]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate filter names in {names}")
        self.filters = list(filters)
        self.by_name = {f.name: f for f in filters}

    def __iter__(self):
        return iter(self.filters)

    @property
    def names(self):
        return [f.name for f in self.filters]

    def values(self, data):
        """{name: text value} of every filter from a query dict, a dict or a schema instance."""
        if data is None:
            data = {}
        elif not hasattr(data, "get"):
            data = data.dict() if hasattr(data, "dict") else vars(data)
        return {f.name: text_value(data.get(f.name)) for f in self.filters}

    def filter(self, qs, data=None, *, user=None, today=None, names=None):
        """`qs` narrowed by the filters' values in `data` (only those in `names` when given) and ordered
        by the sort, if one is declared."""
        ctx = Context(user, today)
        # On the API a value the filter cannot read is the caller's mistake (a 422 naming it); a page
        # ignores it or shows nothing.
        strict = api_request()
        values = self.values(data)
        for f in self.filters:
            if names is not None and f.name not in names:
                continue
            value = values[f.name]
            if value or f.type == "sort":
                qs = f.narrow(qs, value, ctx, strict=strict)
        return qs

    # ------------------------------------------------------------ the API

    def schema(self, name, *, exclude=()):
        """A django-ninja Schema of the filters (every one an optional string, described), to take as
        `filters: Query[TheSchema]`; its `.dict()` is what `filter()` reads."""
        from ninja import Schema
        from pydantic import Field, create_model

        fields = {}
        for f in self.filters:
            if f.name in exclude:
                continue
            extra = {"format": "date"} if f.type == "date" else None
            fields[f.name] = (str, Field("", title=f.label, description=f.describe(), json_schema_extra=extra))
        return create_model(name, __base__=Schema, **fields)

    # ------------------------------------------------------------ the page

    def form_class(self, name="FilterForm"):
        """A Form class rendering the filters (bind it to request.GET, pass `user=` for choices that
        depend on the user). Its `values()` gives the validated values, or None when one is invalid."""
        attrs = {f.name: form_field(f) for f in self.filters}
        attrs["filterset"] = self
        return type(name, (FilterForm,), attrs)


class QuickSelect(forms.Select):
    """A select written out in Python, the same markup as Django's Select: its template-per-option rendering
    takes ~40 µs an option, and a county's region filter lists hundreds of villages on every list page."""

    def render(self, name, value, attrs=None, renderer=None):
        wanted = set(self.format_value(value))
        chosen = []  # a single select marks only the first option holding its value, as Django's does

        def option(option_value, label):
            option_value = "" if option_value is None else str(option_value)
            selected = option_value in wanted and (self.allow_multiple_selected or not chosen)
            if selected:
                chosen.append(option_value)
                return _option_html(option_value, str(label)).replace(">", " selected>", 1)
            return _option_html(option_value, str(label))

        parts = [f'<select name="{escape(name)}"{flatatt(self.build_attrs(self.attrs, attrs))}>']
        for option_value, label in self.choices:
            if isinstance(label, (list, tuple)):
                parts.append(f'<optgroup label="{escape(option_value)}">')
                parts += [option(v, sub) for v, sub in label]
                parts.append("</optgroup>")
            else:
                parts.append(option(option_value, label))
        parts.append("</select>")
        return mark_safe("".join(parts))


@lru_cache(maxsize=8192)
def _option_html(value, label):
    """An <option>, written once per value and label: a county's region filter offers the same hundreds of villages on
    every list page. The standard library's escape, as Django's escape() does underneath, without its lazy-text
    wrapper."""
    return f'<option value="{html_escape(value)}">{html_escape(label)}</option>'


def _attrs(attrs):
    """Widget attributes as Django's attrs.html writes them: in order, True as a bare name, False left out."""
    return "".join(
        f" {conditional_escape(name)}" + ("" if value is True else f'="{conditional_escape(str(value))}"')
        for name, value in attrs.items()
        if value is not False
    )


class QuickInputMixin:
    """An <input> written out in Python, the same markup as Django's input.html (a template render each)."""

    def render(self, name, value, attrs=None, renderer=None):
        value = self.format_value(value)
        shown = "" if value is None else f' value="{conditional_escape(str(value))}"'
        attrs = _attrs(self.build_attrs(self.attrs, attrs))
        return mark_safe(
            f'<input type="{conditional_escape(self.input_type)}" name="{conditional_escape(name)}"{shown}{attrs}>'
        )


class QuickTextInput(QuickInputMixin, forms.TextInput):
    pass


class QuickDateInput(QuickInputMixin, forms.DateInput):
    pass


class QuickHiddenInput(QuickInputMixin, forms.HiddenInput):
    pass


def field_html(bound):
    """A form field as includes/field.html renders it (label, widget, help, errors), written out in Python:
    a list page's filter form was a template include per field."""
    errors = bound.errors
    label = conditional_escape(bound.label) + ('<i class="req">*</i>' if bound.field.required else "")
    help_text = f'<small class="help">{conditional_escape(bound.help_text)}</small>' if bound.help_text else ""
    shown = "".join(f'<div class="fielderror">{conditional_escape(e)}</div>' for e in errors)
    return (
        f'<div class="field{" has-error" if errors else ""}">\n'
        f'  <label for="{conditional_escape(bound.id_for_label)}">{label}</label>\n'
        f"  {bound}\n  {help_text}\n  {shown}\n</div>\n"
    )


def form_field(f):
    if f.type == "choice":
        return forms.ChoiceField(
            label=f.label, required=False, choices=[("", "全部"), *f.static_choices()], widget=QuickSelect
        )
    if f.type == "date":
        return forms.DateField(
            label=f.label, required=False, widget=QuickDateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        )
    if f.type == "sort":
        return forms.ChoiceField(
            label=f.label, required=False, choices=[("", ""), *f.static_choices()], widget=QuickHiddenInput
        )
    if f.type == "hidden":
        return forms.CharField(label=f.label, required=False, widget=QuickHiddenInput)
    attrs = {"type": "search"} if f.type == "search" else {}
    if f.placeholder:
        attrs["placeholder"] = f.placeholder
    return forms.CharField(label=f.label, required=False, max_length=200, widget=QuickTextInput(attrs=attrs))


class FilterForm(forms.Form):
    """The filter form of a list page (made by `FilterSet.form_class`)."""

    filterset: FilterSet

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for f in self.filterset:
            if callable(f.choices) and f.name in self.fields:
                self.fields[f.name].choices = [("", "全部"), *f.choices(user)]

    def visible_html(self):
        """The visible fields as the page shows them (`field_html` each: includes/field.html's markup)."""
        return mark_safe("".join(field_html(bound) for bound in self.visible_fields()))

    def values(self):
        """The filter values after validation (choices, dates), or None when one is invalid (the error
        shows on its field); for pages that show nothing rather than guess. An order no longer offered (an old link,
        a hand-edited address) is not such a value: the list keeps its default order, as the other lists do, rather
        than show nothing under a column header that has no error to show."""
        self.is_valid()
        for f in self.filterset:
            if isinstance(f, Sort) and f.name in self.errors:
                del self.errors[f.name]
                self.cleaned_data[f.name] = ""
        if any(name in self.errors for name in self.filterset.names):
            return None
        return {name: text_value(self.cleaned_data.get(name)) for name in self.filterset.names}
