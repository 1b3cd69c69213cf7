"""Notifications: what happened (a ``Notice``), to whom (the people concerned by e-mail, and each route of
the connection that subscribes to the event), sent by a task after the write that caused it has committed.

- ``notices``: the ``Notice`` value and its forms (e-mail and chat text, the webhook's JSON), written once in
  each language of the site (``in_every_language``): a route gets it in its own, a person in theirs
  (``UserPreference.language``, else the site's).
- ``dispatch``: ``announce`` queues one delivery task per destination (a route, or the people who read one
  language) once the transaction commits.
- ``delivery``: the task; retries with a growing delay, logs a destination that keeps failing, never raises.
- ``senders``: e-mail through Django, chat through apprise, the signed JSON webhook through requests.
- ``routes``: creating, changing, deleting and testing routes (audited).
- ``watch``: failed pools, abnormal nodes and warning events read off ModelArts by the scheduled job and
  announced once each (``AnnouncedCondition``); a page view never announces anything.
"""

from pools.services.notifications.dispatch import announce
from pools.services.notifications.notices import Notice

__all__ = ["Notice", "announce"]
