"""A track never shows a challenge its viewer may not see: a private class's challenge is a step only for the
learners it admits and its hosts."""

import pytest
from django.test import Client

from learning.models import Track, TrackStep
from projects.models import Admission
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_private_challenge_is_a_step_only_for_those_it_admits(make_challenge):
    open_one = make_challenge(slug="open-one", title="Open one")
    secret = make_challenge(slug="secret-class", title="Secret class", visibility="private")
    track = Track.objects.create(slug="mixed", title="Mixed")
    TrackStep.objects.create(track=track, challenge=open_one, position=1)
    TrackStep.objects.create(track=track, challenge=secret, position=2)
    admitted = UserFactory()
    Admission.objects.create(challenge=secret, user=admitted, via=Admission.Via.INVITE)

    for viewer in (None, UserFactory()):
        client = Client()
        if viewer is not None:
            client.force_login(viewer)
        for path in ("/tracks/", "/tracks/mixed/", "/api/v1/tracks/"):
            page = client.get(path)
            assert page.status_code == 200, path
            assert b"Open one" in page.content and b"Secret class" not in page.content, path
    client = Client()
    client.force_login(admitted)
    assert b"Secret class" in client.get("/tracks/mixed/").content
