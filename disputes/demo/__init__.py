"""Demo data for `manage.py seed_demo`: staff of every role, three sellers with their catalog and
operational records, disputes in every status and claim type, and 90 days of history before
them for the dashboards.

Today's disputes are filed and moved through the services, exactly as the portal and the
workspace would; nothing sets a status directly. The history (`history/`) is a couple of thousand
cases played forward in time by the same rules and written in bulk with their own times (through
the services under a moved clock it would take minutes). Natural keys (usernames, seller ids,
SKUs, record ids, submission keys) make a second run find what the first one made and change
nothing.

`data` holds the people, sellers and catalog, `texts` what they write, `plan` which path each
dispute takes and the records behind it, `history` the months before today, `seed` the run.
"""

from disputes.demo.data import PASSWORD
from disputes.demo.seed import HISTORY_DAYS, SeedResult, seed

__all__ = ["HISTORY_DAYS", "PASSWORD", "SeedResult", "seed"]
