"""Plumbing below both reads (selectors) and writes (services): the application error and the client factory.

It imports no selector and no service, so either side may use it without pulling in the other.
"""
