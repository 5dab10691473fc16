"""What the extractor returns: one PlanTask per task row, gathered in a PlanParse."""

from dataclasses import dataclass, field

from .deadlines import Deadline

JSON_KEYS = ("action", "key_task", "content", "deadline_text", "deadline", "recurrence", "responsible", "cooperating")


@dataclass
class PlanTask:
    """One 具体任务 under its 行动 and 重点任务, with its deadline and units."""

    action: str = ""
    key_task: str = ""
    content: str = ""
    deadline: Deadline = field(default_factory=Deadline)
    responsible: list = field(default_factory=list)
    cooperating: list = field(default_factory=list)
    source: str = ""  # where in the file: "第128行", "表1第5行", "工作表“清单”第7行"
    row: int = 0  # 1-based position in the extracted list
    warnings: list = field(default_factory=list)

    @property
    def deadline_text(self):
        return self.deadline.text

    @property
    def recurrence(self):
        return self.deadline.recurrence

    @property
    def dates(self):
        return list(self.deadline.dates)

    def as_dict(self):
        """The machine form: exactly the keys of `import_plan --json`."""
        return {
            "action": self.action,
            "key_task": self.key_task,
            "content": self.content,
            "deadline_text": self.deadline.text,
            "deadline": self.deadline.as_json(),
            "recurrence": self.deadline.recurrence,
            "responsible": list(self.responsible),
            "cooperating": list(self.cooperating),
        }


@dataclass
class PlanParse:
    """The tasks of one plan document, the problems found row by row, and the plan year used."""

    tasks: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    year: int | None = None
    title: str = ""
    layout: str = ""  # "table", "prose" or "notice"

    def as_dicts(self):
        return [t.as_dict() for t in self.tasks]

    def units(self):
        """Every unit name mentioned, responsible ones first, in order of appearance."""
        names = []
        for attr in ("responsible", "cooperating"):
            for task in self.tasks:
                for name in getattr(task, attr):
                    if name not in names:
                        names.append(name)
        return names
