"""History pages in admin that only show.

django-simple-history's `history_form_view` draws an earlier version as a form. With
`SIMPLE_HISTORY_REVERT_DISABLED` it hides the « Rétablir » button, yet a POST to the same address
still saves that form over the current row: it would bring back a mark, move a slot or change a
locked registration behind every service and rule. Here a history page answers GET only;
every admin of the portal that shows history inherits this class (a test walks the admin site).
"""

from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
