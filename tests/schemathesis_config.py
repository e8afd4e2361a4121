"""The schemathesis configuration of the tests that run it (tests/api/test_schema.py, tests/security/test_api_fuzz.py):
every check it has, with the expected statuses widened only where the schema cannot say what is valid."""

from schemathesis.config import SchemathesisConfig

# Every check schemathesis has (not only the ones the old CHECKS list named): server errors, status codes, content
# types, bodies and headers against the schema, schema-violating input refused, schema-valid input accepted, and
# the stateful ones (use after free, resource availability, ignored auth).
CONFIG = SchemathesisConfig.from_dict(
    {
        "operations": [
            {
                # A username and password the schema cannot tell are wrong: refusing them is a 400, as DRF's
                # obtain_auth_token does and as `hub login` expects.
                "include-path": "/api/v1/auth/token/",
                "include-method": "POST",
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "429"]
                    }
                },
            },
            {
                # A file of the right type that is not a CSV (a PNG, a PDF): refused at upload with the reason.
                # And a multipart form carries every value as text, so schemathesis' "wrong type" mutations
                # (an object as the description, a field with a name of no meaning) are only text and unknown
                # parts there, which a form ignores; the upload's own checks are tested in tests/security.
                "include-path": "/api/v1/challenges/{slug}/submissions/",
                "include-method": "POST",
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "413", "429"]
                    },
                    "negative_data_rejection": {"enabled": False},
                },
            },
        ]
    }
)
