"""The unread count shown next to 消息 in the top bar."""


def unread(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .services import unread_count

    return {"unread_count": unread_count(user)}
