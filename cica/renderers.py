"""The API's JSON renderer: DRF's, which also writes a page's rows as
PostgreSQL already wrote them (issue 18: :class:`cica.sqljson.JSONArrayText`)."""

import json

from rest_framework.compat import SHORT_SEPARATORS
from rest_framework.renderers import JSONRenderer as DRFJSONRenderer

from cica.sqljson import JSONArrayText


class JSONRenderer(DRFJSONRenderer):
    """DRF's renderer. A response whose data is an object with
    :class:`JSONArrayText` values (a list page's ``results``) is written key by
    key, those values as their text; the rest exactly as DRF writes it. With
    an indent asked for (``Accept: application/json; indent=4``, the browsable
    API) the texts are decoded and DRF writes everything."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if not isinstance(data, dict) or not any(
            isinstance(value, JSONArrayText) for value in data.values()
        ):
            return super().render(data, accepted_media_type, renderer_context)
        indent = self.get_indent(accepted_media_type, renderer_context or {})
        if indent is not None or not self.compact:
            decoded = {
                key: list(value) if isinstance(value, JSONArrayText) else value
                for key, value in data.items()
            }
            return super().render(decoded, accepted_media_type, renderer_context)

        def dumps(value):
            return json.dumps(
                value,
                cls=self.encoder_class,
                ensure_ascii=self.ensure_ascii,
                allow_nan=not self.strict,
                separators=SHORT_SEPARATORS,
            )

        text = (
            "{"
            + ",".join(
                dumps(str(key))
                + ":"
                + (value.text() if isinstance(value, JSONArrayText) else dumps(value))
                for key, value in data.items()
            )
            + "}"
        )
        # As DRF: U+2028 and U+2029 escaped, for the JavaScript that reads it.
        return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode()
