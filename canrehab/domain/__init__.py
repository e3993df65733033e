"""Pure rules of the cancer rehabilitation process. No I/O: nothing here imports store, web, fhir or followup."""
