"""Fill PostgreSQL with a marketplace's years of disputes, fast: rows are made by the server
(INSERT … SELECT generate_series), not sent one by one. On top of them, the dashboards' data:
the last 90 days of worked cases played by the demo's history (disputes.demo.history, the same
code `seed_demo` uses: assignments, replies, SLA breaches, appeals, payouts in batches), and the
daily rollups rebuilt over everything."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from disputes.claim_types import CLAIM_TYPES
from disputes.demo.data import SellerSpec, SkuSpec
from disputes.demo.history import HistorySeller, World, add_history, has_history
from disputes.models import Queue
from quality.models import QAReview, RollupState
from quality.qa.history import review_history
from quality.rollups import STATE, rebuild_rollups, roll_up
from sellers.models import Seller, SellerMembership

BENCH_PASSWORD = "arbiter-bench"  # a throwaway benchmark login, also in bench/run.py
SPECIALISTS = 8
CODES = list(CLAIM_TYPES)
ACTIVE_SQL = "('submitted','open','in_review','escalated','appealed')"


@dataclass
class Scale:
    disputes: int
    ledger_events: int

    @property
    def sellers(self) -> int:
        return max(50, self.disputes // 500)


def _sql_array(values) -> str:
    return "ARRAY[" + ",".join(f"'{v}'" for v in values) + "]"


def already_generated(scale: Scale) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM disputes_dispute WHERE reference LIKE 'DSP-B%'")
        disputes = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM evidence_ledgerevent WHERE record_id LIKE 'BL%'")
        ledger = cursor.fetchone()[0]
    return disputes >= scale.disputes and ledger >= scale.ledger_events


def bench_users() -> dict:
    """Staff and portal logins the benchmark signs in with (created once)."""
    users = get_user_model().objects
    made = {}
    specialist = Group.objects.get(name="Specialist")
    lead_group = Group.objects.get(name="Team Lead")
    for i in range(SPECIALISTS):
        user, created = users.get_or_create(
            username=f"bench-specialist-{i}", defaults={"is_staff": True}
        )
        if created:
            user.set_password(BENCH_PASSWORD)
            user.save()
            user.groups.add(specialist)
        made.setdefault("specialists", []).append(user)
    lead, created = users.get_or_create(username="bench-lead", defaults={"is_staff": True})
    if created:
        lead.set_password(BENCH_PASSWORD)
        lead.save()
        lead.groups.add(lead_group)
    made["lead"] = lead
    service, created = users.get_or_create(username="bench-integration")
    if created:
        from django.contrib.auth.models import Permission

        service.set_password(BENCH_PASSWORD)
        service.save()
        service.user_permissions.add(Permission.objects.get(codename="import_records"))
    made["service"] = service
    finance, created = users.get_or_create(username="bench-finance", defaults={"is_staff": True})
    if created:
        finance.set_password(BENCH_PASSWORD)
        finance.save()
        finance.groups.add(Group.objects.get(name="Finance"))
    made["finance"] = finance
    qa, created = users.get_or_create(username="bench-qa", defaults={"is_staff": True})
    if created:
        qa.set_password(BENCH_PASSWORD)
        qa.save()
        qa.groups.add(Group.objects.get(name="QA Reviewer"))
    made["qa"] = qa
    # Staff from before the history: QA samples a new specialist's work more.
    users.filter(username__startswith="bench-").update(
        date_joined=timezone.now() - timedelta(days=400)
    )
    return made


# --- the dashboards' data: 90 days of worked cases, and the rollups ------------------------------

CENTRES = {
    "US": ("PHX7", "ONT8", "BFI4", "DFW6"),
    "UK": ("LTN1", "BHX4", "MAN2"),
    "DE": ("FRA3", "MUC3", "LEJ1"),
    "JP": ("NRT5", "KIX3", "FSZ1"),
    "CN": ("SZX1", "CAN2", "PEK3"),
    "IN": ("BOM5", "DEL4", "BLR7"),
}
CARRIERS = {
    "US": ("UPS", "FedEx", "USPS"),
    "UK": ("Royal Mail", "DPD", "Evri"),
    "DE": ("DHL", "Hermes", "DPD"),
    "JP": ("Yamato Transport", "Sagawa Express", "Japan Post"),
    "CN": ("SF Express", "ZTO Express"),
    "IN": ("Delhivery", "Blue Dart"),
}
HISTORY_SHARE = 10  # one case in ten of the scale is a worked case of the last 90 days


def _spec(seller: Seller) -> SellerSpec:
    """A bench seller as the history's claim builder reads a demo seller."""
    market, currency = seller.marketplace, seller.default_currency
    yen = currency == "JPY"
    skus = tuple(
        SkuSpec(s.sku, s.title, str(s.reference_value), ("20", "15", "10"), 500)
        for s in seller.skus.all()
    )
    return SellerSpec(
        code=f"B{seller.pk}",
        seller_id=seller.seller_id,
        name=seller.name,
        marketplace=market,
        currency=currency,
        language=seller.preferred_language,
        health=seller.health_state,
        email=seller.contact_email,
        username="",
        user_name=("", ""),
        fcs=CENTRES[market],
        carriers=CARRIERS[market],
        order_prefix=f"{seller.pk % 900 + 100}",
        tracking_prefix=f"BT{seller.pk}",
        offset=0,
        fee="420" if yen else "3.40",
        top_up="1500" if yen else "12.00",
        payment="90000" if yen else "850.00",
        skus=skus,
    )


