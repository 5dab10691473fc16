"""The platform's extension points: one registry of named stores that modules fill when they load.

A business module (hazards, plans, duties, enterprises …) declares in its `AppConfig.ready()` what it
offers to the shared services, and those services only loop over the stores here: they import no
business module. The set of stores is fixed in this file (adding one at run time raises), so every
extension point is visible in one place:

| store               | filled with          | read by                                              |
|---------------------|----------------------|------------------------------------------------------|
| escalation_targets  | EscalationTarget     | escalation (the ladder job, the ladder page, records)  |
| document_kinds      | DocumentKind         | documents (issuing, templates, previews, the list)     |
| reminders           | Reminder             | notifications.reminders (the reminder job)             |
| timelines           | Timeline             | core.timeline (record an event, list a subject's events) |
| jobs                | Job                  | core.jobs (`tick`, `run_worker`)                       |
| rules               | RuleDef              | core.rules (values, the rules page)                    |
| menu                | MenuEntry            | core.context (the navigation)                          |
| home_cards          | HomeSection          | core.selectors (the home page)                         |
| figures             | Figure               | analytics (figures by region, industry and period)     |
| figure_sources      | FigureSource         | analytics (several figures in one query)               |
| record_lists        | RecordList           | analytics (records named in bulletins, the big screen) |
| demo_loaders        | DemoLoader           | `load_demo`                                            |
| offline_forms       | OfflineForm          | core.context (the pages the browser keeps for offline) |

Each `register(...)` call refuses a key that is already taken, so two modules cannot silently
replace each other's entry. Stores keyed by name keep registration order; readers sort by `order`
where the order matters to a person (menu, home page, jobs, demo).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

# ---------------------------------------------------------------- what a module registers


class Overdue(NamedTuple):
    """One overdue object as an escalation target reports it."""

    obj: Any
    region_code: str
    days: int
    major: bool = False


@dataclass(frozen=True)
class EscalationTarget:
    """A kind of object whose deadlines go up the escalation ladder.

    - `ladder`: the national default, rows of (action, name, days overdue, major only, document kind);
      an 安委办 may replace it for its jurisdiction on the ladder page.
    - `overdue(today)`: every overdue object, as `Overdue` rows.
    - `recipients(obj, step, unit)`: (users, contacts) to notify when `step` is taken (`unit` is the
      issuing unit); contacts are (name, phone) for SMS or (name, address, channel).
    - `describe(obj, step, days)`: (subject, body) of the notification.
    - `issuing_unit(obj)`: the unit in whose name a step's document is issued (None: the 安委办 of the
      object's town or county, see escalation.services.committee_unit).
    - `skip(obj, step)`: True when a step does not apply to this object now (e.g. already listed).
    - `timeline_subject(obj)`: the object whose timeline records the step (default: `obj`).
    - `industry(obj)`: the id of the regulatory industry (regions.Industry) the object belongs to;
      its records are then seen only by the departments supervising that industry (None, or no
      hook: the records are not domain-restricted, like plan tasks).
    - `audit_action`: the audit action, formatted with the step's action.
    - `documents`: the keys of the document kinds a step may issue (None: every kind registered for `model` that
      is not a form; an empty tuple: none, when the kinds there are speak to someone the step is not about).
    - `model`: "app_label.model" of the objects (records link to `obj.get_absolute_url()`).
    """

    key: str
    label: str
    model: str
    ladder: list
    overdue: Callable[[date], Iterable[Overdue]]
    recipients: Callable[[Any, Any, Any], tuple]
    describe: Callable[[Any, Any, int], tuple]
    issuing_unit: Callable[[Any], Any] | None = None
    skip: Callable[[Any, Any], bool] | None = None
    timeline_subject: Callable[[Any], Any] | None = None
    industry: Callable[[Any], int | None] | None = None
    audit_action: str = "escalation.{action}"
    major_label: str = ""  # how the ladder page calls the "major only" flag for this target ("" hides it)
    documents: tuple | None = None  # the document kinds its steps may issue (None: every letter kind of `model`)
    order: int = 100


@dataclass(frozen=True)
class DocumentKind:
    """A kind of official document (公文) issued about one kind of subject.

    - `subject_model`: "app_label.model" of the subject; `get_subject(pk, user)` returns the subject
      visible to `user` (None: the system) with what `build` reads, or None.
    - `build(subject, unit)`: the placeholder values (strings) the subject gives.
    - `available(subject)`: None when the kind may be issued now, else the Chinese reason why not.
    - `placeholders`: every placeholder name the kind's templates may use (besides the common
      发文机关/发文字号/成文日期); `inputs`: those the issuer types in when issuing (约谈时间 …), as
      (name, label, required).
    - `template`: the built-in default wording {"title", "body", "table"}; `form`: an approval form
      (审批表: a table, no addressee) rather than a letter; `letter`: a short letter (函, 约谈通知书) that is
      set on one page in the 信函格式 when it runs just onto a second page (documents.render.fit_one_page).
    - `sample`: values the template editor's preview fills in.
    - `addressee(subject)`: the 主送 line; `enterprise(subject)`: the enterprise it is addressed to
      (for the enterprise's own users' scope), `region_code(subject)`: where the document belongs,
      `industry(subject)`: the id of the regulatory industry (regions.Industry) it concerns, so only
      the departments supervising that industry see it (None: not domain-restricted).
    """

    key: str
    label: str
    subject_model: str
    get_subject: Callable[[Any, Any], Any]
    build: Callable[[Any, Any], dict]
    available: Callable[[Any], str | None]
    placeholders: tuple
    template: dict
    sample: dict
    addressee: Callable[[Any], str]
    region_code: Callable[[Any], str]
    enterprise: Callable[[Any], Any] = lambda subject: None
    industry: Callable[[Any], int | None] = lambda subject: None
    inputs: tuple = ()
    form: bool = False
    letter: bool = False
    order: int = 100


@dataclass(frozen=True)
class Reminder:
    """A deadline people are reminded of N days before it (N is the rule `days_rule`, per jurisdiction).

    - `due(today, horizon)`: candidates whose deadline lies in [today, horizon], as
      (obj, deadline, region_code).
    - `current(obj, today)`: the object re-read under a row lock inside the reminder's transaction,
      or None when it no longer needs the reminder (closed, deadline moved …).
    - `recipients(obj)`: (users, contacts); `describe(obj, deadline, days_left)`: (subject, body).
    Each (kind, object, deadline) is reminded once: a claim row guards it, even with several workers.
    """

    key: str
    label: str
    model: str
    days_rule: str
    due: Callable[[date, date], Iterable[tuple]]
    current: Callable[[Any, date], Any]
    deadline: Callable[[Any], date | None]
    recipients: Callable[[Any], tuple]
    describe: Callable[[Any, date, int], tuple]
    audit_action: str = ""
    order: int = 100


@dataclass(frozen=True)
class Timeline:
    """How events of one kind of subject are written and read (a typed event table underneath).

    `record(subject, action, actor=, note=, data=, **extra)` writes one event and returns it;
    `events(subject)` returns its events oldest first, each with at, actor_name, action, label, note, data.
    Subjects without a registered timeline use the shared `core.SubjectEvent` table."""

    model: str
    record: Callable[..., Any]
    events: Callable[[Any], list]


@dataclass(frozen=True)
class Job:
    """Periodic work for `tick`/`run_worker`: idempotent, and claiming its own rows (several workers may run)."""

    key: str
    label: str
    run: Callable[[], Any]
    order: int = 100


@dataclass(frozen=True)
class RuleDef:
    """A rule that is data: default, Chinese label, kind of value, and whether the 安委办 edits it.

    kind: "date" | "days" | "ratio" | "megabytes" | "monthday" ({"month", "day"}) | "count" | "json" | "flag" (是/否).
    `group` heads its section on the rules page. A structured ("json") value names its parts in `parts` ({key:
    core.rulevalues.Part}: the Chinese name, unit and range the rules page shows and checks; levels such as "major"
    are named by the page itself); `items="industries"` makes it a list of industry codes, picked by name."""

    key: str
    default: Any
    label: str
    kind: str
    group: str = ""
    editable: bool = True
    order: int = 100
    parts: dict = field(default_factory=dict, compare=False)
    items: str = ""


@dataclass(frozen=True)
class MenuEntry:
    """One navigation entry, shown to users holding `capability` (None: everyone signed in), under its
    `group` of the menu (MENU_GROUPS: 日常工作 / 台账 / 统计 / 方案 / 设置); an entry without a group is shown
    under 其他, after them."""

    label: str
    url_name: str
    capability: str | None = None
    order: int = 100
    group: str = ""


# The menu's groups, by task, in the order shown; entries of no (or another) group come last under 其他.
MENU_GROUPS = ("日常工作", "台账", "统计", "方案", "设置")
MENU_OTHER = "其他"


@dataclass(frozen=True)
class HomeSection:
    """Home-page content of a module: `cards(user)` returns cards ({"label", "value", "url", "tone"})
    and may add named blocks to the summary through `extra(user, summary)`. Shown when `applies(user)`.
    `title` heads its cards on the page ("隐患排查治理"); sections next to each other under the same title share
    one heading."""

    key: str
    applies: Callable[[Any], bool]
    cards: Callable[[Any], list] = lambda user: []
    extra: Callable[[Any, dict], None] | None = None
    order: int = 100
    title: str = ""


@dataclass(frozen=True)
class Figure:
    """A figure analytics shows by region, industry and period.

    `compute(user, filters)` → a number (None: nothing to count). `filters` is a dict of text:
    `region` (a region code; none: the user's jurisdiction), `industry` (an industry code), `year`
    ("2026") and, when the period is not a whole year, `start` and `end` (ISO dates, both inclusive; `year`
    is then start's year). A figure ignores what it cannot narrow by.
    `url(filters)` → the list of the records behind the figure, narrowed the same way.
    `breakdown(user, filters, by)` → {code: number} for each child region of filters["region"]
    (by="region", keyed by region code) or each industry (by="industry", keyed by industry code) in one
    pass, and may give the whole under "" when the same pass counted it (analytics then does not compute it
    again); without it analytics computes child by child.
    `source`: the key of a FigureSource that computes this figure together with others in one query;
    analytics then asks the source once for all of them (compute/breakdown stay for single readers).
    `group` heads the figure's section on the dashboard ("隐患排查治理", "教育培训" …), `unit` follows the
    number ("%", "条", "天", "家"), `better` says which way is good ("higher" / "lower") for scorecards.
    `capability`: what opening the records behind it takes (None: whoever sees the figure); readers link the
    number only for those who hold it (`figure_link`), so no one is sent to a page that refuses them."""

    key: str
    label: str
    compute: Callable[..., Any]
    url: Callable[..., str] | None = None
    order: int = 100
    group: str = ""
    unit: str = ""
    better: str = ""
    breakdown: Callable[..., dict] | None = None
    source: str = ""
    capability: str | None = None


def figure_link(figure, user, filters):
    """The url of the records behind `figure` narrowed by `filters`, or "" when it has none or `user` (None: anyone)
    may not open them."""
    if figure is None or figure.url is None:
        return ""
    if user is not None and figure.capability and not user.can(figure.capability):
        return ""
    return figure.url(filters)


@dataclass(frozen=True)
class FigureSource:
    """Several figures counted in one pass (one aggregate query over a module's table):
    `compute(user, filters, by)` → {group: {figure key: number}}, where group is "" for the total
    (by=None), a child region code (by="region") or an industry code (by="industry"). Figures name it
    in their `source`. `empty()` → the values of a group with no records (counts 0, rates None), for
    the children the query found nothing in."""

    key: str
    compute: Callable[..., dict]
    empty: Callable[[], dict] | None = None
    order: int = 100


@dataclass(frozen=True)
class RecordList:
    """Records a reader lists by name without reading the module's tables (a bulletin's overdue 重大
    hazards, the big screen's listed-hazards ticker): `rows(user, filters, limit)` → [dict] with a "url"
    and one value per column key, inside the user's scope, narrowed by the Figure filters (region,
    industry, year, start/end); `columns` [(key, Chinese label)]; `url(filters)` the whole list."""

    key: str
    label: str
    columns: tuple
    rows: Callable[..., list]
    url: Callable[..., str] | None = None
    order: int = 100


@dataclass(frozen=True)
class Backlink:
    """Where another module's records point at a subject (the inspection, campaign check or self-inspection
    a hazard was found in): `links(obj, user)` returns [(label, text, url)] of the records `user` may see.
    The subject's page shows them without importing the module that registered them.

    `probe(obj, user)`, when given, is a cheap, unscoped look for rows pointing at `obj` (the link table's
    rows of the object): a queryset, a tuple of querysets, or None when there is nothing to look for (the
    user lacks the capability). `links` is then asked only when a probe found a row; a subject usually has
    one source, so the page asks every module's probe in one statement instead of a scoped query each.
    Scope stays `links`' business: a probe only says whether asking is worth it."""

    key: str
    model: str  # "app_label.model" of the subject
    links: Callable[[Any, Any], list]
    order: int = 100
    probe: Callable[[Any, Any], Any] | None = None


@dataclass(frozen=True)
class DemoLoader:
    """Part of the demo (`load_demo`): `load(stdout)` is idempotent; `summary()` returns a short Chinese
    count for the closing line ("240 条隐患")."""

    key: str
    load: Callable[[Any], Any]
    summary: Callable[[], str] | None = None
    accounts: Callable[[], list] | None = None
    order: int = 100


@dataclass(frozen=True)
class OfflineForm:
    """A form filled in the field that works without a network (core.offline): `key` is the URL name of its page
    (taking no arguments), shown to users holding `capability`. The browser of such a user keeps the page, so that
    it opens offline, and sends what is filled in when the network is back."""

    key: str
    label: str
    capability: str | None = None
    order: int = 100


# ---------------------------------------------------------------- the registry

KEYED = {
    "escalation_targets": EscalationTarget,
    "document_kinds": DocumentKind,
    "reminders": Reminder,
    "timelines": Timeline,
    "jobs": Job,
    "rules": RuleDef,
    "home_cards": HomeSection,
    "figures": Figure,
    "figure_sources": FigureSource,
    "record_lists": RecordList,
    "demo_loaders": DemoLoader,
    "backlinks": Backlink,
    "offline_forms": OfflineForm,
}
LISTED = {"menu": MenuEntry}


class Registry(dict):
    """A dict of the stores above; a store cannot be added or replaced after start-up."""

    def __setitem__(self, key, value):
        raise KeyError(f"registry stores are fixed; '{key}' cannot be set")

    def __delitem__(self, key):
        raise KeyError(f"registry stores are fixed; '{key}' cannot be removed")


registry = Registry({name: {} for name in KEYED} | {name: [] for name in LISTED})


def _key(entry):
    return entry.model if isinstance(entry, Timeline) else entry.key


def register(*entries):
    """Put each entry in its store (chosen by its type). A key already taken raises ValueError."""
    for entry in entries:
        for name, kind in KEYED.items():
            if isinstance(entry, kind):
                store, key = registry[name], _key(entry)
                if key in store:
                    raise ValueError(f"{name}: '{key}' is already registered")
                store[key] = entry
                break
        else:
            if isinstance(entry, MenuEntry):
                if any(e.url_name == entry.url_name for e in registry["menu"]):
                    raise ValueError(f"menu: '{entry.url_name}' is already registered")
                registry["menu"].append(entry)
            else:
                raise TypeError(f"cannot register {entry!r}")
    return entries


def unregister(store, key):
    """Remove one entry (tests that add a subject of their own clean up with this)."""
    if store in LISTED:
        registry[store][:] = [e for e in registry[store] if e.url_name != key]
    else:
        registry[store].pop(key, None)


def ordered(store):
    """The entries of `store` by their `order`, then registration order."""
    entries = registry[store] if store in LISTED else list(registry[store].values())
    return sorted(entries, key=lambda e: e.order)


def backlinks(obj, user):
    """Every registered backlink of `obj` that `user` may see, as (label, text, url), in registry order.
    The backlinks with a `probe` are probed together (one UNION statement) and asked for their links only
    when their probe found a row; those without one are always asked."""
    label = obj._meta.label_lower
    entries = [b for b in ordered("backlinks") if b.model == label]
    wanted = {b.key for b in entries if b.probe is None} | _probed(entries, obj, user)
    return [link for b in entries if b.key in wanted for link in b.links(obj, user)]


def _probed(entries, obj, user):
    """The keys of the entries whose probe finds a row for `obj`, read in one statement."""
    from django.db.models import CharField, Value

    parts = []
    for b in entries:
        found = b.probe(obj, user) if b.probe is not None else None
        if found is None:
            continue
        for qs in found if isinstance(found, (list, tuple)) else (found,):
            # no ORDER BY or LIMIT: SQLite refuses them inside a compound statement; UNION keeps one row a tag
            parts.append(qs.order_by().values_list(Value(b.key, output_field=CharField())))
    if not parts:
        return set()
    rows = parts[0][:1] if len(parts) == 1 else parts[0].union(*parts[1:]).order_by()
    return {tag for (tag,) in rows}


def entry(store, key):
    """One entry; KeyError with the known keys when `key` is not registered."""
    try:
        return registry[store][key]
    except KeyError:
        raise KeyError(f"{store}: '{key}' is not registered (known: {', '.join(registry[store]) or 'none'})") from None


def list_url(url_name, query=""):
    """A Figure's `url`: the list page `url_name` narrowed by `query` (list filters, where {start} and {end}
    stand for the period's first and last day) and by the figure filters' region and industry."""

    def url(filters=None):
        from django.urls import reverse

        from .periods import filter_range

        filters = filters or {}
        start, end = filter_range(filters)
        parts = [query.format(start=start, end=end)] if query else []
        parts += [f"{name}={filters[name]}" for name in ("region", "industry") if filters.get(name)]
        return reverse(url_name) + ("?" + "&".join(parts) if parts else "")

    return url


def sourced_figures(source, compute, figures, *, group, order=100, empty=None, with_source=True):
    """The FigureSource `source` (computing {group: {key: value}}, see FigureSource) and its Figures, each
    read from it: `figures` [(name, label, unit, better, url[, capability])] become Figure "<source>.<name>" in
    `group`, with compute and breakdown taken from the source's results. `with_source=False` for a second group of
    the same source."""
    entries = [FigureSource(source, compute, empty, order=order)] if with_source else []
    for index, (name, label, unit, better, url, *capability) in enumerate(figures):
        key = f"{source}.{name}"
        entries.append(
            Figure(
                key,
                label,
                lambda user, filters, key=key: compute(user, filters).get("", {}).get(key),
                url,
                order=order + index,
                group=group,
                unit=unit,
                better=better,
                breakdown=lambda user, filters, by, key=key: {
                    g: row.get(key) for g, row in compute(user, filters, by).items()
                },
                source=source,
                capability=capability[0] if capability else None,
            )
        )
    return entries
