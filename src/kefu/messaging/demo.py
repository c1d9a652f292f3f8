"""Demo satisfaction requests after closed orders, most of them answered."""

from datetime import timedelta

from kefu.customers.models import Customer
from kefu.messaging import satisfaction

COMMENTS = ["师傅很准时", "处理很快，谢谢", "", "希望电话能更容易打通", ""]


def load(organisation, rng, now):
    customers = list(Customer.objects.order_by("id")[:40])
    for n, customer in enumerate(customers):
        sent = now - timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 8))
        request = satisfaction.send_satisfaction_request(
            customer=customer, subject=customer, user=None, channel="link", now=sent
        )
        if n % 4:
            satisfaction.answer(
                satisfaction.make_token(request),
                rating=rng.choice([5, 5, 4, 4, 4, 3, 2]),
                comment=rng.choice(COMMENTS),
                now=min(sent + timedelta(hours=rng.randint(1, 30)), now),
            )
