"""Every read a page or endpoint needs, scoped to the user; import them from here.

cases: staff and API reads of cases · portal: what a seller sees · queues: queue counts and a
specialist's own work · templates: response templates for a case.
"""

from disputes.selectors.cases import (
    CasePage,
    find_filed_with_key,
    get_case_page,
    get_dispute_by_id,
    get_dispute_for,
    get_evidence_file_for,
    get_user_by_username,
    known_unpaid,
    list_case_rows_for,
    list_disputes_for,
    list_duplicates_of,
    list_duplicates_of_filing,
    list_events_for,
    list_evidence_for,
    list_messages_for,
    list_sellers_with_dispute_counts,
)
from disputes.selectors.portal import (
    PortalCase,
    count_defects_by_month,
    find_own_seller_of_case,
    get_portal_case,
    list_portal_disputes,
)
from disputes.selectors.queues import count_my_work, count_queue_overview_for, list_saved_views_for
from disputes.selectors.templates import (
    TemplateChoice,
    get_filled_template,
    list_templates_for,
    render_template,
    signature_of,
)
from sellers.selectors import list_sellers_for

__all__ = [
    "CasePage",
    "PortalCase",
    "TemplateChoice",
    "count_defects_by_month",
    "count_my_work",
    "count_queue_overview_for",
    "find_filed_with_key",
    "find_own_seller_of_case",
    "get_case_page",
    "get_dispute_by_id",
    "get_dispute_for",
    "get_evidence_file_for",
    "get_filled_template",
    "get_portal_case",
    "get_user_by_username",
    "known_unpaid",
    "list_case_rows_for",
    "list_disputes_for",
    "list_duplicates_of",
    "list_duplicates_of_filing",
    "list_events_for",
    "list_evidence_for",
    "list_messages_for",
    "list_portal_disputes",
    "list_saved_views_for",
    "list_sellers_for",
    "list_sellers_with_dispute_counts",
    "list_templates_for",
    "render_template",
    "signature_of",
]
