from kefu.factories import CustomerFactory
from kefu.workorders import services


def _register(users, org, order_types, customer, title, user="agent", unit="east"):
    return services.register_order(
        user=users[user],
        unit=org[unit],
        order_type=order_types["repair"],
        title=title,
        customer=customer,
    )


def _search(user, text):
    return set(services.filter_orders(services.visible_orders(user), user=user, q=text))


def test_exact_customer_name_finds_their_orders_within_scope(users, org, order_types, customer):
    mine = _register(users, org, order_types, customer, "厨房水管漏水")
    namesake = CustomerFactory(unit=org["west"], name=customer.name)
    theirs = _register(
        users, org, order_types, namesake, "门锁损坏", user="agent_west", unit="west"
    )
    assert _search(users["agent"], customer.name) == {mine}
    assert _search(users["agent_west"], customer.name) == {theirs}
    assert _search(users["manager"], customer.name) == {mine, theirs}


def test_part_of_a_name_a_title_word_or_a_number_still_match(users, org, order_types, customer):
    order = _register(users, org, order_types, customer, "厨房水管漏水")
    assert _search(users["agent"], customer.name[:1]) == {order}
    assert _search(users["agent"], "水管") == {order}
    assert _search(users["agent"], order.number) == {order}
    assert _search(users["agent"], order.number[-4:]) == {order}
    assert _search(users["agent"], "电梯") == set()
