"""What a work order shows of its process template: the values of the
template's own fields, and the forms printed at each step (维修工作单,
钥匙借用表 …), whose rows name order attributes or template fields."""

from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from kefu.processes.custom_fields import display_value, localized
from kefu.workorders.process_fields import PROCESS_FIELDS


def _when(value):
    return formats.date_format(timezone.localtime(value), "Y-m-d H:i") if value else ""


def _charges(order):
    return "；".join(f"{c.item} ¥{c.amount}" for c in order.charges.all())


# name -> (label, value of the order as text); a printed form may show these.
ORDER_ATTRIBUTES = {
    "number": (_("Number"), lambda o: o.number),
    "order_type": (_("Type"), lambda o: o.order_type.label),
    "category": (_("Category"), lambda o: str(o.category or "")),
    "title": (_("Title"), lambda o: o.title),
    "description": (_("Description"), lambda o: o.description),
    "customer": (_("Customer"), lambda o: o.customer.name if o.customer_id else ""),
    "contact": (_("Contact"), lambda o: f"{o.contact_name} {o.contact_phone_display}".strip()),
    "location": (_("Location"), lambda o: o.location),
    "created_at": (_("Registered"), lambda o: _when(o.created_at)),
    "created_by": (_("Registered by"), lambda o: str(o.created_by or "")),
    "appointment_at": (_("Appointment"), lambda o: _when(o.appointment_at)),
    "department": (_("Responsible department"), lambda o: str(o.department or "")),
    "assignee": (_("Handler"), lambda o: str(o.assignee or "")),
    "due_at": (_("Deadline"), lambda o: _when(o.due_at)),
    "result": (_("Handling result"), lambda o: o.result),
    "reply_note": (_("Reply to the customer"), lambda o: o.reply_note),
    "satisfaction": (_("Satisfaction"), lambda o: o.get_satisfaction_display()),
    "callback_note": (_("Callback record"), lambda o: o.callback_note),
    "resolved_at": (_("Resolved"), lambda o: _when(o.resolved_at)),
    "charges": (_("Materials and charges"), _charges),
}


def template_field_names():
    """Names a work-order template may use besides its own custom fields."""
    return set(PROCESS_FIELDS) | set(ORDER_ATTRIBUTES)


def template_values(order):
    """The template's own fields with the order's values, in declared order."""
    data = order.data or {}
    return [
        {
            "name": field["name"],
            "label": localized(field),
            "value": display_value(field, data.get(field["name"])),
            "is_file": field.get("type") == "file" and isinstance(data.get(field["name"]), dict),
        }
        for field in order.process.custom_fields
    ]


def forms_at_step(order):
    """The printed forms of the order's template that belong to its current step."""
    return [
        {"code": form["code"], "title": localized(form, "title")}
        for form in order.process.forms
        if not form.get("states") or order.state.code in form["states"]
    ]


def printed_rows(order, form):
    """(label, value) for each row of a printed form."""
    rows = []
    data = order.data or {}
    for name in form.get("fields", []):
        custom = order.process.custom_field(name)
        if custom is not None:
            rows.append((localized(custom), display_value(custom, data.get(name))))
        elif name in ORDER_ATTRIBUTES:
            label, value = ORDER_ATTRIBUTES[name]
            rows.append((label, value(order)))
    return rows
