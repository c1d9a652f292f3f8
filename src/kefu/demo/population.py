"""Demo customers: owners with property units in the projects, buyers with
products (model, serial, purchase date, dealer) at the hotline, each with
mobile and sometimes landline numbers, a segment and tags. They are created
through ``customers.services.create_customer``."""

import random
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from kefu.customers import phones
from kefu.customers.models import Segment, Tag
from kefu.customers.services import create_customer
from kefu.demo import content
from kefu.demo.organisation import SiteStaff


@dataclass(frozen=True)
class Household:
    """A customer with what orders about them mention."""

    customer: object
    phone: str  # E.164
    place: str  # where the work is: 3号楼1202室, or a street address
    building: str = ""
    product: str = ""
    dealer: object = None  # the dealer Department that sold the product


class PhoneBook:
    """Mobile and landline numbers that are not handed out twice."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def _fresh(self, make):
        while True:
            number = make()
            if number not in self.used:
                self.used.add(number)
                return number

    def mobile(self):
        return self._fresh(
            lambda: self.rng.choice(content.MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
        )

    def landline(self, city):
        area, lead, *_ = city
        digits = 8 - len(lead)
        return self._fresh(lambda: f"{area}-{lead}{self.rng.randrange(10**digits):0{digits}d}")


def person_name(rng):
    return "".join(content.chinese_name(rng))


def install_tags():
    return {
        name: Tag.objects.get_or_create(name=name, defaults={"color": color})[0]
        for name, color in content.TAGS
    }


def _segment(rng, weights):
    return rng.choices(list(weights), list(weights.values()))[0]


class Population:
    """Makes the customers of each site. ``clock`` is the simulated clock,
    set to each customer's arrival before the service creates the file."""

    def __init__(self, rng: random.Random, clock, now):
        self.rng = rng
        self.clock = clock
        self.now = now
        self.tags = install_tags()
        self.phone_book = PhoneBook(rng)

    def households(self, staff: SiteStaff, count, *, actor):
        """``count`` customers of ``staff``'s center, registered by ``actor``."""
        maker = self._owner if staff.site.line == "property" else self._buyer
        return [maker(staff, actor) for _ in range(count)]

    def _owner(self, staff, actor):
        rng, tags, site = self.rng, self.tags, staff.site
        building = f"{rng.randint(1, content.BUILDINGS)}号楼"
        room = f"{rng.randint(2, content.FLOORS)}{rng.randint(1, content.FLATS_PER_FLOOR):02d}"
        segment = _segment(
            rng, {Segment.ORDINARY: 62, Segment.REPAIR: 18, Segment.NEW: 12, Segment.KEY: 8}
        )
        days = rng.uniform(3, 60) if segment == Segment.NEW else rng.uniform(120, 1500)
        self.clock.now = self.now - timedelta(days=days)
        numbers = [self.phone_book.mobile()]
        if rng.random() < 0.25:
            numbers.append(self.phone_book.landline(content.CITIES[0]))
        chosen = [tags["租户" if rng.random() < 0.12 else "业主"]]
        for tag, share in (("独居老人", 0.05), ("车位租户", 0.15), ("投诉敏感", 0.03)):
            if rng.random() < share:
                chosen.append(tags[tag])
        if segment == Segment.KEY:
            chosen.append(tags["VIP"])
        home = {
            "label": "房产",
            "region": "上海市",
            "detail": site.address,
            "project": site.name,
            "building": building,
            "room": room,
        }
        customer = create_customer(
            user=actor,
            unit=staff.center,
            name=person_name(rng),
            phone_numbers=numbers,
            segment=segment,
            tags=chosen,
            addresses=[home],
        )
        return Household(customer, phones.normalize(numbers[0]), f"{building}{room}室", building)

    def _buyer(self, staff, actor):
        rng, tags = self.rng, self.tags
        city = rng.choices(content.CITIES, (5, 2, 2, 1))[0]
        _area, _lead, city_name, districts = city
        segment = _segment(
            rng, {Segment.ORDINARY: 35, Segment.NEW: 30, Segment.REPAIR: 27, Segment.KEY: 8}
        )
        days = rng.uniform(2, 40) if segment == Segment.NEW else rng.uniform(60, 2000)
        bought = self.now - timedelta(days=days)
        self.clock.now = bought + timedelta(hours=rng.uniform(1, 72))
        company = rng.random() < 0.06
        name = rng.choice(content.COMPANY_NAMES) if company else person_name(rng)
        numbers = [self.phone_book.mobile()]
        if company or rng.random() < 0.15:
            numbers.insert(0 if company else 1, self.phone_book.landline(city))
        dealers = staff.departments_of("dealer")
        dealer = dealers[min(content.CITIES.index(city), len(dealers) - 1)]
        chosen = [tags["经销商客户"]] if rng.random() < 0.4 else []
        if company:
            chosen.append(tags["企业客户"])
        if segment == Segment.KEY:
            chosen.append(tags["VIP"])
        if rng.random() < 0.2:
            chosen.append(tags["延保用户"])
        district = rng.choice(districts)
        street = f"{rng.choice(content.STREETS)}{rng.randint(1, 999)}号"
        model = rng.choice(content.PRODUCTS)
        product = {
            "model": model.model,
            "serial": f"{model.model[:3]}{bought:%y%m}{rng.randrange(10**6):06d}",
            "purchase_date": timezone.localdate(bought),
            "dealer": dealer.name,
            "receipt_no": f"HZ{bought:%Y%m%d}{rng.randrange(10**4):04d}",
        }
        customer = create_customer(
            user=actor,
            unit=staff.center,
            name=name,
            phone_numbers=numbers,
            segment=segment,
            tags=chosen,
            kind="company" if company else "person",
            contact_person=person_name(rng) if company else "",
            addresses=[{"label": "安装地址", "region": f"{city_name}{district}", "detail": street}],
            products=[product],
        )
        return Household(
            customer,
            phones.normalize(numbers[0]),
            f"{city_name}{district}{street}",
            product=model.model,
            dealer=dealer,
        )
