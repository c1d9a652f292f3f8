import factory
from factory.django import DjangoModelFactory

from kefu.telephony.models import Pbx, Queue, QueueMember


class PbxFactory(DjangoModelFactory):
    class Meta:
        model = Pbx

    name = factory.Sequence(lambda n: f"PBX {n}")
    token = factory.Sequence(lambda n: f"token-{n:04d}-abcdefghijklmnop")


class QueueFactory(DjangoModelFactory):
    class Meta:
        model = Queue

    code = factory.Sequence(lambda n: f"q{n}")
    name = factory.Sequence(lambda n: f"队列{n}")


class QueueMemberFactory(DjangoModelFactory):
    class Meta:
        model = QueueMember

    skill_level = 3
