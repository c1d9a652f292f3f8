import pytest

from kefu.callbacks import services
from kefu.callbacks.models import CallbackPolicy, CallbackTask
from kefu.factories import CustomerFactory, PhoneFactory
from kefu.workorders import services as workorders


@pytest.fixture
def make_order(users, org, customer, order_types):
    def make(title="厨房水管漏水", type_code="repair", user=None, unit=None, **fields):
        fields.setdefault("customer", customer)
        return workorders.register_order(
            user=user or users["agent"],
            unit=unit or org["east"],
            order_type=order_types[type_code],
            title=title,
            **fields,
        )

    return make


@pytest.fixture
def west_customer(org):
    customer = CustomerFactory(unit=org["west"], name="赵敏")
    PhoneFactory(customer=customer, number="+8613900002222")
    return customer


@pytest.fixture
def make_task(org, customer):
    """A callback task of the missed-call policy (ratio 100%), one per call."""
    counter = iter(range(1, 10_000))

    def make(unit=None, customer_=None, **fields):
        policy = CallbackPolicy.objects.get(code="missed_call")
        subject = customer_ or customer
        (task,) = services.create_for_event(
            trigger=policy.trigger,
            customer=subject,
            subject=subject,
            unit=unit or org["east"],
            key=f"test{next(counter)}",
        )
        if fields:
            CallbackTask.objects.filter(pk=task.pk).update(**fields)
            task.refresh_from_db()
        return task

    return make
