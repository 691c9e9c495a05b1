"""The test API with corsair's Django middleware in front: the CORS settings are the JSON object
in the environment variable CORSAIR_TEST_CORS (a refused one stops the server at start)."""

import json
import os

from api.settings import *  # noqa: F401,F403

MIDDLEWARE = ["corsair_cors.middleware.CorsMiddleware"]

globals().update(json.loads(os.environ.get("CORSAIR_TEST_CORS", "{}")))
