"""Single sign-on through the company's OpenID Connect provider (mozilla-django-oidc underneath).

- ``config``: the settings read from the environment (the group → role mapping) and the provider's endpoints
  (explicit, or discovered from the issuer).
- ``tokens``: what an ID token must be before anyone is signed in with it.
- ``backend``: the authentication backend that turns a checked ID token into a user with roles.
- ``session``: what a session remembers about its sign-in (SSO or password, when the IdP last saw the person).

Off by default (``OIDC_ENABLED``); see docs/sso.md and docs/security.md.
"""
