import hmac
import json
from datetime import datetime, time, timedelta

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseForbidden, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from kefu.core import scoping
from kefu.messaging import satisfaction, services
from kefu.messaging.models import SatisfactionRequest
from kefu.messaging.satisfaction import TokenError

DATE = {"type": "date", "class": "form-control"}


class PeriodForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs=DATE))
    end = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput(attrs=DATE))


def survey(request, token):
    """The no-login rating page behind the link in the SMS."""
    try:
        survey_request = satisfaction.open_request(token)
    except TokenError as error:
        return render(request, "messaging/survey_closed.html", {"reason": error.reason}, status=410)
    errors = {}
    if request.method == "POST":
        try:
            satisfaction.answer(
                token, rating=request.POST.get("rating"), comment=request.POST.get("comment", "")
            )
        except TokenError as error:
            return render(
                request, "messaging/survey_closed.html", {"reason": error.reason}, status=410
            )
        except ValidationError as error:
            errors = error.message_dict
        else:
            return render(request, "messaging/survey_thanks.html")
    return render(
        request,
        "messaging/survey.html",
        {
            "survey": survey_request,
            "ratings": [(5, "😀"), (4, "🙂"), (3, "😐"), (2, "🙁"), (1, "😠")],
            "errors": errors,
            "posted": request.POST,
        },
        status=400 if errors else 200,
    )


def _authorised(request, secret):
    expected = getattr(settings, "KEFU_SMS_WEBHOOK_SECRET", "")
    return bool(expected) and hmac.compare_digest(secret, expected)


def _items(request):
    try:
        data = json.loads(request.body or b"[]")
    except ValueError:
        return None
    return data if isinstance(data, list) else [data]


@csrf_exempt
@require_POST
def delivery_hook(request, secret):
    """Aliyun's SmsReport push: a JSON list of {biz_id, out_id, success,
    err_code, report_time}."""
    if not _authorised(request, secret):
        return HttpResponseForbidden()
    items = _items(request)
    if items is None:
        return JsonResponse({"code": 1, "msg": "malformed"}, status=400)
    for item in items:
        if not isinstance(item, dict):
            continue
        services.delivery_report(
            provider_id=str(item.get("biz_id", "")),
            reference=str(item.get("out_id", "") or ""),
            delivered=bool(item.get("success")),
            error=str(item.get("err_msg") or item.get("err_code") or ""),
            at=_time(item.get("report_time")),
        )
    return JsonResponse({"code": 0, "msg": "成功"})


@csrf_exempt
@require_POST
def inbound_hook(request, secret):
    """Aliyun's SmsUp push: a JSON list of {phone_number, content, send_time,
    sequence_id}."""
    if not _authorised(request, secret):
        return HttpResponseForbidden()
    items = _items(request)
    if items is None:
        return JsonResponse({"code": 1, "msg": "malformed"}, status=400)
    for item in items:
        if not isinstance(item, dict) or not item.get("phone_number"):
            continue
        services.receive_reply(
            phone=str(item["phone_number"]),
            body=str(item.get("content", "")),
            at=_time(item.get("send_time")),
            provider_ref=str(item.get("sequence_id", "") or ""),
        )
    return JsonResponse({"code": 0, "msg": "成功"})


def _time(value):
    if not value:
        return None
    moment = parse_datetime(str(value))
    if moment is None:
        return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


@login_required
def satisfaction_report(request):
    if not request.user.is_supervising:
        raise PermissionDenied(_("This report is for supervisors and managers."))
    today = timezone.localdate()
    form = PeriodForm(
        request.GET or None, initial={"start": today - timedelta(days=30), "end": today}
    )
    start, end = (
        (form.cleaned_data["start"], form.cleaned_data["end"])
        if form.is_valid()
        else (today - timedelta(days=30), today)
    )
    rows = satisfaction.report(
        request.user,
        start=timezone.make_aware(datetime.combine(start, time.min)),
        end=timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min)),
    )
    answers = (
        scoping.scope_by_unit(SatisfactionRequest.objects.all(), request.user)
        .filter(answered_at__isnull=False)
        .select_related("customer", "unit")
        .order_by("-answered_at")[:30]
    )
    return render(
        request,
        "messaging/satisfaction_report.html",
        {"form": form, "rows": rows, "answers": answers, "start": start, "end": end},
    )