def bench_world(scale: Scale, users: dict) -> World:
    """The benchmark's sellers filing a tenth of the scale over 90 days, heavy sellers most (as
    the bulk rows: seller n of N has the share (n/N)^⅓ − ((n−1)/N)^⅓), worked by the bench
    specialists; no evidence files."""
    sellers = list(
        Seller.objects.filter(seller_id__startswith="B").order_by("id").prefetch_related("skus")
    )
    count = len(sellers)
    share = [(n / count) ** (1 / 3) - ((n - 1) / count) ** (1 / 3) for n in range(1, count + 1)]
    lead = users["lead"].pk
    staff = tuple(u.pk for u in users["specialists"])
    per_day = max(1, scale.disputes // HISTORY_SHARE // 90)
    return World(
        key="bench-history",
        sellers=[
            HistorySeller(spec=_spec(s), pk=s.pk, filer=lead, actor=None, weight=w)
            for s, w in zip(sellers, share, strict=True)
        ],
        specialists=dict.fromkeys(("en", "ja", "zh-hans"), staff),
        usernames={u.pk: u.get_username() for u in [*users["specialists"], users["lead"]]},
        lead=lead,
        finance=users["finance"].pk,
        per_day=(max(1, round(per_day * 0.7)), round(per_day * 1.3) + 1),
        evidence=False,
        first_n=1_000_000,
    )


def complete(scale: Scale, *, log=print) -> dict[str, float]:
    """What the bulk rows leave to do, where it is missing (also on a data set reused from an
    earlier run): the worked history, the rollups over every case (rebuilt when the history was
    just added or they were never built), the portal logins."""
    timings: dict[str, float] = {}
    world = bench_world(scale, bench_users())
    added = 0
    if not has_history(world):
        started = time.perf_counter()
        added = add_history(world, log=log).cases
        timings["history"] = time.perf_counter() - started
        log(f"  history: {added:,} worked cases in {timings['history']:.1f}s")
    reviewed = 0
    if not QAReview.objects.exists():
        started = time.perf_counter()
        today = timezone.localdate()
        qa = review_history(first=today - timedelta(days=90), last=today - timedelta(days=1))
        reviewed = qa.sampled
        timings["qa"] = time.perf_counter() - started
        log(f"  QA: {qa.sampled:,} sampled, {qa.scored:,} scored in {timings['qa']:.1f}s")
    if added or not RollupState.objects.filter(name=STATE).exists():
        started = time.perf_counter()
        run = rebuild_rollups()
        timings["rollups"] = time.perf_counter() - started
        log(f"  rollups: {run.cases:,} cases in {timings['rollups']:.1f}s")
    elif reviewed:  # the QA reviews' cases only: their events come after the bookmark
        settle = settings.ARBITER["ROLLUP_SETTLE_SECONDS"]
        run = roll_up(now=timezone.now() + timedelta(seconds=settle + 1))
        log(f"  rollups: {run.cases:,} cases with new QA reviews")
    if added or reviewed:
        # What was written since the bulk load's statistics: without them the planner reads
        # 100 cases' decisions with a scan of all of them (600 ms a dashboard, seen at 1M).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    _portal_logins()
    return timings


def generate(scale: Scale, *, log=print) -> dict[str, float]:
    """Create sellers, SKUs, disputes (every status and claim type over two years), messages,
    events, evidence rows, decisions, reimbursements, SLA timers and ledger events."""
    timings: dict[str, float] = {}
    users = bench_users()
    staff_ids = [u.pk for u in users["specialists"]]
    queue_of = {
        code: Queue.objects.get(slug=ct.default_queue).pk for code, ct in CLAIM_TYPES.items()
    }
    queue_case = (
        "CASE claim_type "
        + " ".join(f"WHEN '{code}' THEN {pk}" for code, pk in queue_of.items())
        + " END"
    )

    def step(name: str, sql: str) -> None:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql)  # no parameters: '%' is SQL's modulo and LIKE wildcard
        timings[name] = time.perf_counter() - started
        log(f"  {name}: {timings[name]:.1f}s")

    with transaction.atomic():
        step(
            "sellers",
            f"""
            INSERT INTO sellers_seller (created_at, updated_at, seller_id, name, marketplace,
                default_currency, preferred_language, contact_email, health_state,
                claims_decided, claims_denied)
            SELECT now(), now(), 'B' || lpad(g::text, 9, '0'), 'Bench seller ' || g,
                (ARRAY['US','UK','DE','JP','CN','IN'])[1 + g % 6],
                (ARRAY['USD','GBP','EUR','JPY','CNY','INR'])[1 + g % 6],
                (ARRAY['en','en','en','ja','zh-hans','en'])[1 + g % 6],
                'seller' || g || '@bench.example',
                CASE WHEN g % 40 = 0 THEN 'at_risk' ELSE 'healthy' END, 0, 0
            FROM generate_series(1, {scale.sellers}) g
            ON CONFLICT (seller_id) DO NOTHING""",
        )
        step(
            "skus",
            """
            INSERT INTO sellers_sku (created_at, updated_at, sku, fnsku, asin, title,
                reference_value, currency, seller_id)
            SELECT now(), now(), 'SKU-' || k, 'X' || lpad((s.id * 20 + k)::text, 9, '0'), '',
                'Bench product ' || k,
                CASE WHEN s.default_currency = 'JPY' THEN 1500 + k * 100 ELSE 12.5 + k END,
                s.default_currency, s.id
            FROM sellers_seller s CROSS JOIN generate_series(0, 19) k
            WHERE s.seller_id LIKE 'B%'
            ON CONFLICT (seller_id, sku) DO NOTHING""",
        )
        step(
            "disputes",
            f"""
            WITH sellers AS (
                -- Numbered, so each dispute picks one by number; carrying the seller list
                -- on every row would write gigabytes of temporary files at 1M.
                SELECT id, default_currency AS currency, preferred_language AS language,
                    row_number() OVER (ORDER BY id) AS n
                FROM sellers_seller WHERE seller_id LIKE 'B%'),
            base AS (
                SELECT g,
                    -- A few big sellers, a long tail of small ones.
                    1 + floor(power(random(), 3) * (SELECT count(*) FROM sellers))::int AS s,
                    ({_sql_array(CODES)})[1 + g % {len(CODES)}] AS claim_type,
                    CASE WHEN g % 100 < 55 THEN 'closed' WHEN g % 100 < 65 THEN 'decided'
                         WHEN g % 100 < 73 THEN 'open' WHEN g % 100 < 83 THEN 'in_review'
                         WHEN g % 100 < 88 THEN 'awaiting_seller'
                         WHEN g % 100 < 91 THEN 'escalated' WHEN g % 100 < 93 THEN 'appealed'
                         WHEN g % 100 < 96 THEN 'withdrawn' WHEN g % 100 < 97 THEN 'merged'
                         ELSE 'submitted' END AS status
                FROM generate_series(1, {scale.disputes}) g),
            timed AS (
                SELECT *, CASE WHEN status IN ('closed','withdrawn','merged','decided')
                    THEN now() - (30 + random() * 700) * interval '1 day'
                    ELSE now() - random() * 20 * interval '1 day' END AS created
                FROM base)
            INSERT INTO disputes_dispute (created_at, updated_at, reference, claim_type, sku,
                fnsku, quantity, fulfillment_center, shipment_id, order_id, tracking_id,
                carrier, removal_order_id, reimbursement_id, transaction_id, defect_kind,
                claim_id, event_date, amount, currency, description, status, priority,
                language, channel, submission_key, outcome, reason_code, approved_quantity,
                decided_at, appeal_deadline_at, appeal_count, closed_at, first_response_due_at,
                first_responded_at, resolution_due_at, sla_paused_at, sla_next_deadline_at,
                seller_response_due_at, seller_reminder_at, next_response_due_at,
                last_activity_at, version, assignee_id, created_by_id, decided_by_id,
                merged_into_id, seller_id, queue_id, failed_checks)
            SELECT created, created,
                'DSP-B' || extract(year FROM created)::int || '-' || lpad(g::text, 8, '0'),
                claim_type, 'SKU-' || (g % 20), '', 1 + g % 12,
                CASE WHEN claim_type = 'warehouse_lost' THEN 'PHX' || (g % 9) ELSE '' END,
                CASE WHEN claim_type = 'inbound_shortage' THEN 'FBA' || g ELSE '' END,
                CASE WHEN claim_type IN ('return_not_received','return_damaged',
                    'return_wrong_item','order_defect_appeal','buyer_claim')
                    THEN '113-' || lpad(g::text, 7, '0') ELSE '' END,
                CASE WHEN claim_type IN ('carrier_damaged','buyer_claim') THEN '1Z' || g
                    ELSE '' END,
                CASE WHEN claim_type = 'carrier_damaged' THEN 'UPS' ELSE '' END,
                CASE WHEN claim_type = 'removal_lost' THEN 'RMV' || g ELSE '' END,
                CASE WHEN claim_type = 'reimbursement_amount' THEN 'RMB-' || g ELSE '' END,
                CASE WHEN claim_type = 'payment_issue' THEN 'TX' || g ELSE '' END,
                CASE WHEN claim_type = 'order_defect_appeal' THEN 'late_shipment' ELSE '' END,
                CASE WHEN claim_type = 'buyer_claim' THEN 'AZ' || g ELSE '' END,
                created::date,
                CASE WHEN claim_type IN ('fee_overcharge','payment_issue')
                    THEN round((random() * 500)::numeric, 2) END,
                sellers.currency, 'Generated for the benchmark', status, 1 + (g % 4),
                sellers.language, (ARRAY['portal','portal','api','email'])[1 + g % 4], '',
                CASE WHEN status IN ('closed','decided') THEN
                    (ARRAY['approved','partially_approved','denied'])[1 + g % 3] ELSE '' END,
                CASE WHEN status IN ('closed','decided') THEN 'records_confirm_loss' ELSE ''
                    END,
                CASE WHEN status IN ('closed','decided') THEN 1 + g % 6 END,
                CASE WHEN status IN ('closed','decided') THEN created + interval '3 days' END,
                CASE WHEN status = 'decided' THEN now() + interval '20 days' END,
                CASE WHEN status = 'appealed' THEN 1 ELSE 0 END,
                CASE WHEN status IN ('closed','withdrawn','merged')
                    THEN created + interval '40 days' END,
                NULL, NULL, NULL,
                CASE WHEN status = 'awaiting_seller' THEN now() - interval '1 day' END,
                CASE WHEN status IN {ACTIVE_SQL}
                    THEN now() + (random() * 96 + 2) * interval '1 hour' END,
                CASE WHEN status = 'awaiting_seller' THEN now() + interval '10 days' END,
                CASE WHEN status = 'awaiting_seller' THEN now() + interval '3 days' END,
                NULL, created, 1,
                CASE WHEN status IN ('in_review','awaiting_seller','escalated')
                    THEN ({_sql_array(staff_ids)}::int[])[1 + g % {len(staff_ids)}] END,
                {users["lead"].pk},
                CASE WHEN status IN ('closed','decided','appealed')
                    THEN ({_sql_array(staff_ids)}::int[])[1 + (g + 1) % {len(staff_ids)}] END,
                NULL, sellers.id, {queue_case}, 0
            FROM timed JOIN sellers ON sellers.n = timed.s""".replace("'{", "{").replace("}'", "}"),
        )
        step(
            "messages",
            f"""
            INSERT INTO disputes_message (side, visibility, body, created_at, author_id,
                dispute_id)
            SELECT CASE WHEN k = 1 THEN 'seller' ELSE 'staff' END,
                CASE WHEN k = 3 THEN 'internal' ELSE 'public' END,
                CASE WHEN k = 1 THEN 'The units were damaged when they arrived at the '
                    || 'warehouse, please check pallet ' || d.id
                    ELSE 'We are checking the inventory ledger for this claim.' END,
                d.created_at + k * interval '1 hour',
                CASE WHEN k = 1 THEN NULL ELSE {users["lead"].pk} END, d.id
            FROM disputes_dispute d CROSS JOIN generate_series(1, 3) k
            WHERE d.reference LIKE 'DSP-B%'""",
        )
        step(
            "events",
            """
            INSERT INTO disputes_caseevent (kind, from_status, to_status, data, created_at,
                actor_id, dispute_id)
            SELECT CASE WHEN k = 1 THEN 'submitted' ELSE 'checks_completed' END,
                CASE WHEN k = 1 THEN '' ELSE 'submitted' END,
                CASE WHEN k = 1 THEN 'submitted' ELSE 'open' END, '{}'::jsonb,
                d.created_at + (k - 1) * interval '1 minute', NULL, d.id
            FROM disputes_dispute d CROSS JOIN generate_series(1, 2) k
            WHERE d.reference LIKE 'DSP-B%'""",
        )
        step(
            "evidence",
            f"""
            INSERT INTO evidence_evidencefile (file, original_name, content_type, size, sha256,
                kind, uploaded_at, dispute_id, uploaded_by_id, perceptual_hash)
            SELECT 'evidence/bench/' || d.id, 'photo-' || d.id || '.jpg', 'image/jpeg',
                200000, md5(d.id::text) || md5(d.reference), 'photo', d.created_at, d.id,
                {users["lead"].pk}, ''
            FROM disputes_dispute d WHERE d.reference LIKE 'DSP-B%' AND d.id % 3 = 0""",
        )
        step(
            "decisions",
            f"""
            INSERT INTO disputes_decision (outcome, reason_code, approved_quantity, amount,
                currency, explanation, policy_version, on_appeal, decided_at, decided_by_id,
                dispute_id, root_cause)
            SELECT d.outcome, d.reason_code, d.approved_quantity,
                CASE WHEN d.outcome = 'denied' THEN NULL
                     ELSE d.approved_quantity * 12.50 END,
                d.currency, '', 1, false, d.decided_at,
                coalesce(d.decided_by_id, {users["lead"].pk}), d.id, ''
            FROM disputes_dispute d
            WHERE d.reference LIKE 'DSP-B%' AND d.status IN ('closed', 'decided')""",
        )
        step(
            "payout batches",
            f"""
            INSERT INTO reimbursements_payoutbatch (created_at, updated_at, reference, currency,
                marketplace, status, item_count, total, created_by_id, paid_by_id, paid_at,
                payment_reference)
            SELECT now(), now(), 'PAY-BENCH-' || c, c, '', 'paid', 0, 0, {users["lead"].pk},
                {users["lead"].pk}, now(), 'BENCH-' || c
            FROM unnest(ARRAY['USD','GBP','EUR','JPY','CNY','INR']) c
            ON CONFLICT (reference) DO NOTHING""",
        )
        # Closed cases were paid (in the currency's batch); one decided case in eight waits
        # for a team lead (the approvals queue); the other decided ones are approved.
        step(
            "reimbursements",
            """
            INSERT INTO reimbursements_reimbursement (created_at, updated_at, reference, sku,
                quantity_cash, quantity_replaced, unit_value, amount, currency, status,
                policy_version, approved_at, paid_at, approver_id, decision_id, dispute_id,
                maker_id, seller_id, claim_type, approval_reason, batch_id, proposed_amount)
            SELECT x.decided_at, x.decided_at, 'RMB-' || substr(d.reference, 5) || '-1', d.sku,
                x.approved_quantity, 0, 12.50, x.amount, x.currency,
                CASE WHEN d.status = 'closed' THEN 'paid'
                     WHEN d.id % 8 = 0 THEN 'pending_approval' ELSE 'approved' END, 1,
                CASE WHEN d.status = 'closed' OR d.id % 8 <> 0 THEN x.decided_at END,
                CASE WHEN d.status = 'closed' THEN x.decided_at END, NULL, x.id,
                d.id, x.decided_by_id, d.seller_id, d.claim_type,
                CASE WHEN d.status <> 'closed' AND d.id % 8 = 0 THEN 'above_threshold'
                     ELSE '' END,
                CASE WHEN d.status = 'closed' THEN
                    (SELECT b.id FROM reimbursements_payoutbatch b
                     WHERE b.reference = 'PAY-BENCH-' || x.currency) END,
                x.amount
            FROM disputes_decision x JOIN disputes_dispute d ON d.id = x.dispute_id
            WHERE d.reference LIKE 'DSP-B%' AND x.amount IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM reimbursements_reimbursement r
                                WHERE r.decision_id = x.id)""",
        )
        step(
            "payout batch totals",
            """
            UPDATE reimbursements_payoutbatch b SET item_count = t.n, total = t.total
            FROM (SELECT batch_id, count(*) AS n, sum(amount) AS total
                  FROM reimbursements_reimbursement WHERE batch_id IS NOT NULL
                  GROUP BY batch_id) t
            WHERE b.id = t.batch_id AND b.reference LIKE 'PAY-BENCH-%'""",
        )
        step(
            "sla timers",
            f"""
            INSERT INTO disputes_slatimer (kind, started_at, due_at, warn_at,
                paused_remaining_seconds, warned_at, breached_at, met_at, stopped_at,
                next_check_at, dispute_id, policy_id)
            SELECT k, d.created_at, d.sla_next_deadline_at + (k = 'resolution')::int
                    * interval '2 days',
                d.sla_next_deadline_at - interval '1 hour', NULL, NULL, NULL, NULL, NULL,
                d.sla_next_deadline_at - interval '1 hour', d.id,
                (SELECT id FROM disputes_slapolicy WHERE queue_id IS NULL AND priority IS NULL)
            FROM disputes_dispute d CROSS JOIN unnest(ARRAY['first_response','resolution']) k
            WHERE d.reference LIKE 'DSP-B%' AND d.status IN {ACTIVE_SQL}
            ON CONFLICT (dispute_id, kind) DO NOTHING""",
        )
    # The ledger is the biggest table: its own transactions, in slices.
    slice_size = 2_000_000
    started = time.perf_counter()
    for first in range(1, scale.ledger_events + 1, slice_size):
        last = min(first + slice_size - 1, scale.ledger_events)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"""
                WITH sellers AS (SELECT array_agg(id ORDER BY id) AS ids FROM sellers_seller
                                 WHERE seller_id LIKE 'B%')
                INSERT INTO evidence_ledgerevent (record_id, imported_at, event_date, sku, fnsku,
                    fulfillment_center, event_type, quantity, reference_id, seller_id)
                SELECT 'BL' || g, now(), (now() - random() * 730 * interval '1 day')::date,
                    'SKU-' || (g % 20), '', 'PHX' || (g % 9),
                    (ARRAY['received','shipped','shipped','shipped','lost','found',
                           'damaged_warehouse','disposed','customer_return'])[1 + g % 9],
                    1 + g % 5, '',
                    ids[1 + floor(power(random(), 3) * array_length(ids, 1))::int]
                FROM generate_series({first}, {last}) g, sellers
                ON CONFLICT (record_id) DO NOTHING""")
        log(f"  ledger events {last:,}/{scale.ledger_events:,}")
    timings["ledger events"] = time.perf_counter() - started
    timings |= complete(scale, log=log)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # sets the visibility map: index-only scans work
    timings["analyze"] = time.perf_counter() - started
    return timings


def _portal_logins() -> None:
    """Portal users for the biggest and a middle-sized seller."""
    users = get_user_model().objects
    for name, seller in (
        (
            "bench-seller-big",
            Seller.objects.filter(seller_id__startswith="B").order_by("id").first(),
        ),
        (
            "bench-seller-small",
            Seller.objects.filter(seller_id__startswith="B").order_by("-id").first(),
        ),
    ):
        user, created = users.get_or_create(username=name)
        if created:
            user.set_password(BENCH_PASSWORD)
            user.save()
        SellerMembership.objects.get_or_create(user=user, seller=seller)
