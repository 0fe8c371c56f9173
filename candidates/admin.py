from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from candidates.models import Message, ProfileChange, User
from common.admin_readonly import ReadOnlyInline, RecordOnlyAdmin


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email"]


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class ActivatedFilter(admin.SimpleListFilter):
    title = _("activation")
    parameter_name = "active"

    def lookups(self, request, model_admin):
        return [("yes", _("activé")), ("no", _("non activé"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(activated_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(activated_at__isnull=True)
        return queryset


class ProfileChangeInline(ReadOnlyInline):
    model = ProfileChange
    fk_name = "user"
    fields = ["changed_at", "field", "old_value", "new_value", "changed_by", "after_lock", "staff_notified_at"]
    readonly_fields = fields
    verbose_name_plural = _("historique des changements de situation")


class MessageInline(ReadOnlyInline):
    model = Message
    fields = ["created_at", "subject", "to_email", "status", "sent_at", "read_at"]
    readonly_fields = fields
    ordering = ["-created_at"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    add_form = UserCreationForm
    form = UserEditForm
    list_display = ["email", "last_name", "first_name", "is_active", "activated_at", "is_staff", "date_joined"]
    list_filter = [ActivatedFilter, "is_staff", "is_superuser", "date_joined"]
    date_hierarchy = "date_joined"
    search_fields = ["email", "last_name", "first_name"]
    ordering = ["-date_joined"]
    show_full_result_count = False
    readonly_fields = ["date_joined", "activated_at", "last_login"]
    inlines = [ProfileChangeInline, MessageInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Identité"), {"fields": ["last_name", "first_name", "birth_date"]}),
        (_("Coordonnées"), {"fields": ["address_line", "address_complement", "postal_code", "city", "country", "phone"]}),
        (_("État du compte"), {"fields": ["is_active", "date_joined", "activated_at", "last_login"]}),
        (_("Droits"), {"fields": ["is_staff", "is_superuser", "groups", "user_permissions"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "usable_password", "password1", "password2"]}),
    ]

    def get_inlines(self, request, obj):
        return self.inlines if obj else []


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "subject", "to_email", "status", "attempts", "sent_at", "read_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["to_email", "recipient__email", "subject"]
    list_select_related = ["recipient"]
    show_full_result_count = False
    readonly_fields = [f.name for f in Message._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ProfileChange)
class ProfileChangeAdmin(RecordOnlyAdmin):
    """Every change of situation; filter those made after a final validation."""

    list_display = ["changed_at", "user", "field", "old_value", "new_value", "after_lock", "staff_notified_at"]
    list_filter = ["after_lock", "field", "changed_at"]
    search_fields = ["user__email", "user__last_name"]
    list_select_related = ["user"]
    show_full_result_count = False
