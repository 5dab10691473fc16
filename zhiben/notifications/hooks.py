"""Notifications plug their jobs into the worker (registered from `NotificationsConfig.ready()`)."""

from zhiben.core.registry import Job, register

from .reminders import remind_all
from .services import send_pending

register(
    Job("reminders", "到期提醒", remind_all, order=20),
    Job("send_notifications", "发送通知", send_pending, order=90),
)
