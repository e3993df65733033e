"""Pure rules of the cancer rehabilitation process. No I/O; imports no store, web, fhir or followup."""
