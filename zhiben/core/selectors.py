"""What the home page shows, per role and scope: the sections modules registered (`HomeSection`)."""

from .registry import ordered


def home_summary(*, user):
    """Cards for the home page, plus any named blocks a section adds (an enterprise user's own enterprise,
    the industry table, the audit chain check). Each section decides whom it applies to."""
    summary = {"cards": []}
    for section in ordered("home_cards"):
        if section.applies(user):
            summary["cards"] += section.cards(user)
            if section.extra is not None:
                section.extra(user, summary)
    return summary
