"""The bare project with the settings of the JSON object in CORSAIR_TEST_SETTINGS."""

import json
import os

from .settings_bare import *  # noqa: F403

globals().update(json.loads(os.environ.get("CORSAIR_TEST_SETTINGS", "{}")))
