"""The served OpenAPI description, and Schemathesis fuzzing the API against it: no 5xx, every response conforms."""

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings

from web import close_app
from web import create_app


@pytest.fixture(scope="module")
def api_app(tmp_path_factory):
    # A module-scoped app over the session's test index (fixtures of narrower scope cannot be used here).
    from index.build import build
    from tests.corpus import write_corpus

    source = write_corpus(tmp_path_factory.mktemp("openapi-corpus"))
    index_dir = tmp_path_factory.mktemp("openapi-index")
    build(source, index_dir)
    app = create_app({"INDEX_DIR": str(index_dir)})
    yield app
    close_app(app)


@pytest.fixture(scope="module")
def api_schema(api_app):
    return schemathesis.openapi.from_wsgi("/api/openapi.json", api_app)


def test_api_conforms_to_its_openapi_description(api_schema):
    # Each operation's generated requests, checked by Schemathesis: no 5xx, status codes,
    # content types and bodies as described. (Its pytest plugin needs an older pytest.)
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 5
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
        def conforms(case):
            case.call_and_validate()

        conforms()


def test_openapi_is_served(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.get_json()["openapi"] == "3.0.3"
    paths = {"/api/search", "/api/suggest", "/api/click", "/api/opensearch-suggest", "/healthz"}
    assert set(response.get_json()["paths"]) == paths
    score = response.get_json()["components"]["schemas"]["Hit"]["properties"]["score"]
    assert "not comparable between queries" in score["description"]  # what it means is documented
