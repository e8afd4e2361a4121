from django.contrib import admin

from accounts.models import OutgoingMail
from accounts.services.mail import mail_send_again


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "to", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to", "subject"]
    # Password-reset links are credentials: the admin shows that a message exists, not its body.
    exclude = ["body"]
    readonly_fields = [f.name for f in OutgoingMail._meta.fields if f.name != "body"]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Send the failed ones again")
    def send_again(self, request, queryset):
        count = mail_send_again(mail_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} message(s) queued again.")
