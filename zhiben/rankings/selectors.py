"""Reads of rankings, always from the reader's scope (`for_user`): scorecards, runs, a run's table with
each value linking to the records behind it, and one subject's history across periods."""

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.http import Http404

from zhiben.core.periods import parse_period
from zhiben.core.registry import figure_link, registry
from zhiben.regions.models import Region

from .models import RankingEntry, RankingRun, Scorecard
from .scoring import number_text

SUBJECT_NAMES = {3: "区县", 4: "镇街", 5: "村（社区）"}


def subject_noun(region):
    """What the subjects of a jurisdiction are called: 镇街 for a county, 村（社区） for a town."""
    return SUBJECT_NAMES.get(region.level + 1, "下级区划")


def scorecard_list(*, user):
    current = RankingRun.objects.filter(current=True).order_by("-period_start")
    return (
        Scorecard.objects.for_user(user)
        .select_related("region")
        .prefetch_related("items", Prefetch("runs", queryset=current, to_attr="current_runs"))
        .order_by("region_id", "name")
    )


def scorecard_get(*, user, pk):
    found = Scorecard.objects.for_user(user).select_related("region").filter(pk=pk).first()
    if found is None:
        raise Http404("评分表不存在或不在您的管辖范围内。")
    return found


def scorecard_runs(scorecard):
    """Every run of a scorecard, the newest period first, its current version before the superseded ones."""
    return scorecard.runs.order_by("-period_start", "-current", "-version")


def run_get(*, user, pk):
    found = RankingRun.objects.for_user(user).select_related("scorecard", "region").filter(pk=pk).first()
    if found is None:
        raise Http404("评分排名不存在或不在您的管辖范围内。")
    return found


def run_versions(run):
    """All versions of the run's period (newest first)."""
    return RankingRun.objects.filter(
        scorecard_id=run.scorecard_id, period_start=run.period_start, period_end=run.period_end
    ).order_by("-version")


@dataclass
class Cell:
    label: str
    value: object
    points: object
    url: str = ""
    missing: bool = False

    @property
    def text(self):
        return number_text(self.value)


@dataclass
class Line:
    entry: RankingEntry
    cells: list = field(default_factory=list)


def run_table(run, user=None):
    """The run's entries by rank, each with one Cell per item: value, points, the url of the records
    behind the value (the figure's own list narrowed to the subject and the period), missing or not."""
    period = parse_period(run.period_text)
    lines = []
    for entry in run.entries.order_by("rank", "region_id"):
        filters = {"region": entry.region_id, **period.filters}
        cells = [
            Cell(
                item["label"],
                entry.values.get(item["key"]),
                entry.points.get(item["key"]),
                figure_link(registry["figures"].get(item["key"]), user, filters),
                item["key"] in entry.missing,
            )
            for item in run.items
        ]
        lines.append(Line(entry, cells))
    return lines


def red_list(run):
    """The entries of the lowest tier (red-listed); when nobody is in it, the last-ranked ones."""
    entries = list(run.entries.order_by("rank", "region_id"))
    if not entries:
        return [], False
    lowest = run.tiers[-1]["name"] if run.tiers else None
    found = [e for e in entries if e.tier == lowest]
    if found:
        return found, True
    last = entries[-1].rank
    return [e for e in entries if e.rank == last], False


def subject_history(*, user, scorecard, code):
    """(region, [(run, entry)]) of one child region of the scorecard's jurisdiction across the scored
    periods (current versions, oldest first); 404 for a region that is not one of its subjects."""
    region = Region.objects.filter(code=code, parent_id=scorecard.region_id).first()
    seen = RankingEntry.objects.filter(run__scorecard=scorecard, region_id=code).exists()
    if region is None and not seen:
        raise Http404("该区划不是本评分表的排名对象。")
    runs = RankingRun.objects.for_user(user).filter(scorecard=scorecard, current=True).order_by("period_start")
    entries = {e.run_id: e for e in RankingEntry.objects.filter(run__in=runs, region_id=code).select_related("run")}
    rows = [(run, entries.get(run.pk)) for run in runs]
    if region is None:
        region = Region(code=code, name=next((e.name for e in entries.values()), code))
    return region, rows
