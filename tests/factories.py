import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User

from members.models import Participant, ParticipantKind


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("pass-word-123")


class ParticipantFactory(factory.django.DjangoModelFactory[Participant]):
    class Meta:
        model = Participant

    code = factory.Sequence(lambda n: "ZZ" + "".join(chr(65 + int(d)) for d in f"{n:03d}"))
    kind = ParticipantKind.STATE
    name_en = factory.Sequence(lambda n: f"State {n}")
    name_fr = factory.Sequence(lambda n: f"État {n}")
    name_ru = factory.Sequence(lambda n: f"Государство {n}")
    name = factory.SelfAttribute("name_en")
