/**
 * The OTLP trace messages, for protobufjs to decode requests and encode responses.
 *
 * Why not @opentelemetry/otlp-transformer: its 0.2xx line serializes requests with a hand-written
 * writer and reads only responses (its ProtobufReader is internal and knows no span); it no longer
 * ships a protobufjs root. So the message definitions below are the official ones
 * (github.com/open-telemetry/opentelemetry-proto at ac2c4b5: common/v1/common.proto,
 * resource/v1/resource.proto, trace/v1/trace.proto, collector/trace/v1/trace_service.proto), with
 * comments, options and services left out, and google.rpc.Status for errors; protobufjs does the wire format.
 */
import protobuf from 'protobufjs';

/** One source per proto package (protobufjs reads one `package` line per source). */
const SOURCES = [
  `
package opentelemetry.proto.common.v1;
message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
    int32 string_value_strindex = 8;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; int32 key_strindex = 3; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
message EntityRef { string schema_url = 1; string type = 2; repeated string id_keys = 3; repeated string description_keys = 4; }
`,
  `
package opentelemetry.proto.resource.v1;
message Resource {
  repeated opentelemetry.proto.common.v1.KeyValue attributes = 1;
  uint32 dropped_attributes_count = 2;
  repeated opentelemetry.proto.common.v1.EntityRef entity_refs = 3;
}
`,
  `
package opentelemetry.proto.trace.v1;
message ResourceSpans {
  reserved 1000;
  opentelemetry.proto.resource.v1.Resource resource = 1;
  repeated ScopeSpans scope_spans = 2;
  string schema_url = 3;
}
message ScopeSpans {
  opentelemetry.proto.common.v1.InstrumentationScope scope = 1;
  repeated Span spans = 2;
  string schema_url = 3;
}
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  string trace_state = 3;
  bytes parent_span_id = 4;
  fixed32 flags = 16;
  string name = 5;
  enum SpanKind { SPAN_KIND_UNSPECIFIED = 0; SPAN_KIND_INTERNAL = 1; SPAN_KIND_SERVER = 2; SPAN_KIND_CLIENT = 3; SPAN_KIND_PRODUCER = 4; SPAN_KIND_CONSUMER = 5; }
  SpanKind kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated opentelemetry.proto.common.v1.KeyValue attributes = 9;
  uint32 dropped_attributes_count = 10;
  message Event {
    fixed64 time_unix_nano = 1;
    string name = 2;
    repeated opentelemetry.proto.common.v1.KeyValue attributes = 3;
    uint32 dropped_attributes_count = 4;
  }
  repeated Event events = 11;
  uint32 dropped_events_count = 12;
  message Link {
    bytes trace_id = 1;
    bytes span_id = 2;
    string trace_state = 3;
    repeated opentelemetry.proto.common.v1.KeyValue attributes = 4;
    uint32 dropped_attributes_count = 5;
    fixed32 flags = 6;
  }
  repeated Link links = 13;
  uint32 dropped_links_count = 14;
  Status status = 15;
}
message Status {
  reserved 1;
  string message = 2;
  enum StatusCode { STATUS_CODE_UNSET = 0; STATUS_CODE_OK = 1; STATUS_CODE_ERROR = 2; }
  StatusCode code = 3;
}
`,
  `
package opentelemetry.proto.collector.trace.v1;
message ExportTraceServiceRequest { repeated opentelemetry.proto.trace.v1.ResourceSpans resource_spans = 1; }
message ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }
message ExportTracePartialSuccess { int64 rejected_spans = 1; string error_message = 2; }
`,
  // google/rpc/status.proto, the body of OTLP's error answers; its Any details are left out (OTLP does not need them).
  `
package google.rpc;
message Status { int32 code = 1; string message = 2; }
`,
];

let types: { request: protobuf.Type; response: protobuf.Type; status: protobuf.Type } | undefined;

/** The request, response and error (Status) types, parsed on first use. */
export function traceServiceTypes(): { request: protobuf.Type; response: protobuf.Type; status: protobuf.Type } {
  if (!types) {
    const root = new protobuf.Root();
    for (const source of SOURCES) protobuf.parse(`syntax = "proto3";${source}`, root);
    root.resolveAll();
    types = {
      request: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest'),
      response: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse'),
      status: root.lookupType('google.rpc.Status'),
    };
  }
  return types;
}
