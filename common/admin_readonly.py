"""Admin for records nobody edits: an audit trail is read, never added to, changed or deleted by hand."""

from django.contrib import admin


class RecordOnlyAdmin(admin.ModelAdmin):
    """A list and pages that only show (changes of situation, marks imports)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """Rows shown under their parent, never added or changed there."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
