"""What the home page shows, per role and scope: the sections modules registered (`HomeSection`)."""

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max
from django.utils import timezone

from .memo import memo_scope
from .parallel import concurrently
from .registry import ordered


def home_summary(*, user, fresh=False):
    """Cards for the home page ("cards", and "groups": [{"title", "cards"}] under the sections' titles, sections next
    to each other under one title in one group), plus any named blocks a section adds (an enterprise user's own enterprise,
    the industry table, the audit chain check). Each section decides whom it applies to.

    Kept per user for settings.HOME_CACHE_SECONDS (a county's cards count tens of thousands of enterprises),
    and counted anew at once after the user's own audited write (the key holds their latest audit event) or
    when asked (`fresh`, the page's 刷新 link); "at" says when it was counted."""
    from zhiben.audit.models import AuditEvent

    latest = AuditEvent.objects.filter(actor_id=user.pk).aggregate(n=Max("id"))["n"]
    key = f"home:{user.pk}:{user.role}:{user.region_id}:{latest}"
    summary = None if fresh else cache.get(key)
    if summary is None:
        summary = {"cards": [], "groups": [], "at": timezone.now()}
        with memo_scope():  # the cards share what several ask (core.memo), counted at once (core.parallel)
            sections = [section for section in ordered("home_cards") if section.applies(user)]
            counted = concurrently([lambda section=section: section.cards(user) for section in sections])
            for section, cards in zip(sections, counted):
                summary["cards"] += cards
                if not cards:
                    continue
                groups = summary["groups"]
                if groups and groups[-1]["title"] == section.title:
                    groups[-1]["cards"] += cards
                else:
                    groups.append({"title": section.title, "cards": list(cards)})
            for section in sections:
                if section.extra is not None:
                    section.extra(user, summary)
        cache.set(key, summary, settings.HOME_CACHE_SECONDS)
    return summary
