"""Checks a captured `GET /api/v1/alerts/stream` against the OpenAPI document: every event is
one the document's text/event-stream schema describes, and its JSON data matches the schema the
document names for it (`contentSchema`). At least one event must have been captured.

    python3 scripts/sse_conformance.py openapi.json captured-stream.txt

Uses jsonschema_rs, which Schemathesis installs with itself."""

import json
import sys

import jsonschema_rs


def events(text):
    """The events of an event stream, each a dict of its fields (comments and `retry` left out)."""
    current = {}
    for line in text.splitlines() + [""]:
        if line == "":
            if "event" in current or "data" in current:
                yield current
            current = {}
        elif not line.startswith(":") and ":" in line:
            name, value = line.split(":", 1)
            if name in ("event", "data", "id"):
                value = value[1:] if value.startswith(" ") else value
                current[name] = current[name] + "\n" + value if name == "data" and name in current else value


def main(document_path, stream_path):
    document = json.load(open(document_path, encoding="utf-8"))
    media = document["paths"]["/alerts/stream"]["get"]["responses"]["200"]["content"]["text/event-stream"]
    with_components = lambda schema: {**schema, "components": document["components"]}
    try:
        data_content_schema = media["schema"]["properties"]["data"]["contentSchema"]
    except (KeyError, TypeError):
        print("FAIL GET /alerts/stream: the document's text/event-stream schema does not describe "
              "an event (properties.data.contentSchema)", file=sys.stderr)
        return 1
    event_schema = jsonschema_rs.validator_for(with_components(media["schema"]))
    data_schema = jsonschema_rs.validator_for(with_components(data_content_schema))
    captured = list(events(open(stream_path, encoding="utf-8").read()))
    failures = []
    for n, event in enumerate(captured):
        problems = [e.message for e in event_schema.iter_errors(event)]
        try:
            problems += [e.message for e in data_schema.iter_errors(json.loads(event.get("data", "")))]
        except json.JSONDecodeError as e:
            problems.append(f"data is not JSON: {e}")
        if problems:
            failures.append(f"event #{n}: {'; '.join(problems)}\n    {event}")
    if not captured:
        failures.append("no event was captured (an alert was acknowledged while the stream was open)")
    for failure in failures:
        print(f"FAIL GET /alerts/stream {failure}", file=sys.stderr)
    print(f"GET /alerts/stream: {len(captured)} events checked, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
