"""A small OTLP/HTTP trace receiver on loopback, for the tracing tests."""

from __future__ import annotations

import http.server
import threading
from dataclasses import dataclass, field

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)


@dataclass
class Collector:
    """An OTLP/HTTP receiver of traces on loopback (protobuf, as the SDK's exporter sends)."""

    spans: list[dict] = field(default_factory=list)
    port: int = 0

    def serve(self) -> http.server.ThreadingHTTPServer:
        collector = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                request = ExportTraceServiceRequest.FromString(body)
                for resource in request.resource_spans:
                    service = {a.key: a.value.string_value for a in resource.resource.attributes}
                    for scope in resource.scope_spans:
                        for span in scope.spans:
                            collector.spans.append({
                                "path": self.path, "name": span.name,
                                "trace_id": span.trace_id.hex(), "service": service,
                                "attributes": {a.key: a.value for a in span.attributes},
                            })
                answer = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("content-type", "application/x-protobuf")
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                """Quiet: the tests read the spans, not the access lines."""

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = server.server_address[1]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server
