import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory


@pytest.fixture
def host(db):
    return UserFactory(username="host", is_staff=True)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def start_topic():
    def start(user, challenge, title="How do I start?", body="I am **new** here."):
        response = client_for(user).post(
            f"/api/v1/challenges/{challenge.slug}/topics/", {"title": title, "body": body}, format="json"
        )
        assert response.status_code == 201, response.content
        return response.json()

    return start
