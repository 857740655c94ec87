"""Single sign-on per tenant with the tenant's OpenID Connect provider (docs/auth.md,
"Single sign-on").

- ``config``: the tenant's settings (owners and admins), the client secret sealed;
- ``provider``: discovery, the provider's keys (cached, refetched on an unknown ``kid``),
  the code exchange and the ID token's checks;
- ``flow``: start (state, nonce, PKCE kept server-side) and callback;
- ``accounts``: who the provider's person is in this tenant (the accounts rule);
- ``controllers``: ``/api/v1/auth/sso`` and ``/api/v1/auth/sso/{tenant}/start|callback``.
"""
