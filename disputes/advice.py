"""What a seller can change to prevent each kind of defect (shown on the prevention page)."""

from django.utils.translation import gettext_lazy as _

ADVICE = {
    "warehouse_lost": _(
        "Label every unit with its FNSKU and avoid look-alike listings: "
        "units that cannot be scanned are the ones that go missing."
    ),
    "warehouse_damaged": _(
        "Use sturdier inner packaging and mark fragile items: most "
        "warehouse damage happens while units are moved between shelves."
    ),
    "inbound_shortage": _(
        "Count and photograph cartons before pickup, and keep box content "
        "labels on every carton so receiving can match them."
    ),
    "return_not_received": _(
        "Nothing to change in your prep: these are buyer returns that "
        "never arrived. Keep claiming them after the 45-day wait."
    ),
    "return_damaged": _(
        "Ship in packaging a buyer can reuse, and describe sizes clearly to reduce returns."
    ),
    "return_wrong_item": _(
        "Use tamper-evident seals or serial numbers so a swapped item can be recognised."
    ),
    "carrier_damaged": _(
        "Choose a carrier with scan-at-every-step tracking and pad parcels "
        "for drops of at least one metre."
    ),
    "removal_lost": _("Request removals in smaller batches and check deliveries on arrival."),
    "fee_overcharge": _(
        "Keep your catalog dimensions and weights up to date, measured with the packaging."
    ),
    "reimbursement_amount": _("Keep your reference unit values current with invoices."),
    "payment_issue": _("Check that your bank details and tax information are complete."),
    "order_defect_appeal": _(
        "Most of these come from late deliveries by the network: they are "
        "removable, keep appealing them."
    ),
    "buyer_claim": _("Ship with tracking and photos of the packed item to win buyer claims."),
}
