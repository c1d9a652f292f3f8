from django.contrib import admin

from kefu.messaging.models import InboundSms, OptOut, SatisfactionRequest, SmsMessage, SmsTemplate


@admin.register(SmsTemplate)
class SmsTemplateAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "provider_code", "is_active")
    list_filter = ("kind", "is_active")


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin):
    list_display = ("phone", "at", "source")
    search_fields = ("phone",)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SmsMessage)
class SmsMessageAdmin(ReadOnly):
    list_display = ("created_at", "phone", "status", "attempts", "provider", "error")
    list_filter = ("status", "provider")
    search_fields = ("phone", "key")


@admin.register(InboundSms)
class InboundSmsAdmin(ReadOnly):
    list_display = ("received_at", "phone", "customer", "body")
    search_fields = ("phone",)


@admin.register(SatisfactionRequest)
class SatisfactionRequestAdmin(ReadOnly):
    list_display = ("created_at", "customer", "unit", "channel", "rating", "answered_at")
    list_filter = ("channel", "rating")
