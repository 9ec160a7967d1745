"""Sessions read from the cache and written through to the database, that keep working when the
cache does not.

Django's `cached_db` engine already falls back to the database when reading the cache fails, and
logs a failed write to it; but it then writes the session it read back into the cache, and asks
the cache whether a new key is taken and to forget a deleted session, without a fallback: with
Redis unreachable, signing in and every signed-in page would answer 500. Here each of those cache
calls is skipped with a log line, and the database, which always has every session, answers.

One thing the database cannot do for the cache: a session deleted (signed out) while the cache
is unreachable stays in the cache until it expires, should the same cache come back with its
data (a network split rather than a restart); the browser has dropped its cookie meanwhile.
"""

from __future__ import annotations

import logging

from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.db import SessionStore as DBStore

log = logging.getLogger(__name__)


class SessionStore(cached_db.SessionStore):
    """`cached_db`, with the database answering whenever the cache cannot."""

    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:  # unreachable, or a key the backend refuses: read the database
            log.warning("session read from the database: the cache is unreachable", exc_info=True)
            data = None
        if data is not None:
            return data
        stored = self._get_session_from_db()
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=stored.expire_date))
        except Exception:
            log.warning("session not cached: the cache is unreachable", exc_info=True)
        return data

    def exists(self, session_key):
        try:
            if session_key and (self.cache_key_prefix + session_key) in self._cache:
                return True
        except Exception:
            log.warning("session key checked in the database only", exc_info=True)
        return DBStore.exists(self, session_key)

    def delete(self, session_key=None):
        DBStore.delete(self, session_key)
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        try:
            self._cache.delete(self.cache_key_prefix + session_key)
        except Exception:
            log.warning("session deleted from the database only", exc_info=True)
