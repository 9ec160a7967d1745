"""Demo data for `manage.py seed_demo`: staff of every role, three sellers with their catalog and
operational records, and disputes in every status and claim type.

Every dispute is filed and moved through the services, exactly as the portal and the workspace
would; nothing sets a status directly. Natural keys (usernames, seller ids, SKUs, record ids,
submission keys) make a second run find what the first one made and change nothing.

`data` holds the people, sellers and catalog, `texts` what they write, `plan` which path each
dispute takes and the records behind it, `seed` the run.
"""

from disputes.demo.data import PASSWORD
from disputes.demo.seed import SeedResult, seed

__all__ = ["PASSWORD", "SeedResult", "seed"]
