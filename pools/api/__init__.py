"""The REST API at /api/v1/ (Django REST framework, schema by drf-spectacular): automation's way in.

Thin like the pages' views, and through the same selectors and services: ``authentication`` (personal
tokens, scopes, the base view), ``errors`` (upstream failures and refusals as JSON), ``representations``
(values as JSON), ``serializers`` (request bodies), then one module per area: ``reads`` (pools, nodes,
usage, statistics, monitoring), ``change_requests``, ``audit``; ``urls`` wires them and the schema.
"""
