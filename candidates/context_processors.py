from functools import cache


def inbox(request):
    """The number of unread messages, for the header; counted once, and only when shown."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Templates call a callable when they read it; cache makes it one query per page.
    from candidates.inbox import unread_count

    return {"unread_messages": cache(lambda: unread_count(user))}


def franceconnect(request):
    """Whether « S'identifier avec FranceConnect » shows: only once the portal is registered with it."""
    from candidates.franceconnect import is_configured

    return {"franceconnect_enabled": is_configured()}
