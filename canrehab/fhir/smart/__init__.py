"""SMART on FHIR: scopes (``scopes``), registered Backend Services clients (``clients``), the server's token
key and remote JWKS (``keys``), the token endpoint and bearer tokens (``tokens``), the region's OIDC user
tokens (``oidc``), scope enforcement on every resource handler (``enforce``) and the routes (``routes``)."""
